#!/usr/bin/env python3
"""`krisp-tui --offline search` as a whole process against the floor under it: the same FTS5
statements run by a SQL shell on the same store.

Usage: python3 benches/search_floor.py [--store PATH] [--runs 30] [--binary target/release/krisp-tui]

The shell is `examples/sql.rs` (`cargo build --release --example sql`), a minimal `sqlite3` on
the SQLite krisp-tui is built with: Debian's `sqlite3` (3.40) cannot open the store, whose index
needs SQLite 3.43 or later (`contentless_delete`).

The store defaults to the one `cargo bench --bench store` generates (10,000 meetings, about
1.5 million turns; `target/store-bench-v*.sqlite3`, the newest). Terms are read from the store's
own vocabulary (`meeting_vocab`): the rarest word in at least 3 meetings, the most common word,
and the first 4 letters of a word in a twentieth to a fifth of them.

What each side does, per run, as a fresh process:
- krisp-tui: `search TERM --limit 20` (count every matching meeting; the 20 best by BM25 with
  the name, people, notes and transcript weights; for each of them its best place, an excerpt
  centred on the hit and how many places hold a word; print them).
- the shell (the floor): the count and the window of 20 over the same index (ranked by BM25, or
  newest first above 2,000 matches, as the store does), the same two statements the store runs
  first (the last word a prefix, `"word"*`), without the
  per-meeting detail krisp-tui adds.
- the shell again, with every statement krisp-tui runs for the answer (see `whole`): the same
  work without the process, the parsing and the printing around it.
Reported: median and p90 in ms, and krisp-tui's median over each floor's.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The store's BM25 column weights (crates/krisp-store/src/search.rs WEIGHTS): name, people, notes, transcript.
WEIGHTS = "10.0, 5.0, 2.0, 1.0"
# crates/krisp-store/src/search.rs RANKED_MEETINGS: more matches than this are listed newest first.
RANKED = 2000


def timed(cmd, runs, env=None):
    times = []
    out = ""
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], out


SHELL = os.path.join(ROOT, "target", "release", "examples", "sql")


def sql(db, statement):
    return subprocess.run([SHELL, db, statement], check=True,
                          capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "krisp-tui"))
    args = ap.parse_args()
    if not os.path.exists(SHELL):
        sys.exit(f"{SHELL} not found: cargo build --release --example sql")
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: cargo build --release first")
    store = args.store
    if store is None:
        stores = sorted(glob.glob(os.path.join(ROOT, "target", "store-bench-v*.sqlite3")),
                        key=os.path.getmtime)
        if not stores:
            sys.exit("no bench store: run `cargo bench --bench store` once, or pass --store")
        store = stores[-1]
    meetings = int(sql(store, "SELECT count(*) FROM meetings"))
    rare = sql(store, "SELECT term FROM meeting_vocab WHERE doc >= 3 AND length(term) > 3 "
                      "AND term GLOB '[a-z]*' ORDER BY doc, term LIMIT 1")
    common = sql(store, "SELECT term FROM meeting_vocab WHERE length(term) > 3 "
                        "AND term GLOB '[a-z]*' ORDER BY doc DESC, term LIMIT 1")
    word = sql(store, f"SELECT term FROM meeting_vocab WHERE length(term) > 5 AND term GLOB '[a-z]*' "
                      f"AND doc BETWEEN {meetings // 20} AND {meetings // 5} ORDER BY doc DESC LIMIT 1")
    prefix = word[:4]
    print(f"store {store}: {meetings:,} meetings; "
          f"{args.runs} runs each, fresh processes", flush=True)

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, NO_COLOR="1")
        base = [args.binary, "--offline", "--config-dir", home, "--data-dir", home]
        # Where this data dir's store lives; the bench store is linked there.
        first = subprocess.run(base + ["cache"], check=True, capture_output=True, text=True,
                               env=env).stdout.splitlines()[0]
        target = first.split(None, 1)[1].strip()
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.path.abspath(store), target)

        print("| query | meetings | krisp-tui p50 / p90 | count + window p50 / p90 | ratio "
              "| every statement p50 / p90 | ratio |")
        print("|---|---|---|---|---|---|---|")
        # The CLI reads the last word as a prefix, as the TUI does while typing: the floor's
        # expression is the one the store builds for it (`"word"*`).
        for label, term in [("rare word", rare), ("common word", common),
                            ("4-letter prefix", prefix)]:
            fts = f'"{term}"*'
            count = sql(store, f"SELECT count(*) FROM meeting_fts WHERE meeting_fts MATCH '{fts}'")
            # Over RANKED_MEETINGS matches the store lists newest first instead of ranking.
            order = (f"bm25(meeting_fts, {WEIGHTS}), f.rowid DESC" if int(count) <= RANKED
                     else "f.rowid DESC")
            window = (f"SELECT f.rowid FROM meeting_fts f "
                      f"JOIN meetings m ON m.key = f.rowid WHERE meeting_fts MATCH '{fts}' "
                      f"ORDER BY {order} LIMIT 20")
            floor = (f"SELECT count(*) FROM meeting_fts WHERE meeting_fts MATCH '{fts}'; "
                     f"{window};")
            ours = base + ["search", term, "--limit", "20"]
            o50, o90, _ = timed(ours, args.runs, env)
            s50, s90, _ = timed([SHELL, store, floor], args.runs)
            w50, w90, _ = timed([SHELL, store, whole(store, term, floor, window)], args.runs)
            print(f"| {label} (`{term}`) | {int(count):,} | {o50:.1f} / {o90:.1f} ms | "
                  f"{s50:.1f} / {s90:.1f} ms | {o50 / s50:.2f}× | "
                  f"{w50:.1f} / {w90:.1f} ms | {o50 / w50:.2f}× |", flush=True)


def whole(store, term, floor, window):
    """Every statement krisp-tui runs for the answer, in one shell: is the word a word of the
    index (else a prefix), the count and the window, then the window's
    rows, its fields, and its turns read (crates/krisp-store/src/search.rs `Store::hits`), each
    over the range of keys the window spans. Since store v9 the turns are matched and highlighted
    in Rust (`turn_match.rs`), which no SQL statement here does: that work is in krisp-tui's
    time, not the floor's."""
    whole_word = sql(store, f"SELECT count(*) FROM meeting_vocab WHERE term = '{term}'") != "0"
    words = f'"{term}"' if whole_word else f'"{term}"*'
    lo, hi = "(SELECT min(k) FROM w)", "(SELECT max(k) FROM w)"
    return (
        f"SELECT EXISTS (SELECT 1 FROM meeting_fts WHERE meeting_fts MATCH '\"{term}\"'); "
        f"{floor} "
        f"CREATE TEMP TABLE w AS {window.replace('SELECT f.rowid', 'SELECT f.rowid AS k', 1)}; "
        f"SELECT id, name, date_json, people_list FROM meetings WHERE key IN (SELECT k FROM w); "
        f"SELECT rowid, highlight(fields_fts, 0, '[', ']'), highlight(fields_fts, 1, '[', ']'), "
        f"highlight(fields_fts, 2, '[', ']') FROM fields_fts WHERE fields_fts MATCH '{words}' "
        f"AND rowid BETWEEN {lo} AND {hi} AND +rowid IN (SELECT k FROM w); "
        f"SELECT key, text FROM turns WHERE key BETWEEN {lo} << 20 AND (({hi} + 1) << 20) - 1 "
        f"AND +(key >> 20) IN (SELECT k FROM w);"
    )

if __name__ == "__main__":
    main()
