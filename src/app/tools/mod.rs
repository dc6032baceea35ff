//! The Tools panel's state and keys: every tool the server lists, a form generated from its input schema, and the result of running it (drawn by `ui::tools`).

// Self-contained: the TUI hands it the tools from `tools/list`, routes keys and mouse events to
// it while it is shown, runs what it returns as `ToolsOutcome::Run`, and hands back the result.

pub mod form;
pub mod json_tree;
pub mod result;
pub mod schema;
pub mod text_view;

use std::cell::Cell;

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::widgets::Block;
use rmcp::model::{CallToolResult, Tool};
use serde_json::{Map, Value};

pub use form::{Field, Form, FormEvent, RAW_ARGS};
pub use result::{ResultView, View};
pub use schema::{FieldKind, validate};

use crate::app::keymap::{Keymap, Mode};
use crate::message::Action;

/// What the TUI should do after a key or mouse event.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolsOutcome {
    None,
    /// Call tool `name` with `args` (only the fields the user filled, typed as the schema says).
    Run {
        name: String,
        args: Map<String, Value>,
    },
    /// Open this meeting in the meeting view (`Enter` on a meeting in a result); at its action
    /// items when the row was one.
    OpenMeeting {
        meeting: Box<crate::krisp::Meeting>,
        action_items: bool,
    },
    /// Leave the panel.
    Close,
}

/// Keys and what they do, for the status bar (its first keys) and help (all of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: Vec<String>,
    pub label: &'static str,
}

/// Which pane takes keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Form,
    Result,
}

/// Rows the form pane gives the tool's description, with the blank row after it.
const DESCRIPTION_ROWS: u16 = 3;

/// Below this width the panes are shown one at a time.
const WIDE: u16 = 72;

/// Where each pane is drawn for a given area; `None` when the pane is not shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Areas {
    pub(crate) list: Option<Rect>,
    pub(crate) form: Option<Rect>,
    pub(crate) result: Option<Rect>,
}

/// The Tools panel.
#[derive(Debug, Clone)]
pub struct ToolsPanel {
    pub(crate) tools: Vec<Tool>,
    /// One form per tool, in the same order, so typed values survive moving around the list.
    pub(crate) forms: Vec<Form>,
    pub(crate) selected: usize,
    pub(crate) list_offset: Cell<usize>,
    pub(crate) list_rows: Cell<u16>,
    pub(crate) focus: Focus,
    pub(crate) result: Option<ResultView>,
    pub(crate) running: Option<String>,
}

impl ToolsPanel {
    pub fn new(tools: Vec<Tool>) -> Self {
        let mut panel = Self {
            tools: Vec::new(),
            forms: Vec::new(),
            selected: 0,
            list_offset: Cell::new(0),
            list_rows: Cell::new(0),
            focus: Focus::List,
            result: None,
            running: None,
        };
        panel.set_tools(tools);
        panel
    }

    /// Replaces the tool list (e.g. after `notifications/tools/list_changed`). Forms of tools
    /// whose schema did not change keep what was typed; the selection follows the tool's name.
    pub fn set_tools(&mut self, tools: Vec<Tool>) {
        let selected_name = self.tools.get(self.selected).map(|t| t.name.clone());
        let mut old: Vec<(Tool, Form)> = self.tools.drain(..).zip(self.forms.drain(..)).collect();
        for tool in &tools {
            let kept = old
                .iter()
                .position(|(t, _)| t.name == tool.name && t.input_schema == tool.input_schema)
                .map(|i| old.swap_remove(i).1);
            self.forms
                .push(kept.unwrap_or_else(|| Form::new(&tool.input_schema)));
        }
        self.selected = selected_name
            .and_then(|n| tools.iter().position(|t| t.name == n))
            .unwrap_or(0);
        self.tools = tools;
        if self.tools.is_empty() && self.focus == Focus::Form {
            self.focus = Focus::List;
        }
    }

    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    pub fn selected(&self) -> Option<&Tool> {
        self.tools.get(self.selected)
    }

    /// The form of the selected tool.
    pub fn form(&self) -> Option<&Form> {
        self.forms.get(self.selected)
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn result(&self) -> Option<&ResultView> {
        self.result.as_ref()
    }

    /// Shows that `name` is running until its result arrives.
    pub fn set_running(&mut self, name: &str) {
        self.running = Some(name.to_owned());
    }

    /// Shows the result of calling `name`: the call's result, or why the call failed.
    pub fn set_result(&mut self, name: &str, result: Result<CallToolResult, String>) {
        if self.running.as_deref() == Some(name) {
            self.running = None;
        }
        self.result = Some(ResultView::new(name, result));
    }

    fn select(&mut self, i: usize) {
        self.selected = i.min(self.tools.len().saturating_sub(1));
    }

    /// Validates the selected tool's form and runs it, or moves to the invalid field.
    fn run(&mut self) -> ToolsOutcome {
        let Some(form) = self.forms.get_mut(self.selected) else {
            return ToolsOutcome::None;
        };
        match form.submit() {
            Some(args) => self.run_outcome(args),
            None => {
                self.focus = Focus::Form;
                ToolsOutcome::None
            }
        }
    }

    fn run_outcome(&mut self, args: Map<String, Value>) -> ToolsOutcome {
        let Some(tool) = self.tools.get(self.selected) else {
            return ToolsOutcome::None;
        };
        self.focus = Focus::Result;
        ToolsOutcome::Run {
            name: tool.name.to_string(),
            args,
        }
    }

    /// The keymap section of the pane that has the keyboard.
    pub fn mode(&self) -> Mode {
        match self.focus {
            Focus::List => Mode::Tools,
            Focus::Form => Mode::ToolsForm,
            Focus::Result => Mode::ToolsResult,
        }
    }

    /// A key on the panel: the action the focused pane's section binds it to, or, in a form,
    /// typed into the field.
    pub fn handle_key(&mut self, key: KeyEvent, keymap: &Keymap) -> ToolsOutcome {
        if key.kind == KeyEventKind::Release {
            return ToolsOutcome::None;
        }
        match keymap.bound(self.mode(), key) {
            Some(action) => self.on_action(action),
            None if self.focus == Focus::Form => {
                match self.forms.get_mut(self.selected) {
                    Some(form) => {
                        form.type_key(key);
                    }
                    None => self.focus = Focus::List,
                }
                ToolsOutcome::None
            }
            None => ToolsOutcome::None,
        }
    }

    /// An action on the focused pane.
    pub fn on_action(&mut self, action: Action) -> ToolsOutcome {
        match self.focus {
            Focus::List => self.list_action(action),
            Focus::Form => self.form_action(action),
            Focus::Result => self.result_action(action),
        }
    }

    fn has_result(&self) -> bool {
        self.result.is_some() || self.running.is_some()
    }

    fn list_action(&mut self, action: Action) -> ToolsOutcome {
        let page = usize::from(self.list_rows.get() / 2).max(1);
        match action {
            Action::Up => self.select(self.selected.saturating_sub(1)),
            Action::Down => self.select(self.selected + 1),
            Action::PageUp => self.select(self.selected.saturating_sub(page)),
            Action::PageDown => self.select(self.selected + page),
            Action::Top => self.select(0),
            Action::Bottom => self.select(usize::MAX),
            Action::Select if !self.tools.is_empty() => self.focus = Focus::Form,
            Action::FocusNext | Action::ToggleResult if self.has_result() => {
                self.focus = Focus::Result;
            }
            Action::RunTool => return self.run(),
            Action::Back => return ToolsOutcome::Close,
            _ => {}
        }
        ToolsOutcome::None
    }

    fn form_action(&mut self, action: Action) -> ToolsOutcome {
        let Some(form) = self.forms.get_mut(self.selected) else {
            self.focus = Focus::List;
            return ToolsOutcome::None;
        };
        match form.on_action(action) {
            FormEvent::Submit(args) => return self.run_outcome(args),
            FormEvent::Leave => self.focus = Focus::List,
            FormEvent::Handled | FormEvent::Invalid => {}
            FormEvent::Ignored => match action {
                Action::ToggleResult if self.has_result() => self.focus = Focus::Result,
                Action::PageUp | Action::PageDown => {
                    if let Some(result) = &mut self.result {
                        result.on_action(action);
                    }
                }
                _ => {}
            },
        }
        ToolsOutcome::None
    }

    fn result_action(&mut self, action: Action) -> ToolsOutcome {
        match action {
            Action::Back | Action::FocusPrev => {
                self.focus = if self.tools.is_empty() {
                    Focus::List
                } else {
                    Focus::Form
                }
            }
            Action::FocusNext | Action::ToggleResult => self.focus = Focus::List,
            Action::RunTool => return self.run(),
            Action::Select
                if let Some(meeting) =
                    self.result.as_ref().and_then(ResultView::meeting_to_open) =>
            {
                let action_items = self
                    .result
                    .as_ref()
                    .is_some_and(ResultView::opens_action_item);
                return ToolsOutcome::OpenMeeting {
                    meeting: Box::new(meeting),
                    action_items,
                };
            }
            _ => {
                if let Some(result) = &mut self.result {
                    result.on_action(action);
                }
            }
        }
        ToolsOutcome::None
    }

    pub fn handle_mouse(&mut self, ev: MouseEvent, area: Rect) -> ToolsOutcome {
        let at = Position::new(ev.column, ev.row);
        let areas = self.layout(area);
        let inside = |r: Option<Rect>| r.filter(|r| r.contains(at));
        let scroll = match ev.kind {
            MouseEventKind::ScrollUp => -1,
            MouseEventKind::ScrollDown => 1,
            _ => 0,
        };
        let click = ev.kind == MouseEventKind::Down(MouseButton::Left);
        if scroll == 0 && !click {
            return ToolsOutcome::None;
        }

        if let Some(list) = inside(areas.list) {
            let inner = Block::bordered().inner(list);
            if scroll != 0 {
                self.select(self.selected.saturating_add_signed(scroll));
            } else if inner.contains(at) {
                let i = self.list_offset.get() + usize::from((at.y - inner.y) / 2);
                if i < self.tools.len() {
                    if i == self.selected {
                        self.focus = Focus::Form;
                    } else {
                        self.select(i);
                        self.focus = Focus::List;
                    }
                }
            }
        } else if inside(areas.form).is_some() {
            let Some(form) = self.forms.get_mut(self.selected) else {
                return ToolsOutcome::None;
            };
            self.focus = Focus::Form;
            if scroll != 0 {
                form.set_focus(form.focus().saturating_add_signed(scroll));
            } else if let Some(i) = form.field_at(at.y) {
                if form.focus() == i {
                    form.click_value(i);
                }
                form.set_focus(i);
            }
        } else if let Some(result_area) = inside(areas.result) {
            let inner = Block::bordered().inner(result_area);
            let Some(result) = &mut self.result else {
                return ToolsOutcome::None;
            };
            if scroll != 0 {
                result.scroll(scroll * 3);
            } else {
                self.focus = Focus::Result;
                if inner.contains(at) {
                    result.click(at.y - inner.y);
                }
            }
        }
        ToolsOutcome::None
    }

    /// The keys that do something now, as (keys, what they do), for the status bar and help:
    /// the keys the keymap binds in the focused pane's section, and a toggle's own keys.
    pub fn key_hints(&self, keymap: &Keymap) -> Vec<Hint> {
        let mode = self.mode();
        let mut hints = Vec::new();
        let mut hint = |actions: &[Action], label: &'static str| {
            let keys: Vec<String> = keymap
                .keys_for(mode, actions)
                .iter()
                .map(ToString::to_string)
                .collect();
            if !keys.is_empty() {
                hints.push(Hint { keys, label });
            }
        };
        match self.focus {
            Focus::List => {
                hint(&[Action::Up, Action::Down], "select tool");
                hint(&[Action::Select], "open form");
                hint(&[Action::RunTool], "run");
            }
            Focus::Form => {
                let fields = [
                    Action::FocusNext,
                    Action::FocusPrev,
                    Action::Up,
                    Action::Down,
                ];
                hint(&fields, "next/previous field");
                hint(&[Action::RunTool], "run");
                hint(&[Action::Back], "back to list");
            }
            Focus::Result => {
                let scroll = [Action::Up, Action::Down, Action::PageUp, Action::PageDown];
                hint(&scroll, "scroll");
                hint(&[Action::RawView], "raw JSON");
                let result = self.result.as_ref();
                let opens = result.is_some_and(|r| r.meeting_to_open().is_some());
                if opens {
                    hint(&[Action::Select], "open meeting");
                }
                if result.is_some_and(|r| r.tree().is_some()) {
                    // Enter opens the node's meeting where there is one, else folds it.
                    let fold: &[Action] = if opens {
                        &[Action::Fold, Action::Expand, Action::Collapse]
                    } else {
                        &[
                            Action::Select,
                            Action::Fold,
                            Action::Expand,
                            Action::Collapse,
                        ]
                    };
                    hint(fold, "fold / unfold");
                    hint(
                        &[Action::ExpandAll, Action::CollapseAll],
                        "unfold / fold all",
                    );
                }
                if let Some(r) = result.filter(|r| r.has_tree_view()) {
                    let label = if r.table.is_some() {
                        "table / tree"
                    } else {
                        "summary / tree"
                    };
                    hint(&[Action::TreeView], label);
                }
                hint(&[Action::RunTool], "run again");
                hint(&[Action::Back], "back to form");
            }
        }
        if self.has_result() && self.focus != Focus::Result {
            hint(&[Action::ToggleResult], "result");
        }
        if self.focus == Focus::List {
            hint(&[Action::Back], "close");
        }
        // A toggle's or a choice's own keys, like a text field's editing keys: not the keymap's.
        if self.focus == Focus::Form && !hints.is_empty() {
            hints.insert(
                1,
                Hint {
                    keys: vec!["Space".into(), "← →".into()],
                    label: "toggle / choose",
                },
            );
        }
        hints
    }

    pub(crate) fn layout(&self, area: Rect) -> Areas {
        let has_result = self.result.is_some() || self.running.is_some();
        if area.width < WIDE || area.height < 8 {
            let pane = Some(area);
            return match self.focus {
                Focus::List => Areas {
                    list: pane,
                    ..Areas::default()
                },
                Focus::Form => Areas {
                    form: pane,
                    ..Areas::default()
                },
                Focus::Result if has_result => Areas {
                    result: pane,
                    ..Areas::default()
                },
                Focus::Result => Areas {
                    form: pane,
                    ..Areas::default()
                },
            };
        }
        let list_width = (area.width / 3).min(34);
        let [list, right] =
            Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(area);
        if !has_result {
            return Areas {
                list: Some(list),
                form: Some(right),
                result: None,
            };
        }
        let wanted = self.form().map_or(3, |f| {
            f.wanted_height(self.focus == Focus::Form) + 2 + DESCRIPTION_ROWS
        });
        // The focused pane of the two gets the larger share.
        let share = if self.focus == Focus::Result { 3 } else { 2 };
        let form_height = wanted.clamp(5, (right.height / share).max(5));
        let [form, result] =
            Layout::vertical([Constraint::Length(form_height), Constraint::Min(0)]).areas(right);
        Areas {
            list: Some(list),
            form: Some(form),
            result: Some(result),
        }
    }
}
