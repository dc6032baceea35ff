//! The local SQLite store: migrations, upserts, documents, paging, filters and full-text search,
//! on real database files in temporary directories.

use std::time::Duration;

use krisp_tui::krisp::{
    ActionItem, Document, DocumentState, Meeting, MeetingDate, MeetingId, Person, Section,
    Transcript, Turn,
};
use krisp_tui::store::{
    DocState, Feed, Filter, Hit, Place, Query, SCHEMA_VERSION, Store, StoreError, Term, Upserted,
    Versions,
};

/// The first 50 meetings matching `text` (in UTC).
use serde_json::json;

/// 2026-03-01 12:00 UTC.
const NOW: jiff::Timestamp = jiff::Timestamp::constant(1_772_366_400, 0);

fn id(n: u32) -> MeetingId {
    MeetingId(format!("{n:032x}"))
}

fn meeting(n: u32, name: &str, date: Option<&str>) -> Meeting {
    let mut m = Meeting::new(id(n), name);
    m.date = date.map(MeetingDate::parse);
    m
}

fn turn(speaker: &str, secs: u64, text: &str) -> Turn {
    Turn {
        speaker: speaker.to_owned(),
        start: Duration::from_secs(secs),
        text: text.to_owned(),
    }
}

fn document(n: u32, turns: Vec<Turn>) -> Document {
    Document {
        id: id(n),
        state: DocumentState::Ready,
        recording_url: Some("https://krisp.ai/r/1".to_owned()),
        sections: vec![Section {
            heading: "Summary".to_owned(),
            body: "We met.".to_owned(),
        }],
        transcript: Transcript { turns },
        unparsed: "preamble".to_owned(),
    }
}

fn search(store: &Store, text: &str) -> Vec<Hit> {
    store
        .search(&Query::parse(text).unwrap(), 0, 50)
        .unwrap()
        .hits
}

/// The excerpt's first highlighted word.
fn word(hit: &Hit) -> &str {
    &hit.excerpt[hit.highlights[0].clone()]
}

/// A pragma's value, read through a connection of its own to the store's file.
fn pragma(path: &std::path::Path, name: &str) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

fn ids(hits: &[Hit]) -> Vec<MeetingId> {
    let mut v: Vec<MeetingId> = hits.iter().map(|h| h.meeting_id.clone()).collect();
    v.dedup();
    v
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data/store.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn bundled_sqlite_has_fts5() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn fresh_store_is_migrated_wal_and_private() {
    let (dir, store) = temp_store();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let path = dir.path().join("data/store.sqlite3");
    assert_eq!(store.path(), Some(path.as_path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mut store = store;
        store.set_meta("k", "v").unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        assert_eq!(mode(&path), 0o600);
        let wal = dir.path().join("data/store.sqlite3-wal");
        assert!(wal.exists(), "WAL mode makes a -wal file");
        assert_eq!(mode(&wal), 0o600);
        assert_eq!(mode(&dir.path().join("data/store.sqlite3-shm")), 0o600);
    }
}

#[test]
fn a_version_1_store_migrates_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite3");
    Store::create_at_version(&path, 1).unwrap();
    {
        let mut store = Store::open(&path).unwrap();
        store
            .upsert_meetings(&[meeting(1, "Kickoff", None)], NOW)
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.meeting(&id(1)).unwrap().unwrap().name, "Kickoff");
}

#[test]
fn a_version_1_store_gets_its_meeting_index_filled_by_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite3");
    Store::create_at_version(&path, 1).unwrap();
    {
        // Rows as version 1 wrote them (its triggers fill its own two indexes).
        let conn = rusqlite::Connection::open(&path).unwrap();
        let key: i64 = ((1 << 20) + 29_000_000) << 10;
        conn.execute(
            "INSERT INTO meetings (key, id, date_ms, date_json, name, people, notes, people_list,
                                   people_lc, tags, hash, json, fetched_at)
             VALUES (?1, ?2, 1740000000000, '\"2025-02-19T21:20:00Z\"', 'Kickoff', 'Chloé Martin',
                     'notes', '[\"Chloé Martin\"]', 'chloé martin', '[]', 'h', '{}', 0)",
            rusqlite::params![key, id(1).as_str()],
        )
        .unwrap();
        for (i, text) in ["we need a roadmap", "pricing is next"].iter().enumerate() {
            conn.execute(
                "INSERT INTO turns (key, speaker, start_s, start_ns, text) VALUES (?1, 'Ann', ?2, 0, ?3)",
                rusqlite::params![(key << 20) | i as i64, i as i64, text],
            )
            .unwrap();
        }
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(ids(&search(&store, "kickoff")), vec![id(1)]);
    assert_eq!(ids(&search(&store, "roadmap pricing")), vec![id(1)]);
    assert_eq!(ids(&search(&store, "with:chloe")), vec![id(1)]);
    assert!(search(&store, "\"roadmap pricing\"").is_empty());
}

/// A store of each older schema, with rows as that version wrote them (a meeting with its
/// transcript, one without), migrates to the current one with its counts, versions and
/// wanted transcripts filled, still found by search and read back whole, and stays current
/// through the next writes.
#[test]
fn a_store_of_every_older_version_migrates_with_its_counts_and_versions() {
    for version in 1..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("v{version}.sqlite3"));
        Store::create_at_version(&path, version).unwrap();
        let key = |n: i64| ((1i64 << 20) + 29_000_000 + n) << 10;
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for (n, name) in [(1, "Kickoff"), (2, "Retro")] {
                conn.execute(
                    "INSERT INTO meetings (key, id, date_ms, date_json, name, people, notes,
                                           people_list, people_lc, tags, hash, json, fetched_at)
                     VALUES (?1, ?2, ?3, 'null', ?4, 'Ann', '', '[\"Ann\"]', 'ann', '[]', ?5,
                             '{}', 0)",
                    rusqlite::params![
                        key(n),
                        id(n as u32).as_str(),
                        1_740_000_000_000i64 + n * 60_000,
                        name,
                        format!("m{n}")
                    ],
                )
                .unwrap();
            }
            let turns = ["we need a roadmap", "pricing is next"];
            for (i, text) in turns.iter().enumerate() {
                conn.execute(
                    "INSERT INTO turns (key, speaker, start_s, start_ns, text)
                     VALUES (?1, 'Ann', ?2, 0, ?3)",
                    rusqlite::params![(key(1) << 20) | i as i64, i as i64 * 7, text],
                )
                .unwrap();
            }
            if version >= 7 {
                // No trigger indexes turns since v7: the store's writes do.
                conn.execute(
                    "INSERT INTO turns_fts (rowid, text) SELECT key, text FROM turns",
                    [],
                )
                .unwrap();
            }
            conn.execute(
                "INSERT INTO documents (id, key, state, recording_url, sections, unparsed,
                                        turn_count, duration_ms, hash, fetched_at)
                 VALUES (?1, ?2, 2, NULL, '[]', '', 2, 7000, 'd1', 0)",
                rusqlite::params![id(1).as_str(), key(1)],
            )
            .unwrap();
            if version >= 2 {
                for (n, name, transcript) in [
                    (1, "Kickoff", "we need a roadmap \u{E002} pricing is next"),
                    (2, "Retro", ""),
                ] {
                    conn.execute(
                        "INSERT INTO meeting_fts (rowid, name, people, notes, transcript)
                         VALUES (?1, ?2, 'Ann', '', ?3)",
                        rusqlite::params![key(n), name, transcript],
                    )
                    .unwrap();
                }
            }
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            SCHEMA_VERSION,
            "v{version}"
        );
        let stats = store.stats().unwrap();
        assert_eq!(
            (
                stats.meetings,
                stats.documents_ready,
                stats.documents_processing,
                stats.turns
            ),
            (2, 1, 0, 2),
            "v{version}"
        );
        assert_eq!(
            store.versions(&id(1)).unwrap(),
            Some(Versions {
                meeting: "m1".to_owned(),
                document: Some("d1".to_owned()),
                doc_state: DocState::Ready,
            }),
            "v{version}"
        );
        assert_eq!(
            store.wanting_documents(10).unwrap(),
            vec![id(2)],
            "v{version}"
        );
        assert_eq!(
            ids(&search(&store, "roadmap pricing")),
            vec![id(1)],
            "v{version}"
        );
        // Prefixes while typing: 3 letters (indexed), 4 and 5 (the words they start).
        for typed in ["roa", "road", "roadm", "pricing nex"] {
            assert_eq!(
                ids(&search(&store, typed)),
                vec![id(1)],
                "v{version} {typed}"
            );
        }
        let doc = store.document(&id(1)).unwrap().unwrap();
        let texts: Vec<&str> = doc
            .transcript
            .turns
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(
            texts,
            ["we need a roadmap", "pricing is next"],
            "v{version}"
        );

        // Written after the migration: the counts and versions follow, and the number of
        // changes moves.
        let changes = store.changes().unwrap();
        store
            .upsert_documents(
                &[document(
                    2,
                    vec![turn("Bo", 1, "a retro"), turn("Bo", 2, "done")],
                )],
                NOW,
            )
            .unwrap();
        store.delete_meeting(&id(1)).unwrap();
        let stats = store.stats().unwrap();
        assert_eq!(
            (
                stats.meetings,
                stats.documents_ready,
                stats.documents_processing,
                stats.turns
            ),
            (1, 1, 0, 2),
            "v{version}"
        );
        assert_eq!(store.versions(&id(1)).unwrap(), None, "v{version}");
        assert!(store.changes().unwrap() >= changes + 2, "v{version}");
        assert_eq!(store.doc_state(&id(2)).unwrap(), DocState::Ready);
        assert!(
            store.wanting_documents(10).unwrap().is_empty(),
            "v{version}"
        );
    }
}

/// The counts the triggers keep are the rows' own, through inserts, updates, processing and
/// ready documents, documents before their meeting (counted once the meeting is stored),
/// deletions and deleted-on-server.
#[test]
fn the_kept_counts_versions_and_meeting_index_match_the_rows() {
    let (_dir, mut store) = temp_store();
    let check = |store: &Store| {
        let conn = rusqlite::Connection::open(store.path().unwrap()).unwrap();
        let one = |sql: &str| -> usize {
            conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize
        };
        let stats = store.stats().unwrap();
        assert_eq!(stats.meetings, one("SELECT count(*) FROM meetings"));
        // Documents count under a stored meeting only: the transcripts add up to the meetings.
        assert_eq!(
            stats.documents_ready,
            one(
                "SELECT count(*) FROM documents d JOIN meetings m ON m.id = d.id WHERE d.state = 2"
            )
        );
        assert_eq!(
            stats.documents_processing,
            one(
                "SELECT count(*) FROM documents d JOIN meetings m ON m.id = d.id WHERE d.state <> 2"
            )
        );
        assert_eq!(stats.turns, one("SELECT count(*) FROM turns"));
        // The meeting index is whole: FTS5 checks its own segments.
        conn.execute(
            "INSERT INTO meeting_fts(meeting_fts) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
        assert_eq!(
            one("SELECT count(*) FROM versions"),
            one("SELECT count(*) FROM (SELECT id FROM meetings UNION SELECT id FROM documents)")
        );
    };
    // A document before its meeting, then the meeting.
    store
        .upsert_documents(&[document(1, vec![turn("A", 1, "one")])], NOW)
        .unwrap();
    check(&store);
    store
        .upsert_meetings(
            &[
                meeting(1, "One", Some("2026-02-01T10:00:00Z")),
                meeting(2, "Two", Some("2026-02-02T10:00:00Z")),
            ],
            NOW,
        )
        .unwrap();
    check(&store);
    assert_eq!(store.wanting_documents(10).unwrap(), vec![id(2)]);
    // Processing, then ready with more turns, then changed.
    let mut processing = document(2, vec![]);
    processing.state = DocumentState::Processing;
    store.upsert_documents(&[processing], NOW).unwrap();
    check(&store);
    assert_eq!(store.wanting_documents(10).unwrap(), vec![id(2)]);
    store
        .upsert_documents(
            &[document(
                2,
                vec![turn("B", 1, "two"), turn("B", 2, "three")],
            )],
            NOW,
        )
        .unwrap();
    check(&store);
    assert!(store.wanting_documents(10).unwrap().is_empty());
    // A meeting moved to another date (another key) carries its document along.
    store
        .upsert_meetings(&[meeting(1, "One", Some("2026-01-01T10:00:00Z"))], NOW)
        .unwrap();
    check(&store);
    let before = store.versions(&id(2)).unwrap().unwrap();
    store
        .upsert_meetings(
            &[meeting(2, "Two, renamed", Some("2026-02-02T10:00:00Z"))],
            NOW,
        )
        .unwrap();
    let after = store.versions(&id(2)).unwrap().unwrap();
    assert_ne!(before.meeting, after.meeting);
    assert_eq!(before.document, after.document);
    check(&store);
    store.mark_deleted(&[id(1)], NOW).unwrap();
    check(&store);
    assert_eq!(store.versions(&id(1)).unwrap(), None);
    store.delete_meeting(&id(2)).unwrap();
    check(&store);
    assert_eq!(store.stats().unwrap().turns, 0);
}

/// What the sync's listing reads before handing a page to the writer: the same counts the
/// writer's upsert then reports, and the meetings without a ready transcript.
#[test]
fn classifying_a_page_says_what_storing_it_does_and_which_transcripts_are_wanted() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_meetings(
            &[
                meeting(1, "One", Some("2026-02-01T10:00:00Z")),
                meeting(2, "Two", Some("2026-02-02T10:00:00Z")),
            ],
            NOW,
        )
        .unwrap();
    store
        .upsert_documents(&[document(1, vec![turn("A", 1, "one")])], NOW)
        .unwrap();
    let page = [
        meeting(1, "One", Some("2026-02-01T10:00:00Z")),
        meeting(2, "Two, renamed", Some("2026-02-02T10:00:00Z")),
        meeting(3, "Three", Some("2026-02-03T10:00:00Z")),
    ];
    let (counts, wanting) = store.classify_meetings(&page).unwrap();
    let want = Upserted {
        new: 1,
        updated: 1,
        unchanged: 1,
    };
    assert_eq!(counts, want);
    assert_eq!(wanting, vec![id(2), id(3)]);
    // Read only: storing the page afterwards does exactly that.
    assert_eq!(store.upsert_meetings(&page, NOW).unwrap(), want);
}

/// Compacting (after a big first sync, or the free pages after deletions) changes no content and
/// no answer, and leaves a store of an older build in `auto_vacuum = incremental`.
#[test]
fn compacting_keeps_every_row_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    // A store created by an older build, before stores were made incremental.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "auto_vacuum", "NONE").unwrap();
        conn.execute_batch("CREATE TABLE meetings (x); CREATE TABLE turns (x); CREATE TABLE meta (x); DROP TABLE meetings; DROP TABLE turns; DROP TABLE meta;").unwrap();
    }
    Store::create_at_version(&path, 1).unwrap();
    let mut store = Store::open(&path).unwrap();
    let meetings: Vec<Meeting> = (1..=40)
        .map(|n| meeting(n, &format!("Meeting {n}"), Some("2026-02-01T10:00:00Z")))
        .collect();
    store.upsert_meetings(&meetings, NOW).unwrap();
    let documents: Vec<Document> = (1..=40)
        .map(|n| {
            document(
                n,
                (0..50)
                    .map(|i| turn("Ann", i, &format!("turn {i} of meeting {n} about pricing")))
                    .collect(),
            )
        })
        .collect();
    store.upsert_documents(&documents, NOW).unwrap();
    for n in 1..=30 {
        store.delete_meeting(&id(n)).unwrap();
    }
    let dump = store.dump().unwrap();
    let hits = search(&store, "pricing");
    let stats = store.stats().unwrap();
    // Deletions freed more than a tenth of the file: an ordinary sync's compaction rewrites
    // the older store, once, into one that gives pages back.
    store.compact(false).unwrap();
    assert_eq!(
        pragma(&path, "auto_vacuum"),
        2,
        "incremental after compact(false)"
    );
    store.compact(true).unwrap();
    assert_eq!(store.dump().unwrap(), dump);
    assert_eq!(search(&store, "pricing"), hits);
    let after = store.stats().unwrap();
    assert_eq!((after.meetings, after.turns), (stats.meetings, stats.turns));
    assert!(
        after.bytes < stats.bytes,
        "{} < {}",
        after.bytes,
        stats.bytes
    );
    assert_eq!(pragma(&path, "auto_vacuum"), 2, "incremental");
}

/// The pages that deleting most meetings frees are given back to the file system, all of
/// them: the first compaction after the deletions leaves no free page and a smaller file.
#[test]
fn compacting_after_deletions_gives_every_free_page_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let meetings: Vec<Meeting> = (1..=40)
        .map(|n| meeting(n, &format!("Meeting {n}"), Some("2026-02-01T10:00:00Z")))
        .collect();
    store.upsert_meetings(&meetings, NOW).unwrap();
    let documents: Vec<Document> = (1..=40)
        .map(|n| {
            let text = format!("meeting {n} talks budget and pricing at length ").repeat(8);
            document(n, (0..60).map(|i| turn("Ann", i, &text)).collect())
        })
        .collect();
    store.upsert_documents(&documents, NOW).unwrap();
    for n in 1..=36 {
        store.delete_meeting(&id(n)).unwrap();
    }
    let before = store.stats().unwrap();
    let freed = pragma(&path, "freelist_count");
    assert_eq!(
        pragma(&path, "auto_vacuum"),
        2,
        "a new store is created incremental"
    );
    assert!(
        freed > 100,
        "deleting 36 of 40 transcripts freed {freed} pages"
    );
    store.compact(false).unwrap();
    assert_eq!(pragma(&path, "freelist_count"), 0, "of {freed} free pages");
    let after = store.stats().unwrap();
    assert!(
        after.bytes + freed as u64 * 4096 / 2 <= before.bytes,
        "{} bytes after, {} before, {freed} pages were free",
        after.bytes,
        before.bytes
    );
    assert_eq!(after.meetings, 4);
    assert_eq!(ids(&search(&store, "pricing")).len(), 4);
}

#[test]
fn a_newer_store_is_refused_with_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("The local store is newer than this krisp-tui"),
        "{text}"
    );
}

/// Another program's database is refused with one sentence and left byte for byte as it was
/// (no WAL switch, no migration, no mark); a krisp-tui store from before the mark is taken.
#[test]
fn a_database_that_is_not_krisp_tuis_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.sqlite3");
    {
        let conn = rusqlite::Connection::open(&notes).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
    }
    let marked = dir.path().join("marked.sqlite3");
    {
        let conn = rusqlite::Connection::open(&marked).unwrap();
        conn.pragma_update(None, "application_id", 0x1234).unwrap();
    }
    for path in [&notes, &marked] {
        let before = std::fs::read(path).unwrap();
        let err = Store::open(path).unwrap_err();
        assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "{} is not a krisp-tui store (another program's database), so it was left untouched; move it away or give krisp-tui another --data-dir.",
                path.display()
            )
        );
        assert!(Store::open_read_only(path).is_err());
        assert_eq!(std::fs::read(path).unwrap(), before, "{}", path.display());
    }

    // A store this program wrote before it marked its files is its own.
    let old = dir.path().join("old.sqlite3");
    Store::open(&old)
        .unwrap()
        .upsert_meetings(&[meeting(1, "Kickoff", None)], NOW)
        .unwrap();
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.pragma_update(None, "application_id", 0).unwrap();
    }
    assert_eq!(
        Store::open(&old)
            .unwrap()
            .meeting(&id(1))
            .unwrap()
            .unwrap()
            .name,
        "Kickoff"
    );
    let conn = rusqlite::Connection::open(&old).unwrap();
    let mark: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mark, krisp_tui::store::APPLICATION_ID);
}

/// A file that is not a database at all: one line naming the file and the way out.
#[test]
fn a_damaged_store_names_its_file_and_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    std::fs::write(&path, "x".repeat(4096)).unwrap();
    for err in [
        Store::open(&path).unwrap_err(),
        Store::open_read_only(&path).unwrap_err(),
    ] {
        let text = err.to_string();
        assert_eq!(
            text,
            format!(
                "The local store {} could not be opened (file is not a database); `krisp-tui cache clear` deletes it, and the next sync fetches everything again.",
                path.display()
            )
        );
    }
}

#[test]
fn path_for_is_readable_and_per_server() {
    let dir = std::path::Path::new("/data");
    let a = Store::path_for(dir, "https://mcp.krisp.ai/mcp");
    let b = Store::path_for(dir, "http://127.0.0.1:7878/mcp");
    let name = a.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("mcp.krisp.ai-") && name.ends_with(".sqlite3"),
        "{name}"
    );
    assert_eq!(name.len(), "mcp.krisp.ai-".len() + 8 + ".sqlite3".len());
    assert_ne!(a, b);
    assert_eq!(a, Store::path_for(dir, "https://mcp.krisp.ai/mcp"));
    assert_eq!(a.parent(), Some(dir));
}

fn rich_meeting() -> Meeting {
    let mut m = meeting(7, "Initech roadmap", Some("2026-02-10T15:00:00Z"));
    m.attendees = vec![
        Person {
            name: "Zoë Park".to_owned(),
            email: Some("zoe@initech.com".to_owned()),
        },
        Person {
            name: "Maya Lee".to_owned(),
            email: None,
        },
    ];
    m.speakers = vec!["Maya Lee".to_owned(), "Bob".to_owned()];
    m.summary = Some("Budget for the quantum flux capacitor".to_owned());
    m.key_points = vec!["Ship in April".to_owned()];
    m.action_items = vec![ActionItem {
        text: "{{Speaker_1}} drafts the memo".to_owned(),
        assignee: Some("Maya Lee".to_owned()),
        completed: false,
        due_date: None,
        extra: Default::default(),
    }];
    m.tags = vec!["planning".to_owned()];
    m.extra.insert("weird".to_owned(), json!({"a": [1, 2]}));
    m
}

#[test]
fn upserting_the_same_page_twice_changes_nothing() {
    let (_dir, mut store) = temp_store();
    let page = vec![rich_meeting(), meeting(2, "Standup", None)];
    assert_eq!(
        store.upsert_meetings(&page, NOW).unwrap(),
        Upserted {
            new: 2,
            updated: 0,
            unchanged: 0
        }
    );
    let before = store.dump().unwrap();
    let later = NOW + jiff::SignedDuration::from_hours(1);
    assert_eq!(
        store.upsert_meetings(&page, later).unwrap(),
        Upserted {
            new: 0,
            updated: 0,
            unchanged: 2
        }
    );
    assert_eq!(store.dump().unwrap(), before);
    assert_eq!(store.meeting(&id(7)).unwrap().unwrap(), rich_meeting());
    let stamp = store.stamp(&id(7)).unwrap().unwrap();
    assert_eq!(stamp.fetched_at, later);
    assert_eq!(
        stamp.date,
        Some("2026-02-10T15:00:00Z".parse::<jiff::Timestamp>().unwrap())
    );
    assert_eq!(stamp.hash.len(), 64);
}

#[test]
fn an_update_changes_the_hash_and_the_search_rows() {
    let (_dir, mut store) = temp_store();
    store.upsert_meetings(&[rich_meeting()], NOW).unwrap();
    let old_hash = store.stamp(&id(7)).unwrap().unwrap().hash;
    assert_eq!(ids(&search(&store, "capacitor")), vec![id(7)]);
    let mut changed = rich_meeting();
    changed.summary = Some("Budget for the teleporter".to_owned());
    changed.date = Some(MeetingDate::parse("2025-01-01"));
    assert_eq!(
        store.upsert_meetings(&[changed.clone()], NOW).unwrap(),
        Upserted {
            new: 0,
            updated: 1,
            unchanged: 0
        }
    );
    assert_ne!(store.stamp(&id(7)).unwrap().unwrap().hash, old_hash);
    assert!(search(&store, "capacitor").is_empty());
    assert_eq!(ids(&search(&store, "teleporter")), vec![id(7)]);
    assert_eq!(store.meeting(&id(7)).unwrap().unwrap(), changed);
}

#[test]
fn documents_round_trip_exactly() {
    let (_dir, mut store) = temp_store();
    store.upsert_meetings(&[rich_meeting()], NOW).unwrap();
    let mut doc = document(
        7,
        vec![turn("Maya Lee", 0, "Hello"), turn("Bob", 65, "Hi\nthere")],
    );
    doc.transcript.turns[1].start = Duration::new(65, 123_456_789);
    assert_eq!(store.doc_state(&id(7)).unwrap(), DocState::Missing);
    assert_eq!(
        store.upsert_documents(&[doc.clone()], NOW).unwrap(),
        Upserted {
            new: 1,
            updated: 0,
            unchanged: 0
        }
    );
    assert_eq!(store.document(&id(7)).unwrap(), Some(doc.clone()));
    assert_eq!(store.doc_state(&id(7)).unwrap(), DocState::Ready);
    assert_eq!(
        store.upsert_documents(&[doc.clone()], NOW).unwrap(),
        Upserted {
            new: 0,
            updated: 0,
            unchanged: 1
        }
    );
    let row = &store.page(&Filter::default(), 0, 10).unwrap()[0];
    assert_eq!(row.doc_state, DocState::Ready);
    assert_eq!(row.duration_ms, Some(65_123));
    assert_eq!(row.people, vec!["Zoë Park", "Maya Lee", "Bob"]);
    assert_eq!(row.tags, vec!["planning"]);
    assert!(store.wanting_documents(10).unwrap().is_empty());
}

#[test]
fn a_processing_document_keeps_no_turns_and_does_not_replace_a_ready_one() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_meetings(
            &[
                meeting(1, "A", Some("2026-01-02")),
                meeting(2, "B", Some("2026-01-01")),
            ],
            NOW,
        )
        .unwrap();
    let processing = |n| Document::parse(id(n), None);
    store.upsert_documents(&[processing(1)], NOW).unwrap();
    assert_eq!(store.doc_state(&id(1)).unwrap(), DocState::Processing);
    assert_eq!(store.document(&id(1)).unwrap(), Some(processing(1)));
    assert_eq!(store.wanting_documents(10).unwrap(), vec![id(1), id(2)]);
    store
        .upsert_documents(&[document(1, vec![turn("A", 1, "zebra")])], NOW)
        .unwrap();
    assert_eq!(store.doc_state(&id(1)).unwrap(), DocState::Ready);
    let again = store.upsert_documents(&[processing(1)], NOW).unwrap();
    assert_eq!(again.unchanged, 1);
    assert_eq!(store.doc_state(&id(1)).unwrap(), DocState::Ready);
    assert_eq!(store.wanting_documents(10).unwrap(), vec![id(2)]);
    let s = store.stats().unwrap();
    assert_eq!(
        (
            s.meetings,
            s.documents_ready,
            s.documents_processing,
            s.turns
        ),
        (2, 1, 0, 1)
    );
    assert!(s.bytes > 0);
}

#[test]
fn a_document_before_its_meeting_is_kept_and_moves_under_it() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_documents(&[document(3, vec![turn("Ann", 5, "orphaned walrus")])], NOW)
        .unwrap();
    // Search finds meetings: a transcript whose meeting is not stored yet is not one.
    assert!(search(&store, "walrus").is_empty());
    // Nor is it counted among the meetings' transcripts: those add up to the meetings.
    store
        .upsert_meetings(&[meeting(4, "Yard", Some("2026-01-04T10:00:00Z"))], NOW)
        .unwrap();
    let s = store.stats().unwrap();
    assert_eq!(
        (s.meetings, s.documents_ready, s.documents_processing),
        (1, 0, 0)
    );
    store
        .upsert_meetings(&[meeting(3, "Zoo", Some("2026-01-05T10:00:00Z"))], NOW)
        .unwrap();
    let hits = search(&store, "walrus after:2026-01-05");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].name, "Zoo");
    assert_eq!(
        store
            .document(&id(3))
            .unwrap()
            .unwrap()
            .transcript
            .turns
            .len(),
        1
    );
}

#[test]
fn a_meeting_hit_knows_its_best_turn_and_how_many_places_hold_the_word() {
    let (_dir, mut store) = temp_store();
    store.upsert_meetings(&[rich_meeting()], NOW).unwrap();
    store
        .upsert_documents(
            &[document(
                7,
                vec![
                    turn("Maya Lee", 0, "Good morning everyone"),
                    turn("Bob", 12, "The kangaroo budget is late"),
                    turn("Maya Lee", 75, "Another kangaroo appeared"),
                ],
            )],
            NOW,
        )
        .unwrap();
    let found = store
        .search(&Query::parse("kangaroo").unwrap(), 0, 50)
        .unwrap();
    assert_eq!(found.total, 1);
    let hit = &found.hits[0];
    assert_eq!(hit.meeting_id, id(7));
    assert_eq!(hit.name, "Initech roadmap");
    assert_eq!(hit.hits, 2, "two turns hold it");
    assert_eq!(
        hit.place,
        Some(Place::Transcript {
            turn: 1,
            start_ms: 12_000,
            speaker: "Bob".to_owned()
        })
    );
    assert_eq!(hit.highlights.len(), 1, "{hit:?}");
    assert_eq!(word(hit), "kangaroo");
    assert!(!hit.excerpt.contains(['\u{E000}', '\u{E001}']));
}

fn searchable_store() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = temp_store();
    let mut a = rich_meeting();
    a.tags.push("q1".to_owned());
    let b = meeting(8, "Weekly sync", Some("2026-01-20T09:00:00Z"));
    let mut c = meeting(9, "Vendor call", None);
    c.attendees = vec![Person {
        name: "Carl".to_owned(),
        email: Some("carl@vendor.io".to_owned()),
    }];
    c.tags = vec!["planning".to_owned()];
    store.upsert_meetings(&[a, b, c], NOW).unwrap();
    store
        .upsert_documents(
            &[
                document(
                    7,
                    vec![turn("Maya", 1, "the roadmap for initech is ambitious")],
                ),
                document(
                    8,
                    vec![turn("Bob", 2, "roadmap review and initech pricing")],
                ),
                document(9, vec![turn("Carl", 3, "pricing of the roadmap widget")]),
            ],
            NOW,
        )
        .unwrap();
    (dir, store)
}

#[test]
fn phrase_exclusion_and_prefix() {
    let (_dir, store) = searchable_store();
    let mut found = ids(&search(&store, "\"roadmap review\""));
    assert_eq!(found, vec![id(8)]);
    found = ids(&search(&store, "roadmap -pricing"));
    assert_eq!(found, vec![id(7)]);
    // The last word is a prefix.
    let hits = search(&store, "initec");
    assert!(hits.iter().any(|h| h.meeting_id == id(8)), "{hits:?}");
    assert!(
        hits.iter()
            .any(|h| h.place == Some(Place::Name) && h.meeting_id == id(7))
    );
    // But not a word before it.
    assert!(search(&store, "initec roadmap").is_empty());
    // An unclosed phrase being typed: its last word is a prefix.
    assert_eq!(ids(&search(&store, "\"roadmap revi")), vec![id(8)]);
    // Diacritics.
    let hits = search(&store, "zoe");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].place, Some(Place::People));
    assert_eq!(word(&hits[0]), "Zoë");
}

#[test]
fn a_phrase_never_runs_from_one_turn_into_the_next() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_meetings(&[meeting(1, "Sync", Some("2026-01-01T10:00:00Z"))], NOW)
        .unwrap();
    store
        .upsert_documents(
            &[document(
                1,
                vec![
                    turn("Ann", 0, "we need a roadmap"),
                    turn("Bob", 5, "pricing is next"),
                ],
            )],
            NOW,
        )
        .unwrap();
    assert_eq!(ids(&search(&store, "roadmap pricing")), vec![id(1)]);
    assert!(search(&store, "\"roadmap pricing\"").is_empty());
    assert_eq!(ids(&search(&store, "\"pricing is next\"")), vec![id(1)]);
}

#[test]
fn words_spread_over_a_meeting_find_it_at_the_rarest_words_first_place() {
    let (_dir, mut store) = searchable_store();
    let mut spread = meeting(10, "Initech kickoff", Some("2026-02-20T10:00:00Z"));
    spread.tags = vec!["sales".to_owned()];
    store.upsert_meetings(&[spread], NOW).unwrap();
    store
        .upsert_documents(
            &[document(
                10,
                vec![
                    turn("Ann", 1, "welcome everyone"),
                    turn("Bob", 60, "single sign-on via okta is required"),
                    turn("Ann", 120, "and the okta rollout starts in march"),
                ],
            )],
            NOW,
        )
        .unwrap();
    // 10's name says initech and its turns say okta: found, at okta's first turn.
    let hits = search(&store, "initech okta");
    assert_eq!(ids(&hits), vec![id(10)], "{hits:?}");
    assert!(
        matches!(&hits[0].place, Some(Place::Transcript { turn: 1, speaker, .. }) if speaker == "Bob"),
        "{hits:?}"
    );
    assert_eq!(word(&hits[0]), "okta");
    // Meetings holding both words in one turn, and 10 does not hold roadmap.
    let hits = search(&store, "initech roadmap");
    assert_eq!(ids(&hits).len(), 2, "{hits:?}");
    assert!(!ids(&hits).contains(&id(10)), "10 has no roadmap: {hits:?}");
    // A phrase counts as one term; the last word is still a prefix.
    assert_eq!(
        ids(&search(&store, "\"okta rollout\" initech")),
        vec![id(10)]
    );
    assert_eq!(ids(&search(&store, "initech okt")), vec![id(10)]);
    // -word drops a meeting that holds it anywhere; filters apply.
    assert!(search(&store, "initech okta -welcome").is_empty());
    assert!(search(&store, "initech okta -kickoff").is_empty());
    assert_eq!(ids(&search(&store, "initech okta tag:sales")), vec![id(10)]);
    assert!(search(&store, "initech okta tag:planning").is_empty());
    assert!(search(&store, "initech okta before:2026-02-01").is_empty());
    assert_eq!(
        ids(&search(&store, "initech okta after:2026-02-15")),
        vec![id(10)]
    );
    // Every term must be somewhere in the meeting.
    assert!(search(&store, "initech okta pricing").is_empty());
}

#[test]
fn a_place_holding_every_word_is_cut_around_the_rarest_and_finds_it() {
    let (_dir, mut store) = searchable_store();
    store
        .upsert_meetings(
            &[meeting(11, "Initech renewal", Some("2026-03-02T10:00:00Z"))],
            NOW,
        )
        .unwrap();
    // Initech first, in three meetings; zofataf far after it, in this one only.
    let filler = "and then we went over the numbers again ".repeat(8);
    let said = format!("initech asked {filler}about zofataf before the call ended");
    store
        .upsert_documents(&[document(11, vec![turn("Ann", 30, &said)])], NOW)
        .unwrap();
    let hits = search(&store, "initech zofataf");
    assert_eq!(ids(&hits), vec![id(11)], "{hits:?}");
    let hit = &hits[0];
    assert!(
        matches!(&hit.place, Some(Place::Transcript { turn: 0, .. })),
        "{hit:?}"
    );
    // The word to find there is the rare one, and the excerpt holds it.
    assert_eq!(&hit.excerpt[hit.highlights[hit.focus].clone()], "zofataf");
    assert!(hit.excerpt.ends_with("before the call ended"), "{hit:?}");
    // One word at the place: the first.
    let hits = search(&store, "zofataf");
    assert_eq!(hits[0].focus, 0);
    assert_eq!(word(&hits[0]), "zofataf");
}

#[test]
fn the_total_counts_meetings_and_windows_walk_all_of_them() {
    let (_dir, mut store) = temp_store();
    let meetings: Vec<Meeting> = (0..250u32)
        .map(|n| {
            let mut m = meeting(
                n + 1,
                &format!("Standup {n}"),
                Some(&format!(
                    "2025-{:02}-{:02}T09:00:00Z",
                    n % 12 + 1,
                    n % 28 + 1
                )),
            );
            m.summary = Some(
                if n % 5 == 0 {
                    "roadmap and pricing"
                } else {
                    "pricing"
                }
                .into(),
            );
            m
        })
        .collect();
    store.upsert_meetings(&meetings, NOW).unwrap();
    let q = Query::parse("pricing").unwrap();
    let first = store.search(&q, 0, 100).unwrap();
    assert_eq!(first.total, 250);
    let mut walked: Vec<MeetingId> = Vec::new();
    for offset in (0..250).step_by(100) {
        walked.extend(
            store
                .search(&q, offset, 100)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.meeting_id),
        );
    }
    walked.sort();
    walked.dedup();
    assert_eq!(walked.len(), 250, "every meeting once");
    let q = Query::parse("roadmap").unwrap();
    assert_eq!(store.search(&q, 0, 10).unwrap().total, 50);
    let q = Query::parse("pricing -roadmap").unwrap();
    assert_eq!(store.search(&q, 0, 10).unwrap().total, 200);
    let q = Query::parse("pricing before:2025-01-31").unwrap();
    let found = store.search(&q, 0, 1000).unwrap();
    assert_eq!(found.total, found.hits.len());
    assert!(found.total > 0 && found.total < 250);
}

#[test]
fn an_empty_query_lists_meetings_and_with_ignores_accents() {
    let (_dir, mut store) = searchable_store();
    let mut chloe = meeting(11, "1:1", Some("2026-02-01T10:00:00Z"));
    chloe.attendees = vec![Person {
        name: "Chloé Martin".to_owned(),
        email: None,
    }];
    store.upsert_meetings(&[chloe], NOW).unwrap();
    let all = store.search(&Query::parse("").unwrap(), 0, 50).unwrap();
    assert_eq!(all.total, 4);
    assert!(all.hits.iter().all(|h| h.place.is_none()));
    assert_eq!(ids(&search(&store, "with:chloe")), vec![id(11)]);
    assert_eq!(ids(&search(&store, "with:CHLOÉ")), vec![id(11)]);
    assert_eq!(ids(&search(&store, "with:martin")), vec![id(11)]);
    assert!(
        search(&store, "with:zoe")
            .iter()
            .all(|h| h.meeting_id != id(11))
    );
}

#[test]
fn filters_apply_to_page_and_search() {
    let (_dir, store) = searchable_store();
    let all = store.page(&Filter::default(), 0, 10).unwrap();
    let order: Vec<MeetingId> = all.iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        order,
        vec![id(7), id(8), id(9)],
        "newest first, undated last"
    );
    let cases: &[(&str, Vec<MeetingId>)] = &[
        ("after:2026-02-10", vec![id(7)]),
        ("after:2026-02-11", vec![]),
        ("before:2026-02-09", vec![id(8)]),
        ("before:2026-02-10 after:2026-01-20", vec![id(7), id(8)]),
        ("with:MAYA", vec![id(7)]),
        ("with:vendor.io", vec![id(9)]),
        ("tag:planning", vec![id(7), id(9)]),
        ("tag:planning tag:q1", vec![id(7)]),
        ("tag:plan", vec![]),
    ];
    for (text, want) in cases {
        let q = Query::parse(text).unwrap();
        let page: Vec<MeetingId> = store
            .page(&q.filter, 0, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(&page, want, "page {text}");
        assert_eq!(store.count(&q.filter).unwrap(), want.len(), "count {text}");
        let q = Query::parse(&format!("{text} roadmap")).unwrap();
        let mut found = ids(&store.search(&q, 0, 50).unwrap().hits);
        found.sort();
        found.dedup();
        assert_eq!(&found, want, "search {text}");
    }
}

#[test]
fn paging_walks_newest_first_with_undated_last() {
    let (_dir, mut store) = temp_store();
    let mut page = Vec::new();
    for n in 0..30u32 {
        let date = (n % 3 != 0).then(|| format!("2026-01-{:02}T10:00:00Z", n % 28 + 1));
        page.push(meeting(n, &format!("M{n}"), date.as_deref()));
    }
    store.upsert_meetings(&page, NOW).unwrap();
    let mut walked = Vec::new();
    for offset in (0..30).step_by(7) {
        walked.extend(store.page(&Filter::default(), offset, 7).unwrap());
    }
    assert_eq!(walked.len(), 30);
    let mut expected = page.clone();
    expected.sort_by(|a, b| {
        let d = |m: &Meeting| m.date.as_ref().and_then(MeetingDate::timestamp);
        match (d(a), d(b)) {
            (Some(x), Some(y)) => y.cmp(&x).then(a.id.cmp(&b.id)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.id.cmp(&b.id),
        }
    });
    let got: Vec<&MeetingId> = walked.iter().map(|r| &r.id).collect();
    let want: Vec<&MeetingId> = expected.iter().map(|m| &m.id).collect();
    assert_eq!(got, want);
}

#[test]
fn deleting_removes_meeting_document_and_search_rows() {
    let (_dir, mut store) = searchable_store();
    store.optimize().unwrap();
    assert!(store.delete_meeting(&id(8)).unwrap());
    assert!(!store.delete_meeting(&id(8)).unwrap());
    assert_eq!(store.meeting(&id(8)).unwrap(), None);
    assert_eq!(store.document(&id(8)).unwrap(), None);
    assert!(search(&store, "review").is_empty());
    assert!(search(&store, "weekly").is_empty());
    assert_eq!(store.stats().unwrap().turns, 2);
}

#[test]
fn hostile_text_is_stored_as_is_and_queries_never_break_fts() {
    let (_dir, mut store) = temp_store();
    let name = "Evil \u{1b}[31mred\u{1b}[0m \0 name";
    store
        .upsert_meetings(&[meeting(1, name, Some("2026-01-01"))], NOW)
        .unwrap();
    store
        .upsert_documents(
            &[document(
                1,
                vec![turn("X\u{1b}", 0, "bell\u{7} and \0 nul")],
            )],
            NOW,
        )
        .unwrap();
    assert_eq!(store.meeting(&id(1)).unwrap().unwrap().name, name);
    // The transcript's rows, which feed the search index, hold the text as people read it.
    let turn = &store.document(&id(1)).unwrap().unwrap().transcript.turns[0];
    assert_eq!(
        (turn.speaker.as_str(), turn.text.as_str()),
        ("X", "bell and  nul")
    );
    let nasty = [
        "\"",
        "\"\"",
        "\"unclosed",
        "*",
        "a*b",
        "col:umn",
        "name:evil",
        "(",
        ")",
        "((evil",
        "NEAR(evil red)",
        "evil AND red",
        "evil OR",
        "NOT",
        "-",
        "--",
        "-\"",
        "^evil",
        "evil +",
        "{name}: evil",
        "'; DROP TABLE meetings; --",
        "\u{1b}[31m",
        "\0",
        "evil\"red",
        "\u{E000}evil\u{E001}",
        "with:",
        "tag:",
        "after:",
    ];
    for text in nasty {
        let q = Query::parse(text).unwrap();
        store
            .search(&q, 0, 50)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
    assert_eq!(ids(&search(&store, "(evil) name")), vec![id(1)]);
    assert_eq!(ids(&search(&store, "nul")), vec![id(1)]);
}

/// Words glued to escape sequences are indexed as people read them: `Mallory`, never
/// `31mMallory`, in names, people, notes and transcripts alike.
#[test]
fn words_glued_to_escape_sequences_are_found_as_they_read() {
    let (_dir, mut store) = temp_store();
    let red = |s: &str| format!("\u{1b}[31m{s}\u{1b}[0m");
    let mut m = meeting(1, &format!("{}budget", red("URGENT")), Some("2026-01-01"));
    m.speakers = vec![red("Mallory")];
    m.key_points = vec![format!("Pay {}", red("Trudy"))];
    store.upsert_meetings(&[m], NOW).unwrap();
    store
        .upsert_documents(
            &[document(
                1,
                vec![turn(
                    &red("Eve"),
                    0,
                    &format!("{}\u{1b}]0;title\u{7}halcyon", red("Oscar")),
                )],
            )],
            NOW,
        )
        .unwrap();
    for word in ["URGENTbudget", "Mallory", "Trudy", "Oscarhalcyon"] {
        assert_eq!(ids(&search(&store, word)), vec![id(1)], "{word}");
    }
    for glued in [
        "31mMallory",
        "31mURGENT",
        "31mTrudy",
        "31mOscar",
        "0mhalcyon",
        "title",
    ] {
        assert_eq!(
            ids(&search(&store, glued)),
            Vec::<MeetingId>::new(),
            "{glued}"
        );
    }
    assert_eq!(
        store
            .page(&Filter::default(), 0, 10)
            .unwrap()
            .into_iter()
            .map(|r| (r.name, r.people))
            .collect::<Vec<_>>(),
        [("URGENTbudget".to_owned(), vec!["Mallory".to_owned()])]
    );
}

/// Meetings the server no longer has leave lists and search and are kept aside; listed again,
/// they are back.
#[test]
fn a_meeting_marked_deleted_leaves_lists_and_search_until_it_is_listed_again() {
    let (_dir, mut store) = temp_store();
    let kept = meeting(1, "Kickoff", Some("2026-01-01"));
    let gone = meeting(2, "Retro", Some("2026-01-02"));
    store
        .upsert_meetings(&[kept.clone(), gone.clone()], NOW)
        .unwrap();
    store
        .upsert_documents(&[document(2, vec![turn("Ann", 0, "halcyon days")])], NOW)
        .unwrap();
    assert_eq!(store.mark_deleted(&[id(2), id(9)], NOW).unwrap(), 1);
    assert_eq!(store.meeting_ids().unwrap(), vec![id(1)]);
    assert_eq!(store.count(&Filter::default()).unwrap(), 1);
    assert!(search(&store, "halcyon").is_empty());
    assert!(search(&store, "retro").is_empty());
    assert_eq!(
        store.deleted_ids().unwrap(),
        std::collections::HashSet::from([id(2)])
    );
    store.upsert_meetings(&[gone], NOW).unwrap();
    assert!(store.deleted_ids().unwrap().is_empty());
    assert_eq!(ids(&search(&store, "retro")), vec![id(2)]);
}

#[test]
fn query_parsing() {
    let q =
        Query::parse(r#"after:2026-01-01 with:"maya lee" tag:x  "exact   words" -nope ok budget"#)
            .unwrap();
    assert_eq!(
        q.terms,
        vec![
            Term::Phrase("exact words".to_owned()),
            Term::Not("nope".to_owned()),
            Term::Word("budget".to_owned()),
        ]
    );
    assert_eq!(
        q.filter,
        Filter {
            after: Some("2026-01-01".to_owned()),
            before: None,
            with: vec!["maya lee".to_owned()],
            tags: vec!["x".to_owned()],
            zone: None,
        }
    );
    assert_eq!(q.short, vec!["ok".to_owned()]);
    assert_eq!(
        Query::parse("a  b ccc").unwrap(),
        Query::parse(" a b\tccc ").unwrap()
    );
    let err = Query::parse("before:2026-13-01").unwrap_err();
    assert_eq!(
        err.to_string(),
        "“2026-13-01” is not a date; write it as YYYY-MM-DD."
    );
}

#[test]
fn feeds_and_meta() {
    let (_dir, mut store) = temp_store();
    let items = vec![json!({"b": 1, "a": 2}), json!("x")];
    store.replace_feed(Feed::ActionItems, &items, NOW).unwrap();
    store.replace_feed(Feed::Upcoming, &[], NOW).unwrap();
    assert_eq!(store.feed(Feed::ActionItems).unwrap(), items);
    store
        .replace_feed(Feed::ActionItems, &items[1..], NOW)
        .unwrap();
    assert_eq!(store.feed(Feed::ActionItems).unwrap(), items[1..].to_vec());
    assert!(store.feed(Feed::Activities).unwrap().is_empty());
    assert_eq!(store.meta("last_sync").unwrap(), None);
    store.set_meta("last_sync", "2026").unwrap();
    store.set_meta("last_sync", "2027").unwrap();
    assert_eq!(store.meta("last_sync").unwrap().as_deref(), Some("2027"));
    assert!(store.dump().unwrap().contains("feed action_items 0 \"x\""));
}

#[test]
fn a_query_of_too_many_terms_is_one_sentence_and_a_long_one_is_answered() {
    let long: Vec<String> = (0..64).map(|i| format!("word{i}")).collect();
    let q = Query::parse(&long.join(" ")).unwrap();
    let (_dir, store) = searchable_store();
    assert!(store.search(&q, 0, 10).unwrap().hits.is_empty());
    let too_long: Vec<String> = (0..4000).map(|i| format!("word{i}")).collect();
    let err = Query::parse(&too_long.join(" ")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "A search may hold at most 64 words, phrases and filters; shorten it."
    );
}

#[test]
fn a_typo_is_offered_the_closest_word_of_the_index() {
    let (_dir, mut store) = searchable_store();
    let mut m = meeting(12, "Vendor sync", Some("2026-02-03T10:00:00Z"));
    m.summary = Some("The zofataf rollout".to_owned());
    store.upsert_meetings(&[m], NOW).unwrap();
    assert_eq!(store.suggest("zofatf", 3).unwrap()[0], "zofataf");
    assert_eq!(store.suggest("Zofaatf", 3).unwrap()[0], "zofataf");
    assert!(store.suggest("qqqqqqqq", 3).unwrap().is_empty());
    assert!(
        store.suggest("zo", 3).unwrap().is_empty(),
        "too short to guess"
    );
}

#[test]
fn the_turns_around_a_hit_come_in_order_with_the_words_marked() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_meetings(&[meeting(1, "Sync", Some("2026-01-01T10:00:00Z"))], NOW)
        .unwrap();
    let turns = (0..10)
        .map(|i| {
            let text = if i == 6 {
                "the roadmap slips a week".to_owned()
            } else {
                format!("turn number {i}")
            };
            turn(if i % 2 == 0 { "Ann" } else { "Bob" }, i * 10, &text)
        })
        .collect();
    store.upsert_documents(&[document(1, turns)], NOW).unwrap();
    let query = Query::parse("roadmap").unwrap();
    let around = store.turns_around(&id(1), 6, 2, &query).unwrap();
    assert_eq!(
        around.iter().map(|t| t.turn).collect::<Vec<_>>(),
        [4, 5, 6, 7, 8]
    );
    let hit = &around[2];
    assert_eq!((hit.speaker.as_str(), hit.start_ms), ("Ann", 60_000));
    assert_eq!(hit.text, "the roadmap slips a week");
    assert_eq!(
        hit.highlights
            .iter()
            .map(|r| &hit.text[r.clone()])
            .collect::<Vec<_>>(),
        ["roadmap"]
    );
    assert!(around[1].highlights.is_empty());
    // At the transcript's ends the window is cut, never wrapped into another meeting.
    let start = store.turns_around(&id(1), 0, 3, &query).unwrap();
    assert_eq!(
        start.iter().map(|t| t.turn).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    let end = store.turns_around(&id(1), 9, 3, &query).unwrap();
    assert_eq!(end.iter().map(|t| t.turn).collect::<Vec<_>>(), [6, 7, 8, 9]);
    // A meeting the store does not hold: nothing.
    assert!(store.turns_around(&id(2), 0, 3, &query).unwrap().is_empty());
}

/// A prefix being typed finds the meeting's places as its whole words do: the first turn
/// holding a word it starts, and every place that holds one (the per-meeting queries spell
/// the prefix out as the index's words that start with it; a prefix starting more than 64
/// stays a prefix).
#[test]
fn a_prefix_finds_the_same_places_as_the_words_it_starts() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_meetings(&[meeting(1, "Planning", Some("2026-03-01T10:00:00Z"))], NOW)
        .unwrap();
    let mut turns = vec![
        turn("Ann", 1, "nothing to see"),
        turn("Bo", 2, "the Quokkaland plan"),
        turn("Ann", 3, "quokkas are fine"),
        turn("Bo", 4, "a quokka"),
    ];
    // Sixty-five more words starting "zebu" (zebuaa … zebucm): too many to spell out.
    turns.extend((0..65u8).map(|i| {
        let word = format!("zebu{}{}", (b'a' + i / 26) as char, (b'a' + i % 26) as char);
        turn("Cy", 10 + u64::from(i), &word)
    }));
    store.upsert_documents(&[document(1, turns)], NOW).unwrap();
    for (typed, first_turn, places) in [("quok", 1, 3), ("quokkaland", 1, 1), ("zebu", 4, 65)] {
        let hits = search(&store, typed);
        assert_eq!(hits.len(), 1, "{typed}");
        let Some(Place::Transcript { turn, .. }) = &hits[0].place else {
            panic!("{typed}: {:?}", hits[0].place);
        };
        assert_eq!((*turn, hits[0].hits), (first_turn, places), "{typed}");
        assert!(word(&hits[0]).to_lowercase().starts_with(typed), "{typed}");
    }
}

#[test]
fn a_meetings_position_and_a_searchs_ids_follow_the_lists_order() {
    let (_dir, mut store) = temp_store();
    let meetings = [
        meeting(1, "Budget one", Some("2026-01-02T10:00:00Z")),
        meeting(2, "Budget two", Some("2026-01-03T10:00:00Z")),
        meeting(3, "Other three", None),
        meeting(4, "Budget four", None),
        meeting(5, "Other five", Some("2026-01-02T10:00:00Z")),
        meeting(6, "Budget six", Some("2025-12-30T08:00:00Z")),
    ];
    store.upsert_meetings(&meetings, NOW).unwrap();
    // Newest first, the same time by id, the undated last.
    let listed = store.ids(&Filter::default()).unwrap();
    assert_eq!(listed, [id(2), id(1), id(5), id(6), id(3), id(4)]);
    for (row, m) in listed.iter().enumerate() {
        assert_eq!(store.position(m).unwrap(), Some(row), "{m:?}");
    }
    assert_eq!(store.position(&id(99)).unwrap(), None);
    // Marks (a set) put in the list's order for an export; an id the store lacks goes last.
    let library = krisp_tui::library::Library::over(
        krisp_tui::store::Store::open(store.path().unwrap()).unwrap(),
        jiff::tz::TimeZone::UTC,
    );
    let marks = [id(99), id(4), id(1), id(2), id(6)];
    assert_eq!(
        library.newest_first(&marks).unwrap(),
        [id(2), id(1), id(6), id(4), id(99)]
    );
    // Every id of a search's answer, as its windows give them, ranked or listed.
    for text in ["budget", "budget -four", "-budget", ""] {
        let query = Query::parse(text).unwrap();
        let found = store.search(&query, 0, 100).unwrap();
        let shown: Vec<MeetingId> = found.hits.iter().map(|h| h.meeting_id.clone()).collect();
        assert_eq!(store.search_ids(&query).unwrap(), shown, "{text:?}");
        assert_eq!(shown.len(), found.total, "{text:?}");
    }
}

#[test]
fn a_misspelt_name_finds_meetings_by_their_names_a_window_at_a_time() {
    use krisp_tui::library::{Library, Matched, Window};
    let (_dir, mut store) = temp_store();
    let meetings = [
        meeting(1, "Budget planning", Some("2026-01-02T10:00:00Z")),
        meeting(2, "Budget review", Some("2026-01-03T10:00:00Z")),
        meeting(3, "Standup", Some("2026-01-04T10:00:00Z")),
        meeting(4, "Budget sync", Some("2026-01-01T10:00:00Z")),
    ];
    store.upsert_meetings(&meetings, NOW).unwrap();
    let library = Library::over(store, jiff::tz::TimeZone::UTC);
    // No meeting holds "budgt": the names like it, the same score newest first.
    let all = library.search("budgt", Window::first(10)).unwrap();
    assert_eq!(all.matched, Matched::Fuzzy);
    assert_eq!(all.total, 3);
    let found: Vec<MeetingId> = all.meetings.iter().map(|h| h.meeting_id.clone()).collect();
    assert_eq!(found, [id(2), id(1), id(4)]);
    assert!(all.meetings.iter().all(|h| h.place == Some(Place::Name)));
    assert_eq!(all.meetings[0].excerpt, "Budget review");
    // A window of it, and every id of it at once.
    let second = library
        .search(
            "budgt",
            Window {
                offset: 1,
                limit: 1,
            },
        )
        .unwrap();
    assert_eq!(second.total, 3);
    assert_eq!(second.meetings, all.meetings[1..2]);
    assert_eq!(library.search_ids("budgt").unwrap(), found);
}

/// The number of changes a vault's stamp compares moves when a meeting or a transcript is
/// added, changed or deleted, and stays put when the same is stored again (a sync with
/// nothing new).
#[test]
fn changes_move_with_what_is_stored_and_not_with_the_same_again() {
    let (_dir, mut store) = temp_store();
    let start = store.changes().unwrap();
    let m = meeting(1, "Kickoff", Some("2026-01-15T15:00:00Z"));
    let d = document(1, vec![turn("Ann", 1, "hello")]);
    let store_both = |store: &mut Store| {
        store
            .upsert_meetings(std::slice::from_ref(&m), NOW)
            .unwrap();
        store
            .upsert_documents(std::slice::from_ref(&d), NOW)
            .unwrap();
    };
    store_both(&mut store);
    let stored = store.changes().unwrap();
    assert!(stored >= start + 2, "{start} -> {stored}");
    store_both(&mut store);
    assert_eq!(store.changes().unwrap(), stored, "the same again moved it");
    let mut renamed = m.clone();
    renamed.name = "Kickoff, renamed".to_owned();
    store.upsert_meetings(&[renamed], NOW).unwrap();
    let changed = store.changes().unwrap();
    assert!(changed > stored);
    store.delete_meeting(&m.id).unwrap();
    assert!(store.changes().unwrap() > changed);
}

/// A prefix being typed finds, in each meeting it lists, the turn that holds it, as FTS5
/// reads the prefix: stemmed (`unde` is every word starting `und`, "undo" too), and each word
/// it starts written so that FTS5's stemming of it gives that word back ("interbreed" is
/// indexed as `interbre`, which FTS5 would stem again to `interbr`).
#[test]
fn a_typed_prefix_shows_the_turn_holding_it_in_every_meeting_it_lists() {
    let mut store = Store::open_in_memory().unwrap();
    let texts = [
        (1, "they interbreed often"),
        (2, "we should undo that"),
        (3, "the underwriter called"),
    ];
    let meetings: Vec<Meeting> = texts
        .iter()
        .map(|&(n, _)| meeting(n, &format!("Meeting {n}"), Some("2026-02-01T10:00:00Z")))
        .collect();
    store.upsert_meetings(&meetings, NOW).unwrap();
    let documents: Vec<Document> = texts
        .iter()
        .map(|&(n, text)| document(n, vec![turn("Ann", 1, "hello"), turn("Bo", 5, text)]))
        .collect();
    store.upsert_documents(&documents, NOW).unwrap();
    for (typed, listed, words) in [
        ("interb", vec![id(1)], vec!["interbreed"]),
        ("unde", vec![id(2), id(3)], vec!["undo", "underwriter"]),
    ] {
        let mut hits = search(&store, typed);
        hits.sort_by(|a, b| a.meeting_id.0.cmp(&b.meeting_id.0));
        assert_eq!(ids(&hits), listed, "{typed}");
        for (hit, w) in hits.iter().zip(&words) {
            assert!(
                matches!(hit.place, Some(Place::Transcript { turn: 1, .. })),
                "{typed}: {:?} in {:?}",
                hit.place,
                hit.meeting_id
            );
            assert_eq!(word(hit), *w, "{typed}");
            assert_eq!(hit.hits, 1, "{typed}");
        }
    }
}
