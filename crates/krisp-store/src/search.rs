//! Full-text search by meeting: which meetings hold every word, how many, in what order, and
//! where in each the best hit is.
//!
//! A meeting matches when each word and phrase of the query is somewhere in it (name, people,
//! notes, transcript; not necessarily in one place), no `-word` is anywhere in it, and it passes
//! the filters. Two FTS5 indexes and a scan serve that:
//! - `meeting_fts`, one row per meeting (name, people, notes, and the whole transcript with a
//!   separator token between turns, so a phrase never spans two turns), decides which meetings
//!   match, counts them exactly and ranks them (BM25, name and people weighted above notes and
//!   notes above the transcript), filters included, before any window is taken;
//! - `fields_fts` (name, people, notes) then tells, for the meetings of the window only, which
//!   fields hold a word; their transcript turns are read and tokenized (`turn_match`) to tell
//!   which turns do. With the fields, that says where the best hit is and how many places hold
//!   a word.
//!
//! A query matching more than `RANKED_MEETINGS` meetings comes newest first: its words are in
//! most meetings, so their BM25 weight says next to nothing, and ranking every one of them would
//! cost more than a keystroke may.

use std::collections::HashSet;
use std::ops::Range;
use std::time::Duration;

use rusqlite::{OptionalExtension, params, params_from_iter};

use super::keys::{self, TURN_BITS};
use super::query::{CLOSE, OPEN, quote, take_highlights};
use super::tokenize::Tokenizer;
use super::turn_match::{Matcher, Phrase};
use super::{Arg, Filter, Query, Store, StoreError, Term, filter_sql};
use crate::krisp::{MeetingDate, MeetingId};

/// A query matching more meetings than this lists them newest first, unranked.
pub const RANKED_MEETINGS: usize = 2_000;
/// Between two turns in `meeting_fts`'s transcript column: a token of its own (the index is
/// told it is a word character), so a phrase cannot run from one turn into the next. It is a
/// private-use character: one in the text itself only splits a phrase there.
pub const TURN_SEPARATOR: char = '\u{E002}';
/// Characters of context kept before the first match of an excerpt; about twice as many after.
const EXCERPT_BEFORE: usize = 100;
const EXCERPT_AFTER: usize = 220;
/// The BM25 weights of `meeting_fts`'s columns: name, people, notes, transcript.
const WEIGHTS: &str = "10.0, 5.0, 2.0, 1.0";

/// Where in a meeting a hit is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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

/// One matching meeting, with its best hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub meeting_id: MeetingId,
    pub name: String,
    pub date: Option<MeetingDate>,
    pub people: Vec<String>,
    /// Where the best hit is; `None` for a query of filters only.
    pub place: Option<Place>,
    /// The text around the best hit, as stored (sanitizing is the caller's job), cut to a few
    /// hundred characters around the first match with `…` where it was cut.
    pub excerpt: String,
    /// Byte ranges of the query's words in `excerpt`.
    pub highlights: Vec<Range<usize>>,
    /// Which of `highlights` the excerpt is centred on, the word to find at the place: the
    /// query's rarest word when the place holds more than one of its words, else the first.
    pub focus: usize,
    /// How many places (the name, the people, the notes, each transcript turn) hold a word of
    /// the query.
    pub hits: usize,
    /// BM25 relevance, higher is better; 0 when the answer is unranked.
    pub score: f64,
}

/// A transcript turn shown around a hit, with the query's words marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextTurn {
    /// Its index in the transcript.
    pub turn: usize,
    pub speaker: String,
    pub start_ms: u64,
    /// As stored (sanitizing is the caller's job).
    pub text: String,
    /// Byte ranges of the query's words in `text`.
    pub highlights: Vec<Range<usize>>,
}

/// What a meeting's transcript holds of a query's words and phrases (see
/// `Store::transcript_hits`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptHits {
    /// How many turns hold one or more of them.
    pub turns: usize,
    /// The index of the first turn holding every one.
    pub first_all: Option<usize>,
    /// For each word and phrase of the query (`-words` left out), in order, the index of the
    /// first turn holding it.
    pub first_each: Vec<Option<usize>>,
}

/// A window of a search's answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    /// How many meetings match, in all (not only in this window).
    pub total: usize,
    /// Best first (BM25) when true; newest first when false.
    pub ranked: bool,
    pub hits: Vec<Hit>,
}

/// Which meetings of a search's answer a window holds (see `Store::keys`).
struct Keys {
    total: usize,
    ranked: bool,
    /// Each meeting's key and its score (BM25, higher is better; 0 when unranked).
    window: Vec<(i64, f64)>,
}

/// A field of a meeting that holds words of the query: where, its text, the words' ranges.
type Field = (Place, String, Vec<Range<usize>>);

/// What a meeting's transcript holds of a query's words and phrases (turns by their keys).
struct TurnHits {
    /// How many turns hold one or more.
    count: usize,
    /// The first turn holding every one.
    first_all: Option<i64>,
    /// For each (`Exprs::each`), the first turn holding it.
    first_each: Vec<Option<i64>>,
}

/// A query's terms as FTS5 expressions.
struct Exprs {
    /// Which meetings match: every word and phrase, every `with:`, no `-word`. `None` when the
    /// query has neither a word nor a `with:`.
    meetings: Option<String>,
    /// Each word and phrase on its own (the prefix term with its `*`).
    each: Vec<String>,
    /// Exclusions, each on its own.
    not: Vec<String>,
    /// `each` as the tokenizer reads it, to find in transcript turns.
    phrases: Vec<Phrase>,
}

impl Exprs {
    fn any(&self) -> String {
        self.each.join(" OR ")
    }
}

impl Store {
    /// The meetings matching `query`, the window `offset..offset + limit` of them, with the
    /// exact total. A query with no word or phrase lists the meetings its filters keep, newest
    /// first (an empty query lists them all).
    pub fn search(&self, query: &Query, offset: usize, limit: usize) -> Result<Found, StoreError> {
        let (exprs, keys) = self.keys(query, offset, limit)?;
        Ok(Found {
            total: keys.total,
            ranked: keys.ranked,
            hits: self.hits(&keys.window, &exprs, keys.ranked)?,
        })
    }

    /// The ids of every meeting matching `query`, in the order `search` lists them, without
    /// reading where each matched: "mark every meeting shown" over a search.
    pub fn search_ids(&self, query: &Query) -> Result<Vec<MeetingId>, StoreError> {
        let (_, keys) = self.keys(query, 0, usize::MAX)?;
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id FROM meetings WHERE key = ?1")?;
        let mut ids = Vec::with_capacity(keys.window.len());
        for (key, _) in keys.window {
            if let Some(id) = stmt.query_row([key], |r| r.get(0)).optional()? {
                ids.push(MeetingId(id));
            }
        }
        Ok(ids)
    }

    /// Which meetings match `query`: how many, whether ranked, and the keys (with their
    /// scores) of the window `offset..offset + limit`.
    fn keys(
        &self,
        query: &Query,
        offset: usize,
        limit: usize,
    ) -> Result<(Exprs, Keys), StoreError> {
        let exprs = self.exprs(query)?;
        let (from, to) = query.filter.window_ms()?;
        let rest = Filter {
            with: Vec::new(),
            ..query.filter.clone()
        };
        let (clause, mut args) = filter_sql(&rest, "m")?;
        let Some(expr) = exprs.meetings.clone() else {
            let keys = self.list(&exprs, &clause, args, offset, limit)?;
            return Ok((exprs, keys));
        };
        let lo = from.map_or(i64::MIN, keys::key_from_ms);
        let hi = to.map_or(i64::MAX, keys::key_from_ms);
        let from_where = format!(
            "FROM meeting_fts f JOIN meetings m ON m.key = f.rowid
             WHERE meeting_fts MATCH ? AND f.rowid >= ? AND f.rowid < ? AND {clause}"
        );
        let unfiltered = args.is_empty() && from.is_none() && to.is_none();
        let mut bound = vec![Arg::Text(expr), Arg::Int(lo), Arg::Int(hi)];
        bound.append(&mut args);
        // Without a filter the index alone counts (every row of it is a stored meeting):
        // joining each match to `meetings` only to count it costs a lookup per meeting.
        let total: i64 = if unfiltered {
            self.conn()
                .prepare_cached("SELECT count(*) FROM meeting_fts WHERE meeting_fts MATCH ?1")?
                .query_row(params![bound[0]], |r| r.get(0))?
        } else {
            self.conn()
                .prepare_cached(&format!("SELECT count(*) {from_where}"))?
                .query_row(params_from_iter(bound.iter()), |r| r.get(0))?
        };
        let total = total as usize;
        let ranked = total <= RANKED_MEETINGS && !exprs.each.is_empty();
        let order = if ranked {
            format!("bm25(meeting_fts, {WEIGHTS}) AS r {from_where} ORDER BY r, f.rowid DESC")
        } else {
            format!("0.0 AS r {from_where} ORDER BY f.rowid DESC")
        };
        bound.push(Arg::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        bound.push(Arg::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
        let window: Vec<(i64, f64)> = self
            .conn()
            .prepare_cached(&format!("SELECT f.rowid, {order} LIMIT ? OFFSET ?"))?
            .query_map(params_from_iter(bound.iter()), |r| {
                Ok((r.get(0)?, -r.get::<_, f64>(1)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok((
            exprs,
            Keys {
                total,
                ranked,
                window,
            },
        ))
    }

    /// A query without words: the meetings its filters keep, newest first, without the ones
    /// holding a `-word`.
    fn list(
        &self,
        exprs: &Exprs,
        clause: &str,
        mut args: Vec<Arg>,
        offset: usize,
        limit: usize,
    ) -> Result<Keys, StoreError> {
        let mut clause = clause.to_owned();
        for not in &exprs.not {
            clause.push_str(
                " AND m.key NOT IN (SELECT rowid FROM meeting_fts WHERE meeting_fts MATCH ?)",
            );
            args.push(Arg::Text(not.clone()));
        }
        let total: i64 = self
            .conn()
            .prepare_cached(&format!("SELECT count(*) FROM meetings m WHERE {clause}"))?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        args.push(Arg::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        args.push(Arg::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
        let window: Vec<(i64, f64)> = self
            .conn()
            .prepare_cached(&format!(
                "SELECT m.key FROM meetings m WHERE {clause}
                 ORDER BY m.date_ms DESC, m.id LIMIT ? OFFSET ?"
            ))?
            .query_map(params_from_iter(args.iter()), |r| Ok((r.get(0)?, 0.0)))?
            .collect::<Result<_, _>>()?;
        Ok(Keys {
            total: total as usize,
            ranked: false,
            window,
        })
    }

    /// The meetings of a window (`keys` with their scores, in order) as hits: each one's best
    /// place and how many places hold a word of the query. The window's fields are read at
    /// once, one query over the range of keys it spans rather than one per meeting: an FTS5
    /// query pays for setting up an iterator per term, which per meeting cost more than the
    /// search itself. Each meeting's turns are then read and tokenized.
    ///
    /// A ranked window is spread over the whole list; when a word of the query is in more than
    /// `RANKED_MEETINGS` meetings, the range it spans holds that word's fields of thousands of
    /// other meetings, so each meeting is then read on its own.
    fn hits(
        &self,
        window: &[(i64, f64)],
        exprs: &Exprs,
        ranked: bool,
    ) -> Result<Vec<Hit>, StoreError> {
        let mut rarest = None;
        if ranked && exprs.each.len() > 1 {
            let counts = self.meetings_holding(exprs)?;
            if let Some((_, rare)) = counts.iter().min_by_key(|(n, _)| *n) {
                rarest = Some(rare.clone());
            }
            if counts.iter().any(|(n, _)| *n > RANKED_MEETINGS) {
                let mut hits = Vec::with_capacity(window.len());
                for one in window.chunks(1) {
                    hits.extend(self.hits_at(one, exprs, &mut rarest)?);
                }
                return Ok(hits);
            }
        }
        self.hits_at(window, exprs, &mut rarest)
    }

    /// `hits` for meetings read together over the range of keys they span.
    fn hits_at(
        &self,
        window: &[(i64, f64)],
        exprs: &Exprs,
        rarest: &mut Option<String>,
    ) -> Result<Vec<Hit>, StoreError> {
        let mut hits: Vec<(i64, Hit)> = Vec::with_capacity(window.len());
        for &(key, score) in window {
            if let Some(hit) = self.bare_hit(key, score)? {
                hits.push((key, hit));
            }
        }
        if exprs.each.is_empty() || hits.is_empty() {
            return Ok(hits.into_iter().map(|(_, hit)| hit).collect());
        }
        let keys: Vec<i64> = hits.iter().map(|(key, _)| *key).collect();
        let (lo, hi) = keys
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &k| (lo.min(k), hi.max(k)));
        let set = serde_json::to_string(&keys).unwrap_or_default();
        let any = exprs.any();

        // Name, people and notes of every meeting of the window, each highlighted with every
        // word of the query.
        let mut fields: std::collections::HashMap<i64, Vec<Field>> = Default::default();
        {
            let mut stmt = self.conn().prepare_cached(&format!(
                "SELECT rowid, highlight(fields_fts, 0, '{OPEN}', '{CLOSE}'),
                        highlight(fields_fts, 1, '{OPEN}', '{CLOSE}'),
                        highlight(fields_fts, 2, '{OPEN}', '{CLOSE}')
                 FROM fields_fts WHERE fields_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3
                 AND +rowid IN (SELECT value FROM json_each(?4))"
            ))?;
            let mut rows = stmt.query(params![any, lo, hi, set])?;
            while let Some(r) = rows.next()? {
                let key: i64 = r.get(0)?;
                let mut found = Vec::new();
                for (col, place) in [(1, Place::Name), (2, Place::People), (3, Place::Notes)] {
                    let marked: String = r.get::<_, Option<String>>(col)?.unwrap_or_default();
                    let (text, ranges) = take_highlights(&marked);
                    if !ranges.is_empty() {
                        found.push((place, text, ranges));
                    }
                }
                fields.insert(key, found);
            }
        }
        // How many turns of each meeting hold a word, the first holding every word and phrase,
        // and the first holding each: its turns read and tokenized.
        let mut matcher = Matcher::new(&exprs.phrases);
        let mut turns: std::collections::HashMap<i64, TurnHits> = Default::default();
        for &key in &keys {
            turns.insert(key, self.turn_hits(key, &mut matcher)?);
        }

        // The best place of each: a field holding every word (the most distinct ones), else the
        // first turn holding every word and phrase, else the first place of the rarest term.
        let want = exprs.each.len();
        let mut shown: Vec<(usize, i64)> = Vec::new();
        for (i, (key, hit)) in hits.iter_mut().enumerate() {
            let fields = fields.remove(key).unwrap_or_default();
            let in_turns = turns.get(key);
            hit.hits = fields.len() + in_turns.map_or(0, |t| t.count);
            let best_field = fields
                .iter()
                .filter(|(_, text, ranges)| distinct(text, ranges) >= want)
                .max_by_key(|(place, text, ranges)| {
                    (
                        distinct(text, ranges),
                        std::cmp::Reverse(field_order(place)),
                    )
                });
            if let Some((place, text, ranges)) = best_field {
                hit.place = Some(place.clone());
                self.cut(hit, text, ranges, exprs, rarest)?;
                continue;
            }
            if let Some(rowid) = in_turns.and_then(|t| t.first_all) {
                shown.push((i, rowid));
                continue;
            }
            // No one place holds every word: the first place of the rarest.
            let rare = self.rarest_cached(exprs, rarest)?;
            let rare_field = if fields.is_empty() {
                None
            } else {
                self.rare_field(&rare, *key, &fields)?
            };
            if let Some((place, text, ranges)) = rare_field {
                hit.place = Some(place.clone());
                self.cut(hit, text, ranges, exprs, rarest)?;
                continue;
            }
            let rare_at = exprs.each.iter().position(|e| *e == rare);
            let turn = in_turns.and_then(|t| rare_at.and_then(|at| t.first_each[at]));
            match turn {
                Some(rowid) => shown.push((i, rowid)),
                // Only a field holds words of the query (the rest through `with:` or a stem).
                None => {
                    if let Some((place, text, ranges)) = fields.first() {
                        hit.place = Some(place.clone());
                        self.cut(hit, text, ranges, exprs, rarest)?;
                    }
                }
            }
        }

        // The turns shown, highlighted.
        for (i, rowid) in shown {
            let row: Option<(String, i64, i64, String)> = self
                .conn()
                .prepare_cached(
                    "SELECT speaker, start_s, start_ns, text FROM turns WHERE key = ?1",
                )?
                .query_row([rowid], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let Some((speaker, secs, nanos, text)) = row else {
                continue;
            };
            let hit = &mut hits[i].1;
            let start = Duration::new(secs.max(0) as u64, nanos.clamp(0, 999_999_999) as u32);
            hit.place = Some(Place::Transcript {
                turn: (rowid & ((1 << TURN_BITS) - 1)) as usize,
                start_ms: u64::try_from(start.as_millis()).unwrap_or(u64::MAX),
                speaker,
            });
            let (text, ranges) = marked(&text, &matcher.highlights(&text));
            self.cut(hit, &text, &ranges, exprs, rarest)?;
        }
        Ok(hits.into_iter().map(|(_, hit)| hit).collect())
    }

    /// What the transcript of the meeting with `key` holds of `matcher`'s phrases: every turn
    /// of it read and, unless it cannot hold any, tokenized.
    fn turn_hits(&self, key: i64, matcher: &mut Matcher<'_>) -> Result<TurnHits, StoreError> {
        let mut found = TurnHits {
            count: 0,
            first_all: None,
            first_each: vec![None; matcher.len()],
        };
        let mut held = vec![false; matcher.len()];
        let (first, last) = keys::turn_key_range(key);
        let mut stmt = self.conn().prepare_cached(
            "SELECT key, text FROM turns WHERE key BETWEEN ?1 AND ?2 ORDER BY key",
        )?;
        let mut rows = stmt.query(params![first, last])?;
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            let text = match r.get_ref(1)? {
                rusqlite::types::ValueRef::Text(bytes) => String::from_utf8_lossy(bytes),
                _ => continue,
            };
            if !matcher.holds(&text, &mut held) {
                continue;
            }
            found.count += 1;
            for (first, &held) in found.first_each.iter_mut().zip(&held) {
                if held && first.is_none() {
                    *first = Some(rowid);
                }
            }
            if found.first_all.is_none() && held.iter().all(|&h| h) {
                found.first_all = Some(rowid);
            }
        }
        Ok(found)
    }

    /// The meeting with `key` as a hit without its place yet.
    fn bare_hit(&self, key: i64, score: f64) -> Result<Option<Hit>, StoreError> {
        let row: Option<(String, String, String, String)> = self
            .conn()
            .prepare_cached("SELECT id, name, date_json, people_list FROM meetings WHERE key = ?1")?
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        Ok(row.map(|(id, name, date_json, people)| Hit {
            meeting_id: MeetingId(id),
            name,
            date: serde_json::from_str(&date_json).unwrap_or(None),
            people: serde_json::from_str(&people).unwrap_or_default(),
            place: None,
            excerpt: String::new(),
            highlights: Vec::new(),
            focus: 0,
            hits: 0,
            score,
        }))
    }

    /// The query's rarest term, worked out once per window.
    fn rarest_cached(
        &self,
        exprs: &Exprs,
        rarest: &mut Option<String>,
    ) -> Result<String, StoreError> {
        if let Some(rare) = rarest {
            return Ok(rare.clone());
        }
        let rare = self.rarest(exprs)?;
        *rarest = Some(rare.clone());
        Ok(rare)
    }

    /// `hit`'s excerpt of `text`: centred on the query's rarest word when the place holds more
    /// than one of its words (the word the reader searched for, not the one everywhere), else
    /// on the first word.
    fn cut(
        &self,
        hit: &mut Hit,
        text: &str,
        ranges: &[Range<usize>],
        exprs: &Exprs,
        rarest: &mut Option<String>,
    ) -> Result<(), StoreError> {
        let at = if distinct(text, ranges) > 1 {
            let rare = self.rarest_cached(exprs, rarest)?;
            closest(text, ranges, &rare)
        } else {
            0
        };
        let (cut, highlights, focus) = excerpt_at(text, ranges, at);
        hit.focus = focus;
        hit.excerpt = cut;
        hit.highlights = highlights;
        Ok(())
    }

    /// Among `fields` (of the meeting with `key`), the first holding the term `rare`.
    fn rare_field<'f>(
        &self,
        rare: &str,
        key: i64,
        fields: &'f [Field],
    ) -> Result<Option<&'f Field>, StoreError> {
        for field in fields {
            let column = match field.0 {
                Place::Name => "name",
                Place::People => "people",
                _ => "notes",
            };
            let holds: bool = self
                .conn()
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM fields_fts WHERE fields_fts MATCH ?1 AND rowid = ?2)",
                )?
                .query_row(params![format!("{column} : ({rare})"), key], |r| r.get(0))?;
            if holds {
                return Ok(Some(field));
            }
        }
        Ok(None)
    }

    /// The term of `exprs` held by the fewest meetings (counted up to a bound).
    fn rarest(&self, exprs: &Exprs) -> Result<String, StoreError> {
        let counts = self.meetings_holding(exprs)?;
        let rarest = counts.into_iter().min_by_key(|(n, _)| *n);
        Ok(rarest.map(|(_, t)| t).unwrap_or_default())
    }

    /// How many meetings hold each term of `exprs` (counted up to a bound), in the query's
    /// order.
    fn meetings_holding(&self, exprs: &Exprs) -> Result<Vec<(usize, String)>, StoreError> {
        let mut counts = Vec::with_capacity(exprs.each.len());
        for term in &exprs.each {
            let n: i64 = self
                .conn()
                .prepare_cached(
                    "SELECT count(*) FROM (SELECT 1 FROM meeting_fts WHERE meeting_fts MATCH ?1 LIMIT 5001)",
                )?
                .query_row([term], |r| r.get(0))?;
            counts.push((n as usize, term.clone()));
        }
        Ok(counts)
    }

    /// The query's FTS5 expressions. The prefix term (the last word while typing) is matched as
    /// a prefix unless it is a word of the index itself: a prefix costs a merge of the lists of
    /// every word it starts, and a whole word already finds its other forms by its stem. An
    /// unclosed phrase is always a prefix: it is being typed.
    fn exprs(&self, query: &Query) -> Result<Exprs, StoreError> {
        let prefix = query.prefix_term();
        let tokenizer = Tokenizer::new();
        let mut each = Vec::new();
        let mut phrases = Vec::new();
        let mut not = Vec::new();
        for (i, term) in query.terms.iter().enumerate() {
            match term {
                Term::Word(w) | Term::Phrase(w) if has_word_char(w) => {
                    let exact = quote(w);
                    let starts = Some(i) == prefix && (query.open_phrase || !self.holds(&exact)?);
                    phrases.push(Phrase::new(&tokenizer, w, starts));
                    each.push(if starts { format!("{exact}*") } else { exact });
                }
                Term::Not(w) if has_word_char(w) => not.push(quote(w)),
                _ => {}
            }
        }
        let with: Vec<String> = query
            .filter
            .with
            .iter()
            .filter(|w| has_word_char(w))
            .map(|w| format!("people : {}*", quote(w.trim())))
            .collect();
        let positive: Vec<&String> = each.iter().chain(&with).collect();
        let meetings = (!positive.is_empty()).then(|| {
            let mut expr = format!(
                "({})",
                positive
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" AND ")
            );
            for n in &not {
                expr.push_str(" NOT ");
                expr.push_str(n);
            }
            expr
        });
        Ok(Exprs {
            meetings,
            each,
            not,
            phrases,
        })
    }

    /// The key of meeting `id`, if stored.
    fn meeting_key(&self, id: &MeetingId) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT key FROM meetings WHERE id = ?1")?
            .query_row([&id.0], |r| r.get(0))
            .optional()?)
    }

    /// The transcript turns `turn - radius ..= turn + radius` of meeting `id`, each with the
    /// words of `query` marked: a search hit shown in its context. Empty when the store does
    /// not hold the meeting or that turn.
    pub fn turns_around(
        &self,
        id: &MeetingId,
        turn: usize,
        radius: usize,
        query: &Query,
    ) -> Result<Vec<ContextTurn>, StoreError> {
        let Some(key) = self.meeting_key(id)? else {
            return Ok(Vec::new());
        };
        let (first, last) = keys::turn_key_range(key);
        let at = |index: usize| first.saturating_add(i64::try_from(index).unwrap_or(i64::MAX));
        let lo = at(turn.saturating_sub(radius)).min(last);
        let hi = at(turn.saturating_add(radius)).min(last);
        let mut turns: Vec<ContextTurn> = self
            .conn()
            .prepare_cached(
                "SELECT key, speaker, start_s, start_ns, text FROM turns
                 WHERE key BETWEEN ?1 AND ?2 ORDER BY key",
            )?
            .query_map(params![lo, hi], |r| {
                let key: i64 = r.get(0)?;
                let (secs, nanos): (i64, i64) = (r.get(2)?, r.get(3)?);
                let start = Duration::new(secs.max(0) as u64, nanos.clamp(0, 999_999_999) as u32);
                Ok(ContextTurn {
                    turn: (key & ((1 << TURN_BITS) - 1)) as usize,
                    speaker: r.get(1)?,
                    start_ms: u64::try_from(start.as_millis()).unwrap_or(u64::MAX),
                    text: r.get(4)?,
                    highlights: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let exprs = self.exprs(query)?;
        if turns.is_empty() || exprs.each.is_empty() {
            return Ok(turns);
        }
        let mut matcher = Matcher::new(&exprs.phrases);
        for t in &mut turns {
            let ranges = matcher.highlights(&t.text);
            if !ranges.is_empty() {
                (t.text, t.highlights) = marked(&t.text, &ranges);
            }
        }
        Ok(turns)
    }

    /// What the transcript of meeting `id` holds of `query`'s words and phrases, as a search
    /// counts it (`Hit::hits`, less the fields) and picks its turn; `None` when the store does
    /// not hold the meeting.
    pub fn transcript_hits(
        &self,
        id: &MeetingId,
        query: &Query,
    ) -> Result<Option<TranscriptHits>, StoreError> {
        let Some(key) = self.meeting_key(id)? else {
            return Ok(None);
        };
        let exprs = self.exprs(query)?;
        let found = self.turn_hits(key, &mut Matcher::new(&exprs.phrases))?;
        let turn = |rowid: i64| (rowid & ((1 << TURN_BITS) - 1)) as usize;
        Ok(Some(TranscriptHits {
            turns: found.count,
            first_all: found.first_all.map(turn),
            first_each: found.first_each.into_iter().map(|t| t.map(turn)).collect(),
        }))
    }

    /// Every meeting passing `filter` (its `with:` included), newest first, with only its name,
    /// date and people: what a fuzzy match on names needs. Each is handed to `each` as it is
    /// read, so that only what matches need be kept (a store of 30,000 meetings is never in
    /// memory at once).
    pub fn fuzzy_candidates(
        &self,
        filter: &Filter,
        each: &mut dyn FnMut(Hit),
    ) -> Result<(), StoreError> {
        let rest = Filter {
            with: Vec::new(),
            ..filter.clone()
        };
        let (mut clause, mut args) = filter_sql(&rest, "m")?;
        let with: Vec<String> = filter
            .with
            .iter()
            .filter(|w| has_word_char(w))
            .map(|w| format!("people : {}*", quote(w.trim())))
            .collect();
        if !with.is_empty() {
            clause.push_str(
                " AND m.key IN (SELECT rowid FROM meeting_fts WHERE meeting_fts MATCH ?)",
            );
            args.push(Arg::Text(with.join(" AND ")));
        }
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT m.id, m.name, m.date_json, m.people_list FROM meetings m WHERE {clause}
             ORDER BY m.date_ms DESC, m.id"
        ))?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            each(candidate(r)?);
        }
        Ok(())
    }

    /// The meeting `id` as [`Store::fuzzy_candidates`] gives it, if stored.
    pub fn fuzzy_candidate(&self, id: &MeetingId) -> Result<Option<Hit>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, date_json, people_list FROM meetings WHERE id = ?1",
        )?;
        let mut rows = stmt.query([id.as_str()])?;
        rows.next()?.map(candidate).transpose()
    }

    /// Words of the index within a typo or two of `word` (one for words of up to four
    /// letters), the closest first and among equals the one in most meetings: what "did you
    /// mean" offers when a word finds nothing. The index's words are stems (`pricing` is
    /// `price`), which find the same meetings.
    pub fn suggest(&self, word: &str, at_most: usize) -> Result<Vec<String>, StoreError> {
        let word: String = fold(word);
        let len = word.chars().count();
        if len < super::MIN_WORD_CHARS {
            return Ok(Vec::new());
        }
        let max = if len <= 4 { 1 } else { 2 };
        let mut stmt = self.conn().prepare_cached(
            "SELECT term, doc FROM meeting_vocab WHERE length(term) BETWEEN ?1 AND ?2",
        )?;
        let rows = stmt.query_map(
            params![(len - max.min(len)) as i64, (len + max) as i64],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )?;
        let mut near: Vec<(usize, i64, String)> = Vec::new();
        for row in rows {
            let (term, docs) = row?;
            if term.contains(TURN_SEPARATOR) || term == word {
                continue;
            }
            if let Some(d) = distance_within(&word, &term, max) {
                near.push((d, -docs, term));
            }
        }
        near.sort();
        Ok(near.into_iter().take(at_most).map(|(_, _, t)| t).collect())
    }

    /// Whether any meeting holds the FTS5 expression `expr`.
    fn holds(&self, expr: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM meeting_fts WHERE meeting_fts MATCH ?1)")?
            .query_row([expr], |r| r.get(0))?)
    }
}

/// Lowercase, Latin accents dropped, as the index folds words.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            c => c,
        })
        .collect()
}

/// The edit distance (insertions, deletions, substitutions, and swaps of two neighbours)
/// between `a` and `b` if it is at most `max`.
fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(prev2[j - 2] + 1);
            }
        }
        if row.iter().min().is_some_and(|&m| m > max) {
            return None;
        }
        prev2 = std::mem::replace(&mut prev, row);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

fn has_word_char(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn field_order(place: &Place) -> u8 {
    match place {
        Place::Name => 0,
        Place::People => 1,
        Place::Notes => 2,
        Place::Transcript { .. } => 3,
    }
}

/// How many different words (ignoring case) `ranges` mark in `text`.
fn distinct(text: &str, ranges: &[Range<usize>]) -> usize {
    ranges
        .iter()
        .filter_map(|r| text.get(r.clone()))
        .map(str::to_lowercase)
        .collect::<HashSet<_>>()
        .len()
}

/// A row of `id, name, date_json, people_list` as a hit with no place yet: a fuzzy candidate.
fn candidate(r: &rusqlite::Row<'_>) -> Result<Hit, StoreError> {
    let date_json: String = r.get(2)?;
    let people: String = r.get(3)?;
    Ok(Hit {
        meeting_id: MeetingId(r.get(0)?),
        name: r.get(1)?,
        date: serde_json::from_str(&date_json).unwrap_or(None),
        people: serde_json::from_str(&people).unwrap_or_default(),
        place: None,
        excerpt: String::new(),
        highlights: Vec::new(),
        focus: 0,
        hits: 0,
        score: 0.0,
    })
}

/// `text` with `ranges` marked as FTS5's `highlight()` marks them, and read back as the ranges
/// were read from it: the markers are characters the text may hold too (private-use ones,
/// which `take_highlights` drops), so what a turn shows is exactly what `turns_fts` showed.
fn marked(text: &str, ranges: &[Range<usize>]) -> (String, Vec<Range<usize>>) {
    let mut out = String::with_capacity(text.len() + 6 * ranges.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&text[at..r.start]);
        out.push(OPEN);
        out.push_str(&text[r.clone()]);
        out.push(CLOSE);
        at = r.end;
    }
    out.push_str(&text[at..]);
    take_highlights(&out)
}

/// `text` cut around its first marked range (about `EXCERPT_BEFORE` characters before it and
/// `EXCERPT_AFTER` after, at word boundaries, `…` where cut), with the ranges moved along.
pub fn excerpt(text: &str, ranges: &[Range<usize>]) -> (String, Vec<Range<usize>>) {
    let (cut, ranges, _) = excerpt_at(text, ranges, 0);
    (cut, ranges)
}

/// The index of the range of `ranges` (in `text`) that reads most like the FTS5 term `term`
/// (`"zofataf"`, `"renew"*`, a phrase): the longest common beginning with its first word, folded
/// (the index matched a stem or a prefix, so the text may differ from the term); the first
/// among equals.
fn closest(text: &str, ranges: &[Range<usize>], term: &str) -> usize {
    let word = fold(
        term.trim_end_matches('*')
            .trim_matches('"')
            .split_whitespace()
            .next()
            .unwrap_or(""),
    );
    let common = |r: &Range<usize>| {
        let got = fold(text.get(r.clone()).unwrap_or(""));
        got.chars()
            .zip(word.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut best = (0, 0);
    for (i, r) in ranges.iter().enumerate() {
        let n = common(r);
        if n > best.1 {
            best = (i, n);
        }
    }
    best.0
}

/// [`excerpt`] centred on `ranges[at]` instead of the first range; also the index, among the
/// ranges the cut kept, of that one.
fn excerpt_at(
    text: &str,
    ranges: &[Range<usize>],
    at: usize,
) -> (String, Vec<Range<usize>>, usize) {
    let Some(first) = ranges.get(at).or(ranges.first()) else {
        return (
            cut_after(text, 0, EXCERPT_BEFORE + EXCERPT_AFTER),
            Vec::new(),
            0,
        );
    };
    let start = back_chars(text, first.start, EXCERPT_BEFORE);
    let end = forward_chars(text, first.end, EXCERPT_AFTER);
    let focus = ranges
        .iter()
        .filter(|r| r.start >= start && r.start < first.start)
        .count();
    let mut out = String::new();
    let mut offset = 0isize;
    if start > 0 {
        out.push('…');
        offset = '…'.len_utf8() as isize - start as isize;
    }
    out.push_str(&text[start..end]);
    if end < text.len() {
        out.push('…');
    }
    let moved = ranges
        .iter()
        .filter(|r| r.start >= start && r.end <= end)
        .map(|r| {
            let s = (r.start as isize + offset) as usize;
            let e = (r.end as isize + offset) as usize;
            s..e
        })
        .collect();
    (out, moved, focus)
}

fn cut_after(text: &str, from: usize, chars: usize) -> String {
    let end = forward_chars(text, from, chars);
    let mut out = text[..end].to_owned();
    if end < text.len() {
        out.push('…');
    }
    out
}

/// The byte index about `chars` characters before `at`, moved forward to a word's start.
fn back_chars(text: &str, at: usize, chars: usize) -> usize {
    let head = &text[..at];
    let Some((i, _)) = head.char_indices().rev().nth(chars) else {
        return 0;
    };
    // Start after the next space, so the excerpt opens on a whole word.
    match head[i..].find(char::is_whitespace) {
        Some(s) => i + s + head[i + s..].chars().next().map_or(1, char::len_utf8),
        None => i,
    }
}

/// The byte index about `chars` characters after `at`, moved back to a word's end.
fn forward_chars(text: &str, at: usize, chars: usize) -> usize {
    let tail = &text[at..];
    let Some((i, _)) = tail.char_indices().nth(chars) else {
        return text.len();
    };
    match tail[..i].rfind(char::is_whitespace) {
        Some(s) if s > 0 => at + s,
        _ => at + i,
    }
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn an_excerpt_is_centred_on_its_first_match() {
        let before = "word ".repeat(60);
        let after = " more".repeat(80);
        let text = format!("{before}zofataf{after}");
        let at = before.len();
        let (cut, ranges) = excerpt(&text, std::slice::from_ref(&(at..at + 7)));
        assert!(cut.starts_with("…word"), "{cut}");
        assert!(cut.ends_with("more…"), "{cut}");
        assert_eq!(&cut[ranges[0].clone()], "zofataf");
        let pos = cut[..ranges[0].start].chars().count();
        assert!(
            (90..=110).contains(&pos),
            "{pos} characters before the match"
        );
    }

    #[test]
    fn typos_are_within_reach_and_other_words_are_not() {
        use super::distance_within;
        assert_eq!(distance_within("zofatf", "zofataf", 2), Some(1));
        assert_eq!(
            distance_within("zofaatf", "zofataf", 2),
            Some(1),
            "a swap is one"
        );
        assert_eq!(distance_within("roadmpa", "roadmap", 1), Some(1));
        assert_eq!(distance_within("kitten", "sitting", 2), None);
        assert_eq!(distance_within("abc", "abc", 0), Some(0));
    }

    #[test]
    fn a_short_text_is_kept_whole() {
        let (cut, ranges) = excerpt("the roadmap is late", std::slice::from_ref(&(4..11)));
        assert_eq!(cut, "the roadmap is late");
        assert_eq!(ranges, vec![4..11]);
    }
}
