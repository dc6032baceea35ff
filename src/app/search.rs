//! Meeting search in the list: the store's answer read a window at a time, merged with the
//! server's while the store is incomplete; a fuzzy match of names when there is no store. The
//! query language is the store's (`store::Query`), the one parser every front uses.

use std::time::Instant;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use crate::app::input::LineInput;
use crate::app::meetings::{Meetings, PAGE_SIZE, iso_date};
use crate::krisp::{Meeting, MeetingId};
use crate::library::Matched;
use crate::library::Query;
use crate::message::SearchQuery;

/// Meetings of the store's answer read at a time (more as the list scrolls).
pub const STORED_WINDOW: usize = 100;
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
    let whole_date = last
        .split_once(':')
        .is_some_and(|(_, day)| day.len() == 10 && Query::parse(last).is_ok());
    if (last.starts_with("after:") || last.starts_with("before:")) && !whole_date {
        text[..last_start].trim_end()
    } else {
        text
    }
}

/// The words of a query, joined: what the fuzzy match on names and the server's `search` get.
pub fn words(query: &Query) -> String {
    query.positive().collect::<Vec<_>>().join(" ")
}

/// Every word of a query, the short ones too: what the fuzzy match on names looks for.
pub fn fuzzy_text(query: &Query) -> String {
    query
        .positive()
        .chain(query.short.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What to ask the server about `query`, if it is worth asking about.
pub fn server_query(query: &Query) -> Option<SearchQuery> {
    let text = words(query);
    let long_enough = text.chars().count() >= MIN_SERVER_CHARS;
    let filter = &query.filter;
    let server_filters =
        filter.after.is_some() || filter.before.is_some() || !filter.tags.is_empty();
    (long_enough || server_filters).then(|| SearchQuery {
        search: long_enough.then_some(text),
        after: filter.after.clone(),
        before: filter.before.clone(),
        tags: filter.tags.clone(),
        limit: PAGE_SIZE,
        offset: 0,
    })
}

/// Whether `meeting` passes the query's filters (not its words), for meetings the store does
/// not hold (the server's answers, or a session without a store). `before` includes that day.
pub fn keeps(query: &Query, meeting: &Meeting) -> bool {
    let filter = &query.filter;
    if filter.after.is_some() || filter.before.is_some() {
        let Some(date) = iso_date(meeting) else {
            return false;
        };
        if filter.after.as_deref().is_some_and(|a| date.as_str() < a) {
            return false;
        }
        if filter.before.as_deref().is_some_and(|b| date.as_str() > b) {
            return false;
        }
    }
    let with_ok = filter.with.iter().all(|who| {
        let who = fold(who);
        meeting.attendees.iter().any(|p| {
            fold(&p.name).contains(&who)
                || p.email.as_deref().is_some_and(|e| fold(e).contains(&who))
        }) || meeting.speakers.iter().any(|s| fold(s).contains(&who))
    });
    with_ok
        && filter
            .tags
            .iter()
            .all(|t| meeting.tags.iter().any(|m| m.eq_ignore_ascii_case(t)))
}

/// Lowercase, with the accents of Latin letters dropped (`Chloé` → `chloe`), as the store's
/// index compares names.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ř' => 'r',
            c => c,
        })
        .collect()
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
    /// Which of `highlights` is the word to find when the meeting opens (the query's rarest).
    pub focus: usize,
    /// How many places in the meeting hold a word of the query.
    pub hits: usize,
}

impl Found {
    pub fn of(hit: &crate::library::Hit) -> Found {
        use crate::library::Place;
        let (place, turn) = match &hit.place {
            None => (String::new(), None),
            Some(Place::Name) => ("name".to_owned(), None),
            Some(Place::People) => ("people".to_owned(), None),
            Some(Place::Notes) => ("notes".to_owned(), None),
            Some(Place::Transcript { turn, start_ms, .. }) => (
                format!("transcript {}", crate::krisp::clock(*start_ms)),
                Some(*turn),
            ),
        };
        let (snippet, highlights) =
            crate::sanitize::excerpt_highlighted(&hit.excerpt, &hit.highlights);
        Found {
            meeting: hit.meeting_id.clone(),
            place,
            turn,
            snippet,
            highlights,
            focus: hit.focus,
            hits: hit.hits,
        }
    }

    /// The word to find when the meeting opens: the query's rarest word at the place (the
    /// first matched one if the place holds one word), as the excerpt shows it (the stem may
    /// differ from the query).
    pub fn term(&self) -> Option<&str> {
        self.highlights
            .get(self.focus)
            .or(self.highlights.first())
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

/// The store's answer for one text: how many meetings match in all, and the ones read so far
/// (a window from the first, grown as the list scrolls), each with its index in
/// `Meetings::all` and its best hit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stored {
    pub text: String,
    pub total: usize,
    pub matched: Matched,
    pub hits: Vec<(usize, Found)>,
    /// "Did you mean": the text with a misspelt word replaced, when nothing holds the words.
    pub suggestion: Option<String>,
}

/// The search box and its results.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub input: LineInput,
    /// The box has the keyboard (typing); otherwise the result list has it.
    pub editing: bool,
    /// The text as the query language reads it (the last text that could be read).
    pub parsed: Query,
    /// Why the text cannot be read as it stands (a bad date), in a sentence.
    pub error: Option<String>,
    pub hits: Vec<Hit>,
    /// When the text last changed and the server has not been asked about it yet.
    pub dirty_since: Option<Instant>,
    /// The server's answer for the current query: indices into `Meetings::all`.
    pub server: Option<(SearchQuery, Vec<usize>)>,
    /// The store's answer for the text it was asked.
    pub stored: Option<Stored>,
    /// `G` was pressed: windows are read until the end, the selection following.
    pub to_end: bool,
    /// The drawn excerpts, indexed by `Hit::found`.
    pub found: Vec<Found>,
    /// Enter was pressed while the list still showed the answer for an earlier text: the
    /// selected row opens once the store answers the text in the box.
    pub open_on_answer: bool,
}

impl PartialEq for Search {
    fn eq(&self, other: &Self) -> bool {
        self.input == other.input
            && self.editing == other.editing
            && self.parsed == other.parsed
            && self.error == other.error
            && self.hits == other.hits
            && self.dirty_since == other.dirty_since
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

    /// The text the store is asked about (see [`store_text`]).
    pub fn store_text(&self) -> &str {
        store_text(self.input.text())
    }

    /// How many meetings match in all: the store's exact count plus what only the server found;
    /// without a store, the meetings found among those loaded.
    pub fn total(&self) -> usize {
        match &self.stored {
            Some(stored) if stored.text == self.store_text() => {
                let server_only = self.hits.iter().filter(|h| h.found.is_none()).count();
                stored.total + server_only
            }
            _ => self.hits.len(),
        }
    }

    /// The list shows the store's answer for an earlier text while the store is asked about
    /// the text in the box: what is listed (and where each row matched) is not what it finds.
    pub fn answer_pending(&self, requests: &crate::app::requests::Requests) -> bool {
        let text = self.store_text();
        requests.any(|p| {
            matches!(p, crate::app::requests::Pending::StoredSearch { text: t, offset: 0 } if t == text)
        }) && self.stored.as_ref().is_none_or(|s| s.text != text)
    }

    /// Whether more of the store's answer is left to read.
    pub fn more_stored(&self) -> bool {
        self.stored
            .as_ref()
            .is_some_and(|s| s.text == self.store_text() && s.hits.len() < s.total)
    }

    /// The meetings this search refers to (the store's answer read so far, the server's): what
    /// must stay held when the list reads another window.
    pub fn shown_ids(&self, meetings: &Meetings) -> std::collections::HashSet<MeetingId> {
        let stored = self.stored.iter().flat_map(|s| &s.hits).map(|(i, _)| *i);
        let server = self.server.iter().flat_map(|(_, ids)| ids).copied();
        let hits = self.hits.iter().map(|h| h.meeting);
        stored
            .chain(server)
            .chain(hits)
            .filter_map(|i| meetings.all.get(i).map(|m| m.id.clone()))
            .collect()
    }

    /// The meetings moved in `Meetings::all` (another window was read): the same meetings at
    /// their new indices (`moved`, old to new).
    pub fn remap(&mut self, moved: &std::collections::HashMap<usize, usize>) {
        let to = |i: &mut usize| match moved.get(i) {
            Some(&n) => {
                *i = n;
                true
            }
            None => false,
        };
        if let Some(stored) = &mut self.stored {
            stored.hits.retain_mut(|(i, _)| to(i));
        }
        if let Some((_, ids)) = &mut self.server {
            ids.retain_mut(to);
        }
        self.hits.retain_mut(|h| to(&mut h.meeting));
    }

    /// Recomputes `hits` for the current text. With a store (`use_store`), the hits are the
    /// store's answer for exactly this text (kept as they are until it comes), then what only
    /// the server found; without one, a fuzzy match of names over the loaded meetings. A pure
    /// function of the text, the meetings and the answers received for exactly this text.
    pub fn refilter(&mut self, meetings: &Meetings, matcher: &mut FuzzyMatcher, use_store: bool) {
        let text = self.input.text().to_owned();
        match Query::parse(store_text(&text)) {
            Ok(query) => {
                self.parsed = query;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        // A stale answer (for another text) no longer counts.
        let server_ids: &[usize] = match &self.server {
            Some((q, ids)) if Some(q) == server_query(&self.parsed).as_ref() => ids,
            _ => &[],
        };
        let mut hits: Vec<Hit> = if use_store {
            match &self.stored {
                Some(stored) if stored.text == store_text(&text) => stored
                    .hits
                    .iter()
                    .enumerate()
                    .map(|(n, (meeting, _))| Hit {
                        meeting: *meeting,
                        score: 0,
                        server: server_ids.contains(meeting),
                        found: Some(n),
                    })
                    .collect(),
                // Not answered yet: what is shown stays until the answer comes.
                _ => return,
            }
        } else {
            self.fuzzy(meetings, matcher, server_ids)
        };
        let rank = |i: usize| std::cmp::Reverse(meetings.rows[i].sort_key.unwrap_or(i64::MIN));
        let mut server_only: Vec<Hit> = server_ids
            .iter()
            .filter(|&&i| {
                !hits.iter().any(|h| h.meeting == i) && keeps(&self.parsed, &meetings.all[i])
            })
            .map(|&meeting| Hit {
                meeting,
                score: 0,
                server: true,
                found: None,
            })
            .collect();
        server_only.sort_by_key(|h| rank(h.meeting));
        // While the store's answer is not read to its end, what only the server found waits
        // for it (it may be among the rest).
        if !self.more_stored() {
            hits.extend(server_only);
        }
        self.found = match &self.stored {
            Some(stored) if use_store => stored.hits.iter().map(|(_, f)| f.clone()).collect(),
            _ => Vec::new(),
        };
        self.hits = hits;
    }

    /// Without a store: the loaded meetings whose name matches the words fuzzily (or whose
    /// notes hold them), best first, passing the filters.
    fn fuzzy(&self, meetings: &Meetings, matcher: &mut FuzzyMatcher, server: &[usize]) -> Vec<Hit> {
        let text = fuzzy_text(&self.parsed);
        let fuzzy = Pattern::parse(&text, CaseMatching::Smart, Normalization::Smart);
        let exact = Pattern::new(
            &text,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Substring,
        );
        // A fuzzy hit must score at least 16 a letter (what a plain match scores before
        // bonuses): single letters scattered across a list of names are noise, not a match.
        let needle =
            u32::try_from(text.chars().filter(|c| !c.is_whitespace()).count()).unwrap_or(u32::MAX);
        let min_fuzzy = needle.saturating_mul(16);
        let notes = text.chars().count() >= MIN_NOTES_CHARS;
        let mut hits = Vec::new();
        for i in 0..meetings.len() {
            if !keeps(&self.parsed, &meetings.all[i]) {
                continue;
            }
            let score = if text.is_empty() {
                Some(0)
            } else {
                let by_name = fuzzy
                    .score(meetings.short_text[i].slice(..), &mut matcher.0)
                    .filter(|&s| s >= min_fuzzy);
                // Notes rank below names: halve their score.
                let by_notes = if notes {
                    exact
                        .score(meetings.long_text[i].slice(..), &mut matcher.0)
                        .map(|s| s / 2)
                } else {
                    None
                };
                by_name.max(by_notes)
            };
            if let Some(score) = score {
                hits.push(Hit {
                    meeting: i,
                    score,
                    server: server.contains(&i),
                    found: None,
                });
            }
        }
        let rank = |i: usize| std::cmp::Reverse(meetings.rows[i].sort_key.unwrap_or(i64::MIN));
        hits.sort_by_key(|h| (std::cmp::Reverse(h.score), rank(h.meeting)));
        hits
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
    fn the_server_is_asked_the_words_and_filters_of_the_one_parser() {
        let q = Query::parse("roadmap after:2026-01-01 with:Anna tag:q4 before:2026-02-01 plan")
            .unwrap();
        assert_eq!(
            server_query(&q),
            Some(SearchQuery {
                search: Some("roadmap plan".into()),
                after: Some("2026-01-01".into()),
                before: Some("2026-02-01".into()),
                tags: vec!["q4".into()],
                limit: 50,
                offset: 0,
            })
        );
        assert_eq!(server_query(&Query::parse("ro").unwrap()), None);
        assert_eq!(server_query(&Query::parse("ro with:bob").unwrap()), None);
    }

    #[test]
    fn with_ignores_case_and_accents() {
        let mut m = Meeting::new(crate::krisp::MeetingId("a".repeat(32)), "1:1");
        m.attendees.push(crate::krisp::Person {
            name: "Chloé Martin".into(),
            email: None,
        });
        assert!(keeps(&Query::parse("with:chloe").unwrap(), &m));
        assert!(keeps(&Query::parse("with:CHLOÉ").unwrap(), &m));
        assert!(!keeps(&Query::parse("with:zoe").unwrap(), &m));
    }
}
