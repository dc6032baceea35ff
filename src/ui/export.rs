//! The export dialog: format choice, path field, overwrite question, progress and errors.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use crate::app::State;
use crate::app::export::{ExportDialog, ExportFocus};
use crate::app::requests::Pending;
use crate::message::Format;
use crate::ui::{input_spans, layout, spinner};

pub fn render(state: &State, dialog: &ExportDialog, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    // An error is shown whole: the dialog grows by the lines it wraps to.
    let error_lines: Vec<String> = match (&dialog.confirm, &dialog.error) {
        (None, Some(error)) => {
            crate::app::meeting::wrap(error, usize::from(area.width.min(70).saturating_sub(2)))
                .into_iter()
                .map(str::to_owned)
                .collect()
        }
        _ => Vec::new(),
    };
    let note_height = u16::try_from(error_lines.len().max(1)).unwrap_or(1);
    let rect = layout::centered(area, 70, 11 + note_height);
    Clear.render(rect, buf);
    let title = match &dialog.many {
        Some(many) if many.ids.len() == 1 => " Export 1 marked meeting ".to_owned(),
        Some(many) => format!(" Export {} marked meetings ", many.ids.len()),
        None => " Export ".to_owned(),
    };
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let [format_row, _, path_row, _, note_row, keys_row] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Length(note_height),
        Constraint::Length(1),
    ])
    .areas(inner);

    let focused = |f: ExportFocus| {
        if dialog.focus == f && dialog.confirm.is_none() {
            theme.accent
        } else {
            theme.dim
        }
    };
    let mut spans = vec![Span::styled("Format  ", focused(ExportFocus::Format))];
    for f in Format::ALL {
        let style = if f == dialog.format {
            theme.selection
        } else {
            theme.text
        };
        spans.push(Span::styled(format!(" {} ", f.extension()), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans).render(format_row, buf);

    let block = Block::bordered()
        .border_style(if dialog.focus == ExportFocus::Path {
            theme.border_focused
        } else {
            theme.border
        })
        .title(Span::styled(
            if dialog.many.is_some() {
                " Directory "
            } else {
                " Path "
            },
            focused(ExportFocus::Path),
        ));
    let inner = block.inner(path_row);
    block.render(path_row, buf);
    let cursor = if dialog.focus == ExportFocus::Path {
        theme.selection
    } else {
        theme.text
    };
    Line::from(input_spans(
        &dialog.path,
        inner.width.into(),
        theme.text,
        cursor,
    ))
    .render(inner, buf);

    let note: Vec<Line> = if let Some(target) = &dialog.confirm {
        vec![Line::styled(
            format!("{} exists. Overwrite it? y / n", target.display()),
            theme.warning,
        )]
    } else if !error_lines.is_empty() {
        error_lines
            .into_iter()
            .map(|l| Line::styled(l, theme.error))
            .collect()
    } else if let Some(note) = export_note(state) {
        vec![Line::styled(note, theme.accent)]
    } else if state.requests.any(|p| *p == Pending::Export) {
        vec![Line::styled(
            format!("{} Writing…", spinner(state)),
            theme.accent,
        )]
    } else {
        Vec::new()
    };
    ratatui::widgets::Paragraph::new(note).render(note_row, buf);
    Line::styled(
        "Enter export · Tab field · ←/→ format · Esc cancel",
        theme.dim,
    )
    .render(keys_row, buf);
}

/// What an export of many meetings is doing, for the dialog and the status bar.
pub fn export_note(state: &State) -> Option<String> {
    let Some(crate::app::Overlay::Export(dialog)) = &state.overlay else {
        return None;
    };
    let many = dialog.many.as_ref()?;
    state.requests.id_of(|p| *p == Pending::Export)?;
    let (done, total) = many.progress.unwrap_or((0, many.ids.len()));
    Some(if many.cancelling {
        format!("{} stopping after {done} of {total}…", spinner(state))
    } else {
        format!("{} exporting {done} of {total} · Esc stops", spinner(state))
    })
}
