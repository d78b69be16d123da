//! List cells (`covered; organic`) and cells for `userProperties`, read into JSON values of the
//! type they plainly have.

use serde_json::{Number, Value};

/// The separators a list cell is split at when none is chosen, in order of preference.
const LIST_SEPARATORS: [char; 3] = [';', '|', ','];

/// Integers with more digits than this stay text: clients that read JSON numbers as doubles
/// (JavaScript) would change them.
const MAX_NUMBER_DIGITS: usize = 15;

/// Splits a list cell at `separator`, or at the first of `;`, `|`, `,` the cell holds, trimming
/// the items and dropping empty ones.
pub fn split_list(cell: &str, separator: Option<char>) -> Vec<String> {
    let separator =
        separator.or_else(|| LIST_SEPARATORS.iter().copied().find(|&s| cell.contains(s)));
    let item = |item: &str| {
        let item = item.trim();
        (!item.is_empty()).then(|| item.to_owned())
    };
    match separator {
        Some(s) => cell.split(s).filter_map(item).collect(),
        None => item(cell).into_iter().collect(),
    }
}

/// How [`cell_value`] reads numbers and yes/no words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValueOptions {
    /// `1,5` is the number 1.5 (and `1.5` stays text, as `1.500` may mean fifteen hundred).
    pub decimal_comma: bool,
    /// `true`, `yes`, `oui`, `ja` and `false`, `no`, `non`, `nein` (any case) are booleans.
    pub booleans: bool,
}

/// The JSON value of a cell, trimmed: a number when the cell is plainly one (`12`, `-3`, `1.5`),
/// a boolean when asked, else the text; `None` for a blank cell.
///
/// Text that a number would change stays text: leading zeros (`00118`), a leading `+`, `-0`,
/// `.5`, `5.`, exponents, and integers of more than 15 digits.
pub fn cell_value(cell: &str, options: ValueOptions) -> Option<Value> {
    let text = cell.trim();
    if text.is_empty() {
        return None;
    }
    if options.booleans {
        match text.to_lowercase().as_str() {
            "true" | "yes" | "oui" | "ja" => return Some(Value::Bool(true)),
            "false" | "no" | "non" | "nein" => return Some(Value::Bool(false)),
            _ => {}
        }
    }
    let decimal = if options.decimal_comma { ',' } else { '.' };
    Some(number(text, decimal).unwrap_or_else(|| Value::String(text.to_owned())))
}

fn number(text: &str, decimal: char) -> Option<Value> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, fraction) = match unsigned.split_once(decimal) {
        Some((int, fraction)) => (int, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    let negative = unsigned.len() != text.len();
    match fraction {
        None => {
            if int.len() > MAX_NUMBER_DIGITS || (negative && int == "0") {
                return None;
            }
            text.parse::<i64>().ok().map(Value::from)
        }
        Some(fraction) => {
            if !digits(fraction) || int.len() + fraction.len() > MAX_NUMBER_DIGITS {
                return None;
            }
            let value: f64 = format!("{int}.{fraction}").parse().ok()?;
            if value == 0.0 && negative {
                return None;
            }
            Number::from_f64(if negative { -value } else { value }).map(Value::Number)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const PLAIN: ValueOptions = ValueOptions {
        decimal_comma: false,
        booleans: false,
    };

    #[test]
    fn lists_split_at_the_separator_found_or_chosen() {
        assert_eq!(split_list("covered; organic", None), ["covered", "organic"]);
        assert_eq!(split_list("a|b| |c", None), ["a", "b", "c"]);
        assert_eq!(split_list(" a, b ,,c ", None), ["a", "b", "c"]);
        assert_eq!(
            split_list("drive; click, collect", None),
            ["drive", "click, collect"],
            "a semicolon wins over commas"
        );
        assert_eq!(split_list("a, b; c", Some(',')), ["a", "b; c"]);
        assert_eq!(split_list("single", None), ["single"]);
        assert_eq!(split_list("  ", None), Vec::<String>::new());
        assert_eq!(split_list("a / b", Some('/')), ["a", "b"]);
    }

    #[test]
    fn numbers_keep_their_type_and_codes_stay_text() {
        let v = |s: &str| cell_value(s, PLAIN);
        assert_eq!(v("12"), Some(json!(12)));
        assert_eq!(v(" -3 "), Some(json!(-3)));
        assert_eq!(v("0"), Some(json!(0)));
        assert_eq!(v("1.5"), Some(json!(1.5)));
        assert_eq!(v("-0.25"), Some(json!(-0.25)));
        assert_eq!(v("0.5"), Some(json!(0.5)));
        assert_eq!(v("999999999999999"), Some(json!(999_999_999_999_999_i64)));
        for text in [
            "00118",
            "0012.5",
            "+33",
            "-0",
            "-0.0",
            ".5",
            "5.",
            "1e5",
            "1,5",
            "1 000",
            "NaN",
            "inf",
            "1234567890123456",
            "12abc",
            "--1",
            "١٢",
        ] {
            assert_eq!(v(text), Some(Value::String(text.to_owned())), "{text}");
        }
        assert_eq!(v("   "), None);
        assert_eq!(v("true"), Some(json!("true")), "booleans only when asked");
    }

    #[test]
    fn decimal_comma_mode_reads_commas_and_keeps_points_as_text() {
        let comma = ValueOptions {
            decimal_comma: true,
            ..PLAIN
        };
        assert_eq!(cell_value("1,5", comma), Some(json!(1.5)));
        assert_eq!(cell_value("-12,75", comma), Some(json!(-12.75)));
        assert_eq!(cell_value("1.500", comma), Some(json!("1.500")));
        assert_eq!(cell_value("12", comma), Some(json!(12)));
    }

    #[test]
    fn booleans_when_asked() {
        let yes_no = ValueOptions {
            booleans: true,
            ..PLAIN
        };
        for (text, b) in [
            ("true", true),
            ("Yes", true),
            ("OUI", true),
            ("ja", true),
            ("false", false),
            ("no", false),
            ("Non", false),
            ("nein", false),
        ] {
            assert_eq!(cell_value(text, yes_no), Some(Value::Bool(b)), "{text}");
        }
        assert_eq!(cell_value("1", yes_no), Some(json!(1)));
        assert_eq!(cell_value("maybe", yes_no), Some(json!("maybe")));
    }

    proptest! {
        #[test]
        fn values_never_panic_and_numbers_write_back_as_read(
            cell in any::<String>(),
            decimal_comma in any::<bool>(),
            booleans in any::<bool>(),
        ) {
            let value = cell_value(&cell, ValueOptions { decimal_comma, booleans });
            match value {
                None => prop_assert!(cell.trim().is_empty()),
                Some(Value::String(s)) => prop_assert_eq!(s, cell.trim()),
                Some(Value::Number(n)) if n.is_i64() => prop_assert_eq!(n.to_string(), cell.trim()),
                Some(_) => {}
            }
        }

        #[test]
        fn integers_without_leading_zeros_are_numbers(n in -999_999_999_999_999_i64..=999_999_999_999_999) {
            prop_assert_eq!(cell_value(&n.to_string(), ValueOptions::default()), Some(Value::from(n)));
        }

        #[test]
        fn lists_never_hold_blank_items(cell in any::<String>(), sep in proptest::option::of(any::<char>())) {
            for item in split_list(&cell, sep) {
                prop_assert!(!item.is_empty());
                prop_assert_eq!(item.trim(), item.as_str());
            }
        }
    }
}
