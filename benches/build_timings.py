#!/usr/bin/env python3
"""Build times and binary size of two commits, measured in one run (issue 20's bar).

Usage: python3 benches/build_timings.py [--before REV] [--after REV] [--out DIR]

Each commit is exported (`git archive`) into DIR/<name>/src with a target directory of its own,
so both start from nothing but the downloaded crates (`~/.cargo/registry`). The steps alternate
between the two commits, so that a machine whose load changes treats both alike:

  release   `cargo build --release --locked --timings` into an empty target directory;
  tests     `cargo test --no-run --locked --timings`, the first test build (debug);
  touch-ui  touch one UI file (`src/ui/home.rs`), then `cargo test --no-run --locked` again:
            what a change to the screen costs before a test can run;
  size      the release binary's bytes and `cargo bloat --release --crates -n 10`.

Each step prints wall seconds, CPU seconds (user + system of cargo and everything it ran) and the
one-minute load average before it started. CPU seconds are what to compare on a shared machine.
`--timings` leaves cargo's HTML report in each target directory (path printed).

The default `--before` is the last commit of the single crate with its 26 test binaries (the
parent of a189659, "tests grouped into five binaries"); `--after` is HEAD.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def timed(cmd, cwd, env):
    """Runs `cmd`; returns (wall, cpu) seconds, cpu being the children's user + system."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} in {cwd} failed ({p.returncode}):\n{p.stderr[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout


def export(rev, into):
    if os.path.exists(into):
        shutil.rmtree(into)
    os.makedirs(into)
    archive = subprocess.run(["git", "-C", ROOT, "archive", rev], stdout=subprocess.PIPE,
                             check=True).stdout
    subprocess.run(["tar", "xf", "-", "-C", into], input=archive, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="a189659~1")
    ap.add_argument("--after", default="HEAD")
    ap.add_argument("--out", default="/tmp/krisp-build-timings")
    args = ap.parse_args()

    commits = []
    for name, rev in (("before", args.before), ("after", args.after)):
        sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", rev],
                             stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        src = os.path.join(args.out, name, "src")
        export(sha, src)
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(args.out, name, "target"))
        shutil.rmtree(env["CARGO_TARGET_DIR"], ignore_errors=True)
        commits.append((name, sha, src, env))

    def step(label, cmd):
        for name, sha, src, env in commits:
            at = load()
            wall, cpu, _ = timed(cmd, src, env)
            print(f"{label:9} {name:6} {sha}  wall {wall:7.1f} s  cpu {cpu:7.1f} s  "
                  f"(load {at:.1f})", flush=True)

    step("release", ["cargo", "build", "--release", "--locked", "--timings"])
    step("tests", ["cargo", "test", "--no-run", "--locked", "--timings"])
    for _, _, src, _ in commits:
        os.utime(os.path.join(src, "src", "ui", "home.rs"))
    step("touch-ui", ["cargo", "test", "--no-run", "--locked"])

    for name, sha, src, env in commits:
        binary = os.path.join(env["CARGO_TARGET_DIR"], "release", "krisp-tui")
        size = os.path.getsize(binary)
        tests = [f for f in os.listdir(os.path.join(env["CARGO_TARGET_DIR"], "debug", "deps"))
                 if os.access(os.path.join(env["CARGO_TARGET_DIR"], "debug", "deps", f), os.X_OK)
                 and not f.endswith(".so") and "." not in f]
        print(f"\n{name} {sha}: binary {size / 1e6:.1f} MB, {len(tests)} test executables; "
              f"timings: {env['CARGO_TARGET_DIR']}/cargo-timings/cargo-timing.html")
        _, _, bloat = timed(["cargo", "bloat", "--release", "--locked", "--crates", "-n", "10",
                             "--bin", "krisp-tui"], src, env)
        print(bloat.rstrip())


if __name__ == "__main__":
    main()
