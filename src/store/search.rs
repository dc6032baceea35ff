//! Full-text search over meeting names, people, notes and transcript turns.
//!
//! Two FTS5 indexes: `fields_fts` (one row per meeting: name, people, notes) and `turns_fts` (one
//! row per transcript turn). Their rowids are date-ordered (see `keys.rs`), which is what keeps a
//! query fast whatever it matches: a query is first counted up to `BROAD_MATCHES` rows; if it
//! matches no more than that, every match is ranked with BM25; if it matches more (a common
//! word), ranking all of them would cost tens of milliseconds and say little, so the newest
//! matches are taken straight off the index in rowid order, with score 0.

use std::ops::Range;

use rusqlite::params_from_iter;
use serde::Serialize;

use super::keys::{self, TURN_BITS};
use super::query::{CLOSE, OPEN, take_highlights};
use super::{Arg, Query, Store, StoreError, filter_sql};
use crate::krisp::{MeetingDate, MeetingId};

/// A query matching more rows than this (in one index) is not ranked: its hits come newest
/// first with score 0.
pub const BROAD_MATCHES: usize = 1000;
/// `search` returns at most this many transcript turns of one meeting.
pub const DEFAULT_TURNS_PER_MEETING: usize = 5;
/// Tokens of context around a match in a snippet.
const SNIPPET_TOKENS: i64 = 16;

/// Where in a meeting a hit is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "where")]
pub enum Place {
    Name,
    People,
    Notes,
    Transcript {
        turn: usize,
        start_ms: u64,
        speaker: String,
    },
}

impl Place {
    fn order(&self) -> (u8, usize) {
        match self {
            Place::Name => (0, 0),
            Place::People => (1, 0),
            Place::Notes => (2, 0),
            Place::Transcript { turn, .. } => (3, *turn),
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub meeting_id: MeetingId,
    pub name: String,
    pub date: Option<MeetingDate>,
    pub place: Place,
    /// An excerpt around the match (the text as stored: sanitizing is the caller's job).
    pub snippet: String,
    /// Byte ranges in `snippet` to highlight.
    pub highlights: Vec<Range<usize>>,
    /// BM25 relevance, higher is better; 0 for the hits of a query too broad to rank.
    pub score: f64,
}

/// A candidate row before its snippet is made.
struct Candidate {
    rowid: i64,
    score: f64,
}

impl Store {
    /// Searches names, people, notes and transcripts; at most `limit` hits, at most
    /// `DEFAULT_TURNS_PER_MEETING` turns per meeting. See `search_with`.
    pub fn search(&self, query: &Query, limit: usize) -> Result<Vec<Hit>, StoreError> {
        self.search_with(query, limit, DEFAULT_TURNS_PER_MEETING)
    }

    /// Searches, keeping at most `turns_per_meeting` transcript hits per meeting. Hits come by
    /// score (highest first), then date (newest first, undated last), meeting id, place (name,
    /// people, notes, transcript) and turn. All words and phrases must occur in the same row (a
    /// meeting's name/people/notes row, or one turn); `-word` excludes rows with the word. A query
    /// with no word or phrase finds nothing.
    pub fn search_with(
        &self,
        query: &Query,
        limit: usize,
        turns_per_meeting: usize,
    ) -> Result<Vec<Hit>, StoreError> {
        let Some(expr) = query.fts_expr() else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (from, to) = query.filter.window_ms()?;
        let (clause, filter_args) = filter_sql(&query.filter, "m")?;
        let filtered = !query.filter.is_empty();
        let mut hits = Vec::new();

        // Names, people and notes.
        let range = RowidRange {
            lo: from.map(keys::key_from_ms),
            hi: to.map(keys::key_from_ms),
        };
        let fields = self.candidates(
            "fields_fts",
            "bm25(fields_fts, 10.0, 5.0, 1.0)",
            "m.key = f.rowid",
            true,
            &expr,
            &range,
            &clause,
            &filter_args,
            limit,
            |_| true,
        )?;
        for c in fields {
            self.field_hits(&expr, &c, &mut hits)?;
        }

        // Transcript turns.
        let turn_range = RowidRange {
            lo: range.lo.map(|k| k << TURN_BITS),
            hi: range.hi.map(|k| k << TURN_BITS),
        };
        let mut per_meeting: std::collections::HashMap<i64, usize> = Default::default();
        let turns = self.candidates(
            "turns_fts",
            "bm25(turns_fts)",
            &format!("m.key = (f.rowid >> {TURN_BITS})"),
            filtered,
            &expr,
            &turn_range,
            &clause,
            &filter_args,
            limit,
            |rowid| {
                let n = per_meeting.entry(rowid >> TURN_BITS).or_default();
                *n += 1;
                *n <= turns_per_meeting
            },
        )?;
        for c in turns {
            hits.push(self.turn_hit(&expr, &c)?);
        }

        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| date_key(&b.date).cmp(&date_key(&a.date)))
                .then_with(|| a.meeting_id.cmp(&b.meeting_id))
                .then_with(|| a.place.order().cmp(&b.place.order()))
        });
        hits.truncate(limit);
        Ok(hits)
    }

    /// The best `limit` rows of `table` matching `expr` that `accept` keeps (ranked when the
    /// query is narrow, newest first when it is broad).
    #[allow(clippy::too_many_arguments)]
    fn candidates(
        &self,
        table: &str,
        bm25: &str,
        join_on: &str,
        inner_join: bool,
        expr: &str,
        range: &RowidRange,
        clause: &str,
        filter_args: &[Arg],
        limit: usize,
        mut accept: impl FnMut(i64) -> bool,
    ) -> Result<Vec<Candidate>, StoreError> {
        let join = if inner_join { "JOIN" } else { "LEFT JOIN" };
        let mut where_ = format!("{table} MATCH ?");
        let mut args = vec![Arg::Text(expr.to_owned())];
        if let Some(lo) = range.lo {
            where_.push_str(" AND f.rowid >= ?");
            args.push(Arg::Int(lo));
        }
        if let Some(hi) = range.hi {
            where_.push_str(" AND f.rowid < ?");
            args.push(Arg::Int(hi));
        }
        if inner_join {
            where_.push_str(" AND ");
            where_.push_str(clause);
            args.extend(filter_args.iter().cloned());
        }
        let from = format!("{table} f {join} meetings m ON {join_on} WHERE {where_}");

        let count_sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM {from} LIMIT {})",
            BROAD_MATCHES + 1
        );
        let matches: i64 = self
            .conn()
            .prepare_cached(&count_sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        let broad = matches as usize > BROAD_MATCHES;
        let sql = if broad {
            format!("SELECT f.rowid, 0.0 FROM {from} ORDER BY f.rowid DESC")
        } else {
            format!("SELECT f.rowid, {bm25} AS r FROM {from} ORDER BY r, f.rowid DESC")
        };
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut out = Vec::new();
        while out.len() < limit
            && let Some(r) = rows.next()?
        {
            let rowid: i64 = r.get(0)?;
            let rank: f64 = r.get(1)?;
            if accept(rowid) {
                out.push(Candidate {
                    rowid,
                    score: if rank == 0.0 { 0.0 } else { -rank },
                });
            }
        }
        Ok(out)
    }

    fn field_hits(&self, expr: &str, c: &Candidate, hits: &mut Vec<Hit>) -> Result<(), StoreError> {
        let snippet = |col: usize| {
            format!("snippet(fields_fts, {col}, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS})")
        };
        let sql = format!(
            "SELECT m.id, m.name, m.date_json, {}, {}, {} FROM fields_fts f
             JOIN meetings m ON m.key = f.rowid WHERE fields_fts MATCH ?1 AND f.rowid = ?2",
            snippet(0),
            snippet(1),
            snippet(2)
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params![expr, c.rowid])?;
        let Some(r) = rows.next()? else {
            return Ok(());
        };
        let id: String = r.get(0)?;
        let name: String = r.get(1)?;
        let date: Option<MeetingDate> = serde_json::from_str(&r.get::<_, String>(2)?)?;
        for (col, place) in [(3, Place::Name), (4, Place::People), (5, Place::Notes)] {
            let marked: String = r.get::<_, Option<String>>(col)?.unwrap_or_default();
            let (snippet, highlights) = take_highlights(&marked);
            if highlights.is_empty() {
                continue;
            }
            hits.push(Hit {
                meeting_id: MeetingId(id.clone()),
                name: name.clone(),
                date: date.clone(),
                place,
                snippet,
                highlights,
                score: c.score,
            });
        }
        Ok(())
    }

    fn turn_hit(&self, expr: &str, c: &Candidate) -> Result<Hit, StoreError> {
        let sql = format!(
            "SELECT coalesce(d.id, ''), coalesce(m.name, ''), coalesce(m.date_json, 'null'),
                    t.speaker, t.start_s, t.start_ns,
                    snippet(turns_fts, 0, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS})
             FROM turns_fts f JOIN turns t ON t.key = f.rowid
             LEFT JOIN documents d ON d.key = (f.rowid >> {TURN_BITS})
             LEFT JOIN meetings m ON m.id = d.id
             WHERE turns_fts MATCH ?1 AND f.rowid = ?2"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        Ok(stmt.query_row(rusqlite::params![expr, c.rowid], |r| {
            let date_json: String = r.get(2)?;
            let secs: i64 = r.get(4)?;
            let nanos: i64 = r.get(5)?;
            let start =
                std::time::Duration::new(secs.max(0) as u64, nanos.clamp(0, 999_999_999) as u32);
            let marked: String = r.get::<_, Option<String>>(6)?.unwrap_or_default();
            let (snippet, highlights) = take_highlights(&marked);
            Ok(Hit {
                meeting_id: MeetingId(r.get(0)?),
                name: r.get(1)?,
                date: serde_json::from_str(&date_json).unwrap_or(None),
                place: Place::Transcript {
                    turn: (c.rowid & ((1 << TURN_BITS) - 1)) as usize,
                    start_ms: u64::try_from(start.as_millis()).unwrap_or(u64::MAX),
                    speaker: r.get(3)?,
                },
                snippet,
                highlights,
                score: c.score,
            })
        })?)
    }
}

struct RowidRange {
    lo: Option<i64>,
    hi: Option<i64>,
}

/// Sort key for "newest first, undated last".
fn date_key(date: &Option<MeetingDate>) -> Option<i128> {
    date.as_ref()
        .and_then(MeetingDate::as_datetime)
        .map(|d| d.unix_timestamp_nanos())
}
