//! Drawing the Tools panel: the tool list, the generated form and the result pane.

mod form;
mod json_tree;
mod meetings;
mod result;
mod table;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use crate::app::tools::text_view::wrap_line;
use crate::app::tools::{Focus, ToolsPanel, View};
use crate::columns::truncate;
use crate::sanitize::clean_line;
use crate::theme::Theme;

impl ToolsPanel {
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

    /// Draws the panel with no wall clock, times in UTC.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        self.render_at(area, buf, theme, None, &TimeZone::UTC);
    }

    /// [`Self::render`] with the wall clock, so times read relative to it (`in 2 h`), and in
    /// `tz` (the state's zone).
    pub fn render_at(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        now: Option<Timestamp>,
        tz: &TimeZone,
    ) {
        let area = area.intersection(buf.area);
        let areas = self.layout(area);
        if let Some(list) = areas.list {
            self.render_list(list, buf, theme);
        }
        if let Some(form) = areas.form {
            self.render_form(form, buf, theme);
        }
        if let Some(result) = areas.result {
            self.render_result(result, buf, theme, now, tz);
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
                Span::styled(tool.name.to_string(), name_style),
            ]);
            buf.set_line(inner.x, y, &name, inner.width);
            if y + 1 < inner.bottom() {
                let desc = tool.description.as_deref().unwrap_or("");
                let desc = desc.lines().next().unwrap_or("");
                let width = usize::from(inner.width.saturating_sub(2));
                let shown = truncate(desc, width);
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
        // On one line: its line breaks as `␤` (the text was sanitized where it came in).
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
            .map(|t| t.name.to_string())
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

    fn render_result(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        now: Option<Timestamp>,
        tz: &TimeZone,
    ) {
        let mut title = vec![Span::raw(" Result ")];
        if let Some(result) = &self.result {
            title.push(Span::raw(format!("· {} ", result.tool())));
            match result.view() {
                View::Raw => title.push(Span::raw("· raw ")),
                View::Main if result.table().is_some() => {
                    let n = result.table().map_or(0, |t| t.items.len());
                    title.push(Span::raw(format!(
                        "· {n} {} ",
                        if n == 1 { "row" } else { "rows" }
                    )));
                }
                View::Tree => title.push(Span::raw("· tree ")),
                View::Main if result.is_error() => {
                    title.push(Span::styled("· error ", theme.error))
                }
                View::Main => {}
            }
        }
        if let Some(running) = &self.running {
            title.push(Span::styled(
                format!("· running {running}… "),
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
            Some(result) => result.render(inner, buf, theme, now, tz),
            None => {
                let text = match &self.running {
                    Some(name) => format!("Running {name}…"),
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
