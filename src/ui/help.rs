//! The help overlay (every binding of the current screen or dialog, while typing, everywhere,
//! from the keymap) and the messages overlay (the last toasts).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use crate::app::help::BOX_WIDTH;
use crate::app::{State, help};
use crate::ui::layout;

/// The keys column is as wide as its longest entry (within limits), so entries never run together.
const KEYS_MIN: usize = 12;
const KEYS_MAX: usize = 30;

/// The help's lines for a box `width` columns wide inside: a description that does not fit
/// ends with `…`.
pub fn lines(state: &State, width: usize) -> Vec<Line<'static>> {
    use crate::columns::truncate;
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
            let what = truncate(&what, width.saturating_sub(keys_w + 4));
            if keys.width() > keys_w {
                out.push(Line::styled(
                    truncate(&format!("  {keys}"), width),
                    theme.accent,
                ));
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
    let rect = layout::centered(area, BOX_WIDTH, area.height.saturating_sub(2));
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
    let inner = usize::from(BOX_WIDTH.min(area.width).saturating_sub(2));
    scrolled(state, "Keys", lines(state, inner), scroll, area, buf);
}

/// The last toasts, newest first, errors marked.
pub fn render_messages(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let all: Vec<Line<'static>> = if state.messages.is_empty() {
        vec![Line::styled("No messages yet.", theme.dim)]
    } else {
        let indent = " ".repeat(help::MESSAGE_INDENT);
        let mut all = Vec::new();
        for m in state.messages.iter().rev() {
            let when =
                m.at.map(|at| {
                    let (_, hm) = crate::timefmt::date_and_time_in(at, &state.zone);
                    format!("{hm} ")
                })
                .unwrap_or_else(|| " ".repeat(6));
            let (mark, style) = if m.error {
                ("✗ ", theme.error)
            } else if m.note {
                ("· ", theme.accent)
            } else {
                ("✓ ", theme.success)
            };
            // Long messages wrap under their first line, never cut at the box's edge.
            for (i, piece) in help::message_lines(state, &m.text).into_iter().enumerate() {
                let lead = if i == 0 {
                    vec![
                        Span::styled(when.clone(), theme.dim),
                        Span::styled(mark, style),
                    ]
                } else {
                    vec![Span::raw(indent.clone())]
                };
                let mut spans = lead;
                spans.push(Span::styled(piece, theme.text));
                all.push(Line::from(spans));
            }
        }
        all
    };
    scrolled(state, "Messages", all, scroll, area, buf);
}
