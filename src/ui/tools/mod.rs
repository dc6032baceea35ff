//! The Tools panel: every tool the server lists, a form generated from its input schema, and the result of running it.

// Self-contained: the TUI hands it the tools from `tools/list`, routes keys and mouse events to
// it while it is shown, runs what it returns as `ToolsOutcome::Run`, and hands back the result.

mod form;
mod meetings;
mod result;
mod schema;
mod text_view;

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};
use rmcp::model::{CallToolResult, Tool};
use serde_json::{Map, Value};

pub use form::{Field, Form, FormEvent, RAW_ARGS};
pub use result::{ResultView, View};
pub use schema::{FieldKind, validate};

use crate::sanitize::clean_line;
use crate::ui::theme::Theme;
use text_view::{truncate, wrap_line};

/// What the TUI should do after a key or mouse event.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolsOutcome {
    None,
    /// Call tool `name` with `args` (only the fields the user filled, typed as the schema says).
    Run {
        name: String,
        args: Map<String, Value>,
    },
    /// Leave the panel.
    Close,
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
struct Areas {
    list: Option<Rect>,
    form: Option<Rect>,
    result: Option<Rect>,
}

/// The Tools panel.
#[derive(Debug, Clone)]
pub struct ToolsPanel {
    tools: Vec<Tool>,
    /// One form per tool, in the same order, so typed values survive moving around the list.
    forms: Vec<Form>,
    selected: usize,
    list_offset: Cell<usize>,
    list_rows: Cell<u16>,
    focus: Focus,
    result: Option<ResultView>,
    running: Option<String>,
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

    pub fn handle_key(&mut self, key: KeyEvent) -> ToolsOutcome {
        if key.kind == KeyEventKind::Release {
            return ToolsOutcome::None;
        }
        match self.focus {
            Focus::List => self.list_key(key),
            Focus::Form => self.form_key(key),
            Focus::Result => self.result_key(key),
        }
    }

    fn list_key(&mut self, key: KeyEvent) -> ToolsOutcome {
        let page = usize::from(self.list_rows.get() / 2).max(1);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.select(self.selected.saturating_sub(1)),
            KeyCode::Down | KeyCode::Char('j') => self.select(self.selected + 1),
            KeyCode::PageUp => self.select(self.selected.saturating_sub(page)),
            KeyCode::PageDown => self.select(self.selected + page),
            KeyCode::Home | KeyCode::Char('g') => self.select(0),
            KeyCode::End | KeyCode::Char('G') => self.select(usize::MAX),
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') if !self.tools.is_empty() => {
                self.focus = Focus::Form;
            }
            KeyCode::Tab | KeyCode::F(6) if self.result.is_some() || self.running.is_some() => {
                self.focus = Focus::Result;
            }
            KeyCode::F(5) => return self.run(),
            KeyCode::Esc | KeyCode::Char('q') => return ToolsOutcome::Close,
            _ => {}
        }
        ToolsOutcome::None
    }

    fn form_key(&mut self, key: KeyEvent) -> ToolsOutcome {
        let Some(form) = self.forms.get_mut(self.selected) else {
            self.focus = Focus::List;
            return ToolsOutcome::None;
        };
        match form.handle_key(key) {
            FormEvent::Submit(args) => return self.run_outcome(args),
            FormEvent::Leave => self.focus = Focus::List,
            FormEvent::Handled | FormEvent::Invalid => {}
            FormEvent::Ignored => match key.code {
                KeyCode::F(6) if self.result.is_some() || self.running.is_some() => {
                    self.focus = Focus::Result
                }
                KeyCode::PageUp | KeyCode::PageDown => {
                    if let Some(result) = &mut self.result {
                        result.handle_key(key);
                    }
                }
                _ => {}
            },
        }
        ToolsOutcome::None
    }

    fn result_key(&mut self, key: KeyEvent) -> ToolsOutcome {
        match key.code {
            KeyCode::Esc | KeyCode::BackTab => {
                self.focus = if self.tools.is_empty() {
                    Focus::List
                } else {
                    Focus::Form
                }
            }
            KeyCode::Tab | KeyCode::F(6) => self.focus = Focus::List,
            KeyCode::F(5) => return self.run(),
            _ => {
                if let Some(result) = &mut self.result {
                    result.handle_key(key);
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

    /// The keys that do something now, as (keys, what they do), for the status bar and help.
    pub fn key_hints(&self) -> Vec<(&'static str, &'static str)> {
        let has_result = self.result.is_some() || self.running.is_some();
        let mut hints = match self.focus {
            Focus::List => vec![
                ("↑↓ j k", "select tool"),
                ("Enter", "open form"),
                ("F5", "run"),
            ],
            Focus::Form => vec![
                ("Tab S-Tab ↑↓", "next/previous field"),
                ("Space ← →", "toggle / choose"),
                ("F5 C-Enter", "run"),
                ("Esc", "back to list"),
            ],
            Focus::Result => {
                let mut h = vec![("j k PgUp PgDn", "scroll"), ("r", "raw JSON")];
                if self.result.as_ref().is_some_and(|r| r.tree().is_some()) {
                    h.extend([("Enter ← →", "fold / unfold"), ("+ -", "unfold / fold all")]);
                }
                if self.result.as_ref().is_some_and(ResultView::has_tree_view) {
                    h.push(("t", "summary / tree"));
                }
                h.extend([("F5", "run again"), ("Esc", "back to form")]);
                h
            }
        };
        if has_result && self.focus != Focus::Result {
            hints.push(("F6", "result"));
        }
        if self.focus == Focus::List {
            hints.push(("Esc", "close"));
        }
        hints
    }

    fn layout(&self, area: Rect) -> Areas {
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

    fn block<'a>(&self, title: Line<'a>, pane: Focus, theme: &Theme) -> Block<'a> {
        let focused = self.focus == pane;
        Block::bordered()
            .border_style(if focused {
                theme.border_focused
            } else {
                theme.border
            })
            .title(title.style(theme.title))
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let area = area.intersection(buf.area);
        let areas = self.layout(area);
        if let Some(list) = areas.list {
            self.render_list(list, buf, theme);
        }
        if let Some(form) = areas.form {
            self.render_form(form, buf, theme);
        }
        if let Some(result) = areas.result {
            self.render_result(result, buf, theme);
        }
    }

    fn render_list(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let block = self.block(
            Line::from(format!(" Tools ({}) ", self.tools.len())),
            Focus::List,
            theme,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        self.list_rows.set(inner.height);
        if inner.is_empty() {
            return;
        }
        if self.tools.is_empty() {
            buf.set_line(
                inner.x,
                inner.y,
                &Line::styled("The server lists no tools.", theme.dim),
                inner.width,
            );
            return;
        }
        let per_page = usize::from(inner.height / 2).max(1);
        let mut offset = self.list_offset.get().min(self.selected);
        if self.selected >= offset + per_page {
            offset = self.selected + 1 - per_page;
        }
        self.list_offset.set(offset);
        for (i, tool) in self.tools.iter().enumerate().skip(offset).take(per_page) {
            let y = inner.y + ((i - offset) * 2) as u16;
            let selected = i == self.selected;
            let (marker, name_style) = if selected {
                ("▸ ", theme.accent.add_modifier(Modifier::BOLD))
            } else {
                ("  ", theme.text)
            };
            let name = Line::from(vec![
                Span::styled(marker, theme.accent),
                Span::styled(clean_line(&tool.name).into_owned(), name_style),
            ]);
            buf.set_line(inner.x, y, &name, inner.width);
            if y + 1 < inner.bottom() {
                let desc = tool.description.as_deref().unwrap_or("");
                let desc = clean_line(desc.lines().next().unwrap_or("")).into_owned();
                let width = usize::from(inner.width.saturating_sub(2));
                let shown = truncate(&desc, width);
                buf.set_line(
                    inner.x + 2.min(inner.width),
                    y + 1,
                    &Line::styled(shown, theme.dim),
                    inner.width.saturating_sub(2),
                );
            }
            if selected && self.focus == Focus::List {
                buf.set_style(
                    Rect::new(inner.x, y, inner.width, 2.min(inner.bottom() - y)),
                    theme.selection,
                );
            }
        }
    }

    /// The part of the form pane the fields are drawn in (below the tool's description).
    fn form_fields_area(&self, area: Rect) -> Rect {
        let inner = Block::bordered().inner(area);
        let desc_rows = self.description_lines(inner.width).len() as u16;
        let desc_rows = desc_rows.min(inner.height.saturating_sub(1));
        Rect {
            y: inner.y + desc_rows,
            height: inner.height - desc_rows,
            ..inner
        }
    }

    /// The selected tool's description, wrapped, at most two rows and a blank one; unstyled.
    fn description_lines(&self, width: u16) -> Vec<Line<'static>> {
        let Some(tool) = self.selected() else {
            return Vec::new();
        };
        let desc = clean_line(tool.description.as_deref().unwrap_or("")).into_owned();
        if desc.trim().is_empty() {
            return Vec::new();
        }
        let mut lines = wrap_line(&Line::raw(desc), width.into());
        lines.truncate(2);
        lines.push(Line::default());
        lines
    }

    fn render_form(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let name = self
            .selected()
            .map(|t| clean_line(&t.name).into_owned())
            .unwrap_or_default();
        let block = self.block(Line::from(format!(" {name} ")), Focus::Form, theme);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.is_empty() {
            return;
        }
        let Some(form) = self.form() else {
            buf.set_line(
                inner.x,
                inner.y,
                &Line::styled("No tool selected.", theme.dim),
                inner.width,
            );
            return;
        };
        let fields = self.form_fields_area(area);
        for (i, line) in self
            .description_lines(inner.width)
            .iter()
            .enumerate()
            .take(usize::from(fields.y - inner.y))
        {
            let line = line.clone().style(theme.dim);
            buf.set_line(inner.x, inner.y + i as u16, &line, inner.width);
        }
        form.render(fields, buf, theme, self.focus == Focus::Form);
    }

    fn render_result(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let mut title = vec![Span::raw(" Result ")];
        if let Some(result) = &self.result {
            title.push(Span::raw(format!("· {} ", clean_line(result.tool()))));
            match result.view() {
                View::Raw => title.push(Span::raw("· raw ")),
                View::Tree => title.push(Span::raw("· tree ")),
                View::Main if result.is_error() => {
                    title.push(Span::styled("· error ", theme.error))
                }
                View::Main => {}
            }
        }
        if let Some(running) = &self.running {
            title.push(Span::styled(
                format!("· running {}… ", clean_line(running)),
                theme.warning,
            ));
        }
        let block = self.block(Line::from(title), Focus::Result, theme);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.is_empty() {
            return;
        }
        match &self.result {
            Some(result) => result.render(inner, buf, theme),
            None => {
                let text = match &self.running {
                    Some(name) => format!("Running {}…", clean_line(name)),
                    None => "F5 runs the tool; its result shows here.".to_owned(),
                };
                buf.set_line(
                    inner.x,
                    inner.y,
                    &Line::styled(text, theme.dim),
                    inner.width,
                );
            }
        }
    }
}
