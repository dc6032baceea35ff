//! A collapsible tree view of a JSON value that draws only the rows on screen.

use std::cell::Cell;
use std::collections::HashSet;

use serde_json::Value;

/// Containers this deep and shallower start expanded.
const OPEN_DEPTH: usize = 2;

/// The tree: which containers are expanded (by JSON pointer), the visible rows and a cursor.
#[derive(Debug, Clone)]
pub struct JsonTree {
    pub(crate) root: Value,
    pub(crate) expanded: HashSet<String>,
    pub(crate) rows: Vec<Row>,
    pub(crate) cursor: usize,
    /// First row drawn; kept so the cursor stays on screen, which only drawing knows how to do.
    pub(crate) offset: Cell<usize>,
    pub(crate) height: Cell<u16>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) pointer: String,
    pub(crate) depth: usize,
    pub(crate) key: Option<String>,
}

fn child_pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

pub(crate) fn is_container(v: &Value) -> bool {
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
}

pub(crate) fn count(n: usize, noun: &str, open: &str, close: &str) -> String {
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
