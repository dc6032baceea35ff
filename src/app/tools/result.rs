//! The result pane: a tool's result as a Krisp summary, a JSON tree or Markdown, with a raw view.

use std::cell::RefCell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rmcp::model::CallToolResult;
use serde_json::Value;

use super::json_tree::JsonTree;
use super::text_view::TextView;
use crate::theme::Theme;

/// How the result is being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The best reading: Krisp summary, JSON tree, or Markdown.
    Main,
    /// `structuredContent` as a tree, when the main view is the Krisp summary.
    Tree,
    /// Pretty JSON of the whole `CallToolResult`.
    Raw,
}

/// What the main view is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Main {
    Summary,
    Tree,
    Markdown,
    Error,
}

/// One tool result, ready to draw.
#[derive(Debug, Clone)]
pub struct ResultView {
    pub(crate) tool: String,
    pub(crate) source: Result<CallToolResult, String>,
    pub(crate) main: Main,
    /// The tree of `structuredContent`: the main view, or the `t` view of a summary.
    pub(crate) tree: Option<JsonTree>,
    pub(crate) text: RefCell<TextView>,
    pub(crate) raw: RefCell<TextView>,
    /// The theme the text was last styled with: only drawing gets a theme, so lines are styled
    /// on the first draw and again if the theme changes.
    pub(crate) styled_with: RefCell<Option<Theme>>,
    pub(crate) view: View,
}

impl ResultView {
    pub fn new(tool: &str, source: Result<CallToolResult, String>) -> Self {
        let (main, tree) = match &source {
            Err(_) => (Main::Error, None),
            Ok(r) if r.is_error == Some(true) => (Main::Error, None),
            Ok(r) => match r.structured_content.as_ref().filter(|v| !v.is_null()) {
                Some(v) if is_krisp_shaped(v) => (Main::Summary, Some(JsonTree::new(v.clone()))),
                Some(v) => (Main::Tree, Some(JsonTree::new(v.clone()))),
                None => (Main::Markdown, None),
            },
        };
        Self {
            tool: tool.to_owned(),
            source,
            main,
            tree,
            text: RefCell::default(),
            raw: RefCell::default(),
            styled_with: RefCell::default(),
            view: View::Main,
        }
    }

    pub fn tool(&self) -> &str {
        &self.tool
    }

    pub fn is_error(&self) -> bool {
        self.main == Main::Error
    }

    pub fn view(&self) -> View {
        self.view
    }

    /// Whether `t` (summary ↔ tree) does anything here.
    pub fn has_tree_view(&self) -> bool {
        self.main == Main::Summary
    }

    /// The tree being shown, if the current view is one.
    pub fn tree(&self) -> Option<&JsonTree> {
        match (self.view, self.main) {
            (View::Tree, _) | (View::Main, Main::Tree) => self.tree.as_ref(),
            _ => None,
        }
    }

    fn tree_mut(&mut self) -> Option<&mut JsonTree> {
        match (self.view, self.main) {
            (View::Tree, _) | (View::Main, Main::Tree) => self.tree.as_mut(),
            _ => None,
        }
    }

    pub(crate) fn text_view(&self) -> &RefCell<TextView> {
        if self.view == View::Raw {
            &self.raw
        } else {
            &self.text
        }
    }

    /// Scrolls by `n` rows (negative is up); a tree moves its cursor instead.
    pub fn scroll(&mut self, n: isize) {
        let rows = n.unsigned_abs();
        if let Some(tree) = self.tree_mut() {
            if n < 0 {
                tree.up(rows)
            } else {
                tree.down(rows)
            }
            return;
        }
        let mut view = self.text_view().borrow_mut();
        if n < 0 {
            view.scroll_up(rows)
        } else {
            view.scroll_down(rows)
        }
    }

    fn page(&self) -> isize {
        let rows = match self.tree() {
            Some(tree) => tree.page(),
            None => self.text_view().borrow().page(),
        };
        isize::try_from(rows).unwrap_or(isize::MAX)
    }

    fn home(&mut self, end: bool) {
        if let Some(tree) = self.tree_mut() {
            if end {
                tree.end()
            } else {
                tree.home()
            }
            return;
        }
        let mut view = self.text_view().borrow_mut();
        if end { view.end() } else { view.home() }
    }

    /// Handles a result-pane key; `false` when the key is not one.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.scroll(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll(-1),
            KeyCode::Char('d') if ctrl => self.scroll(self.page() / 2),
            KeyCode::Char('u') if ctrl => self.scroll(-self.page() / 2),
            KeyCode::PageDown => self.scroll(self.page()),
            KeyCode::PageUp => self.scroll(-self.page()),
            KeyCode::Home | KeyCode::Char('g') => self.home(false),
            KeyCode::End | KeyCode::Char('G') => self.home(true),
            KeyCode::Char('r') => {
                self.view = if self.view == View::Raw {
                    View::Main
                } else {
                    View::Raw
                }
            }
            KeyCode::Char('t') if self.has_tree_view() => {
                self.view = if self.view == View::Tree {
                    View::Main
                } else {
                    View::Tree
                };
            }
            code => match self.tree_mut() {
                Some(tree) => match code {
                    KeyCode::Enter | KeyCode::Char(' ') => tree.toggle(),
                    KeyCode::Right | KeyCode::Char('l') => tree.expand(),
                    KeyCode::Left | KeyCode::Char('h') => tree.collapse(),
                    KeyCode::Char('+' | '=') => tree.expand_all(),
                    KeyCode::Char('-') => tree.collapse_all(),
                    _ => return false,
                },
                None if code == KeyCode::Char(' ') => self.scroll(self.page()),
                None => return false,
            },
        }
        true
    }

    /// A click on row `y` of the body (relative to its top) puts the tree cursor there.
    pub fn click(&mut self, y: u16) {
        if let Some(tree) = self.tree_mut() {
            tree.click(y);
        }
    }
}

/// Whether `v` is a Krisp result the result pane summarises (`ui::tools::meetings`).
pub fn is_krisp_shaped(v: &Value) -> bool {
    v.get("meetings").is_some_and(Value::is_array)
        || v.get("results")
            .and_then(Value::as_array)
            .is_some_and(|docs| {
                !docs.is_empty() && docs.iter().all(|d| d.get("document").is_some())
            })
}
