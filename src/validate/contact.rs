//! Contact rules: an email, a website and a phone number that can be right.

use super::{Code, Finding};
use crate::model::Store;
use crate::model::countries::{self, Country};

pub(super) fn check(store: &Store, country: Option<&Country>, out: &mut Vec<Finding>) {
    let Some(contact) = &store.contact else {
        return;
    };
    if let Some(email) = contact.email.as_deref() {
        check_email(email, out);
    }
    if let Some(website) = contact.website.as_deref() {
        check_website(website, out);
    }
    if let Some(phone) = contact.phone.as_deref() {
        check_phone(phone, country, out);
    }
}

fn check_email(email: &str, out: &mut Vec<Finding>) {
    let path = "contact.email";
    if email.trim().is_empty() {
        return;
    }
    let Some(problem) = email_problem(email) else {
        let tld = email.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        if let Some(meant) = mistyped_tld(&tld) {
            out.push(Finding::new(
                Code::EmailTypo,
                path,
                format!("Email \"{email}\" ends in .{tld}, which looks like a mistyped .{meant}."),
            ));
        }
        return;
    };
    out.push(Finding::new(
        Code::EmailInvalid,
        path,
        format!("Email \"{email}\" cannot be right: {problem}."),
    ));
}

fn email_problem(email: &str) -> Option<&'static str> {
    if email.chars().any(char::is_whitespace) {
        return Some("it contains a space");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Some("it has no @");
    };
    if domain.contains('@') {
        return Some("it has more than one @");
    }
    if local.is_empty() {
        return Some("nothing comes before the @");
    }
    if domain.is_empty() {
        return Some("nothing comes after the @");
    }
    // The domain's labels are the parts between its dots.
    if !domain.contains('.') {
        return Some("the part after the @ has no dot, such as example.com");
    }
    if domain.split('.').any(str::is_empty) {
        return Some("the domain has an empty part (two dots in a row, or a dot at an end)");
    }
    if !domain
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
    {
        return Some("the domain has characters a domain cannot have");
    }
    let tld = domain.rsplit('.').next().unwrap_or("");
    if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
        return Some("the domain does not end in a top-level domain such as .com or .fr");
    }
    None
}

/// A top-level domain that is the letters of .com, .net or .org in another order.
fn mistyped_tld(tld: &str) -> Option<&'static str> {
    // Only three letters can be an anagram of a three-letter domain.
    let sorted3 = |s: &str| {
        let mut chars = s.chars();
        let mut v = [chars.next()?, chars.next()?, chars.next()?];
        if chars.next().is_some() {
            return None;
        }
        v.sort_unstable();
        Some(v)
    };
    let mine = sorted3(tld)?;
    ["com", "net", "org"]
        .into_iter()
        .find(|&real| real != tld && sorted3(real) == Some(mine))
}

fn check_website(website: &str, out: &mut Vec<Finding>) {
    let path = "contact.website";
    let w = website.trim();
    if w.is_empty() {
        return;
    }
    let problem = if w.chars().any(char::is_whitespace) {
        Some("it contains a space".to_owned())
    } else if !w.contains("://") {
        Some(format!(
            "it has no http:// or https:// in front; write https://{w}"
        ))
    } else if plainly_a_web_address(w) {
        None
    } else {
        match url::Url::parse(w) {
            Err(e) => Some(format!("it is not a web address ({e})")),
            Ok(u) if u.scheme() != "http" && u.scheme() != "https" => Some(format!(
                "it starts with {}:// rather than http:// or https://",
                u.scheme()
            )),
            Ok(u) => match u.host_str() {
                Some(host) if host.contains('.') || host == "localhost" => None,
                _ => Some("its host has no dot, such as example.com".to_owned()),
            },
        }
    };
    if let Some(problem) = problem {
        out.push(Finding::new(
            Code::WebsiteInvalid,
            path,
            format!("Website \"{website}\" cannot be right: {problem}."),
        ));
    }
}

/// Whether `w` is an address the full parse below would accept without a doubt, told without
/// parsing it: `http://` or `https://`, a host of lower-case letters, digits, dots and hyphens
/// with a dot, no empty part and a last part that is not a number (which would make it an
/// IPv4 address), no punycode, no port and no user, then visible ASCII only. Anything else is
/// parsed.
fn plainly_a_web_address(w: &str) -> bool {
    let Some(rest) = w
        .strip_prefix("https://")
        .or_else(|| w.strip_prefix("http://"))
    else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, after) = rest.split_at(host_end);
    let host_ok = host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && host
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with("xn--"))
        && host.rsplit('.').next().is_some_and(|last| {
            !last.bytes().all(|b| b.is_ascii_digit()) && !last.starts_with("0x")
        });
    host_ok && after.bytes().all(|b| b.is_ascii_graphic())
}

fn check_phone(phone: &str, country: Option<&Country>, out: &mut Vec<Finding>) {
    let path = "contact.phone";
    let p = phone.trim();
    if p.is_empty() {
        return;
    }
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let stray: Vec<char> = p
        .chars()
        .filter(|c| !(c.is_ascii_digit() || " +()-./".contains(*c)))
        .collect();
    let plus_misplaced = p
        .char_indices()
        .any(|(i, c)| c == '+' && p[..i].trim_start_matches('(').trim() != "");
    let problem = if !stray.is_empty() {
        Some(format!(
            "it contains {:?}, which is not part of a phone number",
            stray[0]
        ))
    } else if plus_misplaced {
        Some("the + of the country code is not at the start".to_owned())
    } else if digits < 5 {
        Some(format!("it has only {digits} digits"))
    } else if digits > 17 {
        Some(format!(
            "it has {digits} digits, more than any phone number"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        out.push(Finding::new(
            Code::PhoneInvalid,
            path,
            format!("Phone \"{phone}\" cannot be right: {problem}."),
        ));
        return;
    }
    if let (Some(country), Some((code, users))) = (country, countries::calling_code_of(p))
        && !users.iter().any(|c| c.alpha2 == country.alpha2)
    {
        let owner = users.first().map(|c| c.name).unwrap_or("another country");
        out.push(Finding::new(
            Code::PhoneCountry,
            path,
            format!(
                "Phone \"{phone}\" has the calling code +{code} of {owner}, but the store is in {}{}.",
                country.name,
                country
                    .calling_codes
                    .first()
                    .map(|c| format!(" (+{c})"))
                    .unwrap_or_default()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the full parse says of a web address.
    fn parsed_ok(w: &str) -> bool {
        match url::Url::parse(w) {
            Ok(u) => {
                (u.scheme() == "http" || u.scheme() == "https")
                    && u.host_str()
                        .is_some_and(|h| h.contains('.') || h == "localhost")
            }
            Err(_) => false,
        }
    }

    #[test]
    fn plain_web_addresses_are_told_as_the_parse_tells_them() {
        for w in [
            "https://example.com/stores/1",
            "http://shop.example.co.uk/a?b=c#d",
            "https://a-b.example.com",
            "https://example.com:8080/",
            "https://user@example.com/",
            "https://1.2.3.4/",
            "https://example.123/",
            "https://example.0x1f/",
            "https://xn--bcher-kva.example/",
            "https://xn--zz.example/",
            "https://a..b.com/",
            "https://.example.com/",
            "https://EXAMPLE.com/",
            "https://exa_mple.com/",
            "https://example.com/é",
            "https:///example.com",
            "https://localhost/",
            "https://example/",
            "ftp://example.com/",
        ] {
            if plainly_a_web_address(w) {
                assert!(parsed_ok(w), "{w} is told plain but the parse refuses it");
            }
        }
        assert!(plainly_a_web_address("https://example.com/stores/1?x=1#y"));
        assert!(!plainly_a_web_address("https://1.2.3.4/"));
    }

    proptest::proptest! {
        #[test]
        fn an_address_told_plain_is_one_the_parse_accepts(
            w in "https?://[a-z0-9x-]{0,6}(\\.[a-z0-9x:@-]{0,4}){0,3}[/?#]?[ -~é]{0,8}"
        ) {
            if plainly_a_web_address(&w) {
                proptest::prop_assert!(parsed_ok(&w), "{}", w);
            }
        }
    }
}
