//! The TUI in a real terminal (tmux on a private socket): the binary against `--demo`, keys at
//! a human pace, and every way of stopping it leaving a working terminal.
//!
//! One test binary per group (each module was a binary of its own): a change relinks five
//! binaries, not twenty-six.

mod demo;
mod signals;
