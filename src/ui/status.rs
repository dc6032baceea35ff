//! The status bar (key hints, connection, last error or note) and the toast.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::keymap::Mode;
use crate::app::{Link, LoginState, Screen, State, Tab};
use crate::message::Action;

/// The actions whose keys the status bar shows, per screen.
fn hint_actions(state: &State) -> &'static [(Action, &'static str)] {
    match state.help_mode() {
        // Only the keys that do something in this state of the login.
        Mode::Login => match &state.login.state {
            LoginState::Connecting => &[(Action::Back, "quit")],
            LoginState::Idle | LoginState::Failed { .. } => {
                &[(Action::Login, "log in"), (Action::Back, "quit")]
            }
            LoginState::Waiting { paste: Some(_), .. } => &[(Action::Back, "close the paste")],
            LoginState::Waiting { url: None, .. } => &[(Action::Back, "cancel")],
            LoginState::Waiting { url: Some(_), .. } => &[
                (Action::CopyUrl, "copy URL"),
                (Action::PasteUrl, "paste URL"),
                (Action::Back, "cancel"),
            ],
        },
        Mode::Home if state.home.tab == Tab::ActionItems => &[
            (Action::ToggleDone, "filter open/done/all"),
            (Action::ToggleMine, "filter mine"),
            (Action::Select, "open"),
            (Action::NextTab, "tabs"),
            (Action::Help, "help"),
        ],
        Mode::Home if state.home.tab == Tab::Upcoming => &[
            (Action::MoreDays, "more days"),
            (Action::FewerDays, "fewer"),
            (Action::NextTab, "tabs"),
            (Action::Help, "help"),
        ],
        Mode::Home if state.home.tab == Tab::Activity => &[
            (Action::Select, "open"),
            (Action::Refresh, "reload"),
            (Action::NextTab, "tabs"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Mode::Home => &[
            (Action::Search, "search"),
            (Action::Select, "open"),
            (Action::Export, "export"),
            (Action::NextTab, "tabs"),
            (Action::Tools, "tools"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Mode::Meeting => &[
            (Action::Search, "find"),
            (Action::JumpToTime, "time"),
            (Action::Export, "export"),
            (Action::OpenInBrowser, "web"),
            (Action::CopyTurn, "copy"),
            (Action::Back, "back"),
            (Action::Help, "help"),
        ],
        Mode::Export => &[
            (Action::Select, "export"),
            (Action::FocusNext, "field"),
            (Action::Back, "cancel"),
        ],
        Mode::Tools => &[(Action::Help, "help")],
        _ => &[(Action::Back, "back"), (Action::Help, "help")],
    }
}

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let mode = state.help_mode();
    // (keys, label) pairs: each shown whole or not at all.
    let mut pairs: Vec<(String, String)> = Vec::new();
    if mode == Mode::Tools
        && state.overlay.is_none()
        && let Some(host) = &state.tools.panel
    {
        // The first two keys of each: the status bar is one line.
        for hint in host.key_hints(&state.keymap) {
            let keys: Vec<&str> = hint.keys.iter().take(2).map(String::as_str).collect();
            pairs.push((keys.join(" "), hint.label.to_owned()));
        }
    }
    for (action, label) in hint_actions(state) {
        if let Some(key) = state.keymap.key_for(mode, *action) {
            pairs.push((key.to_string(), (*label).to_owned()));
        }
    }
    // Help and quit are the hints a lost user needs: keep them first among the rest.
    pairs.sort_by_key(|(_, label)| !matches!(label.as_str(), "help" | "quit"));
    let width = usize::from(area.width);
    let mut hints = Vec::new();
    let mut used = 0;
    for (i, (keys, label)) in pairs.iter().enumerate() {
        let w = keys.width() + label.width() + 3;
        let last = i + 1 == pairs.len();
        // Room for this pair, and for the ellipsis when more pairs follow.
        if used + w + if last { 0 } else { 2 } > width {
            if used + 2 <= width {
                hints.push(Span::styled(" …", theme.dim));
                used += 2;
            }
            break;
        }
        hints.push(Span::styled(format!(" {keys}"), theme.accent));
        hints.push(Span::styled(format!(" {label} "), theme.dim));
        used += w;
    }
    // Errors are toasts that expire (and stay one key away in the messages overlay), not a
    // status-bar line that outlives them. What the sync is doing comes first; the server
    // address only where there is room for it too.
    let mut right = Vec::new();
    if let Some(note) = crate::ui::export::export_note(state) {
        right.push(Span::styled(format!("{note} "), theme.accent));
    } else if let Some(note) = sync_note(state) {
        right.push(Span::styled(format!("{note} "), theme.accent));
    }
    let room = usize::from(area.width).saturating_sub(used + 1);
    if state.screen != Screen::Login {
        // The connection at a glance: a glyph that reads without colour, and words.
        let (glyph, words, style) = match state.local.link() {
            Link::Online => ("●", String::new(), theme.success),
            Link::Reconnecting => ("◌", "reconnecting ".to_owned(), theme.warning),
            Link::Offline(since) => {
                let since = since
                    .map(|at| {
                        let (_, hm) = crate::timefmt::date_and_time_in(at, &state.zone);
                        format!(" since {hm}")
                    })
                    .unwrap_or_default();
                ("✗", format!("offline{since} "), theme.error)
            }
            Link::OfflineMode => ("○", "offline mode ".to_owned(), theme.dim),
        };
        let mut link = vec![
            Span::styled(format!("{glyph} "), style),
            Span::styled(words, style),
        ];
        // The address where there is room for it; online, the dot goes with it or not at all.
        if area.width >= 80 && state.local.link() != Link::OfflineMode {
            let who = match &state.status.account {
                Some(a) => format!("{a} @ {}", state.status.server),
                None => state.status.server.clone(),
            };
            link.push(Span::styled(format!("{who} "), theme.dim));
        } else if state.local.link() == Link::Online {
            link.clear();
        }
        let noted: usize = right.iter().map(Span::width).sum();
        let link_w: usize = link.iter().map(Span::width).sum();
        if noted + link_w <= room {
            right.extend(link);
        } else if state.local.link() != Link::Online && noted + 2 + link[1].width() <= room {
            // Offline, the state matters more than the address.
            right.extend(link.into_iter().take(2));
        }
    }
    let right = Line::from(right).right_aligned();
    // The server address only in the room the hints leave; never over them.
    let free = area
        .width
        .saturating_sub(u16::try_from(used).unwrap_or(u16::MAX) + 1);
    let right_w = u16::try_from(right.width()).unwrap_or(u16::MAX);
    let right = if right_w <= free {
        right
    } else {
        Line::default()
    };
    let right_w = right_w.min(free);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_w)])
            .spacing(1)
            .areas(area);
    Line::from(hints).render(left_area, buf);
    right.render(right_area, buf);
}

/// What the background sync is doing, for the status bar.
pub fn sync_note(state: &State) -> Option<String> {
    use crate::message::Phase;
    let sync = &state.local.sync;
    if !sync.running {
        return None;
    }
    let p = &sync.progress;
    let spin = crate::ui::spinner(state);
    if sync.elsewhere {
        return Some(format!("{spin} another krisp-tui is syncing"));
    }
    Some(match p.phase {
        Phase::Listing if p.listed == 0 => format!("{spin} syncing"),
        Phase::Listing => format!("{spin} syncing · {} meetings", p.listed),
        Phase::Documents => format!(
            "{spin} transcripts {}/{}",
            p.documents_done, p.documents_total
        ),
        Phase::Feeds => format!("{spin} syncing action items"),
        Phase::Done => return None,
    })
}

pub fn render_toast(state: &State, area: Rect, buf: &mut Buffer) {
    let Some(toast) = &state.toast else {
        return;
    };
    let theme = &state.theme;
    // A line of text each (configuration problems come several at once), wrapped.
    let widths: Vec<usize> = toast.text.lines().map(|l| l.chars().count()).collect();
    let longest = widths.iter().copied().max().unwrap_or(0);
    let width = u16::try_from(longest + 4)
        .unwrap_or(u16::MAX)
        .clamp(12, if widths.len() > 1 { 80 } else { 60 })
        .min(area.width);
    let inner_w = usize::from(width.saturating_sub(2).max(1));
    let rows: usize = widths.iter().map(|w| w.div_ceil(inner_w).max(1)).sum();
    let most = 4 * widths.len().clamp(1, 3);
    let lines = u16::try_from(rows.clamp(1, most)).unwrap_or(4);
    let height = (lines + 2).min(area.height);
    let rect = Rect {
        x: area.right().saturating_sub(width + 1).max(area.x),
        y: area
            .y
            .saturating_add(1)
            .min(area.bottom().saturating_sub(height)),
        width,
        height,
    };
    let (style, title) = if toast.error {
        (theme.error, " ✗ error ")
    } else if toast.note {
        (theme.accent, " note ")
    } else {
        (theme.success, " ✓ ")
    };
    Clear.render(rect, buf);
    Paragraph::new(toast.text.as_str())
        .style(theme.text)
        .wrap(Wrap { trim: true })
        .block(
            Block::bordered()
                .border_style(style)
                .title(Span::styled(title, style)),
        )
        .render(rect, buf);
}
