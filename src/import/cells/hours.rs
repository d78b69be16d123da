//! Opening hours written as text in the common subset of OpenStreetMap's `opening_hours`
//! syntax (`Mo-Fr 08:00-19:00; Sa 09:00-12:00`), read into Woosmap's model and written back.
//!
//! What is read: rules separated by `;` or new lines, each with weekdays (`Mo-Fr`, `Mo,We,Fr`,
//! `Fr-Mo`; English, French or German, two letters, three or in full, any case) or one dated day
//! (`2026 Dec 25`, `2026-12-25`, `2026 Dec 24-26`), then periods (`08:00-12:00,14:00-18:00`,
//! `8h30`, `08.00`, `9am`), `off` / `closed`, `00:00-24:00` or `24/7`. A later rule replaces the
//! hours of the days it names; a rule after a comma (`Mo-Fr 08:00-12:00, We 14:00-18:00`) adds
//! to them (and `off` after a comma closes them). A period past midnight is split over two days. Public holidays (`PH`), school
//! holidays (`SH`), comments and days without a year are left out with a warning; anything else
//! (week numbers, months, sunrise, `18:00+`, `Mo[1]`, `||`) is an error.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::{CellError, CellNote};
use crate::hours::{DayKey, OpeningHours, Period, Time, TimeOfDay, parse_date, split_overnight};

/// Minutes in a day.
const DAY: u32 = 24 * 60;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const DAY_CODES: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// Reads opening hours written in the OpenStreetMap style; an empty cell gives empty hours.
pub fn parse_opening_hours(text: &str) -> Result<(OpeningHours, Vec<CellNote>), CellError> {
    let mut parser = Parser::new(text)?;
    let mut week = Week::default();
    let mut notes = Vec::new();
    let mut additional = false;
    loop {
        while parser.eat(&Tok::RuleSep) {
            additional = false;
        }
        if !additional {
            parser.segment_start = parser.i;
        }
        if parser.peek().is_none() {
            break;
        }
        let rule = parser.rule(additional)?;
        week.apply(rule, additional, &mut notes)?;
        match parser.peek() {
            None | Some(Tok::RuleSep) => additional = false,
            Some(Tok::Comma) => {
                parser.bump();
                additional = true;
            }
            Some(_) => return Err(parser.unexpected()),
        }
    }
    Ok((week.into_hours(), notes))
}

/// Adds what a one-day column says (`09:00-12:00, 14:00-18:00`, `closed`, `24h`) to a weekday
/// (1 = Monday); a period past midnight goes on to the next day; an empty cell adds nothing.
pub fn add_weekday_cell(
    hours: &mut OpeningHours,
    weekday: u8,
    cell: &str,
) -> Result<Vec<CellNote>, CellError> {
    if !(1..=7).contains(&weekday) {
        return Err(CellError::new(format!(
            "Weekday {weekday} is not one of 1 (Monday) to 7 (Sunday)."
        )));
    }
    let compact: String = cell
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if matches!(compact.as_str(), "24h" | "24/24" | "24h/24" | "24/7") {
        let periods = hours
            .usual
            .get_or_insert_with(BTreeMap::new)
            .entry(DayKey::Weekday(weekday))
            .or_default();
        periods.push(Period::all_day());
        sort_periods(periods);
        return Ok(Vec::new());
    }
    let mut parser = Parser::new(cell)?;
    let mut notes = Vec::new();
    let mut spans = Vec::new();
    let mut closed = false;
    while let Some(tok) = parser.peek() {
        match tok {
            Tok::Comma | Tok::RuleSep | Tok::Slash => parser.bump(),
            Tok::Comment(c) => {
                notes.push(comment_note(c));
                parser.bump();
            }
            Tok::Word(w) if is_closed_word(w) => {
                closed = true;
                parser.bump();
            }
            Tok::Word(w) if !day_meanings(w).is_empty() => {
                return Err(CellError::new(format!(
                    "\"{}\" names a day, but this column holds the hours of {} only; write only times such as 09:00-12:00.",
                    parser.token_text(parser.i),
                    crate::hours::weekday_name(weekday)
                )));
            }
            _ => spans.push(parser.span()?),
        }
    }
    if closed && !spans.is_empty() {
        return Err(CellError::new(format!(
            "\"{}\" gives both hours and closed; keep one.",
            cell.trim()
        )));
    }
    if !closed && spans.is_empty() {
        return Ok(notes);
    }
    let usual = hours.usual.get_or_insert_with(BTreeMap::new);
    usual.entry(DayKey::Weekday(weekday)).or_default();
    let next = weekday % 7 + 1;
    for (span, text) in spans {
        for (day, period) in span.periods(weekday) {
            usual.entry(DayKey::Weekday(day)).or_default().push(period);
        }
        if let Span::Overnight(start, end) = span {
            notes.push(overnight_note(&text, start, end));
        }
    }
    for day in [weekday, next] {
        if let Some(periods) = usual.get_mut(&DayKey::Weekday(day)) {
            sort_periods(periods);
        }
    }
    Ok(notes)
}

/// Writes the weekly hours (with `default` applied to the days without their own) and the
/// special days as OpenStreetMap-style text, for example `Mo-Fr 08:00-19:00; Sa off`.
///
/// Days the hours do not mention are left out; the time zone and temporary closures are not
/// written, nor special days whose date cannot be read. Text read back with
/// [`parse_opening_hours`] gives the same weekly hours and special days.
pub fn to_osm(hours: &OpeningHours) -> String {
    let usual = hours.usual.as_ref();
    let default = usual.and_then(|u| u.get(&DayKey::Default));
    let days: Vec<Option<&Vec<Period>>> = (1..=7u8)
        .map(|d| usual.and_then(|u| u.get(&DayKey::Weekday(d))).or(default))
        .collect();
    let mut rules = Vec::new();
    let every_day_all_day = days
        .iter()
        .all(|d| d.is_some_and(|p| p.len() == 1 && p[0].is_all_day()));
    if every_day_all_day {
        rules.push("24/7".to_owned());
    } else {
        let texts: Vec<Option<String>> = days.iter().map(|d| d.map(|p| periods_text(p))).collect();
        let mut written = [false; 7];
        for first in 0..7 {
            let Some(text) = &texts[first] else { continue };
            if written[first] {
                continue;
            }
            let same: Vec<usize> = (first..7)
                .filter(|&d| texts[d].as_ref() == Some(text))
                .collect();
            for &d in &same {
                written[d] = true;
            }
            rules.push(format!("{} {text}", days_text(&same)));
        }
    }
    for (key, periods) in hours.special.iter().flatten() {
        if let Some(date) = parse_date(key) {
            rules.push(format!("{} {}", date_text(date), periods_text(periods)));
        }
    }
    rules.join("; ")
}

fn periods_text(periods: &[Period]) -> String {
    if periods.is_empty() {
        return "off".to_owned();
    }
    let texts: Vec<String> = periods
        .iter()
        .map(|p| {
            if p.is_all_day() {
                "00:00-24:00".to_owned()
            } else {
                let text = |t: &Option<Time>| t.as_ref().map(Time::text).unwrap_or_default();
                format!("{}-{}", text(&p.start), text(&p.end))
            }
        })
        .collect();
    texts.join(",")
}

/// Days (0 = Monday) as OSM writes them: runs of three or more as ranges.
fn days_text(days: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        match j - i {
            0 => parts.push(DAY_CODES[days[i]].to_owned()),
            1 => {
                parts.push(DAY_CODES[days[i]].to_owned());
                parts.push(DAY_CODES[days[j]].to_owned());
            }
            _ => parts.push(format!("{}-{}", DAY_CODES[days[i]], DAY_CODES[days[j]])),
        }
        i = j + 1;
    }
    parts.join(",")
}

fn date_text(date: NaiveDate) -> String {
    let month = MONTHS.get(date.month0() as usize).copied().unwrap_or("Jan");
    format!("{} {month} {:02}", date.year(), date.day())
}

// ---------------------------------------------------------------------------------------------
// Reading text into tokens

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A word, lower-cased, without a trailing dot.
    Word(String),
    Number {
        value: u32,
        digits: usize,
    },
    /// A time of day in minutes since midnight; past 24:00 for an end on the next day.
    Time(u32),
    Dash,
    Comma,
    RuleSep,
    Colon,
    Slash,
    Comment(String),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// Byte offsets in the text.
    start: usize,
    end: usize,
}

struct Lexer<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    i: usize,
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> Option<char> {
        self.chars.get(k).map(|&(_, c)| c)
    }

    fn pos(&self, k: usize) -> usize {
        self.chars.get(k).map_or(self.text.len(), |&(p, _)| p)
    }

    fn slice(&self, from: usize, to: usize) -> &str {
        self.text.get(self.pos(from)..self.pos(to)).unwrap_or("")
    }

    fn is_digit(&self, k: usize) -> bool {
        self.at(k).is_some_and(|c| c.is_ascii_digit())
    }

    fn digits(&self, from: usize) -> usize {
        (from..self.chars.len())
            .take_while(|&k| self.is_digit(k))
            .count()
    }

    /// `am`, `pm`, `a.m.` or `p.m.` at `k` (after spaces): whether it is pm, and where it ends.
    fn am_pm(&self, k: usize) -> Option<(bool, usize)> {
        let mut k = k;
        while self.at(k) == Some(' ') {
            k += 1;
        }
        let pm = match self.at(k)?.to_ascii_lowercase() {
            'a' => false,
            'p' => true,
            _ => return None,
        };
        k += 1;
        if self.at(k) == Some('.') {
            k += 1;
        }
        if !self.at(k)?.eq_ignore_ascii_case(&'m') {
            return None;
        }
        k += 1;
        if self.at(k) == Some('.') {
            k += 1;
        }
        if self.at(k).is_some_and(char::is_alphabetic) {
            return None;
        }
        // `am` is also German for "on" (`12:00 am Samstag`): before another word, only `to`
        // and `and` let it mean a.m.
        let mut next = k;
        while self.at(next) == Some(' ') {
            next += 1;
        }
        let word_len = (next..self.chars.len())
            .take_while(|&j| self.at(j).is_some_and(char::is_alphabetic))
            .count();
        if word_len > 0 {
            let word = self.slice(next, next + word_len).to_lowercase();
            if word != "to" && word != "and" {
                return None;
            }
        }
        Some((pm, k))
    }

    /// A number, or a time (`8:00`, `08.00`, `8h30`, `8h`, `9am`) starting at the cursor.
    fn number(&mut self) -> Result<Tok, CellError> {
        let from = self.i;
        let n = self.digits(from);
        self.i += n;
        let hours_text = self.slice(from, from + n).to_owned();
        let not_a_time = |lx: &Lexer, to: usize| {
            CellError::new(format!(
                "\"{}\" is not a time of day; write times as 08:00.",
                lx.slice(from, to)
            ))
        };
        let mut minutes: Option<u32> = None;
        match self.at(self.i) {
            Some(':' | '.') if self.is_digit(self.i + 1) => {
                let m = self.digits(self.i + 1);
                if m != 2 {
                    return Err(not_a_time(self, self.i + 1 + m));
                }
                minutes = self.slice(self.i + 1, self.i + 3).parse().ok();
                self.i += 3;
                if self.at(self.i) == Some(':') && self.digits(self.i + 1) == 2 {
                    if self.slice(self.i + 1, self.i + 3) != "00" {
                        return Err(CellError::new(format!(
                            "\"{}\" has seconds; opening hours are in whole minutes (08:15).",
                            self.slice(from, self.i + 3)
                        )));
                    }
                    self.i += 3;
                }
                if matches!(self.at(self.i), Some('.' | '/' | ':')) && self.is_digit(self.i + 1) {
                    let mut to = self.i;
                    while self
                        .at(to)
                        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | ':'))
                    {
                        to += 1;
                    }
                    return Err(CellError::new(format!(
                        "\"{}\" cannot be read: write a date as 2026 Dec 25 and a time as 08:00.",
                        self.slice(from, to)
                    )));
                }
            }
            Some('h' | 'H') if !self.at(self.i + 1).is_some_and(char::is_alphabetic) => {
                self.i += 1;
                match self.digits(self.i) {
                    0 => minutes = Some(0),
                    2 => {
                        minutes = self.slice(self.i, self.i + 2).parse().ok();
                        self.i += 2;
                    }
                    m => return Err(not_a_time(self, self.i + m)),
                }
            }
            _ => {}
        }
        let Ok(hours) = hours_text.parse::<u32>() else {
            return Err(CellError::new(format!(
                "\"{hours_text}\" is too long a number for opening hours."
            )));
        };
        if let Some((pm, end)) = self.am_pm(self.i) {
            if !(1..=12).contains(&hours) || n > 2 {
                return Err(not_a_time(self, end));
            }
            self.i = end;
            let hours = match (pm, hours) {
                (false, 12) => 0,
                (true, 12) => 12,
                (false, h) => h,
                (true, h) => h + 12,
            };
            return Ok(Tok::Time(hours * 60 + minutes.unwrap_or(0)));
        }
        match minutes {
            Some(m) => {
                // Hours of ten digits would overflow: checked before anything is added up.
                let total = hours.checked_mul(60).and_then(|h| h.checked_add(m));
                match total {
                    Some(total) if n <= 2 && m < 60 && total <= 2 * DAY => Ok(Tok::Time(total)),
                    _ => Err(not_a_time(self, self.i)),
                }
            }
            None => Ok(Tok::Number {
                value: hours,
                digits: n,
            }),
        }
    }

    fn word(&mut self) -> Tok {
        let from = self.i;
        while self.at(self.i).is_some_and(char::is_alphabetic) {
            self.i += 1;
        }
        let word = self.slice(from, self.i).to_lowercase();
        if self.at(self.i) == Some('.') {
            self.i += 1;
        }
        match word.as_str() {
            "to" | "au" | "à" | "bis" => Tok::Dash,
            "and" | "et" | "und" => Tok::Comma,
            _ => Tok::Word(word),
        }
    }

    fn comment(&mut self) -> Result<Tok, CellError> {
        let from = self.i;
        self.i += 1;
        while let Some(c) = self.at(self.i) {
            self.i += 1;
            if matches!(c, '"' | '”' | '“') {
                let inner = self.slice(from + 1, self.i - 1).to_owned();
                return Ok(Tok::Comment(inner));
            }
        }
        Err(CellError::new(format!(
            "The comment {} has no closing quote.",
            self.slice(from, self.i)
        )))
    }
}

fn lex(text: &str) -> Result<Vec<Token>, CellError> {
    let mut lx = Lexer {
        text,
        chars: text.char_indices().collect(),
        i: 0,
    };
    let mut out = Vec::new();
    while let Some(c) = lx.at(lx.i) {
        let from = lx.i;
        let tok = match c {
            '\n' | '\r' | ';' => {
                lx.i += 1;
                Tok::RuleSep
            }
            c if c.is_whitespace() => {
                lx.i += 1;
                continue;
            }
            '|' if lx.at(from + 1) == Some('|') => {
                return Err(CellError::new(
                    "Fallback rules (\"||\") are not supported; separate rules with \";\".",
                ));
            }
            '|' => {
                lx.i += 1;
                Tok::RuleSep
            }
            ',' | '&' => {
                lx.i += 1;
                Tok::Comma
            }
            '-' | '–' | '—' | '‐' | '‑' | '−' => {
                lx.i += 1;
                Tok::Dash
            }
            ':' => {
                lx.i += 1;
                Tok::Colon
            }
            '/' => {
                lx.i += 1;
                Tok::Slash
            }
            '"' | '“' | '”' => lx.comment()?,
            '[' => {
                return Err(CellError::new(
                    "Days chosen by their rank in the month (such as \"Mo[1]\") are not supported.",
                ));
            }
            '+' => {
                return Err(CellError::new(
                    "Open-ended hours (such as \"18:00+\") are not supported; give an end time.",
                ));
            }
            c if c.is_ascii_digit() => lx.number()?,
            c if c.is_alphabetic() => lx.word(),
            other => {
                let context = if lx.chars.len() <= 60 {
                    text.trim().to_owned()
                } else {
                    let around = lx.slice(from.saturating_sub(20), from + 20);
                    format!("...{}...", around.trim())
                };
                return Err(CellError::new(format!(
                    "\"{other}\" cannot be read in opening hours (in \"{context}\")."
                )));
            }
        };
        out.push(Token {
            tok,
            start: lx.pos(from),
            end: lx.pos(lx.i),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Words

const EN: u8 = 1;
const FR: u8 = 2;
const DE: u8 = 4;

/// What a word may mean as a weekday: (language, weekday 1..7).
fn day_meanings(word: &str) -> &'static [(u8, u8)] {
    match word {
        "mo" => &[(EN, 1), (DE, 1)],
        "tu" => &[(EN, 2)],
        "we" => &[(EN, 3)],
        "th" => &[(EN, 4)],
        "fr" => &[(EN, 5), (DE, 5)],
        "sa" => &[(EN, 6), (FR, 6), (DE, 6)],
        "su" => &[(EN, 7)],
        "lu" => &[(FR, 1)],
        "ma" => &[(FR, 2)],
        "me" => &[(FR, 3)],
        "je" => &[(FR, 4)],
        "ve" => &[(FR, 5)],
        "di" => &[(FR, 7), (DE, 2)],
        "mi" => &[(DE, 3)],
        "do" => &[(DE, 4)],
        "so" => &[(DE, 7)],
        "mon" | "monday" => &[(EN, 1)],
        "tue" | "tues" | "tuesday" => &[(EN, 2)],
        "wed" | "wednesday" => &[(EN, 3)],
        "thu" | "thur" | "thurs" | "thursday" => &[(EN, 4)],
        "fri" | "friday" => &[(EN, 5)],
        "sat" | "saturday" => &[(EN, 6)],
        "sun" | "sunday" => &[(EN, 7)],
        "lun" | "lundi" => &[(FR, 1)],
        "mar" | "mardi" => &[(FR, 2)],
        "mer" | "mercredi" => &[(FR, 3)],
        "jeu" | "jeudi" => &[(FR, 4)],
        "ven" | "vendredi" => &[(FR, 5)],
        "sam" | "samedi" => &[(FR, 6)],
        "dim" | "dimanche" => &[(FR, 7)],
        "montag" => &[(DE, 1)],
        "dienstag" => &[(DE, 2)],
        "mittwoch" => &[(DE, 3)],
        "donnerstag" => &[(DE, 4)],
        "freitag" => &[(DE, 5)],
        "samstag" | "sonnabend" => &[(DE, 6)],
        "sonntag" => &[(DE, 7)],
        _ => &[],
    }
}

fn month_number(word: &str) -> Option<u32> {
    Some(match word {
        "jan" | "january" => 1,
        "feb" | "february" => 2,
        "mar" | "march" => 3,
        "apr" | "april" => 4,
        "may" => 5,
        "jun" | "june" => 6,
        "jul" | "july" => 7,
        "aug" | "august" => 8,
        "sep" | "sept" | "september" => 9,
        "oct" | "october" => 10,
        "nov" | "november" => 11,
        "dec" | "december" => 12,
        _ => return None,
    })
}

fn is_closed_word(word: &str) -> bool {
    matches!(
        word,
        "off" | "closed" | "close" | "fermé" | "ferme" | "geschlossen"
    )
}

fn is_holiday_word(word: &str) -> bool {
    matches!(word, "ph" | "sh")
}

fn is_filler_word(word: &str) -> bool {
    matches!(word, "from" | "de" | "von")
}

/// The sentence for a word that is known but cannot be written in Woosmap's hours.
fn unsupported_word(word: &str, original: &str) -> Option<String> {
    let what = match word {
        "sunrise" | "sunset" | "dawn" | "dusk" => "Hours that follow the sun",
        "week" => "Week numbers",
        "easter" => "Easter-based days",
        "unknown" => "The \"unknown\" state",
        "open" => {
            return Some(format!(
                "\"{original}\" gives no hours; write them (09:00-18:00), or 00:00-24:00 for around the clock."
            ));
        }
        w if month_number(w).is_some() => {
            return Some(format!(
                "\"{original}\" names a month; only single days with a year (2026 Dec 25) can be written in Woosmap's hours, not whole months."
            ));
        }
        _ => return None,
    };
    Some(format!(
        "{what} (\"{original}\") cannot be written in Woosmap's opening hours."
    ))
}

fn comment_note(comment: &str) -> CellNote {
    CellNote::warning(format!(
        "The comment \"{comment}\" cannot be written in Woosmap's opening hours; it was left out."
    ))
}

fn overnight_note(text: &str, start: TimeOfDay, end: TimeOfDay) -> CellNote {
    CellNote::notice(format!(
        "{text} crosses midnight; split into {start}-{} and {}-{end} the next day.",
        TimeOfDay::LAST_MINUTE,
        TimeOfDay::MIDNIGHT
    ))
}

// ---------------------------------------------------------------------------------------------
// Rules

/// One period of a rule.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Span {
    AllDay,
    Within(TimeOfDay, TimeOfDay),
    /// From a time to a time of the next day.
    Overnight(TimeOfDay, TimeOfDay),
}

impl Span {
    /// The periods of this span on a weekday, the second half of an overnight one on the next.
    fn periods(self, weekday: u8) -> Vec<(u8, Period)> {
        match self {
            Span::AllDay => vec![(weekday, Period::all_day())],
            Span::Within(start, end) => vec![(weekday, Period::span(start, end))],
            Span::Overnight(start, end) => match split_overnight(start, end) {
                Some((evening, morning)) => vec![(weekday, evening), (weekday % 7 + 1, morning)],
                None => vec![(weekday, Period::span(start, end))],
            },
        }
    }
}

#[derive(Debug)]
enum Body {
    Closed,
    Spans(Vec<(Span, String)>),
}

#[derive(Debug)]
struct Rule {
    days: Vec<u8>,
    dates: Vec<NaiveDate>,
    /// A month and day without a year.
    undated: bool,
    /// `PH`, `SH` as written.
    holidays: Vec<String>,
    body: Body,
    comments: Vec<String>,
    text: String,
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    i: usize,
    /// The first token of the rule being read.
    rule_start: usize,
    /// The first token after the last `;`, for messages.
    segment_start: usize,
    /// The languages every day word of the text can be read in.
    languages: u8,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Parser<'a>, CellError> {
        let toks = lex(text)?;
        let languages = toks
            .iter()
            .filter_map(|t| match &t.tok {
                Tok::Word(w) => Some(day_meanings(w)),
                _ => None,
            })
            .filter(|m| !m.is_empty())
            .fold(EN | FR | DE, |acc, m| {
                acc & m.iter().fold(0, |langs, &(l, _)| langs | l)
            });
        Ok(Parser {
            text,
            toks,
            i: 0,
            rule_start: 0,
            segment_start: 0,
            languages,
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.peek_at(0)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.i + k).map(|t| &t.tok)
    }

    fn bump(&mut self) {
        self.i += 1;
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let found = self.peek() == Some(tok);
        if found {
            self.bump();
        }
        found
    }

    fn token_text(&self, k: usize) -> &str {
        self.toks
            .get(k)
            .and_then(|t| self.text.get(t.start..t.end))
            .unwrap_or("")
    }

    /// The text of tokens `from..to`.
    fn text_of(&self, from: usize, to: usize) -> &str {
        let start = self.toks.get(from).map_or(self.text.len(), |t| t.start);
        let end = to
            .checked_sub(1)
            .and_then(|k| self.toks.get(k))
            .map_or(start, |t| t.end);
        self.text.get(start..end.max(start)).unwrap_or("").trim()
    }

    /// The text between the `;` before the rule being read and the next one.
    fn rule_text(&self) -> &str {
        let end = (self.i.max(self.segment_start)..self.toks.len())
            .find(|&k| self.toks[k].tok == Tok::RuleSep)
            .unwrap_or(self.toks.len());
        self.text_of(self.segment_start, end)
    }

    fn is_day_word(&self, k: usize) -> bool {
        matches!(self.peek_at(k), Some(Tok::Word(w)) if !day_meanings(w).is_empty() || is_holiday_word(w))
    }

    fn unexpected(&self) -> CellError {
        let found = self.token_text(self.i);
        let rule = self.rule_text();
        let message = match self.peek() {
            None => format!("\"{rule}\" ends too early."),
            Some(Tok::Word(w)) => unsupported_word(w, found).unwrap_or_else(|| {
                format!(
                    "\"{found}\" in \"{rule}\" is not a day, month or keyword of opening hours."
                )
            }),
            Some(Tok::Number { .. }) => {
                format!("\"{found}\" in \"{rule}\" is not a time of day; write times as 08:00.")
            }
            Some(_) => format!("\"{rule}\" cannot be read at \"{found}\"."),
        };
        CellError::new(message)
    }

    /// The weekday a word names, in the languages the whole text is written in.
    fn weekday(&self, word: &str) -> Result<u8, CellError> {
        let meanings = day_meanings(word);
        let mut days: Vec<u8> = meanings.iter().map(|&(_, d)| d).collect();
        days.dedup();
        if let [day] = days[..] {
            return Ok(day);
        }
        let mut fitting: Vec<u8> = meanings
            .iter()
            .filter(|&&(l, _)| self.languages & l != 0)
            .map(|&(_, d)| d)
            .collect();
        fitting.dedup();
        match fitting[..] {
            [day] => Ok(day),
            _ => Err(CellError::new(format!(
                "\"{}\" is Tuesday in German (Dienstag) but Sunday in French (dimanche), and the other days do not tell which language this is; write the day in full.",
                self.token_text(self.i)
            ))),
        }
    }

    fn rule(&mut self, additional: bool) -> Result<Rule, CellError> {
        self.rule_start = self.i;
        let mut rule = Rule {
            days: Vec::new(),
            dates: Vec::new(),
            undated: false,
            holidays: Vec::new(),
            body: Body::Closed,
            comments: Vec::new(),
            text: String::new(),
        };
        let has_date = self.date_selector(&mut rule)?;
        let has_days = if has_date {
            if self.is_day_word(0) {
                return Err(CellError::new(format!(
                    "\"{}\" gives both a date and weekdays; write the date alone.",
                    self.rule_text()
                )));
            }
            false
        } else {
            self.weekday_selector(&mut rule)?
        };
        if additional && !has_date && !has_days {
            return Err(self.unexpected());
        }
        self.eat(&Tok::Colon);
        let body = self.body()?;
        while let Some(Tok::Comment(c)) = self.peek() {
            rule.comments.push(c.clone());
            self.bump();
        }
        match body {
            Some(body) => rule.body = body,
            None if has_date || has_days => {
                return Err(match self.peek() {
                    None | Some(Tok::RuleSep | Tok::Comma | Tok::Comment(_)) => {
                        CellError::new(format!(
                            "\"{}\" gives days but no hours; add hours (09:00-18:00) or \"off\".",
                            self.rule_text()
                        ))
                    }
                    Some(_) => self.unexpected(),
                });
            }
            None => return Err(self.unexpected()),
        }
        rule.text = self.text_of(self.rule_start, self.i).to_owned();
        Ok(rule)
    }

    /// `2026 Dec 25`, `Dec 25`, `2026-12-25`, `2026 Dec 24-26`, `2026 Dec 30-Jan 02`.
    fn date_selector(&mut self, rule: &mut Rule) -> Result<bool, CellError> {
        let first = self.i;
        let mut year = None;
        if let Some(&Tok::Number {
            value, digits: 4, ..
        }) = self.peek()
        {
            if self.peek_at(1) == Some(&Tok::Dash) {
                if let (
                    Some(&Tok::Number { value: m, .. }),
                    Some(Tok::Dash),
                    Some(&Tok::Number { value: d, .. }),
                ) = (self.peek_at(2), self.peek_at(3), self.peek_at(4))
                {
                    self.i += 5;
                    let date = self.date(value, m, d, first)?;
                    rule.dates.push(date);
                    return Ok(true);
                }
                return Ok(false);
            }
            if matches!(self.peek_at(1), Some(Tok::Word(w)) if month_number(w).is_some()) {
                year = Some(value);
                self.bump();
            } else {
                return Ok(false);
            }
        }
        let Some(Tok::Word(word)) = self.peek() else {
            return Ok(false);
        };
        let Some(month) = month_number(word) else {
            return Ok(false);
        };
        let day_follows = matches!(self.peek_at(1), Some(Tok::Number { digits: 1 | 2, .. }));
        if !day_follows {
            if year.is_none() {
                // A French `mar` (mardi) before its hours, or a month alone: the weekday reader or
                // the error for a lone month takes it from here.
                return Ok(false);
            }
            self.bump();
            return Err(CellError::new(format!(
                "\"{}\" names a month without a day; only single days (2026 Dec 25) can be written in Woosmap's hours.",
                self.rule_text()
            )));
        }
        self.bump();
        let day = self.day_number();
        let mut last = (month, day);
        if self.peek() == Some(&Tok::Dash) {
            match (self.peek_at(1), self.peek_at(2)) {
                (Some(&Tok::Number { digits: 1 | 2, .. }), _) => {
                    self.bump();
                    last = (month, self.day_number());
                }
                (Some(Tok::Word(w)), Some(Tok::Number { digits: 1 | 2, .. }))
                    if month_number(w).is_some() =>
                {
                    let end_month = month_number(w).unwrap_or(month);
                    self.i += 2;
                    last = (end_month, self.day_number());
                }
                _ => {}
            }
        }
        let Some(year) = year else {
            rule.undated = true;
            return Ok(true);
        };
        let from = self.date(year, month, day, first)?;
        let end_year = if last < (month, day) { year + 1 } else { year };
        let to = self.date(end_year, last.0, last.1, first)?;
        let mut date = from;
        while date <= to {
            if rule.dates.len() >= 366 {
                return Err(CellError::new(format!(
                    "\"{}\" covers more than a year of days.",
                    self.text_of(first, self.i)
                )));
            }
            rule.dates.push(date);
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        Ok(true)
    }

    /// The day number at the cursor (a caller checked it is one), moving past it.
    fn day_number(&mut self) -> u32 {
        let day = match self.peek() {
            Some(&Tok::Number { value, .. }) => value,
            _ => 0,
        };
        self.bump();
        day
    }

    fn date(&self, year: u32, month: u32, day: u32, first: usize) -> Result<NaiveDate, CellError> {
        i32::try_from(year)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
            .ok_or_else(|| {
                CellError::new(format!(
                    "\"{}\" is not a date of the calendar.",
                    self.text_of(first, self.i)
                ))
            })
    }

    /// `Mo-Fr`, `Mo,We,Fr`, `Fr-Mo`, `Sa,PH`.
    fn weekday_selector(&mut self, rule: &mut Rule) -> Result<bool, CellError> {
        let mut any = false;
        while let Some(Tok::Word(word)) = self.peek() {
            let word = word.clone();
            if is_holiday_word(&word) {
                rule.holidays.push(self.token_text(self.i).to_owned());
            } else if day_meanings(&word).is_empty() {
                break;
            } else {
                let first = self.weekday(&word)?;
                if self.peek_at(1) == Some(&Tok::Dash)
                    && matches!(self.peek_at(2), Some(Tok::Word(w)) if !day_meanings(w).is_empty())
                {
                    self.i += 2;
                    let Some(Tok::Word(end)) = self.peek() else {
                        return Err(self.unexpected());
                    };
                    let last = self.weekday(&end.clone())?;
                    let mut day = first;
                    loop {
                        rule.days.push(day);
                        if day == last {
                            break;
                        }
                        day = day % 7 + 1;
                    }
                } else {
                    rule.days.push(first);
                }
            }
            any = true;
            self.bump();
            if self.peek() == Some(&Tok::Comma) && self.is_day_word(1) {
                self.bump();
            } else {
                break;
            }
        }
        Ok(any)
    }

    /// `off`, `24/7`, or periods; `None` when none of them is next.
    fn body(&mut self) -> Result<Option<Body>, CellError> {
        match self.peek() {
            Some(Tok::Word(w)) if is_closed_word(w) => {
                self.bump();
                Ok(Some(Body::Closed))
            }
            Some(Tok::Number {
                value: 24,
                digits: 2,
            }) if self.peek_at(1) == Some(&Tok::Slash)
                && self.peek_at(2)
                    == Some(&Tok::Number {
                        value: 7,
                        digits: 1,
                    }) =>
            {
                self.i += 3;
                Ok(Some(Body::Spans(vec![(Span::AllDay, "24/7".to_owned())])))
            }
            Some(Tok::Word(w)) if w == "open" && self.starts_span(1) => {
                self.bump();
                self.spans()
            }
            _ if self.starts_span(0) => self.spans(),
            _ => Ok(None),
        }
    }

    fn starts_span(&self, k: usize) -> bool {
        match self.peek_at(k) {
            Some(Tok::Time(_)) => true,
            Some(Tok::Word(w)) if is_filler_word(w) => {
                matches!(self.peek_at(k + 1), Some(Tok::Time(_)))
            }
            _ => false,
        }
    }

    fn spans(&mut self) -> Result<Option<Body>, CellError> {
        let mut spans = vec![self.span()?];
        loop {
            if self.starts_span(0) {
                spans.push(self.span()?);
            } else if self.peek() == Some(&Tok::Comma) && self.starts_span(1) {
                self.bump();
                spans.push(self.span()?);
            } else {
                break;
            }
        }
        if matches!(self.peek(), Some(Tok::Word(w)) if w == "open") {
            self.bump();
        }
        if matches!(self.peek(), Some(Tok::Word(w)) if is_closed_word(w)) {
            return Err(CellError::new(format!(
                "\"{}\" closes during given hours, which Woosmap's hours cannot hold; give only the open periods.",
                self.rule_text()
            )));
        }
        Ok(Some(Body::Spans(spans)))
    }

    /// `08:00-12:00`, `22:00-02:00`, `from 9am to 5pm`.
    fn span(&mut self) -> Result<(Span, String), CellError> {
        let first = self.i;
        if matches!(self.peek(), Some(Tok::Word(w)) if is_filler_word(w)) {
            self.bump();
        }
        let Some(&Tok::Time(start)) = self.peek() else {
            return Err(self.unexpected());
        };
        self.bump();
        if self.peek() != Some(&Tok::Dash) {
            return Err(CellError::new(format!(
                "\"{}\" in \"{}\" has no end time; write periods as 08:00-12:00.",
                self.text_of(first, self.i),
                self.rule_text()
            )));
        }
        self.bump();
        let Some(&Tok::Time(end)) = self.peek() else {
            return Err(self.unexpected());
        };
        self.bump();
        let text = self.text_of(first, self.i).to_owned();
        let span = make_span(start, end, &text)?;
        Ok((span, text))
    }
}

fn time_of(minutes: u32, text: &str) -> Result<TimeOfDay, CellError> {
    TimeOfDay::from_hm(minutes / 60, minutes % 60)
        .ok_or_else(|| CellError::new(format!("\"{text}\" is not a period of a day.")))
}

fn make_span(start: u32, end: u32, text: &str) -> Result<Span, CellError> {
    if start >= DAY {
        return Err(CellError::new(format!(
            "\"{text}\" starts at 24:00 or later; a period starts between 00:00 and 23:59."
        )));
    }
    if start == 0 && end == DAY {
        return Ok(Span::AllDay);
    }
    if end == start || end == start + DAY {
        return Err(CellError::new(format!(
            "\"{text}\" starts and ends at the same time; write 00:00-24:00 for a day open around the clock."
        )));
    }
    let from = time_of(start, text)?;
    if end == 0 || end == DAY {
        return Ok(Span::Within(from, TimeOfDay::LAST_MINUTE));
    }
    if start < end && end < DAY {
        return Ok(Span::Within(from, time_of(end, text)?));
    }
    let next = if end < start { end } else { end - DAY };
    if next > start {
        return Err(CellError::new(format!(
            "\"{text}\" lasts more than 24 hours."
        )));
    }
    Ok(Span::Overnight(from, time_of(next, text)?))
}

// ---------------------------------------------------------------------------------------------
// Applying rules

#[derive(Default)]
struct Week {
    /// The periods each weekday's rules give it (Monday first); `None` for a day not named.
    days: [Option<Vec<Span>>; 7],
    special: BTreeMap<NaiveDate, Vec<Span>>,
}

impl Week {
    fn apply(
        &mut self,
        rule: Rule,
        additional: bool,
        notes: &mut Vec<CellNote>,
    ) -> Result<(), CellError> {
        notes.extend(rule.comments.iter().map(|c| comment_note(c)));
        if !rule.holidays.is_empty() {
            let which = rule.holidays.join(", ");
            notes.push(CellNote::warning(if rule.days.is_empty() {
                format!(
                    "Public and school holidays ({which}) cannot be written in Woosmap's opening hours; \"{}\" was left out.",
                    rule.text
                )
            } else {
                format!(
                    "Public and school holidays ({which}) cannot be written in Woosmap's opening hours; that part of \"{}\" was left out.",
                    rule.text
                )
            }));
            if rule.days.is_empty() {
                return Ok(());
            }
        }
        if rule.undated {
            notes.push(CellNote::warning(format!(
                "\"{}\" has no year, so it cannot become a special date; it was left out. Write the year first, as in \"2026 Dec 25 off\".",
                rule.text
            )));
            return Ok(());
        }
        let spans: Vec<(Span, String)> = match rule.body {
            Body::Closed => Vec::new(),
            Body::Spans(spans) => spans,
        };
        let closes = spans.is_empty();
        let plain: Vec<Span> = spans.iter().map(|(s, _)| *s).collect();
        if !rule.dates.is_empty() {
            if let Some((_, text)) = spans.iter().find(|(s, _)| matches!(s, Span::Overnight(..))) {
                return Err(CellError::new(format!(
                    "{text} in \"{}\" crosses midnight on a special date, which Woosmap's hours cannot hold; end it at 24:00 and give the next day its own hours.",
                    rule.text
                )));
            }
            for date in rule.dates {
                let day = self.special.entry(date).or_default();
                if !additional || closes {
                    day.clear();
                }
                day.extend(plain.iter().copied());
            }
            return Ok(());
        }
        let days: Vec<u8> = if rule.days.is_empty() {
            (1..=7).collect()
        } else {
            rule.days
        };
        for day in days {
            let Some(slot) = self.days.get_mut(usize::from(day - 1)) else {
                continue;
            };
            let periods = slot.get_or_insert_with(Vec::new);
            if !additional || closes {
                periods.clear();
            }
            periods.extend(plain.iter().copied());
        }
        for (span, text) in &spans {
            if let Span::Overnight(start, end) = span {
                notes.push(overnight_note(text, *start, *end));
            }
        }
        Ok(())
    }

    fn into_hours(self) -> OpeningHours {
        let mut usual: BTreeMap<DayKey, Vec<Period>> = BTreeMap::new();
        for (weekday, spans) in (1..=7u8).zip(&self.days) {
            let Some(spans) = spans else { continue };
            usual.entry(DayKey::Weekday(weekday)).or_default();
            for span in spans {
                for (day, period) in span.periods(weekday) {
                    usual.entry(DayKey::Weekday(day)).or_default().push(period);
                }
            }
        }
        usual.values_mut().for_each(|p| sort_periods(p));
        let special: BTreeMap<String, Vec<Period>> = self
            .special
            .into_iter()
            .map(|(date, spans)| {
                let mut periods: Vec<Period> = spans
                    .into_iter()
                    .flat_map(|s| s.periods(1).into_iter().map(|(_, p)| p))
                    .collect();
                sort_periods(&mut periods);
                (date.format("%Y-%m-%d").to_string(), periods)
            })
            .collect();
        OpeningHours {
            usual: (!usual.is_empty()).then_some(usual),
            special: (!special.is_empty()).then_some(special),
            ..OpeningHours::default()
        }
    }
}

/// Orders periods by start, all-day ones first, keeping the order of equal starts.
fn sort_periods(periods: &mut [Period]) {
    periods.sort_by_key(|p| {
        if p.is_all_day() {
            0
        } else {
            p.start
                .as_ref()
                .and_then(Time::time)
                .map_or(0, TimeOfDay::minutes)
        }
    });
}

#[cfg(test)]
mod tests;
