//! Store ids from a table: given ids cleaned to what the API accepts (`[A-Za-z0-9_]+`), ids made
//! from a store's name and city, and one id per store across a file.

use std::collections::hash_map::Entry;

use super::CellNote;
use crate::model::id_hash::IdMap;

/// The longest id this app makes: the API states no limit, but long ids are hard to read and type.
pub const MAX_ID_LEN: usize = 64;

/// A stable id made from a store's name and city: `Café de Flore`, `Paris` → `cafe_de_flore_paris`.
///
/// Letters lose their accents (é → e, ß → ss, æ → ae), everything else that is not a letter or
/// a digit becomes one `_`, and the id is cut to [`MAX_ID_LEN`]. A name with no Latin letter or
/// digit (`東京`) gives `store_` and a hash of the name and city, the same on every run.
pub fn slug_id(name: &str, city: &str) -> String {
    let mut out = String::new();
    for part in [name, city] {
        for c in part.chars() {
            match fold(c) {
                Folded::Keep(c) => out.push(c.to_ascii_lowercase()),
                Folded::Text(t) => out.push_str(&t.to_ascii_lowercase()),
                Folded::Drop => {}
                Folded::Replace => {
                    if !out.is_empty() && !out.ends_with('_') {
                        out.push('_');
                    }
                }
            }
        }
        if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.truncate(MAX_ID_LEN);
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        return format!("store_{:08x}", fnv1a32(&format!("{name}\u{0}{city}")));
    }
    trimmed.to_owned()
}

/// A given id with the characters the API refuses replaced (accented letters lose their accent,
/// anything else becomes `_`), and a note saying so when it changed; a blank id gives `""`.
pub fn clean_id(raw: &str) -> (String, Option<CellNote>) {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return (String::new(), None);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut replaced_last = false;
    for c in trimmed.chars() {
        match fold(c) {
            Folded::Keep(c) => {
                out.push(c);
                replaced_last = false;
            }
            Folded::Text(t) => {
                out.push_str(&t);
                replaced_last = false;
            }
            Folded::Drop => {}
            Folded::Replace => {
                if !replaced_last {
                    out.push('_');
                }
                replaced_last = true;
            }
        }
    }
    let note = if out == raw {
        None
    } else if out == trimmed {
        Some(CellNote::notice(format!(
            "storeId \"{raw}\" has spaces around it; it becomes \"{out}\"."
        )))
    } else {
        Some(CellNote::notice(format!(
            "storeId \"{raw}\" has characters the API refuses; it becomes \"{out}\"."
        )))
    };
    (out, note)
}

/// What became of an id offered to an [`IdAllocator`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdClaim {
    /// The id was free and is now the store's.
    Taken(String),
    /// The made-up id `wanted` was taken already; the store gets `id` instead.
    Suffixed { id: String, wanted: String },
    /// The id is already the id of the store of row `first_row`; nothing was taken.
    Duplicate { id: String, first_row: usize },
}

/// Hands out one id per store across a file: made-up ids that collide get `_2`, `_3`, ...;
/// given ids that collide are reported for the caller to decide.
///
/// The same ids offered in the same order give the same answers. Offering every given id
/// before the made-up ones keeps a made-up id from taking an id that a later row gives.
#[derive(Clone, Debug, Default)]
pub struct IdAllocator {
    /// Each id taken, with the row that took it.
    taken: IdMap<usize>,
}

impl IdAllocator {
    /// An allocator with no id taken.
    pub fn new() -> IdAllocator {
        IdAllocator::default()
    }

    /// An allocator with no id taken and room for `n` ids.
    pub fn with_capacity(n: usize) -> IdAllocator {
        IdAllocator {
            taken: IdMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    /// Takes an id the file gives for the store of `row`, unless a row has it already.
    pub fn claim_given(&mut self, id: &str, row: usize) -> IdClaim {
        match self.taken.get(id) {
            Some(&first_row) => IdClaim::Duplicate {
                id: id.to_owned(),
                first_row,
            },
            None => {
                self.taken.insert(id.to_owned(), row);
                IdClaim::Taken(id.to_owned())
            }
        }
    }

    /// [`claim_given`](Self::claim_given) for an id the caller hands over: `None` when the
    /// store of `row` takes it, else the row that has it already.
    pub fn take_given(&mut self, id: String, row: usize) -> Option<usize> {
        match self.taken.entry(id) {
            Entry::Occupied(taken) => Some(*taken.get()),
            Entry::Vacant(free) => {
                free.insert(row);
                None
            }
        }
    }

    /// Takes a made-up id (such as a [`slug_id`]) for the store of `row`: `wanted` when free,
    /// else the first free of `wanted_2`, `wanted_3`, ... (cut to stay within [`MAX_ID_LEN`]).
    pub fn claim_generated(&mut self, wanted: &str, row: usize) -> IdClaim {
        if !self.taken.contains_key(wanted) {
            self.taken.insert(wanted.to_owned(), row);
            return IdClaim::Taken(wanted.to_owned());
        }
        let mut n: u64 = 1;
        loop {
            n += 1;
            let suffix = format!("_{n}");
            let keep = MAX_ID_LEN.saturating_sub(suffix.len()).min(wanted.len());
            let cut = (0..=keep)
                .rev()
                .find(|&i| wanted.is_char_boundary(i))
                .unwrap_or(0);
            let id = format!("{}{suffix}", &wanted[..cut]);
            if !self.taken.contains_key(&id) {
                self.taken.insert(id.clone(), row);
                return IdClaim::Suffixed {
                    id,
                    wanted: wanted.to_owned(),
                };
            }
        }
    }
}

enum Folded {
    /// An ASCII letter, digit or `_`.
    Keep(char),
    /// A letter written with ASCII letters once its accent is gone.
    Text(String),
    /// A combining accent, dropped.
    Drop,
    /// Anything else.
    Replace,
}

fn fold(c: char) -> Folded {
    if c.is_ascii_alphanumeric() || c == '_' {
        return Folded::Keep(c);
    }
    if ('\u{300}'..='\u{36f}').contains(&c) {
        return Folded::Drop;
    }
    let lower: String = c.to_lowercase().collect();
    let base = match lower.as_str() {
        "à" | "á" | "â" | "ã" | "ä" | "å" | "ā" | "ă" | "ą" => "a",
        "æ" => "ae",
        "ç" | "ć" | "ĉ" | "ċ" | "č" => "c",
        "ď" | "đ" | "ð" => "d",
        "è" | "é" | "ê" | "ë" | "ē" | "ĕ" | "ė" | "ę" | "ě" => "e",
        "ĝ" | "ğ" | "ġ" | "ģ" => "g",
        "ĥ" | "ħ" => "h",
        "ì" | "í" | "î" | "ï" | "ĩ" | "ī" | "ĭ" | "į" | "ı" | "i\u{307}" => "i",
        "ĳ" => "ij",
        "ĵ" => "j",
        "ķ" => "k",
        "ĺ" | "ļ" | "ľ" | "ŀ" | "ł" => "l",
        "ñ" | "ń" | "ņ" | "ň" => "n",
        "ò" | "ó" | "ô" | "õ" | "ö" | "ø" | "ō" | "ŏ" | "ő" => "o",
        "œ" => "oe",
        "ŕ" | "ŗ" | "ř" => "r",
        "ś" | "ŝ" | "ş" | "š" | "ș" => "s",
        "ß" | "ẞ" => "ss",
        "ţ" | "ť" | "ŧ" | "ț" => "t",
        "þ" => "th",
        "ù" | "ú" | "û" | "ü" | "ũ" | "ū" | "ŭ" | "ů" | "ű" | "ų" => "u",
        "ŵ" => "w",
        "ý" | "ÿ" | "ŷ" => "y",
        "ź" | "ż" | "ž" => "z",
        _ => return Folded::Replace,
    };
    if c.is_uppercase() {
        let upper = if base == "ss" {
            "SS".to_owned()
        } else {
            let mut chars = base.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        };
        Folded::Text(upper)
    } else {
        Folded::Text(base.to_owned())
    }
}

fn fnv1a32(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash: u32, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Store;
    use crate::validate::{Code, Context, validate_store};
    use proptest::prelude::*;

    /// Whether the validator takes `id` as a storeId (neither missing nor invalid).
    fn validator_accepts(id: &str) -> bool {
        let store = Store {
            store_id: Some(id.to_owned()),
            ..Store::default()
        };
        !validate_store(&store, &Context::today())
            .iter()
            .any(|f| matches!(f.code, Code::StoreIdInvalid | Code::StoreIdMissing))
    }

    #[test]
    fn the_validator_check_used_below_refuses_bad_ids() {
        assert!(validator_accepts("cafe_1"));
        assert!(!validator_accepts("cafe-1"));
        assert!(!validator_accepts(""));
        assert!(!validator_accepts("café"));
    }

    #[test]
    fn slugs_fold_accents_and_join_name_and_city() {
        for (name, city, slug) in [
            ("Café de Flore", "Paris", "cafe_de_flore_paris"),
            ("  Straße 5 -- Süd ", "München", "strasse_5_sud_munchen"),
            ("L'Œuf & Æble", "", "l_oeuf_aeble"),
            ("Łódź Kaliska", "Łódź", "lodz_kaliska_lodz"),
            ("STORE #12", "NEW YORK", "store_12_new_york"),
            ("e\u{301}cole", "", "ecole"),
            ("already_snake", "x", "already_snake_x"),
            ("", "Lyon", "lyon"),
        ] {
            assert_eq!(slug_id(name, city), slug, "{name} / {city}");
        }
    }

    #[test]
    fn slugs_without_latin_letters_are_hashed_and_stable() {
        let a = slug_id("東京", "");
        let b = slug_id("大阪", "");
        assert!(a.starts_with("store_") && a.len() == 14, "{a}");
        assert_ne!(a, b);
        assert_eq!(a, slug_id("東京", ""));
        assert_eq!(slug_id("", ""), slug_id("", ""));
    }

    #[test]
    fn slugs_are_cut_to_the_limit() {
        let long = "word ".repeat(40);
        let slug = slug_id(&long, "City");
        assert!(slug.len() <= MAX_ID_LEN, "{slug}");
        assert!(!slug.ends_with('_'));
        assert!(slug.starts_with("word_word"));
    }

    #[test]
    fn clean_ids_say_what_changed() {
        assert_eq!(clean_id("PARIS_01"), ("PARIS_01".to_owned(), None));
        assert_eq!(clean_id(""), (String::new(), None));
        let (id, note) = clean_id("paris-01 b");
        assert_eq!(id, "paris_01_b");
        assert_eq!(
            note.map(|n| n.message),
            Some(
                "storeId \"paris-01 b\" has characters the API refuses; it becomes \"paris_01_b\"."
                    .to_owned()
            )
        );
        assert_eq!(clean_id("a - b").0, "a_b");
        assert_eq!(clean_id("a__b").0, "a__b", "underscores already there stay");
        assert_eq!(clean_id("Café-Ö").0, "Cafe_O");
        assert_eq!(clean_id("STRAẞE").0, "STRASSE");
        let (id, note) = clean_id(" A1 ");
        assert_eq!(id, "A1");
        assert_eq!(
            note.map(|n| n.message),
            Some("storeId \" A1 \" has spaces around it; it becomes \"A1\".".to_owned())
        );
    }

    fn made(ids: &mut IdAllocator, wanted: &str, row: usize) -> String {
        match ids.claim_generated(wanted, row) {
            IdClaim::Taken(id) | IdClaim::Suffixed { id, .. } => id,
            IdClaim::Duplicate { id, .. } => panic!("a made-up id {id} reported as a duplicate"),
        }
    }

    #[test]
    fn the_allocator_suffixes_made_up_ids_and_reports_given_duplicates() {
        let mut ids = IdAllocator::new();
        assert_eq!(ids.claim_given("A1", 1), IdClaim::Taken("A1".into()));
        let duplicate = IdClaim::Duplicate {
            id: "A1".into(),
            first_row: 1,
        };
        assert_eq!(ids.claim_given("A1", 4), duplicate);
        assert_eq!(
            ids.claim_given("a1", 5),
            IdClaim::Taken("a1".into()),
            "case counts"
        );
        assert_eq!(
            ids.claim_generated("cafe", 2),
            IdClaim::Taken("cafe".into())
        );
        assert_eq!(
            ids.claim_generated("cafe", 3),
            IdClaim::Suffixed {
                id: "cafe_2".into(),
                wanted: "cafe".into()
            }
        );
        assert_eq!(
            ids.claim_given("cafe_3", 6),
            IdClaim::Taken("cafe_3".into())
        );
        assert_eq!(
            made(&mut ids, "cafe", 7),
            "cafe_4",
            "a given id is not made again"
        );
        assert_eq!(
            ids.claim_given("cafe_2", 8),
            IdClaim::Duplicate {
                id: "cafe_2".into(),
                first_row: 3
            },
            "a made-up id names its row"
        );
        let mut again = IdAllocator::new();
        let replay: Vec<String> = (0..3).map(|row| made(&mut again, "cafe", row)).collect();
        assert_eq!(
            replay,
            ["cafe", "cafe_2", "cafe_3"],
            "the same file gives the same ids"
        );
    }

    #[test]
    fn suffixed_ids_stay_within_the_limit() {
        let mut ids = IdAllocator::new();
        let long = "x".repeat(MAX_ID_LEN);
        assert_eq!(made(&mut ids, &long, 0), long);
        for row in 1..12 {
            let id = made(&mut ids, &long, row);
            assert!(id.len() <= MAX_ID_LEN, "{id}");
            assert!(id.ends_with(&format!("_{}", row + 1)), "{id}");
        }
    }

    proptest! {
        #[test]
        fn slugs_always_pass_the_validator(name in any::<String>(), city in any::<String>()) {
            let slug = slug_id(&name, &city);
            prop_assert!(validator_accepts(&slug), "{:?}", slug);
            prop_assert!(slug.len() <= MAX_ID_LEN);
            prop_assert_eq!(slug_id(&name, &city), slug);
        }

        #[test]
        fn slugs_of_latin_text_pass_the_validator(
            name in "[a-zA-Zà-ÿ0-9 '&.,-]{0,80}",
            city in "[a-zA-Zà-ÿ -]{0,30}",
        ) {
            let slug = slug_id(&name, &city);
            prop_assert!(validator_accepts(&slug), "{:?}", slug);
        }

        #[test]
        fn cleaned_ids_pass_the_validator(raw in any::<String>()) {
            let (id, note) = clean_id(&raw);
            if raw.trim().is_empty() {
                prop_assert_eq!((id.as_str(), note), ("", None));
            } else {
                prop_assert_eq!(note.is_some(), id != raw);
                prop_assert!(validator_accepts(&id), "{:?}", id);
            }
        }

        #[test]
        fn allocated_ids_are_distinct_and_valid(
            names in proptest::collection::vec("[a-c]{1,2}( [a-c])?", 1..40),
        ) {
            let mut ids = IdAllocator::new();
            let mut seen = std::collections::HashSet::new();
            for (row, name) in names.iter().enumerate() {
                let id = made(&mut ids, &slug_id(name, ""), row);
                prop_assert!(validator_accepts(&id), "{:?}", id);
                prop_assert!(seen.insert(id));
            }
        }
    }
}
