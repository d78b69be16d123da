//! Which store field each column of a table fills: guessed from the column names in several
//! languages, always editable, saved and reused for files with the same columns.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::countries::fold_name;

/// What a column fills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Target {
    /// Not imported.
    Ignore,
    StoreId,
    Name,
    Latitude,
    Longitude,
    /// Latitude and longitude in one cell: `48.85, 2.35` or degrees-minutes-seconds.
    Coordinates,
    /// One address line; several columns make several lines, in column order.
    AddressLine,
    City,
    Zipcode,
    /// An ISO code or a country name.
    Country,
    Phone,
    Email,
    Website,
    /// A list cell, split on the mapping's separator.
    Types,
    Tags,
    /// OSM-style opening hours: `Mo-Fr 08:00-19:00; Sa 09:00-12:00`.
    OpeningHours,
    /// The hours of one weekday (1 = Monday ... 7 = Sunday): `09:00-12:00, 14:00-18:00`.
    Weekday {
        day: u8,
    },
    /// Date ranges the store is closed: `2026-12-24/2026-12-31, 2027-01-05`.
    TemporaryClosures,
    Timezone,
    UserProperty {
        key: String,
    },
    LocalizedName {
        language: String,
    },
}

impl Target {
    /// The field as a person reads it: "latitude", "user property \"rank\"".
    pub fn label(&self) -> String {
        match self {
            Target::Ignore => "not imported".into(),
            Target::StoreId => "store id".into(),
            Target::Name => "name".into(),
            Target::Latitude => "latitude".into(),
            Target::Longitude => "longitude".into(),
            Target::Coordinates => "latitude and longitude".into(),
            Target::AddressLine => "address line".into(),
            Target::City => "city".into(),
            Target::Zipcode => "zip code".into(),
            Target::Country => "country".into(),
            Target::Phone => "phone".into(),
            Target::Email => "email".into(),
            Target::Website => "website".into(),
            Target::Types => "types".into(),
            Target::Tags => "tags".into(),
            Target::OpeningHours => "opening hours".into(),
            Target::Weekday { day } => {
                format!("hours on {}", crate::hours::weekday_name(*day))
            }
            Target::TemporaryClosures => "temporary closures".into(),
            Target::Timezone => "time zone".into(),
            Target::UserProperty { key } => format!("user property \"{key}\""),
            Target::LocalizedName { language } => format!("name in \"{language}\""),
        }
    }

    /// Whether at most one column may have this target.
    pub fn is_single(&self) -> bool {
        !matches!(
            self,
            Target::Ignore | Target::AddressLine | Target::Types | Target::Tags
        )
    }
}

/// One column and what it fills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub header: String,
    pub target: Target,
}

/// How a table's columns become stores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// One per column, in the table's order.
    pub columns: Vec<ColumnMapping>,
    /// What separates the values of a types or tags cell; `None` detects `;`, `|` or `,`.
    #[serde(default)]
    pub list_separator: Option<char>,
    /// Whether cells with a comma as decimal separator (`48,85`) are read as numbers in user
    /// properties. Coordinates always accept a decimal comma.
    #[serde(default)]
    pub decimal_comma: bool,
}

impl Mapping {
    /// The guess for these column names: each known name gets its field (the first column
    /// wins when two name the same single field); every other column goes to a user property
    /// of the same name, so nothing is left out unless the user says so.
    pub fn guess(headers: &[String]) -> Mapping {
        let mut taken: Vec<Target> = Vec::new();
        let columns = headers
            .iter()
            .map(|header| {
                let target = match guess_target(header) {
                    Some(t) if t.is_single() && taken.contains(&t) => user_property(header),
                    Some(t) => t,
                    None => user_property(header),
                };
                if target.is_single() {
                    taken.push(target.clone());
                }
                ColumnMapping {
                    header: header.clone(),
                    target,
                }
            })
            .collect();
        Mapping {
            columns,
            list_separator: None,
            decimal_comma: false,
        }
    }

    /// Applies a saved mapping to `headers`: columns it names take its targets, new columns
    /// are guessed.
    pub fn adapt(&self, headers: &[String]) -> Mapping {
        let mut out = Mapping::guess(headers);
        for column in &mut out.columns {
            if let Some(saved) = self.columns.iter().find(|c| c.header == column.header) {
                column.target = saved.target.clone();
            }
        }
        out.list_separator = self.list_separator;
        out.decimal_comma = self.decimal_comma;
        out
    }

    /// The columns with `target`.
    pub fn columns_of<'a>(&'a self, target: &'a Target) -> impl Iterator<Item = usize> + 'a {
        self.columns
            .iter()
            .enumerate()
            .filter(move |(_, c)| &c.target == target)
            .map(|(i, _)| i)
    }

    /// Whether some column fills `target`.
    pub fn has(&self, target: &Target) -> bool {
        self.columns.iter().any(|c| &c.target == target)
    }

    /// Sentences about a mapping that cannot work: a single field mapped twice, latitude
    /// without longitude. Empty when the mapping is usable.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, c) in self.columns.iter().enumerate() {
            if c.target.is_single()
                && self.columns[..i]
                    .iter()
                    .any(|earlier| earlier.target == c.target)
            {
                out.push(format!(
                    "two columns fill the {}, including \"{}\"; map one of them to something else",
                    c.target.label(),
                    c.header
                ));
            }
        }
        if self.has(&Target::Latitude) != self.has(&Target::Longitude) {
            out.push("latitude and longitude must both be mapped, or neither".into());
        }
        if self.has(&Target::Coordinates)
            && (self.has(&Target::Latitude) || self.has(&Target::Longitude))
        {
            out.push(
                "a coordinates column and latitude or longitude columns are both mapped; keep one"
                    .into(),
            );
        }
        out
    }

    /// The key a saved mapping is found under: the column names, folded.
    pub fn key_of(headers: &[String]) -> String {
        headers
            .iter()
            .map(|h| normalise(h))
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }
}

fn user_property(header: &str) -> Target {
    Target::UserProperty {
        key: header.trim().to_owned(),
    }
}

/// Column names lower-cased, accents folded, punctuation as spaces: "Code Postal" and
/// "code_postal" both become "code postal".
fn normalise(header: &str) -> String {
    header
        .split(|c: char| !c.is_alphanumeric())
        .map(fold_name)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Known column names, folded by `normalise`, in English, French, German, Dutch, Italian and
/// Spanish, with the names Woosmap files and exports use.
const NAMES: &[(&str, &[&str])] = &[
    (
        "store_id",
        &[
            "id",
            "storeid",
            "store id",
            "store code",
            "storecode",
            "store number",
            "code",
            "ref",
            "reference",
            "identifier",
            "identifiant",
            "code magasin",
            "filiale",
            "filialnummer",
            "winkelcode",
            "codice",
            "codigo",
        ],
    ),
    (
        "name",
        &[
            "name",
            "nom",
            "store name",
            "shop name",
            "naam",
            "nombre",
            "nome",
            "title",
            "libelle",
            "label",
            "enseigne",
            "bezeichnung",
            "nom du magasin",
        ],
    ),
    (
        "lat",
        &[
            "lat",
            "latitude",
            "y",
            "breite",
            "breitengrad",
            "lat wgs84",
            "latitud",
            "latitudine",
            "breedtegraad",
            "location lat",
        ],
    ),
    (
        "lng",
        &[
            "lng",
            "lon",
            "long",
            "longitude",
            "x",
            "lange",
            "laenge",
            "langengrad",
            "lng wgs84",
            "lon wgs84",
            "longitud",
            "longitudine",
            "lengtegraad",
            "location lng",
        ],
    ),
    (
        "coordinates",
        &[
            "coordinates",
            "coords",
            "latlng",
            "lat lng",
            "lat long",
            "lat lon",
            "gps",
            "coordonnees",
            "koordinaten",
            "coordenadas",
            "coordinate",
            "position",
        ],
    ),
    (
        "address",
        &[
            "address",
            "adresse",
            "adr",
            "street",
            "strasse",
            "address line",
            "address line 1",
            "address line 2",
            "address line 3",
            "address1",
            "address2",
            "address 1",
            "address 2",
            "street address",
            "rue",
            "adres",
            "straat",
            "indirizzo",
            "via",
            "direccion",
            "calle",
            "line1",
            "line2",
            "complement",
            "complement d adresse",
            "address lines",
            "hausnummer",
        ],
    ),
    (
        "city",
        &[
            "city",
            "ville",
            "town",
            "stadt",
            "ort",
            "citta",
            "ciudad",
            "commune",
            "locality",
            "plaats",
            "localite",
            "gemeente",
            "municipality",
            "address city",
        ],
    ),
    (
        "zip",
        &[
            "zip",
            "zipcode",
            "zip code",
            "postal code",
            "postcode",
            "post code",
            "postal",
            "cp",
            "code postal",
            "plz",
            "postleitzahl",
            "cap",
            "codigo postal",
            "postcode nl",
            "address zipcode",
        ],
    ),
    (
        "country",
        &[
            "country",
            "isocode",
            "iso code",
            "country code",
            "countrycode",
            "iso",
            "pays",
            "land",
            "paese",
            "pais",
            "code pays",
            "landcode",
            "address countrycode",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "tel",
            "telephone",
            "telefon",
            "telefoon",
            "telefono",
            "phone number",
            "contact phone",
            "tel fixe",
            "numero de telephone",
            "contact telephone",
        ],
    ),
    (
        "email",
        &[
            "email",
            "e mail",
            "mail",
            "courriel",
            "contact email",
            "email address",
            "adresse email",
            "adresse mail",
        ],
    ),
    (
        "website",
        &[
            "website",
            "url",
            "site",
            "web",
            "sitweb",
            "site web",
            "site internet",
            "homepage",
            "webseite",
            "sito",
            "sitio web",
            "contact website",
            "www",
        ],
    ),
    (
        "types",
        &[
            "type",
            "types",
            "category",
            "categories",
            "categorie",
            "kategorie",
            "categoria",
            "store type",
            "soort",
        ],
    ),
    (
        "tags",
        &[
            "tags",
            "tag",
            "labels",
            "label",
            "keywords",
            "etiquettes",
            "schlagworter",
        ],
    ),
    (
        "hours",
        &[
            "opening hours",
            "openinghours",
            "opening_hours",
            "hours",
            "horaires",
            "heures d ouverture",
            "offnungszeiten",
            "openingstijden",
            "orari",
            "horario",
            "horarios",
            "business hours",
        ],
    ),
    (
        "closures",
        &[
            "temporary closures",
            "temporary closure",
            "closures",
            "fermetures",
            "fermeture exceptionnelle",
        ],
    ),
    (
        "timezone",
        &[
            "timezone",
            "time zone",
            "tz",
            "fuseau horaire",
            "zeitzone",
            "fuseau",
        ],
    ),
];

/// Weekday column names (1 = Monday), with optional "hours" words around them.
const WEEKDAYS: &[(u8, &[&str])] = &[
    (
        1,
        &[
            "monday", "mon", "mo", "lundi", "lun", "montag", "maandag", "lunedi", "lunes",
        ],
    ),
    (
        2,
        &[
            "tuesday", "tue", "tu", "mardi", "mar", "dienstag", "di", "dinsdag", "martedi",
            "martes",
        ],
    ),
    (
        3,
        &[
            "wednesday",
            "wed",
            "we",
            "mercredi",
            "mer",
            "mittwoch",
            "mi",
            "woensdag",
            "mercoledi",
            "miercoles",
        ],
    ),
    (
        4,
        &[
            "thursday",
            "thu",
            "th",
            "jeudi",
            "jeu",
            "donnerstag",
            "do",
            "donderdag",
            "giovedi",
            "jueves",
        ],
    ),
    (
        5,
        &[
            "friday", "fri", "fr", "vendredi", "ven", "freitag", "vrijdag", "venerdi", "viernes",
        ],
    ),
    (
        6,
        &[
            "saturday", "sat", "sa", "samedi", "sam", "samstag", "zaterdag", "sabato", "sabado",
        ],
    ),
    (
        7,
        &[
            "sunday", "sun", "su", "dimanche", "dim", "sonntag", "so", "zondag", "domenica",
            "domingo",
        ],
    ),
];

/// The field a column name is known to mean, if any.
pub fn guess_target(header: &str) -> Option<Target> {
    let raw = header.trim();
    let n = normalise(raw);
    if n.is_empty() {
        return None;
    }
    // Names written by this product's CSV export.
    if let Some(key) = raw.strip_prefix("userProperties.") {
        return Some(Target::UserProperty { key: key.into() });
    }
    if let Some(language) = raw.strip_prefix("localizedNames.") {
        return Some(Target::LocalizedName {
            language: language.into(),
        });
    }
    if raw == super::table::GEOMETRY_LAT {
        return Some(Target::Latitude);
    }
    if raw == super::table::GEOMETRY_LNG {
        return Some(Target::Longitude);
    }
    let candidates = [
        n.clone(),
        strip_words(&n, &["store", "shop", "magasin", "contact", "the"]),
    ];
    for candidate in &candidates {
        for (field, names) in NAMES {
            if names.contains(&candidate.as_str()) {
                return Some(field_target(field));
            }
        }
        if let Some(day) = weekday_of(candidate) {
            return Some(Target::Weekday { day });
        }
    }
    None
}

fn strip_words(n: &str, words: &[&str]) -> String {
    n.split(' ')
        .filter(|w| !words.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "monday", "hours monday", "lundi horaires", "mo" → the weekday.
fn weekday_of(n: &str) -> Option<u8> {
    let words: Vec<&str> = n
        .split(' ')
        .filter(|w| {
            ![
                "hours",
                "horaires",
                "opening",
                "open",
                "offnungszeiten",
                "uren",
            ]
            .contains(w)
        })
        .collect();
    let [word] = words.as_slice() else {
        return None;
    };
    WEEKDAYS
        .iter()
        .find(|(_, names)| names.contains(word))
        .map(|(d, _)| *d)
}

fn field_target(field: &str) -> Target {
    match field {
        "store_id" => Target::StoreId,
        "name" => Target::Name,
        "lat" => Target::Latitude,
        "lng" => Target::Longitude,
        "coordinates" => Target::Coordinates,
        "address" => Target::AddressLine,
        "city" => Target::City,
        "zip" => Target::Zipcode,
        "country" => Target::Country,
        "phone" => Target::Phone,
        "email" => Target::Email,
        "website" => Target::Website,
        "types" => Target::Types,
        "tags" => Target::Tags,
        "hours" => Target::OpeningHours,
        "closures" => Target::TemporaryClosures,
        "timezone" => Target::Timezone,
        _ => Target::Ignore,
    }
}

/// Saved mappings, one JSON file per set of column names, in a folder.
#[derive(Clone, Debug)]
pub struct MappingStore {
    dir: PathBuf,
}

impl MappingStore {
    pub fn new(dir: impl Into<PathBuf>) -> MappingStore {
        MappingStore { dir: dir.into() }
    }

    fn path_of(&self, headers: &[String]) -> PathBuf {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        Mapping::key_of(headers).hash(&mut h);
        self.dir.join(format!("mapping-{:016x}.json", h.finish()))
    }

    /// The mapping saved for these column names, adapted to them; `None` when there is none
    /// or it cannot be read (the guess is then used; a bad saved file never stops an import).
    pub fn load(&self, headers: &[String]) -> Option<Mapping> {
        let text = std::fs::read_to_string(self.path_of(headers)).ok()?;
        let saved: Mapping = serde_json::from_str(&text).ok()?;
        Some(saved.adapt(headers))
    }

    /// Saves `mapping` for these column names.
    pub fn save(&self, headers: &[String], mapping: &Mapping) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let text = serde_json::to_vec_pretty(mapping).map_err(std::io::Error::other)?;
        crate::files::write_atomically(&self.path_of(headers), &text)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(headers: &[&str]) -> Vec<Target> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        Mapping::guess(&headers)
            .columns
            .into_iter()
            .map(|c| c.target)
            .collect()
    }

    #[test]
    fn headers_in_several_languages() {
        assert_eq!(
            targets(&[
                "Nom", "Breite", "Long", "ADR", "Ville", "CP", "IsoCode", "Tel", "SITWEB"
            ]),
            [
                Target::Name,
                Target::Latitude,
                Target::Longitude,
                Target::AddressLine,
                Target::City,
                Target::Zipcode,
                Target::Country,
                Target::Phone,
                Target::Website
            ]
        );
        assert_eq!(
            targets(&[
                "store code",
                "storeId",
                "Postal Code",
                "E-mail",
                "Contact Phone"
            ]),
            [
                Target::StoreId,
                Target::UserProperty {
                    key: "storeId".into()
                },
                Target::Zipcode,
                Target::Email,
                Target::Phone
            ]
        );
    }

    #[test]
    fn the_sample_market_columns() {
        assert_eq!(
            targets(&[
                "Type",
                "Latitude",
                "Longitude",
                "Name",
                "Address Line",
                "City",
                "Zipcode",
                "Website",
                "Contact Phone",
                "Contact Email"
            ]),
            [
                Target::Types,
                Target::Latitude,
                Target::Longitude,
                Target::Name,
                Target::AddressLine,
                Target::City,
                Target::Zipcode,
                Target::Website,
                Target::Phone,
                Target::Email
            ]
        );
    }

    #[test]
    fn weekday_columns_and_unknown_columns() {
        assert_eq!(
            targets(&["Lundi", "hours_tuesday", "Sonntag", "Surface m2"]),
            [
                Target::Weekday { day: 1 },
                Target::Weekday { day: 2 },
                Target::Weekday { day: 7 },
                Target::UserProperty {
                    key: "Surface m2".into()
                }
            ]
        );
    }

    #[test]
    fn problems_are_sentences() {
        let headers: Vec<String> = vec!["lat".into(), "name".into()];
        let mut m = Mapping::guess(&headers);
        assert_eq!(
            m.problems(),
            ["latitude and longitude must both be mapped, or neither"]
        );
        m.columns[1].target = Target::Latitude;
        assert!(
            m.problems()
                .iter()
                .any(|p| p.contains("two columns fill the latitude"))
        );
    }

    #[test]
    fn saved_mappings_are_reused_for_the_same_columns() {
        let dir = tempfile::tempdir().expect("dir");
        let store = MappingStore::new(dir.path());
        let headers: Vec<String> = vec!["Code".into(), "Rayon".into()];
        assert!(store.load(&headers).is_none());
        let mut m = Mapping::guess(&headers);
        m.columns[1].target = Target::Tags;
        m.list_separator = Some('/');
        store.save(&headers, &m).expect("save");
        let same: Vec<String> = vec!["code".into(), "RAYON".into()];
        let loaded = store.load(&headers).expect("saved");
        assert_eq!(loaded, m);
        // A different spelling of the same columns finds the same file.
        assert!(store.load(&same).is_some());
        std::fs::write(store.path_of(&headers), "not json").expect("write");
        assert!(store.load(&headers).is_none());
    }
}
