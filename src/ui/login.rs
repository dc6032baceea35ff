//! The login screen: where the tokens go, the authorization URL while waiting, failures.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::app::{LoginState, State};
use crate::message::Action;
use crate::ui::{layout, prompt_line, spinner, status};

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let [main, bar] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let key = |a: Action| {
        state
            .keymap
            .key_for(crate::app::keymap::Mode::Login, a)
            .map_or_else(|| "?".to_owned(), |k| k.to_string())
    };
    let mut lines: Vec<Line> = vec![
        Line::from(vec![
            Span::styled("Server  ", theme.dim),
            Span::styled(state.status.server.as_str(), theme.text),
        ]),
        Line::from(vec![
            Span::styled("Tokens  ", theme.dim),
            Span::styled(state.status.token_store.as_str(), theme.text),
        ]),
        Line::default(),
    ];
    if let Some(note) = &state.login.note {
        lines.push(Line::styled(note.as_str(), theme.warning));
        lines.push(Line::default());
    }
    match &state.login.state {
        LoginState::Connecting => {
            let what = if state.login.stored_login {
                "Connecting with the stored login…"
            } else {
                "Connecting to the server…"
            };
            lines.push(Line::styled(
                format!("{} {what}", spinner(state)),
                theme.dim,
            ));
        }
        LoginState::Idle => {
            lines.push(Line::from(vec![
                Span::styled("Press ", theme.text),
                Span::styled(key(Action::Login), theme.accent),
                Span::styled(" to log in with your browser.", theme.text),
            ]));
        }
        LoginState::Waiting { url, paste } => {
            lines.push(Line::styled(
                format!(
                    "{} Waiting for you to approve access in the browser…",
                    spinner(state)
                ),
                theme.text,
            ));
            lines.push(Line::default());
            match url {
                // The URL itself goes under the box, so a mouse selects it without borders.
                Some(_) => lines.push(Line::styled(
                    "If no browser opened, visit the URL below.",
                    theme.dim,
                )),
                None => lines.push(Line::styled("Finding the login page…", theme.dim)),
            }
            lines.push(Line::default());
            match paste {
                Some(input) => lines.push(prompt_line(
                    theme,
                    "Redirect URL: ",
                    input,
                    "Enter to send".into(),
                )),
                // Copy and paste only once there is a URL to copy and a login to paste into.
                None if url.is_some() => lines.push(Line::from(vec![
                    Span::styled(key(Action::CopyUrl), theme.accent),
                    Span::styled(" copy the URL   ", theme.dim),
                    Span::styled(key(Action::PasteUrl), theme.accent),
                    Span::styled(" paste the redirect URL (SSH)   ", theme.dim),
                    Span::styled(key(Action::Back), theme.accent),
                    Span::styled(" cancel", theme.dim),
                ])),
                None => lines.push(Line::from(vec![
                    Span::styled(key(Action::Back), theme.accent),
                    Span::styled(" cancel", theme.dim),
                ])),
            }
        }
        LoginState::Failed { message } => {
            lines.push(Line::styled(message.as_str(), theme.error));
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::styled("Press ", theme.text),
                Span::styled(key(Action::Login), theme.accent),
                Span::styled(" to try again.", theme.text),
            ]));
        }
    }
    // Borders and padding take 4 columns and 4 rows; long lines (the URL) wrap.
    let rect = layout::centered(main, 84, main.height);
    let inner_width = usize::from(rect.width.saturating_sub(4).max(1));
    let rows: usize = lines
        .iter()
        .map(|l| match l.width() {
            // Word wrapping may need a row more than the width alone says.
            w if w > inner_width => w.div_ceil(inner_width) + 1,
            _ => 1,
        })
        .sum();
    let height = u16::try_from(rows + 4).unwrap_or(u16::MAX);
    // The authorization URL unboxed on its own rows from the left edge, right under the box.
    let url = match &state.login.state {
        LoginState::Waiting { url: Some(url), .. } => Some(url.as_str()),
        _ => None,
    };
    let url_rows = url.map_or(0, |url| {
        let rows =
            unicode_width::UnicodeWidthStr::width(url).div_ceil(usize::from(main.width.max(1)));
        u16::try_from(rows).unwrap_or(u16::MAX).min(main.height)
    });
    let below = if url_rows > 0 { url_rows + 1 } else { 0 };
    let box_height = height.max(12).min(main.height.saturating_sub(below));
    let top = main.y + main.height.saturating_sub(box_height + below) / 2;
    let rect = layout::centered(
        Rect {
            y: top,
            height: box_height,
            ..main
        },
        84,
        box_height,
    );
    if let Some(url) = url {
        // Cut by width, not at words: the rows hold the URL and nothing else.
        let mut rest = url;
        let first = rect.bottom() + 1;
        for y in first..(first + url_rows).min(main.bottom()) {
            let (row, tail) = split_at_width(rest, usize::from(main.width));
            buf.set_stringn(main.x, y, row, usize::from(main.width), theme.accent);
            rest = tail;
        }
    }
    Paragraph::new(Text::from(lines))
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .border_style(theme.border_focused)
                .title(Span::styled(" krisp-tui · log in to Krisp ", theme.title))
                .padding(ratatui::widgets::Padding::uniform(1)),
        )
        .render(rect, buf);
    status::render(state, bar, buf);
}

/// `text` cut after `width` columns: the part that fits, and the rest.
fn split_at_width(text: &str, width: usize) -> (&str, &str) {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            return text.split_at(i);
        }
        used += w;
    }
    (text, "")
}
