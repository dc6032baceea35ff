//! The library with a server beside its store: documents come from the store when it has them
//! finished, from the server otherwise, and what the server gave is kept. The TUI's client task
//! and the headless commands both read documents through here, so the rule is written once.

use super::{FromStore, Library, LibraryError};
use crate::client::{ClientError, Connection, MeetingQuery};
use crate::krisp::{Document, Meeting, MeetingId};

/// Why documents could not be had.
#[derive(thiserror::Error, Debug)]
pub enum DocumentsError {
    /// The store failed (the server was not asked).
    #[error(transparent)]
    Store(#[from] LibraryError),
    /// The server failed; its typed error decides whether to retry.
    #[error(transparent)]
    Server(#[from] ClientError),
}

impl Library {
    /// The documents of `ids` (the stored ones first): from the store when it holds them finished; the
    /// rest from `server` (and kept in the store). Without a server (offline, or not
    /// connected), what the store holds: a document still processing, or an empty one.
    pub async fn documents(
        &self,
        server: Option<&Connection>,
        ids: &[MeetingId],
    ) -> Result<Vec<Document>, DocumentsError> {
        let library = self.clone();
        let wanted = ids.to_vec();
        let stored = tokio::task::spawn_blocking(move || {
            wanted
                .iter()
                .map(|id| library.stored_document(id))
                .collect::<Result<Vec<FromStore>, LibraryError>>()
        })
        .await
        .map_err(|e| LibraryError::Store(format!("reading the local store stopped: {e}")))??;
        let mut documents = Vec::with_capacity(ids.len());
        let mut ask = Vec::new();
        for (id, stored) in ids.iter().zip(stored) {
            match (stored, server) {
                (FromStore::Ready(document), _) => documents.push(document),
                (FromStore::Ask(document), None) => {
                    documents.push(document.unwrap_or_else(|| Document::parse(id.clone(), None)))
                }
                (FromStore::Ask(_), Some(_)) => ask.push(id.clone()),
            }
        }
        if let (false, Some(server)) = (ask.is_empty(), server) {
            let fetched = server.documents(&ask).await?;
            let (library, keep) = (self.clone(), fetched.clone());
            let kept = tokio::task::spawn_blocking(move || library.keep(&[], &keep)).await;
            if let Ok(Err(e)) = kept {
                tracing::warn!(error = %e, "could not keep the transcripts in the local store");
            }
            documents.extend(fetched);
        }
        Ok(documents)
    }

    /// The meeting `id` as the server lists it (kept in the store when there is one); `None`
    /// when the server has no such meeting.
    pub async fn meeting_from(
        &self,
        server: &Connection,
        id: &MeetingId,
    ) -> Result<Option<Meeting>, ClientError> {
        let query = MeetingQuery {
            ids: vec![id.clone()],
            ..Default::default()
        };
        let meeting = server
            .search_meetings(&query)
            .await?
            .into_iter()
            .find(|m| &m.id == id);
        if let Some(meeting) = &meeting {
            self.keep_quietly(std::slice::from_ref(meeting), &[]);
        }
        Ok(meeting)
    }

    /// Up to `limit` meetings the server lists for `search` (its own search) and the filters,
    /// newest first, paging as needed.
    pub async fn meetings_from(
        &self,
        server: &Connection,
        search: Option<&str>,
        filter: &super::Filter,
        limit: usize,
    ) -> Result<Vec<Meeting>, ClientError> {
        let query = MeetingQuery {
            search: search.map(str::to_owned),
            after: filter.after.clone(),
            before: filter.before.clone(),
            tags: filter.tags.clone(),
            ..Default::default()
        };
        server.search_all(&query, limit).await
    }

    /// `keep`, where failing to keep is only worth a line in the log: what was fetched is
    /// shown all the same.
    pub fn keep_quietly(&self, meetings: &[Meeting], documents: &[Document]) {
        if let Err(e) = self.keep(meetings, documents) {
            tracing::warn!(error = %e, "could not keep what the server gave in the local store");
        }
    }
}
