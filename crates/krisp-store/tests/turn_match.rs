//! The search's per-turn answers (which turns of a meeting hold the query's words, the first
//! holding all of them, the first holding each, and the ranges each turn highlights) against
//! what the FTS5 index `turns_fts` says for the same turns and query: the SQL the search used
//! before it scanned the turns itself (issue 17), kept here as the oracle. Random transcripts of
//! words that stem oddly, accents, apostrophes, hyphens, case and hostile characters, and random
//! queries over them (words, phrases, prefixes being typed, `-words`, `with:`).

use std::cell::Cell;
use std::ops::Range;
use std::time::Duration;

use krisp_model::krisp::{Document, DocumentState, Meeting, MeetingId, Section, Transcript, Turn};
use krisp_store::{HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, Query, Store, Term, take_highlights};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::{Connection, params};

/// 2026-03-01 12:00 UTC.
const NOW: jiff::Timestamp = jiff::Timestamp::constant(1_772_366_400, 0);
/// A turn's rowid in `turns_fts` is its meeting's key shifted by this (`keys.rs`).
const TURN_BITS: u32 = 20;
/// What the oracle's `highlight()` marks with: the store's own markers, read back by the
/// store's own `take_highlights`, as the search did with `turns_fts`.
const OPEN: char = HIGHLIGHT_OPEN;
const CLOSE: char = HIGHLIGHT_CLOSE;

/// Words of the transcripts and queries: ones Porter stems oddly or alike, accents (composed
/// and combining), case, apostrophes and hyphens, digits, ligatures and other scripts, and what
/// `--hostile` puts in meetings.
const WORDS: &[&str] = &[
    "happy",
    "happiness",
    "happier",
    "Happily",
    "generalizations",
    "general",
    "generate",
    "running",
    "runs",
    "run",
    "ies",
    "yying",
    "agreed",
    "feed",
    "hopping",
    "hoping",
    "hope",
    "relational",
    "relate",
    "caresses",
    "ponies",
    "pony",
    "roadmap",
    "roadmaps",
    "ROADMAP",
    "road-map",
    "RoadMap",
    "café",
    "Cafe\u{301}",
    "CAFÉ",
    "naïve",
    "naive",
    "résumé",
    "resume",
    "don't",
    "dont",
    "e-mail",
    "email",
    "co-operate",
    "cooperate",
    "straße",
    "strasse",
    "İstanbul",
    "ﬁnance",
    "finance",
    "2026",
    "x86_64",
    "v2",
    "pricing",
    "price",
    "priced",
    "understand",
    "under",
    "undertaking",
    "unde",
    "sync",
    "synced",
    "Zoë",
    "zoe",
    "initech",
    "initiative",
    "national",
    "nationalism",
    "electricity",
    "electric",
    "ability",
    "able",
    "sss",
    "zzz",
    "\u{1b}[31mred\u{1b}[0m",
    "\u{202e}txt.exe\u{202c}",
    "\u{2067}שלום\u{2069}",
    "\u{E000}marked",
    "close\u{E001}",
    "Ω",
    "日本語",
    "the",
    "and",
    "a",
    "roadmap's",
    "pricing—roadmap",
];

/// Separators between words: spaces, punctuation, line breaks, none at all.
const GAPS: &[&str] = &[
    " ", " ", " ", ", ", ". ", "—", "\n", "'", "\"", "-", "", " (", ") ",
];

/// A turn: words of `WORDS`, or (as often) only its pure-ASCII ones, which the search reads
/// another way.
fn text() -> impl Strategy<Value = String> {
    let ascii: Vec<&str> = WORDS.iter().copied().filter(|w| w.is_ascii()).collect();
    let ascii_gaps: Vec<&str> = GAPS.iter().copied().filter(|g| g.is_ascii()).collect();
    let any = prop::collection::vec((0..WORDS.len(), 0..GAPS.len()), 0..14).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(w, g)| format!("{}{}", WORDS[w], GAPS[g]))
            .collect::<String>()
    });
    let plain = prop::collection::vec((0..ascii.len(), 0..ascii_gaps.len()), 0..14).prop_map(
        move |parts| {
            parts
                .into_iter()
                .map(|(w, g)| format!("{}{}", ascii[w], ascii_gaps[g]))
                .collect::<String>()
        },
    );
    prop_oneof![any, plain]
}

/// A query as typed: one to three terms (words, a phrase, a `-word`, a `with:`), the last word
/// maybe cut to 3, 4 or 5 characters, a phrase maybe left open.
fn query() -> impl Strategy<Value = String> {
    let term = prop_oneof![
        4 => (0..WORDS.len()).prop_map(|w| WORDS[w].to_owned()),
        2 => (0..WORDS.len(), 0..WORDS.len())
            .prop_map(|(a, b)| format!("\"{} {}\"", WORDS[a], WORDS[b])),
        1 => (0..WORDS.len()).prop_map(|w| format!("-{}", WORDS[w])),
        1 => Just("with:maya".to_owned()),
    ];
    (
        prop::collection::vec(term, 1..4),
        0..WORDS.len(),
        prop_oneof![Just(0usize), Just(3), Just(4), Just(5)],
        any::<bool>(),
    )
        .prop_map(|(terms, last, cut, open)| {
            let mut q = terms.join(" ");
            if cut > 0 {
                let w: String = WORDS[last].chars().take(cut).collect();
                q.push(' ');
                if open {
                    q.push('"');
                }
                q.push_str(&w);
            }
            q
        })
}

fn id(n: usize) -> MeetingId {
    MeetingId(format!("{n:032x}"))
}

/// A store of one meeting per transcript (its name and notes holding words of their own), and
/// a plain connection to the same file for the oracle (`turns_fts`, built here).
fn store(transcripts: &[Vec<String>]) -> (tempfile::TempDir, Store, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let meetings: Vec<Meeting> = (0..transcripts.len())
        .map(|n| {
            let mut m = Meeting::new(id(n), "Zebra planning sync");
            m.summary = Some("The walrus notes".to_owned());
            m
        })
        .collect();
    store.upsert_meetings(&meetings, NOW).unwrap();
    let documents: Vec<Document> = transcripts
        .iter()
        .enumerate()
        .map(|(n, turns)| Document {
            id: id(n),
            state: DocumentState::Ready,
            recording_url: None,
            sections: vec![Section {
                heading: "Summary".to_owned(),
                body: "The walrus notes".to_owned(),
            }],
            transcript: Transcript {
                turns: turns
                    .iter()
                    .enumerate()
                    .map(|(i, text)| Turn {
                        speaker: "Maya".to_owned(),
                        start: Duration::from_secs(i as u64),
                        text: text.clone(),
                    })
                    .collect(),
            },
            unparsed: String::new(),
        })
        .collect();
    store.upsert_documents(&documents, NOW).unwrap();
    let conn = Connection::open(&path).unwrap();
    // The oracle: the per-turn index the store kept until v9, built over the same turns.
    conn.execute_batch(
        "CREATE VIRTUAL TABLE turns_fts USING fts5(
             text, content = 'turns', content_rowid = 'key', columnsize = 0,
             tokenize = 'porter unicode61 remove_diacritics 2'
         );
         INSERT INTO turns_fts(turns_fts) VALUES ('rebuild');",
    )
    .unwrap();
    (dir, store, conn)
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The query's words and phrases as FTS5 terms, as the search writes them for `meeting_fts`:
/// the term being typed (the last word, or an open phrase) is a prefix unless it is a word of
/// the index itself (or the phrase is open).
fn fts5_terms(conn: &Connection, query: &Query) -> Vec<String> {
    let prefix = if !query.prefix_last {
        None
    } else if query.open_phrase {
        query.terms.len().checked_sub(1)
    } else {
        query.terms.iter().rposition(|t| matches!(t, Term::Word(_)))
    };
    let mut out = Vec::new();
    for (i, term) in query.terms.iter().enumerate() {
        if let Term::Word(w) | Term::Phrase(w) = term
            && w.chars().any(char::is_alphanumeric)
        {
            let exact = quote(w);
            let held: bool = conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM meeting_fts WHERE meeting_fts MATCH ?1)",
                    [&exact],
                    |r| r.get(0),
                )
                .unwrap();
            if Some(i) == prefix && (query.open_phrase || !held) {
                out.push(format!("{exact}*"));
            } else {
                out.push(exact);
            }
        }
    }
    out
}

/// What `turns_fts` says of meeting `n` and the FTS5 `terms`: how many turns hold any, the
/// first holding all, the first holding each, and every turn's text and highlighted ranges.
type Answer = (
    usize,
    Option<usize>,
    Vec<Option<usize>>,
    Vec<(String, Vec<Range<usize>>)>,
);

fn oracle(conn: &Connection, n: usize, terms: &[String]) -> Answer {
    let key: i64 = conn
        .query_row("SELECT key FROM meetings WHERE id = ?1", [&id(n).0], |r| {
            r.get(0)
        })
        .unwrap();
    let (lo, hi) = (key << TURN_BITS, ((key + 1) << TURN_BITS) - 1);
    let index = |rowid: i64| (rowid - lo) as usize;
    let first = |expr: &str| -> Option<usize> {
        conn.query_row(
            "SELECT min(rowid) FROM turns_fts WHERE turns_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
            params![expr, lo, hi],
            |r| r.get::<_, Option<i64>>(0),
        )
        .unwrap()
        .map(index)
    };
    let any = terms.join(" OR ");
    let count: i64 = conn
        .query_row(
            "SELECT count(*) FROM turns_fts WHERE turns_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
            params![any, lo, hi],
            |r| r.get(0),
        )
        .unwrap();
    let all = first(&terms.join(" AND "));
    let each = terms.iter().map(|t| first(t)).collect();
    let mut turns: Vec<(String, Vec<Range<usize>>)> = conn
        .prepare("SELECT text FROM turns WHERE key BETWEEN ?1 AND ?2 ORDER BY key")
        .unwrap()
        .query_map(params![lo, hi], |r| Ok((r.get(0)?, Vec::new())))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT rowid, highlight(turns_fts, 0, '{OPEN}', '{CLOSE}') FROM turns_fts
             WHERE turns_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
        ))
        .unwrap();
    let marked = stmt
        .query_map(params![any, lo, hi], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .unwrap();
    for row in marked {
        let (rowid, marked) = row.unwrap();
        turns[index(rowid)] = take_highlights(&marked);
    }
    (count as usize, all, each, turns)
}

/// The search's answer for meeting `n`.
fn scanned(store: &Store, n: usize, query: &Query) -> Answer {
    let hits = store.transcript_hits(&id(n), query).unwrap().unwrap();
    let turns = store
        .turns_around(&id(n), 0, 1_000, query)
        .unwrap()
        .into_iter()
        .map(|t| (t.text, t.highlights))
        .collect();
    (hits.turns, hits.first_all, hits.first_each, turns)
}

/// Whether one of the turns holds a term: a case that says something.
fn found_any(answer: &Answer) -> bool {
    answer.0 > 0
}

#[test]
fn scanned_turns_answer_as_turns_fts_does() {
    let mut runner = TestRunner::new(Config {
        cases: 96,
        ..Config::default()
    });
    let compared = Cell::new(0usize);
    let holding = Cell::new(0usize);
    runner
        .run(
            &(
                prop::collection::vec(prop::collection::vec(text(), 1..8), 1..4),
                prop::collection::vec(query(), 1..12),
            ),
            |(transcripts, queries)| {
                let (_dir, store, conn) = store(&transcripts);
                for typed in &queries {
                    let Ok(query) = Query::parse(typed) else {
                        continue;
                    };
                    let terms = fts5_terms(&conn, &query);
                    if terms.is_empty() {
                        continue;
                    }
                    for n in 0..transcripts.len() {
                        let want = oracle(&conn, n, &terms);
                        let got = scanned(&store, n, &query);
                        prop_assert_eq!(
                            &got,
                            &want,
                            "query {:?} ({:?}), meeting {}",
                            typed,
                            terms,
                            n
                        );
                        compared.set(compared.get() + 1);
                        holding.set(holding.get() + usize::from(found_any(&want)));
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    // The comparison said something: many meetings held some of the words.
    let (compared, holding) = (compared.get(), holding.get());
    assert!(compared > 200, "{compared} comparisons");
    assert!(
        holding * 4 > compared,
        "{holding} of {compared} held a word"
    );
}

/// Cases worth keeping by name: stems, prefixes of stems, phrases over punctuation, a phrase's
/// matches overlapping or adjacent, a turn holding the markers the highlights use.
#[test]
fn known_cases_answer_as_turns_fts_does() {
    let transcripts = vec![vec![
        "I was happy, happier than happiness itself.".to_owned(),
        "Generalizations about general generation.".to_owned(),
        "understand the undertaking under cover".to_owned(),
        "roadmap roadmap roadmap: the road-map's RoadMap".to_owned(),
        "Café, cafe\u{301} and CAFÉ; naïve résumé".to_owned(),
        "\u{E000} marked text close \u{E001} roadmap".to_owned(),
        "nothing to see here".to_owned(),
    ]];
    let (_dir, store, conn) = store(&transcripts);
    for typed in [
        "happy",
        "happi",
        "happiness",
        "unde",
        "und",
        "underst",
        "\"roadmap roadmap\"",
        "\"roadmap roadmap",
        "road-map",
        "road-ma",
        "cafe",
        "café naive",
        "resume -roadmap",
        "roadmap with:maya",
        "marked",
        "general roadmap",
        "zebra roadmap",
        "\"the road\"",
    ] {
        let query = Query::parse(typed).unwrap();
        let terms = fts5_terms(&conn, &query);
        let want = oracle(&conn, 0, &terms);
        assert!(found_any(&want), "{typed}: the oracle finds it");
        assert_eq!(scanned(&store, 0, &query), want, "{typed} ({terms:?})");
    }
}
