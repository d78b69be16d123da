//! Parses and validates a 15 MB Woosmap JSON file of generated stores with full opening hours,
//! and prints stores/s and MB/s. Run with `cargo bench --bench parse_validate`.

use std::time::{Duration, Instant};

use storedesk::model::parse_document;
use storedesk::validate::{Context, validate_set};

const TARGET_BYTES: usize = 15 * 1024 * 1024;

/// A small deterministic generator, so every run measures the same file.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CITIES: &[(&str, &str, &str, f64, f64)] = &[
    ("Paris", "FR", "Europe/Paris", 48.8566, 2.3522),
    ("Lyon", "FR", "Europe/Paris", 45.764, 4.8357),
    ("Berlin", "DE", "Europe/Berlin", 52.52, 13.405),
    ("Madrid", "ES", "Europe/Madrid", 40.4168, -3.7038),
    ("Roma", "IT", "Europe/Rome", 41.9028, 12.4964),
    ("London", "GB", "Europe/London", 51.5074, -0.1278),
    ("New York", "US", "America/New_York", 40.7128, -74.006),
    ("Montréal", "CA", "America/Toronto", 45.5017, -73.5673),
];

fn store_json(i: usize, rng: &mut Lcg) -> String {
    let (city, cc, tz, lat, lng) = CITIES[rng.below(CITIES.len() as u64) as usize];
    let dlat = (rng.below(200_000) as f64 - 100_000.0) / 1_000_000.0;
    let dlng = (rng.below(200_000) as f64 - 100_000.0) / 1_000_000.0;
    let open = 7 + rng.below(3);
    let close = 18 + rng.below(4);
    let days: Vec<String> = (1..=7)
        .map(|d| {
            if d == 7 {
                format!("\"{d}\": []")
            } else {
                format!(
                    "\"{d}\": [{{\"start\": \"{open:02}:00\", \"end\": \"12:30\"}}, {{\"start\": \"14:00\", \"end\": \"{close:02}:30\"}}]"
                )
            }
        })
        .collect();
    format!(
        r#"{{"storeId": "store_{i:06}", "name": "Store {i} {city}",
 "location": {{"lat": {:.6}, "lng": {:.6}}},
 "address": {{"lines": ["{} rue du Commerce", "Bâtiment {}"], "countryCode": "{cc}", "city": "{city}", "zipcode": "{:05}"}},
 "contact": {{"website": "https://example.com/stores/{i}", "phone": "+33 1 {:02} {:02} {:02} {:02}", "email": "store{i}@example.com"}},
 "types": ["drive", "click_and_collect"], "tags": ["wifi", "parking", "tag{}"],
 "userProperties": {{"region": "R{}", "surface_m2": {}, "manager": {{"name": "M {i}", "since": 2019}}}},
 "localizedNames": {{"fr": "Magasin {i}", "en": "Store {i}"}},
 "openingHours": {{"timezone": "{tz}", "usual": {{"default": [{{"start": "09:00", "end": "19:00"}}], {}}},
   "special": {{"2030-12-24": [{{"start": "09:00", "end": "16:00"}}], "2030-12-25": [], "2031-01-01": []}},
   "temporary_closure": [{{"start": "2030-08-01", "end": "2030-08-15"}}]}}}}"#,
        lat + dlat,
        lng + dlng,
        1 + rng.below(200),
        rng.below(9),
        rng.below(99_999),
        rng.below(100),
        rng.below(100),
        rng.below(100),
        rng.below(100),
        rng.below(50),
        rng.below(20),
        50 + rng.below(5000),
        days.join(", ")
    )
}

fn generate(target: usize) -> (String, usize) {
    let mut rng = Lcg(42);
    let mut out = String::with_capacity(target + 4096);
    out.push_str("{\"stores\": [\n");
    let mut n = 0;
    while out.len() < target - 2048 {
        if n > 0 {
            out.push_str(",\n");
        }
        out.push_str(&store_json(n, &mut rng));
        n += 1;
    }
    out.push_str("\n]}\n");
    (out, n)
}

fn main() {
    let (text, count) = generate(TARGET_BYTES);
    let mb = text.len() as f64 / 1_048_576.0;
    let ctx = Context {
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
    };
    // The country and time zone boundaries are read once, on first use.
    let start = Instant::now();
    storedesk::geo::warm_up();
    let geo_load = start.elapsed();
    let runs = 7;
    let mut parse_times = Vec::new();
    let mut total_times = Vec::new();
    let mut findings = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let doc = match parse_document(&text) {
            Ok(doc) => doc,
            Err(e) => {
                eprintln!("the generated file did not parse: {e}");
                std::process::exit(1);
            }
        };
        let parsed = start.elapsed();
        let stores: Vec<_> = doc
            .entries
            .into_iter()
            .filter_map(|e| e.result.ok())
            .collect();
        assert_eq!(stores.len(), count);
        let all = validate_set(&stores, &ctx);
        let total = start.elapsed();
        findings = all.iter().map(Vec::len).sum();
        parse_times.push(parsed);
        total_times.push(total);
    }
    let geo_per_store = geo_lookups(&text, &ctx);
    parse_times.sort();
    total_times.sort();
    let median = |v: &[Duration]| v[v.len() / 2];
    let (p, t) = (median(&parse_times), median(&total_times));
    println!(
        "parse_validate: {count} stores, {mb:.1} MB, {findings} findings, median of {runs} runs"
    );
    println!(
        "  parse:            {:>7.1} ms  {:>9.0} stores/s  {:>6.1} MB/s",
        p.as_secs_f64() * 1e3,
        count as f64 / p.as_secs_f64(),
        mb / p.as_secs_f64()
    );
    println!(
        "  parse + validate: {:>7.1} ms  {:>9.0} stores/s  {:>6.1} MB/s  (target: under 300 ms)",
        t.as_secs_f64() * 1e3,
        count as f64 / t.as_secs_f64(),
        mb / t.as_secs_f64()
    );
    println!(
        "  geography: first read of the boundaries {:.0} ms; the location rules' lookups {:.2} us a store",
        geo_load.as_secs_f64() * 1e3,
        geo_per_store.as_secs_f64() * 1e6
    );
}

/// The time the location rules' lookups take for one store (its country, then its time zone),
/// the median of five passes over every store.
fn geo_lookups(text: &str, ctx: &Context) -> Duration {
    let stores: Vec<_> = match parse_document(text) {
        Ok(doc) => doc
            .entries
            .into_iter()
            .filter_map(|e| e.result.ok())
            .collect(),
        Err(_) => return Duration::ZERO,
    };
    let mut passes = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut fits = 0;
        for s in &stores {
            let (Some(p), Some(code)) = (s.lat_lng(), s.country_code()) else {
                continue;
            };
            let tz = s.opening_hours.as_ref().and_then(|h| h.timezone.as_deref());
            if storedesk::geo::near_country(p.lat, p.lng, code)
                && tz.is_some_and(|tz| storedesk::geo::timezone_fits(tz, p.lat, p.lng, ctx.today))
            {
                fits += 1;
            }
        }
        passes.push(start.elapsed() / u32::try_from(stores.len().max(1)).unwrap_or(1));
        assert!(
            fits > stores.len() / 2,
            "{fits} stores where they should be"
        );
    }
    passes.sort();
    passes[passes.len() / 2]
}
