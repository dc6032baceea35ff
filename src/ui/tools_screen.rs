//! The Tools screen: the embedded `ToolsPanel` (every tool from `tools/list`, its form, the
//! result), with loading and error states around it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::app::State;
use crate::app::requests::Pending;
use crate::ui::{layout, spinner, status};

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let areas = layout::screen(area, false);
    let mut header = vec![
        Span::styled(" Tools ", theme.title),
        Span::styled("· every tool the server offers", theme.dim),
    ];
    if state.requests.any(|p| *p == Pending::ToolCall) {
        header.push(Span::styled(
            format!("  {} running", spinner(state)),
            theme.accent,
        ));
    }
    Line::from(header).render(areas.header, buf);
    match (&state.tools.panel, &state.tools.error) {
        (Some(host), _) => host.render_at(areas.body, buf, theme, state.wall, &state.zone),
        // With --offline the missing tools are the mode, not a failure.
        (None, Some(e)) if state.local.offline_mode => {
            Paragraph::new(Line::styled(e.as_str(), theme.text))
                .wrap(Wrap { trim: true })
                .block(Block::bordered().border_style(theme.border))
                .render(areas.body, buf)
        }
        (None, Some(e)) => Paragraph::new(Line::styled(e.as_str(), theme.error))
            .wrap(Wrap { trim: true })
            .block(Block::bordered().border_style(theme.border))
            .render(areas.body, buf),
        (None, None) => Paragraph::new(Line::styled(
            format!("{} Listing the server's tools…", spinner(state)),
            theme.dim,
        ))
        .block(Block::bordered().border_style(theme.border))
        .render(areas.body, buf),
    }
    status::render(state, areas.status, buf);
}
