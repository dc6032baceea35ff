#!/usr/bin/env python3
"""What SQLite alone spends to index a synced store's transcripts, in several index designs: the
floor under the first sync's CPU per meeting (issue 17), with no network, JSON or Rust in it.

Usage: python3 benches/index_floor.py STORE [--meetings 1000] [designs...]

Reads the newest --meetings transcripts of STORE (a krisp-tui store, e.g. one `krisp-tui sync`
filled from `krisp-tui sandbox --meetings 10000`; opened read-only), then for each design writes
them into a new database in a temporary directory as the sync's writer does: 100 transcripts a
transaction, WAL, `synchronous = normal`, then `optimize` and a checkpoint. Prints the CPU time
per meeting of the writes and of the optimize + checkpoint, and the database's bytes per byte of
transcript text. Python's `sqlite3` module is used (its SQLite is the system's, not the one
bundled into krisp-tui: the figures are a floor's order of magnitude, not krisp-tui's).

Designs (default: all):
  v9            the store's schema since v9: `turns` rows and `meeting_fts` (one row per
                meeting, contentless, prefixes of 3 letters), no per-turn index;
  current       the store's schema v7: `turns` rows, `turns_fts` over them written by one
                INSERT ... SELECT per transcript, `meeting_fts` (prefixes of 3 and 4 letters);
  trigger       the same with `turns_fts` written by a trigger per turn (store v1 to v6);
  meeting-only  `turns` and `meeting_fts` only (no index per turn);
  no-prefix     `current` without the prefix indexes;
  bare          `turns` and an unprefixed `meeting_fts` only: about the least a searchable
                transcript can cost with FTS5.
"""
import argparse
import os
import sqlite3
import tempfile
import time

TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
SEPARATOR = " \ue002 "
BATCH = 100


def read(store, n):
    src = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    keys = [r[0] for r in src.execute(
        "SELECT key FROM meetings WHERE key IN (SELECT key FROM documents WHERE state = 2) "
        "ORDER BY key DESC LIMIT ?", (n,))]
    docs = []
    for k in keys:
        rows = src.execute(
            "SELECT key, speaker, start_s, start_ns, text FROM turns WHERE key BETWEEN ? AND ?",
            (k << 20, ((k + 1) << 20) - 1)).fetchall()
        docs.append((k, rows))
    src.close()
    return docs


def run(docs, text_bytes, label, per_turn="select", prefix="'3 4'", meeting=True):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.sqlite3")
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode = wal")
        db.execute("PRAGMA synchronous = normal")
        db.executescript(f"""
            CREATE TABLE turns (key INTEGER PRIMARY KEY, speaker TEXT, start_s INTEGER,
                                start_ns INTEGER, text TEXT);
            CREATE VIRTUAL TABLE meeting_fts USING fts5(transcript, content = '',
                prefix = {prefix}, {TOKENIZE});
            INSERT INTO meeting_fts(meeting_fts, rank) VALUES ('hashsize', 16777216);
            INSERT INTO meeting_fts(meeting_fts, rank) VALUES ('automerge', 8);
        """)
        if per_turn:
            db.executescript(f"""
                CREATE VIRTUAL TABLE turns_fts USING fts5(text, content = 'turns',
                    content_rowid = 'key', columnsize = 0, {TOKENIZE});
                INSERT INTO turns_fts(turns_fts, rank) VALUES ('hashsize', 16777216);
                INSERT INTO turns_fts(turns_fts, rank) VALUES ('automerge', 8);
            """)
        if per_turn == "trigger":
            db.execute("CREATE TRIGGER turns_ai AFTER INSERT ON turns BEGIN "
                       "INSERT INTO turns_fts(rowid, text) VALUES (new.key, new.text); END")
        start = time.process_time()
        for i in range(0, len(docs), BATCH):
            db.execute("BEGIN")
            for k, rows in docs[i:i + BATCH]:
                lo, hi = k << 20, ((k + 1) << 20) - 1
                db.executemany("INSERT INTO turns VALUES (?, ?, ?, ?, ?)", rows)
                if per_turn == "select":
                    db.execute("INSERT INTO turns_fts(rowid, text) SELECT key, text FROM turns "
                               "WHERE key BETWEEN ? AND ?", (lo, hi))
                if meeting:
                    db.execute(
                        "INSERT INTO meeting_fts(rowid, transcript) SELECT ?, coalesce("
                        "(SELECT group_concat(text, ?) FROM turns WHERE key BETWEEN ? AND ?), '')",
                        (k, SEPARATOR, lo, hi))
            db.execute("COMMIT")
        writes = time.process_time() - start
        db.execute("INSERT INTO meeting_fts(meeting_fts) VALUES ('optimize')")
        if per_turn:
            db.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        total = time.process_time() - start
        db.execute("VACUUM")
        db.close()
        size = os.path.getsize(path)
    n = len(docs)
    print(f"{label:13} {total / n * 1000:6.2f} ms/meeting  (writes {writes / n * 1000:.2f}, "
          f"optimize {(total - writes) / n * 1000:.2f})  database / text {size / text_bytes:.2f}",
          flush=True)


def main():
    designs = {
        "v9": {"per_turn": None, "prefix": "'3'"},
        "current": {},
        "trigger": {"per_turn": "trigger"},
        "meeting-only": {"per_turn": None},
        "no-prefix": {"prefix": "''"},
        "bare": {"per_turn": None, "prefix": "''"},
    }
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("--meetings", type=int, default=1000)
    ap.add_argument("designs", nargs="*", help=", ".join(designs))
    args = ap.parse_args()
    for name in args.designs:
        if name not in designs:
            ap.error(f"no design {name!r}: the designs are {', '.join(designs)}")
    docs = read(args.store, args.meetings)
    text = sum(len(r[1].encode()) + len(r[4].encode()) for _, rows in docs for r in rows)
    turns = sum(len(rows) for _, rows in docs)
    print(f"{len(docs)} transcripts, {turns} turns, {text / len(docs) / 1024:.1f} KiB of speakers "
          f"and text each (SQLite {sqlite3.sqlite_version})")
    for name in args.designs or designs:
        run(docs, text, name, **designs[name])


if __name__ == "__main__":
    main()
