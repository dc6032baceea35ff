//! krisp-tui: read your Krisp meetings from a terminal (library half, so tests and benches reach it).

// The model's modules and the store under the names the app's code has always used; the crates
// themselves hold the layers (the model imports nothing of ours, the store only the model).
pub use krisp_model::{columns, export, fsx, json_schema, krisp, sanitize, timefmt};
/// The stand-in Krisp server (`krisp-tui sandbox`, `--demo`); the `demo` feature, on by default.
#[cfg(feature = "demo")]
pub use krisp_sandbox as sandbox;
pub use krisp_store as store;

pub mod app;
pub mod auth;
pub mod cli;
pub mod client;
pub mod cmd;
pub mod config;
pub mod library;
pub mod message;
pub mod net;
pub mod theme;
pub mod tui;
pub mod ui;

/// Sent as `User-Agent` on every request: Cloudflare in front of Krisp blocks requests without one.
pub const USER_AGENT: &str = concat!("krisp-tui/", env!("CARGO_PKG_VERSION"));
