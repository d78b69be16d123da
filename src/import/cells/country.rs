//! Countries as tables write them (`FR`, `fr`, `FRA`, `France`, `the Netherlands`, `Deutschland`,
//! `UK`, `USA`) turned into ISO 3166-1 alpha-2 codes.

use super::CellError;
use crate::model::countries::{self, by_code, by_name, fold_name, reserved_alias};

/// Short names people use for more than one country, which the table answers with one of them.
const SHARED_NAMES: &[(&str, &[&str])] = &[
    ("congo", &["CG", "CD"]),
    ("korea", &["KR", "KP"]),
    ("virgin islands", &["VG", "VI"]),
];

/// The ISO 3166-1 alpha-2 code a country cell means: a code of any case (`UK` and `EL` read
/// as `GB` and `GR`), an alpha-3 code, or a name in one of the languages the country table
/// knows.
pub fn parse_country(text: &str) -> Result<&'static str, CellError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(CellError::new("The country is empty."));
    }
    if trimmed.len() == 2 && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
        return by_code(trimmed)
            .or_else(|| reserved_alias(trimmed))
            .map(|c| c.alpha2)
            .ok_or_else(|| {
                CellError::new(format!(
                    "\"{trimmed}\" is not an ISO 3166-1 country code (such as FR or NL)."
                ))
            });
    }
    let folded = fold_name(trimmed);
    if let Some((_, codes)) = SHARED_NAMES.iter().find(|(name, _)| *name == folded) {
        let named: Vec<String> = codes
            .iter()
            .filter_map(|code| by_code(code))
            .map(|c| format!("{} ({})", c.name, c.alpha2))
            .collect();
        return Err(CellError::new(format!(
            "\"{trimmed}\" may mean {}; write the code of the one meant.",
            named.join(" or ")
        )));
    }
    if let Some(country) = by_name(trimmed) {
        return Ok(country.alpha2);
    }
    let similar: Vec<&countries::Country> = countries::all()
        .iter()
        .filter(|c| folded.len() >= 4 && fold_name(c.name).contains(&folded))
        .collect();
    Err(CellError::new(match similar[..] {
        [c] => format!(
            "\"{trimmed}\" is not a country name this app knows; did you mean {} ({})? Write its code.",
            c.name, c.alpha2
        ),
        _ => format!(
            "\"{trimmed}\" is not a country name or code this app knows; write a two-letter ISO code such as FR."
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_give_alpha2() {
        for (text, code) in [
            ("FR", "FR"),
            ("fr", "FR"),
            (" Fr ", "FR"),
            ("FRA", "FR"),
            ("fra", "FR"),
            ("France", "FR"),
            ("FRANCE", "FR"),
            ("Frankreich", "FR"),
            ("Netherlands", "NL"),
            ("the Netherlands", "NL"),
            ("The Netherlands", "NL"),
            ("Nederland", "NL"),
            ("Pays-Bas", "NL"),
            ("Deutschland", "DE"),
            ("UK", "GB"),
            ("uk", "GB"),
            ("U.K.", "GB"),
            ("England", "GB"),
            ("EL", "GR"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("United States of America", "US"),
            ("España", "ES"),
            ("Côte d’Ivoire", "CI"),
        ] {
            assert_eq!(parse_country(text), Ok(code), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_reader_never_panics(text in ".*") {
            let _ = parse_country(&text);
        }
    }

    #[test]
    fn every_code_name_and_alpha3_of_the_table_reads_back() {
        for c in countries::all() {
            assert_eq!(parse_country(c.alpha2), Ok(c.alpha2));
            assert_eq!(parse_country(&c.alpha2.to_lowercase()), Ok(c.alpha2));
            assert_eq!(parse_country(c.alpha3), Ok(c.alpha2), "{}", c.alpha3);
            let shared = SHARED_NAMES.iter().any(|(n, _)| *n == fold_name(c.name));
            if shared {
                assert!(parse_country(c.name).is_err(), "{}", c.name);
            } else {
                assert_eq!(parse_country(c.name), Ok(c.alpha2), "{}", c.name);
            }
        }
    }

    #[test]
    fn shared_and_unknown_names_are_errors() {
        assert_eq!(
            parse_country("Korea").map_err(|e| e.message),
            Err("\"Korea\" may mean South Korea (KR) or North Korea (KP); write the code of the one meant.".to_owned())
        );
        assert!(
            parse_country("congo").is_err(),
            "the table's short name of CG, but said of both"
        );
        assert!(parse_country("Virgin Islands").is_err());
        assert_eq!(parse_country("South Korea"), Ok("KR"));
        assert_eq!(parse_country("Republic of the Congo"), Ok("CG"));
        assert_eq!(
            parse_country("Atlantis").map_err(|e| e.message),
            Err("\"Atlantis\" is not a country name or code this app knows; write a two-letter ISO code such as FR.".to_owned())
        );
        assert_eq!(
            parse_country("XX").map_err(|e| e.message),
            Err("\"XX\" is not an ISO 3166-1 country code (such as FR or NL).".to_owned())
        );
        assert_eq!(
            parse_country("  ").map_err(|e| e.message),
            Err("The country is empty.".to_owned())
        );
        assert!(
            parse_country("Islands")
                .is_err_and(|e| e.message.contains("write a two-letter ISO code")),
            "several names contain it: no suggestion"
        );
        assert_eq!(
            parse_country("Zealand").map_err(|e| e.message),
            Err("\"Zealand\" is not a country name this app knows; did you mean New Zealand (NZ)? Write its code.".to_owned())
        );
    }
}
