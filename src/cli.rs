//! Command-line definitions: global options and subcommands.
