//! `config.toml` in the config dir: the server, key bindings per screen and theme overrides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

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

impl Config {
    /// The file name inside the config dir.
    pub const FILE_NAME: &str = "config.toml";

    /// The default config dir: `$XDG_CONFIG_HOME/krisp-tui` or the platform's equivalent.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("krisp-tui"))
    }

    /// Reads `config.toml` from `dir`: what could be read, and one line per problem (a missing
    /// file is the default configuration, with no problem).
    pub fn load(dir: &Path) -> (Config, Vec<String>) {
        let path = dir.join(Self::FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::read(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), Vec::new()),
            Err(e) => (
                Config::default(),
                vec![format!("cannot read {}: {e}", path.display())],
            ),
        }
    }

    /// Every setting that can be read, and a line (`config.toml line N: …`) for each one
    /// that cannot: a mistake in one setting does not cost the others, and every mistake is
    /// reported, not only the first.
    pub fn read(text: &str) -> (Config, Vec<String>) {
        let (table, errors) = DeTable::parse_recoverable(text);
        let mut problems: Vec<(usize, String)> = errors
            .iter()
            .map(|e| problem(text, e.span(), None, e.message()))
            .collect();
        let mut report = |span: std::ops::Range<usize>, name: &str, message: &str| {
            problems.push(problem(text, Some(span), Some(name), message));
        };
        let mut config = Config::default();
        for (key, value) in table.into_inner() {
            let (name, key_span) = (key.get_ref().to_string(), key.span());
            match name.as_str() {
                "server" => config.server = setting(&name, value, &mut report).flatten(),
                "sync" => config.sync = setting(&name, value, &mut report).unwrap_or_default(),
                "timezone" => config.timezone = setting(&name, value, &mut report).flatten(),
                "timeout" => config.timeout = setting(&name, value, &mut report).flatten(),
                "theme" => {
                    for (style, value) in entries(&name, value, &mut report) {
                        let full = format!("theme.{style}");
                        if let Some(v) = setting(&full, value, &mut report) {
                            config.theme.insert(style, v);
                        }
                    }
                }
                "keys" => {
                    for (section, value) in entries(&name, value, &mut report) {
                        let full = format!("keys.{section}");
                        let mut bindings = BTreeMap::new();
                        for (key, value) in entries(&full, value, &mut report) {
                            let full = format!("keys.{section}.{key}");
                            if let Some(action) = setting(&full, value, &mut report) {
                                bindings.insert(key, action);
                            }
                        }
                        config.keys.insert(section, bindings);
                    }
                }
                _ => report(
                    key_span,
                    &name,
                    "no such setting (there are server, sync, timezone, timeout, theme and keys)",
                ),
            }
        }
        // In the order of the file; a stable sort keeps one line's problems as found.
        problems.sort_by_key(|(line, _)| *line);
        (config, problems.into_iter().map(|(_, p)| p).collect())
    }

    /// All or nothing: the first problem is the error (tests, and callers that must not guess).
    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }
}

/// Where a problem was found, its name and what is wrong.
type Report<'a> = dyn FnMut(std::ops::Range<usize>, &str, &str) + 'a;

/// One value deserialized on its own, so that its error names it and spares its neighbours.
fn setting<T: serde::de::DeserializeOwned>(
    name: &str,
    value: Spanned<DeValue<'_>>,
    report: &mut Report<'_>,
) -> Option<T> {
    let span = value.span();
    T::deserialize(ValueDeserializer::from(value))
        .map_err(|e| report(e.span().unwrap_or(span), name, e.message()))
        .ok()
}

/// The entries of a table (`theme`, `keys`, `keys.<section>`); anything else is a problem.
fn entries<'i>(
    name: &str,
    value: Spanned<DeValue<'i>>,
    report: &mut Report<'_>,
) -> Vec<(String, Spanned<DeValue<'i>>)> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Table(table) => table
            .into_iter()
            .map(|(k, v)| (k.into_inner().into_owned(), v))
            .collect(),
        _ => {
            report(span, name, "must be a table");
            Vec::new()
        }
    }
}

/// `config.toml line N: name: message`, on one line (toml's own messages can run over several
/// lines, or list every possible value), with its line number for ordering.
fn problem(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    name: Option<&str>,
    message: &str,
) -> (usize, String) {
    let mut message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(cut) = message.find(", expected one of") {
        message.truncate(cut);
    }
    let line = span.map_or(0, |s| {
        text.get(..s.start).unwrap_or(text).matches('\n').count() + 1
    });
    let at = if line > 0 {
        format!(" line {line}")
    } else {
        String::new()
    };
    let file = Config::FILE_NAME;
    let text = match name {
        Some(name) => format!("{file}{at}: {name}: {message}"),
        None => format!("{file}{at}: {message}"),
    };
    (line, text)
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
    fn every_problem_is_reported_on_a_line_of_its_own_and_the_rest_is_kept() {
        let text = "server = \"http://x/mcp\"\nsync = \"sometimes\"\ncolour = \"red\"\ntimeout = \"soon\"\n[theme]\naccent = 5\ndim = \"gray\"\n[keys.home]\n\"x\" = \"Explode\"\n\"e\" = \"Export\"\n";
        let (config, problems) = Config::read(text);
        assert_eq!(
            problems,
            [
                "config.toml line 2: sync: unknown variant `sometimes`, expected `auto` or `manual`",
                "config.toml line 3: colour: no such setting (there are server, sync, timezone, timeout, theme and keys)",
                "config.toml line 4: timeout: invalid type: string \"soon\", expected u64",
                "config.toml line 6: theme.accent: invalid type: integer `5`, expected a string",
                "config.toml line 9: keys.home.x: unknown variant `Explode`",
            ]
        );
        // What could be read is used.
        assert_eq!(config.server.as_deref(), Some("http://x/mcp"));
        assert_eq!(config.sync, SyncMode::Auto);
        assert_eq!(config.theme.get("dim").map(String::as_str), Some("gray"));
        assert_eq!(config.keys["home"].get("e"), Some(&Action::Export));
        assert_eq!(config.keys["home"].get("x"), None);
    }

    #[test]
    fn syntax_errors_are_one_line_each_and_a_good_file_has_none() {
        let (_, problems) = Config::read("server = \nsync = \"manual\"\n[theme\n");
        // Two syntax errors, both reported, each on one line (toml's own text spans several).
        assert_eq!(
            problems,
            [
                "config.toml line 1: string values must be quoted, expected literal string",
                "config.toml line 3: unclosed table, expected `]`",
            ]
        );
        let (config, problems) = Config::read(DEFAULT_CONFIG);
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(config, Config::parse(DEFAULT_CONFIG).unwrap());
        let (config, problems) =
            Config::read("sync = \"manual\"\n[keys.meeting]\n\"x\" = \"Export\"\n");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(
            config,
            Config::parse("sync = \"manual\"\n[keys.meeting]\n\"x\" = \"Export\"\n").unwrap()
        );
    }

    #[test]
    fn missing_file_is_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(Config::load(dir.path()), (Config::default(), Vec::new()));
    }
}
