//! The result pane: a tool's result as a Krisp summary, a JSON tree or Markdown, with a raw view.

use std::cell::RefCell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};

use super::meetings;
use super::text_view::TextView;
use crate::sanitize::clean_line;
use crate::ui::json_tree::JsonTree;
use crate::ui::markdown;
use crate::ui::theme::Theme;

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
enum Main {
    Summary,
    Tree,
    Markdown,
    Error,
}

/// One tool result, ready to draw.
#[derive(Debug, Clone)]
pub struct ResultView {
    tool: String,
    source: Result<CallToolResult, String>,
    main: Main,
    /// The tree of `structuredContent`: the main view, or the `t` view of a summary.
    tree: Option<JsonTree>,
    text: RefCell<TextView>,
    raw: RefCell<TextView>,
    /// The theme the text was last styled with: only drawing gets a theme, so lines are styled
    /// on the first draw and again if the theme changes.
    styled_with: RefCell<Option<Theme>>,
    view: View,
}

impl ResultView {
    pub fn new(tool: &str, source: Result<CallToolResult, String>) -> Self {
        let (main, tree) = match &source {
            Err(_) => (Main::Error, None),
            Ok(r) if r.is_error == Some(true) => (Main::Error, None),
            Ok(r) => match r.structured_content.as_ref().filter(|v| !v.is_null()) {
                Some(v) if meetings::is_krisp_shaped(v) => {
                    (Main::Summary, Some(JsonTree::new(v.clone())))
                }
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

    fn text_view(&self) -> &RefCell<TextView> {
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

    /// (Re)builds the styled lines when they were never built or the theme changed.
    fn style_lines(&self, theme: &Theme) {
        if self.styled_with.borrow().as_ref() == Some(theme) {
            return;
        }
        self.text.borrow_mut().set_lines(self.main_lines(theme));
        self.raw.borrow_mut().set_lines(self.raw_lines(theme));
        *self.styled_with.borrow_mut() = Some(theme.clone());
    }

    fn raw_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let json = match &self.source {
            Ok(result) => serde_json::to_string_pretty(result)
                .map_err(|e| format!("(cannot show as JSON: {e})")),
            Err(message) => Err(message.clone()),
        };
        match json {
            Ok(json) => json
                .lines()
                .map(|l| Line::styled(clean_line(l).into_owned(), theme.text))
                .collect(),
            Err(message) => message
                .lines()
                .map(|l| Line::styled(clean_line(l).into_owned(), theme.error))
                .collect(),
        }
    }

    fn main_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let result = match &self.source {
            Err(message) => {
                let mut lines = vec![Line::styled("✗ The call failed", theme.error)];
                lines.extend(
                    message
                        .lines()
                        .map(|l| Line::styled(clean_line(l).into_owned(), theme.error)),
                );
                return lines;
            }
            Ok(result) => result,
        };
        let structured = result.structured_content.as_ref().filter(|v| !v.is_null());
        match self.main {
            Main::Summary => structured
                .and_then(|v| meetings::summary(v, theme))
                .unwrap_or_default(),
            Main::Tree => Vec::new(),
            Main::Error => {
                let mut lines = vec![Line::styled("✗ The tool reported an error", theme.error)];
                let texts = content_lines(&result.content, theme);
                if texts.is_empty()
                    && let Some(v) = structured
                {
                    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
                    lines.extend(
                        pretty
                            .lines()
                            .map(|l| Line::styled(clean_line(l).into_owned(), theme.error)),
                    );
                }
                lines.extend(texts.into_iter().map(|l| l.patch_style(theme.error)));
                lines
            }
            Main::Markdown => {
                let lines = content_lines(&result.content, theme);
                if lines.is_empty() {
                    vec![Line::styled("(the tool returned nothing)", theme.dim)]
                } else {
                    lines
                }
            }
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        match self.tree() {
            Some(tree) => tree.render(area, buf, theme),
            None => {
                self.style_lines(theme);
                self.text_view().borrow().render(area, buf);
            }
        }
    }
}

/// Text blocks as Markdown; other blocks as a one-line note of what they are.
fn content_lines(content: &[ContentBlock], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for block in content {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        let note = |s: String| Line::from(Span::styled(clean_line(&s).into_owned(), theme.dim));
        match block {
            ContentBlock::Text(t) => lines.extend(markdown::to_text(&t.text, theme).lines),
            ContentBlock::Image(i) => {
                lines.push(note(format!(
                    "[image, {}, {} bytes of base64]",
                    i.mime_type,
                    i.data.len()
                )));
            }
            ContentBlock::Audio(a) => {
                lines.push(note(format!(
                    "[audio, {}, {} bytes of base64]",
                    a.mime_type,
                    a.data.len()
                )));
            }
            ContentBlock::ResourceLink(r) => {
                lines.push(note(format!("[resource link: {} {}]", r.name, r.uri)))
            }
            ContentBlock::Resource(r) => match &r.resource {
                ResourceContents::TextResourceContents { uri, text, .. } => {
                    lines.push(note(format!("[resource {uri}]")));
                    lines.extend(markdown::to_text(text, theme).lines);
                }
                ResourceContents::BlobResourceContents { uri, blob, .. } => {
                    lines.push(note(format!(
                        "[resource {uri}, {} bytes of base64]",
                        blob.len()
                    )));
                }
                _ => lines.push(note("[resource]".to_owned())),
            },
            _ => lines.push(note(
                "[content of a kind this version does not know]".to_owned(),
            )),
        }
    }
    lines
}
