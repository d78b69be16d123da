//! Delimited text: delimiter and header detection, encodings, ragged rows, then conversion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storedesk::import::{self, Source, table};
use storedesk::validate::Context;

fuzz_target!(|data: &[u8]| {
    let tab = data.first().is_some_and(|b| b & 1 == 1);
    if let Ok(t) = table::read_delimited(data, tab) {
        let _ = import::convert(&Source::Table(t), None, &Context::today());
    }
});
