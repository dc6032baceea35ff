//! Key bindings as data: `assets/keymap.toml` compiled in, the user's `[keys.*]` merged over it.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::message::Action;

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// A keymap section: which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    Login,
    Home,
    Meeting,
    Export,
    Help,
    /// Typing into a text field: only keys that type nothing.
    Input,
    /// The tools panel's tool list.
    Tools,
    /// The meeting view's copy menu.
    Copy,
    /// A tool's form: only keys that do not type.
    ToolsForm,
    /// A tool's result.
    ToolsResult,
}

impl Mode {
    pub const ALL: [Mode; 11] = [
        Mode::Global,
        Mode::Login,
        Mode::Home,
        Mode::Meeting,
        Mode::Export,
        Mode::Help,
        Mode::Input,
        Mode::Tools,
        Mode::Copy,
        Mode::ToolsForm,
        Mode::ToolsResult,
    ];

    pub fn section(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Login => "login",
            Mode::Home => "home",
            Mode::Meeting => "meeting",
            Mode::Export => "export",
            Mode::Help => "help",
            Mode::Input => "input",
            Mode::Tools => "tools",
            Mode::Copy => "copy",
            Mode::ToolsForm => "tools_form",
            Mode::ToolsResult => "tools_result",
        }
    }

    fn from_section(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.section() == name)
    }
}

/// A key with its modifiers, normalised so `G` and `shift-g` are the same binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` is not `Ord`; this is the subset a binding can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

impl Key {
    pub fn from_event(event: KeyEvent) -> Option<Key> {
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCodeOrd::BackTab,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// The key event this key is (what a terminal sends for it).
    pub fn to_event(self) -> KeyEvent {
        let code = match self.code {
            KeyCodeOrd::Char(c) => KeyCode::Char(c),
            KeyCodeOrd::F(n) => KeyCode::F(n),
            KeyCodeOrd::Enter => KeyCode::Enter,
            KeyCodeOrd::Esc => KeyCode::Esc,
            KeyCodeOrd::Tab => KeyCode::Tab,
            KeyCodeOrd::BackTab => KeyCode::BackTab,
            KeyCodeOrd::Backspace => KeyCode::Backspace,
            KeyCodeOrd::Delete => KeyCode::Delete,
            KeyCodeOrd::Up => KeyCode::Up,
            KeyCodeOrd::Down => KeyCode::Down,
            KeyCodeOrd::Left => KeyCode::Left,
            KeyCodeOrd::Right => KeyCode::Right,
            KeyCodeOrd::Home => KeyCode::Home,
            KeyCodeOrd::End => KeyCode::End,
            KeyCodeOrd::PageUp => KeyCode::PageUp,
            KeyCodeOrd::PageDown => KeyCode::PageDown,
        };
        let mut modifiers = KeyModifiers::NONE;
        modifiers.set(KeyModifiers::CONTROL, self.ctrl);
        modifiers.set(KeyModifiers::ALT, self.alt);
        KeyEvent::new(code, modifiers)
    }

    /// `"ctrl-c"`, `"G"`, `"pagedown"`, `"backtab"`, `"f5"`, `"space"`.
    pub fn parse(text: &str) -> Option<Key> {
        let (mut ctrl, mut alt) = (false, false);
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                (ctrl, rest) = (true, r);
            } else if let Some(r) = rest.strip_prefix("alt-") {
                (alt, rest) = (true, r);
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(c),
            _ => match rest {
                "enter" => KeyCodeOrd::Enter,
                "esc" => KeyCodeOrd::Esc,
                "tab" => KeyCodeOrd::Tab,
                "backtab" | "shift-tab" => KeyCodeOrd::BackTab,
                "backspace" => KeyCodeOrd::Backspace,
                "delete" => KeyCodeOrd::Delete,
                "space" => KeyCodeOrd::Char(' '),
                "up" => KeyCodeOrd::Up,
                "down" => KeyCodeOrd::Down,
                "left" => KeyCodeOrd::Left,
                "right" => KeyCodeOrd::Right,
                "home" => KeyCodeOrd::Home,
                "end" => KeyCodeOrd::End,
                "pageup" | "pgup" => KeyCodeOrd::PageUp,
                "pagedown" | "pgdn" => KeyCodeOrd::PageDown,
                f => KeyCodeOrd::F(f.strip_prefix('f')?.parse().ok()?),
            },
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => f.write_str("Enter"),
            KeyCodeOrd::Esc => f.write_str("Esc"),
            KeyCodeOrd::Tab => f.write_str("Tab"),
            KeyCodeOrd::BackTab => f.write_str("Shift-Tab"),
            KeyCodeOrd::Backspace => f.write_str("Backspace"),
            KeyCodeOrd::Delete => f.write_str("Del"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
            KeyCodeOrd::Home => f.write_str("Home"),
            KeyCodeOrd::End => f.write_str("End"),
            KeyCodeOrd::PageUp => f.write_str("PgUp"),
            KeyCodeOrd::PageDown => f.write_str("PgDn"),
        }
    }
}

/// Every binding, per mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    modes: BTreeMap<Mode, BTreeMap<Key, Action>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let sections: BTreeMap<String, BTreeMap<String, Action>> =
            toml::from_str(DEFAULT_KEYMAP).unwrap_or_default();
        let (keymap, problems) = Keymap::empty().merged(&sections);
        debug_assert!(problems.is_empty(), "{problems:?}");
        keymap
    }
}

impl Keymap {
    /// "Press r to try again.", naming the key bound to `Refresh` in `mode`.
    pub fn retry_sentence(&self, mode: Mode) -> String {
        self.key_to_retry(mode, Action::Refresh)
    }

    /// "Press S to try again.", naming the key bound to `action` in `mode`.
    pub fn key_to_retry(&self, mode: Mode, action: Action) -> String {
        match (self.key_for(mode, action), mode) {
            (Some(key), _) => format!("Press {key} to try again."),
            (None, Mode::Meeting) => "Reopen the meeting to try again.".to_owned(),
            (None, _) => {
                format!("No key is bound to {action:?}: bind one in config.toml to retry.")
            }
        }
    }

    fn empty() -> Self {
        Self {
            modes: BTreeMap::new(),
        }
    }

    /// The defaults with `overrides` (from `config.toml`'s `[keys]`) merged in key by key.
    /// Unknown sections and unreadable keys are reported and skipped.
    pub fn with_overrides(
        overrides: &BTreeMap<String, BTreeMap<String, Action>>,
    ) -> (Keymap, Vec<String>) {
        Keymap::default().merged(overrides)
    }

    fn merged(
        mut self,
        sections: &BTreeMap<String, BTreeMap<String, Action>>,
    ) -> (Keymap, Vec<String>) {
        let mut problems = Vec::new();
        for (section, bindings) in sections {
            let Some(mode) = Mode::from_section(section) else {
                problems.push(format!("keys.{section}: no such screen"));
                continue;
            };
            let map = self.modes.entry(mode).or_default();
            for (text, action) in bindings {
                match Key::parse(text) {
                    Some(key) if *action == Action::Unbound => {
                        map.insert(key, Action::Unbound);
                    }
                    Some(key) => {
                        map.insert(key, *action);
                    }
                    None => problems.push(format!("keys.{section}: cannot read the key {text:?}")),
                }
            }
        }
        (self, problems)
    }

    /// The action for `event` in `mode`, falling back to the global bindings (except while typing).
    pub fn action(&self, mode: Mode, event: KeyEvent) -> Option<Action> {
        let key = Key::from_event(event)?;
        let found = match self.in_mode(mode, key) {
            // While typing, only keys that cannot type (Ctrl-C, F1) reach the global bindings.
            None if mode != Mode::Input || key.ctrl || matches!(key.code, KeyCodeOrd::F(_)) => {
                self.in_mode(Mode::Global, key)
            }
            found => found,
        };
        found.filter(|a| *a != Action::Unbound)
    }

    /// The action `event` is bound to in `mode` itself, without the global bindings (the
    /// tools panel's panes, which let only quit and help through).
    pub fn bound(&self, mode: Mode, event: KeyEvent) -> Option<Action> {
        let key = Key::from_event(event)?;
        self.in_mode(mode, key).filter(|a| *a != Action::Unbound)
    }

    /// What `key` is bound to in `mode`'s own section (`Unbound` included: it hides a global key).
    fn in_mode(&self, mode: Mode, key: Key) -> Option<Action> {
        self.modes.get(&mode)?.get(&key).copied()
    }

    /// The keys bound to any of `actions` in `mode` itself, the most readable first (Enter,
    /// Esc, Tab; then Space, arrows and other named keys; function keys; letters; then the same
    /// with Ctrl or Alt), in the order of `actions` among equals: for the hints of panes that
    /// list them without the global ones.
    pub fn keys_for(&self, mode: Mode, actions: &[Action]) -> Vec<Key> {
        let mut keys: Vec<(Key, usize)> = self
            .modes
            .get(&mode)
            .into_iter()
            .flatten()
            .filter_map(|(k, a)| Some((*k, actions.iter().position(|x| x == a)?)))
            .collect();
        keys.sort_by_key(|&(k, at)| {
            let class = match k.code {
                KeyCodeOrd::Enter | KeyCodeOrd::Esc | KeyCodeOrd::Tab | KeyCodeOrd::BackTab => 0,
                KeyCodeOrd::F(_) => 2,
                KeyCodeOrd::Char(' ') => 1,
                KeyCodeOrd::Char(_) => 3,
                _ => 1,
            };
            (k.ctrl || k.alt, class, at, k)
        });
        keys.into_iter().map(|(k, _)| k).collect()
    }

    /// The bindings of `mode` grouped by action, in the order of `Action`, for help and hints.
    pub fn bindings(&self, mode: Mode) -> Vec<(Action, Vec<Key>)> {
        let mut by_action: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for (key, action) in self.modes.get(&mode).into_iter().flatten() {
            if *action != Action::Unbound {
                by_action.entry(*action).or_default().push(*key);
            }
        }
        by_action.into_iter().collect()
    }

    /// The first key bound to `action` in `mode` (or globally), for the status bar hints.
    pub fn key_for(&self, mode: Mode, action: Action) -> Option<Key> {
        [mode, Mode::Global].into_iter().find_map(|m| {
            self.modes
                .get(&m)?
                .iter()
                .filter(|(_, a)| **a == action)
                .map(|(k, _)| *k)
                .min_by_key(|k| {
                    // Enter / Esc / Tab read best; then plain letters; then the rest.
                    let named = matches!(
                        k.code,
                        KeyCodeOrd::Enter | KeyCodeOrd::Esc | KeyCodeOrd::Tab | KeyCodeOrd::BackTab
                    );
                    let plain = matches!(k.code, KeyCodeOrd::Char(_)) && !k.ctrl && !k.alt;
                    (!named, !plain, k.ctrl, k.alt)
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_parse_completely() {
        let sections: BTreeMap<String, BTreeMap<String, Action>> =
            toml::from_str(DEFAULT_KEYMAP).expect("keymap.toml parses");
        let (_, problems) = Keymap::empty().merged(&sections);
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn lookup_normalises_shift_and_falls_back_to_global() {
        let k = Keymap::default();
        assert_eq!(
            k.action(Mode::Home, key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            k.action(
                Mode::Meeting,
                key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            k.action(Mode::Input, key(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            k.action(Mode::Home, key(KeyCode::Tab, KeyModifiers::SHIFT)),
            Some(Action::PrevTab)
        );
    }

    #[test]
    fn user_overrides_key_by_key() {
        let overrides = BTreeMap::from([(
            "meeting".to_owned(),
            BTreeMap::from([
                ("x".to_owned(), Action::Export),
                ("e".to_owned(), Action::Unbound),
                ("ctrl-what-".to_owned(), Action::Quit),
            ]),
        )]);
        let (k, problems) = Keymap::with_overrides(&overrides);
        let none = KeyModifiers::NONE;
        assert_eq!(
            k.action(Mode::Meeting, key(KeyCode::Char('x'), none)),
            Some(Action::Export)
        );
        assert_eq!(k.action(Mode::Meeting, key(KeyCode::Char('e'), none)), None);
        assert_eq!(
            k.action(Mode::Meeting, key(KeyCode::Char('o'), none)),
            Some(Action::OpenInBrowser)
        );
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn keys_round_trip_through_text() {
        for text in [
            "ctrl-c", "G", "pagedown", "backtab", "f5", "space", "alt-x", "enter",
        ] {
            assert!(Key::parse(text).is_some(), "{text}");
        }
        assert_eq!(
            Key::parse("ctrl-c").map(|k| k.to_string()).as_deref(),
            Some("Ctrl-c")
        );
        assert_eq!(Key::parse("f99x"), None);
    }
}
