//! The layers under the fronts, end to end: the client task against the in-process sandbox,
//! the SQLite store on real files, and the sync against the real sandbox.
//!
//! One test binary per group (each module was a binary of its own): a change relinks five
//! binaries, not twenty-six.

/// The shared helpers (`krisp-testkit`).
mod common {
    pub use krisp_testkit::*;
}

mod store;
mod sync;
mod task;
