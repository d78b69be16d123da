//! Helpers shared by the sync tests.

use storedesk::emulator::RequestLog;
use storedesk::model::{Location, Store};

/// A valid store at a fixed place.
pub fn store(id: &str, name: &str) -> Store {
    Store {
        store_id: Some(id.into()),
        name: Some(name.into()),
        location: Some(Location::new(45.0, 5.0)),
        ..Store::default()
    }
}

/// Panics if the emulator ever received `DELETE /stores` without a `query`, the request that
/// wipes a whole project.
pub fn assert_no_delete_without_query(requests: &[RequestLog]) {
    for r in requests {
        if r.method == "DELETE" {
            assert!(
                r.path.contains("query="),
                "a delete without a query: {}",
                r.path
            );
        }
    }
}
