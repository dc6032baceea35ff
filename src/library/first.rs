//! The store-first rule for what a headless front asks by id, by filter or by words: the store
//! answers when it can (offline, or when it holds the whole answer), and says so when the server
//! must be asked instead. The commands (`meetings`, `show`, `export`) read through here, so the
//! rule is written once; `online.rs` is the other half (asking the server and keeping what it
//! gives).

use super::{Filter, FromStore, Library, LibraryError, Window};
use crate::krisp::{Document, Meeting, MeetingId};

impl Library {
    /// Meeting `id` from the store, with its document when `with_document`, if the store can
    /// answer: it holds the meeting and (when asked for) a finished transcript. Offline, a
    /// transcript still processing or missing is what there is. `None`: the server should be
    /// asked (or, offline, nobody has it). No store yet is `None`, not an error.
    pub fn stored_meeting(
        &self,
        id: &MeetingId,
        with_document: bool,
        offline: bool,
    ) -> Result<Option<(Meeting, Option<Document>)>, LibraryError> {
        let meeting = match self.meeting(id) {
            Ok(meeting) => meeting,
            Err(LibraryError::NoStore { .. }) => None,
            Err(e) => return Err(e),
        };
        let Some(meeting) = meeting else {
            return Ok(None);
        };
        if !with_document {
            return Ok(Some((meeting, None)));
        }
        match self.stored_document(id)? {
            FromStore::Ready(document) => Ok(Some((meeting, Some(document)))),
            FromStore::Ask(document) if offline => Ok(Some((meeting, document))),
            FromStore::Ask(_) => Ok(None),
        }
    }

    /// The meetings passing `filter`, newest first, from the store when it can answer: offline,
    /// or once a sync has listed every meeting. `None`: the server should be asked. Without a
    /// store, `LibraryError::NoStore` (offline, there is nothing to read).
    pub fn stored_meetings(
        &self,
        filter: &Filter,
        window: Window,
        offline: bool,
    ) -> Result<Option<Vec<Meeting>>, LibraryError> {
        if !offline && !self.listing_complete()? {
            return Ok(None);
        }
        self.meetings_whole(filter, window).map(Some)
    }

    /// The meetings matching the query `text` with `filter`'s dates and tags added to its own,
    /// best first, whole: a search answered by the store alone.
    pub fn searched_meetings(
        &self,
        text: &str,
        filter: &Filter,
        window: Window,
    ) -> Result<Vec<Meeting>, LibraryError> {
        let mut meetings = Vec::new();
        for id in self.searched_ids(text, filter, window)? {
            meetings.extend(self.meeting(&id)?);
        }
        Ok(meetings)
    }

    /// The ids of [`searched_meetings`](Self::searched_meetings), best first. A filter given
    /// beside the text (a command's flags) adds to the text's own: an absent flag leaves a
    /// `before:` or `after:` written in the text as it is.
    pub fn searched_ids(
        &self,
        text: &str,
        filter: &Filter,
        window: Window,
    ) -> Result<Vec<MeetingId>, LibraryError> {
        let mut query = self.parse(text)?;
        if filter.after.is_some() {
            query.filter.after.clone_from(&filter.after);
        }
        if filter.before.is_some() {
            query.filter.before.clone_from(&filter.before);
        }
        query.filter.with.extend(filter.with.iter().cloned());
        query.filter.tags.extend(filter.tags.iter().cloned());
        let answer = self.search_query(text, &query, window)?;
        Ok(answer.meetings.into_iter().map(|h| h.meeting_id).collect())
    }
}
