//! The sandbox: a local Woosmap-compatible emulator inside the app, seeded on first run with
//! the sample stores in `assets/sandbox/stores.json`, and kept between runs in the sandbox
//! profile's folder.

use std::net::SocketAddr;
use std::path::Path;

use crate::emulator::{BackgroundEmulator, EmulatorConfig, start_in_background};
use crate::model::{Store, parse_document};
use crate::profiles::SANDBOX_PRIVATE_KEY;

/// The sample stores, built into the program.
pub const SAMPLE_STORES: &str = include_str!("../../assets/sandbox/stores.json");

/// The sample stores that can be read (all of them: a test checks it).
pub fn sample_stores() -> Vec<Store> {
    match parse_document(SAMPLE_STORES) {
        Ok(doc) => doc.stores().cloned().collect(),
        Err(_) => Vec::new(),
    }
}

/// Starts the sandbox's emulator on a free loopback port, with its project kept in
/// `state_file`; a new sandbox starts with the sample stores.
pub fn start(state_file: &Path) -> std::io::Result<BackgroundEmulator> {
    let fresh = !state_file.exists();
    if let Some(dir) = state_file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let emulator = start_in_background(
        EmulatorConfig {
            private_key: SANDBOX_PRIVATE_KEY.to_owned(),
            state_file: Some(state_file.to_path_buf()),
            ..EmulatorConfig::default()
        },
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )?;
    if fresh {
        emulator.set_stores(sample_stores());
    }
    Ok(emulator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_store_is_read() {
        let doc = parse_document(SAMPLE_STORES).expect("the sample file reads");
        assert_eq!(sample_stores().len(), doc.entries.len());
        assert!(sample_stores().len() >= 60);
    }

    #[test]
    fn a_new_sandbox_has_the_samples_and_keeps_its_changes() {
        let dir = tempfile::tempdir().expect("dir");
        let state = dir.path().join("sandbox").join("emulator.json");
        let emu = start(&state).expect("start");
        let n = emu.stores().len();
        assert_eq!(n, sample_stores().len());
        emu.set_stores(sample_stores().into_iter().take(3).collect());
        drop(emu);
        let again = start(&state).expect("start again");
        assert_eq!(again.stores().len(), 3, "the sandbox keeps its project");
    }
}
