use super::*;
use crate::import::cells::NoteLevel;
use proptest::prelude::*;

fn t(h: u32, m: u32) -> TimeOfDay {
    TimeOfDay::from_hm(h, m).expect("valid time")
}

fn p(a: (u32, u32), b: (u32, u32)) -> Period {
    Period::span(t(a.0, a.1), t(b.0, b.1))
}

fn hours(text: &str) -> OpeningHours {
    match parse_opening_hours(text) {
        Ok((h, notes)) => {
            assert!(notes.is_empty(), "{text}: unexpected notes {notes:?}");
            h
        }
        Err(e) => panic!("{text}: {e}"),
    }
}

fn with_notes(text: &str) -> (OpeningHours, Vec<String>) {
    let (h, notes) = parse_opening_hours(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    (h, notes.into_iter().map(|n| n.message).collect())
}

fn error(text: &str) -> String {
    match parse_opening_hours(text) {
        Ok(h) => panic!("{text}: expected an error, got {h:?}"),
        Err(e) => e.message,
    }
}

/// The periods of each weekday, Monday first; `None` for a day without a key.
fn week(h: &OpeningHours) -> Vec<Option<Vec<Period>>> {
    (1..=7u8)
        .map(|d| {
            h.usual
                .as_ref()
                .and_then(|u| u.get(&DayKey::Weekday(d)))
                .cloned()
        })
        .collect()
}

fn special(h: &OpeningHours, date: &str) -> Option<Vec<Period>> {
    h.special.as_ref().and_then(|s| s.get(date)).cloned()
}

#[test]
fn weekdays_and_periods() {
    let h = hours("Mo-Fr 08:00-19:00; Sa 09:00-12:00");
    let work = Some(vec![p((8, 0), (19, 0))]);
    assert_eq!(
        week(&h),
        [
            work.clone(),
            work.clone(),
            work.clone(),
            work.clone(),
            work,
            Some(vec![p((9, 0), (12, 0))]),
            None
        ]
    );
    assert_eq!(h.special, None);
    assert_eq!(h.timezone, None);
    assert!(
        !h.usual
            .as_ref()
            .expect("usual")
            .contains_key(&DayKey::Default)
    );
}

#[test]
fn day_lists_wrapping_ranges_and_several_periods() {
    let h = hours("Mo,We,Fr 08:00-12:00,14:00-18:00");
    let split = Some(vec![p((8, 0), (12, 0)), p((14, 0), (18, 0))]);
    assert_eq!(
        week(&h),
        [split.clone(), None, split.clone(), None, split, None, None]
    );
    let h = hours("Fr-Mo 10:00-20:00");
    let open = Some(vec![p((10, 0), (20, 0))]);
    assert_eq!(
        week(&h),
        [
            open.clone(),
            None,
            None,
            None,
            open.clone(),
            open.clone(),
            open
        ]
    );
    let h = hours("Tu-Tu 10:00-11:00");
    assert_eq!(week(&h)[1], Some(vec![p((10, 0), (11, 0))]));
    assert_eq!(week(&h).iter().flatten().count(), 1);
}

#[test]
fn periods_are_sorted_and_a_rule_without_days_means_every_day() {
    let h = hours("14:00-18:00, 08:00-12:00");
    for day in week(&h) {
        assert_eq!(day, Some(vec![p((8, 0), (12, 0)), p((14, 0), (18, 0))]));
    }
}

#[test]
fn closed_days_and_around_the_clock() {
    let h = hours("Mo-Sa 09:00-18:00; Su off");
    assert_eq!(week(&h)[6], Some(vec![]));
    let h = hours("Mo-Fr 09:00-18:00; Sa,Su closed");
    assert_eq!(week(&h)[5], Some(vec![]));
    assert_eq!(week(&h)[6], Some(vec![]));
    for text in ["24/7", "Mo-Su 00:00-24:00", "00:00-24:00"] {
        let h = hours(text);
        assert!(
            week(&h).iter().all(|d| d == &Some(vec![Period::all_day()])),
            "{text}"
        );
    }
    let h = hours("Sa 00:00-24:00");
    assert_eq!(week(&h)[5], Some(vec![Period::all_day()]));
}

#[test]
fn times_are_read_in_common_spellings() {
    for text in [
        "Mo 8:00-18:30",
        "Mo 08:00-18:30",
        "Mo 8h-18h30",
        "Mo 8h00 - 18h30",
        "Mo 08.00-18.30",
        "Mo 8am-6:30pm",
        "Mo 8 a.m. - 6.30 p.m.",
        "Mo 8am to 6:30pm",
        "Mo 08:00:00-18:30:00",
        "Mo 08:00–18:30",
        "Mo: 08:00-18:30",
        "mo 08:00 to 18:30",
        "Mo from 08:00 to 18:30",
        "lundi de 8h à 18h30",
        "Montag von 8:00 bis 18:30",
    ] {
        let h = hours(text);
        assert_eq!(week(&h)[0], Some(vec![p((8, 0), (18, 30))]), "{text}");
    }
    let h = hours("Mo 12am-12pm");
    assert_eq!(week(&h)[0], Some(vec![p((0, 0), (12, 0))]));
    assert_eq!(
        error("Mo 09:00-12:00 am Samstag"),
        "\"am\" in \"Mo 09:00-12:00 am Samstag\" is not a day, month or keyword of opening hours."
    );
    let h = hours("Mo 12:00-24:00");
    assert_eq!(week(&h)[0], Some(vec![p((12, 0), (23, 59))]));
}

#[test]
fn day_names_in_english_french_and_german() {
    let expect_mo_fr = |text: &str| {
        let h = hours(text);
        let days: Vec<bool> = week(&h).iter().map(Option::is_some).collect();
        assert_eq!(days, [true, true, true, true, true, false, false], "{text}");
    };
    for text in [
        "Mo-Fr 09:00-18:00",
        "MO-FR 09:00-18:00",
        "Mon-Fri 09:00-18:00",
        "Monday-Friday 09:00-18:00",
        "Lu-Ve 09:00-18:00",
        "lun.-ven. 09:00-18:00",
        "Lundi au Vendredi 9h-18h",
        "Mo-Fr 09:00-18:00",
        "Montag-Freitag 09:00-18:00",
        "Mon, Tue, Wed, Thu, Fri 09:00-18:00",
        "Lu,Ma,Me,Je,Ve 09:00-18:00",
        "Mo,Di,Mi,Do,Fr 09:00-18:00",
    ] {
        expect_mo_fr(text);
    }
    let h = hours("Sa-So 10:00-12:00");
    assert!(week(&h)[5].is_some() && week(&h)[6].is_some());
    let h = hours("samedi et dimanche 10:00-12:00");
    assert!(week(&h)[5].is_some() && week(&h)[6].is_some());
}

#[test]
fn di_is_read_in_the_language_of_the_other_days() {
    let h = hours("Mo-Fr 09:00-18:00; Di 10:00-12:00");
    assert_eq!(
        week(&h)[1],
        Some(vec![p((10, 0), (12, 0))]),
        "German: Tuesday"
    );
    let h = hours("Lu-Ve 09:00-18:00; Di off");
    assert_eq!(week(&h)[6], Some(vec![]), "French: Sunday");
    assert_eq!(week(&h)[1], Some(vec![p((9, 0), (18, 0))]));
    assert_eq!(
        error("Sa 09:00-12:00; Di off"),
        "\"Di\" is Tuesday in German (Dienstag) but Sunday in French (dimanche), and the other days do not tell which language this is; write the day in full."
    );
    assert!(parse_opening_hours("Tu 09:00-10:00; Di off").is_err());
}

#[test]
fn later_rules_replace_earlier_ones_and_comma_rules_add() {
    let h = hours("Mo-Fr 08:00-18:00; We 08:00-12:00");
    assert_eq!(week(&h)[2], Some(vec![p((8, 0), (12, 0))]));
    assert_eq!(week(&h)[3], Some(vec![p((8, 0), (18, 0))]));
    let h = hours("Mo-Fr 08:00-18:00; We off");
    assert_eq!(week(&h)[2], Some(vec![]));
    let h = hours("Mo-Fr 08:00-12:00, We 14:00-18:00");
    assert_eq!(
        week(&h)[2],
        Some(vec![p((8, 0), (12, 0)), p((14, 0), (18, 0))])
    );
    assert_eq!(week(&h)[1], Some(vec![p((8, 0), (12, 0))]));
    let h = hours("Mo-Fr 08:00-18:00, We off");
    assert_eq!(week(&h)[2], Some(vec![]));
    let h = hours("Mo-Fr 09:00-18:00\nSa 10:00-12:00");
    assert_eq!(week(&h)[5], Some(vec![p((10, 0), (12, 0))]));
}

#[test]
fn overnight_periods_are_split_with_a_notice() {
    let (h, notes) = with_notes("Fr 22:00-02:00");
    assert_eq!(week(&h)[4], Some(vec![p((22, 0), (23, 59))]));
    assert_eq!(week(&h)[5], Some(vec![p((0, 0), (2, 0))]));
    assert_eq!(
        notes,
        ["22:00-02:00 crosses midnight; split into 22:00-23:59 and 00:00-02:00 the next day."]
    );
    let (h, notes) = with_notes("Su 20:00-26:00");
    assert_eq!(week(&h)[6], Some(vec![p((20, 0), (23, 59))]));
    assert_eq!(
        week(&h)[0],
        Some(vec![p((0, 0), (2, 0))]),
        "Sunday night ends on Monday"
    );
    assert_eq!(notes.len(), 1);
    let (h, _) = parse_opening_hours("Fr-Sa 18:00-01:00; Sa 10:00-12:00").expect("reads");
    assert_eq!(
        week(&h)[5],
        Some(vec![p((0, 0), (1, 0)), p((10, 0), (12, 0))]),
        "Friday's night stays when Saturday's own hours are replaced"
    );
    assert_eq!(week(&h)[6], None, "Saturday's own night went with its rule");
    let h = hours("Mo 20:00-00:00");
    assert_eq!(week(&h)[0], Some(vec![p((20, 0), (23, 59))]));
    assert_eq!(week(&h)[1], None);
}

#[test]
fn holidays_and_comments_are_left_out_with_a_warning() {
    let (h, notes) = with_notes("Mo-Fr 09:00-18:00; PH off");
    assert_eq!(week(&h)[0], Some(vec![p((9, 0), (18, 0))]));
    assert_eq!(
        notes,
        [
            "Public and school holidays (PH) cannot be written in Woosmap's opening hours; \"PH off\" was left out."
        ]
    );
    let (h, notes) = with_notes("Sa,PH 10:00-12:00");
    assert_eq!(week(&h)[5], Some(vec![p((10, 0), (12, 0))]));
    assert!(
        notes[0].contains("that part of \"Sa,PH 10:00-12:00\""),
        "{notes:?}"
    );
    let (h, notes) = with_notes("Mo 09:00-12:00 \"by appointment\"");
    assert_eq!(week(&h)[0], Some(vec![p((9, 0), (12, 0))]));
    assert_eq!(
        notes,
        [
            "The comment \"by appointment\" cannot be written in Woosmap's opening hours; it was left out."
        ]
    );
    let (_, notes) = parse_opening_hours("PH off; SH 10:00-12:00").expect("reads");
    assert!(
        notes
            .iter()
            .all(|n| n.level == NoteLevel::Warning && n.message.contains("holidays"))
    );
}

#[test]
fn dated_days_become_special_dates_only_with_a_year() {
    let h = hours("Mo-Sa 09:00-19:00; 2026 Dec 25 off; 2026 Dec 24 09:00-12:00");
    assert_eq!(special(&h, "2026-12-25"), Some(vec![]));
    assert_eq!(special(&h, "2026-12-24"), Some(vec![p((9, 0), (12, 0))]));
    let h = hours("2026-12-31 10:00-16:00");
    assert_eq!(special(&h, "2026-12-31"), Some(vec![p((10, 0), (16, 0))]));
    let h = hours("2026 Dec 24-26 off");
    for d in ["2026-12-24", "2026-12-25", "2026-12-26"] {
        assert_eq!(special(&h, d), Some(vec![]), "{d}");
    }
    assert_eq!(h.special.as_ref().map(BTreeMap::len), Some(3));
    let h = hours("2026 Dec 31-Jan 01 off");
    assert_eq!(special(&h, "2027-01-01"), Some(vec![]));
    let h = hours("2026 December 25 off; 2026 Dec 25 10:00-12:00");
    assert_eq!(special(&h, "2026-12-25"), Some(vec![p((10, 0), (12, 0))]));
    let (h, notes) = with_notes("Mo-Fr 09:00-18:00; Dec 24 09:00-12:00");
    assert_eq!(h.special, None);
    assert_eq!(
        notes,
        [
            "\"Dec 24 09:00-12:00\" has no year, so it cannot become a special date; it was left out. Write the year first, as in \"2026 Dec 25 off\"."
        ]
    );
}

#[test]
fn a_french_mar_is_tuesday_before_hours_and_march_before_a_day() {
    let h = hours("Lun-Mar 09:00-12:00");
    assert!(week(&h)[1].is_some());
    let h = hours("2026 Mar 03 off");
    assert_eq!(special(&h, "2026-03-03"), Some(vec![]));
}

#[test]
fn an_empty_cell_gives_empty_hours() {
    assert_eq!(hours(""), OpeningHours::default());
    assert_eq!(hours("  ;  \n"), OpeningHours::default());
}

#[test]
fn what_cannot_be_read_is_named() {
    for (text, message) in [
        (
            "Mo-Fr 08:00",
            "\"08:00\" in \"Mo-Fr 08:00\" has no end time; write periods as 08:00-12:00.",
        ),
        (
            "Mo-Fr",
            "\"Mo-Fr\" gives days but no hours; add hours (09:00-18:00) or \"off\".",
        ),
        (
            "Mo-Fr 09:00-18:00; Sa 25:00-26:00",
            "\"25:00-26:00\" starts at 24:00 or later; a period starts between 00:00 and 23:59.",
        ),
        (
            "Mo 08:00-08:00",
            "\"08:00-08:00\" starts and ends at the same time; write 00:00-24:00 for a day open around the clock.",
        ),
        (
            "Mo-Fr 09:00-18:00 lunch",
            "\"lunch\" in \"Mo-Fr 09:00-18:00 lunch\" is not a day, month or keyword of opening hours.",
        ),
        (
            "Mo 0800-1200",
            "\"0800\" in \"Mo 0800-1200\" is not a time of day; write times as 08:00.",
        ),
        (
            "Mo 8-12",
            "\"8\" in \"Mo 8-12\" is not a time of day; write times as 08:00.",
        ),
        (
            "Mo 8:5-12:00",
            "\"8:5\" is not a time of day; write times as 08:00.",
        ),
        (
            "Mo 08:75-12:00",
            "\"08:75\" is not a time of day; write times as 08:00.",
        ),
        (
            "Mo 13pm-14:00",
            "\"13pm\" is not a time of day; write times as 08:00.",
        ),
        (
            "Mo 08:00:30-12:00",
            "\"08:00:30\" has seconds; opening hours are in whole minutes (08:15).",
        ),
        (
            "25.12.2026 off",
            "\"25.12.2026\" cannot be read: write a date as 2026 Dec 25 and a time as 08:00.",
        ),
        (
            "Mo[1] 09:00-12:00",
            "Days chosen by their rank in the month (such as \"Mo[1]\") are not supported.",
        ),
        (
            "Mo-Fr 18:00+",
            "Open-ended hours (such as \"18:00+\") are not supported; give an end time.",
        ),
        (
            "Mo 09:00-12:00 || \"call us\"",
            "Fallback rules (\"||\") are not supported; separate rules with \";\".",
        ),
        (
            "Mo sunrise-sunset",
            "Hours that follow the sun (\"sunrise\") cannot be written in Woosmap's opening hours.",
        ),
        (
            "week 1-10 Mo 09:00-12:00",
            "Week numbers (\"week\") cannot be written in Woosmap's opening hours.",
        ),
        (
            "Jan-Mar Mo 09:00-12:00",
            "\"Jan\" names a month; only single days with a year (2026 Dec 25) can be written in Woosmap's hours, not whole months.",
        ),
        (
            "2026 Dec off",
            "\"2026 Dec off\" names a month without a day; only single days (2026 Dec 25) can be written in Woosmap's hours.",
        ),
        (
            "2026 Feb 30 off",
            "\"2026 Feb 30\" is not a date of the calendar.",
        ),
        (
            "2026 Dec 31 20:00-02:00",
            "20:00-02:00 in \"2026 Dec 31 20:00-02:00\" crosses midnight on a special date, which Woosmap's hours cannot hold; end it at 24:00 and give the next day its own hours.",
        ),
        (
            "2026 Dec 24 Mo 09:00-12:00",
            "\"2026 Dec 24 Mo 09:00-12:00\" gives both a date and weekdays; write the date alone.",
        ),
        (
            "Mo open",
            "\"open\" gives no hours; write them (09:00-18:00), or 00:00-24:00 for around the clock.",
        ),
        (
            "Mo 09:00-18:00 \"note",
            "The comment \"note has no closing quote.",
        ),
        (
            "Mo 09:00-12:00 off",
            "\"Mo 09:00-12:00 off\" closes during given hours, which Woosmap's hours cannot hold; give only the open periods.",
        ),
        (
            "Mo 09:00-18:00, 10:00",
            "\"10:00\" in \"Mo 09:00-18:00, 10:00\" has no end time; write periods as 08:00-12:00.",
        ),
        (
            "Mo 09:00-18:00, lunch",
            "\"lunch\" in \"Mo 09:00-18:00, lunch\" is not a day, month or keyword of opening hours.",
        ),
        (
            "Mo 09:00-18:00 $",
            "\"$\" cannot be read in opening hours (in \"Mo 09:00-18:00 $\").",
        ),
        (
            "Mo 22:00-47:00",
            "\"22:00-47:00\" lasts more than 24 hours.",
        ),
    ] {
        assert_eq!(error(text), message, "{text}");
    }
}

#[test]
fn to_osm_writes_readable_text() {
    let h = hours("Mo-Fr 08:00-19:00; Sa 09:00-12:00; Su off");
    assert_eq!(to_osm(&h), "Mo-Fr 08:00-19:00; Sa 09:00-12:00; Su off");
    let h = hours("Mo,We,Fr 08:00-12:00,14:00-18:00; Tu,Th 10:00-16:00");
    assert_eq!(
        to_osm(&h),
        "Mo,We,Fr 08:00-12:00,14:00-18:00; Tu,Th 10:00-16:00"
    );
    assert_eq!(to_osm(&hours("24/7")), "24/7");
    assert_eq!(to_osm(&hours("Sa 00:00-24:00")), "Sa 00:00-24:00");
    assert_eq!(
        to_osm(&hours(
            "Mo-Fr 09:00-12:00; 2026 Dec 25 off; 2026-12-24 09:00-12:00"
        )),
        "Mo-Fr 09:00-12:00; 2026 Dec 24 09:00-12:00; 2026 Dec 25 off"
    );
    assert_eq!(to_osm(&OpeningHours::default()), "");
}

#[test]
fn to_osm_applies_default_to_days_without_their_own() {
    let h: OpeningHours = serde_json::from_str(
        r#"{"timezone":"Europe/Paris","usual":{"default":[{"start":"9:00","end":"18:00"}],"6":[{"start":"10:00","end":"12:00"}],"7":[]},"special":{"2026-12-25":[],"bad":[]},"temporary_closure":[{"start":"2026-01-01","end":"2026-01-02"}]}"#,
    )
    .expect("parses");
    assert_eq!(
        to_osm(&h),
        "Mo-Fr 09:00-18:00; Sa 10:00-12:00; Su off; 2026 Dec 25 off"
    );
    let h: OpeningHours =
        serde_json::from_str(r#"{"usual":{"default":[{"all-day":true}]}}"#).expect("parses");
    assert_eq!(to_osm(&h), "24/7");
}

#[test]
fn one_day_columns() {
    let mut h = OpeningHours::default();
    let notes = add_weekday_cell(&mut h, 1, "09:00-12:00, 14:00-18:00").expect("reads");
    assert!(notes.is_empty());
    add_weekday_cell(&mut h, 2, "9h-12h / 14h-18h").expect("reads");
    add_weekday_cell(&mut h, 3, "closed").expect("reads");
    add_weekday_cell(&mut h, 4, "  ").expect("reads");
    add_weekday_cell(&mut h, 5, "Fermé").expect("reads");
    add_weekday_cell(&mut h, 6, "24h").expect("reads");
    add_weekday_cell(&mut h, 7, "14:00-18:00 10:00-12:00").expect("reads");
    let split = Some(vec![p((9, 0), (12, 0)), p((14, 0), (18, 0))]);
    assert_eq!(
        week(&h),
        [
            split.clone(),
            split,
            Some(vec![]),
            None,
            Some(vec![]),
            Some(vec![Period::all_day()]),
            Some(vec![p((10, 0), (12, 0)), p((14, 0), (18, 0))]),
        ]
    );
}

#[test]
fn one_day_columns_carry_the_night_to_the_next_day_in_any_order() {
    let mut a = OpeningHours::default();
    let notes = add_weekday_cell(&mut a, 5, "18:00-02:00").expect("reads");
    add_weekday_cell(&mut a, 6, "10:00-12:00").expect("reads");
    add_weekday_cell(&mut a, 7, "closed").expect("reads");
    let mut b = OpeningHours::default();
    add_weekday_cell(&mut b, 7, "closed").expect("reads");
    add_weekday_cell(&mut b, 6, "10:00-12:00").expect("reads");
    add_weekday_cell(&mut b, 5, "18:00-02:00").expect("reads");
    assert_eq!(a, b);
    assert_eq!(
        week(&a)[5],
        Some(vec![p((0, 0), (2, 0)), p((10, 0), (12, 0))])
    );
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].level, NoteLevel::Notice);
    let mut c = OpeningHours::default();
    add_weekday_cell(&mut c, 7, "20:00-01:00").expect("reads");
    assert_eq!(week(&c)[0], Some(vec![p((0, 0), (1, 0))]));
}

#[test]
fn one_day_columns_refuse_what_they_cannot_read() {
    let mut h = OpeningHours::default();
    let err = |h: &mut OpeningHours, day: u8, cell: &str| {
        add_weekday_cell(h, day, cell)
            .map(|_| ())
            .expect_err(cell)
            .message
    };
    assert_eq!(
        err(&mut h, 1, "Mo 09:00-12:00"),
        "\"Mo\" names a day, but this column holds the hours of Monday only; write only times such as 09:00-12:00."
    );
    assert_eq!(
        err(&mut h, 1, "09:00-12:00 closed"),
        "\"09:00-12:00 closed\" gives both hours and closed; keep one."
    );
    assert_eq!(
        err(&mut h, 8, "09:00-12:00"),
        "Weekday 8 is not one of 1 (Monday) to 7 (Sunday)."
    );
    assert!(err(&mut h, 1, "-").contains("\"-\""));
    assert!(err(&mut h, 1, "9-12").contains("\"9\""));
    assert_eq!(h, OpeningHours::default(), "nothing is added on an error");
}

// ---------------------------------------------------------------------------------------------
// Properties

fn arb_day() -> impl Strategy<Value = Option<Vec<Period>>> {
    let spans = proptest::collection::btree_set(0u32..1440, 2..=6).prop_map(|points| {
        let points: Vec<u32> = points.into_iter().collect();
        points
            .chunks_exact(2)
            .map(|pair| p((pair[0] / 60, pair[0] % 60), (pair[1] / 60, pair[1] % 60)))
            .collect::<Vec<Period>>()
    });
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Vec::new())),
        1 => Just(Some(vec![Period::all_day()])),
        4 => spans.prop_map(Some),
    ]
}

fn arb_hours() -> impl Strategy<Value = OpeningHours> {
    let days = proptest::collection::vec(arb_day(), 7);
    let specials = proptest::collection::btree_map(
        (2020i32..2032, 1u32..=12, 1u32..=28),
        arb_day().prop_map(Option::unwrap_or_default),
        0..4,
    );
    (days, specials).prop_map(|(days, specials)| {
        let usual: BTreeMap<DayKey, Vec<Period>> = (1..=7u8)
            .zip(days)
            .filter_map(|(d, periods)| periods.map(|p| (DayKey::Weekday(d), p)))
            .collect();
        let special: BTreeMap<String, Vec<Period>> = specials
            .into_iter()
            .filter_map(|((y, m, d), periods)| {
                NaiveDate::from_ymd_opt(y, m, d)
                    .map(|date| (date.format("%Y-%m-%d").to_string(), periods))
            })
            .collect();
        OpeningHours {
            usual: (!usual.is_empty()).then_some(usual),
            special: (!special.is_empty()).then_some(special),
            ..OpeningHours::default()
        }
    })
}

/// Text made of the pieces opening hours are written with, to reach deep into the reader.
fn arb_osm_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Mo"),
        Just("Tu"),
        Just("We"),
        Just("Fr"),
        Just("Sa"),
        Just("Su"),
        Just("Di"),
        Just("Lu"),
        Just("Ve"),
        Just("So"),
        Just("lundi"),
        Just("Mar"),
        Just("Dec"),
        Just("2026"),
        Just("25"),
        Just("PH"),
        Just("off"),
        Just("closed"),
        Just("open"),
        Just("24/7"),
        Just("08:00"),
        Just("12:00"),
        Just("22:00"),
        Just("02:00"),
        Just("24:00"),
        Just("00:00"),
        Just("26:00"),
        Just("8h30"),
        Just("9am"),
        Just("5pm"),
        Just("-"),
        Just(","),
        Just(";"),
        Just(":"),
        Just(" "),
        Just("\"c\""),
        Just("from"),
        Just("to"),
        Just("12"),
        Just("7"),
        Just("/"),
        Just("\n"),
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|pieces| pieces.join(" "))
}

proptest! {
    #[test]
    fn weekly_hours_written_then_read_are_the_same(h in arb_hours()) {
        let text = to_osm(&h);
        let (back, notes) = parse_opening_hours(&text)
            .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&back, &h, "{}", text);
        prop_assert!(notes.is_empty(), "{}: {:?}", text, notes);
    }

    #[test]
    fn hours_read_then_written_read_back_the_same(text in arb_osm_text()) {
        if let Ok((h, _)) = parse_opening_hours(&text) {
            let written = to_osm(&h);
            let (again, _) = parse_opening_hours(&written)
                .map_err(|e| TestCaseError::fail(format!("{text} -> {written}: {e}")))?;
            prop_assert_eq!(again, h, "{} -> {}", text, written);
        }
    }

    #[test]
    fn the_reader_never_panics(text in any::<String>()) {
        let _ = parse_opening_hours(&text);
        let mut h = OpeningHours::default();
        let _ = add_weekday_cell(&mut h, 3, &text);
    }

    #[test]
    fn one_day_cells_never_panic_on_hour_like_text(text in arb_osm_text(), day in 0u8..9) {
        let mut h = OpeningHours::default();
        let before = h.clone();
        if add_weekday_cell(&mut h, day, &text).is_err() {
            prop_assert_eq!(h, before);
        }
    }
}

#[test]
fn an_hour_of_ten_digits_is_refused_not_multiplied_past_its_type() {
    // Found by the `cells` fuzz target: 1117105633 hours times 60 minutes does not fit.
    for text in [
        "Mo 1117105633h-18h",
        "1117105633H/H",
        "Mo 4294967295:00-18:00",
    ] {
        let message = error(text);
        assert!(!message.is_empty(), "{text}");
    }
    assert!(parse_opening_hours("\u{12d}\ns\u{b}1117105633H/H/,881710\u{ba}24/248").is_err());
}
