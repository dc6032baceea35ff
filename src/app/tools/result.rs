//! The result pane: a tool's result read by its shape (summary, table, JSON tree, Markdown), with a raw view.

use std::cell::{Cell, RefCell};

use rmcp::model::CallToolResult;
use serde_json::Value;

use super::json_tree::JsonTree;
use super::text_view::TextView;
use crate::app::ListPos;
use crate::app::feed::{self, FeedItem};
use crate::krisp::{Meeting, MeetingId};
use crate::message::Action;
use crate::theme::Theme;

/// How the result is being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The best reading: Krisp summary, table, JSON tree, or Markdown.
    Main,
    /// `structuredContent` as a tree, when the main view is a summary or a table.
    Tree,
    /// Pretty JSON of the whole `CallToolResult`.
    Raw,
}

/// What the main view is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Main {
    Summary,
    Table,
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
    /// The theme and zone the text was last styled with: only drawing gets them, so lines are
    /// styled on the first draw and again if either changes.
    pub(crate) styled_with: RefCell<Option<(Theme, jiff::tz::TimeZone)>>,
    pub(crate) view: View,
    /// The main view when it is a table.
    pub(crate) table: Option<ItemTable>,
    /// The meetings (or documents) of a summary, in the order it shows them; `None` for one
    /// without a usable id.
    pub(crate) meetings: Vec<Option<Meeting>>,
    /// The text line each of `meetings` starts at, set when the summary is laid out.
    pub(crate) anchors: RefCell<Vec<usize>>,
}

/// A list of items (action items, activities, upcoming meetings…) as table rows.
#[derive(Debug, Clone)]
pub struct ItemTable {
    pub items: Vec<FeedItem>,
    /// What the time column holds: `Due` for due dates, else `When`.
    pub when_label: &'static str,
    pub(crate) pos: ListPos,
    /// Rows of the last render, for paging.
    pub(crate) height: Cell<u16>,
}

impl ItemTable {
    fn new(result: &CallToolResult, v: &Value) -> Self {
        let mut items = feed::items(result);
        // A meeting given as an object (`"meeting": {"id", "name"}`) names the row's meeting too.
        let objects = crate::krisp::feed_array(v)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (item, object) in items.iter_mut().zip(objects) {
            let Some(meeting) = object.get("meeting").filter(|m| m.is_object()) else {
                continue;
            };
            if item.meeting.is_none() {
                item.meeting = ["meeting_id", "id"]
                    .iter()
                    .find_map(|k| MeetingId::parse(meeting.get(*k)?.as_str()?));
            }
            if item.source.is_empty()
                && let Some(name) = meeting.get("name").and_then(Value::as_str)
            {
                item.source = crate::sanitize::clean_line(name).into_owned();
            }
        }
        let due = objects.iter().any(|o| o.get("due_date").is_some());
        Self {
            items,
            when_label: if due { "Due" } else { "When" },
            pos: ListPos::default(),
            height: Cell::new(20),
        }
    }

    pub fn selected(&self) -> usize {
        self.pos.selected
    }

    /// Moves the selection by `delta` rows, keeping it in the window last drawn.
    pub fn step(&mut self, delta: isize) {
        let height = usize::from(self.height.get()).max(1);
        self.pos.step(delta, self.items.len(), height);
    }

    pub fn page(&self) -> usize {
        usize::from(self.height.get()).saturating_sub(1).max(1)
    }

    /// The first row to draw so the selection is in a window of `height` rows.
    pub(crate) fn offset(&self, height: usize) -> usize {
        let mut pos = self.pos;
        pos.clamp(self.items.len(), height);
        pos.offset
    }

    fn meeting(&self) -> Option<Meeting> {
        let item = self.items.get(self.pos.selected)?;
        let name = if item.source.is_empty() {
            &item.title
        } else {
            &item.source
        };
        Some(Meeting::new(item.meeting.clone()?, name.clone()))
    }
}

impl ResultView {
    pub fn new(tool: &str, source: Result<CallToolResult, String>) -> Self {
        let mut table = None;
        let mut meetings = Vec::new();
        let (main, tree) = match &source {
            Err(_) => (Main::Error, None),
            Ok(r) if r.is_error == Some(true) => (Main::Error, None),
            Ok(r) => match r.structured_content.as_ref().filter(|v| !v.is_null()) {
                Some(v) => {
                    let main = match shape(v) {
                        Shape::Meetings | Shape::Documents => {
                            meetings = summary_meetings(v);
                            Main::Summary
                        }
                        Shape::Items => {
                            table = Some(ItemTable::new(r, v));
                            Main::Table
                        }
                        Shape::Other => Main::Tree,
                    };
                    (main, Some(JsonTree::new(v.clone())))
                }
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
            table,
            meetings,
            anchors: RefCell::default(),
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

    /// Whether `t` (summary or table ↔ tree) does anything here.
    pub fn has_tree_view(&self) -> bool {
        matches!(self.main, Main::Summary | Main::Table)
    }

    /// The table being shown, if the current view is one.
    pub fn table(&self) -> Option<&ItemTable> {
        match (self.view, self.main) {
            (View::Main, Main::Table) => self.table.as_ref(),
            _ => None,
        }
    }

    fn table_mut(&mut self) -> Option<&mut ItemTable> {
        match (self.view, self.main) {
            (View::Main, Main::Table) => self.table.as_mut(),
            _ => None,
        }
    }

    /// Whether the view shows meetings one at a time (a summary), so one is current.
    pub(crate) fn shows_summary(&self) -> bool {
        self.view == View::Main && self.main == Main::Summary
    }

    /// Which of `meetings` the summary is at: the first whose title is in view, else the one
    /// whose block holds the top line.
    pub(crate) fn current_summary_meeting(&self) -> Option<usize> {
        if !self.shows_summary() || self.meetings.is_empty() {
            return None;
        }
        let text = self.text.borrow();
        let top = text.top_line();
        let anchors = self.anchors.borrow();
        let block = anchors.partition_point(|&a| a <= top).saturating_sub(1);
        let i = anchors
            .get(block..)
            .and_then(|rest| {
                rest.iter()
                    .position(|&line| text.screen_row(line).is_some())
            })
            .map_or(block, |i| block + i);
        Some(i.min(self.meetings.len() - 1))
    }

    /// The meeting `Enter` opens: the table's selected row, the summary's current meeting, or
    /// the tree node under the cursor when it is (or holds) a meeting id.
    pub fn meeting_to_open(&self) -> Option<Meeting> {
        if let Some(table) = self.table() {
            return table.meeting();
        }
        if let Some(i) = self.current_summary_meeting() {
            return self.meetings.get(i).cloned().flatten();
        }
        let tree = self.tree()?;
        let pointer = tree.cursor_pointer();
        let node = tree.value().pointer(pointer)?;
        let key = pointer.rsplit('/').next().unwrap_or_default();
        match node {
            Value::String(s) if crate::krisp::MEETING_ID_KEYS.contains(&key) => {
                let parent = &pointer[..pointer.len() - key.len()].trim_end_matches('/');
                let name = tree
                    .value()
                    .pointer(parent)
                    .and_then(|p| p.get("name").or_else(|| p.get("meeting_name")))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                use crate::app::incoming::Sanitized as _;
                Some(Meeting::new(MeetingId::parse(s)?, name).sanitized())
            }
            Value::Object(_) => meeting_of(node),
            _ => None,
        }
    }

    /// Whether `Enter` opens the meeting of an action item (a table row with a done state),
    /// which opens at its action items as the Action items tab does.
    pub fn opens_action_item(&self) -> bool {
        self.table()
            .and_then(|t| t.items.get(t.pos.selected))
            .is_some_and(|item| item.done.is_some())
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

    /// Scrolls by `n` rows (negative is up); a tree or table moves its cursor instead.
    pub fn scroll(&mut self, n: isize) {
        let rows = n.unsigned_abs();
        if let Some(table) = self.table_mut() {
            table.step(n);
            return;
        }
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
        let rows = match (self.tree(), self.table()) {
            (Some(tree), _) => tree.page(),
            (None, Some(table)) => table.page(),
            (None, None) => self.text_view().borrow().page(),
        };
        isize::try_from(rows).unwrap_or(isize::MAX)
    }

    fn home(&mut self, end: bool) {
        if let Some(table) = self.table_mut() {
            table.step(if end { isize::MAX } else { isize::MIN });
            return;
        }
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

    /// An action on the result pane (from the keymap's `tools_result` section); `false` when
    /// it does nothing here.
    pub fn on_action(&mut self, action: Action) -> bool {
        match action {
            Action::Down => self.scroll(1),
            Action::Up => self.scroll(-1),
            Action::HalfPageDown => self.scroll(self.page() / 2),
            Action::HalfPageUp => self.scroll(-self.page() / 2),
            Action::PageDown => self.scroll(self.page()),
            Action::PageUp => self.scroll(-self.page()),
            Action::Top => self.home(false),
            Action::Bottom => self.home(true),
            Action::RawView => {
                self.view = if self.view == View::Raw {
                    View::Main
                } else {
                    View::Raw
                }
            }
            Action::TreeView if self.has_tree_view() => {
                self.view = if self.view == View::Tree {
                    View::Main
                } else {
                    View::Tree
                };
            }
            action => match self.tree_mut() {
                Some(tree) => match action {
                    Action::Select | Action::Fold => tree.toggle(),
                    Action::Expand => tree.expand(),
                    Action::Collapse => tree.collapse(),
                    Action::ExpandAll => tree.expand_all(),
                    Action::CollapseAll => tree.collapse_all(),
                    _ => return false,
                },
                // Without a tree, the key that folds (Space) pages, as in the meeting view.
                None if action == Action::Fold => self.scroll(self.page()),
                None => return false,
            },
        }
        true
    }

    /// A click on row `y` of the body (relative to its top) puts the tree or table cursor there.
    pub fn click(&mut self, y: u16) {
        if let Some(table) = self.table_mut() {
            // Row 0 is the header.
            let height = usize::from(table.height.get()).max(1);
            let row = table.offset(height) + usize::from(y);
            if y > 0 && row <= table.items.len() {
                table.pos.selected = row - 1;
                table.pos.clamp(table.items.len(), height);
            }
            return;
        }
        if let Some(tree) = self.tree_mut() {
            tree.click(y);
        }
    }
}

/// The meeting an object is or names: a meeting record, or an item with a `meeting_id`; its
/// names on one line, as every meeting the app holds (the result kept their line breaks).
fn meeting_of(v: &Value) -> Option<Meeting> {
    use crate::app::incoming::Sanitized as _;
    meeting_named(v).map(Meeting::sanitized)
}

fn meeting_named(v: &Value) -> Option<Meeting> {
    if let Ok(m) = Meeting::from_value(v) {
        return Some(m);
    }
    let id = crate::krisp::meeting_id_in(v.as_object()?)?;
    let name = ["meeting_name", "name", "title"]
        .iter()
        .find_map(|k| v.get(*k)?.as_str())
        .unwrap_or_default();
    Some(Meeting::new(id, name))
}

/// What a result's `structuredContent` is, judged by its shape rather than the tool's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `meetings` records with notes (`search_meetings`).
    Meetings,
    /// Documents: `results` of `{id, document}` (`get_multiple_documents`), or one
    /// `{id, document}` (`get_document`).
    Documents,
    /// A flat list of titled items (action items, activities, upcoming meetings).
    Items,
    Other,
}

/// Keys that make a list item a meeting record with notes rather than a table row.
const NOTE_KEYS: &[&str] = &[
    "meeting_notes",
    "detailed_summary",
    "key_points",
    "action_items",
    "transcript",
    "speakers",
    "document",
];

/// Keys one of which titles a table row.
const TITLE_KEYS: &[&str] = &["title", "text", "description", "name"];

pub fn shape(v: &Value) -> Shape {
    let is_document = |d: &Value| {
        d.get("document")
            .is_some_and(|doc| doc.is_string() || doc.is_null())
    };
    let docs = v.get("results").and_then(Value::as_array);
    if docs.is_some_and(|d| !d.is_empty() && d.iter().all(is_document)) || is_document(v) {
        return Shape::Documents;
    }
    if let Some(items) = crate::krisp::feed_array(v)
        && items.iter().all(|i| {
            i.as_object().is_some_and(|o| {
                TITLE_KEYS.iter().any(|k| o.contains_key(*k))
                    && !NOTE_KEYS.iter().any(|k| o.contains_key(*k))
            })
        })
    {
        return Shape::Items;
    }
    if v.get("meetings").is_some_and(Value::is_array) {
        return Shape::Meetings;
    }
    Shape::Other
}

/// The meetings of a summary in the order it shows them; a document stands for its meeting.
fn summary_meetings(v: &Value) -> Vec<Option<Meeting>> {
    let docs: Vec<&Value> = match v.get("results").and_then(Value::as_array) {
        Some(docs) => docs.iter().collect(),
        None if v.get("document").is_some() => vec![v],
        None => {
            return v
                .get("meetings")
                .and_then(Value::as_array)
                .map(|ms| ms.iter().map(meeting_of).collect())
                .unwrap_or_default();
        }
    };
    docs.iter()
        .map(|d| {
            let id = MeetingId::parse(d.get("id")?.as_str()?)?;
            let name = format!("Document {id}");
            Some(Meeting::new(id, name))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_not_names() {
        let id = "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e";
        assert_eq!(
            shape(&json!({"id": id, "document": null})),
            Shape::Documents
        );
        let docs = json!({"results": [{"id": id, "document": "# Notes"}]});
        assert_eq!(shape(&docs), Shape::Documents);
        let search =
            json!({"count": 1, "meetings": [{"meeting_id": id, "name": "A", "meeting_notes": {}}]});
        assert_eq!(shape(&search), Shape::Meetings);
        let upcoming = json!({"days": 7, "meetings": [{"meeting_id": id, "name": "A", "start": "2026-12-02T08:30:00Z"}]});
        assert_eq!(shape(&upcoming), Shape::Items);
        let activities = json!({"count": 1, "activities": [{"title": "x", "created_at": "2026-11-25T10:22:19Z"}]});
        assert_eq!(shape(&activities), Shape::Items);
        // Another tool answering a bare list of titled items reads the same.
        assert_eq!(shape(&json!([{"name": "x"}])), Shape::Items);
        assert_eq!(
            shape(&json!({"dates": [{"date": "2026-02-21", "weekday": "Saturday"}]})),
            Shape::Other
        );
        assert_eq!(
            shape(&json!({"count": 0, "action_items": []})),
            Shape::Other
        );
    }
}
