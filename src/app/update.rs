//! `update`: every message in, commands out. Synchronous, no I/O, no clock: `now` is an argument.

use std::time::Instant;

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::app::effect::Effect;
use crate::app::export::ExportDialog;
use crate::app::feed;
use crate::app::layout;
use crate::app::meeting::{DocState, MeetingView};
use crate::app::meetings::PAGE_SIZE;
use crate::app::requests::Pending;
use crate::app::search::{DEBOUNCE, Found, STORED_WINDOW, Search, Stored};
use crate::app::tools::{ToolsOutcome, ToolsPanel};
use crate::app::{DoneFilter, LoginState, Overlay, Screen, State, TOAST_FOR, Tab, Toast};
use crate::krisp::{Document, DocumentState, Meeting, MeetingId, Transcript};
use crate::library::Window;
use crate::message::{Action, ClientEvent, Command, Msg, RequestError, RequestId, SearchQuery};
use crate::sanitize::clean_line;

/// Load the next page when the selection comes this close to the end of the list.
const PREFETCH_ROWS: usize = 10;
/// With a local store the list holds a window of its rows around the selection, at least this
/// many (three screenfuls on a tall terminal)...
pub const LIST_WINDOW: usize = 300;
/// ...and reads the next one when fewer than this many rows are held beyond the screen's edge.
pub const LIST_MARGIN: usize = 50;
/// Lines moved per mouse-wheel notch.
const WHEEL_LINES: isize = 3;
const SESSION_EXPIRED: &str = "Your session expired. Log in again to carry on where you were.";

/// The commands to issue when the UI starts: with a connection, load the meetings; without,
/// try stored credentials (`login_now`: start the browser login straight away, as `--demo` does).
pub fn start(state: &mut State, connected: bool, login_now: bool) -> Vec<Command> {
    let mut cmds = Vec::new();
    if state.local.enabled {
        // The stored list shows at once, whatever the connection does meanwhile.
        load_meetings_page(state, &mut cmds);
    }
    if connected {
        state.screen = Screen::Home;
        if !state.local.enabled {
            load_meetings_page(state, &mut cmds);
        } else if state.local.auto_sync {
            start_sync(state, &mut cmds);
        }
    } else if state.local.enabled && !login_now {
        state.screen = Screen::Home;
        state.login.state = LoginState::Connecting;
        cmds.push(Command::Connect);
    } else if login_now {
        state.screen = Screen::Login;
        state.login.state = LoginState::Waiting {
            url: None,
            paste: None,
        };
        cmds.push(Command::StartLogin);
    } else {
        state.screen = Screen::Login;
        state.login.state = LoginState::Connecting;
        cmds.push(Command::Connect);
    }
    cmds
}

pub fn update(state: &mut State, msg: Msg, now: Instant) -> Vec<Command> {
    state.now = now;
    let mut cmds = Vec::new();
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key, &mut cmds),
        Msg::Key(_) => {}
        Msg::Mouse(mouse) => on_mouse(state, mouse, &mut cmds),
        Msg::Paste(text) => on_paste(state, &text, &mut cmds),
        Msg::Resize(w, h) => {
            state.size = Rect::new(0, 0, w, h);
            relayout(state);
            ensure_window(state, &mut cmds);
        }
        Msg::Tick => on_tick(state, &mut cmds),
        Msg::Action(action) => on_action(state, action, &mut cmds),
        Msg::Client(event) => on_client(state, *event, &mut cmds),
    }
    crate::app::preview::sync(state, &mut cmds);
    cmds
}

// ---------------------------------------------------------------- input

fn on_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Command>) {
    if state.screen == Screen::Tools && state.overlay.is_none() {
        // The tools panel owns its keys (forms type letters): only quit and help reach the
        // global bindings.
        if let Some(action) = crate::app::tools_screen::global_action(state, key) {
            return on_action(state, action, cmds);
        }
        let retry = state.tools.error.is_some()
            && state.keymap.action(crate::app::keymap::Mode::Home, key) == Some(Action::Refresh);
        let outcome = match &mut state.tools.panel {
            Some(host) => host.handle_key(key),
            None if key.code == crossterm::event::KeyCode::Esc => ToolsOutcome::Close,
            // The tool list failed to load: the key that retries asks for it again.
            None if retry => return open_tools(state, cmds),
            None => ToolsOutcome::None,
        };
        return tools_outcome(state, outcome, cmds);
    }
    let (mode, typing) = state.mode();
    if let Some(Overlay::Export(d)) = &state.overlay
        && d.confirm.is_some()
    {
        match key.code {
            crossterm::event::KeyCode::Char('y' | 'Y') => {
                return on_action(state, Action::Select, cmds);
            }
            crossterm::event::KeyCode::Char('n' | 'N') => {
                return on_action(state, Action::Back, cmds);
            }
            _ => {}
        }
    }
    match state.keymap.action(mode, key) {
        Some(action) => on_action(state, action, cmds),
        None if typing => type_into(state, key, cmds),
        None => {}
    }
}

/// A key that no binding claimed, typed into the focused text field.
fn type_into(state: &mut State, key: KeyEvent, cmds: &mut Vec<Command>) {
    if let Some(Overlay::Export(d)) = &mut state.overlay {
        return d.type_key(key);
    }
    match state.screen {
        Screen::Login => state.login.type_key(key),
        Screen::Home => {
            let changed = state
                .home
                .search
                .as_mut()
                .is_some_and(|s| s.input.handle_key(key));
            if changed {
                search_changed(state, cmds);
            }
        }
        Screen::Meeting => {
            if let Some(view) = &mut state.meeting {
                view.type_key(key);
            }
        }
        Screen::Tools => {}
    }
}

fn on_paste(state: &mut State, text: &str, cmds: &mut Vec<Command>) {
    let (_, typing) = state.mode();
    if let Some(Overlay::Export(d)) = &mut state.overlay {
        return d.paste(text, typing);
    }
    match state.screen {
        Screen::Login => state.login.paste(text),
        Screen::Home if typing => {
            if let Some(s) = &mut state.home.search {
                s.input.insert_str(text);
                search_changed(state, cmds);
            }
        }
        Screen::Meeting if typing => {
            if let Some(view) = &mut state.meeting {
                view.paste(text);
            }
        }
        _ => {}
    }
}

fn on_mouse(state: &mut State, mouse: MouseEvent, cmds: &mut Vec<Command>) {
    if state.screen == Screen::Tools && state.overlay.is_none() {
        let body = layout::screen(state.size, false).body;
        let outcome = match &mut state.tools.panel {
            Some(host) => host.handle_mouse(mouse, body),
            None => ToolsOutcome::None,
        };
        return tools_outcome(state, outcome, cmds);
    }
    match mouse.kind {
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let down = mouse.kind == MouseEventKind::ScrollDown;
            if state.screen == Screen::Meeting && state.overlay.is_none() {
                if let Some(view) = &mut state.meeting {
                    view.scroll_by(if down { WHEEL_LINES } else { -WHEEL_LINES });
                }
                return;
            }
            let action = if down { Action::Down } else { Action::Up };
            for _ in 0..WHEEL_LINES {
                on_action(state, action, cmds);
            }
        }
        MouseEventKind::Down(MouseButton::Left) if state.overlay.is_none() => {
            let at = Position::new(mouse.column, mouse.row);
            if state.screen != Screen::Home {
                return;
            }
            let header = layout::screen(state.size, prompt_open(state)).header;
            if header.contains(at) {
                // Tabs are drawn as " 1 Meetings │ 2 Action items │ …": find which was hit.
                let mut x = header.x;
                for tab in Tab::ALL {
                    let w = u16::try_from(tab.title().len() + 5).unwrap_or(u16::MAX);
                    if at.x < x.saturating_add(w) {
                        switch_tab(state, tab, cmds);
                        return;
                    }
                    x = x.saturating_add(w);
                }
                return;
            }
            let rows = match state.home.tab {
                Tab::Meetings => layout::meeting_rows(state.size, prompt_open(state)),
                _ => layout::table_rows(state.size, prompt_open(state)),
            };
            if rows.contains(at) {
                let row = usize::from(at.y - rows.y);
                let height = usize::from(rows.height);
                let home = &mut state.home;
                match home.tab {
                    Tab::Meetings => {
                        let target = home.list.offset + row;
                        if target < home.visible_len() {
                            home.list.selected = target;
                            home.list.clamp(home.visible_len(), height);
                            if let Some(s) = &mut home.search {
                                s.editing = false;
                            }
                        }
                    }
                    tab => {
                        if let Some(feed) = home.feed_mut(tab) {
                            let target = feed.offset + row;
                            if target < feed.items.len() {
                                feed.selected = target;
                            }
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn on_tick(state: &mut State, cmds: &mut Vec<Command>) {
    state.spinner = state.spinner.wrapping_add(1);
    if state.toast.as_ref().is_some_and(|t| t.until <= state.now) {
        state.toast = None;
    }
    let now = state.now;
    let due = state
        .home
        .search
        .as_ref()
        .and_then(|s| s.dirty_since)
        .is_some_and(|t| now.duration_since(t) >= DEBOUNCE);
    if due {
        ask_server(state, cmds);
    }
}

// ---------------------------------------------------------------- actions

fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    match action {
        Action::Quit => return apply(state, vec![Effect::Quit], cmds),
        Action::Help if !matches!(state.overlay, Some(Overlay::Help { .. })) => {
            // Help over a dialog keeps the dialog: closing help shows it again as it was.
            let behind = match state.overlay.take() {
                Some(dialog @ (Overlay::Export(_) | Overlay::Copy { .. })) => {
                    Some(Box::new(dialog))
                }
                _ => None,
            };
            state.overlay = Some(Overlay::Help { scroll: 0, behind });
            return;
        }
        Action::Messages if state.overlay.is_none() => {
            state.overlay = Some(Overlay::Messages { scroll: 0 });
            return;
        }
        Action::Tools if state.screen != Screen::Login && state.overlay.is_none() => {
            open_tools(state, cmds);
            return;
        }
        _ => {}
    }
    match &mut state.overlay {
        Some(Overlay::Help { .. } | Overlay::Messages { .. }) => {
            return scroll_overlay(state, action);
        }
        Some(Overlay::Export(dialog)) => {
            let target = export_target(
                state.screen,
                state.meeting.as_ref(),
                &state.home,
                &state.documents,
            );
            let home_dir = state.home_dir.as_deref();
            let fx = dialog.on_action(action, target, &mut state.requests, home_dir);
            return apply(state, fx, cmds);
        }
        Some(Overlay::Copy { .. }) => return copy_action(state, action, cmds),
        None => {}
    }
    match state.screen {
        Screen::Login => {
            let fx = state.login.on_action(action);
            apply(state, fx, cmds);
        }
        Screen::Home => home_action(state, action, cmds),
        Screen::Meeting => meeting_action(state, action, cmds),
        Screen::Tools => {
            if action == Action::Back {
                close_tools(state);
            }
        }
    }
}

/// Keys on the help or messages overlay: scroll (clamped to what there is), or close.
fn scroll_overlay(state: &mut State, action: Action) {
    let len = match &state.overlay {
        Some(Overlay::Help { .. }) => crate::app::help::row_count(state),
        _ => crate::app::help::message_row_count(state),
    };
    let page = crate::app::help::visible_rows(state);
    let max = len.saturating_sub(page);
    let (scroll, behind) = match &mut state.overlay {
        Some(Overlay::Help { scroll, behind }) => (scroll, Some(behind)),
        Some(Overlay::Messages { scroll }) => (scroll, None),
        _ => return,
    };
    *scroll = match action {
        Action::Back | Action::Help | Action::Messages => {
            let under = behind.and_then(|b| b.take()).map(|b| *b);
            state.overlay = under;
            return;
        }
        Action::Up => scroll.saturating_sub(1),
        Action::Down => *scroll + 1,
        Action::PageUp => scroll.saturating_sub(page.saturating_sub(1).max(1)),
        Action::PageDown => *scroll + page.saturating_sub(1).max(1),
        Action::Top => 0,
        Action::Bottom => max,
        _ => *scroll,
    }
    .min(max);
}

/// Opens the selected row of the meeting list; a search hit at the place it matched, with the
/// word to find.
fn open_selected_hit(state: &mut State, cmds: &mut Vec<Command>) {
    let Some(i) = state.home.meeting_at(state.home.list.selected) else {
        return;
    };
    let found = state.home.search.as_ref().and_then(|s| {
        let hit = s.hits.get(state.home.list.selected)?;
        s.found.get(hit.found?).cloned()
    });
    open_meeting(state, i, cmds);
    if let (Some(found), Some(view)) = (found, &mut state.meeting) {
        view.open_at(found.turn, found.term().map(str::to_owned));
    }
    // Back on the list, keys move the list; `/` edits the query again.
    if let Some(s) = &mut state.home.search {
        s.editing = false;
    }
}

fn home_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    let height = usize::from(layout::table_rows(state.size, prompt_open(state)).height);
    let page = isize::try_from(height.max(2) - 1).unwrap_or(1);
    let searching_box = state
        .home
        .search
        .as_ref()
        .is_some_and(|s| s.editing && state.home.tab == Tab::Meetings);
    let step = match action {
        Action::Up => Some(-1),
        Action::Down => Some(1),
        Action::PageUp => Some(-page),
        Action::PageDown => Some(page),
        Action::Top => Some(isize::MIN / 2),
        Action::Bottom => Some(isize::MAX / 2),
        _ => None,
    };
    if let Some(delta) = step {
        move_selection(state, delta, height, cmds);
        return;
    }
    match action {
        Action::Select => match state.home.tab {
            Tab::Meetings => {
                // Typed faster than the store answers: the rows (and where each matched) are
                // an earlier text's, so the row opens once the text in the box is answered.
                if let Some(s) = &mut state.home.search
                    && s.answer_pending(&state.requests)
                {
                    s.open_on_answer = true;
                    s.editing = false;
                    return;
                }
                open_selected_hit(state, cmds);
            }
            tab => open_feed_item(state, tab, cmds),
        },
        Action::Search => {
            state.home.tab = Tab::Meetings;
            match &mut state.home.search {
                Some(s) => s.editing = true,
                None => state.home.search = Some(Search::new()),
            }
        }
        Action::FocusNext | Action::FocusPrev if searching_box => {
            if let Some(s) = &mut state.home.search {
                s.editing = false;
            }
        }
        Action::Back if state.home.search.is_some() => {
            state.home.search = None;
            // Answers to the closed search are no longer wanted.
            state
                .requests
                .forget(|p| matches!(p, Pending::ServerSearch(_) | Pending::StoredSearch { .. }));
            state.home.list = Default::default();
            // The top of the list again, and the meetings only the search showed let go.
            if state.home.meetings.held.is_some() {
                load_stored(state, cmds);
            }
        }
        Action::Back if !state.home.marked.is_empty() => state.home.marked.clear(),
        Action::Mark if state.home.tab == Tab::Meetings => {
            if let Some(i) = state.home.meeting_at(state.home.list.selected) {
                let id = state.home.meetings.all[i].id.clone();
                if !state.home.marked.remove(&id) {
                    state.home.marked.insert(id);
                }
                // On to the next row, so a run of meetings is marked with a run of Space.
                move_selection(state, 1, height, cmds);
            }
        }
        Action::MarkAll
            if state.home.tab == Tab::Meetings && state.home.meetings.held.is_some() =>
        {
            // The store holds what is shown, not the list: it is asked for their ids.
            let text = state
                .home
                .search
                .as_ref()
                .filter(|_| state.home.searching())
                .map(|s| s.store_text().to_owned());
            // A newer question replaces the one in flight, whose answer no longer counts.
            state.requests.forget(|p| matches!(p, Pending::MarkAll(_)));
            let id = state.requests.start(Pending::MarkAll(text.clone()));
            cmds.push(Command::ListIds { id, text });
        }
        Action::MarkAll if state.home.tab == Tab::Meetings => {
            let shown: Vec<MeetingId> = (0..state.home.visible_len())
                .filter_map(|row| state.home.meeting_at(row))
                .map(|i| state.home.meetings.all[i].id.clone())
                .collect();
            toggle_marks(&mut state.home.marked, shown);
        }
        Action::Export if state.home.tab == Tab::Meetings && !state.home.marked.is_empty() => {
            let meetings = &state.home.meetings;
            let ids: Vec<MeetingId> = if meetings.held.is_some() {
                // Most marked meetings may be outside the window held: all of them, by id.
                state.home.marked.iter().cloned().collect()
            } else {
                // Newest first, as the list shows them.
                meetings
                    .order
                    .iter()
                    .map(|&i| &meetings.all[i].id)
                    .filter(|id| state.home.marked.contains(*id))
                    .cloned()
                    .collect()
            };
            if let Some(first) = ids.first() {
                let first = match meetings.get(first) {
                    Some(i) => meetings.all[i].clone(),
                    None => Meeting::new(first.clone(), String::new()),
                };
                let dialog = ExportDialog::for_many(&first, ids);
                open_overlay(state, Overlay::Export(Box::new(dialog)));
            }
        }
        Action::NextHit | Action::PrevHit if state.home.searching() => {
            let len = state.home.visible_len();
            if len > 0 {
                let sel = state.home.list.selected;
                state.home.list.selected = if action == Action::NextHit {
                    (sel + 1) % len
                } else {
                    (sel + len - 1) % len
                };
                state.home.list.clamp(len, height);
            }
        }
        Action::NextTab | Action::PrevTab => {
            let i = Tab::ALL
                .iter()
                .position(|t| *t == state.home.tab)
                .unwrap_or(0);
            let n = Tab::ALL.len();
            let next = if action == Action::NextTab {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            switch_tab(state, Tab::ALL[next], cmds);
        }
        Action::ShowMeetings => switch_tab(state, Tab::Meetings, cmds),
        Action::ShowActionItems => switch_tab(state, Tab::ActionItems, cmds),
        Action::ShowUpcoming => switch_tab(state, Tab::Upcoming, cmds),
        Action::ShowActivity => switch_tab(state, Tab::Activity, cmds),
        Action::ToggleDone if state.home.tab == Tab::ActionItems => {
            state.home.done_filter = match state.home.done_filter {
                DoneFilter::Open => DoneFilter::Done,
                DoneFilter::Done => DoneFilter::All,
                DoneFilter::All => DoneFilter::Open,
            };
            reload_feed(state, Tab::ActionItems, cmds);
        }
        Action::ToggleMine if state.home.tab == Tab::ActionItems => {
            state.home.mine = !state.home.mine;
            reload_feed(state, Tab::ActionItems, cmds);
        }
        Action::MoreDays | Action::FewerDays if state.home.tab == Tab::Upcoming => {
            let days = state.home.days;
            state.home.days = if action == Action::MoreDays {
                (days + 1).min(14)
            } else {
                days.saturating_sub(1).max(1)
            };
            if state.home.days != days {
                reload_feed(state, Tab::Upcoming, cmds);
            }
        }
        Action::Sync => start_sync(state, cmds),
        // After a failure, the key that retries asks again for exactly what failed.
        Action::Refresh
            if state.home.tab == Tab::Meetings && state.home.meetings.paging.error.is_some() =>
        {
            state.home.meetings.paging.error = None;
            load_meetings_page(state, cmds);
        }
        Action::Refresh
            if state
                .home
                .feed(state.home.tab)
                .is_some_and(|f| f.error.is_some() && !f.items.is_empty()) =>
        {
            let tab = state.home.tab;
            load_feed_page(state, tab, cmds);
        }
        Action::Refresh if state.home.tab == Tab::Meetings && state.local.enabled => {
            start_sync(state, cmds);
        }
        Action::Refresh => match state.home.tab {
            Tab::Meetings => {
                for id in state.requests.forget(|p| *p == Pending::MeetingsPage) {
                    cmds.push(Command::Cancel(id));
                }
                state.home.meetings.paging.next_offset = 0;
                state.home.meetings.paging.exhausted = false;
                load_meetings_page(state, cmds);
            }
            tab => reload_feed(state, tab, cmds),
        },
        Action::Export if state.home.tab == Tab::Meetings => {
            if let Some(i) = state.home.meeting_at(state.home.list.selected) {
                let meeting = &state.home.meetings.all[i];
                let dialog = ExportDialog::new(meeting);
                open_overlay(state, Overlay::Export(Box::new(dialog)));
            }
        }
        _ => {}
    }
}

fn move_selection(state: &mut State, delta: isize, height: usize, cmds: &mut Vec<Command>) {
    let home = &mut state.home;
    match home.tab {
        Tab::Meetings => {
            let len = home.visible_len();
            home.list.step(delta, len, height);
            if home.searching() {
                let to_end = delta >= isize::MAX / 2;
                // Any other move stops a walk to the end.
                if let Some(search) = &mut home.search {
                    search.to_end = false;
                }
                if to_end || home.list.selected + PREFETCH_ROWS >= len {
                    read_more_stored(state, to_end, cmds);
                }
                return;
            }
            if home.meetings.held.is_some() {
                return ensure_window(state, cmds);
            }
            let near_end = home.list.selected + PREFETCH_ROWS >= home.meetings.order.len();
            if near_end {
                load_meetings_page(state, cmds);
            }
        }
        tab => {
            let Some(feed) = home.feed_mut(tab) else {
                return;
            };
            let mut pos = crate::app::ListPos {
                selected: feed.selected,
                offset: feed.offset,
            };
            pos.step(delta, feed.items.len(), height);
            (feed.selected, feed.offset) = (pos.selected, pos.offset);
            let near_end = feed.selected + PREFETCH_ROWS >= feed.items.len();
            if near_end && tab != Tab::Upcoming {
                load_feed_page(state, tab, cmds);
            }
        }
    }
}

fn switch_tab(state: &mut State, tab: Tab, cmds: &mut Vec<Command>) {
    state.home.tab = tab;
    if let Some(feed) = state.home.feed(tab)
        && !feed.loaded_once
        && !state.requests.any(|p| *p == Pending::Feed(tab))
    {
        load_feed_page(state, tab, cmds);
    }
}

fn reload_feed(state: &mut State, tab: Tab, cmds: &mut Vec<Command>) {
    if let Some(feed) = state.home.feed_mut(tab) {
        for id in state.requests.forget(|p| *p == Pending::Feed(tab)) {
            cmds.push(Command::Cancel(id));
        }
        feed.reset();
    }
    load_feed_page(state, tab, cmds);
}

fn load_feed_page(state: &mut State, tab: Tab, cmds: &mut Vec<Command>) {
    let Some(feed) = state.home.feed(tab) else {
        return;
    };
    let loading = state.requests.any(|p| *p == Pending::Feed(tab));
    if loading || feed.exhausted || (tab == Tab::Upcoming && feed.loaded_once) {
        return;
    }
    let offset = u32::try_from(feed.items.len()).unwrap_or(u32::MAX);
    let cursor = feed.items.last().and_then(|i| i.cursor.clone());
    if tab == Tab::Activity && feed.loaded_once && cursor.is_none() {
        return;
    }
    let id = state.request_id();
    cmds.push(match tab {
        Tab::ActionItems => Command::ListActionItems {
            id,
            completed: state.home.done_filter.completed(),
            assigned_to_me: state.home.mine,
            offset,
        },
        Tab::Upcoming => Command::ListUpcoming {
            id,
            days: state.home.days,
        },
        Tab::Activity | Tab::Meetings => Command::ListActivities { id, cursor },
    });
    state.requests.wait(id, Pending::Feed(tab));
    if let Some(feed) = state.home.feed_mut(tab) {
        feed.error = None;
    }
}

fn load_meetings_page(state: &mut State, cmds: &mut Vec<Command>) {
    if state.local.enabled && !state.home.meetings.paging.loaded_once {
        load_stored(state, cmds);
        return;
    }
    let paging = &state.home.meetings.paging;
    let loading = state.requests.any(|p| *p == Pending::MeetingsPage);
    if loading || paging.exhausted || state.local.offline.is_some() {
        return;
    }
    let offset = paging.next_offset;
    let id = state.requests.start(Pending::MeetingsPage);
    state.home.meetings.paging.error = None;
    cmds.push(Command::SearchMeetings {
        id,
        query: SearchQuery {
            limit: PAGE_SIZE,
            offset,
            ..SearchQuery::default()
        },
    });
}

/// Reads the window of the store's list around the selection (again, if the store changed or
/// the selection moved on while a read was in flight). The selected meeting, when held, is the
/// window's middle wherever the store now has it, so a sync storing newer meetings above it
/// does not move the selection to another meeting.
fn load_stored(state: &mut State, cmds: &mut Vec<Command>) {
    if state.requests.any(|p| *p == Pending::StoredList) {
        state.local.reload = true;
        return;
    }
    let id = state.requests.start(Pending::StoredList);
    state.local.reload = false;
    let home = &state.home;
    let height = usize::from(layout::table_rows(state.size, prompt_open(state)).height);
    let limit = LIST_WINDOW.max(3 * height);
    let selected = home.list.selected;
    let around = home
        .meetings
        .listed_at(selected)
        .filter(|_| home.meetings.held.is_some())
        .map(|i| home.meetings.all[i].id.clone());
    cmds.push(Command::LoadStored {
        id,
        window: Window {
            offset: selected.saturating_sub(limit / 2),
            limit,
        },
        around,
    });
}

/// With a store, the list holds a window of it: read another when the rows on screen, and a
/// margin beyond them, are not all held.
fn ensure_window(state: &mut State, cmds: &mut Vec<Command>) {
    let Some(held) = state.home.meetings.held else {
        return;
    };
    if state.home.searching() || !state.local.enabled {
        return;
    }
    let height = usize::from(layout::table_rows(state.size, prompt_open(state)).height);
    let top = state.home.list.offset;
    let wanted = top.saturating_sub(LIST_MARGIN)..(top + height + LIST_MARGIN).min(held.total);
    let rows = state.home.meetings.held_rows();
    if wanted.start < rows.start || wanted.end > rows.end {
        load_stored(state, cmds);
    }
}

/// Marks every one of `ids`, or unmarks them when all are marked already.
fn toggle_marks(marked: &mut std::collections::BTreeSet<MeetingId>, ids: Vec<MeetingId>) {
    if ids.iter().all(|id| marked.contains(id)) {
        for id in &ids {
            marked.remove(id);
        }
    } else {
        marked.extend(ids);
    }
}

fn start_sync(state: &mut State, cmds: &mut Vec<Command>) {
    if state.local.sync.running || !state.local.enabled {
        return;
    }
    if state.local.offline.is_some() {
        // Once the connection is back, the sync asked for runs.
        if needs_server(state, "Syncing", cmds) {
            state.local.sync_wanted = true;
        }
        return;
    }
    state.local.sync.running = true;
    state.local.sync.progress = Default::default();
    state.local.sync.started = Some(state.now);
    cmds.push(Command::Sync);
}

/// The meeting being exported: the open one, else the home list's selection.
fn export_target<'a>(
    screen: Screen,
    view: Option<&'a MeetingView>,
    home: &'a crate::app::Home,
    documents: &'a std::collections::HashMap<MeetingId, Document>,
) -> crate::app::export::Target<'a> {
    match (screen, view) {
        (Screen::Meeting, Some(view)) => Some((&view.meeting, view.document())),
        _ => {
            let meeting = home
                .meetings
                .all
                .get(home.meeting_at(home.list.selected)?)?;
            Some((meeting, documents.get(&meeting.id)))
        }
    }
}

/// An answer to the export dialog's write goes to the dialog, while it waits for it.
fn export_reply(state: &mut State, id: RequestId, event: ClientEvent, cmds: &mut Vec<Command>) {
    let Some(Overlay::Export(dialog)) = &mut state.overlay else {
        return;
    };
    if state.requests.get(id) != Some(&Pending::Export) {
        return;
    }
    // Progress reports come before the answer, which ends the wait.
    if !matches!(event, ClientEvent::ExportProgress { .. }) {
        state.requests.answer(id);
    }
    let fx = dialog.on_reply(event);
    apply(state, fx, cmds);
}

/// Applies what a screen asked for, in order.
fn apply(state: &mut State, effects: Vec<Effect>, cmds: &mut Vec<Command>) {
    for effect in effects {
        match effect {
            Effect::Command(cmd) => cmds.push(cmd),
            Effect::Toast { text, error } => toast(state, &text, error),
            Effect::Status(text) => state.status.message = Some(text),
            Effect::Failed(error) => request_failed(state, error),
            Effect::Open(overlay) => open_overlay(state, overlay),
            Effect::CloseOverlay => state.overlay = None,
            Effect::ClearMarks => state.home.marked.clear(),
            Effect::Quit => {
                state.should_quit = true;
                cmds.push(Command::Quit);
            }
            Effect::Succeeded => succeeded(state),
            Effect::Relayout => relayout(state),
            Effect::LeaveMeeting => leave_meeting(state),
            Effect::ReloadMeeting => reload_meeting(state, cmds),
        }
    }
}

/// Opens a dialog; a new export dialog, so a write the last one started is no longer its news.
fn open_overlay(state: &mut State, overlay: Overlay) {
    if let Overlay::Export(_) = overlay {
        state.requests.forget(|p| *p == Pending::Export);
    }
    state.overlay = Some(overlay);
}

fn open_feed_item(state: &mut State, tab: Tab, cmds: &mut Vec<Command>) {
    let Some(item) = state
        .home
        .feed(tab)
        .and_then(|f| f.items.get(f.selected))
        .cloned()
    else {
        return;
    };
    let Some(id) = item.meeting.clone() else {
        toast(state, "This item does not name a meeting.", true);
        return;
    };
    if tab == Tab::Upcoming {
        // Not a recorded meeting: it stays out of the list, and shows what the item says.
        let mut meeting = Meeting::new(id, item.title);
        meeting.date = Some(item.when.as_str())
            .filter(|w| !w.trim().is_empty())
            .map(crate::krisp::MeetingDate::parse);
        meeting.attendees = item
            .people
            .into_iter()
            .map(|name| crate::krisp::Person { name, email: None })
            .collect();
        meeting.url = item.url;
        open_view(state, meeting, cmds);
        if let Some(view) = &mut state.meeting {
            view.notes.upcoming = true;
            let width = view.width;
            view.relayout(width);
        }
        return;
    }
    // Not in the list yet: open it by the name the item gives; the document fills it in.
    let name = if item.source.is_empty() {
        item.title
    } else {
        item.source
    };
    open_named_meeting(state, Meeting::new(id, name), cmds);
    if tab == Tab::ActionItems
        && let Some(view) = &mut state.meeting
    {
        view.open_at_section("Action items");
    }
}

/// Opens a meeting known by its id: the listed one, or else (not paged in yet, or not a recorded
/// meeting) what the caller knows of it, without adding it to the list; its document is fetched.
fn open_named_meeting(state: &mut State, meeting: Meeting, cmds: &mut Vec<Command>) {
    match state.home.meetings.get(&meeting.id) {
        Some(index) => open_meeting(state, index, cmds),
        None => open_view(state, meeting, cmds),
    }
}

fn open_meeting(state: &mut State, index: usize, cmds: &mut Vec<Command>) {
    let Some(meeting) = state.home.meetings.all.get(index).cloned() else {
        return;
    };
    open_view(state, meeting, cmds);
}

/// The meeting view for `meeting`, its document from the cache or fetched.
fn open_view(state: &mut State, meeting: Meeting, cmds: &mut Vec<Command>) {
    state.tools.opened_meeting = false;
    let row = crate::app::meetings::Row::of(&meeting);
    let document = match state.documents.get(&meeting.id) {
        Some(doc) => DocState::Ready(Box::new(doc.clone())),
        None => {
            fetch_document(state, meeting.id.clone(), cmds);
            DocState::Loading
        }
    };
    let area = layout::reading(state.size, false);
    let mut view = MeetingView::new(meeting, row, document, area.width, area.height);
    view.notes.reload_key = state
        .keymap
        .key_for(crate::app::keymap::Mode::Meeting, Action::Refresh)
        .map(|k| k.to_string());
    view.relayout(area.width);
    state.meeting = Some(view);
    state.screen = Screen::Meeting;
}

fn meeting_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    let Some(view) = &mut state.meeting else {
        state.screen = Screen::Home;
        return;
    };
    let fx = view.on_action(action, &mut state.requests, &state.keymap);
    apply(state, fx, cmds);
}

/// Back where the meeting was opened from: a tool's result, or the list.
fn leave_meeting(state: &mut State) {
    let from_tools = std::mem::take(&mut state.tools.opened_meeting);
    state.screen = if from_tools {
        Screen::Tools
    } else {
        Screen::Home
    };
}

/// The open meeting's document, fetched again (its cached copy forgotten).
fn reload_meeting(state: &mut State, cmds: &mut Vec<Command>) {
    if !needs_server(state, "Reloading the meeting", cmds) {
        return;
    }
    if let Some(meeting) = state.meeting.as_ref().map(|v| v.meeting.id.clone()) {
        state.documents.remove(&meeting);
        fetch_document(state, meeting, cmds);
    }
    if let Some(view) = &mut state.meeting {
        view.set_document(DocState::Loading);
    }
}

/// Keys in the copy menu over the meeting.
fn copy_action(state: &mut State, action: Action, cmds: &mut Vec<Command>) {
    let Some(Overlay::Copy { selected }) = &mut state.overlay else {
        return;
    };
    let choices = state
        .meeting
        .as_ref()
        .map(|v| v.copy_choices())
        .unwrap_or_default();
    let fx = crate::app::meeting_screen::copy_action(&choices, selected, action);
    apply(state, fx, cmds);
}

fn open_tools(state: &mut State, cmds: &mut Vec<Command>) {
    if state.local.offline_mode && state.tools.panel.is_none() {
        if state.screen != Screen::Tools {
            state.tools.return_to = Some(state.screen);
            state.tools.parked = None;
        }
        state.screen = Screen::Tools;
        state.tools.error = Some(
            "The tools are the server's: krisp-tui was started with --offline, which reads only the local store. Start it without --offline to use them."
                .into(),
        );
        return;
    }
    // From a meeting the panel itself opened, `:` is the way back to the panel: where the
    // panel was first opened from stays where closing it leads.
    let from_its_meeting = state.screen == Screen::Meeting && state.tools.opened_meeting;
    if state.screen != Screen::Tools && !from_its_meeting {
        state.tools.return_to = Some(state.screen);
        state.tools.parked = None;
    }
    state.screen = Screen::Tools;
    if state.tools.panel.is_none() && !state.requests.any(|p| *p == Pending::ToolList) {
        let id = state.requests.start(Pending::ToolList);
        state.tools.error = None;
        cmds.push(Command::ListTools { id });
    }
}

/// Leaves the panel for where it was opened from: the list, or the meeting as it was.
fn close_tools(state: &mut State) {
    let back = state.tools.return_to.take().unwrap_or(Screen::Home);
    if let Some(view) = state.tools.parked.take() {
        state.meeting = Some(*view);
    }
    state.tools.opened_meeting = false;
    state.screen = match back {
        Screen::Meeting if state.meeting.is_some() => {
            relayout(state);
            Screen::Meeting
        }
        Screen::Login | Screen::Tools | Screen::Meeting => Screen::Home,
        Screen::Home => Screen::Home,
    };
}

fn tools_outcome(state: &mut State, outcome: ToolsOutcome, cmds: &mut Vec<Command>) {
    match outcome {
        ToolsOutcome::None => {}
        ToolsOutcome::Close => close_tools(state),
        ToolsOutcome::OpenMeeting {
            meeting,
            action_items,
        } => {
            // The meeting the panel was opened over waits, as it was, for the panel to close.
            if state.tools.return_to == Some(Screen::Meeting) && state.tools.parked.is_none() {
                state.tools.parked = state.meeting.take().map(Box::new);
            }
            open_named_meeting(state, *meeting, cmds);
            state.tools.opened_meeting = state.screen == Screen::Meeting;
            if action_items && let Some(view) = &mut state.meeting {
                view.open_at_section("Action items");
            }
        }
        ToolsOutcome::Run { name, args } => {
            let id = state.request_id();
            for old in state.requests.forget(|p| *p == Pending::ToolCall) {
                cmds.push(Command::Cancel(old));
            }
            state.requests.wait(id, Pending::ToolCall);
            if let Some(host) = &mut state.tools.panel {
                host.set_running(&name);
            }
            cmds.push(Command::CallTool { id, name, args });
        }
    }
}

// ---------------------------------------------------------------- search

fn search_changed(state: &mut State, cmds: &mut Vec<Command>) {
    // The local store answers every change at once (it is fast, and the answer echoes the
    // text): the first window of the matching meetings and how many match in all.
    let Some(text) = state
        .home
        .search
        .as_ref()
        .map(|s| s.store_text().to_owned())
    else {
        return;
    };
    let use_store = state.local.enabled;
    let store_id = (use_store && !text.trim().is_empty()).then(|| state.request_id());
    let server_wanted = !(state.local.complete || state.local.offline.is_some());
    let first = first_window(state);
    let asked = state.requests.stored_search().map(|(_, t, _)| t.to_owned());
    let home = &mut state.home;
    let Some(search) = &mut home.search else {
        return;
    };
    // Typing on after Enter: the open waits for another Enter.
    search.open_on_answer = false;
    match store_id {
        Some(id)
            if search.stored.as_ref().map(|s| &s.text) != Some(&text)
                && asked.as_ref() != Some(&text) =>
        {
            ask_store(&mut state.requests, id, text.clone(), 0);
            cmds.push(Command::SearchStored {
                id,
                text,
                window: Window::first(first),
            });
        }
        Some(_) => {}
        None => {
            state
                .requests
                .forget(|p| matches!(p, Pending::StoredSearch { .. }));
        }
    }
    let previous = home.list.selected;
    let previous = match &search.hits.get(previous) {
        Some(h) if !search.input.text().is_empty() => Some(h.meeting),
        _ => None,
    };
    search.refilter(&home.meetings, &mut home.matcher, use_store);
    home.list = Default::default();
    if let Some(p) = previous
        && let Some(i) = search.hits.iter().position(|h| h.meeting == p)
    {
        home.list.selected = i;
    }
    // The server is asked only while the store does not hold every meeting yet; a newer query
    // cancels the one in flight, and the server is asked after a pause.
    let wanted = crate::app::search::server_query(&search.parsed).filter(|_| server_wanted);
    let superseded = state
        .requests
        .forget(|p| matches!(p, Pending::ServerSearch(q) if Some(q) != wanted.as_ref()));
    for id in superseded {
        cmds.push(Command::Cancel(id));
    }
    let answered = search.server.as_ref().map(|(q, _)| q) == wanted.as_ref();
    let asked = state.requests.server_search().map(|(_, q)| q) == wanted.as_ref();
    search.dirty_since = (wanted.is_some() && !answered && !asked).then_some(state.now);
}

/// How many meetings a keystroke's search reads first: two screenfuls of the list (the rows
/// shown and the next page), so a keystroke pays for what is drawn, not for `STORED_WINDOW`;
/// scrolling reads on from there a window at a time.
fn first_window(state: &State) -> usize {
    let rows = usize::from(layout::table_rows(state.size, prompt_open(state)).height);
    (rows * 2).clamp(20, STORED_WINDOW)
}

/// The store changed under an open search (a sync stored more): ask it the same question
/// again, as far as the list has read, so words in newly stored transcripts are found without
/// retyping. The answer replaces the hits and the selection stays on its meeting.
fn search_store_again(state: &mut State, cmds: &mut Vec<Command>) {
    let asked = state.requests.stored_search().map(|(_, t, _)| t.to_owned());
    let Some((text, read)) = state.home.search.as_ref().and_then(|search| {
        let read = search.stored.as_ref().map_or(0, |s| s.hits.len());
        asked
            .or(search.stored.as_ref().map(|s| s.text.clone()))
            .map(|t| (t, read))
    }) else {
        return;
    };
    let id = state.request_id();
    if state.home.search.is_some() {
        ask_store(&mut state.requests, id, text.clone(), 0);
        cmds.push(Command::SearchStored {
            id,
            text,
            window: Window::first(read.max(STORED_WINDOW)),
        });
    }
}

/// The list is near the end of what was read of the store's answer: read the next window. With
/// `to_end` (`G`), window after window until the end, the selection following to the last row
/// (each window costs the same, so the list stays responsive on the way).
fn read_more_stored(state: &mut State, to_end: bool, cmds: &mut Vec<Command>) {
    let Some(search) = &mut state.home.search else {
        return;
    };
    search.to_end = to_end && search.more_stored();
    if !search.more_stored() || state.requests.stored_search().is_some() {
        return;
    }
    let Some(stored) = &search.stored else {
        return;
    };
    let (text, offset) = (stored.text.clone(), stored.hits.len());
    let limit = STORED_WINDOW;
    let id = state.request_id();
    if state.home.search.is_some() {
        ask_store(&mut state.requests, id, text.clone(), offset);
        cmds.push(Command::SearchStored {
            id,
            text,
            window: Window { offset, limit },
        });
    }
}

/// `id` asks the store for `text` from hit `offset`: the answer the search waits for, instead
/// of any asked before.
fn ask_store(
    requests: &mut crate::app::requests::Requests,
    id: RequestId,
    text: String,
    offset: usize,
) {
    requests.forget(|p| matches!(p, Pending::StoredSearch { .. }));
    requests.wait(id, Pending::StoredSearch { text, offset });
}

/// Fetches the meeting view's document: the one answer the view waits for.
fn fetch_document(state: &mut State, meeting: MeetingId, cmds: &mut Vec<Command>) {
    state.requests.forget(|p| matches!(p, Pending::Document(_)));
    let id = state.requests.start(Pending::Document(meeting.clone()));
    cmds.push(Command::FetchDocuments {
        id,
        ids: vec![meeting],
    });
}

fn ask_server(state: &mut State, cmds: &mut Vec<Command>) {
    let id = state.request_id();
    let Some(search) = &mut state.home.search else {
        return;
    };
    search.dirty_since = None;
    let Some(query) = crate::app::search::server_query(&search.parsed) else {
        return;
    };
    for old in state
        .requests
        .forget(|p| matches!(p, Pending::ServerSearch(_)))
    {
        cmds.push(Command::Cancel(old));
    }
    state
        .requests
        .wait(id, Pending::ServerSearch(query.clone()));
    cmds.push(Command::SearchMeetings { id, query });
}

// ---------------------------------------------------------------- client events

fn on_client(state: &mut State, event: ClientEvent, cmds: &mut Vec<Command>) {
    match event {
        ClientEvent::LoginRequired { note } => {
            to_login(state, note.map(|n| clean_line(&n).into_owned()));
        }
        ClientEvent::LoginUrlReady { .. }
        | ClientEvent::Connecting { .. }
        | ClientEvent::PasteRefused { .. }
        | ClientEvent::LoginFailed { .. } => state.login.on_event(event),
        ClientEvent::LoggedIn { server, account } => {
            state.status.server = clean_line(&server).into_owned();
            state.status.account = account.map(|a| clean_line(&a).into_owned());
            state.status.last_error = None;
            state.login.state = LoginState::Idle;
            state.login.note = None;
            // A connection made in the background (at start, or again after the server was
            // unreachable) leaves the user where they are; a login goes back where it began.
            if state.screen == Screen::Login {
                state.screen = state.login.return_to.take().unwrap_or(Screen::Home);
                // Which account, when the server said.
                let who = match &state.status.account {
                    Some(a) => format!(" as {a}"),
                    None => String::new(),
                };
                let text = format!("Logged in to {}{who}.", state.status.server);
                // Configuration problems shown from the start keep their time on screen.
                if state.toast.as_ref().is_some_and(|t| t.lasting) {
                    remember(state, &text, false, false);
                } else {
                    toast(state, &text, false);
                }
            }
            if state.screen == Screen::Login {
                state.screen = Screen::Home;
            }
            resume_after_login(state, cmds);
        }
        ClientEvent::MeetingsLoaded { id, query, result } => {
            meetings_loaded(state, id, query, result, cmds);
        }
        ClientEvent::DocumentsLoaded { id, result } => {
            let Some(Pending::Document(asked)) = state.requests.answer(id) else {
                return;
            };
            let Some(view) = &mut state.meeting else {
                return;
            };
            if view.document != DocState::Loading || view.meeting.id != asked {
                return;
            }
            // Every document that came is kept (and the list learns from it); the view shows
            // the one it asked for.
            let result = result.map(|docs| {
                for doc in docs {
                    state.home.meetings.learn(&doc);
                    state.documents.insert(doc.id.clone(), doc);
                }
                state
                    .documents
                    .get(&asked)
                    .cloned()
                    .unwrap_or_else(|| processing(asked))
            });
            let fx = view.on_document(result, &state.keymap);
            apply(state, fx, cmds);
        }
        ClientEvent::Retrying {
            id,
            attempt,
            attempts,
            wait,
            message,
        } => {
            if let Some(Pending::Document(asked)) = state.requests.get(id)
                && let Some(view) = &mut state.meeting
                && view.document == DocState::Loading
                && view.meeting.id == *asked
            {
                view.set_retrying(crate::app::meeting::Retrying {
                    attempt,
                    attempts,
                    wait,
                    message: clean_line(&message).into_owned(),
                });
            }
        }
        ClientEvent::FeedLoaded { id, result } => {
            let Some(Pending::Feed(tab)) = state.requests.answer(id) else {
                return;
            };
            let Some(feed) = state.home.feed_mut(tab) else {
                return;
            };
            match result {
                Ok(items) => {
                    let items: Vec<_> = items.into_iter().map(feed::shown).collect();
                    let page = match tab {
                        Tab::ActionItems => 20,
                        Tab::Activity => 15,
                        _ => usize::MAX,
                    };
                    feed.exhausted = tab == Tab::Upcoming || items.len() < page;
                    feed.loaded_once = true;
                    feed.items.extend(items);
                    if tab == Tab::ActionItems {
                        feed::sort_by_due(&mut feed.items);
                    }
                    succeeded(state);
                }
                Err(mut e) => {
                    feed.loaded_once = true;
                    let retry = state.keymap.retry_sentence(crate::app::keymap::Mode::Home);
                    e.message = format!("{} {retry}", e.message);
                    if let Some(feed) = state.home.feed_mut(tab) {
                        feed.error = Some(clean_line(&e.message).into_owned());
                    }
                    request_failed(state, e);
                }
            }
        }
        ClientEvent::ToolsListed { id, result } => {
            if state.requests.answer(id) != Some(Pending::ToolList) {
                return;
            }
            match result {
                Ok(tools) => match &mut state.tools.panel {
                    Some(host) => host.set_tools(tools),
                    None => state.tools.panel = Some(ToolsPanel::new(tools)),
                },
                Err(mut e) => {
                    let retry = state.keymap.retry_sentence(crate::app::keymap::Mode::Home);
                    e.message = format!("{} {retry}", e.message);
                    state.tools.error = Some(clean_line(&e.message).into_owned());
                    request_failed(state, e);
                }
            }
        }
        ClientEvent::ToolCalled { id, name, result } => {
            if state.requests.answer(id) != Some(Pending::ToolCall) {
                return;
            }
            let result = match result {
                Ok(r) => Ok(r),
                Err(e) if e.auth_required => {
                    let message = e.message.clone();
                    request_failed(state, e);
                    Err(message)
                }
                // The panel's own key runs the same form again.
                Err(e) => Err(format!("{}\nPress F5 to run it again.", e.message)),
            };
            if let Some(host) = &mut state.tools.panel {
                host.set_result(&name, result);
            }
        }
        ClientEvent::Exported { id, .. }
        | ClientEvent::ExportProgress { id, .. }
        | ClientEvent::ExportedMany { id, .. }
        | ClientEvent::ExportExists { id, .. } => export_reply(state, id, event, cmds),
        ClientEvent::StoredMeetings {
            id,
            offset,
            total,
            meetings,
            complete,
        } => {
            if state.requests.answer(id) != Some(Pending::StoredList) {
                return;
            }
            state.local.complete = complete;
            if total == 0
                && state.home.meetings.held.is_none()
                && !state.home.meetings.order.is_empty()
            {
                // Nothing stored yet (a sync that failed, or none) while the list pages from
                // the server: it stays the server's.
                if std::mem::take(&mut state.local.reload) {
                    load_stored(state, cmds);
                }
                return;
            }
            let selected = state
                .home
                .meeting_at(state.home.list.selected)
                .map(|i| state.home.meetings.all[i].id.clone());
            // What the open search shows stays held; everything else is the new window.
            let keep = match &state.home.search {
                Some(search) => search.shown_ids(&state.home.meetings),
                None => Default::default(),
            };
            let moved = state
                .home
                .meetings
                .replace_window(offset, total, meetings, &keep);
            if let Some(search) = &mut state.home.search {
                search.remap(&moved);
            }
            let paging = &mut state.home.meetings.paging;
            paging.loaded_once = true;
            paging.exhausted = true;
            // The list is the store's now: a server page asked for no longer fits it.
            state.requests.forget(|p| *p == Pending::MeetingsPage);
            refilter(state);
            if !state.home.searching()
                && let Some(i) = selected.and_then(|id| state.home.meetings.get(&id))
                && let Some(row) = state.home.meetings.order.iter().position(|&o| o == i)
            {
                state.home.list.selected = offset + row;
            }
            let height = usize::from(layout::table_rows(state.size, prompt_open(state)).height);
            let len = state.home.visible_len();
            state.home.list.clamp(len, height);
            if state.local.reload {
                load_stored(state, cmds);
            } else {
                ensure_window(state, cmds);
            }
        }
        ClientEvent::IdsListed { id, result } => {
            let Some(Pending::MarkAll(text)) = state.requests.answer(id) else {
                return;
            };
            let home = &state.home;
            let shown = home
                .search
                .as_ref()
                .filter(|_| home.searching())
                .map(|s| s.store_text().to_owned());
            // Asked over another search than the one shown now: it no longer says what is shown.
            if shown != text {
                return;
            }
            match result {
                Ok(mut ids) => {
                    // What only the server found is shown too.
                    if let Some(search) = home.search.as_ref().filter(|_| home.searching()) {
                        ids.extend(
                            search
                                .hits
                                .iter()
                                .filter(|h| h.found.is_none())
                                .map(|h| home.meetings.all[h.meeting].id.clone()),
                        );
                    }
                    toggle_marks(&mut state.home.marked, ids);
                }
                Err(e) => toast(state, &e.message, true),
            }
        }
        ClientEvent::StoreChanged => {
            if state.local.enabled {
                load_stored(state, cmds);
                search_store_again(state, cmds);
            }
        }
        ClientEvent::StoredSearch { id, text, result } => {
            if state.home.search.is_none() {
                return;
            }
            // Only the answer to the search in flight counts; it echoes the text it answers.
            let Some(offset) = state
                .requests
                .stored_search()
                .filter(|(asked, t, _)| *asked == id && *t == text)
                .map(|(_, _, offset)| offset)
            else {
                return;
            };
            state.requests.answer(id);
            match result {
                Ok(answer) => {
                    let mut hits: Vec<(usize, Found)> = Vec::with_capacity(answer.meetings.len());
                    for hit in &answer.meetings {
                        let i = match state.home.meetings.get(&hit.meeting_id) {
                            Some(i) => i,
                            None => {
                                // Stored but not in the list yet (a sync is running).
                                let mut m = Meeting::new(hit.meeting_id.clone(), hit.name.clone());
                                m.date = hit.date.clone();
                                m.attendees = hit
                                    .people
                                    .iter()
                                    .map(|name| crate::krisp::Person {
                                        name: name.clone(),
                                        email: None,
                                    })
                                    .collect();
                                state.home.meetings.merge(vec![m], false)[0]
                            }
                        };
                        hits.push((i, Found::of(hit)));
                    }
                    if let Some(search) = &mut state.home.search {
                        match &mut search.stored {
                            Some(stored)
                                if offset > 0
                                    && stored.text == text
                                    && stored.hits.len() == offset =>
                            {
                                stored.total = answer.total;
                                stored.hits.extend(hits);
                            }
                            _ if offset == 0 => {
                                search.stored = Some(Stored {
                                    text,
                                    total: answer.total,
                                    matched: answer.matched,
                                    hits,
                                    suggestion: answer
                                        .suggestion
                                        .map(|s| clean_line(&s).into_owned()),
                                });
                            }
                            _ => {}
                        }
                    }
                    refilter(state);
                    let open = state.home.search.as_mut().is_some_and(|s| {
                        let open = s.open_on_answer && offset == 0;
                        s.open_on_answer &= !open;
                        open
                    });
                    if open && state.screen == Screen::Home && state.meeting.is_none() {
                        open_selected_hit(state, cmds);
                    }
                    // On the way to the end (`G`): the next window, the selection following.
                    if state.home.search.as_ref().is_some_and(|s| s.to_end) {
                        let height =
                            usize::from(layout::table_rows(state.size, prompt_open(state)).height);
                        let len = state.home.visible_len();
                        state.home.list.step(isize::MAX / 2, len, height);
                        read_more_stored(state, true, cmds);
                    }
                }
                Err(e) => {
                    if let Some(s) = &mut state.home.search {
                        s.open_on_answer = false;
                    }
                    toast(state, &e.message, true)
                }
            }
        }
        ClientEvent::ContextRead { at, turns } => {
            crate::app::preview::context_read(state, at, turns);
        }
        ClientEvent::MeetingRead { meeting } => {
            if let Some(view) = &mut state.meeting
                && view.meeting.id == meeting.id
            {
                view.set_meeting((*meeting).clone());
            }
            state.home.meetings.update(*meeting);
        }
        ClientEvent::SyncProgress(progress) => {
            state.local.sync.running = true;
            state.local.sync.progress = progress;
        }
        ClientEvent::SyncElsewhere => {
            state.local.sync.running = true;
            state.local.sync.elsewhere = true;
            toast(
                state,
                "another krisp-tui is syncing; the list follows its progress",
                false,
            );
        }
        ClientEvent::SyncFinished(result) => {
            state.local.sync.running = false;
            state.local.sync.elsewhere = false;
            match result {
                Ok(summary) if summary.by_another => {
                    state.local.sync.last = Some(Ok("another krisp-tui synced the store".into()));
                }
                Ok(summary) => {
                    state.local.sync.last = Some(Ok(summary.line()));
                    // Successes go to the messages too, so a failure before them is not the
                    // newest news there.
                    let took = state
                        .local
                        .sync
                        .started
                        .take()
                        .map(|t| format!(" in {}", seconds(state.now.duration_since(t))))
                        .unwrap_or_default();
                    let meetings = summary.new + summary.updated + summary.unchanged;
                    let first = if std::mem::replace(&mut state.local.sync.finished_once, true) {
                        "Synced"
                    } else {
                        "First sync finished:"
                    };
                    let text = format!(
                        "{first} {} meeting{}{took}: {}.",
                        crate::timefmt::grouped(meetings),
                        if meetings == 1 { "" } else { "s" },
                        summary.line()
                    );
                    remember(state, &text, false, false);
                }
                Err(e) => {
                    let message = clean_line(&e.message).into_owned();
                    state.local.sync.last = Some(Err(message.clone()));
                    if e.unreachable {
                        went_offline(state, &message);
                    }
                    if e.auth_required {
                        request_failed(state, e);
                    } else {
                        let retry = state
                            .keymap
                            .key_to_retry(crate::app::keymap::Mode::Home, Action::Sync);
                        toast(state, &format!("Sync failed: {message} {retry}"), true);
                    }
                }
            }
        }
        ClientEvent::Offline { reason } => {
            let reason = clean_line(&reason).into_owned();
            // The answer to a reconnect the user asked for says it is one.
            let again = state.local.reconnecting;
            went_offline(state, &reason);
            state.local.sync.running = false;
            state.local.sync_wanted = false;
            if state.screen == Screen::Login {
                state.screen = Screen::Home;
            }
            state.login.state = LoginState::Idle;
            // `--offline` is the mode the user chose: the footer says so, calmly.
            if again {
                toast(state, &format!("Still offline: {reason}"), true);
            } else if !state.local.offline_mode {
                toast(state, &reason, true);
            }
        }
    }
}

fn meetings_loaded(
    state: &mut State,
    id: crate::message::RequestId,
    query: SearchQuery,
    result: Result<Vec<Meeting>, RequestError>,
    cmds: &mut Vec<Command>,
) {
    if state.requests.get(id) == Some(&Pending::MeetingsPage) {
        state.requests.answer(id);
        let paging = &mut state.home.meetings.paging;
        match result {
            Ok(page) => {
                let n = u32::try_from(page.len()).unwrap_or(u32::MAX);
                paging.next_offset = query.offset.saturating_add(n);
                paging.exhausted = n < query.limit.max(1);
                paging.loaded_once = true;
                state.home.meetings.merge(page, false);
                succeeded(state);
                refilter(state);
                let height = usize::from(layout::table_rows(state.size, prompt_open(state)).height);
                let len = state.home.visible_len();
                state.home.list.clamp(len, height);
                // A tall terminal may show more rows than a page holds.
                if !state.home.searching()
                    && state.home.meetings.order.len() < height + PREFETCH_ROWS
                {
                    load_meetings_page(state, cmds);
                }
            }
            Err(mut e) => {
                let retry = state.keymap.retry_sentence(crate::app::keymap::Mode::Home);
                e.message = format!("{} {retry}", e.message);
                state.home.meetings.paging.error = Some(clean_line(&e.message).into_owned());
                request_failed(state, e);
            }
        }
        return;
    }
    if state.home.search.is_none() {
        return;
    }
    // Only the answer to the request in flight counts; it echoes the query it answers.
    if state.requests.server_search() != Some((id, &query)) {
        return;
    }
    state.requests.answer(id);
    match result {
        Ok(found) => {
            let indices = state.home.meetings.merge(found, true);
            if let Some(search) = &mut state.home.search {
                search.server = Some((query, indices));
            }
            refilter(state);
        }
        Err(e) => request_failed(state, e),
    }
}

/// Re-runs the open search after the loaded meetings changed, keeping the selected meeting.
fn refilter(state: &mut State) {
    let use_store = state.local.enabled;
    let home = &mut state.home;
    let Some(search) = &mut home.search else {
        return;
    };
    let selected = search.hits.get(home.list.selected).map(|h| h.meeting);
    search.refilter(&home.meetings, &mut home.matcher, use_store);
    if let Some(i) = selected.and_then(|m| search.hits.iter().position(|h| h.meeting == m)) {
        home.list.selected = i;
    }
    let height = usize::from(layout::table_rows(state.size, prompt_open(state)).height);
    let len = state.home.visible_len();
    state.home.list.clamp(len, height);
}

fn processing(id: MeetingId) -> Document {
    Document {
        id,
        state: DocumentState::Processing,
        recording_url: None,
        sections: Vec::new(),
        transcript: Transcript::default(),
        unparsed: String::new(),
    }
}

/// The login screen, with why the user is there; logging in comes back to where they were.
fn to_login(state: &mut State, note: Option<String>) {
    if state.screen != Screen::Login {
        state.login.return_to = Some(state.screen);
    }
    state.screen = Screen::Login;
    state.overlay = None;
    state.login.state = LoginState::Idle;
    state.login.note = note;
}

/// A failed request: an expired session goes to the login screen, anything else to the toast.
fn request_failed(state: &mut State, error: RequestError) {
    if error.auth_required {
        return to_login(state, Some(SESSION_EXPIRED.into()));
    }
    let message = clean_line(&error.message).into_owned();
    if error.unreachable {
        went_offline(state, &message);
    }
    toast(state, &message, true);
    state.status.last_error = Some(message);
}

/// The server could not be reached: the footer says offline from now (or from when it first
/// failed), until a connection works again.
fn went_offline(state: &mut State, reason: &str) {
    if state.local.offline.is_none() || state.local.reconnecting {
        state.local.offline_since = state.local.offline_since.or(state.wall);
    }
    state.local.offline = Some(reason.to_owned());
    state.local.reconnecting = false;
}

/// An action that needs the server, asked for while it is not there: says so at once. With
/// `--offline` it explains why it cannot be done (`false`); after the server was unreachable it
/// tries to connect again (and says so), and the action goes ahead (`true`).
fn needs_server(state: &mut State, what: &str, cmds: &mut Vec<Command>) -> bool {
    if state.local.offline_mode {
        note(
            state,
            &format!(
                "{what} needs the server: krisp-tui was started with --offline, which reads only the local store."
            ),
        );
        return false;
    }
    if state.local.offline.is_none() {
        return true;
    }
    let since = state
        .local
        .offline_since
        .map(|at| {
            let (_, hm) = crate::timefmt::date_and_time_in(at, crate::timefmt::zone());
            format!(" since {hm}")
        })
        .unwrap_or_default();
    if !state.local.reconnecting {
        state.local.reconnecting = true;
        cmds.push(Command::Connect);
    }
    note(
        state,
        &format!(
            "The server has been unreachable{since}: trying to reconnect to {}…",
            state.status.server
        ),
    );
    true
}

/// After (re-)login: fetch what the interrupted screens were waiting for.
fn resume_after_login(state: &mut State, cmds: &mut Vec<Command>) {
    state.local.offline = None;
    state.local.offline_since = None;
    state.local.reconnecting = false;
    if std::mem::take(&mut state.local.sync_wanted) {
        start_sync(state, cmds);
    }
    if !state.home.meetings.paging.loaded_once {
        load_meetings_page(state, cmds);
    }
    if state.local.enabled && state.local.auto_sync {
        start_sync(state, cmds);
    } else if state.local.enabled
        && state.home.meetings.listed() == 0
        && state.home.meetings.paging.loaded_once
    {
        // Nothing stored and no sync coming (sync = "manual"): page from the server as before.
        state.home.meetings.held = None;
        state.home.meetings.paging.exhausted = false;
        state.home.meetings.paging.next_offset = 0;
        load_meetings_page(state, cmds);
    }
    let failed = state
        .meeting
        .as_ref()
        .is_some_and(|v| matches!(v.document, DocState::Failed { .. }));
    if failed && state.screen == Screen::Meeting {
        meeting_action(state, Action::Refresh, cmds);
    }
    let tab = state.home.tab;
    if state.home.feed(tab).is_some_and(|f| f.error.is_some()) {
        reload_feed(state, tab, cmds);
    }
    if state.screen == Screen::Tools && state.tools.panel.is_none() {
        state.requests.forget(|p| *p == Pending::ToolList);
        open_tools(state, cmds);
    }
}

/// `35 s`, `4.2 s`, `3 min 05 s`.
fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 60.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

/// Shows a toast that expires after [`TOAST_FOR`], and keeps it for the messages overlay.
fn toast(state: &mut State, text: &str, error: bool) {
    show_toast(state, text, error, false);
}

/// A calm toast: why something is not available, or what is being tried.
fn note(state: &mut State, text: &str) {
    show_toast(state, text, false, true);
}

fn show_toast(state: &mut State, text: &str, error: bool, note: bool) {
    let text = clean_line(text).into_owned();
    remember(state, &text, error, note);
    state.toast = Some(Toast {
        text,
        error,
        note,
        lasting: false,
        until: state.now + TOAST_FOR,
    });
}

/// Keep a toast's text for the messages overlay.
fn remember(state: &mut State, text: &str, error: bool, note: bool) {
    state.messages.push_back(crate::app::Message {
        text: text.to_owned(),
        error,
        note,
        at: state.wall,
    });
    while state.messages.len() > crate::app::MESSAGES_KEPT {
        state.messages.pop_front();
    }
}

/// Problems with the configuration, found at start: all of them in one toast, a line each,
/// that a request succeeding meanwhile does not take away; each in the messages overlay.
pub fn show_problems(state: &mut State, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let lines: Vec<String> = problems
        .iter()
        .map(|p| clean_line(p).into_owned())
        .collect();
    for line in &lines {
        remember(state, line, true, false);
    }
    let seconds = u32::try_from(lines.len().min(3)).unwrap_or(3);
    state.toast = Some(Toast {
        text: lines.join("\n"),
        error: true,
        note: false,
        lasting: true,
        until: state.now + TOAST_FOR * seconds,
    });
}

/// A request succeeded: an error shown for an earlier one is no longer news.
fn succeeded(state: &mut State) {
    state.status.last_error = None;
    if state.toast.as_ref().is_some_and(|t| t.error && !t.lasting) {
        state.toast = None;
    }
}

/// Whether a one-line prompt sits above the main pane.
pub fn prompt_open(state: &State) -> bool {
    match state.screen {
        Screen::Home => state.home.search.is_some() && state.home.tab == Tab::Meetings,
        Screen::Meeting => state
            .meeting
            .as_ref()
            .is_some_and(|v| v.search.is_some() || v.jump.is_some()),
        _ => false,
    }
}

/// The terminal size or a prompt changed: lay out the meeting view and clamp the lists again.
fn relayout(state: &mut State) {
    let prompt = prompt_open(state);
    if let Some(view) = &mut state.meeting {
        let area = layout::reading(state.size, prompt);
        view.height = area.height;
        if view.width != area.width {
            view.relayout(area.width);
        } else {
            view.scroll_to(view.scroll);
        }
    }
    let height = usize::from(layout::table_rows(state.size, prompt).height);
    let len = state.home.visible_len();
    state.home.list.clamp(len, height);
}
