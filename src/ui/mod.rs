//! Drawing: one file per pane, each a pure function of `&State`.

pub mod copy;
pub mod export;
pub mod help;
pub mod home;
pub mod login;
pub mod markdown;
pub mod meeting;
pub mod status;
pub mod tools;
pub mod tools_screen;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub use crate::app::layout;
use crate::app::{Overlay, Screen, State};
pub use crate::theme::{self, Theme};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for this tick.
pub fn spinner(state: &State) -> &'static str {
    SPINNER[state.spinner % SPINNER.len()]
}

/// The focused pane's frame: its title spans, then a spinner while something loads.
pub fn focused_pane<'a>(
    mut title: Vec<Span<'a>>,
    loading: bool,
    state: &State,
    theme: &Theme,
) -> ratatui::widgets::Block<'a> {
    if loading {
        title.push(Span::styled(
            format!("{} loading ", spinner(state)),
            theme.accent,
        ));
    }
    ratatui::widgets::Block::bordered()
        .border_style(theme.border_focused)
        .title(Line::from(title))
}

impl Widget for &State {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        match self.screen {
            Screen::Login => login::render(self, area, buf),
            Screen::Home => home::render(self, area, buf),
            Screen::Meeting => meeting::render(self, area, buf),
            Screen::Tools => tools_screen::render(self, area, buf),
        }
        match &self.overlay {
            Some(Overlay::Help { scroll, behind }) => {
                match behind.as_deref() {
                    Some(Overlay::Export(dialog)) => export::render(self, dialog, area, buf),
                    Some(Overlay::Copy { selected }) => copy::render(self, *selected, area, buf),
                    _ => {}
                }
                help::render(self, *scroll, area, buf)
            }
            Some(Overlay::Export(dialog)) => export::render(self, dialog, area, buf),
            Some(Overlay::Copy { selected }) => copy::render(self, *selected, area, buf),
            Some(Overlay::Messages { scroll }) => help::render_messages(self, *scroll, area, buf),
            None => {}
        }
        // The messages overlay lists the toasts already: one drawn over it would hide a line.
        if !matches!(self.overlay, Some(Overlay::Messages { .. })) {
            status::render_toast(self, area, buf);
        }
    }
}

/// A one-line prompt: label, the text with a block cursor, and a note on the right.
pub fn prompt_line<'a>(
    theme: &Theme,
    label: &'a str,
    input: &'a crate::app::input::LineInput,
    note: String,
) -> Line<'a> {
    let mut spans = vec![Span::styled(label, theme.accent)];
    spans.extend(input_spans(input, usize::MAX, theme.text, theme.selection));
    spans.push(Span::styled(format!("  {note}"), theme.dim));
    Line::from(spans)
}

/// A one-line text field in `width` columns: the text, scrolled so that the cursor shows, with
/// the character under the cursor (a space at the end) in `cursor`.
pub fn input_spans(
    input: &crate::app::input::LineInput,
    width: usize,
    text: Style,
    cursor: Style,
) -> Vec<Span<'_>> {
    use unicode_truncate::UnicodeTruncateStr;
    let (before, after) = input.text().split_at(input.cursor());
    let (before, _) = before.unicode_truncate_start(width.saturating_sub(1));
    let mut chars = after.chars();
    let at = chars.next().map_or(" ".to_owned(), String::from);
    vec![
        Span::styled(before, text),
        Span::styled(at, cursor),
        Span::styled(chars.as_str(), text),
    ]
}

/// Splits styled text at the byte ranges in `marks` (sorted, non-overlapping) and restyles them.
pub fn marked<'a>(parts: &[(Style, &'a str)], marks: &[(usize, usize, Style)]) -> Vec<Span<'a>> {
    let mut spans = Vec::with_capacity(parts.len() + marks.len() * 2);
    let mut base = 0;
    for &(style, text) in parts {
        let end = base + text.len();
        let mut at = 0;
        for &(ms, me, mark) in marks {
            let (s, e) = (ms.max(base), me.min(end));
            if s >= e {
                continue;
            }
            let (s, e) = (s - base, e - base);
            if !text.is_char_boundary(s) || !text.is_char_boundary(e) || s < at {
                continue;
            }
            if s > at {
                spans.push(Span::styled(&text[at..s], style));
            }
            spans.push(Span::styled(&text[s..e], style.patch(mark)));
            at = e;
        }
        if at < text.len() {
            spans.push(Span::styled(&text[at..], style));
        }
        base = end;
    }
    spans
}
