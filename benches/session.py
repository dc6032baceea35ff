"""Shared by the whole-process benches: `krisp-tui sandbox` on a free loopback port and a user
logged in to it, with the config, the token file and the local store in a temporary directory
and `curl` as the browser (the sandbox approves at once)."""
import contextlib
import os
import subprocess
import tempfile


@contextlib.contextmanager
def logged_in(binary, sandbox_args=(), env_extra=None, procs=None):
    """Yields (base, env, home): the command line every call starts with, its environment and the
    temporary home. The sandbox is stopped and the home removed on exit. When `procs` is a dict,
    the sandbox's `Popen` goes in it as `procs["sandbox"]` (to read its CPU time)."""
    sandbox = subprocess.Popen(
        [binary, "sandbox", "--addr", "127.0.0.1:0", "--auto-approve", *sandbox_args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if procs is not None:
        procs["sandbox"] = sandbox
    try:
        url = sandbox.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as home:
            browser = os.path.join(home, "browser.sh")
            with open(browser, "w") as f:
                f.write('#!/bin/sh\nexec curl -fsSL -o /dev/null "$1"\n')
            os.chmod(browser, 0o755)
            env = dict(os.environ, BROWSER=browser, **(env_extra or {}))
            base = [binary, "--server", url, "--config-dir", home,
                    "--data-dir", os.path.join(home, "data"),
                    "--token-store", "file", "--redirect-port", "0"]
            subprocess.run(base + ["login"], env=env, check=True, capture_output=True)
            yield base, env, home
    finally:
        sandbox.terminate()
        sandbox.wait()
