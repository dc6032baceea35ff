//! Drawing the JSON tree: only the rows on screen, the cursor row selected.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::app::tools::json_tree::{JsonTree, Row, count, is_container};
use crate::sanitize::clean_line;
use crate::theme::Theme;

impl JsonTree {
    /// Plain text of the visible rows, for tests and copying.
    pub fn row_texts(&self, theme: &Theme) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| {
                self.row_line(r, theme, usize::MAX)
                    .spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect()
            })
            .collect()
    }

    /// The row's line; a string value is cut to `columns` characters before it is sanitized,
    /// so a row holding a megabyte costs what it shows.
    fn row_line(&self, row: &Row, theme: &Theme, columns: usize) -> Line<'static> {
        let mut spans = vec![Span::raw("  ".repeat(row.depth))];
        let value = self.root.pointer(&row.pointer).unwrap_or(&Value::Null);
        let marker = if !is_container(value) {
            "  "
        } else if self.expanded.contains(&row.pointer) {
            "▾ "
        } else {
            "▸ "
        };
        spans.push(Span::styled(marker, theme.accent));
        if let Some(key) = &row.key {
            spans.push(Span::styled(key.clone(), theme.accent));
            spans.push(Span::styled(": ", theme.dim));
        }
        spans.push(match value {
            Value::Object(m) => Span::styled(count(m.len(), "key", "{", "}"), theme.dim),
            Value::Array(a) => Span::styled(count(a.len(), "item", "[", "]"), theme.dim),
            Value::String(s) => {
                let shown = s
                    .char_indices()
                    .nth(columns)
                    .map_or(s.as_str(), |(i, _)| &s[..i]);
                let close = if shown.len() == s.len() { "\"" } else { "" };
                // On one line: a line break shows as `␤`.
                Span::styled(format!("\"{}{close}", clean_line(shown)), theme.success)
            }
            Value::Number(n) => Span::styled(n.to_string(), theme.highlight),
            Value::Bool(b) => Span::styled(b.to_string(), theme.warning),
            Value::Null => Span::styled("null", theme.dim),
        });
        Line::from(spans)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        self.height.set(area.height);
        if area.is_empty() {
            return;
        }
        let height = usize::from(area.height);
        let mut offset = self.offset.get().min(self.cursor);
        if self.cursor >= offset + height {
            offset = self.cursor + 1 - height;
        }
        self.offset.set(offset);
        for (i, row) in self.rows.iter().enumerate().skip(offset).take(height) {
            let y = area.y + (i - offset) as u16;
            let line = self.row_line(row, theme, area.width.into());
            buf.set_line(area.x, y, &line, area.width);
            if i == self.cursor {
                buf.set_style(Rect::new(area.x, y, area.width, 1), theme.selection);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> JsonTree {
        JsonTree::new(json!({
            "count": 2,
            "meetings": [{"name": "a/b", "tags": ["x"]}, {"name": null}],
            "empty": {}
        }))
    }

    #[test]
    fn opens_two_levels_deep() {
        let theme = Theme::default();
        assert_eq!(
            sample().row_texts(&theme),
            [
                "▾ {3 keys}",
                "    count: 2",
                "  ▾ meetings: [2 items]",
                "    ▸ 0: {2 keys}",
                "    ▸ 1: {1 key}",
                "    empty: {}",
            ]
        );
    }

    #[test]
    fn toggles_expand_and_collapse() {
        let theme = Theme::default();
        let mut tree = sample();
        tree.down(3);
        assert_eq!(tree.cursor_pointer(), "/meetings/0");
        tree.toggle();
        assert_eq!(tree.len(), 8);
        assert_eq!(tree.row_texts(&theme)[4], "        name: \"a/b\"");
        tree.toggle();
        assert_eq!(tree.len(), 6);

        tree.expand_all();
        assert_eq!(tree.len(), 10);
        tree.end();
        assert_eq!(tree.cursor_pointer(), "/empty");

        // Collapsing everything keeps the cursor on the nearest visible ancestor.
        tree.up(3);
        assert_eq!(tree.cursor_pointer(), "/meetings/0/tags/0");
        tree.collapse_all();
        assert_eq!(tree.len(), 4);
        assert_eq!(tree.cursor_pointer(), "/meetings");

        tree.collapse();
        assert_eq!(tree.cursor_pointer(), "");
        tree.toggle();
        assert_eq!(tree.len(), 1);
    }

    #[test]
    fn scalars_render_and_a_string_stays_on_its_row() {
        // Server text comes in sanitized (`app::incoming`); a line break still shows as `␤`.
        let theme = Theme::default();
        let tree = JsonTree::new(json!({"k␛[31m": "v␇\nw"}));
        assert_eq!(tree.row_texts(&theme)[1], "    k␛[31m: \"v␇␤w\"");
        assert_eq!(JsonTree::new(json!(3)).row_texts(&theme), ["  3"]);
    }
}
