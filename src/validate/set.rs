//! Rules across stores: duplicated ids, two stores at the same place, an address line copied
//! into a store of another city.

use std::collections::HashMap;

use super::{Code, Context, Finding, validate_store};
use crate::model::Store;
use crate::model::countries::fold_name;

/// Two stores closer than this, in metres, are at the same place.
pub const SAME_PLACE_METRES: f64 = 5.0;

/// The findings of every store, in the order given, with the rules across stores added.
pub fn validate_set(stores: &[Store], ctx: &Context) -> Vec<Vec<Finding>> {
    let mut all: Vec<Vec<Finding>> = stores.iter().map(|s| validate_store(s, ctx)).collect();
    add_set_findings(stores, &mut all);
    all
}

/// Adds the findings of the rules across stores to `all`, the findings of each store alone (in
/// the order of `stores`), for a caller that validated the stores itself.
pub fn add_set_findings(stores: &[Store], all: &mut [Vec<Finding>]) {
    duplicate_ids(stores, all);
    same_place(stores, all);
    copied_address_lines(stores, all);
}

fn duplicate_ids(stores: &[Store], all: &mut [Vec<Finding>]) {
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in stores.iter().enumerate() {
        if !s.id().is_empty() {
            by_id.entry(s.id()).or_default().push(i);
        }
    }
    for (id, indexes) in by_id {
        if indexes.len() < 2 {
            continue;
        }
        for &i in &indexes {
            let others: Vec<String> = indexes
                .iter()
                .filter(|&&j| j != i)
                .map(|j| format!("#{}", j + 1))
                .collect();
            all[i].push(Finding::new(
                Code::StoreIdDuplicate,
                "storeId",
                format!(
                    "storeId \"{id}\" is also used by store {}; each store needs its own id.",
                    others.join(", ")
                ),
            ));
        }
    }
}

fn same_place(stores: &[Store], all: &mut [Vec<Finding>]) {
    // Cells of 1e-4 degree (about 11 m of latitude): a pair closer than 5 m is in the same or
    // a neighbouring cell.
    const CELL: f64 = 1e-4;
    let cell_of = |lat: f64, lng: f64| ((lat / CELL).floor() as i64, (lng / CELL).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    let points: Vec<Option<(f64, f64)>> = stores
        .iter()
        .map(|s| {
            s.lat_lng()
                .filter(|p| {
                    p.lat.is_finite() && p.lng.is_finite() && !(p.lat == 0.0 && p.lng == 0.0)
                })
                .map(|p| (p.lat, p.lng))
        })
        .collect();
    for (i, p) in points.iter().enumerate() {
        if let Some((lat, lng)) = p {
            grid.entry(cell_of(*lat, *lng)).or_default().push(i);
        }
    }
    for (i, p) in points.iter().enumerate() {
        let Some((lat, lng)) = *p else { continue };
        let (cy, cx) = cell_of(lat, lng);
        let mut near: Vec<usize> = Vec::new();
        for dy in -1..=1 {
            for dx in -1..=1 {
                for &j in grid.get(&(cy + dy, cx + dx)).into_iter().flatten() {
                    if j == i {
                        continue;
                    }
                    if let Some((lat2, lng2)) = points[j]
                        && distance_metres(lat, lng, lat2, lng2) < SAME_PLACE_METRES
                    {
                        near.push(j);
                    }
                }
            }
        }
        if !near.is_empty() {
            near.sort_unstable();
            let names: Vec<String> = near
                .iter()
                .take(5)
                .map(|&j| format!("\"{}\"", stores[j].id()))
                .collect();
            all[i].push(Finding::new(
                Code::SamePlace,
                "location",
                format!(
                    "The store is less than {SAME_PLACE_METRES} m from {} {}; check that it is not a duplicate or a misplaced pin.",
                    if near.len() == 1 { "store" } else { "stores" },
                    names.join(", ")
                ),
            ));
        }
    }
}

/// Great-circle distance on a spherical Earth.
pub fn distance_metres(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().asin()
}

fn copied_address_lines(stores: &[Store], all: &mut [Vec<Finding>]) {
    // One pass over the stores, in order: each line long enough to tell apart, folded, joins
    // the group of the lines folding alike, and the store's city is folded while it is at
    // hand. Cities are compared as small numbers, one per distinct folded city.
    let mut group_of: HashMap<String, usize> = HashMap::new();
    // For each group, the stores using it, once per use, in the order met.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // (store, line number, group, line), in the order of the stores and their lines.
    let mut uses: Vec<(usize, usize, usize, &str)> = Vec::new();
    let mut city_numbers: HashMap<String, usize> = HashMap::new();
    let mut city_of: Vec<usize> = vec![0; stores.len()];
    for (i, s) in stores.iter().enumerate() {
        let lines = s.address.as_ref().and_then(|a| a.lines.as_ref());
        let mut city_known = false;
        for (n, line) in lines.into_iter().flatten().enumerate() {
            let key = fold_name(line);
            if key.len() < 8 {
                continue;
            }
            if !city_known {
                let next = city_numbers.len();
                city_of[i] = *city_numbers.entry(fold_name(s.city())).or_insert(next);
                city_known = true;
            }
            let next = groups.len();
            let g = *group_of.entry(key).or_insert(next);
            if g == next {
                groups.push(Vec::new());
            }
            groups[g].push(i);
            uses.push((i, n, g, line));
        }
    }
    // A group is reported when its stores are not all in one city.
    let mixed: Vec<bool> = groups
        .iter()
        .map(|g| g.iter().any(|&i| city_of[i] != city_of[g[0]]))
        .collect();
    // "\"{id}\" in {city}" for the first three uses of a group in another city than a store's,
    // worked out once for each group and city.
    let mut elsewhere: HashMap<(usize, usize), String> = HashMap::new();
    for &(i, n, g, line) in &uses {
        if !mixed[g] {
            continue;
        }
        let mine = city_of[i];
        let others = elsewhere.entry((g, mine)).or_insert_with(|| {
            let mut text = String::new();
            let found = groups[g].iter().filter(|&&j| city_of[j] != mine).take(3);
            for (k, &j) in found.enumerate() {
                if k > 0 {
                    text.push_str(", ");
                }
                text.push('"');
                text.push_str(stores[j].id());
                text.push_str("\" in ");
                text.push_str(stores[j].city());
            }
            text
        });
        let mut message = String::with_capacity(80 + line.len() + others.len());
        message.push_str("Address line \"");
        message.push_str(line);
        message.push_str("\" is also the address of ");
        message.push_str(others);
        message.push_str(", in another city: it may have been copied by mistake.");
        // In the order of the stores and, within a store, of its lines.
        all[i].push(Finding::new(
            Code::AddressLineCopied,
            format!("address.lines[{n}]"),
            message,
        ));
    }
}
