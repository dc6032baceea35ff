//! The real `krisp-tui` binary as scripts use it: the headless commands against the sandbox
//! and small servers on loopback, exports, the vault, and the sandbox's own endpoints.
//!
//! One test binary per group (each module was a binary of its own): a change relinks five
//! binaries, not twenty-six.

/// The shared helpers (`krisp-testkit`) and the binary under test.
mod common {
    pub use krisp_testkit::*;
    pub const BIN: &str = env!("CARGO_BIN_EXE_krisp-tui");
}

mod daily;
mod export_snapshots;
mod hardening;
mod open_server;
mod sandbox;
mod sandbox_endpoints;
mod vault;
