#!/usr/bin/env python3
"""Output-compatibility runner: httperf 0.9.0 vs httperf-rs.

Runs every scenario through the reference httperf (/usr/bin/httperf) and then
through httperf-rs, against servers started on free loopback ports, and compares
stdout (line by line, field by field), stderr, the exit status and the exact
request bytes each server connection received.  This file is the command line and
the loop; the scenarios are in scenarios/, the servers in servers.py, running a
client in client.py and the comparison rules in compare.py.

Python 3.11 standard library only.  See README.md beside this file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile

from client import RUNNING, run_client, write_results
from compare import compare
from roundtrip import roundtrip
from scenarios import SCENARIOS
from servers import HOST, start_servers
from tools import REFERENCE, ensure_tools, stop_process

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
DEFAULT_BINARY = os.path.join(REPO_ROOT, "target", "release", "httperf-rs")


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    ap = argparse.ArgumentParser(description="Compare httperf 0.9.0 and httperf-rs outputs.")
    ap.add_argument("--binary", help="httperf-rs binary (default: $HTTPERF_RS or "
                    "target/release/httperf-rs in the repo root)")
    ap.add_argument("--reference", default=REFERENCE,
                    help=f"reference httperf binary (default {REFERENCE})")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only scenarios whose name contains NAME (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temp dir (outputs of every run in results/)")
    args = ap.parse_args()

    selected = [s for s in SCENARIOS
                if not args.only or any(o in s.name for o in args.only)]
    if args.list:
        for s in selected:
            print(f"{s.name:24} [{s.server or '-'}] {s.desc}")
        return 0
    if not selected:
        print("no scenario matches", file=sys.stderr)
        return 2

    binary = args.binary or os.environ.get("HTTPERF_RS") or DEFAULT_BINARY
    binary = os.path.abspath(binary)
    if not os.access(binary, os.X_OK):
        print(f"httperf-rs binary not found or not executable: {binary} "
              "(build it with `cargo build --release`, or pass --binary)", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    needed = {s.server for s in selected if s.server}
    nginx_bin = ensure_tools(args.reference, bool(needed & {"nginx", "nginx-tls"}))

    tmp = tempfile.mkdtemp(prefix="httperf-compat-")
    servers: dict = {}
    passed = failed = xfailed = 0
    try:
        for who, target in (("ref", os.path.abspath(args.reference)), ("new", binary)):
            os.makedirs(os.path.join(tmp, who))
            os.symlink(target, os.path.join(tmp, who, "httperf"))
        ref_exe = os.path.join(tmp, "ref", "httperf")
        new_exe = os.path.join(tmp, "new", "httperf")
        env = dict(os.environ, LC_ALL="C", LANG="C")
        env.pop("LANGUAGE", None)
        servers = start_servers(needed, tmp, nginx_bin)
        print(f"httperf-rs: {binary}", file=sys.stderr, flush=True)

        for sc in selected:
            server = servers.get(sc.server) if sc.server else None
            port = str(server.port) if server else ""
            files = os.path.join(tmp, "files", sc.name)
            os.makedirs(files, exist_ok=True)
            for rel, content in sc.files.items():
                with open(os.path.join(files, rel), "wb") as f:
                    f.write(content)
            argv = [a.replace("{host}", HOST).replace("{port}", port).replace("{files}", files)
                    for a in sc.argv]
            ref = run_client(ref_exe, argv, sc.timeout, env, server)
            new = run_client(new_exe, argv, sc.timeout, env, server)
            write_results(tmp, sc.name, ref, new)
            diffs = compare(sc, ref, new, tmp)
            diffs += roundtrip(binary, sc, ref, new, tmp)
            if diffs and sc.known_bug:
                xfailed += 1
                print(f"XFAIL {sc.name} (known httperf-rs bug: {sc.known_bug})", flush=True)
                print("    argv: httperf " + " ".join(argv))
                for d in diffs:
                    print("    " + d)
                sys.stdout.flush()
            elif sc.known_bug:
                failed += 1
                print(f"XPASS {sc.name}: the known bug no longer shows; remove its "
                      "known_bug marker", flush=True)
            elif diffs:
                failed += 1
                print(f"FAIL {sc.name}", flush=True)
                print("    argv: httperf " + " ".join(argv))
                for d in diffs:
                    print("    " + d)
                sys.stdout.flush()
            else:
                passed += 1
                print(f"PASS {sc.name}", flush=True)
    finally:
        for proc in list(RUNNING):
            stop_process(proc)
        for s in servers.values():
            try:
                s.stop()
            except Exception:
                pass
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed"
          + (f", {xfailed} known httperf-rs bugs (XFAIL)" if xfailed else ""), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:        # e.g. `run.py --list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)

