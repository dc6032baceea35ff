#!/usr/bin/env python3
"""Whole-process timing of headless krisp-tui commands against the sandbox on loopback.

Usage: python3 benches/cli_speed.py [--runs N] [--binary target/release/krisp-tui]

Starts `krisp-tui sandbox`, logs in once (file token store in a temp dir, stand-in browser),
then runs each command N times as a fresh process and reports the median and p90 wall time
and the peak RSS (max over runs). This is what a script calling krisp-tui pays per call:
process start, credential load, connect, initialize, the request, exit.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

from session import logged_in

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "krisp-tui"))
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: cargo build --release first")

    with logged_in(args.binary) as (base, env, _home):
        commands = {
            "tools": ["tools", "--no-login"],
            "call search_meetings": ["call", "search_meetings", "search=roadmap", "--no-login"],
            "status": ["status"],
            "--version": ["--version"],
        }
        print(f"{'command':24} {'median':>9} {'p90':>9} {'peak RSS':>10}   ({args.runs} runs)")
        for name, extra in commands.items():
            times = []
            peak = 0
            for _ in range(args.runs):
                start = time.perf_counter()
                p = subprocess.Popen(base + extra, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, status, usage = os.wait4(p.pid, 0)
                times.append(time.perf_counter() - start)
                peak = max(peak, usage.ru_maxrss)
                if status != 0:
                    sys.exit(f"{name} failed with status {status}")
            times.sort()
            median = statistics.median(times) * 1000
            p90 = times[int(len(times) * 0.9) - 1] * 1000
            print(f"{name:24} {median:8.1f}ms {p90:8.1f}ms {peak / 1024:8.1f}MB")


if __name__ == "__main__":
    main()
