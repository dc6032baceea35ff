#!/usr/bin/env python3
"""The TUI's memory against the number of stored meetings (issue 17's bar: at 30,000 meetings at
most 40 MB, and within 1.15x of its memory at 2,500).

Usage: python3 benches/tui_rss.py [--binary target/release/krisp-tui] [--before OLD_BINARY]
                                  [--meetings 2500,10000] [--big]

For each size: `krisp-tui sandbox --meetings N` on loopback, a user logged in and synced (the
first sync's wall time is printed), then the TUI `--offline` (it reads only the store) in tmux on
a private socket, 120x40, keys sent at a human pace. Its VmRSS (and VmHWM, the peak) from
/proc/PID/status, with the load average, after start (the list on screen), after `G` (the oldest
meeting on screen), after a search (`/budget`, its first window on screen), and after `G` in that
search (every window of its answer read). `--before` measures a second binary (an older build)
against the same store in the same run. `--big` adds 30,000 meetings.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from session import logged_in

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOCKET = f"krisp-rss-{os.getpid()}"


def tmux(*args):
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=True, capture_output=True,
                          text=True).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "bench")


def status(pid):
    """(VmRSS, VmHWM) in MB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out["VmRSS"], out["VmHWM"]


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def settle(done, timeout=60):
    """Waits until `done(screen)` holds and the screen stays the same for 0.6 s."""
    deadline = time.time() + timeout
    last = None
    steady = 0
    while time.time() < deadline:
        now = screen()
        if done(now) and now == last:
            steady += 1
            if steady >= 3:
                return now
        else:
            steady = 0
        last = now
        time.sleep(0.2)
    raise RuntimeError(f"the screen did not settle:\n{last}")


def keys(text):
    for c in text:
        tmux("send-keys", "-t", "bench", "-l", c)
        time.sleep(0.08)


def measure(binary, base, env, home):
    """The four figures for one binary against the store of `base`."""
    script = os.path.join(home, "tui.sh")
    with open(script, "w") as f:
        exports = "".join(f"export {k}='{v}'\n" for k, v in env.items()
                          if k in ("BROWSER", "HOME", "PATH"))
        args = " ".join(f"'{a}'" for a in [binary, *base[1:], "--offline"])
        f.write(f"#!/bin/sh\n{exports}exec {args}\n")
    os.chmod(script, 0o755)
    for attempt in range(20):
        # The server of the previous measure may still be going away.
        try:
            tmux("new-session", "-d", "-s", "bench", "-x", "120", "-y", "40", script)
            break
        except subprocess.CalledProcessError:
            if attempt == 19:
                raise
            time.sleep(0.5)
    rows = []
    try:
        pid = int(tmux("list-panes", "-t", "bench", "-F", "#{pane_pid}").split()[0])
        # The list is on screen, and no row is still being read ("…").
        listed = lambda s: "Meetings ·" in s and "│…" not in s
        settle(listed)
        time.sleep(1)
        rows.append(("after start", *status(pid), load()))
        keys("G")
        settle(listed)
        time.sleep(1)
        rows.append(("after G", *status(pid), load()))
        keys("/budget")
        settle(lambda s: "budget" in s and "meeting" in s and "│…" not in s)
        time.sleep(1)
        rows.append(("after a search (/budget)", *status(pid), load()))
        tmux("send-keys", "-t", "bench", "Tab")
        time.sleep(0.2)
        keys("G")
        settle(lambda s: "budget" in s, timeout=120)
        time.sleep(1)
        rows.append(("after G in that search", *status(pid), load()))
    finally:
        tmux("kill-server")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "krisp-tui"))
    ap.add_argument("--before", help="an older build, measured against the same stores")
    ap.add_argument("--before-label", default="before", help="what to call it in the table")
    ap.add_argument("--meetings", default="2500,10000")
    ap.add_argument("--big", action="store_true", help="30,000 meetings too")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    for b in filter(None, [args.binary, args.before]):
        if not os.path.exists(b):
            sys.exit(f"{b} not found: cargo build --release first")
    sizes = [int(n) for n in args.meetings.split(",")] + ([30000] if args.big else [])
    binaries = [("after", os.path.abspath(args.binary))]
    if args.before:
        binaries.insert(0, (args.before_label, os.path.abspath(args.before)))
    results = {}
    for n in sizes:
        sandbox_args = ["--meetings", str(n), "--seed", str(args.seed)]
        with logged_in(binaries[-1][1], sandbox_args) as (base, env, home):
            start = time.perf_counter()
            out = subprocess.run(base + ["sync", "--json"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            summary = json.loads(out)
            print(f"{n} meetings: first sync {time.perf_counter() - start:.1f} s "
                  f"({summary['new']} new, {summary['documents']} transcripts), "
                  f"load {load()}", flush=True)
            for label, binary in binaries:
                for what, rss, hwm, avg in measure(binary, base, env, home):
                    results[(n, label, what)] = (rss, hwm, avg)
                    print(f"  {label:8} {what:26} RSS {rss:6.1f} MB  peak {hwm:6.1f} MB  "
                          f"load {avg}", flush=True)
    print("\n| meetings | build | after start | after G | after a search | after G in it |")
    print("|---|---|---|---|---|---|")
    whats = ["after start", "after G", "after a search (/budget)", "after G in that search"]
    for n in sizes:
        for label, _ in binaries:
            cells = []
            for what in whats:
                rss, hwm, avg = results[(n, label, what)]
                cells.append(f"{rss:.1f} MB (peak {hwm:.1f}, load {avg})")
            print(f"| {n:,} | {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
