//! storedesk: edit Woosmap store data visually and push it safely to the Woosmap Data
//! Management API.
//!
//! The pure core (`model`, `hours`, `validate`) takes data and returns data; the window lives
//! in `app` and `ui`; `cli` is the command line. See ARCHITECTURE.md.

pub mod api;
pub mod app;
pub mod cli;
pub mod emulator;
pub mod export;
pub mod files;
pub mod geo;
pub mod hours;
pub mod import;
pub mod model;
pub mod profiles;
pub mod sync;
pub mod ui;
pub mod validate;
pub mod workspace;
