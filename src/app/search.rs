//! Meeting search: the query language (`after:` `before:` `with:` `tag:`), the instant local fuzzy
//! filter, and merging in the server's answers.

use std::time::Instant;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use crate::app::input::LineInput;
use crate::app::meetings::{Meetings, PAGE_SIZE, iso_date};
use crate::krisp::Meeting;
use crate::message::{RequestId, SearchQuery};

/// How long typing must pause before the server is asked.
pub const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(300);
/// Summaries and key points are searched from this many characters: one or two letters occur
/// in every paragraph.
pub const MIN_NOTES_CHARS: usize = 3;
/// The server's `search` needs at least this many characters.
pub const MIN_SERVER_CHARS: usize = 3;

/// What the local store is asked for the box's `text`: all of it, except a date filter still
/// being typed at the end (`after:2026-1`), which is left out until a space follows it, so a half
/// typed date is not an error while the words before it still search.
pub fn store_text(text: &str) -> &str {
    if text.ends_with(char::is_whitespace) {
        return text;
    }
    let last_start = text.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let last = &text[last_start..];
    if last.starts_with("after:") || last.starts_with("before:") {
        text[..last_start].trim_end()
    } else {
        text
    }
}

/// A search box's text split into fuzzy text and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub text: String,
    pub after: Option<String>,
    pub before: Option<String>,
    pub with: Vec<String>,
    pub tags: Vec<String>,
}

impl ParsedQuery {
    pub fn parse(input: &str) -> ParsedQuery {
        let mut q = ParsedQuery::default();
        let mut words = Vec::new();
        for word in input.split_whitespace() {
            match word.split_once(':') {
                Some(("after", v)) if !v.is_empty() => q.after = Some(v.to_owned()),
                Some(("before", v)) if !v.is_empty() => q.before = Some(v.to_owned()),
                Some(("with", v)) if !v.is_empty() => q.with.push(v.to_lowercase()),
                Some(("tag", v)) if !v.is_empty() => q.tags.push(v.to_owned()),
                _ => words.push(word),
            }
        }
        q.text = words.join(" ");
        q
    }

    pub fn is_empty(&self) -> bool {
        self == &ParsedQuery::default()
    }

    /// What to ask the server, if this query is worth asking about.
    pub fn server_query(&self) -> Option<SearchQuery> {
        let long_enough = self.text.chars().count() >= MIN_SERVER_CHARS;
        let server_filters = self.after.is_some() || self.before.is_some() || !self.tags.is_empty();
        (long_enough || server_filters).then(|| SearchQuery {
            search: long_enough.then(|| self.text.clone()),
            after: self.after.clone(),
            before: self.before.clone(),
            tags: self.tags.clone(),
            limit: PAGE_SIZE,
            offset: 0,
        })
    }

    /// The filters (not the fuzzy text). `before` includes that day, as the client's
    /// `MeetingQuery` makes the server do.
    pub fn keeps(&self, meeting: &Meeting) -> bool {
        if self.after.is_some() || self.before.is_some() {
            let Some(date) = iso_date(meeting) else {
                return false;
            };
            if self.after.as_deref().is_some_and(|a| date.as_str() < a) {
                return false;
            }
            if self.before.as_deref().is_some_and(|b| date.as_str() > b) {
                return false;
            }
        }
        let with_ok = self.with.iter().all(|who| {
            meeting.attendees.iter().any(|p| {
                p.name.to_lowercase().contains(who)
                    || p.email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase().contains(who))
            }) || meeting
                .speakers
                .iter()
                .any(|s| s.to_lowercase().contains(who))
        });
        with_ok
            && self
                .tags
                .iter()
                .all(|t| meeting.tags.iter().any(|m| m.eq_ignore_ascii_case(t)))
    }
}

/// One row of the search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into `Meetings::all`.
    pub meeting: usize,
    /// Fuzzy score; 0 for server-only hits.
    pub score: u32,
    /// The server's search returned it.
    pub server: bool,
    /// Index into `Search::found` of the full-text hit for this meeting (its best one).
    pub found: Option<usize>,
}

/// A full-text hit from the local store, ready to draw: where it matched and the excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub meeting: crate::krisp::MeetingId,
    /// "transcript 12:34", "notes", "name", "people".
    pub place: String,
    /// The transcript turn it matched, to open the meeting there.
    pub turn: Option<usize>,
    /// The excerpt on one line, sanitized, with the matched words' byte ranges.
    pub snippet: String,
    pub highlights: Vec<std::ops::Range<usize>>,
}

impl Found {
    pub fn of(hit: &crate::store::Hit) -> Found {
        use crate::store::Place;
        let (place, turn) = match &hit.place {
            Place::Name => ("name".to_owned(), None),
            Place::People => ("people".to_owned(), None),
            Place::Notes => ("notes".to_owned(), None),
            Place::Transcript { turn, start_ms, .. } => (
                format!("transcript {}", crate::krisp::clock(*start_ms)),
                Some(*turn),
            ),
        };
        let (snippet, highlights) =
            crate::sanitize::excerpt_highlighted(&hit.snippet, &hit.highlights);
        Found {
            meeting: hit.meeting_id.clone(),
            place,
            turn,
            snippet,
            highlights,
        }
    }

    /// The first matched word, as the excerpt shows it (the stem may differ from the query).
    pub fn term(&self) -> Option<&str> {
        self.highlights
            .first()
            .and_then(|r| self.snippet.get(r.clone()))
    }
}

#[derive(Default)]
pub struct FuzzyMatcher(pub Matcher);

impl std::fmt::Debug for FuzzyMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FuzzyMatcher")
    }
}

impl Clone for FuzzyMatcher {
    fn clone(&self) -> Self {
        FuzzyMatcher(Matcher::new(Config::DEFAULT))
    }
}

/// The search box and its results.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub input: LineInput,
    /// The box has the keyboard (typing); otherwise the result list has it.
    pub editing: bool,
    pub parsed: ParsedQuery,
    pub hits: Vec<Hit>,
    /// When the text last changed and the server has not been asked about it yet.
    pub dirty_since: Option<Instant>,
    /// The server request in flight, and what it asked.
    pub pending: Option<(RequestId, SearchQuery)>,
    /// The server's answer for the current query: indices into `Meetings::all`.
    pub server: Option<(SearchQuery, Vec<usize>)>,
    /// The local store's full-text search in flight, and the text it was asked for.
    pub stored_pending: Option<(RequestId, String)>,
    /// The store's answer for `text`: best first, one per meeting, with the meeting's index.
    pub stored: Option<(String, Vec<(usize, Found)>)>,
    /// The drawn excerpts, indexed by `Hit::found`.
    pub found: Vec<Found>,
}

impl PartialEq for Search {
    fn eq(&self, other: &Self) -> bool {
        self.input == other.input
            && self.editing == other.editing
            && self.parsed == other.parsed
            && self.hits == other.hits
            && self.dirty_since == other.dirty_since
            && self.pending == other.pending
            && self.server == other.server
            && self.stored == other.stored
    }
}

impl Search {
    pub fn new() -> Self {
        Self {
            editing: true,
            ..Self::default()
        }
    }

    /// Recomputes `hits` for the current text over `meetings`. A pure function of the text,
    /// the meetings and the answers received for exactly this text: however the text was typed,
    /// the same text gives the same hits.
    pub fn refilter(&mut self, meetings: &Meetings, matcher: &mut FuzzyMatcher) {
        let text = self.input.text().to_owned();
        let parsed = ParsedQuery::parse(&text);
        let fuzzy = Pattern::parse(&parsed.text, CaseMatching::Smart, Normalization::Smart);
        let exact = Pattern::new(
            &parsed.text,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Substring,
        );
        // A fuzzy hit must score at least 16 a letter (what a plain match scores before
        // bonuses): single letters scattered across a list of names are noise, not a match.
        let needle = u32::try_from(parsed.text.chars().filter(|c| !c.is_whitespace()).count())
            .unwrap_or(u32::MAX);
        let min_fuzzy = needle.saturating_mul(16);
        let notes = parsed.text.chars().count() >= MIN_NOTES_CHARS;
        let mut local: Vec<(usize, u32)> = Vec::new();
        for i in 0..meetings.len() {
            if !parsed.keeps(&meetings.all[i]) {
                continue;
            }
            if parsed.text.is_empty() {
                local.push((i, 0));
                continue;
            }
            let by_name = fuzzy
                .score(meetings.short_text[i].slice(..), &mut matcher.0)
                .filter(|&s| s >= min_fuzzy);
            // Notes rank below names: halve their score. (Meetings read from the local store
            // carry no notes here: the store's full-text search covers them.)
            let by_notes = if notes {
                exact
                    .score(meetings.long_text[i].slice(..), &mut matcher.0)
                    .map(|s| s / 2)
            } else {
                None
            };
            if let Some(score) = by_name.max(by_notes) {
                local.push((i, score));
            }
        }

        // A stale answer (for another text) no longer counts.
        let server_ids: &[usize] = match &self.server {
            Some((q, ids)) if Some(q) == parsed.server_query().as_ref() => ids,
            _ => &[],
        };
        let stored: &[(usize, Found)] = match &self.stored {
            Some((t, hits)) if t == store_text(&text) => hits,
            _ => &[],
        };
        let found_for = |i: usize| stored.iter().position(|(m, _)| *m == i);
        let mut hits: Vec<Hit> = local
            .iter()
            .map(|&(meeting, score)| Hit {
                meeting,
                score,
                server: server_ids.contains(&meeting),
                found: found_for(meeting),
            })
            .collect();
        let rank = |i: usize| std::cmp::Reverse(meetings.rows[i].sort_key.unwrap_or(i64::MIN));
        hits.sort_by_key(|h| (std::cmp::Reverse(h.score), rank(h.meeting)));
        // Then what only the full-text search found, in its order (best first).
        for (n, (meeting, _)) in stored.iter().enumerate() {
            if !local.iter().any(|&(l, _)| l == *meeting) && parsed.keeps(&meetings.all[*meeting]) {
                hits.push(Hit {
                    meeting: *meeting,
                    score: 0,
                    server: server_ids.contains(meeting),
                    found: Some(n),
                });
            }
        }
        let mut server_only: Vec<Hit> = server_ids
            .iter()
            .filter(|&&i| !hits.iter().any(|h| h.meeting == i) && parsed.keeps(&meetings.all[i]))
            .map(|&meeting| Hit {
                meeting,
                score: 0,
                server: true,
                found: None,
            })
            .collect();
        server_only.sort_by_key(|h| rank(h.meeting));
        hits.extend(server_only);

        self.found = stored.iter().map(|(_, f)| f.clone()).collect();
        self.hits = hits;
        self.parsed = parsed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_filter_being_typed_is_left_out_of_the_store_query() {
        assert_eq!(store_text("halcyon after:2026-1"), "halcyon");
        assert_eq!(store_text("halcyon before:"), "halcyon");
        assert_eq!(store_text("halcyon after:2026-1 "), "halcyon after:2026-1 ");
        assert_eq!(
            store_text("after:2026-10-01 halcyon"),
            "after:2026-10-01 halcyon"
        );
        assert_eq!(store_text("with:ann"), "with:ann");
    }

    #[test]
    fn parses_filters() {
        let q =
            ParsedQuery::parse("roadmap after:2026-01-01 with:Anna tag:q4 before:2026-02-01 plan");
        assert_eq!(
            q,
            ParsedQuery {
                text: "roadmap plan".into(),
                after: Some("2026-01-01".into()),
                before: Some("2026-02-01".into()),
                with: vec!["anna".into()],
                tags: vec!["q4".into()],
            }
        );
        assert_eq!(
            q.server_query(),
            Some(SearchQuery {
                search: Some("roadmap plan".into()),
                after: Some("2026-01-01".into()),
                before: Some("2026-02-01".into()),
                tags: vec!["q4".into()],
                limit: 50,
                offset: 0,
            })
        );
        assert_eq!(ParsedQuery::parse("ro").server_query(), None);
        assert_eq!(ParsedQuery::parse("ro with:bob").server_query(), None);
    }
}
