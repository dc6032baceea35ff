#!/usr/bin/env python3
"""Whole-process figures for the sync and the store at scale (issue 17), against
`krisp-tui sandbox --meetings N` on loopback.

Usage: python3 benches/sync_speed.py [--meetings 2500] [--runs 5] [--latency-ms 200]
                                     [--binary target/release/krisp-tui] [--no-vault]

For one generated account of N meetings:
  first sync      `krisp-tui sync --json` into an empty store: wall, krisp-tui's CPU (user + sys,
                  from wait4) per meeting, the sandbox's CPU over the same time, requests;
  no-op sync      the same command again with nothing new (median of --runs);
  store / text    the store's files (database, WAL) over the bytes of text it holds: turns'
                  speakers and text, meetings' names, people and notes, documents' sections and
                  unparsed text; then the five biggest tables and indexes by `dbstat`;
  vault           `export --all --offline --dir DIR` into an empty directory, then the re-run
                  with nothing changed: the first one at once (it checks every meeting and
                  file), then, more than 2 s after the directory last changed, the median of
                  --runs (each answered from the vault's stamp in the store);
then a first sync of the same account again from a sandbox answering every request after
--latency-ms, against the floor requests x latency / concurrency (the client's default, 2).
"""
import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from session import logged_in

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """User + system CPU seconds a live process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run(cmd, env):
    """(wall s, cpu s, stdout) of one process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{err.read()}")
        return wall, usage.ru_utime + usage.ru_stime, out.read()


def store_figures(data):
    """(store bytes, text bytes, top tables by dbstat) of the one database in `data`."""
    files = os.listdir(data)
    size = sum(os.path.getsize(os.path.join(data, f)) for f in files
               if ".sqlite3" in f and not f.endswith("lock"))
    db = next(os.path.join(data, f) for f in files if f.endswith(".sqlite3"))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    b = "length(CAST({} AS BLOB))"
    one = lambda sql: conn.execute(sql).fetchone()[0] or 0
    text = (one(f"SELECT sum({b.format('text')} + {b.format('speaker')}) FROM turns")
            + one(f"SELECT sum({b.format('name')} + {b.format('people')} + {b.format('notes')})"
                  " FROM meetings")
            + one(f"SELECT sum({b.format('sections')} + {b.format('unparsed')}) FROM documents"))
    top = conn.execute(
        "SELECT name, sum(pgsize), sum(unused) FROM dbstat GROUP BY name"
        " ORDER BY 2 DESC LIMIT 8").fetchall()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    conn.close()
    return size, text, top, (pages, free)


def account(args, latency):
    procs = {}
    sandbox_args = ["--meetings", str(args.meetings), "--seed", str(args.seed)]
    if latency:
        sandbox_args += ["--latency-ms", str(latency)]
    with logged_in(args.binary, sandbox_args, {"TZ": "UTC"}, procs) as (base, env, home):
        data = os.path.join(home, "data")
        sandbox = procs["sandbox"].pid
        before = proc_cpu(sandbox)
        wall, cpu, out = run(base + ["sync", "--json"], env)
        server = proc_cpu(sandbox) - before
        s = json.loads(out)
        label = f"latency {latency} ms" if latency else "loopback"
        print(f"first sync ({label}): {wall:.2f} s wall, krisp-tui CPU {cpu:.2f} s "
              f"({cpu / args.meetings * 1000:.2f} ms per meeting), sandbox CPU {server:.2f} s, "
              f"{s['requests']} requests, {s['new']} new, {s['documents']} transcripts")
        if latency:
            floor = s["requests"] * latency / 1000 / 2
            print(f"  floor (requests x latency / 2 in flight): {floor:.1f} s; "
                  f"wall / floor = {wall / floor:.2f}")
            return
        noop = sorted(run(base + ["sync", "--json"], env)[:2] for _ in range(args.runs))
        print(f"no-op sync: {statistics.median(w for w, _ in noop) * 1000:.0f} ms wall, "
              f"{statistics.median(c for _, c in noop) * 1000:.0f} ms CPU (median of {args.runs})")
        size, text, top, (pages, free) = store_figures(data)
        print(f"store: {size / 2**20:.1f} MiB, text {text / 2**20:.1f} MiB, "
              f"ratio {size / text:.2f}; {pages} pages, {free} free")
        for name, bytes_, unused in top:
            print(f"  {name:28} {bytes_ / 2**20:8.1f} MiB ({unused / 2**20:.1f} MiB unused)")
        if args.no_vault:
            return
        vault = os.path.join(home, "vault")
        export = base + ["--offline", "export", "--all", "--dir", vault, "--json"]
        first, _, _ = run(export, env)
        checked, _, _ = run(export, env)
        # A directory changed within 2 s of a run's stamp is not trusted (coarse file system
        # timestamps): the run after that checks everything again and stamps a trusted one.
        time.sleep(2.1)
        run(export, env)
        again = [run(export, env)[0] for _ in range(args.runs)]
        print(f"vault: first {first:.1f} s, re-run with nothing changed: checking every "
              f"meeting {checked * 1000:.0f} ms, from the stamp "
              f"{statistics.median(again) * 1000:.0f} ms (median of {args.runs})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meetings", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency-ms", type=int, default=200)
    ap.add_argument("--no-vault", action="store_true")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "krisp-tui"))
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: cargo build --release first")
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"## {args.meetings} meetings, {args.binary} (load average {load})")
    account(args, 0)
    if args.latency_ms:
        account(args, args.latency_ms)


if __name__ == "__main__":
    main()
