//! Markdown (as Krisp's text results and documents use it) to styled ratatui `Text`.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};

use crate::sanitize::clean_line;
use crate::theme::Theme;

/// Converts Markdown to styled lines: headings, emphasis, lists and task lists, code, links (text
/// followed by the dimmed URL), quotes, tables and rules. Every piece of text is sanitized.
/// Single newlines are kept. Lines are not wrapped; the caller wraps to its width.
pub fn to_text(md: &str, theme: &Theme) -> Text<'static> {
    let options =
        Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let mut w = Writer::new(theme);
    for event in Parser::new_ext(md, options) {
        w.event(event);
    }
    w.flush();
    Text::from(w.lines)
}

/// The same lines as [`to_text`] without their styles: Markdown as clean text for a terminal
/// that is not ours (`krisp-tui show`), headings without `#`, emphasis without `**`.
pub fn to_plain(md: &str) -> String {
    let text = to_text(md, &Theme::monochrome());
    let mut out = String::new();
    for line in &text.lines {
        for span in &line.spans {
            out.push_str(&span.content);
        }
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

const RULE_WIDTH: usize = 32;

enum Container {
    Quote,
    /// A list item: its marker until the first line is written, then that many spaces.
    Item {
        marker: Option<Vec<Span<'static>>>,
        width: usize,
    },
}

struct Writer<'t> {
    theme: &'t Theme,
    lines: Vec<Line<'static>>,
    line: Vec<Span<'static>>,
    styles: Vec<Style>,
    containers: Vec<Container>,
    /// Next number of each open list; `None` for bullet lists.
    lists: Vec<Option<u64>>,
    links: Vec<String>,
    code_block: bool,
    /// A block ended: the next block at the top level starts after a blank line.
    blank_pending: bool,
    table_cell: usize,
}

impl<'t> Writer<'t> {
    fn new(theme: &'t Theme) -> Self {
        Self {
            theme,
            lines: Vec::new(),
            line: Vec::new(),
            styles: vec![theme.text],
            containers: Vec::new(),
            lists: Vec::new(),
            links: Vec::new(),
            code_block: false,
            blank_pending: false,
            table_cell: 0,
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, patch: Style) {
        self.styles.push(self.style().patch(patch));
    }

    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    /// Separates top-level blocks with one blank line.
    fn start_block(&mut self) {
        self.flush();
        if self.blank_pending && self.containers.is_empty() && !self.lines.is_empty() {
            self.lines.push(Line::default());
        }
        self.blank_pending = false;
    }

    fn end_block(&mut self) {
        self.flush();
        self.blank_pending = true;
    }

    fn begin_line(&mut self) {
        for c in &mut self.containers {
            match c {
                Container::Quote => self.line.push(Span::styled("│ ", self.theme.dim)),
                Container::Item { marker, width } => match marker.take() {
                    Some(spans) => self.line.extend(spans),
                    None => self.line.push(Span::raw(" ".repeat(*width))),
                },
            }
        }
    }

    fn push(&mut self, text: &str, style: Style) {
        if self.line.is_empty() {
            self.begin_line();
        }
        self.line
            .push(Span::styled(clean_line(text).into_owned(), style));
    }

    fn flush(&mut self) {
        if !self.line.is_empty() {
            self.lines.push(Line::from(std::mem::take(&mut self.line)));
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) if self.code_block => {
                let style = self.theme.accent;
                let mut parts = text.split('\n').peekable();
                while let Some(part) = parts.next() {
                    // The block's final newline ends its last line; no empty line follows.
                    if parts.peek().is_none() && part.is_empty() {
                        break;
                    }
                    self.push(&format!("  {part}"), style);
                    self.flush();
                }
            }
            Event::Text(text) => self.push(&text, self.style()),
            Event::Code(code) => self.push(&code, self.style().patch(self.theme.highlight)),
            Event::InlineMath(m) | Event::DisplayMath(m) => self.push(&m, self.style()),
            Event::Html(html) => {
                for part in html.lines() {
                    self.push(part, self.theme.dim);
                    self.flush();
                }
            }
            Event::InlineHtml(html) => self.push(&html, self.theme.dim),
            Event::FootnoteReference(name) => self.push(&format!("[^{name}]"), self.theme.dim),
            // Krisp's Markdown is line-oriented (`meeting_id: …` lines, `**Name | 00:04**` turns
            // above their text), so a single newline is kept rather than joined with a space.
            Event::SoftBreak | Event::HardBreak => {
                if self.line.is_empty() {
                    self.begin_line();
                }
                self.flush();
            }
            Event::Rule => {
                self.start_block();
                self.push(&"─".repeat(RULE_WIDTH), self.theme.dim);
                self.end_block();
            }
            Event::TaskListMarker(done) => {
                let mark = if done {
                    vec![Span::styled("[x] ", self.theme.success)]
                } else {
                    vec![Span::styled("[ ] ", self.theme.text)]
                };
                // Replaces the bullet of the item it starts, if the bullet is not written yet.
                if let Some(Container::Item {
                    marker: marker @ Some(_),
                    width,
                }) = self.containers.last_mut()
                {
                    *width = 4;
                    *marker = Some(mark);
                } else {
                    for span in mark {
                        self.push(&span.content, span.style);
                    }
                }
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph if self.containers.is_empty() => self.start_block(),
            Tag::Heading { level, .. } => {
                self.start_block();
                let style = match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => {
                        self.theme.title.patch(self.theme.accent)
                    }
                    _ => self.theme.title,
                };
                self.push_style(style.add_modifier(Modifier::BOLD));
            }
            Tag::BlockQuote(_) => {
                self.start_block();
                self.containers.push(Container::Quote);
            }
            Tag::CodeBlock(kind) => {
                self.start_block();
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    self.push(&format!("  {lang}"), self.theme.dim);
                    self.flush();
                }
                self.code_block = true;
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.start_block();
                } else {
                    self.flush();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_owned(),
                };
                let width = marker.chars().count();
                let spans = vec![Span::styled(marker, self.theme.accent)];
                self.containers.push(Container::Item {
                    marker: Some(spans),
                    width,
                });
            }
            Tag::Emphasis => self.push_style(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.links.push(dest_url.into_string());
                self.push_style(self.theme.accent.add_modifier(Modifier::UNDERLINED));
            }
            Tag::Image { dest_url, .. } => {
                self.push("[image: ", self.theme.dim);
                self.links.push(dest_url.into_string());
            }
            Tag::Table(_) => self.start_block(),
            Tag::TableHead | Tag::TableRow => self.table_cell = 0,
            Tag::TableCell => {
                if self.table_cell > 0 {
                    self.push(" │ ", self.theme.dim);
                }
                self.table_cell += 1;
            }
            Tag::FootnoteDefinition(name) => {
                self.start_block();
                self.push(&format!("[^{name}]: "), self.theme.dim);
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                if self.containers.is_empty() {
                    self.end_block();
                } else {
                    self.flush();
                }
            }
            TagEnd::Heading(_) => {
                self.pop_style();
                self.end_block();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.containers.pop();
                self.blank_pending = true;
            }
            TagEnd::CodeBlock => {
                self.code_block = false;
                self.end_block();
            }
            TagEnd::List(_) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.end_block();
                }
            }
            TagEnd::Item => {
                // An empty item still shows its marker.
                if matches!(
                    self.containers.last(),
                    Some(Container::Item {
                        marker: Some(_),
                        ..
                    })
                ) {
                    self.begin_line();
                }
                self.flush();
                self.containers.pop();
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                let url = self.links.pop().unwrap_or_default();
                let shown: String = self
                    .line
                    .last()
                    .map(|s| s.content.to_string())
                    .unwrap_or_default();
                if !url.is_empty() && shown != url {
                    self.push(&format!(" ({url})"), self.theme.dim);
                }
            }
            TagEnd::Image => {
                let url = self.links.pop().unwrap_or_default();
                self.push(&format!("] ({url})"), self.theme.dim);
            }
            TagEnd::TableHead => {
                self.flush();
                self.push(&"─".repeat(RULE_WIDTH), self.theme.dim);
                self.flush();
            }
            TagEnd::TableRow => self.flush(),
            TagEnd::Table | TagEnd::FootnoteDefinition => self.end_block(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(md: &str) -> Vec<String> {
        to_text(md, &Theme::default())
            .lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn nested_and_loose_lists() {
        let md = "1. one\n   - a\n   - b\n2. two\n\n   more of two\n3. three";
        assert_eq!(
            plain(md),
            [
                "1. one",
                "   • a",
                "   • b",
                "2. two",
                "   more of two",
                "3. three"
            ]
        );
    }

    #[test]
    fn tables_quotes_breaks_and_images() {
        assert_eq!(
            plain("| a | b |\n|---|---|\n| 1 | 2 |"),
            ["a │ b", "────────────────────────────────", "1 │ 2"]
        );
        assert_eq!(plain("> quoted  \n> next"), ["│ quoted", "│ next"]);
        assert_eq!(plain("id: 1\nurl: u"), ["id: 1", "url: u"]);
        assert_eq!(plain("![logo](x.png)"), ["[image: logo] (x.png)"]);
        assert_eq!(plain("- [ ]\n- "), ["[ ] ", "• "]);
    }

    #[test]
    fn styles() {
        let theme = Theme::default();
        let text = to_text("## H\n**b** `c` [l](u)", &theme);
        let spans = &text.lines[2].spans;
        assert!(spans[0].style.add_modifier.contains(Modifier::BOLD));
        assert_eq!(spans[2].style, theme.text.patch(theme.highlight));
        assert_eq!(spans[5].content, " (u)");
        assert_eq!(spans[5].style, theme.dim);
    }
}
