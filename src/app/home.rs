//! The home screen's updates: the meeting list (paged from the server, or a window of the
//! local store's), its marks, and the other tabs' feeds. The screen changes only `Home` and
//! returns effects; the search box's updates are in `home_search`.

use std::time::Instant;

use crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

use crate::app::effect::{Effect, Effects, Opening};
use crate::app::export::ExportDialog;
use crate::app::keymap::Keymap;
use crate::app::meetings::PAGE_SIZE;
use crate::app::requests::{Pending, Requests};
use crate::app::search::Search;
use crate::app::{DoneFilter, Home, Local, Overlay, Tab, feed, layout};
use crate::krisp::{Meeting, MeetingId};
use crate::library::Window;
use crate::message::{Action, ClientEvent, Command, SearchQuery};

/// With a local store the list holds a window of its rows around the selection, at least this
/// many (three screenfuls on a tall terminal)...
pub const LIST_WINDOW: usize = 300;
/// ...and reads the next one when fewer than this many rows are held beyond the screen's edge.
pub const LIST_MARGIN: usize = 50;
/// Load the next page when the selection comes this close to the end of the list.
pub(crate) const PREFETCH_ROWS: usize = 10;

/// What the home screen reads and asks beyond its own state.
pub struct Ctx<'a> {
    pub requests: &'a mut Requests,
    pub local: &'a mut Local,
    pub keymap: &'a Keymap,
    /// The zone the list's rows show times in ([`crate::app::State::zone`]).
    pub zone: &'a jiff::tz::TimeZone,
    pub size: Rect,
    pub now: Instant,
    /// `None` while the home screen is shown; else whether the screen shown has a prompt open
    /// (the list's height follows the screen's layout).
    pub elsewhere: Option<bool>,
    /// A meeting view exists (a hit found after Enter opens only while none does).
    pub meeting_open: bool,
}

impl Home {
    /// Opens the selected row of the meeting list; a search hit at the place it matched, with the
    /// word to find.
    pub(crate) fn open_selected_hit(&mut self, fx: &mut Vec<Effect>) {
        let Some(i) = self.meeting_at(self.list.selected) else {
            return;
        };
        let found = self.search.as_ref().and_then(|s| {
            let hit = s.hits.get(self.list.selected)?;
            s.found.get(hit.found?).cloned()
        });
        if let Some(meeting) = self.meetings.all.get(i).cloned() {
            fx.push(Effect::OpenMeeting(Box::new(Opening {
                at: found.map(|f| (f.turn, f.term().map(str::to_owned))),
                ..Opening::new(meeting)
            })));
        }
        // Back on the list, keys move the list; `/` edits the query again.
        if let Some(s) = &mut self.search {
            s.editing = false;
        }
    }

    pub(crate) fn on_action(&mut self, action: Action, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let height = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
        let page = isize::try_from(height.max(2) - 1).unwrap_or(1);
        let searching_box = self
            .search
            .as_ref()
            .is_some_and(|s| s.editing && self.tab == Tab::Meetings);
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
            self.move_selection(delta, height, ctx, fx);
            return;
        }
        match action {
            Action::Select => match self.tab {
                Tab::Meetings => {
                    // Typed faster than the store answers: the rows (and where each matched) are
                    // an earlier text's, so the row opens once the text in the box is answered.
                    if let Some(s) = &mut self.search
                        && s.answer_pending(ctx.requests)
                    {
                        s.open_on_answer = true;
                        s.editing = false;
                        return;
                    }
                    self.open_selected_hit(fx);
                }
                tab => self.open_feed_item(tab, fx),
            },
            Action::Search => {
                self.tab = Tab::Meetings;
                match &mut self.search {
                    Some(s) => s.editing = true,
                    None => self.search = Some(Search::new()),
                }
            }
            Action::FocusNext | Action::FocusPrev if searching_box => {
                if let Some(s) = &mut self.search {
                    s.editing = false;
                }
            }
            Action::Back if self.search.is_some() => {
                self.search = None;
                // Answers to the closed search are no longer wanted.
                ctx.requests.forget(|p| {
                    matches!(p, Pending::ServerSearch(_) | Pending::StoredSearch { .. })
                });
                self.list = Default::default();
                // The top of the list again, and the meetings only the search showed let go.
                if self.meetings.held.is_some() {
                    self.load_stored(ctx, fx);
                }
            }
            Action::Back if !self.marked.is_empty() => self.marked.clear(),
            Action::Mark if self.tab == Tab::Meetings => {
                if let Some(i) = self.meeting_at(self.list.selected) {
                    let id = self.meetings.all[i].id.clone();
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    // On to the next row, so a run of meetings is marked with a run of Space.
                    self.move_selection(1, height, ctx, fx);
                }
            }
            Action::MarkAll if self.tab == Tab::Meetings && self.meetings.held.is_some() => {
                // The store holds what is shown, not the list: it is asked for their ids.
                let text = self
                    .search
                    .as_ref()
                    .filter(|_| self.searching())
                    .map(|s| s.store_text().to_owned());
                // A newer question replaces the one in flight, whose answer no longer counts.
                ctx.requests.forget(|p| matches!(p, Pending::MarkAll(_)));
                let id = ctx.requests.start(Pending::MarkAll(text.clone()));
                fx.command(Command::ListIds { id, text });
            }
            Action::MarkAll if self.tab == Tab::Meetings => {
                let shown: Vec<MeetingId> = (0..self.visible_len())
                    .filter_map(|row| self.meeting_at(row))
                    .map(|i| self.meetings.all[i].id.clone())
                    .collect();
                toggle_marks(&mut self.marked, shown);
            }
            Action::Export if self.tab == Tab::Meetings && !self.marked.is_empty() => {
                let meetings = &self.meetings;
                let ids: Vec<MeetingId> = if meetings.held.is_some() {
                    // Most marked meetings may be outside the window held: all of them, by id.
                    self.marked.iter().cloned().collect()
                } else {
                    // Newest first, as the list shows them.
                    meetings
                        .order
                        .iter()
                        .map(|&i| &meetings.all[i].id)
                        .filter(|id| self.marked.contains(*id))
                        .cloned()
                        .collect()
                };
                if let Some(first) = ids.first() {
                    let first = match meetings.get(first) {
                        Some(i) => meetings.all[i].clone(),
                        None => Meeting::new(first.clone(), String::new()),
                    };
                    let dialog = ExportDialog::for_many(&first, ids, ctx.zone);
                    fx.push(Effect::Open(Overlay::Export(Box::new(dialog))));
                }
            }
            Action::NextHit | Action::PrevHit if self.searching() => {
                let len = self.visible_len();
                if len > 0 {
                    let sel = self.list.selected;
                    self.list.selected = if action == Action::NextHit {
                        (sel + 1) % len
                    } else {
                        (sel + len - 1) % len
                    };
                    self.list.clamp(len, height);
                }
            }
            Action::NextTab | Action::PrevTab => {
                let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                let n = Tab::ALL.len();
                let next = if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.switch_tab(Tab::ALL[next], ctx, fx);
            }
            Action::ShowMeetings => self.switch_tab(Tab::Meetings, ctx, fx),
            Action::ShowActionItems => self.switch_tab(Tab::ActionItems, ctx, fx),
            Action::ShowUpcoming => self.switch_tab(Tab::Upcoming, ctx, fx),
            Action::ShowActivity => self.switch_tab(Tab::Activity, ctx, fx),
            Action::ToggleDone if self.tab == Tab::ActionItems => {
                self.done_filter = match self.done_filter {
                    DoneFilter::Open => DoneFilter::Done,
                    DoneFilter::Done => DoneFilter::All,
                    DoneFilter::All => DoneFilter::Open,
                };
                self.reload_feed(Tab::ActionItems, ctx, fx);
            }
            Action::ToggleMine if self.tab == Tab::ActionItems => {
                self.mine = !self.mine;
                self.reload_feed(Tab::ActionItems, ctx, fx);
            }
            Action::MoreDays | Action::FewerDays if self.tab == Tab::Upcoming => {
                let days = self.days;
                self.days = if action == Action::MoreDays {
                    (days + 1).min(14)
                } else {
                    days.saturating_sub(1).max(1)
                };
                if self.days != days {
                    self.reload_feed(Tab::Upcoming, ctx, fx);
                }
            }
            Action::Sync => fx.push(Effect::Sync),
            // After a failure, the key that retries asks again for exactly what failed.
            Action::Refresh
                if self.tab == Tab::Meetings && self.meetings.paging.error.is_some() =>
            {
                self.meetings.paging.error = None;
                self.load_meetings_page(ctx, fx);
            }
            Action::Refresh
                if self
                    .feed(self.tab)
                    .is_some_and(|f| f.error.is_some() && !f.items.is_empty()) =>
            {
                let tab = self.tab;
                self.load_feed_page(tab, ctx, fx);
            }
            Action::Refresh if self.tab == Tab::Meetings && ctx.local.enabled => {
                fx.push(Effect::Sync);
            }
            Action::Refresh => match self.tab {
                Tab::Meetings => {
                    for id in ctx.requests.forget(|p| *p == Pending::MeetingsPage) {
                        fx.command(Command::Cancel(id));
                    }
                    self.meetings.paging.next_offset = 0;
                    self.meetings.paging.exhausted = false;
                    self.load_meetings_page(ctx, fx);
                }
                tab => self.reload_feed(tab, ctx, fx),
            },
            Action::Export if self.tab == Tab::Meetings => {
                if let Some(i) = self.meeting_at(self.list.selected) {
                    let meeting = &self.meetings.all[i];
                    let dialog = ExportDialog::new(meeting, ctx.zone);
                    fx.push(Effect::Open(Overlay::Export(Box::new(dialog))));
                }
            }
            _ => {}
        }
    }

    pub(crate) fn move_selection(
        &mut self,
        delta: isize,
        height: usize,
        ctx: &mut Ctx<'_>,
        fx: &mut Vec<Effect>,
    ) {
        let home = &mut *self;
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
                        self.read_more_stored(to_end, ctx, fx);
                    }
                    return;
                }
                if home.meetings.held.is_some() {
                    return self.ensure_window(ctx, fx);
                }
                let near_end = home.list.selected + PREFETCH_ROWS >= home.meetings.order.len();
                if near_end {
                    self.load_meetings_page(ctx, fx);
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
                    self.load_feed_page(tab, ctx, fx);
                }
            }
        }
    }

    pub(crate) fn switch_tab(&mut self, tab: Tab, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        self.tab = tab;
        if let Some(feed) = self.feed(tab)
            && !feed.loaded_once
            && !ctx.requests.any(|p| *p == Pending::Feed(tab))
        {
            self.load_feed_page(tab, ctx, fx);
        }
    }

    pub(crate) fn reload_feed(&mut self, tab: Tab, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        if let Some(feed) = self.feed_mut(tab) {
            for id in ctx.requests.forget(|p| *p == Pending::Feed(tab)) {
                fx.command(Command::Cancel(id));
            }
            feed.reset();
        }
        self.load_feed_page(tab, ctx, fx);
    }

    pub(crate) fn load_feed_page(&mut self, tab: Tab, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let Some(feed) = self.feed(tab) else {
            return;
        };
        let loading = ctx.requests.any(|p| *p == Pending::Feed(tab));
        if loading || feed.exhausted || (tab == Tab::Upcoming && feed.loaded_once) {
            return;
        }
        let offset = u32::try_from(feed.items.len()).unwrap_or(u32::MAX);
        let cursor = feed.items.last().and_then(|i| i.cursor.clone());
        if tab == Tab::Activity && feed.loaded_once && cursor.is_none() {
            return;
        }
        let id = ctx.requests.next_id();
        fx.command(match tab {
            Tab::ActionItems => Command::ListActionItems {
                id,
                completed: self.done_filter.completed(),
                assigned_to_me: self.mine,
                offset,
            },
            Tab::Upcoming => Command::ListUpcoming {
                id,
                days: self.days,
            },
            Tab::Activity | Tab::Meetings => Command::ListActivities { id, cursor },
        });
        ctx.requests.wait(id, Pending::Feed(tab));
        if let Some(feed) = self.feed_mut(tab) {
            feed.error = None;
        }
    }

    pub(crate) fn load_meetings_page(&mut self, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        if ctx.local.enabled && !self.meetings.paging.loaded_once {
            self.load_stored(ctx, fx);
            return;
        }
        let paging = &self.meetings.paging;
        let loading = ctx.requests.any(|p| *p == Pending::MeetingsPage);
        if loading || paging.exhausted || ctx.local.offline.is_some() {
            return;
        }
        let offset = paging.next_offset;
        let id = ctx.requests.start(Pending::MeetingsPage);
        self.meetings.paging.error = None;
        fx.command(Command::SearchMeetings {
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
    pub(crate) fn load_stored(&mut self, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        if ctx.requests.any(|p| *p == Pending::StoredList) {
            ctx.local.reload = true;
            return;
        }
        let id = ctx.requests.start(Pending::StoredList);
        ctx.local.reload = false;
        let home = &*self;
        let height = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
        let limit = LIST_WINDOW.max(3 * height);
        let selected = home.list.selected;
        let around = home
            .meetings
            .listed_at(selected)
            .filter(|_| home.meetings.held.is_some())
            .map(|i| home.meetings.all[i].id.clone());
        fx.command(Command::LoadStored {
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
    pub(crate) fn ensure_window(&mut self, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let Some(held) = self.meetings.held else {
            return;
        };
        if self.searching() || !ctx.local.enabled {
            return;
        }
        let height = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
        let top = self.list.offset;
        let wanted = top.saturating_sub(LIST_MARGIN)..(top + height + LIST_MARGIN).min(held.total);
        let rows = self.meetings.held_rows();
        if wanted.start < rows.start || wanted.end > rows.end {
            self.load_stored(ctx, fx);
        }
    }

    pub(crate) fn open_feed_item(&mut self, tab: Tab, fx: &mut Vec<Effect>) {
        let Some(item) = self
            .feed(tab)
            .and_then(|f| f.items.get(f.selected))
            .cloned()
        else {
            return;
        };
        let Some(id) = item.meeting.clone() else {
            fx.push(Effect::error("This item does not name a meeting."));
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
            fx.push(Effect::OpenMeeting(Box::new(Opening {
                upcoming: true,
                ..Opening::new(meeting)
            })));
            return;
        }
        // Not in the list yet: open it by the name the item gives; the document fills it in.
        let name = if item.source.is_empty() {
            item.title
        } else {
            item.source
        };
        let meeting = self.listed_or(Meeting::new(id, name));
        fx.push(Effect::OpenMeeting(Box::new(Opening {
            section: (tab == Tab::ActionItems).then_some("Action items"),
            ..Opening::new(meeting)
        })));
    }

    /// A left click on the home screen: a tab in the header, or a row of the list.
    pub(crate) fn on_click(&mut self, at: Position, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let header = layout::screen(ctx.size, self.prompt(ctx)).header;
        if header.contains(at) {
            // Tabs are drawn as " 1 Meetings │ 2 Action items │ …": find which was hit.
            let mut x = header.x;
            for tab in Tab::ALL {
                let w = u16::try_from(tab.title().len() + 5).unwrap_or(u16::MAX);
                if at.x < x.saturating_add(w) {
                    self.switch_tab(tab, ctx, fx);
                    return;
                }
                x = x.saturating_add(w);
            }
            return;
        }
        let rows = match self.tab {
            Tab::Meetings => layout::meeting_rows(ctx.size, self.prompt(ctx)),
            _ => layout::table_rows(ctx.size, self.prompt(ctx)),
        };
        if rows.contains(at) {
            let row = usize::from(at.y - rows.y);
            let height = usize::from(rows.height);
            match self.tab {
                Tab::Meetings => {
                    let target = self.list.offset + row;
                    if target < self.visible_len() {
                        self.list.selected = target;
                        self.list.clamp(self.visible_len(), height);
                        if let Some(s) = &mut self.search {
                            s.editing = false;
                        }
                    }
                }
                tab => {
                    if let Some(feed) = self.feed_mut(tab) {
                        let target = feed.offset + row;
                        if target < feed.items.len() {
                            feed.selected = target;
                        }
                    }
                }
            }
        }
    }

    /// A tick: the server is asked about the search once typing paused.
    pub(crate) fn on_tick(&mut self, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let now = ctx.now;
        let due = self
            .search
            .as_ref()
            .and_then(|s| s.dirty_since)
            .is_some_and(|t| now.duration_since(t) >= crate::app::search::DEBOUNCE);
        if due {
            self.ask_server(ctx, fx);
        }
    }

    /// A key no binding claimed, typed into the search box.
    pub(crate) fn type_key(&mut self, key: KeyEvent, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let changed = self
            .search
            .as_mut()
            .is_some_and(|s| s.input.handle_key(key));
        if changed {
            self.search_changed(ctx, fx);
        }
    }

    /// Pasted text, into the search box.
    pub(crate) fn paste(&mut self, text: &str, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        if let Some(s) = &mut self.search {
            s.input.insert_str(text);
            self.search_changed(ctx, fx);
        }
    }

    /// The listed copy of `meeting` (by id), or `meeting` itself when it is not listed (not
    /// paged in yet, or not a recorded meeting).
    pub fn listed_or(&self, meeting: Meeting) -> Meeting {
        match self.meetings.get(&meeting.id) {
            Some(i) => self.meetings.all.get(i).cloned().unwrap_or(meeting),
            None => meeting,
        }
    }

    /// Whether the search box sits above the list (the prompt of the home screen).
    pub fn prompt_open(&self) -> bool {
        self.search.is_some() && self.tab == Tab::Meetings
    }

    /// Whether a prompt sits above the main pane of the screen shown.
    pub(crate) fn prompt(&self, ctx: &Ctx<'_>) -> bool {
        ctx.elsewhere.unwrap_or_else(|| self.prompt_open())
    }

    /// The answers to the home screen's requests (the router routes them here by the
    /// registry), and the store's news that it changed.
    pub(crate) fn on_reply(&mut self, event: ClientEvent, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        match event {
            ClientEvent::MeetingsLoaded { id, query, result } => {
                self.meetings_loaded(id, query, result, ctx, fx);
            }
            ClientEvent::StoreChanged if ctx.local.enabled => {
                self.load_stored(ctx, fx);
                self.search_store_again(ctx, fx);
            }
            ClientEvent::StoredSearch { id, text, result } => {
                self.stored_search(id, text, result, ctx, fx);
            }
            ClientEvent::FeedLoaded { id, result } => {
                let Some(Pending::Feed(tab)) = ctx.requests.answer(id) else {
                    return;
                };
                let Some(feed) = self.feed_mut(tab) else {
                    return;
                };
                match result {
                    Ok(items) => {
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
                        fx.push(Effect::Succeeded);
                    }
                    Err(mut e) => {
                        feed.loaded_once = true;
                        let retry = ctx.keymap.retry_sentence(crate::app::keymap::Mode::Home);
                        e.message = format!("{} {retry}", e.message);
                        if let Some(feed) = self.feed_mut(tab) {
                            feed.error = Some(e.message.clone());
                        }
                        fx.push(Effect::Failed(e));
                    }
                }
            }
            ClientEvent::StoredMeetings {
                id,
                offset,
                total,
                meetings,
                complete,
            } => {
                if ctx.requests.answer(id) != Some(Pending::StoredList) {
                    return;
                }
                ctx.local.complete = complete;
                if total == 0 && self.meetings.held.is_none() && !self.meetings.order.is_empty() {
                    // Nothing stored yet (a sync that failed, or none) while the list pages from
                    // the server: it stays the server's.
                    if std::mem::take(&mut ctx.local.reload) {
                        self.load_stored(ctx, fx);
                    }
                    return;
                }
                let selected = self
                    .meeting_at(self.list.selected)
                    .map(|i| self.meetings.all[i].id.clone());
                // What the open search shows stays held; everything else is the new window.
                let keep = match &self.search {
                    Some(search) => search.shown_ids(&self.meetings),
                    None => Default::default(),
                };
                let moved = self
                    .meetings
                    .replace_window(offset, total, meetings, &keep, ctx.zone);
                if let Some(search) = &mut self.search {
                    search.remap(&moved);
                }
                let paging = &mut self.meetings.paging;
                paging.loaded_once = true;
                paging.exhausted = true;
                // The list is the store's now: a server page asked for no longer fits it.
                ctx.requests.forget(|p| *p == Pending::MeetingsPage);
                self.refilter(ctx);
                if !self.searching()
                    && let Some(i) = selected.and_then(|id| self.meetings.get(&id))
                    && let Some(row) = self.meetings.order.iter().position(|&o| o == i)
                {
                    self.list.selected = offset + row;
                }
                let height = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
                let len = self.visible_len();
                self.list.clamp(len, height);
                if ctx.local.reload {
                    self.load_stored(ctx, fx);
                } else {
                    self.ensure_window(ctx, fx);
                }
            }
            ClientEvent::IdsListed { id, result } => {
                let Some(Pending::MarkAll(text)) = ctx.requests.answer(id) else {
                    return;
                };
                let home = &*self;
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
                        toggle_marks(&mut self.marked, ids);
                    }
                    Err(e) => fx.push(Effect::error(&e.message)),
                }
            }
            _ => {}
        }
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
