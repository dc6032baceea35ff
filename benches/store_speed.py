#!/usr/bin/env python3
"""Whole-process numbers for the local store against `krisp-tui sandbox --meetings N` on loopback.

Usage: python3 benches/store_speed.py [--meetings 10000] [--runs 30] [--binary target/release/krisp-tui]

1. A first `krisp-tui sync` of N generated meetings and their transcripts: wall time, requests,
   the store's size; then a second sync with nothing new.
2. `krisp-tui --offline search WORD` as a whole process, for a rare word, a common word and a
   phrase: median and p90 over --runs runs, and the hits' count.
3. The same words with `rg` over the same meetings exported as one Markdown file each (the
   user's alternative), when ripgrep is installed (`apt-get install ripgrep`).
4. The TUI (`--offline`, so it reads only the store): time from start until the meeting list
   is on the screen, read through a pseudo-terminal, and the peak RSS once it is up.

The rare word, the common word and the phrase come from `cargo run --release --example
bench_terms -- N SEED`, which asks the sandbox's generator where its rare tokens are.
"""
import argparse
import json
import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import time

from session import logged_in

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env, runs):
    times = []
    out = None
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], out.stdout


def rss_mb(pid, field):
    """`VmHWM` (peak) or `VmRSS` (now) of a process, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def tui_first_list(base, env, expect):
    """Start the TUI on a pty and wait for `expect` on the screen; (ms, (peak, now) RSS MB)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        os.environ["TERM"] = "xterm-256color"
        os.execv(base[0], base + ["--offline"])
    start = time.perf_counter()
    seen = b""
    elapsed = None
    try:
        # The pty's size: 120x40.
        import fcntl, struct, termios
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        deadline = start + 20
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                seen += chunk
                # Answer what a terminal answers: the cursor position, and the device attributes
                # query crossterm sends to learn whether keyboard enhancement is supported (it
                # waits up to 2 s for the answer otherwise).
                if b"\x1b[6n" in chunk:
                    os.write(fd, b"\x1b[1;1R")
                if b"\x1b[c" in chunk:
                    os.write(fd, b"\x1b[?62;c")
                if expect in seen:
                    elapsed = (time.perf_counter() - start) * 1000
                    break
        time.sleep(1.0)
        rss = (rss_mb(pid, "VmHWM"), rss_mb(pid, "VmRSS"))
    finally:
        os.write(fd, b"q")
        time.sleep(0.3)
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    return elapsed, rss, seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meetings", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "krisp-tui"))
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: cargo build --release first")
    terms = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "bench_terms", "--",
         str(args.meetings), str(args.seed)],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    words = dict(line.split("\t", 1) for line in terms)

    sandbox_args = ["--meetings", str(args.meetings), "--seed", str(args.seed)]
    with logged_in(args.binary, sandbox_args) as (base, env, home):
        data = os.path.join(home, "data")

        print(f"## {args.meetings} generated meetings (seed {args.seed})\n")
        for label in ["first sync", "second sync (nothing new)"]:
            start = time.perf_counter()
            out = subprocess.run(base + ["sync", "--json"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            wall = time.perf_counter() - start
            summary = json.loads(out)
            print(f"{label}: {wall:.2f} s, {summary['requests']} requests, "
                  f"{summary['new']} new, {summary['documents']} transcripts")
        size = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data))
        print(f"store size: {size / 2**20:.1f} MiB\n")

        print("| query | hits | krisp-tui search median / p90 | rg median / p90 |")
        print("|---|---|---|---|")
        vault = None
        if shutil.which("rg"):
            vault = os.path.join(home, "vault")
            subprocess.run(base + ["--offline", "export", "--all", "--dir", vault],
                           env=env, check=True, capture_output=True)
        for kind in ["rare", "common", "phrase"]:
            word = words[kind]
            query = f'"{word}"' if kind == "phrase" else word
            med, p90, out = timed(base + ["--offline", "search", "--limit", "50", query],
                                  env, args.runs)
            hits = len(out.splitlines())
            rg = ""
            if vault:
                rmed, rp90, _ = timed(["rg", "-i", "-l", "-F", word, vault], env, args.runs)
                rg = f"{rmed:.1f} / {rp90:.1f} ms"
            print(f"| {kind}: `{query}` | {hits} | {med:.1f} / {p90:.1f} ms | {rg or 'n/a'} |")

        # The table's header is drawn with the first rows.
        ms, rss, seen = tui_first_list(base, env, b"Time")
        if ms is None:
            print(f"\nTUI --offline: the list never showed; the screen ended with {seen[-400:]!r}")
        else:
            print(f"\nTUI --offline: list on screen after {ms:.0f} ms; RSS {rss[1]:.1f} MB "
                  f"once up (peak {rss[0]:.1f} MB while the list loads)")


if __name__ == "__main__":
    main()
