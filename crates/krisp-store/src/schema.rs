//! The store's schema as numbered migrations, applied in order and recorded in `PRAGMA user_version`.
//!
//! A migration, once released, never changes: a new schema is a new entry at the end.

use rusqlite::{Connection, Transaction};

use super::StoreError;

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Version 1.
///
/// `key` is the meeting's search key: date-ordered (see `keys.rs`), so that FTS rowids, which
/// derive from it, put newer meetings at higher rowids and a query can walk matches newest first
/// and stop early. A transcript turn's FTS rowid is `(key << 20) | turn index`.
const V1: &str = r#"
CREATE TABLE meetings (
    key         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    date_ms     INTEGER,
    date_json   TEXT NOT NULL,
    name        TEXT NOT NULL,
    people      TEXT NOT NULL,
    notes       TEXT NOT NULL,
    people_list TEXT NOT NULL,
    people_lc   TEXT NOT NULL,
    tags        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    json        TEXT NOT NULL,
    fetched_at  INTEGER NOT NULL
);
CREATE INDEX meetings_order ON meetings(date_ms DESC, id);

CREATE TABLE meeting_tags (
    tag TEXT NOT NULL,
    key INTEGER NOT NULL,
    PRIMARY KEY (tag, key)
) WITHOUT ROWID;
CREATE INDEX meeting_tags_key ON meeting_tags(key);

CREATE VIRTUAL TABLE fields_fts USING fts5(
    name, people, notes,
    content = 'meetings', content_rowid = 'key',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER meetings_ai AFTER INSERT ON meetings BEGIN
    INSERT INTO fields_fts(rowid, name, people, notes) VALUES (new.key, new.name, new.people, new.notes);
END;
CREATE TRIGGER meetings_ad AFTER DELETE ON meetings BEGIN
    INSERT INTO fields_fts(fields_fts, rowid, name, people, notes)
        VALUES ('delete', old.key, old.name, old.people, old.notes);
END;
CREATE TRIGGER meetings_au AFTER UPDATE OF key, name, people, notes ON meetings BEGIN
    INSERT INTO fields_fts(fields_fts, rowid, name, people, notes)
        VALUES ('delete', old.key, old.name, old.people, old.notes);
    INSERT INTO fields_fts(rowid, name, people, notes) VALUES (new.key, new.name, new.people, new.notes);
END;

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    key           INTEGER NOT NULL UNIQUE,
    state         INTEGER NOT NULL,
    recording_url TEXT,
    sections      TEXT NOT NULL,
    unparsed      TEXT NOT NULL,
    turn_count    INTEGER NOT NULL,
    duration_ms   INTEGER,
    hash          TEXT NOT NULL,
    fetched_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE turns (
    key      INTEGER PRIMARY KEY,
    speaker  TEXT NOT NULL,
    start_s  INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    text     TEXT NOT NULL
);

CREATE VIRTUAL TABLE turns_fts USING fts5(
    text,
    content = 'turns', content_rowid = 'key',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER turns_ai AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts(rowid, text) VALUES (new.key, new.text);
END;
CREATE TRIGGER turns_ad AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.key, old.text);
END;

CREATE TABLE feeds (
    feed       TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE feed_items (
    feed TEXT NOT NULL,
    pos  INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (feed, pos)
) WITHOUT ROWID;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// Version 2: `meeting_fts`, one row per meeting (rowid: its key) holding its name, people,
/// notes and whole transcript, which decides which meetings match a search, counts and ranks
/// them. Contentless: the text is in `meetings` and `turns` already. Turns are joined by a
/// separator (U+E002, declared a token character) so that a phrase stays within one turn.
/// Prefixes of 3 and 4 letters are indexed: the last word is a prefix while typing, and a short
/// one expands to hundreds of words (`rifa*` took 206 ms p50 over 10,000 meetings without).
const V2: &str = "
CREATE VIRTUAL TABLE meeting_fts USING fts5(
    name, people, notes, transcript,
    content = '', contentless_delete = 1, prefix = '3 4',
    tokenize = 'porter unicode61 remove_diacritics 2 tokenchars ''\u{E002}'''
);
INSERT INTO meeting_fts(rowid, name, people, notes, transcript)
    SELECT m.key, m.name, m.people, m.notes,
           coalesce((SELECT group_concat(t.text, ' \u{E002} ' ORDER BY t.key) FROM turns t
                     WHERE t.key BETWEEN (m.key << 20) AND (((m.key + 1) << 20) - 1)), '')
    FROM meetings m;
CREATE VIRTUAL TABLE meeting_vocab USING fts5vocab(meeting_fts, 'row');
";

/// Writes one meeting's `meeting_fts` row: `?1` its key, `?2..=?3` its turns' rowid range.
pub(crate) const INDEX_MEETING: &str = "
INSERT INTO meeting_fts(rowid, name, people, notes, transcript)
    SELECT m.key, m.name, m.people, m.notes,
           coalesce((SELECT group_concat(t.text, ' \u{E002} ' ORDER BY t.key) FROM turns t
                     WHERE t.key BETWEEN ?2 AND ?3), '')
    FROM meetings m WHERE m.key = ?1";

/// Version 3: meetings the server no longer lists: out of `meetings` (so out of every list and search)
/// and kept here as they were last stored, until the store is cleared. `meeting` is the
/// meeting's JSON as sent; `document` the stored document's parts as one JSON value.
const V3: &str = r#"
CREATE TABLE deleted_meetings (
    id         TEXT PRIMARY KEY,
    deleted_at INTEGER NOT NULL,
    meeting    TEXT,
    document   TEXT
) WITHOUT ROWID;
"#;

/// Version 4: what "nothing changed" is decided from, in small tables kept current by triggers
/// as rows change, so that a sync with nothing new, `cache`, the TUI's start and a vault's
/// re-run read them instead of scanning meetings, documents and turns (at 30,000 meetings a
/// `count(*)` of the turns read most of a 2 GB store).
///
/// - `counts`: how many meetings, ready and processing documents, and turns are stored (a
///   document's turns are its `turn_count`, at most `keys::MAX_INDEXED_TURNS`: the rows it wrote).
///   Documents are counted only under a stored meeting (a document can arrive before its
///   meeting), so that the transcripts add up to the meetings: `versions`' own triggers keep
///   those two counts, since a `versions` row knows both.
/// - The transcript indexes keep up to 16 MB of new index data in memory before writing a
///   segment (1 MB by default): the sync's writer commits about 100 transcripts at a time, and
///   each flush is a segment that later merges have to rewrite.
/// - `versions`: per meeting (or document) id, the meeting's hash and date, and its document's
///   hash and state: an export compares them with what it last wrote, and the sync asks it
///   which transcripts are wanted (a partial index keeps those, newest first).
const V4: &str = "
INSERT INTO turns_fts(turns_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO meeting_fts(meeting_fts, rank) VALUES ('hashsize', 16777216);
CREATE TABLE counts (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counts (name, n)
    SELECT 'meetings', count(*) FROM meetings
    UNION ALL SELECT 'ready', count(*) FROM documents d JOIN meetings m ON m.id = d.id
        WHERE d.state = 2
    UNION ALL SELECT 'processing', count(*) FROM documents d JOIN meetings m ON m.id = d.id
        WHERE d.state <> 2
    UNION ALL SELECT 'turns', count(*) FROM turns;

CREATE TABLE versions (
    id       TEXT PRIMARY KEY,
    date_ms  INTEGER,
    meeting  TEXT,
    document TEXT,
    state    INTEGER
) WITHOUT ROWID;
CREATE INDEX versions_wanting ON versions(date_ms DESC, id)
    WHERE meeting IS NOT NULL AND (state IS NULL OR state <> 2);
INSERT INTO versions (id, date_ms, meeting, document, state)
    SELECT m.id, m.date_ms, m.hash, d.hash, d.state
    FROM meetings m LEFT JOIN documents d ON d.id = m.id
    UNION ALL
    SELECT d.id, NULL, NULL, d.hash, d.state
    FROM documents d WHERE d.id NOT IN (SELECT id FROM meetings);

CREATE TRIGGER meetings_counted_ai AFTER INSERT ON meetings BEGIN
    UPDATE counts SET n = n + 1 WHERE name = 'meetings';
    INSERT INTO versions (id, date_ms, meeting) VALUES (new.id, new.date_ms, new.hash)
        ON CONFLICT(id) DO UPDATE SET date_ms = excluded.date_ms, meeting = excluded.meeting;
END;
CREATE TRIGGER meetings_counted_ad AFTER DELETE ON meetings BEGIN
    UPDATE counts SET n = n - 1 WHERE name = 'meetings';
    UPDATE versions SET date_ms = NULL, meeting = NULL WHERE id = old.id;
    DELETE FROM versions WHERE id = old.id AND document IS NULL;
END;
CREATE TRIGGER meetings_counted_au AFTER UPDATE OF id, date_ms, hash ON meetings BEGIN
    UPDATE versions SET date_ms = NULL, meeting = NULL WHERE id = old.id;
    DELETE FROM versions WHERE id = old.id AND document IS NULL;
    INSERT INTO versions (id, date_ms, meeting) VALUES (new.id, new.date_ms, new.hash)
        ON CONFLICT(id) DO UPDATE SET date_ms = excluded.date_ms, meeting = excluded.meeting;
END;

CREATE TRIGGER documents_counted_ai AFTER INSERT ON documents BEGIN
    UPDATE counts SET n = n + min(new.turn_count, 1048575) WHERE name = 'turns';
    INSERT INTO versions (id, document, state) VALUES (new.id, new.hash, new.state)
        ON CONFLICT(id) DO UPDATE SET document = excluded.document, state = excluded.state;
END;
CREATE TRIGGER documents_counted_ad AFTER DELETE ON documents BEGIN
    UPDATE counts SET n = n - min(old.turn_count, 1048575) WHERE name = 'turns';
    UPDATE versions SET document = NULL, state = NULL WHERE id = old.id;
    DELETE FROM versions WHERE id = old.id AND meeting IS NULL;
END;
CREATE TRIGGER documents_counted_au AFTER UPDATE OF id, hash, state, turn_count ON documents
BEGIN
    UPDATE counts SET n = n - min(old.turn_count, 1048575) + min(new.turn_count, 1048575)
        WHERE name = 'turns';
    UPDATE versions SET document = NULL, state = NULL WHERE id = old.id;
    DELETE FROM versions WHERE id = old.id AND meeting IS NULL;
    INSERT INTO versions (id, document, state) VALUES (new.id, new.hash, new.state)
        ON CONFLICT(id) DO UPDATE SET document = excluded.document, state = excluded.state;
END;

CREATE TRIGGER versions_counted_ai AFTER INSERT ON versions BEGIN
    UPDATE counts SET n = n + 1 WHERE new.meeting IS NOT NULL
        AND name = CASE WHEN new.state = 2 THEN 'ready'
            WHEN new.state IS NOT NULL THEN 'processing' END;
END;
CREATE TRIGGER versions_counted_ad AFTER DELETE ON versions BEGIN
    UPDATE counts SET n = n - 1 WHERE old.meeting IS NOT NULL
        AND name = CASE WHEN old.state = 2 THEN 'ready'
            WHEN old.state IS NOT NULL THEN 'processing' END;
END;
CREATE TRIGGER versions_counted_au AFTER UPDATE OF meeting, state ON versions BEGIN
    UPDATE counts SET n = n - 1 WHERE old.meeting IS NOT NULL
        AND name = CASE WHEN old.state = 2 THEN 'ready'
            WHEN old.state IS NOT NULL THEN 'processing' END;
    UPDATE counts SET n = n + 1 WHERE new.meeting IS NOT NULL
        AND name = CASE WHEN new.state = 2 THEN 'ready'
            WHEN new.state IS NOT NULL THEN 'processing' END;
END;
";

/// Version 5: `turns_fts` without its per-row column sizes (`columnsize = 0`): only
/// `meeting_fts` ranks (BM25), `turns_fts` only says which turns match and highlights them, so
/// its `docsize` table (a row per turn, 3 % of a store) was written for nothing on every turn.
/// The index is rebuilt from `turns`. The two transcript indexes merge their segments 8 at a
/// time instead of 4: a first sync's CPU went mostly to merging segments it then merges again
/// (a sync that stores many transcripts merges everything into one segment at its end anyway).
/// New stores also get `auto_vacuum = incremental`, and an existing one switches when the sync
/// compacts it after a big first sync.
const V5: &str = "
DROP TABLE turns_fts;
CREATE VIRTUAL TABLE turns_fts USING fts5(
    text,
    content = 'turns', content_rowid = 'key', columnsize = 0,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO turns_fts(turns_fts) VALUES ('rebuild');
INSERT INTO turns_fts(turns_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO turns_fts(turns_fts, rank) VALUES ('automerge', 8);
INSERT INTO meeting_fts(meeting_fts, rank) VALUES ('automerge', 8);
";

/// Version 6: `counts.changes`, a number that moves whenever a meeting or its document is
/// stored changed, deleted or added (any change of a `versions` row). A vault whose last run saw
/// the same number, the same request and an untouched directory has nothing to do: its re-run
/// reads this one row instead of every meeting's versions and every file's `stat`.
const V6: &str = "
INSERT INTO counts (name, n) VALUES ('changes', 0);
CREATE TRIGGER versions_changed_ai AFTER INSERT ON versions BEGIN
    UPDATE counts SET n = n + 1 WHERE name = 'changes';
END;
CREATE TRIGGER versions_changed_ad AFTER DELETE ON versions BEGIN
    UPDATE counts SET n = n + 1 WHERE name = 'changes';
END;
CREATE TRIGGER versions_changed_au AFTER UPDATE ON versions
WHEN old.meeting IS NOT new.meeting OR old.document IS NOT new.document
    OR old.state IS NOT new.state OR old.date_ms IS NOT new.date_ms
BEGIN
    UPDATE counts SET n = n + 1 WHERE name = 'changes';
END;
";

/// Version 7: `turns_fts` is written by the store, one `INSERT … SELECT` per transcript
/// ([`INDEX_TURNS`]), instead of by a trigger once per turn. The index and what it holds are the
/// same; a first sync's CPU is not: a transcript of 150 turns fired the trigger's program 150
/// times, which cost more than the indexing itself (over 1,000 generated meetings, SQLite alone:
/// 6.7 ms per meeting with the trigger, 3.9 without). Deleting turns still goes through
/// `turns_ad`: an external-content index must be told the old text, which the trigger reads.
const V7: &str = "DROP TRIGGER turns_ai;";

/// Version 8: `meeting_fts` indexes prefixes of 3 letters only, not 3 and 4. Each prefix index
/// holds every word's positions again, so the two made up about 60 % of the index's CPU and as
/// many bytes as the text it indexes. A 4-letter prefix is now answered from the words it
/// starts, as a longer one always was (over the 10,000 meetings of the store bench, its most
/// common 4-letter prefix took 1.4 ms so, 0.3 ms with its index); 3 letters keep theirs (the
/// most common took 20 to 35 ms without). The index is rebuilt from `meetings` and `turns`,
/// with the settings V4 and V5 gave it.
const V8: &str = "
DROP TABLE meeting_vocab;
DROP TABLE meeting_fts;
CREATE VIRTUAL TABLE meeting_fts USING fts5(
    name, people, notes, transcript,
    content = '', contentless_delete = 1, prefix = '3',
    tokenize = 'porter unicode61 remove_diacritics 2 tokenchars ''\u{E002}'''
);
INSERT INTO meeting_fts(meeting_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO meeting_fts(meeting_fts, rank) VALUES ('automerge', 8);
INSERT INTO meeting_fts(rowid, name, people, notes, transcript)
    SELECT m.key, m.name, m.people, m.notes,
           coalesce((SELECT group_concat(t.text, ' \u{E002} ' ORDER BY t.key) FROM turns t
                     WHERE t.key BETWEEN (m.key << 20) AND (((m.key + 1) << 20) - 1)), '')
    FROM meetings m;
INSERT INTO meeting_fts(meeting_fts) VALUES ('optimize');
CREATE VIRTUAL TABLE meeting_vocab USING fts5vocab(meeting_fts, 'row');
";

/// Version 9: no `turns_fts`. The turns of the meetings a search shows are matched by scanning
/// them with `tokenize.rs`, FTS5's tokenizer in Rust (`turn_match.rs`), so the per-turn index
/// and the trigger that kept it current on deletions go: about 0.6× the text in store size and
/// a third of the first sync's indexing. The pages it held are given back by the next sync's
/// compaction (more than a tenth of the file).
const V9: &str = "
DROP TRIGGER turns_ad;
DROP TABLE turns_fts;
";

pub(crate) fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

/// Brings the schema up to `target` (at most `SCHEMA_VERSION`), one transaction per step.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for version in found..target.min(SCHEMA_VERSION) {
        let tx = conn.transaction()?;
        apply(&tx, version)?;
        tx.commit()?;
    }
    Ok(())
}

fn apply(tx: &Transaction<'_>, version: u32) -> Result<(), StoreError> {
    tx.execute_batch(MIGRATIONS[version as usize])?;
    tx.pragma_update(None, "user_version", version + 1)?;
    Ok(())
}
