//! The home screen's search box: what typing asks the local store (at once) and the server
//! (after a pause, while the store does not hold every meeting), and their answers.

use crate::app::effect::{Effect, Effects};
use crate::app::home::{Ctx, PREFETCH_ROWS};
use crate::app::requests::Pending;
use crate::app::search::{Found, STORED_WINDOW, Stored};
use crate::app::{Home, layout};
use crate::krisp::Meeting;
use crate::library::Answer;
use crate::library::Window;
use crate::message::{Command, RequestError, RequestId, SearchQuery};

impl Home {
    pub(crate) fn search_changed(&mut self, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        // The local store answers every change at once (it is fast, and the answer echoes the
        // text): the first window of the matching meetings and how many match in all.
        let Some(text) = self.search.as_ref().map(|s| s.store_text().to_owned()) else {
            return;
        };
        let use_store = ctx.local.enabled;
        let store_id = (use_store && !text.trim().is_empty()).then(|| ctx.requests.next_id());
        let server_wanted = !(ctx.local.complete || ctx.local.offline.is_some());
        let first = self.first_window(ctx);
        let asked = ctx.requests.stored_search().map(|(_, t, _)| t.to_owned());
        let home = &mut *self;
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
                ask_store(ctx.requests, id, text.clone(), 0);
                fx.command(Command::SearchStored {
                    id,
                    text,
                    window: Window::first(first),
                });
            }
            Some(_) => {}
            None => {
                ctx.requests
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
        let superseded = ctx
            .requests
            .forget(|p| matches!(p, Pending::ServerSearch(q) if Some(q) != wanted.as_ref()));
        for id in superseded {
            fx.command(Command::Cancel(id));
        }
        let answered = search.server.as_ref().map(|(q, _)| q) == wanted.as_ref();
        let asked = ctx.requests.server_search().map(|(_, q)| q) == wanted.as_ref();
        search.dirty_since = (wanted.is_some() && !answered && !asked).then_some(ctx.now);
    }

    /// How many meetings a keystroke's search reads first: two screenfuls of the list (the rows
    /// shown and the next page), so a keystroke pays for what is drawn, not for `STORED_WINDOW`;
    /// scrolling reads on from there a window at a time.
    fn first_window(&self, ctx: &Ctx<'_>) -> usize {
        let rows = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
        (rows * 2).clamp(20, STORED_WINDOW)
    }

    /// The store changed under an open search (a sync stored more): ask it the same question
    /// again, as far as the list has read, so words in newly stored transcripts are found without
    /// retyping. The answer replaces the hits and the selection stays on its meeting.
    pub(crate) fn search_store_again(&mut self, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let asked = ctx.requests.stored_search().map(|(_, t, _)| t.to_owned());
        let Some((text, read)) = self.search.as_ref().and_then(|search| {
            let read = search.stored.as_ref().map_or(0, |s| s.hits.len());
            asked
                .or(search.stored.as_ref().map(|s| s.text.clone()))
                .map(|t| (t, read))
        }) else {
            return;
        };
        let id = ctx.requests.next_id();
        if self.search.is_some() {
            ask_store(ctx.requests, id, text.clone(), 0);
            fx.command(Command::SearchStored {
                id,
                text,
                window: Window::first(read.max(STORED_WINDOW)),
            });
        }
    }

    /// The list is near the end of what was read of the store's answer: read the next window. With
    /// `to_end` (`G`), window after window until the end, the selection following to the last row
    /// (each window costs the same, so the list stays responsive on the way).
    pub(crate) fn read_more_stored(
        &mut self,
        to_end: bool,
        ctx: &mut Ctx<'_>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(search) = &mut self.search else {
            return;
        };
        search.to_end = to_end && search.more_stored();
        if !search.more_stored() || ctx.requests.stored_search().is_some() {
            return;
        }
        let Some(stored) = &search.stored else {
            return;
        };
        let (text, offset) = (stored.text.clone(), stored.hits.len());
        let limit = STORED_WINDOW;
        let id = ctx.requests.next_id();
        if self.search.is_some() {
            ask_store(ctx.requests, id, text.clone(), offset);
            fx.command(Command::SearchStored {
                id,
                text,
                window: Window { offset, limit },
            });
        }
    }

    pub(crate) fn ask_server(&mut self, ctx: &mut Ctx<'_>, fx: &mut Vec<Effect>) {
        let id = ctx.requests.next_id();
        let Some(search) = &mut self.search else {
            return;
        };
        search.dirty_since = None;
        let Some(query) = crate::app::search::server_query(&search.parsed) else {
            return;
        };
        for old in ctx
            .requests
            .forget(|p| matches!(p, Pending::ServerSearch(_)))
        {
            fx.command(Command::Cancel(old));
        }
        ctx.requests.wait(id, Pending::ServerSearch(query.clone()));
        fx.command(Command::SearchMeetings { id, query });
    }

    /// A page of the list, or the server's answer to the search.
    pub(crate) fn meetings_loaded(
        &mut self,
        id: RequestId,
        query: SearchQuery,
        result: Result<Vec<Meeting>, RequestError>,
        ctx: &mut Ctx<'_>,
        fx: &mut Vec<Effect>,
    ) {
        if ctx.requests.get(id) == Some(&Pending::MeetingsPage) {
            ctx.requests.answer(id);
            let paging = &mut self.meetings.paging;
            match result {
                Ok(page) => {
                    let n = u32::try_from(page.len()).unwrap_or(u32::MAX);
                    paging.next_offset = query.offset.saturating_add(n);
                    paging.exhausted = n < query.limit.max(1);
                    paging.loaded_once = true;
                    self.meetings.merge(page, false, ctx.zone);
                    fx.push(Effect::Succeeded);
                    self.refilter(ctx);
                    let height = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
                    let len = self.visible_len();
                    self.list.clamp(len, height);
                    // A tall terminal may show more rows than a page holds.
                    if !self.searching() && self.meetings.order.len() < height + PREFETCH_ROWS {
                        self.load_meetings_page(ctx, fx);
                    }
                }
                Err(mut e) => {
                    let retry = ctx.keymap.retry_sentence(crate::app::keymap::Mode::Home);
                    e.message = format!("{} {retry}", e.message);
                    self.meetings.paging.error = Some(e.message.clone());
                    fx.push(Effect::Failed(e));
                }
            }
            return;
        }
        if self.search.is_none() {
            return;
        }
        // Only the answer to the request in flight counts; it echoes the query it answers.
        if ctx.requests.server_search() != Some((id, &query)) {
            return;
        }
        ctx.requests.answer(id);
        match result {
            Ok(found) => {
                let indices = self.meetings.merge(found, true, ctx.zone);
                if let Some(search) = &mut self.search {
                    search.server = Some((query, indices));
                }
                self.refilter(ctx);
            }
            Err(e) => fx.push(Effect::Failed(e)),
        }
    }

    /// Re-runs the open search after the loaded meetings changed, keeping the selected meeting.
    pub(crate) fn refilter(&mut self, ctx: &Ctx<'_>) {
        let use_store = ctx.local.enabled;
        let home = &mut *self;
        let Some(search) = &mut home.search else {
            return;
        };
        let selected = search.hits.get(home.list.selected).map(|h| h.meeting);
        search.refilter(&home.meetings, &mut home.matcher, use_store);
        if let Some(i) = selected.and_then(|m| search.hits.iter().position(|h| h.meeting == m)) {
            home.list.selected = i;
        }
        let height = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
        let len = self.visible_len();
        self.list.clamp(len, height);
    }

    /// The store's answer to the search (a window of its hits).
    pub(crate) fn stored_search(
        &mut self,
        id: RequestId,
        text: String,
        result: Result<Answer, RequestError>,
        ctx: &mut Ctx<'_>,
        fx: &mut Vec<Effect>,
    ) {
        if self.search.is_none() {
            return;
        }
        // Only the answer to the search in flight counts; it echoes the text it answers.
        let Some(offset) = ctx
            .requests
            .stored_search()
            .filter(|(asked, t, _)| *asked == id && *t == text)
            .map(|(_, _, offset)| offset)
        else {
            return;
        };
        ctx.requests.answer(id);
        match result {
            Ok(answer) => {
                let mut hits: Vec<(usize, Found)> = Vec::with_capacity(answer.meetings.len());
                for hit in &answer.meetings {
                    let i = match self.meetings.get(&hit.meeting_id) {
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
                            self.meetings.merge(vec![m], false, ctx.zone)[0]
                        }
                    };
                    hits.push((i, Found::of(hit)));
                }
                if let Some(search) = &mut self.search {
                    match &mut search.stored {
                        Some(stored)
                            if offset > 0 && stored.text == text && stored.hits.len() == offset =>
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
                                suggestion: answer.suggestion,
                            });
                        }
                        _ => {}
                    }
                }
                self.refilter(ctx);
                let open = self.search.as_mut().is_some_and(|s| {
                    let open = s.open_on_answer && offset == 0;
                    s.open_on_answer &= !open;
                    open
                });
                if open && ctx.elsewhere.is_none() && !ctx.meeting_open {
                    self.open_selected_hit(fx);
                }
                // On the way to the end (`G`): the next window, the selection following.
                if self.search.as_ref().is_some_and(|s| s.to_end) {
                    let height = usize::from(layout::table_rows(ctx.size, self.prompt(ctx)).height);
                    let len = self.visible_len();
                    self.list.step(isize::MAX / 2, len, height);
                    self.read_more_stored(true, ctx, fx);
                }
            }
            Err(e) => {
                if let Some(s) = &mut self.search {
                    s.open_on_answer = false;
                }
                fx.push(Effect::error(&e.message))
            }
        }
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
