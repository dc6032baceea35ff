//! Temporary stand-ins for `crate::ui::theme::Theme` and `crate::sanitize::clean`, removed when the `tui` branch lands.

use std::borrow::Cow;

use ratatui::style::{Color, Modifier, Style};

/// The named styles the panel draws with (same names as the TUI's theme).
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub accent: Style,
    pub selection: Style,
    pub highlight: Style,
    pub error: Style,
    pub warning: Style,
    pub success: Style,
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            accent: Style::new().fg(Color::Cyan),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            highlight: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            error: Style::new().fg(Color::Red),
            warning: Style::new().fg(Color::Yellow),
            success: Style::new().fg(Color::Green),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            title: Style::new().add_modifier(Modifier::BOLD),
        }
    }
}

/// Control characters and escape sequences become visible placeholders.
pub fn clean(s: &str) -> Cow<'_, str> {
    let bad =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{0}'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
                '\u{7F}' => '\u{2421}',
                c if bad(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}
