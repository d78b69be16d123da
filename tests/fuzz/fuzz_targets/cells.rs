//! The cell readers: opening hours (and back), coordinates, countries, ids, lists, values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storedesk::hours::OpeningHours;
use storedesk::import::cells;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((hours, _)) = cells::parse_opening_hours(text) {
        let _ = cells::parse_opening_hours(&cells::to_osm(&hours));
    }
    let mut week = OpeningHours::default();
    for day in 1..=7 {
        let _ = cells::add_weekday_cell(&mut week, day, text);
    }
    let _ = cells::parse_coordinate(text, cells::Axis::Latitude);
    let _ = cells::parse_lat_lng(text);
    let _ = cells::parse_country(text);
    let _ = cells::slug_id(text, text);
    let _ = cells::clean_id(text);
    let _ = cells::split_list(text, None);
});
