//! Where panes go: shared by drawing and by `update` (scroll viewports, mouse hit-testing);
//! and the screens laid out again when the terminal's size or a prompt changes.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

use crate::app::{Screen, State};

/// The regions of a full screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Tabs or breadcrumb.
    pub header: Rect,
    /// A one-line prompt (search box, jump to time); zero height when none.
    pub prompt: Rect,
    /// The bordered main pane.
    pub body: Rect,
    pub status: Rect,
}

pub fn screen(area: Rect, prompt: bool) -> Areas {
    let [header, prompt, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(prompt)),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        prompt,
        body,
        status,
    }
}

/// From this many columns the meeting list has the selected meeting's preview beside it.
pub const PREVIEW_MIN_WIDTH: u16 = 160;

/// The meetings tab's list and, from [`PREVIEW_MIN_WIDTH`] columns, the preview pane beside it.
pub fn list_and_preview(body: Rect) -> (Rect, Option<Rect>) {
    if body.width < PREVIEW_MIN_WIDTH {
        return (body, None);
    }
    let [list, preview] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Fill(1)]).areas(body);
    (list, Some(preview))
}

/// The preview pane's text area (inside its border and padding), when the screen is wide
/// enough for one.
pub fn preview(area: Rect, prompt: bool) -> Option<Rect> {
    let pane = list_and_preview(screen(area, prompt).body).1?;
    Some(
        Block::bordered()
            .padding(ratatui::widgets::Padding::horizontal(1))
            .inner(pane),
    )
}

/// Inside the main pane's border.
pub fn inner(body: Rect) -> Rect {
    Block::bordered().inner(body)
}

/// The meetings table's data rows (below its header row).
pub fn table_rows(area: Rect, prompt: bool) -> Rect {
    let inner = inner(screen(area, prompt).body);
    Rect {
        y: inner.y.saturating_add(1),
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

/// The meetings tab's data rows: [`table_rows`] beside the preview pane, when there is one.
pub fn meeting_rows(area: Rect, prompt: bool) -> Rect {
    let rows = table_rows(area, prompt);
    let list = list_and_preview(screen(area, prompt).body).0;
    Rect {
        width: inner(list).width,
        ..rows
    }
}

/// The meeting view's text, leaving the last column for the scrollbar.
pub fn reading(area: Rect, prompt: bool) -> Rect {
    let inner = inner(screen(area, prompt).body);
    Rect {
        width: inner.width.saturating_sub(1),
        ..inner
    }
}

/// A centred box of at most `width` × `height`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Whether a one-line prompt sits above the main pane.
pub fn prompt_open(state: &State) -> bool {
    match state.screen {
        Screen::Home => state.home.prompt_open(),
        Screen::Meeting => state
            .meeting
            .as_ref()
            .is_some_and(|v| v.search.is_some() || v.jump.is_some()),
        _ => false,
    }
}

/// The terminal size or a prompt changed: lay out the meeting view and clamp the lists again.
pub(super) fn relayout(state: &mut State) {
    let prompt = prompt_open(state);
    if let Some(view) = &mut state.meeting {
        let area = reading(state.size, prompt);
        view.height = area.height;
        if view.width != area.width {
            view.relayout(area.width);
        } else {
            view.scroll_to(view.scroll);
        }
    }
    let height = usize::from(table_rows(state.size, prompt).height);
    let len = state.home.visible_len();
    state.home.list.clamp(len, height);
}
