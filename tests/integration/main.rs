//! The integration tests, built as one program so that the application is compiled into one
//! test program rather than one per file (a build of the tests takes less time and much less
//! disk). Run one module's tests with `cargo test --test integration <module>::`.

mod common;
mod window;

mod api_client;
mod cli_import;
mod cli_pull;
mod cli_validate;
mod cli_workspace;
mod crash_push;
mod emulator_http;
mod import_shared;
mod model_formats;
mod model_props;
mod sandbox_assets;
mod shared_spec;
mod sync_props;
mod sync_push;
mod ui_editing;
mod ui_files;
mod ui_flows;
mod ui_hours_editor;
