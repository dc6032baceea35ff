//! Drawing a tool's result: the summary, a table, Markdown, the JSON tree or the raw JSON.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use rmcp::model::{ContentBlock, ResourceContents};

use super::{meetings, table};
use crate::app::tools::result::{Main, ResultView};
use crate::sanitize::clean_line;
use crate::theme::Theme;
use crate::ui::markdown;

impl ResultView {
    /// (Re)builds the styled lines when they were never built or the theme or zone changed.
    fn style_lines(&self, theme: &Theme, tz: &TimeZone) {
        if self
            .styled_with
            .borrow()
            .as_ref()
            .is_some_and(|(t, z)| t == theme && z == tz)
        {
            return;
        }
        let (lines, anchors) = self.main_lines(theme, tz);
        self.text.borrow_mut().set_lines(lines);
        *self.anchors.borrow_mut() = anchors;
        self.raw.borrow_mut().set_lines(self.raw_lines(theme));
        *self.styled_with.borrow_mut() = Some((theme.clone(), tz.clone()));
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
                .map(|l| Line::styled(l.to_owned(), theme.text))
                .collect(),
            Err(message) => message
                .lines()
                .map(|l| Line::styled(l.to_owned(), theme.error))
                .collect(),
        }
    }

    /// The main view's text, and where each meeting of a summary starts in it.
    fn main_lines(&self, theme: &Theme, tz: &TimeZone) -> (Vec<Line<'static>>, Vec<usize>) {
        let result = match &self.source {
            Err(message) => {
                let mut lines = vec![Line::styled("✗ The call failed", theme.error)];
                lines.extend(
                    message
                        .lines()
                        .map(|l| Line::styled(l.to_owned(), theme.error)),
                );
                return (lines, Vec::new());
            }
            Ok(result) => result,
        };
        let structured = result.structured_content.as_ref().filter(|v| !v.is_null());
        let lines = match self.main {
            Main::Summary => {
                return structured
                    .and_then(|v| meetings::summary(v, theme, tz))
                    .unwrap_or_default();
            }
            Main::Tree | Main::Table => Vec::new(),
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
                            .map(|l| Line::styled(l.to_owned(), theme.error)),
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
        };
        (lines, Vec::new())
    }

    /// Draws the current view; `now` puts times in words relative to it (`tomorrow 09:30`), `tz`
    /// is the zone they are shown in.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        now: Option<Timestamp>,
        tz: &TimeZone,
    ) {
        if let Some(tree) = self.tree() {
            return tree.render(area, buf, theme);
        }
        if let Some(t) = self.table() {
            return table::render(t, area, buf, theme, now, tz);
        }
        self.style_lines(theme, tz);
        let view = self.text_view().borrow();
        view.render(area, buf);
        // The meeting `Enter` opens: its title row, when in view.
        let current = self.current_summary_meeting();
        let anchor = current.and_then(|i| self.anchors.borrow().get(i).copied());
        if let Some(y) = anchor.and_then(|line| view.screen_row(line)) {
            buf.set_style(
                Rect::new(area.x, area.y + y, area.width, 1),
                theme.selection,
            );
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
