//! Spreadsheet containers (XLSX, XLS, ODS), broken or not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storedesk::import::{self, Source, table};
use storedesk::validate::Context;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = table::read_spreadsheet(data, None) {
        let _ = import::convert(&Source::Table(t), None, &Context::today());
    }
});
