//! Typed Krisp calls over the live `tools/list`: meetings, documents, action items, upcoming
//! meetings and activities. Tool names and argument names are Krisp's; when the server lacks a
//! tool the call falls back (`get_multiple_documents` → `get_document`) or says so clearly.

use futures::StreamExt;
use rmcp::model::CallToolResult;
use serde_json::{Map, Value, json};

use super::{ClientError, Connection};
use crate::krisp::{Document, Meeting, MeetingId, parse_documents_result, parse_search_result};

/// Krisp's page size limit for `search_meetings`.
pub const PAGE: u32 = 50;
/// `get_multiple_documents` takes at most 10 ids a call.
const DOCUMENT_BATCH: usize = 10;
/// Document batches in flight at once.
const DOCUMENT_CONCURRENCY: usize = 4;

/// A `search_meetings` request. `before` is what the user means ("up to and including that
/// day"); the call compensates for Krisp treating it as exclusive.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct MeetingQuery {
    pub search: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub tags: Vec<String>,
    pub participant_domains: Vec<String>,
    pub ids: Vec<MeetingId>,
    /// 0 means one full page.
    pub limit: u32,
    pub offset: u32,
}

impl MeetingQuery {
    pub fn search(text: impl Into<String>) -> Self {
        MeetingQuery {
            search: Some(text.into()),
            ..Default::default()
        }
    }

    /// The tool arguments for this query.
    pub fn arguments(&self) -> Result<Map<String, Value>, ClientError> {
        let mut args = Map::new();
        if !self.ids.is_empty() {
            let ids: Vec<&str> = self.ids.iter().map(MeetingId::as_str).collect();
            args.insert(
                "id".into(),
                if ids.len() == 1 {
                    json!(ids[0])
                } else {
                    json!(ids)
                },
            );
        }
        if let Some(s) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if s.chars().count() < 3 {
                return Err(ClientError::Internal(
                    "a search needs at least 3 characters".into(),
                ));
            }
            args.insert("search".into(), json!(s));
        }
        if let Some(after) = &self.after {
            args.insert("after".into(), json!(check_date(after)?));
        }
        if let Some(before) = &self.before {
            args.insert("before".into(), json!(day_after(&check_date(before)?)?));
        }
        if !self.tags.is_empty() {
            args.insert("tags".into(), json!(self.tags));
        }
        if !self.participant_domains.is_empty() {
            args.insert(
                "participant_domains".into(),
                json!(self.participant_domains),
            );
        }
        let limit = if self.limit == 0 {
            PAGE
        } else {
            self.limit.min(PAGE)
        };
        args.insert("limit".into(), json!(limit));
        if self.offset > 0 {
            args.insert("offset".into(), json!(self.offset));
        }
        Ok(args)
    }
}

fn check_date(s: &str) -> Result<String, ClientError> {
    crate::timefmt::parse_day(s.get(..10).unwrap_or(s))
        .map(|_| s.to_string())
        .ok_or_else(|| ClientError::Internal(format!("{s:?} is not a date like 2026-01-31")))
}

/// Krisp's `before` excludes its day; the user's includes it.
fn day_after(s: &str) -> Result<String, ClientError> {
    let date = crate::timefmt::parse_day(s.get(..10).unwrap_or(s))
        .ok_or_else(|| ClientError::Internal(format!("{s:?} is not a date like 2026-01-31")))?;
    let next = date
        .tomorrow()
        .map_err(|_| ClientError::Internal(format!("{s:?} is too far in the future")))?;
    Ok(next.to_string())
}

fn texts(result: &CallToolResult) -> Vec<&str> {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
        .collect()
}

/// A tool result with `isError` as a `ClientError` carrying the server's words: a rate limit
/// (see `error::rate_limit`) or a failure.
fn tool_error(name: &str, result: &CallToolResult) -> Option<ClientError> {
    (result.is_error == Some(true)).then(|| {
        let structured = result.structured_content.as_ref();
        tool_refusal(name, &texts(result).join(" "), structured)
    })
}

/// A tool's refusal, classified once, here.
pub(crate) fn tool_refusal(
    name: &str,
    text: &str,
    structured: Option<&serde_json::Value>,
) -> ClientError {
    let message = crate::sanitize::clean(text).into_owned();
    match super::error::rate_limit(text, structured) {
        Some(wait) => ClientError::RateLimited {
            what: name.to_string(),
            message,
            wait,
        },
        None => ClientError::ToolFailed {
            name: name.to_string(),
            message,
        },
    }
}

impl Connection {
    async fn has_tool(&self, name: &str) -> Result<bool, ClientError> {
        Ok(self.list_tools().await?.iter().any(|t| t.name == name))
    }

    async fn call_known(
        &self,
        name: &str,
        args: Map<String, Value>,
    ) -> Result<CallToolResult, ClientError> {
        if !self.has_tool(name).await? {
            return Err(ClientError::UnknownTool {
                name: name.to_string(),
            });
        }
        let result = self.call_tool(name, args).await?;
        match tool_error(name, &result) {
            Some(e) => Err(e),
            None => Ok(result),
        }
    }

    /// One page of `search_meetings`.
    pub async fn search_meetings(&self, q: &MeetingQuery) -> Result<Vec<Meeting>, ClientError> {
        let result = self.call_known("search_meetings", q.arguments()?).await?;
        parse_search_result(result.structured_content.as_ref(), &texts(&result)).map_err(|e| {
            ClientError::Protocol {
                server: self.server().to_string(),
                reason: e.to_string(),
            }
        })
    }

    /// Every page of `search_meetings` until a short page, up to `max` meetings.
    pub async fn search_all(
        &self,
        q: &MeetingQuery,
        max: usize,
    ) -> Result<Vec<Meeting>, ClientError> {
        let mut all = Vec::new();
        let mut page = q.clone();
        page.limit = PAGE;
        loop {
            let meetings = self.search_meetings(&page).await?;
            let short = meetings.len() < PAGE as usize;
            all.extend(meetings);
            if short || all.len() >= max {
                all.truncate(max);
                return Ok(all);
            }
            page.offset += PAGE;
        }
    }

    /// Documents for `ids`: batches of 10 through `get_multiple_documents`, a few at a time,
    /// or one by one through `get_document` on servers that only have that.
    pub async fn documents(&self, ids: &[MeetingId]) -> Result<Vec<Document>, ClientError> {
        let server = self.server().to_string();
        let parse = move |result: CallToolResult| {
            parse_documents_result(result.structured_content.as_ref(), &texts(&result)).map_err(
                |e| ClientError::Protocol {
                    server: server.clone(),
                    reason: e.to_string(),
                },
            )
        };
        let (tool, batch) = if self.has_tool("get_multiple_documents").await? {
            ("get_multiple_documents", DOCUMENT_BATCH)
        } else if self.has_tool("get_document").await? {
            ("get_document", 1)
        } else {
            return Err(ClientError::UnknownTool {
                name: "get_multiple_documents".into(),
            });
        };
        let batches: Vec<Map<String, Value>> = ids
            .chunks(batch)
            .map(|chunk| {
                let args = if batch == 1 {
                    json!({ "documentId": chunk[0].as_str() })
                } else {
                    json!({ "ids": chunk.iter().map(MeetingId::as_str).collect::<Vec<_>>() })
                };
                args.as_object().cloned().unwrap_or_default()
            })
            .collect();
        let results: Vec<Result<CallToolResult, ClientError>> = futures::stream::iter(batches)
            .map(|args| self.call_known(tool, args))
            .buffered(DOCUMENT_CONCURRENCY)
            .collect()
            .await;
        let mut documents = Vec::with_capacity(ids.len());
        for result in results {
            documents.extend(parse(result?)?);
        }
        // Keep the caller's order; an id the server did not return is still processing.
        Ok(ids
            .iter()
            .map(|id| {
                documents
                    .iter()
                    .find(|d| &d.id == id)
                    .cloned()
                    .unwrap_or_else(|| Document::parse(id.clone(), None))
            })
            .collect())
    }

    pub async fn action_items(
        &self,
        completed: Option<bool>,
        assigned_to_me: bool,
        limit: u32,
        offset: u32,
    ) -> Result<CallToolResult, ClientError> {
        let mut args = Map::new();
        if let Some(c) = completed {
            args.insert("completed".into(), json!(c));
        }
        if assigned_to_me {
            args.insert("assigned_to_me".into(), json!(true));
        }
        args.insert("limit".into(), json!(limit.clamp(1, 50)));
        if offset > 0 {
            args.insert("offset".into(), json!(offset));
        }
        self.call_known("list_action_items", args).await
    }

    pub async fn upcoming(&self, days: u32) -> Result<CallToolResult, ClientError> {
        let args = json!({ "days": days.clamp(1, 14) });
        self.call_known(
            "list_upcoming_meetings",
            args.as_object().cloned().unwrap_or_default(),
        )
        .await
    }

    pub async fn activities(
        &self,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<CallToolResult, ClientError> {
        let mut args = Map::new();
        args.insert("limit".into(), json!(limit.clamp(1, 50)));
        if let Some(c) = cursor {
            args.insert("timestamp".into(), json!(c));
        }
        self.call_known("list_activities", args).await
    }
}

/// The UI's client task spawns these futures on a multi-threaded runtime: they must be `Send`.
#[allow(dead_code)]
fn futures_are_send(c: &Connection, q: &MeetingQuery) {
    fn send<T: Send>(_: T) {}
    send(c.list_tools());
    send(c.call_tool("t", Map::new()));
    send(c.search_meetings(q));
    send(c.search_all(q, 1));
    send(c.documents(&[]));
    send(c.action_items(None, false, 1, 0));
    send(c.upcoming(1));
    send(c.activities(1, None));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_is_inclusive_for_the_user() {
        let q = MeetingQuery {
            search: Some("roadmap".into()),
            before: Some("2026-01-31".into()),
            after: Some("2026-01-01".into()),
            tags: vec!["customer".into()],
            ..Default::default()
        };
        assert_eq!(
            Value::Object(q.arguments().unwrap()),
            json!({"search": "roadmap", "after": "2026-01-01", "before": "2026-02-01",
                   "tags": ["customer"], "limit": 50})
        );
    }

    #[test]
    fn ids_paging_and_bad_input() {
        let id = MeetingId::parse("0f3c9a8e-6b2d-4f1a-9c7e-5b3d1f2a4c6e").unwrap();
        let q = MeetingQuery {
            ids: vec![id],
            limit: 80,
            offset: 100,
            ..Default::default()
        };
        assert_eq!(
            Value::Object(q.arguments().unwrap()),
            json!({"id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e", "limit": 50, "offset": 100})
        );
        assert!(MeetingQuery::search("ab").arguments().is_err());
        let bad = MeetingQuery {
            before: Some("31/01/2026".into()),
            ..Default::default()
        };
        assert_eq!(
            bad.arguments().unwrap_err().to_string(),
            "\"31/01/2026\" is not a date like 2026-01-31"
        );
    }
}
