//! Where panes go: shared by drawing and by `update` (scroll viewports, mouse hit-testing).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

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
