//! Any bytes, as a file of any name: read, mapped with the guess, converted. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use storedesk::import::{self, ReadOptions};
use storedesk::validate::Context;

fuzz_target!(|data: &[u8]| {
    for name in ["f.csv", "f.tsv", "f.json"] {
        if let Ok(source) = import::read_bytes(name, data.to_vec(), &ReadOptions::default()) {
            let _ = import::convert(&source, None, &Context::today());
        }
    }
});
