//! krisp-tui: read your Krisp meetings from a terminal (library half, so tests and benches reach it).

pub mod app;
pub mod auth;
pub mod cli;
pub mod client;
pub mod cmd;
pub mod columns;
pub mod config;
pub mod export;
pub mod fsx;
pub mod json_schema;
pub mod krisp;
pub mod library;
pub mod message;
pub mod net;
pub mod sandbox;
pub mod sanitize;
pub mod store;
pub mod theme;
pub mod timefmt;
pub mod tui;
pub mod ui;

/// Sent as `User-Agent` on every request: Cloudflare in front of Krisp blocks requests without one.
pub const USER_AGENT: &str = concat!("krisp-tui/", env!("CARGO_PKG_VERSION"));
