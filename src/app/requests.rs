//! The requests in flight and what each was for: the one place that decides whether a reply is
//! still wanted and which screen it goes to (a reply whose id is not here is a late answer to a
//! superseded or abandoned request, and is dropped).

use std::collections::BTreeMap;

use crate::app::Tab;
use crate::krisp::MeetingId;
use crate::message::{RequestId, SearchQuery};

/// What a request in flight was sent for, and what its reply must echo to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// A page of the home list from the server.
    MeetingsPage,
    /// The window of the local store's list around the selection.
    StoredList,
    /// The server's search for the home list's query (the answer echoes the query).
    ServerSearch(SearchQuery),
    /// The local store's search: the text asked (echoed) and the hit its window starts at.
    StoredSearch { text: String, offset: usize },
    /// The ids of every meeting shown, to mark them all: the search text shown when asked
    /// (`None`: the whole list).
    MarkAll(Option<String>),
    /// A page of one of the home screen's feeds.
    Feed(Tab),
    /// The meeting view's document.
    Document(MeetingId),
    /// The tools panel's `tools/list`.
    ToolList,
    /// The tools panel's `tools/call`.
    ToolCall,
    /// The export dialog's write: one file, or the marked meetings.
    Export,
}

/// Ids handed out in order, and the ones still waited for.
#[derive(Debug, Clone, Default)]
pub struct Requests {
    last: u64,
    waiting: BTreeMap<RequestId, Pending>,
}

impl Requests {
    /// A new id, not waited for until [`Requests::wait`] (a request may be given up before it
    /// is sent: the id stays used, so the numbering does not depend on that).
    pub fn next_id(&mut self) -> RequestId {
        self.last += 1;
        RequestId(self.last)
    }

    /// `id` was sent for `pending`.
    pub fn wait(&mut self, id: RequestId, pending: Pending) {
        self.waiting.insert(id, pending);
    }

    /// A new id, waited for as `pending`.
    pub fn start(&mut self, pending: Pending) -> RequestId {
        let id = self.next_id();
        self.wait(id, pending);
        id
    }

    /// The reply to `id` arrived: what it was for, if it is still wanted; it no longer is after.
    pub fn answer(&mut self, id: RequestId) -> Option<Pending> {
        self.waiting.remove(&id)
    }

    /// What `id` was sent for, while it is waited for (progress reports, retries).
    pub fn get(&self, id: RequestId) -> Option<&Pending> {
        self.waiting.get(&id)
    }

    /// The oldest request in flight that `f` picks, and what it was for.
    pub fn find(&self, f: impl Fn(&Pending) -> bool) -> Option<(RequestId, &Pending)> {
        self.waiting
            .iter()
            .find(|(_, p)| f(p))
            .map(|(id, p)| (*id, p))
    }

    /// The id of the oldest request in flight that `f` picks.
    pub fn id_of(&self, f: impl Fn(&Pending) -> bool) -> Option<RequestId> {
        self.find(f).map(|(id, _)| id)
    }

    /// Whether a request that `f` picks is in flight.
    pub fn any(&self, f: impl Fn(&Pending) -> bool) -> bool {
        self.find(f).is_some()
    }

    /// The server search in flight and the query it asked.
    pub fn server_search(&self) -> Option<(RequestId, &SearchQuery)> {
        self.waiting.iter().find_map(|(id, p)| match p {
            Pending::ServerSearch(q) => Some((*id, q)),
            _ => None,
        })
    }

    /// The store search in flight: the text it asked, and the hit its window starts at.
    pub fn stored_search(&self) -> Option<(RequestId, &str, usize)> {
        self.waiting.iter().find_map(|(id, p)| match p {
            Pending::StoredSearch { text, offset } => Some((*id, text.as_str(), *offset)),
            _ => None,
        })
    }

    /// Stops waiting for every request that `f` picks; their ids, for the caller to cancel
    /// where the client task should stop working on them.
    pub fn forget(&mut self, f: impl Fn(&Pending) -> bool) -> Vec<RequestId> {
        let ids: Vec<RequestId> = self
            .waiting
            .iter()
            .filter(|(_, p)| f(p))
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            self.waiting.remove(id);
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_wanted_once_and_only_while_waited_for() {
        let mut requests = Requests::default();
        let skipped = requests.next_id();
        let page = requests.start(Pending::MeetingsPage);
        let call = requests.start(Pending::ToolCall);
        assert_eq!(
            (skipped, page, call),
            (RequestId(1), RequestId(2), RequestId(3))
        );
        assert_eq!(requests.answer(skipped), None);
        assert_eq!(requests.id_of(|p| *p == Pending::ToolCall), Some(call));
        assert_eq!(requests.forget(|p| *p == Pending::ToolCall), [call]);
        assert_eq!(requests.answer(call), None);
        assert!(requests.any(|p| *p == Pending::MeetingsPage));
        assert_eq!(requests.answer(page), Some(Pending::MeetingsPage));
        assert_eq!(requests.answer(page), None);
        assert!(!requests.any(|_| true));
    }
}
