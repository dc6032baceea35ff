//! The domain model and the code's shape: tolerant parsers, every export format, property and
//! stress tests on hostile input, and the module layering.
//!
//! One test binary per group (each module was a binary of its own): a change relinks five
//! binaries, not twenty-six.

mod document;
mod export_formats;
mod export_props;
mod layering;
mod meeting;
mod stress;
