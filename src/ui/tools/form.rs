//! Drawing a tool's form: labels, values, the focused field's editor, help and errors.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::tools::form::{Field, Form, HELP_ROWS, Input};
use crate::app::tools::schema::{self, FieldKind};
use crate::app::tools::text_view::wrap_line;
use crate::columns::truncate;
use crate::sanitize::clean_line;
use crate::theme::Theme;

impl Field {
    fn shown_value(&self, theme: &Theme) -> Span<'static> {
        match &self.input {
            Input::Toggle(Some(true)) => Span::styled("[x] true", theme.success),
            Input::Toggle(Some(false)) => Span::styled("[ ] false", theme.text),
            Input::Toggle(None) => Span::styled("[-] not set", theme.dim),
            Input::Choice(i) => {
                let values = match &self.kind {
                    FieldKind::Choice(values) => values.as_slice(),
                    _ => &[],
                };
                match i.and_then(|i| values.get(i)) {
                    Some(v) => Span::styled(
                        format!("◂ {} ▸", clean_line(&schema::display(v))),
                        theme.text,
                    ),
                    None => Span::styled("◂ not set ▸", theme.dim),
                }
            }
            Input::Text(input) => match Some(input.text()).filter(|s| !s.is_empty()) {
                Some(text) => Span::styled(clean_line(text).into_owned(), theme.text),
                None => Span::styled(schema::hint(&self.schema, &self.kind), theme.dim),
            },
        }
    }
}

impl Form {
    fn help_lines(&self, theme: &Theme, width: u16) -> Vec<Line<'static>> {
        let Some(field) = self.focused() else {
            return Vec::new();
        };
        let mut spans = vec![Span::styled(
            schema::hint(&field.schema, &field.kind),
            theme.dim,
        )];
        if let Some(desc) = &field.description {
            spans.push(Span::styled(" · ", theme.dim));
            spans.push(Span::styled(desc.clone(), theme.text));
        }
        let mut lines = wrap_line(&Line::from(spans), width.into());
        if let Some(err) = &field.error {
            lines.extend(wrap_line(
                &Line::from(Span::styled(
                    format!("✗ {}: {}", field.name, err),
                    theme.error,
                )),
                width.into(),
            ));
        }
        lines.truncate(HELP_ROWS);
        lines
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
        if area.is_empty() {
            return;
        }
        // Help and the full error text only for the field being edited.
        let help = if focused {
            self.help_lines(theme, area.width)
        } else {
            Vec::new()
        };
        // Fields get what is left after help, but at least one row.
        let help_rows = (help.len() as u16).min(area.height.saturating_sub(2));
        let fields_area = Rect {
            height: area.height - help_rows,
            ..area
        };
        if self.fields.is_empty() {
            buf.set_line(
                area.x,
                area.y,
                &Line::styled("No arguments. F5 runs the tool.", theme.dim),
                area.width,
            );
        }
        let rows = usize::from(fields_area.height);
        let mut offset = self.offset.get().min(self.focus);
        if self.focus >= offset + rows {
            offset = self.focus + 1 - rows;
        }
        self.offset.set(offset);
        self.rows_area.set(fields_area);

        let label_width = self
            .fields
            .iter()
            .map(|f| f.name.chars().count() + 2)
            .max()
            .unwrap_or(0)
            .min(usize::from(area.width / 3)) as u16;
        for (i, field) in self.fields.iter().enumerate().skip(offset).take(rows) {
            let y = fields_area.y + (i - offset) as u16;
            self.render_field(
                field,
                i == self.focus && focused,
                Rect::new(area.x, y, area.width, 1),
                label_width,
                buf,
                theme,
            );
        }
        // Help sits under the last field, after a blank row, or at the bottom when space is short.
        let fields_end =
            fields_area.y + (self.fields.len().saturating_sub(offset).min(rows)) as u16;
        let help_top = (fields_end + 1).min(area.bottom() - help_rows);
        for (y, line) in (help_top..).zip(help.iter().take(usize::from(help_rows))) {
            buf.set_line(area.x, y, line, area.width);
        }
    }

    fn render_field(
        &self,
        field: &Field,
        focused: bool,
        row: Rect,
        label_width: u16,
        buf: &mut Buffer,
        theme: &Theme,
    ) {
        let marker = if focused {
            Span::styled("▸ ", theme.accent)
        } else {
            Span::raw("  ")
        };
        let label_style = if focused {
            theme.accent.add_modifier(Modifier::BOLD)
        } else {
            theme.text
        };
        let mut label = vec![marker, Span::styled(field.name.clone(), label_style)];
        if field.required {
            label.push(Span::styled("*", theme.error));
        }
        let label_cols = (label_width + 2).min(row.width);
        buf.set_line(row.x, row.y, &Line::from(label), label_cols);

        let rest = row.width.saturating_sub(label_cols + 1);
        if rest == 0 {
            return;
        }
        // Leave room beside the input for its error once there is enough width for both.
        let input_width = if rest >= 36 {
            (rest * 3 / 5).max(20)
        } else {
            rest
        };
        let input = Rect::new(row.x + label_cols + 1, row.y, input_width, 1);
        match (&field.input, focused) {
            (Input::Text(text), true) => {
                let mut spans =
                    crate::ui::input_spans(text, input.width.into(), theme.text, theme.selection);
                if text.text().is_empty() {
                    spans.push(Span::styled(
                        format!(" {}", schema::hint(&field.schema, &field.kind)),
                        theme.dim,
                    ));
                }
                Line::from(spans).render(input, buf);
            }
            _ => {
                let mut shown = field.shown_value(theme);
                shown.content = truncate(&shown.content, input.width.into()).into();
                buf.set_span(input.x, input.y, &shown, input.width);
            }
        }
        if matches!(field.input, Input::Text(_)) {
            buf.set_style(input, Modifier::UNDERLINED);
        }
        let beside = rest.saturating_sub(input_width + 1);
        if let Some(err) = &field.error
            && beside >= 6
        {
            let span = Span::styled(format!("✗ {err}"), theme.error);
            buf.set_span(input.right() + 1, row.y, &span, beside);
        }
    }
}
