//! The help overlay, generated from the keymap: every binding of the current screen and the global ones.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::app::State;
use crate::app::keymap::Mode;
use crate::ui::layout;

pub fn lines(state: &State) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let mut out = Vec::new();
    if state.help_mode() == Mode::Tools
        && let Some(host) = &state.tools.panel
    {
        out.push(Line::styled("Tools panel", theme.title));
        for (keys, label) in host.key_hints() {
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), theme.accent),
                Span::styled(label.to_owned(), theme.text),
            ]));
        }
        out.push(Line::default());
    }
    for (mode, title) in [
        (state.help_mode(), "This screen"),
        (Mode::Input, "While typing"),
        (Mode::Global, "Everywhere"),
    ] {
        out.push(Line::styled(title.to_owned(), theme.title));
        for (action, keys) in state.keymap.bindings(mode) {
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            out.push(Line::from(vec![
                Span::styled(format!("  {:<22}", keys.join(" ")), theme.accent),
                Span::styled(action.describe().to_owned(), theme.text),
            ]));
        }
        out.push(Line::default());
    }
    out
}

pub fn render(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let rect = layout::centered(area, 72, area.height.saturating_sub(2));
    Clear.render(rect, buf);
    let all = lines(state);
    let visible = usize::from(rect.height.saturating_sub(2));
    let scroll = scroll.min(all.len().saturating_sub(visible));
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(visible).collect();
    Paragraph::new(Text::from(shown))
        .block(
            Block::bordered()
                .border_style(theme.border_focused)
                .title(Span::styled(" Keys ", theme.title))
                .title_bottom(Span::styled(" ? / Esc close ", theme.dim)),
        )
        .render(rect, buf);
}
