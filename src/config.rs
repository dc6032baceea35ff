//! Configuration: config dir, config.toml (server, keymap, theme), defaults compiled in.
