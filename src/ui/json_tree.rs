//! A collapsible tree view of a JSON value that draws only the rows on screen.

use std::cell::Cell;
use std::collections::HashSet;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::sanitize::clean_line;
use crate::ui::theme::Theme;

/// Containers this deep and shallower start expanded.
const OPEN_DEPTH: usize = 2;

/// The tree: which containers are expanded (by JSON pointer), the visible rows and a cursor.
#[derive(Debug, Clone)]
pub struct JsonTree {
    root: Value,
    expanded: HashSet<String>,
    rows: Vec<Row>,
    cursor: usize,
    /// First row drawn; kept so the cursor stays on screen, which only drawing knows how to do.
    offset: Cell<usize>,
    height: Cell<u16>,
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    pointer: String,
    depth: usize,
    key: Option<String>,
}

fn child_pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn is_container(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

impl JsonTree {
    pub fn new(root: Value) -> Self {
        let mut expanded = HashSet::new();
        collect_containers(&root, String::new(), 0, OPEN_DEPTH, &mut expanded);
        let mut tree = Self {
            root,
            expanded,
            rows: Vec::new(),
            cursor: 0,
            offset: Cell::new(0),
            height: Cell::new(20),
        };
        tree.rebuild();
        tree
    }

    pub fn value(&self) -> &Value {
        &self.root
    }

    /// Number of visible rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The JSON pointer of the row under the cursor (`""` is the root).
    pub fn cursor_pointer(&self) -> &str {
        self.rows
            .get(self.cursor)
            .map_or("", |r| r.pointer.as_str())
    }

    fn rebuild(&mut self) {
        let pointer = self.cursor_pointer().to_owned();
        self.rows.clear();
        push_rows(
            &self.root,
            String::new(),
            0,
            None,
            &self.expanded,
            &mut self.rows,
        );
        // Keep the cursor on the same node, or on its nearest visible ancestor.
        let mut target = pointer.as_str();
        self.cursor = loop {
            if let Some(i) = self.rows.iter().position(|r| r.pointer == target) {
                break i;
            }
            match target.rfind('/') {
                Some(i) => target = &target[..i],
                None => break 0,
            }
        };
    }

    /// Expands or collapses the container under the cursor.
    pub fn toggle(&mut self) {
        let pointer = self.cursor_pointer().to_owned();
        if !self.root.pointer(&pointer).is_some_and(is_container) {
            return;
        }
        if !self.expanded.remove(&pointer) {
            self.expanded.insert(pointer);
        }
        self.rebuild();
    }

    /// Expands the container under the cursor, if it is collapsed.
    pub fn expand(&mut self) {
        let pointer = self.cursor_pointer().to_owned();
        if self.root.pointer(&pointer).is_some_and(is_container) && self.expanded.insert(pointer) {
            self.rebuild();
        }
    }

    /// Collapses the container under the cursor, or moves to its parent when it is a leaf or
    /// already collapsed.
    pub fn collapse(&mut self) {
        let pointer = self.cursor_pointer().to_owned();
        if self.expanded.remove(&pointer) {
            self.rebuild();
        } else if let Some(i) = pointer.rfind('/') {
            let parent = &pointer[..i];
            if let Some(row) = self.rows.iter().position(|r| r.pointer == parent) {
                self.cursor = row;
            }
        }
    }

    pub fn expand_all(&mut self) {
        collect_containers(&self.root, String::new(), 0, usize::MAX, &mut self.expanded);
        self.rebuild();
    }

    /// Collapses everything below the root.
    pub fn collapse_all(&mut self) {
        self.expanded.clear();
        self.expanded.insert(String::new());
        self.rebuild();
    }

    pub fn up(&mut self, n: usize) {
        self.cursor = self.cursor.saturating_sub(n);
    }

    pub fn down(&mut self, n: usize) {
        self.cursor = self
            .cursor
            .saturating_add(n)
            .min(self.rows.len().saturating_sub(1));
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.rows.len().saturating_sub(1);
    }

    /// Rows in a page, as of the last render.
    pub fn page(&self) -> usize {
        usize::from(self.height.get()).saturating_sub(1).max(1)
    }

    /// Puts the cursor on the row drawn at `y` rows below the top of the last render.
    pub fn click(&mut self, y: u16) {
        let row = self.offset.get() + usize::from(y);
        if row < self.rows.len() {
            self.cursor = row;
        }
    }

    /// Plain text of the visible rows, for tests and copying.
    pub fn row_texts(&self, theme: &Theme) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| {
                self.row_line(r, theme)
                    .spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect()
            })
            .collect()
    }

    fn row_line(&self, row: &Row, theme: &Theme) -> Line<'static> {
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
            spans.push(Span::styled(clean_line(key).into_owned(), theme.accent));
            spans.push(Span::styled(": ", theme.dim));
        }
        spans.push(match value {
            Value::Object(m) => Span::styled(count(m.len(), "key", "{", "}"), theme.dim),
            Value::Array(a) => Span::styled(count(a.len(), "item", "[", "]"), theme.dim),
            Value::String(s) => Span::styled(format!("\"{}\"", clean_line(s)), theme.success),
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
            buf.set_line(area.x, y, &self.row_line(row, theme), area.width);
            if i == self.cursor {
                buf.set_style(Rect::new(area.x, y, area.width, 1), theme.selection);
            }
        }
    }
}

fn count(n: usize, noun: &str, open: &str, close: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    if n == 0 {
        format!("{open}{close}")
    } else {
        format!("{open}{n} {noun}{s}{close}")
    }
}

fn collect_containers(
    v: &Value,
    pointer: String,
    depth: usize,
    max: usize,
    out: &mut HashSet<String>,
) {
    if depth >= max || !is_container(v) {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                collect_containers(child, child_pointer(&pointer, k), depth + 1, max, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                collect_containers(
                    child,
                    child_pointer(&pointer, &i.to_string()),
                    depth + 1,
                    max,
                    out,
                );
            }
        }
        _ => {}
    }
    out.insert(pointer);
}

fn push_rows(
    v: &Value,
    pointer: String,
    depth: usize,
    key: Option<String>,
    expanded: &HashSet<String>,
    rows: &mut Vec<Row>,
) {
    let open = expanded.contains(&pointer);
    rows.push(Row {
        pointer: pointer.clone(),
        depth,
        key,
    });
    if !open {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                push_rows(
                    child,
                    child_pointer(&pointer, k),
                    depth + 1,
                    Some(k.clone()),
                    expanded,
                    rows,
                );
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let k = i.to_string();
                push_rows(
                    child,
                    child_pointer(&pointer, &k),
                    depth + 1,
                    Some(k),
                    expanded,
                    rows,
                );
            }
        }
        _ => {}
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
    fn scalars_and_hostile_keys_render() {
        let theme = Theme::default();
        let tree = JsonTree::new(json!({"k\u{1b}[31m": "v\u{7}"}));
        assert_eq!(tree.row_texts(&theme)[1], "    k␛[31m: \"v␇\"");
        assert_eq!(JsonTree::new(json!(3)).row_texts(&theme), ["  3"]);
    }
}
