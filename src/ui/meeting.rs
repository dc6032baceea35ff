//! The meeting view: draws only the visible slice of the laid-out lines, with search hits.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget};

use crate::app::meeting::{MeetingView, Tone};
use crate::app::{State, prompt_open};
use crate::ui::{Theme, focused_pane, layout, marked, prompt_line, status};

pub fn tone(theme: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Text => theme.text,
        Tone::Dim => theme.dim,
        Tone::Title => theme.title,
        Tone::Accent => theme.accent,
        Tone::Speaker(i) => theme.speaker(i),
        Tone::Success => theme.success,
        Tone::Warning => theme.warning,
        Tone::Error => theme.error,
    }
}

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let Some(view) = &state.meeting else {
        return;
    };
    let prompt = prompt_open(state);
    let areas = layout::screen(area, prompt);
    // Where Back leads: the tab it was opened from.
    Line::from(vec![
        Span::styled(format!(" {} ", state.home.tab.title()), theme.dim),
        Span::styled("› ", theme.border),
        Span::styled(view.row.name.as_str(), theme.title),
    ])
    .render(areas.header, buf);

    if let Some(jump) = &view.jump {
        prompt_line(
            theme,
            "Jump to time: ",
            jump,
            "MM:SS or H:MM:SS, Enter".into(),
        )
        .render(areas.prompt, buf);
    } else if let Some(search) = &view.search {
        let note = match search.hits.len() {
            0 if search.input.text().is_empty() => String::new(),
            0 => "no hits".to_owned(),
            n => format!("{}/{n}", search.current + 1),
        };
        let line = prompt_line(theme, "/ ", &search.input, note);
        let line = if search.editing {
            line
        } else {
            line.style(theme.dim)
        };
        line.render(areas.prompt, buf);
    }

    let title = vec![Span::styled(" Notes & transcript ", theme.title)];
    let loading = matches!(view.document, crate::app::meeting::DocState::Loading(_));
    let block = focused_pane(title, loading, state, theme);
    block.render(areas.body, buf);
    let text = layout::reading(area, prompt);
    body(view, theme, text, buf);

    let inner = layout::inner(areas.body);
    if view.lines.len() > usize::from(text.height) && inner.width > 0 {
        let mut sb = ScrollbarState::new(view.max_scroll()).position(view.scroll);
        Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .thumb_style(theme.accent)
            .track_style(theme.border)
            .render(inner, buf, &mut sb);
    }
    status::render(state, areas.status, buf);
}

/// The visible lines only: the cost does not grow with the transcript.
fn body(view: &MeetingView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let start = view.scroll.min(view.lines.len());
    let end = (start + usize::from(area.height)).min(view.lines.len());
    let hits = view.search.as_ref().map_or(&[][..], |s| &s.hits[..]);
    let current = view.search.as_ref().and_then(|s| s.hits.get(s.current));
    let current_turn = view.current_turn();
    let mut first_hit = hits.partition_point(|h| h.line < start);
    for (row, line_no) in (start..end).enumerate() {
        let line = &view.lines[line_no];
        let parts: Vec<(Style, &str)> = line
            .spans
            .iter()
            .map(|(t, s)| (tone(theme, *t), s.as_str()))
            .collect();
        let mut marks = Vec::new();
        while let Some(h) = hits.get(first_hit).filter(|h| h.line == line_no) {
            let style = if Some(h) == current {
                theme.selection
            } else {
                theme.highlight
            };
            marks.push((h.start, h.end, style));
            first_hit += 1;
        }
        let gutter = match line.turn {
            Some(t) if Some(t) == current_turn && !line.spans.is_empty() => {
                Span::styled("▌", theme.accent)
            }
            _ => Span::raw(" "),
        };
        let mut spans = vec![gutter];
        spans.extend(marked(&parts, &marks));
        let y = area.y + u16::try_from(row).unwrap_or(u16::MAX);
        Line::from(spans).render(
            Rect {
                y,
                height: 1,
                ..area
            },
            buf,
        );
    }
}
