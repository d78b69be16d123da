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
    duplicate_ids(stores, &mut all);
    same_place(stores, &mut all);
    copied_address_lines(stores, &mut all);
    all
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
    let mut by_line: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (i, s) in stores.iter().enumerate() {
        let lines = s.address.as_ref().and_then(|a| a.lines.as_ref());
        for (n, line) in lines.into_iter().flatten().enumerate() {
            let key = fold_name(line);
            if key.len() >= 8 {
                by_line.entry(key).or_default().push((i, n));
            }
        }
    }
    for uses in by_line.values() {
        let city = |i: usize| fold_name(stores[i].city());
        let first_city = city(uses[0].0);
        if uses.iter().all(|&(i, _)| city(i) == first_city) {
            continue;
        }
        for &(i, n) in uses {
            let mine = city(i);
            let elsewhere: Vec<String> = uses
                .iter()
                .filter(|&&(j, _)| city(j) != mine)
                .take(3)
                .map(|&(j, _)| format!("\"{}\" in {}", stores[j].id(), stores[j].city()))
                .collect();
            let line = stores[i]
                .address
                .as_ref()
                .and_then(|a| a.lines.as_ref())
                .and_then(|l| l.get(n))
                .cloned()
                .unwrap_or_default();
            all[i].push(Finding::new(
                Code::AddressLineCopied,
                format!("address.lines[{n}]"),
                format!(
                    "Address line \"{line}\" is also the address of {}, in another city: it may have been copied by mistake.",
                    elsewhere.join(", ")
                ),
            ));
        }
    }
}
