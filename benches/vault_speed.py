#!/usr/bin/env python3
"""Whole-process timing of `krisp-tui export --all` (the Markdown vault) from a synced store.

Usage: python3 benches/vault_speed.py [--meetings 10000] [--runs 5] [--binary target/release/krisp-tui]

For the demo account and for a generated account of --meetings meetings: starts
`krisp-tui sandbox` on loopback, logs in (file token store in a temp dir, stand-in browser),
`krisp-tui sync`s the store, then times, each as a fresh process with --offline (the store only):
  first     the whole vault written into an empty directory;
  re-run    the same command again with nothing changed (median of --runs), after checking that
            it touched no file: every file's bytes and modification time are the same after it.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

from session import logged_in

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, env):
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return took, p.stdout.strip()


def snapshot(directory):
    out = {}
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        st = os.stat(path)
        with open(path, "rb") as f:
            out[name] = (st.st_mtime_ns, f.read())
    return out


def account(binary, label, sandbox_args, runs):
    with logged_in(binary, sandbox_args, {"TZ": "UTC"}) as (base, env, home):
        synced, _ = run(base + ["sync"], env)
        vault = os.path.join(home, "vault")
        export = base + ["--offline", "export", "--all", "--dir", vault, "--json"]
        first, summary = run(export, env)
        files = len([n for n in os.listdir(vault) if n.endswith(".md")])
        size = sum(os.path.getsize(os.path.join(vault, n)) for n in os.listdir(vault))
        before = snapshot(vault)
        again = []
        for _ in range(runs):
            took, rerun = run(export, env)
            again.append(took)
        if snapshot(vault) != before:
            sys.exit(f"{label}: a re-run with nothing changed touched a file")
        print(f"{label:22} {files:6d} files {size / 1048576:7.1f} MiB   sync {synced:6.1f}s   "
              f"first {first:6.2f}s   re-run {statistics.median(again) * 1000:7.1f}ms "
              f"(median of {runs}, no file touched)")
        print(f"{'':22} first: {summary}")
        print(f"{'':22} re-run: {rerun}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--meetings", type=int, default=10000)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "krisp-tui"))
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: cargo build --release first")
    account(args.binary, "demo account", [], args.runs)
    account(args.binary, f"{args.meetings} meetings", ["--meetings", str(args.meetings)], args.runs)


if __name__ == "__main__":
    main()
