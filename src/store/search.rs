//! Full-text search over meeting names, people, notes and transcript turns.
//!
//! Two FTS5 indexes: `fields_fts` (one row per meeting: name, people, notes) and `turns_fts` (one
//! row per transcript turn). Their rowids are date-ordered (see `keys.rs`), which is what keeps a
//! query fast whatever it matches: a query is first counted up to `BROAD_MATCHES` rows; if it
//! matches no more than that, every match is ranked with BM25; if it matches more (a common
//! word), ranking all of them would cost tens of milliseconds and say little, so the newest
//! matches are taken straight off the index in rowid order, with score 0.
//!
//! A term found in more than `BROAD_MATCHES` rows is left out of the ranking (BM25 would read
//! its whole list to weigh it, for a weight near zero); a query whose every term is that common
//! is not ranked.
//!
//! A row must hold every term to match. Meetings holding the terms only across rows (the client
//! named in the title, the word in a turn) are found after that, term by term from the rarest.

use std::ops::Range;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use rusqlite::params_from_iter;
use serde::Serialize;

use super::keys::{self, TURN_BITS};
use super::query::{CLOSE, OPEN, take_highlights};
use super::{Arg, Query, Store, StoreError, Term, filter_sql};
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
    /// Serialized flat: `"where": "transcript", "turn": 3, "start_ms": 1000, "speaker": …`.
    #[serde(flatten)]
    pub place: Place,
    /// An excerpt around the match (the text as stored: sanitizing is the caller's job).
    pub snippet: String,
    /// Byte ranges in `snippet` to highlight.
    pub highlights: Vec<Range<usize>>,
    /// BM25 relevance, higher is better; 0 for the hits of a query too broad to rank.
    pub score: f64,
}

/// One of the two FTS indexes, as `search` queries it.
struct Index<'a> {
    table: &'a str,
    bm25: &'a str,
    /// Joins that the hit columns need, after `{table} f`.
    joins: String,
    /// The hit columns (after `f.rowid`).
    columns: String,
    /// How many hits of one meeting to keep, and how to find a row's meeting key.
    per_meeting: usize,
    key_shift: u32,
}

/// The two full-text indexes.
#[derive(Debug, Clone, Copy)]
enum Table {
    Fields,
    Turns,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Fields => "fields_fts",
            Table::Turns => "turns_fts",
        }
    }
}

/// One term of a query on its own: its place in the query, its FTS expression for each index
/// (with the row search's prefix rule), and for a word or phrase how many rows of each index
/// hold it (counted up to `BROAD_MATCHES + 1`, over the whole table).
#[derive(Debug)]
struct TermRows {
    index: usize,
    fields: String,
    turns: String,
    in_fields: usize,
    in_turns: usize,
}

impl TermRows {
    fn rows_in(&self, table: Table) -> usize {
        match table {
            Table::Fields => self.in_fields,
            Table::Turns => self.in_turns,
        }
    }
}

/// A query's terms one by one: words and phrases, and `-words`.
#[derive(Debug, Default)]
struct Terms {
    positive: Vec<TermRows>,
    negative: Vec<TermRows>,
}

/// What a search for terms spread over a meeting's rows needs of the row search.
struct Spread<'a> {
    fields: &'a Index<'a>,
    turns: &'a Index<'a>,
    lo: Option<i64>,
    hi: Option<i64>,
    filter: Option<(&'a str, &'a [Arg])>,
}

/// A search for terms spread over a meeting reads at most this many rows of its rarest term per
/// index, and checks at most this many meetings: a rare term has few, and a query whose rarest
/// term is common has found its hits in single rows already.
const SPREAD_ROWS: usize = 5_000;
const SPREAD_MEETINGS: usize = 2_000;

/// How the rows of a query matching at most `BROAD_MATCHES` rows are ranked.
enum Rank {
    /// BM25 over the whole query.
    All,
    /// BM25 over this query of its rarer terms only, on the rows the whole query matches: BM25
    /// weighs each term by how rare it is, and counting that for a term in most rows means
    /// reading its whole list (30 ms for a word in a million turns), for a weight near zero.
    By(String),
    /// Every term is that common: newest first, as for a broad query.
    Unranked,
}

/// What the WHERE clause of a search needs.
struct Scope<'a> {
    expr: &'a str,
    rank: Rank,
    lo: Option<i64>,
    hi: Option<i64>,
    /// The filter's clause over `m`, and its arguments; `None` when there is no filter.
    filter: Option<(&'a str, &'a [Arg])>,
}

impl Store {
    /// Searches names, people, notes and transcripts; at most `limit` hits, at most
    /// `DEFAULT_TURNS_PER_MEETING` turns per meeting. See `search_with`.
    pub fn search(&self, query: &Query, limit: usize) -> Result<Vec<Hit>, StoreError> {
        self.search_with(query, limit, DEFAULT_TURNS_PER_MEETING)
    }

    /// Searches, keeping at most `turns_per_meeting` transcript hits per meeting. Hits come by
    /// score (highest first), then date (newest first, undated last), meeting id, place (name,
    /// people, notes, transcript) and turn. First the rows holding every word and phrase (a
    /// meeting's name/people/notes row, or one turn; `-word` excludes rows with the word); then,
    /// when those are fewer than `limit`, the meetings holding them only spread over several
    /// rows (one hit each, score 0; `-word` excludes a meeting holding it anywhere). A query
    /// with no word or phrase finds nothing. The last word is matched as a prefix only when it is
    /// not a word of the index itself (a prefix costs a merge of every matching term's rows).
    pub fn search_with(
        &self,
        query: &Query,
        limit: usize,
        turns_per_meeting: usize,
    ) -> Result<Vec<Hit>, StoreError> {
        if limit == 0 || !query.is_searchable() {
            return Ok(Vec::new());
        }
        let (from, to) = query.filter.window_ms()?;
        let (clause, filter_args) = filter_sql(&query.filter, "m")?;
        let filter =
            (!query.filter.is_empty()).then_some((clause.as_str(), filter_args.as_slice()));
        let (lo, hi) = (from.map(keys::key_from_ms), to.map(keys::key_from_ms));
        let terms = self.terms(query)?;
        let mut hits = Vec::new();

        // Names, people and notes.
        let snippet = |table: &str, col: usize| {
            format!("snippet({table}, {col}, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS})")
        };
        let fields = Index {
            table: "fields_fts",
            bm25: "bm25(fields_fts, 10.0, 5.0, 1.0)",
            joins: "JOIN meetings m ON m.key = f.rowid".to_owned(),
            columns: format!(
                "m.id, m.name, m.date_json, {}, {}, {}",
                snippet("fields_fts", 0),
                snippet("fields_fts", 1),
                snippet("fields_fts", 2)
            ),
            per_meeting: usize::MAX,
            key_shift: 0,
        };
        let expr = self.expr_for(query, "fields_fts")?;
        let scope = Scope {
            rank: self.rank_for(query, &terms, Table::Fields)?,
            expr: &expr,
            lo,
            hi,
            filter,
        };
        self.run(&fields, &scope, limit, |r, score| {
            hits.extend(field_hits(r, score)?);
            Ok(())
        })?;

        // Transcript turns.
        let turns = Index {
            table: "turns_fts",
            bm25: "bm25(turns_fts)",
            joins: format!(
                "JOIN turns t ON t.key = f.rowid
                 {} documents d ON d.key = (f.rowid >> {TURN_BITS})
                 {} meetings m ON m.id = d.id",
                if filter.is_some() {
                    "JOIN"
                } else {
                    "LEFT JOIN"
                },
                if filter.is_some() {
                    "JOIN"
                } else {
                    "LEFT JOIN"
                },
            ),
            columns: format!(
                "coalesce(d.id, ''), coalesce(m.name, ''), coalesce(m.date_json, 'null'),
                 t.speaker, t.start_s, t.start_ns, {}",
                snippet("turns_fts", 0)
            ),
            per_meeting: turns_per_meeting,
            key_shift: TURN_BITS,
        };
        let expr = self.expr_for(query, "turns_fts")?;
        let scope = Scope {
            rank: self.rank_for(query, &terms, Table::Turns)?,
            expr: &expr,
            lo: lo.map(|k| k << TURN_BITS),
            hi: hi.map(|k| k << TURN_BITS),
            filter,
        };
        self.run(&turns, &scope, limit, |r, score| {
            hits.push(turn_hit(r, score)?);
            Ok(())
        })?;

        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| date_key(&b.date).cmp(&date_key(&a.date)))
                .then_with(|| a.meeting_id.cmp(&b.meeting_id))
                .then_with(|| a.place.order().cmp(&b.place.order()))
        });
        hits.truncate(limit);
        if hits.len() < limit {
            let found: HashSet<MeetingId> = hits.iter().map(|h| h.meeting_id.clone()).collect();
            let spread = Spread {
                fields: &fields,
                turns: &turns,
                lo,
                hi,
                filter,
            };
            let more = self.spread_hits(&terms, &spread, limit - hits.len(), &found)?;
            hits.extend(more);
        }
        Ok(hits)
    }

    /// Meetings that hold every word and phrase of the query (`terms`), but spread over several
    /// rows (the name in one, a word in a turn, another in a later turn), which the row search
    /// cannot see. Found term by term from the rarest: its rows give the candidate meetings,
    /// newest first, and each is kept when every other term occurs somewhere in it and no
    /// `-word` does. Each gives one hit, at the rarest term's first place in the meeting, with
    /// score 0, after every hit of a single row. At most `limit`; meetings in `found` are
    /// skipped.
    fn spread_hits(
        &self,
        terms: &Terms,
        spread: &Spread<'_>,
        limit: usize,
        found: &HashSet<MeetingId>,
    ) -> Result<Vec<Hit>, StoreError> {
        let (positive, negative) = (&terms.positive, &terms.negative);
        if positive.len() < 2 || limit == 0 {
            return Ok(Vec::new());
        }
        let lo = spread.lo.unwrap_or(i64::MIN);
        let hi = spread.hi.unwrap_or(i64::MAX);
        // The rarest term: fewest rows (counted up to a bound) in both indexes together.
        let Some((rarest, rare)) = positive
            .iter()
            .enumerate()
            .min_by_key(|(_, t)| t.in_fields + t.in_turns)
            .filter(|(_, t)| t.in_fields + t.in_turns > 0)
        else {
            return Ok(Vec::new());
        };
        let (rare_fields, rare_turns) = (&rare.fields, &rare.turns);
        // Its meetings, newest first (a very common rarest term is walked only so far).
        let mut keys: Vec<i64> = Vec::new();
        {
            let sql = "SELECT rowid FROM fields_fts WHERE fields_fts MATCH ?1
                       AND rowid >= ?2 AND rowid < ?3 ORDER BY rowid DESC LIMIT ?4";
            let mut stmt = self.conn().prepare_cached(sql)?;
            let rows = stmt.query_map(
                rusqlite::params![rare_fields, lo, hi, SPREAD_ROWS as i64],
                |r| r.get::<_, i64>(0),
            )?;
            for key in rows {
                keys.push(key?);
            }
            let sql = "SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?1
                       AND rowid >= ?2 AND rowid < ?3 ORDER BY rowid DESC LIMIT ?4";
            let mut stmt = self.conn().prepare_cached(sql)?;
            let rows = stmt.query_map(
                rusqlite::params![
                    rare_turns,
                    lo.saturating_mul(1 << TURN_BITS),
                    hi.saturating_mul(1 << TURN_BITS),
                    SPREAD_ROWS as i64
                ],
                |r| r.get::<_, i64>(0),
            )?;
            for rowid in rows {
                keys.push(rowid? >> TURN_BITS);
            }
        }
        keys.sort_unstable_by(|a, b| b.cmp(a));
        keys.dedup();

        let in_meeting = |term: &TermRows, key: i64| -> Result<bool, StoreError> {
            let (first, last) = keys::turn_key_range(key);
            let sql =
                "SELECT EXISTS (SELECT 1 FROM fields_fts WHERE fields_fts MATCH ?1 AND rowid = ?3)
                       OR EXISTS (SELECT 1 FROM turns_fts WHERE turns_fts MATCH ?2
                                  AND rowid >= ?4 AND rowid <= ?5)";
            Ok(self.conn().prepare_cached(sql)?.query_row(
                rusqlite::params![term.fields, term.turns, key, first, last],
                |r| r.get(0),
            )?)
        };
        let filter_sql = spread.filter.map(|(clause, _)| {
            format!("SELECT EXISTS (SELECT 1 FROM meetings m WHERE m.key = ? AND {clause})")
        });
        let fields_sql = format!(
            "SELECT f.rowid, {} FROM fields_fts f {} WHERE fields_fts MATCH ?1 AND f.rowid = ?2",
            spread.fields.columns, spread.fields.joins
        );
        let turns_sql = format!(
            "SELECT f.rowid, {} FROM turns_fts f {} WHERE turns_fts MATCH ?1
             AND f.rowid >= ?2 AND f.rowid <= ?3 ORDER BY f.rowid LIMIT 1",
            spread.turns.columns, spread.turns.joins
        );
        let id_sql = "SELECT coalesce((SELECT id FROM meetings WHERE key = ?1),
                                      (SELECT id FROM documents WHERE key = ?1))";
        let mut hits = Vec::new();
        'meetings: for key in keys.into_iter().take(SPREAD_MEETINGS) {
            // A meeting the row search found already costs no term checks.
            let id: Option<String> = self
                .conn()
                .prepare_cached(id_sql)?
                .query_row([key], |r| r.get(0))?;
            if id.is_some_and(|id| found.contains(&MeetingId(id))) {
                continue;
            }
            if let (Some(sql), Some((_, args))) = (&filter_sql, spread.filter) {
                let mut bound = vec![Arg::Int(key)];
                bound.extend(args.iter().cloned());
                let kept: bool = self
                    .conn()
                    .prepare_cached(sql)?
                    .query_row(params_from_iter(bound.iter()), |r| r.get(0))?;
                if !kept {
                    continue;
                }
            }
            for (i, term) in positive.iter().enumerate() {
                if i != rarest && !in_meeting(term, key)? {
                    continue 'meetings;
                }
            }
            for term in negative {
                if in_meeting(term, key)? {
                    continue 'meetings;
                }
            }
            // The rarest term's first place: the name, people or notes, else its first turn.
            let mut hit = None;
            {
                let mut stmt = self.conn().prepare_cached(&fields_sql)?;
                let mut rows = stmt.query(rusqlite::params![rare_fields, key])?;
                if let Some(r) = rows.next()? {
                    hit = field_hits(r, 0.0)?.into_iter().next();
                }
            }
            if hit.is_none() {
                let (first, last) = keys::turn_key_range(key);
                let mut stmt = self.conn().prepare_cached(&turns_sql)?;
                let mut rows = stmt.query(rusqlite::params![rare_turns, first, last])?;
                if let Some(r) = rows.next()? {
                    hit = Some(turn_hit(r, 0.0)?);
                }
            }
            let Some(hit) = hit else { continue };
            hits.push(hit);
            if hits.len() == limit {
                break;
            }
        }
        Ok(hits)
    }

    /// How to rank `query`'s rows in `table`: leave out of BM25 the terms found in more than
    /// `BROAD_MATCHES` rows of the whole table (see [`Rank::By`]).
    fn rank_for(&self, query: &Query, terms: &Terms, table: Table) -> Result<Rank, StoreError> {
        let positive = &terms.positive;
        if positive.len() < 2 {
            return Ok(Rank::All);
        }
        let rare: Vec<usize> = positive
            .iter()
            .filter(|t| t.rows_in(table) <= BROAD_MATCHES)
            .map(|t| t.index)
            .collect();
        Ok(if rare.len() == positive.len() {
            Rank::All
        } else if rare.is_empty() {
            Rank::Unranked
        } else {
            Rank::By(self.expr_for(&only(query, &rare), table.name())?)
        })
    }

    /// Each term of `query` on its own, in both indexes, with how many rows hold each word or
    /// phrase; only for a query of two words or phrases or more (the ranking and the search for
    /// spread terms need it for no other).
    fn terms(&self, query: &Query) -> Result<Terms, StoreError> {
        let mut terms = Terms::default();
        let positives = query
            .terms
            .iter()
            .filter(|t| matches!(t, Term::Word(_) | Term::Phrase(_)))
            .count();
        if positives < 2 {
            return Ok(terms);
        }
        let count = |table: Table, expr: &str| -> Result<usize, StoreError> {
            let sql = format!(
                "SELECT count(*) FROM (SELECT 1 FROM {t} WHERE {t} MATCH ?1 LIMIT {n})",
                t = table.name(),
                n = BROAD_MATCHES + 1
            );
            let n: i64 = self
                .conn()
                .prepare_cached(&sql)?
                .query_row([expr], |r| r.get(0))?;
            Ok(n as usize)
        };
        for (index, term) in query.terms.iter().enumerate() {
            let single = only(query, &[index]);
            let fields = self.expr_for(&single, Table::Fields.name())?;
            let turns = self.expr_for(&single, Table::Turns.name())?;
            if fields.is_empty() {
                continue;
            }
            let (in_fields, in_turns, side) = match term {
                Term::Not(_) => (0, 0, &mut terms.negative),
                _ => (
                    count(Table::Fields, &fields)?,
                    count(Table::Turns, &turns)?,
                    &mut terms.positive,
                ),
            };
            side.push(TermRows {
                index,
                fields,
                turns,
                in_fields,
                in_turns,
            });
        }
        Ok(terms)
    }

    /// The query's FTS expression for `table`: the last word as a prefix only when the word
    /// itself is not in the index.
    fn expr_for(&self, query: &Query, table: &str) -> Result<String, StoreError> {
        let exact = query.fts_expr_with(false).unwrap_or_default();
        if !query.prefix_last {
            return Ok(exact);
        }
        let Some(word) = query.last_word() else {
            return Ok(exact);
        };
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH ?1)");
        let known: bool = self
            .conn()
            .prepare_cached(&sql)?
            .query_row([super::query::quote(word)], |r| r.get(0))?;
        Ok(if known {
            exact
        } else {
            query.fts_expr_with(true).unwrap_or_default()
        })
    }

    /// Runs `scope` against `index`, handing at most `limit` rows (at most `per_meeting` of one
    /// meeting) to `each` with their score: ranked by BM25 when the query matches no more than
    /// `BROAD_MATCHES` rows, newest first (score 0) when it matches more.
    fn run(
        &self,
        index: &Index<'_>,
        scope: &Scope<'_>,
        limit: usize,
        mut each: impl FnMut(&rusqlite::Row<'_>, f64) -> rusqlite::Result<()>,
    ) -> Result<(), StoreError> {
        let table = index.table;
        let filter_joins = match scope.filter {
            Some(_) if index.key_shift == 0 => String::new(),
            Some(_) => format!(
                "JOIN meetings m ON m.key = (f.rowid >> {})",
                index.key_shift
            ),
            None => String::new(),
        };
        let mut where_ = format!("{table} MATCH ?");
        let mut args = vec![Arg::Text(scope.expr.to_owned())];
        if let Some(lo) = scope.lo {
            where_.push_str(" AND f.rowid >= ?");
            args.push(Arg::Int(lo));
        }
        if let Some((clause, filter_args)) = scope.filter {
            where_.push_str(" AND ");
            where_.push_str(clause);
            args.extend(filter_args.iter().cloned());
        }
        // The count and the ranking only need the meetings table for the filter.
        let lean_from = if index.key_shift == 0 && scope.filter.is_some() {
            format!("{table} f JOIN meetings m ON m.key = f.rowid")
        } else {
            format!("{table} f {filter_joins}")
        };
        let hi = scope.hi.unwrap_or(i64::MAX);
        let mut with_hi = args.clone();
        with_hi.push(Arg::Int(hi));

        let count_sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM {lean_from} WHERE {where_} AND f.rowid < ? LIMIT {})",
            BROAD_MATCHES + 1
        );
        let matches: i64 = self
            .conn()
            .prepare_cached(&count_sql)?
            .query_row(params_from_iter(with_hi.iter()), |r| r.get(0))?;
        let mut per_meeting: HashMap<i64, usize> = HashMap::new();
        let mut taken = 0;

        if matches as usize > BROAD_MATCHES || matches!(scope.rank, Rank::Unranked) {
            // Newest first straight off the index; when a meeting has given all it may, start
            // again below it rather than stepping through the rest of its rows.
            let sql = format!(
                "SELECT f.rowid, {} FROM {table} f {} WHERE {where_} AND f.rowid < ?
                 ORDER BY f.rowid DESC",
                index.columns, index.joins
            );
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let mut upper = hi;
            'restart: loop {
                let mut bound = args.clone();
                bound.push(Arg::Int(upper));
                let mut rows = stmt.query(params_from_iter(bound.iter()))?;
                while let Some(r) = rows.next()? {
                    let rowid: i64 = r.get(0)?;
                    let key = rowid >> index.key_shift;
                    let n = per_meeting.entry(key).or_default();
                    *n += 1;
                    if *n > index.per_meeting {
                        upper = key << index.key_shift;
                        continue 'restart;
                    }
                    each(r, 0.0)?;
                    taken += 1;
                    if taken == limit {
                        break;
                    }
                }
                break;
            }
            return Ok(());
        }

        let (sql, rank_args) = match &scope.rank {
            Rank::By(rare) => {
                let mut rank_args = vec![Arg::Text(rare.clone())];
                rank_args.extend(with_hi.iter().cloned());
                let sql = format!(
                    "SELECT f.rowid, {} AS r FROM {table} f WHERE {table} MATCH ?
                     AND f.rowid IN (SELECT f.rowid FROM {lean_from} WHERE {where_} AND f.rowid < ?)
                     ORDER BY r, f.rowid DESC",
                    index.bm25
                );
                (sql, rank_args)
            }
            Rank::All | Rank::Unranked => {
                let sql = format!(
                    "SELECT f.rowid, {} AS r FROM {lean_from} WHERE {where_} AND f.rowid < ?
                     ORDER BY r, f.rowid DESC",
                    index.bm25
                );
                (sql, with_hi.clone())
            }
        };
        let mut chosen = Vec::new();
        {
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let mut rows = stmt.query(params_from_iter(rank_args.iter()))?;
            while chosen.len() < limit
                && let Some(r) = rows.next()?
            {
                let rowid: i64 = r.get(0)?;
                let rank: f64 = r.get(1)?;
                let n = per_meeting.entry(rowid >> index.key_shift).or_default();
                *n += 1;
                if *n <= index.per_meeting {
                    chosen.push((rowid, -rank));
                }
            }
        }
        let sql = format!(
            "SELECT f.rowid, {} FROM {table} f {} WHERE {table} MATCH ?1 AND f.rowid = ?2",
            index.columns, index.joins
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        for (rowid, score) in chosen {
            let mut rows = stmt.query(rusqlite::params![scope.expr, rowid])?;
            if let Some(r) = rows.next()? {
                each(r, score)?;
            }
        }
        Ok(())
    }
}

/// `query` with only its terms `keep` (a `-word` among them as a word) and no filter; the
/// query's last word, if kept, is still the one that may be a prefix.
fn only(query: &Query, keep: &[usize]) -> Query {
    let last_word = query.terms.iter().rposition(|t| matches!(t, Term::Word(_)));
    Query {
        terms: keep
            .iter()
            .map(|&i| match &query.terms[i] {
                Term::Not(w) => Term::Word(w.clone()),
                other => other.clone(),
            })
            .collect(),
        filter: Default::default(),
        prefix_last: query.prefix_last && last_word.is_some_and(|l| keep.contains(&l)),
    }
}

/// A `fields_fts` result row (rowid, then the `fields` index's columns) as hits: one per column
/// that matched (name, people, notes).
fn field_hits(r: &rusqlite::Row<'_>, score: f64) -> rusqlite::Result<Vec<Hit>> {
    let r = Shifted(r);
    let id: String = r.get(0)?;
    let name: String = r.get(1)?;
    let date: Option<MeetingDate> = serde_json::from_str(&r.get::<String>(2)?).unwrap_or(None);
    let mut hits = Vec::new();
    for (col, place) in [(3, Place::Name), (4, Place::People), (5, Place::Notes)] {
        let marked: String = r.get::<Option<String>>(col)?.unwrap_or_default();
        let (snippet, highlights) = take_highlights(&marked);
        if !highlights.is_empty() {
            hits.push(Hit {
                meeting_id: MeetingId(id.clone()),
                name: name.clone(),
                date: date.clone(),
                place,
                snippet,
                highlights,
                score,
            });
        }
    }
    Ok(hits)
}

/// A `turns_fts` result row (rowid, then the `turns` index's columns) as a hit.
fn turn_hit(r: &rusqlite::Row<'_>, score: f64) -> rusqlite::Result<Hit> {
    let rowid: i64 = r.get(0)?;
    let r = Shifted(r);
    let date_json: String = r.get(2)?;
    let secs: i64 = r.get(4)?;
    let nanos: i64 = r.get(5)?;
    let start = Duration::new(secs.max(0) as u64, nanos.clamp(0, 999_999_999) as u32);
    let marked: String = r.get::<Option<String>>(6)?.unwrap_or_default();
    let (snippet, highlights) = take_highlights(&marked);
    Ok(Hit {
        meeting_id: MeetingId(r.get(0)?),
        name: r.get(1)?,
        date: serde_json::from_str(&date_json).unwrap_or(None),
        place: Place::Transcript {
            turn: (rowid & ((1 << TURN_BITS) - 1)) as usize,
            start_ms: u64::try_from(start.as_millis()).unwrap_or(u64::MAX),
            speaker: r.get(3)?,
        },
        snippet,
        highlights,
        score,
    })
}

/// A row read with the leading rowid column skipped.
struct Shifted<'r, 's>(&'r rusqlite::Row<'s>);

impl Shifted<'_, '_> {
    fn get<T: rusqlite::types::FromSql>(&self, i: usize) -> rusqlite::Result<T> {
        self.0.get(i + 1)
    }
}

/// Sort key for "newest first, undated last".
fn date_key(date: &Option<MeetingDate>) -> Option<i128> {
    date.as_ref()
        .and_then(MeetingDate::as_datetime)
        .map(|d| d.unix_timestamp_nanos())
}
