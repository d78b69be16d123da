//! ISO 3166-1 countries with their names, E.164 calling codes and IANA time zones, read from
//! `assets/countries.tsv` (see the README for where the data comes from).

use std::collections::HashMap;
use std::sync::LazyLock;

/// One country of ISO 3166-1.
#[derive(Debug)]
pub struct Country {
    pub alpha2: &'static str,
    pub alpha3: &'static str,
    pub name: &'static str,
    pub calling_codes: Vec<&'static str>,
    pub zones: Vec<&'static str>,
    pub other_names: Vec<&'static str>,
}

struct Tables {
    countries: Vec<Country>,
    /// The country of each pair of letters `AA`..`ZZ` (see `letters_index`).
    by_alpha2: Vec<Option<u16>>,
    by_name: HashMap<String, usize>,
    by_zone: HashMap<&'static str, Vec<usize>>,
    by_calling_code: HashMap<&'static str, Vec<usize>>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let text: &'static str = include_str!("../../assets/countries.tsv");
    let split = |s: &'static str, sep: char| -> Vec<&'static str> {
        s.split(sep).filter(|p| !p.is_empty()).collect()
    };
    let countries: Vec<Country> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let mut cols = line.split('\t');
            Some(Country {
                alpha2: cols.next()?,
                alpha3: cols.next()?,
                name: cols.next()?,
                calling_codes: split(cols.next().unwrap_or(""), ','),
                zones: split(cols.next().unwrap_or(""), ','),
                other_names: split(cols.next().unwrap_or(""), '|'),
            })
        })
        .collect();
    let mut by_alpha2 = vec![None; 26 * 26];
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut ambiguous: Vec<String> = Vec::new();
    let mut by_zone: HashMap<&'static str, Vec<usize>> = HashMap::new();
    let mut by_calling_code: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (i, c) in countries.iter().enumerate() {
        if let (Some(slot), Ok(i)) = (
            letters_index(c.alpha2).and_then(|at| by_alpha2.get_mut(at)),
            u16::try_from(i),
        ) {
            *slot = Some(i);
        }
        let names = [c.name, c.alpha3]
            .into_iter()
            .chain(c.other_names.iter().copied());
        for name in names {
            let key = fold_name(name);
            match by_name.get(&key) {
                Some(&j) if j != i => ambiguous.push(key),
                _ => {
                    by_name.insert(key, i);
                }
            }
        }
        for zone in &c.zones {
            by_zone.entry(zone).or_default().push(i);
        }
        for code in &c.calling_codes {
            by_calling_code.entry(code).or_default().push(i);
        }
    }
    for key in ambiguous {
        by_name.remove(&key);
    }
    Tables {
        countries,
        by_alpha2,
        by_name,
        by_zone,
        by_calling_code,
    }
});

/// Every country, ordered by code.
pub fn all() -> &'static [Country] {
    &TABLES.countries
}

/// The country of an alpha-2 code, whatever its case.
pub fn by_code(code: &str) -> Option<&'static Country> {
    let at = letters_index(code.trim())?;
    let i = (*TABLES.by_alpha2.get(at)?)?;
    TABLES.countries.get(usize::from(i))
}

/// Where two ASCII letters, in either case, are in a table of the 676 pairs `AA`..`ZZ`; `None`
/// for anything else, which no alpha-2 code is.
fn letters_index(code: &str) -> Option<usize> {
    let &[a, b] = code.as_bytes() else {
        return None;
    };
    let letter = |c: u8| {
        c.is_ascii_alphabetic()
            .then(|| usize::from(c.to_ascii_uppercase() - b'A'))
    };
    Some(letter(a)? * 26 + letter(b)?)
}

/// The country a name means (`Netherlands`, `Nederland`, `The Netherlands`, `NLD`), when the
/// name means exactly one.
pub fn by_name(name: &str) -> Option<&'static Country> {
    TABLES
        .by_name
        .get(&fold_name(name))
        .map(|&i| &TABLES.countries[i])
}

/// Codes that are not ISO 3166-1 alpha-2 but are commonly used for one that is: `UK` for `GB`,
/// `EL` for `GR`.
pub fn reserved_alias(code: &str) -> Option<&'static Country> {
    match code.trim().to_ascii_uppercase().as_str() {
        "UK" => by_code("GB"),
        "EL" => by_code("GR"),
        _ => None,
    }
}

/// The countries a time zone is used in; empty for zones not tied to a country (`UTC`,
/// `Etc/GMT+1`) and for old alias names, which this table does not list.
pub fn countries_of_zone(zone: &str) -> Vec<&'static Country> {
    TABLES
        .by_zone
        .get(zone)
        .map(|v| v.iter().map(|&i| &TABLES.countries[i]).collect())
        .unwrap_or_default()
}

/// The E.164 calling code a phone number written in international form (`+39 ...`,
/// `(+34) ...`, `0049 ...`) starts with, with the countries that use it; `None` for a number in
/// national form.
pub fn calling_code_of(phone: &str) -> Option<(&'static str, Vec<&'static Country>)> {
    let trimmed = phone.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    let rest = if let Some(r) = trimmed.strip_prefix('+') {
        r
    } else {
        trimmed.strip_prefix("00")?
    };
    // The first three digits, which no calling code is longer than.
    let mut buffer = [0u8; 3];
    let mut len = 0;
    for b in rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b' ' || *b == b')')
        .filter(u8::is_ascii_digit)
        .take(buffer.len())
    {
        buffer[len] = b;
        len += 1;
    }
    let digits = std::str::from_utf8(&buffer[..len]).ok()?;
    (1..=len).find_map(|len| {
        let prefix = &digits[..len];
        TABLES
            .by_calling_code
            .get_key_value(prefix)
            .map(|(code, idx)| (*code, idx.iter().map(|&i| &TABLES.countries[i]).collect()))
    })
}

/// Lower case, accents removed, punctuation dropped, spaces collapsed: `Côte d'Ivoire` and
/// `cote divoire` fold alike.
pub fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' | 'ć' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' | 'ś' => 's',
            'ž' | 'ź' | 'ż' => 'z',
            'ř' => 'r',
            'ł' => 'l',
            'ß' => 's',
            c => c,
        };
        if base.is_alphanumeric() {
            out.push(base);
        } else if (base.is_whitespace() || base == '-' || base == ',') && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    let trimmed = out.trim();
    trimmed.strip_prefix("the ").unwrap_or(trimmed).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: Option<&Country>) -> Option<&str> {
        c.map(|c| c.alpha2)
    }

    #[test]
    fn the_table_has_every_assigned_code() {
        assert_eq!(all().len(), 249);
        for country in all() {
            let code = country.alpha2;
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()));
            for spelling in [
                code.to_owned(),
                code.to_ascii_lowercase(),
                format!(" {code}\t"),
            ] {
                assert_eq!(
                    by_code(&spelling).map(|c| c.alpha2),
                    Some(code),
                    "{spelling}"
                );
            }
        }
        for other in [
            "", "F", "FRA", "F1", "1F", "É", "Ｆr", "ZZ", "XZ", " ", "fr fr",
        ] {
            assert_eq!(by_code(other).map(|c| c.alpha2), None, "{other}");
        }
        assert_eq!(code(by_code("fr")), Some("FR"));
        assert_eq!(by_code("UK").map(|c| c.alpha2), None);
        assert_eq!(code(reserved_alias("uk")), Some("GB"));
    }

    #[test]
    fn names_in_several_languages_find_their_country() {
        for (name, expected) in [
            ("Netherlands", "NL"),
            ("the netherlands", "NL"),
            ("Nederland", "NL"),
            ("Holland", "NL"),
            ("United Kingdom", "GB"),
            ("Scotland", "GB"),
            ("Deutschland", "DE"),
            ("España", "ES"),
            ("espana", "ES"),
            ("Österreich", "AT"),
            ("Côte d'Ivoire", "CI"),
            ("ITA", "IT"),
            ("Ireland", "IE"),
        ] {
            assert_eq!(code(by_name(name)), Some(expected), "{name}");
        }
        assert_eq!(code(by_name("Atlantis")), None);
    }

    #[test]
    fn zones_know_their_countries() {
        let of = |z: &str| {
            countries_of_zone(z)
                .iter()
                .map(|c| c.alpha2)
                .collect::<Vec<_>>()
        };
        assert!(of("Europe/Rome").contains(&"IT"));
        assert!(of("Europe/Rome").contains(&"VA"));
        assert!(!of("Europe/Madrid").contains(&"IT"));
        assert!(of("UTC").is_empty());
    }

    #[test]
    fn calling_codes_are_read_from_international_numbers() {
        let cc = |p: &str| calling_code_of(p).map(|(c, _)| c);
        assert_eq!(cc("+39 0552399798"), Some("39"));
        assert_eq!(cc("(+34) 915 42 49 36"), Some("34"));
        assert_eq!(cc("+31 (0)30 234 64 64"), Some("31"));
        assert_eq!(cc("0049 89 89068205"), Some("49"));
        assert_eq!(cc("+1 415 555 0100"), Some("1"));
        assert_eq!(cc("+353 1 234 5678"), Some("353"));
        assert_eq!(cc("020 7407 1002"), None);
        let (_, users) = calling_code_of("+44 20 7693 4000").expect("known code");
        assert!(users.iter().any(|c| c.alpha2 == "GB"));
    }
}
