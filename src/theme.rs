//! Every style the UI draws with, in one place; `NO_COLOR` turns the colours off.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// The styles every pane draws with. Panes never build a `Style` from a colour themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Body text.
    pub text: Style,
    /// Secondary text: timestamps, counts, hints, placeholders.
    pub dim: Style,
    /// Things the eye should find: keys in hints, links, the active tab.
    pub accent: Style,
    /// The selected row or item.
    pub selection: Style,
    /// A search hit inside text.
    pub highlight: Style,
    pub error: Style,
    pub warning: Style,
    pub success: Style,
    pub border: Style,
    /// The border of the pane that has the keyboard.
    pub border_focused: Style,
    /// Pane titles and section headings.
    pub title: Style,
    /// Per-speaker colours for transcripts; see [`Theme::speaker`].
    pub speakers: Vec<Style>,
    /// True when colours are off (`NO_COLOR`): panes may add a marker where colour alone carried meaning.
    pub monochrome: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Self::dark()
    }
}

impl Theme {
    /// The default palette: the 16 ANSI colours only, so it follows the user's terminal scheme.
    pub fn dark() -> Self {
        Self {
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            accent: Style::new().fg(Color::Cyan),
            selection: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            highlight: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Yellow),
            success: Style::new().fg(Color::Green),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            title: Style::new().add_modifier(Modifier::BOLD),
            speakers: [
                Color::LightBlue,
                Color::LightGreen,
                Color::LightMagenta,
                Color::LightYellow,
                Color::LightCyan,
                Color::LightRed,
                Color::Blue,
                Color::Green,
                Color::Magenta,
                Color::Yellow,
            ]
            .into_iter()
            .map(|c| Style::new().fg(c).add_modifier(Modifier::BOLD))
            .collect(),
            monochrome: false,
        }
    }

    /// No colours at all, only bold / reversed / underlined (for `NO_COLOR`).
    pub fn monochrome() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            text: Style::new(),
            dim: Style::new().add_modifier(Modifier::DIM),
            accent: Style::new().add_modifier(Modifier::UNDERLINED),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            highlight: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            error: bold,
            warning: bold,
            success: Style::new(),
            border: Style::new(),
            border_focused: bold,
            title: bold,
            speakers: vec![bold],
            monochrome: true,
        }
    }

    /// [`Theme::dark`], or [`Theme::monochrome`] when `NO_COLOR` is set to a non-empty value
    /// (<https://no-color.org>).
    pub fn from_env() -> Self {
        if no_color() {
            Self::monochrome()
        } else {
            Self::dark()
        }
    }

    /// The style of the speaker at `index` in the meeting's speaker order (wraps around the palette).
    pub fn speaker(&self, index: usize) -> Style {
        match self.speakers.len() {
            0 => self.title,
            n => self.speakers[index % n],
        }
    }

    /// A stable palette index for a speaker name, for when no speaker order is known.
    pub fn speaker_index(name: &str) -> usize {
        // FNV-1a: stable across runs and platforms, unlike `DefaultHasher`.
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        usize::try_from(hash % 1024).unwrap_or(0)
    }

    /// Applies `[theme]` overrides from `config.toml`: `name = "colour"` or `"fg on bg"`.
    /// Unknown names and unparsable colours are returned as messages and otherwise ignored.
    /// Colours are not applied on a monochrome theme.
    pub fn apply_overrides(&mut self, overrides: &BTreeMap<String, String>) -> Vec<String> {
        let mut problems = Vec::new();
        if self.monochrome {
            return problems;
        }
        for (name, value) in overrides {
            let Some(style) = parse_style(value) else {
                problems.push(format!("theme.{name}: cannot read the colour {value:?}"));
                continue;
            };
            let slot = match name.as_str() {
                "text" => &mut self.text,
                "dim" => &mut self.dim,
                "accent" => &mut self.accent,
                "selection" => &mut self.selection,
                "highlight" => &mut self.highlight,
                "error" => &mut self.error,
                "warning" => &mut self.warning,
                "success" => &mut self.success,
                "border" => &mut self.border,
                "border_focused" => &mut self.border_focused,
                "title" => &mut self.title,
                _ => {
                    problems.push(format!("theme.{name}: no such style"));
                    continue;
                }
            };
            *slot = slot.patch(style);
        }
        problems
    }
}

/// `"red"`, `"#ff8800"`, `"black on yellow"`.
fn parse_style(value: &str) -> Option<Style> {
    let (fg, bg) = match value.split_once(" on ") {
        Some((fg, bg)) => (fg.trim(), Some(bg.trim())),
        None => (value.trim(), None),
    };
    let mut style = Style::new();
    if !fg.is_empty() {
        style = style.fg(Color::from_str(fg).ok()?);
    }
    if let Some(bg) = bg {
        style = style.bg(Color::from_str(bg).ok()?);
    }
    Some(style)
}

/// Whether the user asked for no colours: `NO_COLOR` set to a non-empty value
/// (<https://no-color.org>). The TUI's theme and the headless output both ask this.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaker_index_is_stable() {
        assert_eq!(
            Theme::speaker_index("Anna Lee"),
            Theme::speaker_index("Anna Lee")
        );
        assert_ne!(
            Theme::speaker_index("Anna Lee"),
            Theme::speaker_index("Bob Ray")
        );
    }

    #[test]
    fn monochrome_has_no_colours() {
        let t = Theme::monochrome();
        for s in [
            t.text,
            t.dim,
            t.accent,
            t.selection,
            t.highlight,
            t.error,
            t.title,
        ] {
            assert_eq!((s.fg, s.bg), (None, None));
        }
    }

    #[test]
    fn overrides_apply_and_report() {
        let mut t = Theme::dark();
        let o = BTreeMap::from([
            ("accent".to_owned(), "magenta".to_owned()),
            ("selection".to_owned(), "white on blue".to_owned()),
            ("nope".to_owned(), "red".to_owned()),
            ("error".to_owned(), "not-a-colour".to_owned()),
        ]);
        let problems = t.apply_overrides(&o);
        assert_eq!(t.accent.fg, Some(Color::Magenta));
        assert_eq!(
            (t.selection.fg, t.selection.bg),
            (Some(Color::White), Some(Color::Blue))
        );
        assert_eq!(problems.len(), 2);
    }
}
