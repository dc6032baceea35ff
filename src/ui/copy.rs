//! The meeting view's copy menu: what can be copied, each with its first line as a preview.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::app::State;
use crate::app::keymap::Mode;
use crate::message::Action;
use crate::ui::layout;

pub fn render(state: &State, selected: usize, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let choices = state
        .meeting
        .as_ref()
        .map(|v| v.copy_choices())
        .unwrap_or_default();
    let height = u16::try_from(choices.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let rect = layout::centered(area, 64, height);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(" Copy ", theme.title));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = choices
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            let first = choice
                .text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let label = format!(" {:<13}", choice.label);
            let room = width.saturating_sub(label.chars().count() + 1);
            let preview = crate::columns::truncate(first.trim(), room);
            let (label_style, preview_style) = if i == selected {
                (theme.selection, theme.selection)
            } else {
                (theme.text, theme.dim)
            };
            Line::from(vec![
                Span::styled(label, label_style),
                Span::styled(format!("{preview} "), preview_style),
            ])
        })
        .collect();
    lines.push(Line::default());
    let key = |a: Action| {
        state
            .keymap
            .key_for(Mode::Copy, a)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
    lines.push(Line::styled(
        format!(
            " {} copy · {}/{} choose · {} close",
            key(Action::Select),
            key(Action::Up),
            key(Action::Down),
            key(Action::Back)
        ),
        theme.dim,
    ));
    Paragraph::new(lines).render(inner, buf);
}
