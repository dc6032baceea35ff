//! The help overlay (every binding of the current screen or dialog, while typing, everywhere,
//! from the keymap) and the messages overlay (the last toasts).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::app::{State, help};
use crate::ui::layout;

/// The keys column is as wide as its longest entry (within limits), so entries never run together.
const KEYS_MIN: usize = 12;
const KEYS_MAX: usize = 30;

pub fn lines(state: &State) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let sections = help::sections(state);
    let keys_w = sections
        .iter()
        .flat_map(|s| s.entries.iter().map(|(k, _)| k.width()))
        .max()
        .unwrap_or(0)
        .clamp(KEYS_MIN, KEYS_MAX);
    let mut out = Vec::new();
    for section in sections {
        out.push(Line::styled(section.title.to_owned(), theme.title));
        for (keys, what) in section.entries {
            // Keys longer than the column get a line of their own.
            if keys.width() > keys_w {
                out.push(Line::styled(format!("  {keys}"), theme.accent));
                out.push(Line::from(vec![
                    Span::raw(" ".repeat(keys_w + 4)),
                    Span::styled(what, theme.text),
                ]));
            } else {
                out.push(Line::from(vec![
                    Span::styled(format!("  {keys:<keys_w$}  "), theme.accent),
                    Span::styled(what, theme.text),
                ]));
            }
        }
        out.push(Line::default());
    }
    out
}

/// A scrolled list in a centred box, its position and the keys that move it in the bottom border.
fn scrolled(
    state: &State,
    title: &str,
    all: Vec<Line<'static>>,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &state.theme;
    let rect = layout::centered(area, 76, area.height.saturating_sub(2));
    Clear.render(rect, buf);
    let visible = usize::from(rect.height.saturating_sub(2));
    let scroll = scroll.min(all.len().saturating_sub(visible));
    let total = all.len();
    let more_below = scroll + visible < total;
    let bottom = if scroll > 0 || more_below {
        let mark = match (scroll > 0, more_below) {
            (true, true) => "↑↓",
            (true, false) => "↑",
            _ => "↓",
        };
        format!(
            " {mark} {}–{} of {total} · PgUp PgDn · Esc close ",
            scroll + 1,
            (scroll + visible).min(total)
        )
    } else {
        " Esc close ".to_owned()
    };
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(visible).collect();
    Paragraph::new(Text::from(shown))
        .block(
            Block::bordered()
                .border_style(theme.border_focused)
                .title(Span::styled(format!(" {title} "), theme.title))
                .title_bottom(Span::styled(bottom, theme.dim)),
        )
        .render(rect, buf);
}

pub fn render(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    scrolled(state, "Keys", lines(state), scroll, area, buf);
}

/// The last toasts, newest first, errors marked.
pub fn render_messages(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let all: Vec<Line<'static>> = if state.messages.is_empty() {
        vec![Line::styled("No messages yet.", theme.dim)]
    } else {
        state
            .messages
            .iter()
            .rev()
            .map(|m| {
                let when =
                    m.at.map(|at| {
                        let (_, hm) = crate::timefmt::date_and_time_in(at, crate::timefmt::zone());
                        format!("{hm} ")
                    })
                    .unwrap_or_default();
                let (mark, style) = if m.error {
                    ("✗ ", theme.error)
                } else {
                    ("✓ ", theme.success)
                };
                Line::from(vec![
                    Span::styled(when, theme.dim),
                    Span::styled(mark, style),
                    Span::styled(m.text.clone(), theme.text),
                ])
            })
            .collect()
    };
    scrolled(state, "Messages", all, scroll, area, buf);
}
