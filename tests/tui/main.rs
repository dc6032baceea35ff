//! The TUI as state: `update` sequences, snapshots of every screen, the tools panel, the
//! store-backed list and search, marking and exporting.
//!
//! One test binary per group (each module was a binary of its own): a change relinks five
//! binaries, not twenty-six.

/// The shared helpers (`krisp-testkit`).
mod common {
    pub use krisp_testkit::*;
}
#[path = "../tui_common/mod.rs"]
mod tui_common;

mod pictures;
mod polish;
mod screens;
mod snapshots;
mod store;
mod tools_panel;
mod update;
mod vault;
