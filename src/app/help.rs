//! What the help overlay lists: the keys of the current screen (or dialog), while typing, and
//! everywhere, from the keymap itself, so help never promises a key the keymap does not bind.

use crate::app::keymap::Mode;
use crate::app::{Screen, State, Tab};
use crate::message::Action;

/// One titled group of (keys, what they do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    pub entries: Vec<(String, String)>,
}

pub fn sections(state: &State) -> Vec<Section> {
    if state.help_mode() == Mode::Tools
        && let Some(host) = &state.tools.panel
    {
        return tools_panel(state, host);
    }
    let mut out = Vec::new();
    let this = match state.help_mode() {
        Mode::Export => "Export dialog",
        Mode::Copy => "Copy menu",
        _ => "This screen",
    };
    for (mode, title) in [
        (state.help_mode(), this),
        (Mode::Input, "While typing"),
        (Mode::Global, "Everywhere"),
    ] {
        let entries = state
            .keymap
            .bindings(mode)
            .into_iter()
            .filter(|(action, _)| applies(state, mode, *action))
            .map(|(action, keys)| {
                let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                (keys.join(" "), action.describe().to_owned())
            })
            .collect();
        out.push(Section { title, entries });
    }
    if let Some(section) = out.iter_mut().find(|s| s.title == "While typing") {
        section.entries.extend(editing());
    }
    out.extend(query_language(state));
    out
}

/// The keys every text field edits with.
fn editing() -> Vec<(String, String)> {
    [
        ("C-a Home / C-e End", "start / end of the line"),
        ("M-b / M-f  C-← / C-→", "word left / right"),
        ("C-w M-Backspace / M-d", "delete word before / after"),
        ("C-u / C-k", "delete to start / to end"),
    ]
    .map(|(k, d)| (k.to_owned(), d.to_owned()))
    .into()
}

/// The tools panel: what its focused pane's keymap section binds that does something now, the
/// editing keys while a form has the keyboard, and of the global keys only those that reach
/// past it (quit, help; `?` not while typing).
fn tools_panel(state: &State, host: &crate::app::tools::ToolsPanel) -> Vec<Section> {
    let mut out = vec![Section {
        title: "Tools panel",
        entries: host
            .key_hints(&state.keymap)
            .into_iter()
            .map(|h| (h.keys.join(" "), h.label.to_owned()))
            .collect(),
    }];
    if host.focus() == crate::app::tools::Focus::Form {
        out.push(Section {
            title: "While typing",
            entries: editing(),
        });
    }
    let everywhere = state
        .keymap
        .bindings(Mode::Global)
        .into_iter()
        .filter_map(|(action, keys)| {
            let keys: Vec<String> = keys
                .iter()
                .filter(|k| {
                    crate::app::tools_screen::global_action(state, k.to_event()) == Some(action)
                })
                .map(ToString::to_string)
                .collect();
            (!keys.is_empty()).then(|| (keys.join(" "), action.describe().to_owned()))
        })
        .collect();
    out.push(Section {
        title: "Everywhere",
        entries: everywhere,
    });
    out
}

/// On the meeting list: what a search can say (the one query language of the TUI, `search`
/// and `mcp`).
fn query_language(state: &State) -> Option<Section> {
    let list = state.help_mode() == Mode::Home && state.home.tab == crate::app::Tab::Meetings;
    list.then(|| Section {
        title: "Search",
        entries: [
            (
                "words",
                "meetings holding every word somewhere (forms, any case and accent)",
            ),
            ("wor", "the last word is a prefix while typing"),
            (
                "\"a phrase\"",
                "these words in a row, in one field or one turn",
            ),
            ("-word", "drop meetings holding the word anywhere"),
            (
                "after:YYYY-MM-DD",
                "on or after that day (before: up to and with it)",
            ),
            (
                "with:NAME",
                "someone whose name or email starts so (chloe: Chloé)",
            ),
            ("tag:TAG", "meetings with that tag"),
        ]
        .map(|(k, d)| (k.to_owned(), d.to_owned()))
        .into(),
    })
}

/// Whether `action`, bound in `mode`, does anything where the user is: the tab's own keys on
/// a tab, not another tab's; no tools panel before logging in.
fn applies(state: &State, mode: Mode, action: Action) -> bool {
    match mode {
        Mode::Global => !(state.screen == Screen::Login && action == Action::Tools),
        Mode::Home => match action {
            Action::NextHit | Action::PrevHit | Action::Mark | Action::MarkAll | Action::Export => {
                state.home.tab == Tab::Meetings
            }
            Action::ToggleDone | Action::ToggleMine => state.home.tab == Tab::ActionItems,
            Action::MoreDays | Action::FewerDays => state.home.tab == Tab::Upcoming,
            _ => true,
        },
        _ => true,
    }
}

/// Rows the overlay draws: each section's title, its entries and a blank row.
pub fn row_count(state: &State) -> usize {
    sections(state).iter().map(|s| s.entries.len() + 2).sum()
}

/// The overlays' box, borders included (narrower on a narrow terminal).
pub const BOX_WIDTH: u16 = 76;

/// Columns before a message's text: `HH:MM ✓ `.
pub const MESSAGE_INDENT: usize = 8;

/// Columns of text inside the overlays' box.
pub fn inner_width(state: &State) -> usize {
    usize::from(BOX_WIDTH.min(state.size.width).saturating_sub(2))
}

/// A message's text as the messages overlay wraps it, beside its time and mark.
pub fn message_lines(state: &State, text: &str) -> Vec<String> {
    let width = inner_width(state).saturating_sub(MESSAGE_INDENT).max(8);
    let mut lines: Vec<String> = text
        .lines()
        .flat_map(|l| crate::app::meeting::wrap(l, width))
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Rows the messages overlay draws.
pub fn message_row_count(state: &State) -> usize {
    state
        .messages
        .iter()
        .map(|m| message_lines(state, &m.text).len())
        .sum()
}

/// Rows of text inside a full-height overlay (a centred box two rows short, with borders).
pub fn visible_rows(state: &State) -> usize {
    usize::from(state.size.height.saturating_sub(4)).max(1)
}
