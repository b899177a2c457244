"""Running one client (httperf or httperf-rs) for a scenario: the process with its
hard timeout, what it printed, and what the server received until every connection
closed; and writing those results to disk (--keep)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time

from tools import stop_process

# Clients still running, stopped by the runner on exit, Ctrl-C or SIGTERM.
RUNNING: set[subprocess.Popen] = set()


@dataclasses.dataclass
class RunResult:
    stdout: bytes
    stderr: bytes
    status: int | None        # None = killed by the runner's hard timeout
    duration: float
    received: list[bytes]     # per-connection bytes received by the server
    server_idle: bool = True
    resumed: int | None = None  # resumed TLS handshakes the server saw (nginx-tls)


def run_client(exe: str, argv: list[str], timeout: float, env: dict[str, str],
               server) -> RunResult:
    """Runs `exe` as `httperf` with `argv` (killed after `timeout` s), then waits
    until `server` has seen every connection close and takes what it received."""
    if server is not None:
        server.log.reset()
    t0 = time.monotonic()
    proc = subprocess.Popen(["httperf"] + argv, executable=exe, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    RUNNING.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
        status: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        stop_process(proc)
        out, err = proc.communicate()
        status = None
    except BaseException:          # Ctrl-C / SIGTERM: never leave a client behind
        stop_process(proc)
        raise
    finally:
        RUNNING.discard(proc)
    dur = time.monotonic() - t0
    received: list[bytes] = []
    idle = True
    if server is not None:
        idle = server.log.wait_idle(10.0)
        received = server.log.snapshot()
    resumed = getattr(server.log, "last_resumed", None) if server is not None else None
    return RunResult(out, err, status, dur, received, idle, resumed)


def write_results(base: str, name: str, ref: RunResult, new: RunResult) -> None:
    d = os.path.join(base, "results", name)
    os.makedirs(d, exist_ok=True)
    for who, r in (("httperf", ref), ("httperf-rs", new)):
        with open(os.path.join(d, who + ".stdout"), "wb") as f:
            f.write(r.stdout)
        with open(os.path.join(d, who + ".stderr"), "wb") as f:
            f.write(r.stderr)
        with open(os.path.join(d, who + ".status"), "w") as f:
            f.write(f"{r.status}\n")
        with open(os.path.join(d, who + ".received"), "wb") as f:
            for i, data in enumerate(r.received):
                f.write(b"=== connection %d (%d bytes)\n" % (i, len(data)) + data + b"\n")
