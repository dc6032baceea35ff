//! A scrollable view of styled lines that wraps only the rows it draws.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Word-wraps `line` to `width` columns; words wider than the width are broken.
pub fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let mut w = Wrapper {
        width: width.max(1),
        line_style: line.style,
        ..Wrapper::default()
    };
    for span in &line.spans {
        let style = line.style.patch(span.style);
        for c in span.content.chars() {
            if c == ' ' {
                w.flush_word();
                w.space(style);
            } else {
                w.word_width += c.width().unwrap_or(0);
                w.word.push((c, style));
            }
        }
    }
    w.flush_word();
    if !w.row.is_empty() || w.rows.is_empty() {
        w.finish_row();
    }
    w.rows
}

#[derive(Default)]
struct Wrapper {
    width: usize,
    line_style: Style,
    rows: Vec<Line<'static>>,
    row: Vec<Span<'static>>,
    row_width: usize,
    /// The word not yet placed, so that it moves to the next row whole.
    word: Vec<(char, Style)>,
    word_width: usize,
}

impl Wrapper {
    fn finish_row(&mut self) {
        self.rows
            .push(Line::from(std::mem::take(&mut self.row)).style(self.line_style));
        self.row_width = 0;
    }

    fn push(&mut self, c: char, style: Style) {
        match self.row.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push(c),
            _ => self.row.push(Span::styled(c.to_string(), style)),
        }
        self.row_width += c.width().unwrap_or(0);
    }

    fn space(&mut self, style: Style) {
        // A space that would overflow ends the row instead of starting the next one.
        if self.row_width + 1 > self.width {
            self.finish_row();
        } else {
            self.push(' ', style);
        }
    }

    fn flush_word(&mut self) {
        if self.row_width + self.word_width > self.width && self.row_width > 0 {
            self.finish_row();
        }
        for (c, style) in std::mem::take(&mut self.word) {
            if self.row_width + c.width().unwrap_or(0) > self.width && self.row_width > 0 {
                self.finish_row();
            }
            self.push(c, style);
        }
        self.word_width = 0;
    }
}

/// Styled lines with a scroll position kept as (line, row within that line), so drawing and
/// scrolling wrap only the lines they touch.
#[derive(Debug, Clone)]
pub struct TextView {
    lines: Vec<Line<'static>>,
    top: usize,
    sub: usize,
    /// Width and height of the last render, which scrolling needs to know how lines wrap.
    width: Cell<u16>,
    height: Cell<u16>,
}

impl Default for TextView {
    fn default() -> Self {
        Self {
            lines: Vec::new(),
            top: 0,
            sub: 0,
            width: Cell::new(80),
            height: Cell::new(20),
        }
    }
}

impl TextView {
    /// Replaces the lines (restyled, same content), keeping the position where it still exists.
    pub fn set_lines(&mut self, lines: Vec<Line<'static>>) {
        self.lines = lines;
        if self.top >= self.lines.len() {
            self.top = self.lines.len().saturating_sub(1);
            self.sub = 0;
        }
    }

    fn rows_of(&self, i: usize) -> usize {
        self.lines
            .get(i)
            .map_or(0, |l| wrap_line(l, self.width.get().into()).len())
    }

    /// True when the rows from the current position to the end fit into the last height.
    fn at_bottom(&self) -> bool {
        let height = usize::from(self.height.get());
        let mut rows = self.rows_of(self.top).saturating_sub(self.sub);
        for i in self.top + 1..self.lines.len() {
            if rows > height {
                return false;
            }
            rows += self.rows_of(i);
        }
        rows <= height
    }

    pub fn scroll_down(&mut self, n: usize) {
        for _ in 0..n {
            if self.top >= self.lines.len() || self.at_bottom() {
                return;
            }
            if self.sub + 1 < self.rows_of(self.top) {
                self.sub += 1;
            } else {
                self.top += 1;
                self.sub = 0;
            }
        }
    }

    pub fn scroll_up(&mut self, n: usize) {
        for _ in 0..n {
            if self.sub > 0 {
                self.sub -= 1;
            } else if self.top > 0 {
                self.top -= 1;
                self.sub = self.rows_of(self.top).saturating_sub(1);
            } else {
                return;
            }
        }
    }

    pub fn page(&self) -> usize {
        usize::from(self.height.get()).saturating_sub(1).max(1)
    }

    pub fn home(&mut self) {
        self.top = 0;
        self.sub = 0;
    }

    pub fn end(&mut self) {
        // Walk back from the last line until a screenful is filled.
        let height = usize::from(self.height.get()).max(1);
        let mut rows = 0;
        let mut i = self.lines.len();
        while i > 0 {
            let r = self.rows_of(i - 1);
            if rows + r >= height {
                self.top = i - 1;
                self.sub = rows + r - height;
                return;
            }
            rows += r;
            i -= 1;
        }
        self.home();
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        self.width.set(area.width.max(1));
        self.height.set(area.height);
        if area.is_empty() {
            return;
        }
        let mut y = area.y;
        let mut skip = self.sub;
        for line in self.lines.iter().skip(self.top) {
            for row in wrap_line(line, area.width.into()).iter().skip(skip) {
                if y >= area.bottom() {
                    return;
                }
                buf.set_line(area.x, y, row, area.width);
                y += 1;
            }
            skip = 0;
        }
    }
}

/// `s` cut to `width` columns, ending in `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
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
            ["the quick ", "brown fox ", "jumps"]
        );
        assert_eq!(
            plain(&wrap_line(&Line::from("abcdefghij"), 4)),
            ["abcd", "efgh", "ij"]
        );
        assert_eq!(plain(&wrap_line(&Line::from(""), 4)), [""]);
    }

    #[test]
    fn truncates_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate("abc", 0), "");
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
