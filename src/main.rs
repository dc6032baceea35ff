//! The `krisp-tui` binary: parse the command line and run a subcommand or the TUI.
fn main() {}
