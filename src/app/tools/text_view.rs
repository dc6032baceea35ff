//! A scrollable view of styled lines, wrapped once per width so scrolling and drawing only slice.

use std::cell::{Cell, Ref, RefCell};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::meeting::wrap;

/// Word-wraps `line` to `width` columns with the meeting view's wrap; words wider than the
/// width are broken, and each span keeps its style.
pub fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    if text.is_empty() {
        return vec![Line::default().style(line.style)];
    }
    // Where each span ends in `text`, and its style.
    let mut ends = Vec::with_capacity(line.spans.len());
    let mut end = 0;
    for span in &line.spans {
        end += span.content.len();
        ends.push((end, line.style.patch(span.style)));
    }
    let base = text.as_ptr() as usize;
    wrap(&text, width)
        .into_iter()
        .map(|piece| {
            // `wrap` returns slices of `text`: the offset is where the slice starts.
            let start = (piece.as_ptr() as usize).saturating_sub(base);
            let stop = start + piece.len();
            let mut spans = Vec::new();
            let mut from = start;
            for &(end, style) in &ends[ends.partition_point(|&(e, _)| e <= start)..] {
                if from >= stop {
                    break;
                }
                let to = end.min(stop);
                if let Some(part) = text.get(from..to).filter(|p| !p.is_empty()) {
                    spans.push(Span::styled(part.to_owned(), style));
                }
                from = to;
            }
            Line::from(spans).style(line.style)
        })
        .collect()
}

/// The lines wrapped to one width: every row, and where each line's rows start.
#[derive(Debug, Clone, Default)]
struct Wrapped {
    /// The width `rows` were wrapped to; 0 when they are stale.
    width: u16,
    rows: Vec<Line<'static>>,
    /// Index in `rows` of each line's first row, then the number of rows.
    starts: Vec<usize>,
}

/// Styled lines with a scroll position kept as (line, row within that line), so the reader
/// stays on the same line when the width changes.
#[derive(Debug, Clone)]
pub struct TextView {
    lines: Vec<Line<'static>>,
    top: usize,
    sub: usize,
    /// Width and height of the last render, which scrolling needs to know how lines wrap.
    width: Cell<u16>,
    height: Cell<u16>,
    /// The lines wrapped to `width`, made when first needed after the lines or width changed.
    wrapped: RefCell<Wrapped>,
}

impl Default for TextView {
    fn default() -> Self {
        Self {
            lines: Vec::new(),
            top: 0,
            sub: 0,
            width: Cell::new(80),
            height: Cell::new(20),
            wrapped: RefCell::default(),
        }
    }
}

impl TextView {
    /// Replaces the lines (restyled, same content), keeping the position where it still exists.
    pub fn set_lines(&mut self, lines: Vec<Line<'static>>) {
        self.lines = lines;
        self.wrapped.get_mut().width = 0;
        if self.top >= self.lines.len() {
            self.top = self.lines.len().saturating_sub(1);
            self.sub = 0;
        }
    }

    /// The rows at the last render's width, wrapping them first if that width is new.
    fn wrapped(&self) -> Ref<'_, Wrapped> {
        let width = self.width.get().max(1);
        if self.wrapped.borrow().width != width {
            let mut rows = Vec::with_capacity(self.lines.len());
            let mut starts = Vec::with_capacity(self.lines.len() + 1);
            for line in &self.lines {
                starts.push(rows.len());
                rows.extend(wrap_line(line, width.into()));
            }
            starts.push(rows.len());
            *self.wrapped.borrow_mut() = Wrapped {
                width,
                rows,
                starts,
            };
        }
        self.wrapped.borrow()
    }

    /// The first row shown, as an index into the wrapped rows.
    fn row(&self) -> usize {
        let w = self.wrapped();
        let Some(&start) = w.starts.get(self.top) else {
            return w.rows.len();
        };
        let next = w.starts.get(self.top + 1).copied().unwrap_or(start + 1);
        start + self.sub.min(next.saturating_sub(start + 1))
    }

    /// Shows row `row` first, at most so far down that the last row is at the bottom.
    fn set_row(&mut self, row: usize) {
        let (top, sub) = {
            let w = self.wrapped();
            let last = w
                .rows
                .len()
                .saturating_sub(usize::from(self.height.get()).max(1));
            let row = row.min(last);
            let top = w.starts[..self.lines.len()]
                .partition_point(|&s| s <= row)
                .saturating_sub(1);
            (top, row - w.starts.get(top).copied().unwrap_or(0).min(row))
        };
        self.top = top;
        self.sub = sub;
    }

    pub fn scroll_down(&mut self, n: usize) {
        let row = self.row();
        let last = self
            .wrapped()
            .rows
            .len()
            .saturating_sub(usize::from(self.height.get()).max(1));
        // Already below the last full screen (the width grew): stay.
        if row < last {
            self.set_row(row.saturating_add(n));
        }
    }

    pub fn scroll_up(&mut self, n: usize) {
        let row = self.row();
        self.set_row(row.saturating_sub(n));
    }

    pub fn page(&self) -> usize {
        usize::from(self.height.get()).saturating_sub(1).max(1)
    }

    pub fn home(&mut self) {
        self.top = 0;
        self.sub = 0;
    }

    pub fn end(&mut self) {
        self.set_row(usize::MAX);
    }

    /// The index of the first line shown (whose rows may have begun above the view).
    pub fn top_line(&self) -> usize {
        self.top
    }

    /// The screen row line `line` starts on as of the last render, when it starts in view.
    pub fn screen_row(&self, line: usize) -> Option<u16> {
        let first = self.row();
        let start = *self.wrapped().starts.get(line)?;
        let y = start.checked_sub(first)?;
        u16::try_from(y).ok().filter(|&y| y < self.height.get())
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        self.width.set(area.width.max(1));
        self.height.set(area.height);
        if area.is_empty() {
            return;
        }
        let first = self.row();
        let w = self.wrapped();
        for (y, row) in (area.y..area.bottom()).zip(w.rows.iter().skip(first)) {
            buf.set_line(area.x, y, row, area.width);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_word_boundaries_and_breaks_long_words() {
        let line = Line::from("the quick brown fox jumps");
        assert_eq!(
            plain(&wrap_line(&line, 10)),
            ["the quick", "brown fox", "jumps"]
        );
        assert_eq!(
            plain(&wrap_line(&Line::from("abcdefghij"), 4)),
            ["abcd", "efgh", "ij"]
        );
        assert_eq!(plain(&wrap_line(&Line::from(""), 4)), [""]);
    }

    #[test]
    fn scrolling_stops_at_the_bottom() {
        let mut view = TextView::default();
        view.set_lines((0..10).map(|i| Line::from(format!("line {i}"))).collect());
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 4));
        view.render(buf.area, &mut buf);
        view.scroll_down(100);
        assert_eq!((view.top, view.sub), (6, 0));
        view.scroll_up(2);
        assert_eq!((view.top, view.sub), (4, 0));
        view.end();
        assert_eq!((view.top, view.sub), (6, 0));
    }
}
