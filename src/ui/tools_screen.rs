//! The Tools screen host. TEMPORARY: lists `tools/list` until `ui::tools::ToolsPanel` is embedded.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::app::State;
use crate::sanitize::clean;
use crate::ui::{layout, spinner, status};

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let areas = layout::screen(area, false);
    Line::from(vec![
        Span::styled(" Tools ", theme.title),
        Span::styled("· every tool the server offers", theme.dim),
    ])
    .render(areas.header, buf);
    let tools = &state.tools;
    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(35), Constraint::Fill(1)]).areas(areas.body);
    let list_block = Block::bordered().border_style(theme.border_focused);
    let inner = list_block.inner(list_area);
    list_block.render(list_area, buf);
    match (&tools.tools, &tools.error) {
        (_, Some(e)) => Paragraph::new(Line::styled(e.as_str(), theme.error))
            .wrap(Wrap { trim: true })
            .render(inner, buf),
        (None, None) => {
            Line::styled(format!("{} Listing tools…", spinner(state)), theme.dim).render(inner, buf)
        }
        (Some(list), None) => {
            let height = usize::from(inner.height);
            let offset = tools.selected.saturating_sub(height.saturating_sub(1));
            for (row, (i, tool)) in list
                .iter()
                .enumerate()
                .skip(offset)
                .take(height)
                .enumerate()
            {
                let style = if i == tools.selected {
                    theme.selection
                } else {
                    theme.text
                };
                let y = inner.y + u16::try_from(row).unwrap_or(u16::MAX);
                Line::styled(clean(&tool.name).into_owned(), style).render(
                    Rect {
                        y,
                        height: 1,
                        ..inner
                    },
                    buf,
                );
            }
        }
    }
    let description = tools
        .tools
        .as_ref()
        .and_then(|l| l.get(tools.selected))
        .and_then(|t| t.description.as_deref())
        .unwrap_or("");
    Paragraph::new(vec![
        Line::styled(clean(description).into_owned(), theme.text),
        Line::default(),
        Line::styled(
            "(Temporary view: the tool forms arrive with the tools panel.)",
            theme.dim,
        ),
    ])
    .wrap(Wrap { trim: false })
    .block(Block::bordered().border_style(theme.border))
    .render(detail_area, buf);
    status::render(state, areas.status, buf);
}
