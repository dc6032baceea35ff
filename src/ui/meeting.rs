//! The meeting view: draws only the visible slice of the laid-out lines, with search hits.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget};

use crate::app::meeting::{MeetingView, TalkPicture, Tone};
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
        Tone::Match => theme.highlight,
    }
}

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let Some(view) = &state.meeting else {
        return;
    };
    let prompt = prompt_open(state);
    let areas = layout::screen(area, prompt);
    // Where Back leads: the tools panel, or the tab it was opened from.
    let from = if state.tools.opened_meeting {
        "Tools"
    } else {
        state.home.tab.title()
    };
    Line::from(vec![
        Span::styled(format!(" {from} "), theme.dim),
        Span::styled("› ", theme.border),
        Span::styled(view.row.name.as_str(), theme.title),
    ])
    .render(areas.header, buf);

    if let Some(jump) = &view.jump {
        let mut line = prompt_line(theme, "Jump to time: ", jump, String::new());
        match &view.jump_error {
            Some(error) => line.push_span(Span::styled(error.as_str(), theme.error)),
            None => line.push_span(Span::styled("MM:SS or H:MM:SS, Enter", theme.dim)),
        }
        line.render(areas.prompt, buf);
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
    let loading = matches!(view.document, crate::app::meeting::DocState::Loading);
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
    let current_turn = view.marked_turn();
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
        let picture = view.picture.as_ref();
        if let Some(p) = picture.filter(|p| p.timeline_line == line_no) {
            spans.extend(timeline(p, theme));
        }
        let y = area.y + u16::try_from(row).unwrap_or(u16::MAX);
        let line_area = Rect {
            y,
            height: 1,
            ..area
        };
        Line::from(spans).render(line_area, buf);
        if let Some(p) = picture.filter(|p| p.axis_line == line_no) {
            hit_marks(view, p, theme, line_area, buf);
        }
    }
}

/// The timeline's cells, a run of one speaker per span: coloured blocks, or each speaker's
/// symbol when the theme has no colours.
fn timeline<'a>(picture: &TalkPicture, theme: &Theme) -> Vec<Span<'a>> {
    let glyph = |cell: Option<usize>| match cell.and_then(|k| picture.legend.get(k)) {
        None => ('·', theme.dim),
        Some(&(symbol, t)) if theme.monochrome => (symbol, tone(theme, t)),
        Some(&(_, Tone::Dim)) => ('▒', theme.dim),
        Some(&(_, t)) => ('█', tone(theme, t)),
    };
    let mut spans = Vec::new();
    let mut cells = picture.cells.iter().peekable();
    while let Some(&cell) = cells.next() {
        let (c, style) = glyph(cell);
        let mut run = String::from(c);
        while cells.next_if(|&&next| next == cell).is_some() {
            run.push(c);
        }
        spans.push(Span::styled(run, style));
    }
    spans
}

/// `▲` under every timeline cell that holds a search hit (in place of the time axis); the
/// current hit's stands out.
fn hit_marks(
    view: &MeetingView,
    picture: &TalkPicture,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let Some(search) = view.search.as_ref().filter(|s| !s.hits.is_empty()) else {
        return;
    };
    if picture.hit_cells.is_empty() {
        return;
    }
    let current = search
        .hits
        .get(search.current)
        .and_then(|h| view.hit_cell(h));
    // One column of gutter, then the label column.
    let x0 = usize::from(area.x) + 1 + picture.column;
    let right = usize::from(area.right());
    // The marks take the row: the time axis under them would be cut to pieces.
    for x in x0..(x0 + picture.cells.len()).min(right) {
        if let Ok(x) = u16::try_from(x) {
            buf[(x, area.y)].set_symbol(" ");
        }
    }
    for &cell in &picture.hit_cells {
        let x = x0 + cell;
        if x >= right {
            break;
        }
        let style = if Some(cell) == current {
            theme.selection
        } else {
            theme.highlight
        };
        if let Ok(x) = u16::try_from(x) {
            buf[(x, area.y)].set_symbol("▲").set_style(style);
        }
    }
}
