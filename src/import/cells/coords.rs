//! Latitudes and longitudes as tables write them: decimal degrees with a point or a comma,
//! degrees, minutes and seconds with hemisphere letters, or both coordinates in one cell.

use super::CellError;
use crate::model::countries;

/// Which coordinate a cell holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    Latitude,
    Longitude,
}

impl Axis {
    fn limit(self) -> f64 {
        match self {
            Axis::Latitude => 90.0,
            Axis::Longitude => 180.0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Axis::Latitude => "latitude",
            Axis::Longitude => "longitude",
        }
    }

    fn letters(self) -> &'static str {
        match self {
            Axis::Latitude => "N/S",
            Axis::Longitude => "E/W",
        }
    }
}

/// A coordinate as read, with the axis its hemisphere letter gives, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Reading {
    value: f64,
    axis: Option<Axis>,
}

/// Reads a latitude or a longitude: `48.8566`, `48,8566`, `48°51'24"N`, `W 0° 7' 40"`, `-0.1278`.
///
/// Hemisphere letters are N, S, E, W or the words north, nord, south, sud, süd, east, est, ost,
/// west, ouest; a lone `O` is refused, as it means west in French and east in German.
pub fn parse_coordinate(text: &str, axis: Axis) -> Result<f64, CellError> {
    let reading = read(text)?;
    if let Some(marked) = reading.axis
        && marked != axis
    {
        return Err(CellError::new(format!(
            "\"{}\" is a {} ({}), but a {} was expected; are the latitude and longitude columns swapped?",
            text.trim(),
            marked.name(),
            marked.letters(),
            axis.name()
        )));
    }
    check_range(reading.value, axis)?;
    Ok(reading.value)
}

/// Reads a latitude cell and a longitude cell together, so that swapped columns are named as such.
pub fn parse_location(lat: &str, lng: &str) -> Result<(f64, f64), CellError> {
    let (a, b) = (read(lat)?, read(lng)?);
    if a.axis == Some(Axis::Longitude) && b.axis == Some(Axis::Latitude) {
        return Err(CellError::new(format!(
            "The latitude \"{}\" is marked as a longitude and the longitude \"{}\" as a latitude: the two columns look swapped; exchange them.",
            lat.trim(),
            lng.trim()
        )));
    }
    pair(a, b, lat, lng)
}

/// Reads both coordinates from one cell, latitude first: `48.8566, 2.3522`, `48,8566 2,3522`,
/// `48°51'24"N 2°21'8"E` (with letters, either order).
pub fn parse_lat_lng(cell: &str) -> Result<(f64, f64), CellError> {
    let text = cell.trim();
    let mut found: Vec<(f64, f64)> = Vec::new();
    let mut first_error = None;
    for (left, right) in splits(text) {
        let (Ok(a), Ok(b)) = (read(left), read(right)) else {
            continue;
        };
        let swap = (a.axis == Some(Axis::Longitude) && b.axis != Some(Axis::Longitude))
            || (b.axis == Some(Axis::Latitude) && a.axis != Some(Axis::Latitude));
        let result = if swap {
            pair(b, a, right, left)
        } else {
            pair(a, b, left, right)
        };
        match result {
            Ok(p) if !found.contains(&p) => found.push(p),
            Ok(_) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match found[..] {
        [one] => Ok(one),
        [(lat1, lng1), (lat2, lng2), ..] => Err(CellError::new(format!(
            "\"{text}\" can be read as {lat1}, {lng1} or as {lat2}, {lng2}; separate the latitude and the longitude with \"; \" or a space."
        ))),
        [] => Err(first_error.unwrap_or_else(|| {
            CellError::new(format!(
                "\"{text}\" is not a latitude and a longitude (such as 48.8566, 2.3522)."
            ))
        })),
    }
}

/// Whether a latitude and a longitude look given the wrong way round.
///
/// Surely so when the latitude is beyond ±90 while the longitude would be a valid latitude.
/// Otherwise, with a country code, the regions of the world the country's time zones lie in
/// (Europe, Africa, Asia, America, Australia, the oceans: broad boxes, not borders) are asked:
/// swapped when the point lies in none of them and the point swapped back lies in one. A store
/// filed under the code of a country far from it (an overseas territory under its mainland's
/// code) can be flagged wrongly, and a swap that lands in the country's regions again is missed.
pub fn likely_swapped(lat: f64, lng: f64, country_code: Option<&str>) -> bool {
    if lat.abs() > 90.0 && lat.abs() <= 180.0 && lng.abs() <= 90.0 {
        return true;
    }
    if lat.abs() > 90.0 || lng.abs() > 90.0 {
        return false;
    }
    let Some(country) =
        country_code.and_then(|c| countries::by_code(c).or_else(|| countries::reserved_alias(c)))
    else {
        return false;
    };
    let boxes = || {
        country.zones.iter().flat_map(|zone| {
            let area = zone.split('/').next().unwrap_or("");
            REGIONS.iter().filter(move |r| r.area == area)
        })
    };
    let inside = |la: f64, ln: f64| boxes().any(|b| b.contains(la, ln));
    !inside(lat, lng) && inside(lng, lat)
}

/// A broad box around the places whose time zones start with `area`.
struct Region {
    area: &'static str,
    lat: (f64, f64),
    lng: (f64, f64),
}

impl Region {
    fn contains(&self, lat: f64, lng: f64) -> bool {
        (self.lat.0..=self.lat.1).contains(&lat) && (self.lng.0..=self.lng.1).contains(&lng)
    }
}

const REGIONS: &[Region] = &[
    Region {
        area: "Europe",
        lat: (27.0, 82.0),
        lng: (-32.0, 70.0),
    },
    Region {
        area: "Africa",
        lat: (-36.0, 38.0),
        lng: (-26.0, 64.0),
    },
    Region {
        area: "Asia",
        lat: (-12.0, 82.0),
        lng: (25.0, 180.0),
    },
    Region {
        area: "America",
        lat: (-56.0, 84.0),
        lng: (-180.0, -10.0),
    },
    Region {
        area: "Australia",
        lat: (-45.0, -9.0),
        lng: (112.0, 160.0),
    },
    Region {
        area: "Atlantic",
        lat: (-56.0, 72.0),
        lng: (-70.0, 0.0),
    },
    Region {
        area: "Indian",
        lat: (-50.0, 10.0),
        lng: (30.0, 110.0),
    },
    Region {
        area: "Pacific",
        lat: (-56.0, 35.0),
        lng: (120.0, 180.0),
    },
    Region {
        area: "Pacific",
        lat: (-56.0, 35.0),
        lng: (-180.0, -75.0),
    },
    Region {
        area: "Antarctica",
        lat: (-90.0, -45.0),
        lng: (-180.0, 180.0),
    },
    Region {
        area: "Arctic",
        lat: (66.0, 90.0),
        lng: (-180.0, 180.0),
    },
];

/// A latitude and a longitude as read, checked for letters on the wrong axis and for range.
fn pair(
    lat: Reading,
    lng: Reading,
    lat_text: &str,
    lng_text: &str,
) -> Result<(f64, f64), CellError> {
    if lat.axis == Some(Axis::Longitude) {
        return Err(CellError::new(format!(
            "\"{}\" is a longitude (E/W), but the latitude was expected.",
            lat_text.trim()
        )));
    }
    if lng.axis == Some(Axis::Latitude) {
        return Err(CellError::new(format!(
            "\"{}\" is a latitude (N/S), but the longitude was expected.",
            lng_text.trim()
        )));
    }
    if lat.value.abs() > 90.0 && lat.value.abs() <= 180.0 && lng.value.abs() <= 90.0 {
        return Err(CellError::new(format!(
            "Latitude {} is outside -90 to 90, but the longitude {} would be a valid latitude: the two look swapped; exchange them.",
            lat.value, lng.value
        )));
    }
    check_range(lat.value, Axis::Latitude)?;
    check_range(lng.value, Axis::Longitude)?;
    Ok((lat.value, lng.value))
}

fn check_range(value: f64, axis: Axis) -> Result<(), CellError> {
    let limit = axis.limit();
    if value.abs() > limit {
        let mut name = axis.name().to_owned();
        name[..1].make_ascii_uppercase();
        return Err(CellError::new(format!(
            "{name} {value} is outside -{limit} to {limit}."
        )));
    }
    Ok(())
}

/// Every way to cut a cell in two at a run of separators (spaces, `,`, `;`, `|`, `/`).
fn splits(text: &str) -> Vec<(&str, &str)> {
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '|' | '/');
    let mut out = Vec::new();
    let mut run_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (is_sep(c), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                if start > 0 {
                    out.push((&text[..start], &text[i..]));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    out
}

fn hemisphere(word: &str, whole: &str) -> Result<(Axis, bool), CellError> {
    let lower = word.to_lowercase();
    Ok(match lower.as_str() {
        "n" | "north" | "nord" => (Axis::Latitude, false),
        "s" | "south" | "sud" | "süd" | "sued" => (Axis::Latitude, true),
        "e" | "east" | "est" | "ost" => (Axis::Longitude, false),
        "w" | "west" | "ouest" => (Axis::Longitude, true),
        "o" => {
            return Err(CellError::new(format!(
                "\"{whole}\": \"O\" means west in French (ouest) but east in German (Ost); write W or E."
            )));
        }
        _ => {
            return Err(CellError::new(format!(
                "\"{whole}\" is not a coordinate: \"{word}\" is not a hemisphere (N, S, E, W)."
            )));
        }
    })
}

fn not_a_coordinate(whole: &str) -> CellError {
    CellError::new(format!(
        "\"{whole}\" is not a coordinate (such as 48.8566 or 48°51'24\"N)."
    ))
}

fn read(cell: &str) -> Result<Reading, CellError> {
    let whole = cell.trim();
    if whole.is_empty() {
        return Err(CellError::new("The coordinate is empty."));
    }
    match plain_decimal(whole) {
        Some(value) => Ok(Reading { value, axis: None }),
        None => read_written(whole),
    }
}

/// A trimmed, non-empty coordinate cell in any of the ways [`parse_coordinate`] reads.
fn read_written(whole: &str) -> Result<Reading, CellError> {
    let prefix_len = whole
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(whole.len(), |(i, _)| i);
    let (prefix, rest) = whole.split_at(prefix_len);
    let rest = rest.trim();
    let suffix_start = rest
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let (body, suffix) = rest.split_at(suffix_start);
    let hemi = match (prefix, suffix) {
        ("", "") => None,
        (word, "") | ("", word) => Some(hemisphere(word, whole)?),
        _ => {
            return Err(CellError::new(format!(
                "\"{whole}\" has a hemisphere on both sides; keep one."
            )));
        }
    };
    let body = body.trim();
    let (negative, magnitude) = match body.chars().next() {
        Some('-' | '−') => (true, &body[body.chars().next().map_or(0, char::len_utf8)..]),
        Some('+') => (false, &body[1..]),
        _ => (false, body),
    };
    let value = degrees(magnitude.trim_start(), whole)?;
    match hemi {
        Some((axis, south_or_west)) => {
            if negative {
                let letter = suffix.chars().chain(prefix.chars()).collect::<String>();
                return Err(CellError::new(if south_or_west {
                    format!(
                        "\"{whole}\" has both a minus sign and \"{letter}\"; write one of them."
                    )
                } else {
                    format!(
                        "\"{whole}\" has a minus sign but \"{letter}\" says {}; write one of them.",
                        if axis == Axis::Latitude {
                            "north"
                        } else {
                            "east"
                        }
                    )
                }));
            }
            Ok(Reading {
                value: if south_or_west { -value } else { value },
                axis: Some(axis),
            })
        }
        None => Ok(Reading {
            value: if negative { -value } else { value },
            axis: None,
        }),
    }
}

/// A number written `-12`, `48.8566` or `+5` (ASCII digits, an optional sign and an optional
/// point followed by digits), the most common coordinate cell, read as the longer way below
/// would read it.
fn plain_decimal(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, fraction) = digits.split_once('.').unwrap_or((digits, "1"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(int) && all_digits(fraction)) {
        return None;
    }
    text.parse().ok()
}

/// A number at the start of `s` (digits, then one `.` or `,` and digits), and what follows it.
fn take_number(s: &str) -> Option<(f64, bool, &str)> {
    let int = s.bytes().take_while(u8::is_ascii_digit).count();
    if int == 0 {
        return None;
    }
    let mut end = int;
    let bytes = s.as_bytes();
    let fraction = matches!(bytes.get(int), Some(b'.' | b','))
        && bytes.get(int + 1).is_some_and(u8::is_ascii_digit);
    if fraction {
        end = int + 1 + s[int + 1..].bytes().take_while(u8::is_ascii_digit).count();
    }
    let number = &s[..end];
    let value: f64 = if bytes.get(int) == Some(&b',') && fraction {
        number.replace(',', ".").parse().ok()?
    } else {
        number.parse().ok()?
    };
    Some((value, fraction, &s[end..]))
}

/// `rest` without a leading mark among `marks`, if it starts with one.
fn strip_mark<'a>(rest: &'a str, marks: &[&str]) -> Option<&'a str> {
    marks.iter().find_map(|m| rest.strip_prefix(m))
}

const DEGREE_MARKS: &[&str] = &["°", "º", "˚"];
const SECOND_MARKS: &[&str] = &["''", "′′", "\"", "″", "”", "“"];
const MINUTE_MARKS: &[&str] = &["'", "′", "’", "´"];

/// Decimal degrees, or degrees with a mark and then minutes and seconds.
fn degrees(body: &str, whole: &str) -> Result<f64, CellError> {
    let Some((deg, deg_fraction, rest)) = take_number(body) else {
        return Err(not_a_coordinate(whole));
    };
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Ok(deg);
    }
    let Some(rest) = strip_mark(rest, DEGREE_MARKS) else {
        return Err(not_a_coordinate(whole));
    };
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Ok(deg);
    }
    if deg_fraction {
        return Err(CellError::new(format!(
            "\"{whole}\" has decimal degrees followed by minutes; write one or the other."
        )));
    }
    let Some((min, min_fraction, rest)) = take_number(rest) else {
        return Err(not_a_coordinate(whole));
    };
    if strip_mark(rest, SECOND_MARKS).is_some() {
        return Err(not_a_coordinate(whole));
    }
    let rest = match strip_mark(rest, MINUTE_MARKS) {
        Some(after) => after.trim_start(),
        None if rest.trim().is_empty() => "",
        None => return Err(not_a_coordinate(whole)),
    };
    if min >= 60.0 {
        return Err(CellError::new(format!(
            "\"{whole}\" has {min} minutes; minutes go up to 59."
        )));
    }
    if rest.is_empty() {
        return Ok(deg + min / 60.0);
    }
    if min_fraction {
        return Err(CellError::new(format!(
            "\"{whole}\" has decimal minutes followed by seconds; write one or the other."
        )));
    }
    let Some((sec, _, rest)) = take_number(rest) else {
        return Err(not_a_coordinate(whole));
    };
    let rest = strip_mark(rest, SECOND_MARKS).unwrap_or(rest);
    if !rest.trim().is_empty() {
        return Err(not_a_coordinate(whole));
    }
    if sec >= 60.0 {
        return Err(CellError::new(format!(
            "\"{whole}\" has {sec} seconds; seconds go up to 59."
        )));
    }
    Ok(deg + min / 60.0 + sec / 3600.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_read_at_once_read_as_the_long_way_reads_them() {
        for text in [
            "48.8566",
            "-5",
            "+5",
            "0",
            "-0",
            "007.50",
            "179.999999",
            "-89.1",
            "12345678.9",
        ] {
            let quick = plain_decimal(text).expect("a plain decimal");
            let long = read_written(text).expect("a coordinate").value;
            assert_eq!(quick.to_bits(), long.to_bits(), "{text}");
        }
        for text in [
            "5.", ".5", "-", "1e3", "48,85", "48.8.5", "N48", "48°", "− 5", "1 000",
        ] {
            assert_eq!(plain_decimal(text), None, "{text}");
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn lat(text: &str) -> f64 {
        parse_coordinate(text, Axis::Latitude).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn lng(text: &str) -> f64 {
        parse_coordinate(text, Axis::Longitude).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(result: Result<impl std::fmt::Debug, CellError>) -> String {
        match result {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn decimal_degrees_with_a_point_or_a_comma() {
        assert_eq!(lat("48.8566"), 48.8566);
        assert_eq!(lat("48,8566"), 48.8566);
        assert_eq!(lat(" 48.8566 "), 48.8566);
        assert_eq!(lat("\u{a0}48.8566\t"), 48.8566);
        assert_eq!(lng("-0.1278"), -0.1278);
        assert_eq!(lng("−0.1278"), -0.1278);
        assert_eq!(lng("+2.35"), 2.35);
        assert_eq!(lat("48"), 48.0);
        assert_eq!(lat("48.8566°"), 48.8566);
        assert_eq!(lat("-90"), -90.0);
        assert_eq!(lng("180"), 180.0);
    }

    #[test]
    fn degrees_minutes_seconds_with_letters() {
        let paris_lat = 48.0 + 51.0 / 60.0 + 24.0 / 3600.0;
        let paris_lng = 2.0 + 21.0 / 60.0 + 8.0 / 3600.0;
        assert!(close(lat("48°51'24\"N"), paris_lat));
        assert!(close(lat("48° 51' 24.0\" N"), paris_lat));
        assert!(close(lat("48°51′24″N"), paris_lat));
        assert!(close(lat("48º51'24''N"), paris_lat));
        assert!(close(lat("N 48°51'24\""), paris_lat));
        assert!(
            close(lat("48°51'24 N"), paris_lat),
            "seconds mark may be left out"
        );
        assert!(close(lat("48°51.4'N"), 48.0 + 51.4 / 60.0));
        assert!(close(lat("48°51,4'N"), 48.0 + 51.4 / 60.0));
        assert!(close(lng("2°21'8\"E"), paris_lng));
        assert!(close(lng("W 0° 7' 40\""), -(7.0 / 60.0 + 40.0 / 3600.0)));
        assert!(close(lng("0°7'40\" ouest"), -(7.0 / 60.0 + 40.0 / 3600.0)));
        assert!(close(lat("33°52'S"), -(33.0 + 52.0 / 60.0)));
        assert!(close(lat("-33°52'"), -(33.0 + 52.0 / 60.0)));
        assert!(close(lng("13°24′ Ost"), 13.4));
    }

    #[test]
    fn unreadable_coordinates_are_named() {
        assert_eq!(
            err(parse_coordinate("48°61'N", Axis::Latitude)),
            "\"48°61'N\" has 61 minutes; minutes go up to 59."
        );
        assert_eq!(
            err(parse_coordinate("48°51'75\"N", Axis::Latitude)),
            "\"48°51'75\"N\" has 75 seconds; seconds go up to 59."
        );
        assert_eq!(
            err(parse_coordinate("48.5°30'", Axis::Latitude)),
            "\"48.5°30'\" has decimal degrees followed by minutes; write one or the other."
        );
        assert_eq!(
            err(parse_coordinate("abc", Axis::Latitude)),
            "\"abc\" is not a coordinate: \"abc\" is not a hemisphere (N, S, E, W)."
        );
        for text in ["48.85.66", "48,8566, 2", "1e5", "48°N°", "", "--4", "4 8"] {
            assert!(parse_coordinate(text, Axis::Latitude).is_err(), "{text}");
        }
        assert_eq!(
            err(parse_coordinate("2°21'8\"O", Axis::Longitude)),
            "\"2°21'8\"O\": \"O\" means west in French (ouest) but east in German (Ost); write W or E."
        );
    }

    #[test]
    fn a_minus_sign_with_a_letter_is_refused() {
        assert_eq!(
            err(parse_coordinate("-48.85 N", Axis::Latitude)),
            "\"-48.85 N\" has a minus sign but \"N\" says north; write one of them."
        );
        assert_eq!(
            err(parse_coordinate("-0.12W", Axis::Longitude)),
            "\"-0.12W\" has both a minus sign and \"W\"; write one of them."
        );
        assert!(parse_coordinate("N 48 S", Axis::Latitude).is_err());
    }

    #[test]
    fn ranges_and_axes_are_checked() {
        assert_eq!(
            err(parse_coordinate("91", Axis::Latitude)),
            "Latitude 91 is outside -90 to 90."
        );
        assert_eq!(
            err(parse_coordinate("-180.5", Axis::Longitude)),
            "Longitude -180.5 is outside -180 to 180."
        );
        assert_eq!(
            err(parse_coordinate("2°21'8\"E", Axis::Latitude)),
            "\"2°21'8\"E\" is a longitude (E/W), but a latitude was expected; are the latitude and longitude columns swapped?"
        );
    }

    #[test]
    fn separate_columns_that_look_swapped_are_named() {
        assert_eq!(parse_location("48.85", "2.35"), Ok((48.85, 2.35)));
        assert_eq!(
            err(parse_location("151.2093", "-33.8688")),
            "Latitude 151.2093 is outside -90 to 90, but the longitude -33.8688 would be a valid latitude: the two look swapped; exchange them."
        );
        assert_eq!(
            err(parse_location("2°21'8\"E", "48°51'24\"N")),
            "The latitude \"2°21'8\"E\" is marked as a longitude and the longitude \"48°51'24\"N\" as a latitude: the two columns look swapped; exchange them."
        );
        assert_eq!(
            err(parse_location("95", "100")),
            "Latitude 95 is outside -90 to 90."
        );
    }

    #[test]
    fn one_cell_with_both_coordinates() {
        for text in [
            "48.8566, 2.3522",
            "48.8566,2.3522",
            "48.8566 2.3522",
            "48.8566;2.3522",
            "48,8566 2,3522",
            "48,8566; 2,3522",
            "48,8566, 2,3522",
            " 48.8566 / 2.3522 ",
        ] {
            assert_eq!(parse_lat_lng(text), Ok((48.8566, 2.3522)), "{text}");
        }
        let (la, ln) = parse_lat_lng("48°51'24\"N 2°21'8\"E").expect("dms pair");
        assert!(close(la, 48.856_666_666_666_67) && close(ln, 2.352_222_222_222_222));
        for text in [
            "48° 51' 24.0\" N, 2° 21' 8\" E",
            "N 48°51'24\" E 2°21'8\"",
            "2°21'8\"E 48°51'24\"N",
        ] {
            let (a, b) = parse_lat_lng(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(close(a, la) && close(b, ln), "{text}: {a}, {b}");
        }
        assert_eq!(parse_lat_lng("-33.8688,151.2093"), Ok((-33.8688, 151.2093)));
        assert_eq!(parse_lat_lng("-33,8688,151,2093"), Ok((-33.8688, 151.2093)));
    }

    #[test]
    fn a_cell_that_reads_two_ways_is_an_error() {
        assert_eq!(
            err(parse_lat_lng("12,5,3")),
            "\"12,5,3\" can be read as 12, 5.3 or as 12.5, 3; separate the latitude and the longitude with \"; \" or a space."
        );
        assert_eq!(
            err(parse_lat_lng("48.8566")),
            "\"48.8566\" is not a latitude and a longitude (such as 48.8566, 2.3522)."
        );
        assert_eq!(
            err(parse_lat_lng("151.2093, -33.8688")),
            "Latitude 151.2093 is outside -90 to 90, but the longitude -33.8688 would be a valid latitude: the two look swapped; exchange them."
        );
        assert!(parse_lat_lng("48°51'24\"N 2°21'8\"N").is_err());
    }

    proptest::proptest! {
        #[test]
        fn readers_never_panic(text in ".*", other in "[-+0-9.,°'\" NSEWO]{0,24}") {
            let _ = parse_coordinate(&text, Axis::Latitude);
            let _ = parse_location(&text, &other);
            let _ = parse_lat_lng(&text);
            let _ = parse_lat_lng(&other);
            let _ = parse_coordinate(&other, Axis::Longitude);
        }

        #[test]
        fn decimal_pairs_read_back_exactly(lat in -90.0f64..=90.0, lng in -180.0f64..=180.0) {
            proptest::prop_assert_eq!(parse_lat_lng(&format!("{lat}, {lng}")), Ok((lat, lng)));
            proptest::prop_assert_eq!(parse_location(&lat.to_string(), &lng.to_string()), Ok((lat, lng)));
            let comma = |v: f64| v.to_string().replace('.', ",");
            proptest::prop_assert_eq!(parse_coordinate(&comma(lng), Axis::Longitude), Ok(lng));
        }

        #[test]
        fn swap_checks_never_panic(lat in proptest::num::f64::ANY, lng in proptest::num::f64::ANY, code in "[A-Z]{2}") {
            let _ = likely_swapped(lat, lng, Some(&code));
        }
    }

    #[test]
    fn swaps_are_flagged_by_range_and_by_country() {
        assert!(likely_swapped(151.2, -33.9, None));
        assert!(!likely_swapped(-33.9, 151.2, None));
        assert!(
            !likely_swapped(2.35, 48.85, None),
            "no country, both in range"
        );
        assert!(likely_swapped(2.35, 48.85, Some("FR")));
        assert!(!likely_swapped(48.85, 2.35, Some("fr")));
        assert!(likely_swapped(13.4, 52.52, Some("DE")));
        assert!(likely_swapped(-74.0, 40.7, Some("US")));
        assert!(!likely_swapped(40.7, -74.0, Some("US")));
        assert!(likely_swapped(-0.13, 51.5, Some("UK")));
        assert!(!likely_swapped(2.35, 48.85, Some("XX")));
        assert!(
            !likely_swapped(-3.7, 40.4, Some("ES")),
            "falls in Africa, ES has Ceuta"
        );
        assert!(!likely_swapped(200.0, 10.0, None));
    }
}
