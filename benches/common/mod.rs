//! Generated stores for the benchmarks: deterministic, varied, with full opening hours.

// Each bench uses a part of these helpers.
#![allow(dead_code)]

use storedesk::model::Store;

/// `n` stores `store_000000`.., each about 700 bytes of write-format JSON.
pub fn stores(n: usize) -> Vec<Store> {
    (0..n).map(store).collect()
}

pub fn store(i: usize) -> Store {
    let lat = 40.0 + (i % 1000) as f64 / 100.0;
    let lng = -5.0 + (i / 1000) as f64 / 10.0;
    let text = format!(
        r#"{{"storeId": "store_{i:06}", "name": "Store {i}",
 "location": {{"lat": {lat}, "lng": {lng}}},
 "address": {{"lines": ["{n} rue du Commerce"], "countryCode": "FR", "city": "Lyon", "zipcode": "69002"}},
 "contact": {{"website": "https://example.com/stores/{i}", "phone": "+33 4 72 00 {a:02} {b:02}", "email": "store{i}@example.com"}},
 "types": ["shop"], "tags": ["wifi", "parking"], "userProperties": {{"region": "R{r}", "surface": {i}}},
 "openingHours": {{"timezone": "Europe/Paris",
   "usual": {{"1": [{{"start": "09:00", "end": "12:30"}}, {{"start": "14:00", "end": "19:00"}}],
             "default": [{{"start": "09:00", "end": "19:00"}}], "7": []}},
   "special": {{"2026-12-24": [{{"start": "09:00", "end": "16:00"}}], "2026-12-25": []}}}}}}"#,
        n = i % 200 + 1,
        a = i % 100,
        b = (i / 100) % 100,
        r = i % 12,
    );
    match serde_json::from_str(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("the generated store does not parse: {e}");
            std::process::exit(1);
        }
    }
}

/// The value at `q` (0..=1) of sorted samples.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// User and system CPU seconds of a `/proc/.../stat` file's text.
pub fn cpu_ticks(stat: &str) -> Option<f64> {
    // Fields after the name in parentheses: utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next()?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    Some(ticks / 100.0)
}

/// CPU seconds this process has used so far, all its threads, ended ones included (Linux only;
/// 0 elsewhere).
pub fn process_cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .as_deref()
        .and_then(cpu_ticks)
        .unwrap_or(0.0)
}
