//! Woosmap JSON and GeoJSON text: the document reader, then conversion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storedesk::import::{self, ReadOptions};
use storedesk::validate::Context;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"{\"stores\": ".to_vec();
    bytes.extend_from_slice(data);
    for input in [data.to_vec(), bytes] {
        if let Ok(source) = import::read_bytes("f.json", input, &ReadOptions::default()) {
            let _ = import::convert(&source, None, &Context::today());
        }
    }
});
