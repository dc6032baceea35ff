//! `config.toml` in the config dir: the server, key bindings per screen and theme overrides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::message::Action;

/// The compiled-in default configuration, shipped as a commented template.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

/// The user's configuration. Every field is optional; missing ones fall back to the defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The MCP server URL.
    pub server: Option<String>,
    /// When the TUI syncs the local store: on start (`auto`, the default) or on `S` only.
    pub sync: SyncMode,
    /// The zone times are shown in: `"local"` (the default: `TZ`, else the system's), `"UTC"`, or
    /// an IANA name such as `"Europe/Berlin"`. Exports keep UTC in machine fields.
    pub timezone: Option<String>,
    /// Seconds a request may take before it is given up (`--timeout`).
    pub timeout: Option<u64>,
    /// Style overrides by name (see `theme::Theme::apply_overrides`).
    pub theme: BTreeMap<String, String>,
    /// `[keys.<section>] "<key>" = "<Action>"`, merged over `assets/keymap.toml` key by key.
    pub keys: BTreeMap<String, BTreeMap<String, Action>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    #[default]
    Auto,
    Manual,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
}

impl Config {
    /// The file name inside the config dir.
    pub const FILE_NAME: &str = "config.toml";

    /// The default config dir: `$XDG_CONFIG_HOME/krisp-tui` or the platform's equivalent.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("krisp-tui"))
    }

    /// Reads `config.toml` from `dir`; a missing file is the default configuration.
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(Self::FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text).map_err(|source| ConfigError::Parse {
                path,
                source: Box::new(source),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_template_parses_to_defaults() {
        let c = Config::parse(DEFAULT_CONFIG).expect("template parses");
        assert_eq!(c.server, None);
        assert!(c.theme.is_empty());
    }

    #[test]
    fn keys_and_theme_parse() {
        let c = Config::parse(
            "server = \"http://x/mcp\"\n[theme]\naccent = \"red\"\n[keys.meeting]\n\"x\" = \"Export\"\n",
        )
        .expect("parses");
        assert_eq!(c.server.as_deref(), Some("http://x/mcp"));
        assert_eq!(c.keys["meeting"]["x"], Action::Export);
        assert_eq!(c.sync, SyncMode::Auto);
        assert_eq!(
            Config::parse("sync = \"manual\"\n").unwrap().sync,
            SyncMode::Manual
        );
        assert!(Config::parse("sync = \"sometimes\"\n").is_err());
    }

    #[test]
    fn unknown_action_is_an_error() {
        assert!(Config::parse("[keys.home]\n\"x\" = \"Explode\"\n").is_err());
    }

    #[test]
    fn missing_file_is_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(Config::load(dir.path()).expect("loads"), Config::default());
    }
}
