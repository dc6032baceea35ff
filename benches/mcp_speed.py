#!/usr/bin/env python3
"""`krisp-tui mcp` over stdio, timed from the client's side, on a store synced from
`krisp-tui sandbox --meetings N`.

Usage: python3 benches/mcp_speed.py [--meetings 10000] [--runs 30] [--binary target/release/krisp-tui]

1. `initialize`: from starting `krisp-tui --offline mcp` to its `initialize` reply, a new process
   each run (what an agent pays when it starts the server): median and p90.
2. `search` tool calls over one server process kept alive, for a rare word and a common word
   (the first call, which opens the store, is reported apart): p50 and p90.

The rare word comes from `cargo run --example bench_terms -- N SEED` (the generator's record of
where its rare tokens are), in the profile of --binary.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from session import logged_in

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "mcp_speed", "version": "1"}}}


class Server:
    """One `krisp-tui mcp` process spoken to over its stdin and stdout."""

    def __init__(self, cmd, env):
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.next_id = 1

    def send(self, message):
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            reply = json.loads(self.proc.stdout.readline())
            if reply.get("id") == self.next_id:
                return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def percentiles(times):
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.9) - 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meetings", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "krisp-tui"))
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: cargo build --release first")
    profile = ["--release"] if "/release/" in args.binary else []
    terms = subprocess.run(
        ["cargo", "run", "--quiet", *profile, "--example", "bench_terms", "--",
         str(args.meetings), str(args.seed)],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    words = dict(line.split("\t", 1) for line in terms)

    sandbox_args = ["--meetings", str(args.meetings), "--seed", str(args.seed)]
    with logged_in(args.binary, sandbox_args) as (base, env, _home):
        start = time.perf_counter()
        subprocess.run(base + ["sync"], env=env, check=True, capture_output=True)
        print(f"## {args.meetings} generated meetings (seed {args.seed}), "
              f"synced in {time.perf_counter() - start:.0f} s; {args.binary}\n")
        cmd = base + ["--offline", "mcp"]

        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            server = Server(cmd, env)
            server.send(INIT)
            reply = json.loads(server.proc.stdout.readline())
            times.append((time.perf_counter() - start) * 1000)
            assert reply["result"]["serverInfo"]["name"] == "krisp-tui", reply
            server.close()
        median, p90 = percentiles(times)
        print("| what | p50 | p90 |")
        print("|---|---|---|")
        print(f"| process start + `initialize` ({args.runs} processes) | {median:.1f} ms | {p90:.1f} ms |")

        server = Server(cmd, env)
        server.send(INIT)
        server.proc.stdout.readline()
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        start = time.perf_counter()
        server.request("tools/call", {"name": "search", "arguments": {"query": words["rare"]}})
        print(f"| first `search` (opens the store) | {(time.perf_counter() - start) * 1000:.1f} ms | |")
        for label in ["rare", "common"]:
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                reply = server.request("tools/call",
                                       {"name": "search", "arguments": {"query": words[label]}})
                times.append((time.perf_counter() - start) * 1000)
            result = reply["result"]
            assert not result.get("isError"), result
            total = result["structuredContent"]["total"]
            median, p90 = percentiles(times)
            print(f"| `search` {label} word `{words[label]}` ({total} meetings) | "
                  f"{median:.1f} ms | {p90:.1f} ms |")
        server.close()


if __name__ == "__main__":
    main()
