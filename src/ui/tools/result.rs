//! Drawing a tool's result: the Krisp summary, Markdown, the JSON tree or the raw JSON.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use rmcp::model::{ContentBlock, ResourceContents};

use super::meetings;
use crate::app::tools::result::{Main, ResultView};
use crate::sanitize::clean_line;
use crate::theme::Theme;
use crate::ui::markdown;

impl ResultView {
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
