#!/usr/bin/env python3
"""Output-compatibility runner: httperf 0.9.0 vs httperf-rs.

Runs every scenario through the reference httperf (/usr/bin/httperf) and then
through httperf-rs, against servers this script starts on free loopback ports,
and compares stdout (line by line, field by field), stderr, the exit status and
the exact request bytes each server connection received.

Python 3.11 standard library only.  See README.md beside this file.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
DEFAULT_BINARY = os.path.join(REPO_ROOT, "target", "release", "httperf-rs")
REFERENCE = "/usr/bin/httperf"
HOST = "127.0.0.1"

# Fixed mtime for the nginx document tree, so Last-Modified and ETag never change.
FIXED_MTIME = 1700000000


# --------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------

@dataclasses.dataclass
class Scenario:
    name: str
    argv: list[str]            # without program name; {host} and {port} are filled in
    server: str | None         # key of SERVERS below, or None (command-line error cases)
    desc: str = ""
    # Timing fields that must nevertheless be equal (field names: see FIELD_RULES).
    exact: tuple[str, ...] = ()
    # Count fields reduced to a format check: {field: documented reason}.
    loose: dict[str, str] = dataclasses.field(default_factory=dict)
    # Timing fields where a finite value vs -nan/inf is accepted: {field: reason}.
    nonfinite_ok: dict[str, str] = dataclasses.field(default_factory=dict)
    # "exact" (after normalisation), "ignore", or "arrival-delays:N" (exact, except that
    # the -vvv `next arrival delay` lines are compared by compare_delays()).
    stderr: str = "exact"
    # Sanity checks on BOTH outputs: {field: expected text}.  They prove the
    # scenario exercises what it claims (e.g. that the server really resets).
    expect: dict[str, str] = dataclasses.field(default_factory=dict)
    # Sanity checks on BOTH stdouts: {regex: n}, exactly n lines fullmatch the regex
    # (after masking), e.g. that --print-reply=body printed RB lines and no RH line.
    expect_lines: dict[str, int] = dataclasses.field(default_factory=dict)
    # Files written to the scenario's own directory before it runs ({files} in argv).
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)
    # Legitimately varying text masked in both stdouts before comparing: each entry is
    # (regex, reason); the regex's first group is replaced by "<masked>" wherever it
    # matches a whole line, and it must match in both outputs.
    mask: tuple[tuple[str, str], ...] = ()
    # Documented httperf-rs deviations, applied to the REFERENCE stdout before the
    # exact comparison; see Deviation.  Scenarios with deviations are expected to fail
    # the httperf-vs-httperf self-check (--binary /usr/bin/httperf).
    deviations: tuple["Deviation", ...] = ()
    # A known, reported httperf-rs bug this scenario shows (command, expected, actual in
    # the report).  Its differences are printed as XFAIL and do not fail the run; once
    # the bug is fixed the scenario passes, which is reported as XPASS and fails the run
    # until this marker is removed.  Never a way to accept a difference for good.
    known_bug: str = ""
    timeout: float = 60.0
    # nginx-tls only: resumed TLS handshakes the server must see, for
    # (httperf, httperf-rs): "0", or "some" (at least one).
    resumed: tuple[str, str] | None = None


@dataclasses.dataclass(frozen=True)
class Deviation:
    """Where httperf 0.9.0 prints the consecutive lines `ref`, httperf-rs prints `new`
    instead, for the documented `reason` (COMPAT-POLICY 'Do not copy').  Every
    occurrence in the reference stdout is replaced before the comparison, which then
    stays exact; a deviation that does not occur in the reference output is a failure
    (the scenario no longer shows what it claims)."""
    reason: str
    ref: tuple[str, ...]
    new: tuple[str, ...]


FD_REASON = ("COMPAT-POLICY 'Do not copy': httperf-rs does not cap the open-file limit "
             "at FD_SETSIZE=1024, so the verbose descriptor count may differ")

SEQ = ("burst-length", "concurrency")   # deterministic for sequential (rate 0) runs

# ---- --print-request / --print-reply (spec 8) ----
DATE_MASK = (r"RH\d+:Date: (.*)\r",
             "nginx's Date header carries the current time (fixed length)")
CHUNK_REASON = ("COMPAT-POLICY 'Do not copy' (output from reading past a buffer): 0.9.0's "
                "LF search runs past each chunk payload into the chunk framing, printing "
                "'hello\\r' and ' world!\\r'; httperf-rs prints only payload bytes, "
                "split at the payload's own LFs, and flushes the pending line at reply "
                "completion (httperf-rs README, compatibility section)")

SPLIT_REASON = ("COMPAT-POLICY 'Do not copy' (a --print-reply artefact): 0.9.0 looks for "
                "the header's end (CR LF CR LF) within each read only, so when the blank "
                "line is split across two reads it prints the rest of the read, body "
                "included, as RH lines too; httperf-rs prints the header lines once")


def chunked_deviation(call: int) -> "Deviation":
    return Deviation(CHUNK_REASON, (f"RB{call}:hello\r", f"RB{call}: world!\r"),
                     (f"RB{call}:hello world!",))


def _print(name: str, opts: list[str], server: str, desc: str, calls: int = 1,
           conns: int = 1, **kw) -> Scenario:
    argv = ["--server={host}", "--port={port}", *opts, f"--num-conns={conns}"]
    if calls != 1:
        argv.append(f"--num-calls={calls}")
    kw.setdefault("exact", SEQ)
    return Scenario(name, argv, server, desc, **kw)


# Per call of the `ok` server: 4 SH lines + SS, 4 RH lines, 2 RB lines + RS.
SH, SB, SS = r"SH\d+:.*", r"SB\d+:.*", r"SS\d+: header \d+ content \d+"
RH, RB, RS = r"RH\d+:.*", r"RB\d+:.*", r"RS\d+: header \d+ content \d+ footer \d+"

PRINT_SCENARIOS: list["Scenario"] = [
    _print("print-request", ["--print-request"], "ok",
           "--print-request: SH lines (CR kept) and the SS summary", calls=2,
           expect_lines={SH: 8, SB: 0, SS: 2, RH: 0, RS: 0,
                         r"SS1: header 62 content 0": 1}),
    _print("print-request-header", ["--print-request=header"], "ok",
           "--print-request=header: SH + SS", calls=2,
           expect_lines={SH: 8, SB: 0, SS: 2, RH: 0, RS: 0}),
    _print("print-request-body", ["--print-request=body"], "ok",
           "--print-request=body: no body, so only SS lines", calls=2,
           expect_lines={SH: 0, SB: 0, SS: 2, RH: 0, RS: 0}),
    _print("print-reply", ["--print-reply"], "ok",
           "--print-reply: RH lines, RB body lines, RS summary", calls=2,
           expect_lines={SH: 0, SS: 0, RH: 8, RB: 4, RS: 2,
                         r"RS1: header 65 content 37 footer 0": 1}),
    _print("print-reply-header", ["--print-reply=header"], "ok",
           "--print-reply=header: RH + RS", calls=2,
           expect_lines={SH: 0, SS: 0, RH: 8, RB: 0, RS: 2}),
    _print("print-reply-body", ["--print-reply=body"], "ok",
           "--print-reply=body: RB + RS", calls=2,
           expect_lines={SH: 0, SS: 0, RH: 0, RB: 4, RS: 2}),
    _print("print-keepalive", ["--print-request", "--print-reply"], "ok",
           "both options, 2 connections x 3 calls: call ids 0..5 in order", calls=3, conns=2,
           expect_lines={SS: 6, RS: 6, r"SS5: header 62 content 0": 1,
                         r"RS5: header 65 content 37 footer 0": 1}),
    _print("print-request-add-header", ["--print-request=header", "--add-header=X-A: 1\\nX-B: 2\\n"],
           "ok", "--add-header lines appear as SH lines", calls=2,
           expect_lines={SH: 12, r"SH1:X-B: 2\r": 1, r"SS0: header 78 content 0": 1}),
    _print("print-http10-head", ["--print-request", "--print-reply", "--http-version=1.0",
                                 "--method=HEAD"], "ok",
           "HTTP/1.0 HEAD: Connection: keep-alive SH line, RS with content 0", calls=2,
           expect_lines={RB: 0, r"RS\d+: header 65 content 0 footer 0": 2}),
    _print("print-reply-nolf", ["--print-reply"], "ok-nolf",
           "body without a final LF: 0.9.0 flushes it as an RB line at reply completion",
           calls=2, expect_lines={RB: 4, r"RB1:no final newline": 1}),
    _print("print-reply-close-body", ["--print-request", "--print-reply"], "close-body",
           "body ended by the server's close: RB lines, RS at EOF", conns=2,
           expect_lines={RB: 4, RS: 2}),
    _print("print-reply-404", ["--print-reply"], "404", "a 404 reply's header and body",
           expect_lines={RB: 1, r"RH0:HTTP/1.1 404 Not Found\r": 1}),
    _print("print-nginx", ["--print-request", "--print-reply", "--uri=/index.html"], "nginx",
           "nginx: 1010-byte body ending in LF, Date masked", calls=2, mask=(DATE_MASK,),
           expect_lines={r"RH\d+:Date: <masked>\r": 2, SS: 2, RS: 2,
                         r"RS1: header \d+ content 1010 footer 0": 1}),
    _print("print-nginx-nolf", ["--print-reply=body", "--uri=/tree/nolf.txt"], "nginx",
           "nginx: body without a final LF, flushed at reply completion", calls=2, conns=2,
           expect_lines={RB: 8, RH: 0, r"RB3:last line without LF": 1}),
    _print("print-nginx-header", ["--print-reply=header", "--print-request=header",
                                  "--uri=/tree/sub/data.txt"], "nginx",
           "nginx: headers only, Date masked", calls=3, mask=(DATE_MASK,),
           expect_lines={RB: 0, RS: 3, SS: 3}),
    _print("print-chunked", ["--print-reply"], "chunked",
           "chunked reply: documented deviation, payload-only RB lines", calls=2,
           deviations=(chunked_deviation(0), chunked_deviation(1)),
           expect_lines={r"RB\d+:hello world!": 2,
                         r"RS1: header 47 content 12 footer 15": 1}),
    _print("print-split-header", ["--print-reply"], "split-head",
           "header end split across two reads: documented deviation", calls=2,
           deviations=tuple(Deviation(SPLIT_REASON, (f"RH{i}:httperf compat test body",
                                                     f"RH{i}:second line"), ())
                            for i in (0, 1)),
           expect_lines={RH: 8, RB: 4, r"RS1: header 65 content 37 footer 0": 1}),
    _print("print-chunked-header", ["--print-reply=header", "--print-request=header"],
           "chunked", "chunked reply, headers only: no artefact, identical", calls=2,
           expect_lines={RB: 0, RS: 2}),
]

# ---- verbose output (spec 2.5, 2.7, 7.3, 7.4, 7.6) ----
WLOG = b"/a\0/b\0\0/c\0"
ACCESS = r"httperf: accessing URI `.*'"
VERBOSE_SCENARIOS: list["Scenario"] = [
    Scenario("verbose-samples", ["-v", "--client=0/4", "--server={host}", "--port={port}",
                                 "--num-conns=30", "--rate=20"], "ok",
             "-v: descriptor line and one reply-rate sample (the first is due at 1.25 s "
             "with --client=0/4; the run lasts 1.45 s)",
             loose={"open-descriptors": FD_REASON},
             expect={"total.replies": "30", "reply-rate.samples": "1"},
             expect_lines={r"reply-rate = \d+\.\d *": 1, ACCESS: 0}),
    Scenario("verbose-histogram", ["-v", "-v", "--server={host}", "--port={port}",
                                   "--num-conns=8"], "ok",
             "-v -v: connection-lifetime histogram before Total: (separator lines)",
             exact=SEQ, loose={"open-descriptors": FD_REASON},
             expect={"total.replies": "8"},
             expect_lines={r"Connection lifetime histogram \(time in ms\):": 1}),
    Scenario("verbose-wset", ["-v", "--server={host}", "--port={port}", "--uri=/foo/",
                              "--wset=10,0.5", "--num-conns=2", "--num-calls=3"], "ok",
             "-v --wset: accessing URI lines (with 0.9.0's --uri=/foo/ prefix bug)",
             exact=SEQ, loose={"open-descriptors": FD_REASON},
             expect={"total.requests": "6"}, expect_lines={ACCESS: 6}),
    Scenario("verbose-wset-client", ["--verbose", "--client=2/3", "--server={host}",
                                     "--port={port}", "--wset=10,1", "--num-conns=3"], "ok",
             "--verbose --wset=10,1 --client=2/3: /5.html /8.html /1.html (spec 4.4)",
             exact=SEQ, loose={"open-descriptors": FD_REASON},
             expect={"total.requests": "3"},
             expect_lines={r"httperf: accessing URI `/8.html'": 1}),
    Scenario("verbose-wlog", ["-v", "--server={host}", "--port={port}",
                              "--wlog=n,{files}/uris", "--num-conns=5"], "ok",
             "-v --wlog=n: accessing URI lines; the wrap ends the test (4 conns, 3 requests) "
             "and the 4th call, never sent, still prints `/a' after the burst line",
             exact=SEQ, loose={"open-descriptors": FD_REASON}, files={"uris": WLOG},
             expect={"total.connections": "4", "total.requests": "3"},
             expect_lines={ACCESS: 4}),
    Scenario("verbose-wlog-loop", ["-v", "--server={host}", "--port={port}",
                                   "--wlog=y,{files}/uris", "--num-conns=5",
                                   "--print-request=header"], "ok",
             "-v --wlog=y with --print-request: URIs wrap (/a /b /c /a /b), each accessing "
             "line before its SH lines",
             exact=SEQ, loose={"open-descriptors": FD_REASON}, files={"uris": WLOG},
             expect={"total.requests": "5"},
             expect_lines={ACCESS: 5, r"SH4:GET /b HTTP/1.1\r": 1}),
    Scenario("debug", ["-d", "1", "--server={host}", "--port={port}", "--num-conns=2",
                       "--num-calls=2"], "ok",
             "-d 1: stdout exactly as without it; debug stderr dropped (stderr=debug)",
             exact=SEQ, stderr="debug", expect={"total.replies": "4"}),
    Scenario("debug-print", ["--debug=5", "--print-request", "--print-reply", "-v",
                             "--server={host}", "--port={port}", "--num-conns=2"], "ok",
             "--debug=5 with print and -v: no trace on stdout, print lines intact",
             exact=SEQ, stderr="debug", loose={"open-descriptors": FD_REASON},
             expect={"total.replies": "2"}, expect_lines={RS: 2, SS: 2}),
]


SCENARIOS: list[Scenario] = [
    # ---- httperf.1 EXAMPLES (request mode), adapted to the local nginx ----
    Scenario("man-hog", ["--hog", "--server", "{host}", "--port", "{port}"], "nginx",
             "httperf.1 example 1: one --hog connection for /",
             exact=SEQ, expect={"burst-length": "0", "concurrency": "1", "status.2xx": "1"}),
    Scenario("man-hog-rate", ["--hog", "--server", "{host}", "--port", "{port}",
                              "--num-conns", "20", "--ra", "10", "--timeout", "5"], "nginx",
             "httperf.1 example 2 scaled down (100 -> 20 connections), abbreviated --ra",
             expect={"total.replies": "20"}),
    # ---- basic request-mode workloads against nginx ----
    Scenario("rate", ["--server={host}", "--port={port}", "--uri=/index.html",
                      "--num-conns=100", "--rate=200"], "nginx",
             "spec 7.8 example A: 100 connections at 200/s",
             expect={"total.replies": "100", "request-size": "72.0",
                     "reply-size.content": "1010.0"}),
    Scenario("sequential", ["--server={host}", "--port={port}", "--uri=/index.html",
                            "--num-conns=50"], "nginx",
             "rate 0: each connection starts when the previous one is destroyed",
             exact=SEQ, expect={"burst-length": "1", "concurrency": "1"}),
    Scenario("keepalive", ["--server={host}", "--port={port}", "--uri=/index.html",
                           "--num-conns=5", "--num-calls=10"], "nginx",
             "10 calls per persistent connection",
             exact=SEQ, expect={"total.replies": "50", "conn-length": "10.000"}),
    Scenario("burst", ["--server={host}", "--port={port}", "--uri=/index.html",
                       "--num-conns=5", "--num-calls=10", "--burst-length=5"], "nginx",
             "pipelined bursts of 5 requests",
             exact=SEQ, expect={"total.replies": "50", "conn-length": "10.000"}),
    Scenario("period-d", ["-vvv", "--client=3/5", "--server={host}", "--port={port}",
                          "--num-conns=9", "--period=d0.01"], "nginx",
             "deterministic --period; -vvv prints each inter-arrival draw on stderr",
             stderr="arrival-delays:8",
             loose={"open-descriptors": FD_REASON}, expect={"total.replies": "9"}),
    Scenario("period-u", ["-vvv", "--client=3/5", "--server={host}", "--port={port}",
                          "--num-conns=9", "--period=u0.005,0.015"], "nginx",
             "uniform --period: the erand48 sequence for client 3 must be identical",
             stderr="arrival-delays:8",
             loose={"open-descriptors": FD_REASON}, expect={"total.replies": "9"}),
    Scenario("period-e", ["-vvv", "--client=3/5", "--server={host}", "--port={port}",
                          "--num-conns=9", "--period=e0.01"], "nginx",
             "exponential --period: the erand48 sequence for client 3 must be identical",
             stderr="arrival-delays:8",
             loose={"open-descriptors": FD_REASON}, expect={"total.replies": "9"}),
    Scenario("http10", ["--server={host}", "--port={port}", "--http-version=1.0",
                        "--num-conns=5", "--num-calls=2"], "nginx",
             "HTTP/1.0 requests (Connection: keep-alive header)",
             exact=SEQ, expect={"total.replies": "10"}),
    Scenario("head", ["--server={host}", "--port={port}", "--method=HEAD",
                      "--num-conns=5", "--num-calls=2"], "nginx",
             "HEAD: replies without a body",
             exact=SEQ, expect={"total.replies": "10", "reply-size.content": "0.0"}),
    Scenario("add-header", ["--server={host}", "--port={port}",
                            "--add-header=X-A: 1\\nX-B: 2\\n", "--num-conns=3"], "nginx",
             "--add-header with \\n escapes (two header lines)",
             exact=SEQ, expect={"request-size": "78.0"}),
    Scenario("add-header-escapes", ["--server={host}", "--port={port}",
                                    "--add-header=X-C: \\101\\q\\\\\\r\\a", "--num-conns=2"],
             "ok", "octal, unknown (warning on stderr), backslash, \\r and \\a escapes",
             exact=SEQ, expect={"total.replies": "2"}),
    Scenario("uri-path", ["--server={host}", "--port={port}", "--uri=/tree/sub/page.html",
                          "--num-conns=3"], "nginx", "--uri with a path into the tree",
             exact=SEQ, expect={"status.2xx": "3"}),
    Scenario("uri-404-nginx", ["--server={host}", "--port={port}", "--uri=/no/such/file",
                               "--num-conns=3"], "nginx", "nginx 404 page",
             exact=SEQ, expect={"status.4xx": "3"}),
    Scenario("server-name", ["--server={host}", "--port={port}",
                             "--server-name=www.example.test:8080", "--num-conns=3"], "nginx",
             "--server-name sets the Host header (echoed as --server_name)",
             exact=SEQ, expect={"status.2xx": "3"}),
    Scenario("buffers", ["--server={host}", "--port={port}", "--send-buffer=8192",
                         "--recv-buffer=32768", "--num-conns=3"], "nginx",
             "--send-buffer / --recv-buffer", exact=SEQ, expect={"status.2xx": "3"}),
    Scenario("close-with-reset", ["--server={host}", "--port={port}", "--close-with-reset",
                                  "--num-conns=5"], "nginx", "close with RST (SO_LINGER 0)",
             exact=SEQ, expect={"status.2xx": "5", "errors.total": "0"}),
    Scenario("think-timeout", ["--server={host}", "--port={port}", "--think-timeout=2",
                               "--timeout=1", "--num-conns=3"], "nginx",
             "--think-timeout with a normal server (no timeouts expected)",
             exact=SEQ, expect={"status.2xx": "3", "errors.client-timo": "0"}),
    # ---- deterministic Python servers ----
    Scenario("chunked", ["--server={host}", "--port={port}", "--num-conns=1",
                         "--num-calls=2"], "chunked",
             "chunked replies with a trailer, 2 calls on one connection (spec 7.8 D)",
             exact=SEQ, expect={"reply-size.header": "47.0", "reply-size.content": "12.0",
                                "reply-size.footer": "15.0", "total.replies": "2"}),
    Scenario("conn-close", ["--server={host}", "--port={port}", "--num-conns=1",
                            "--num-calls=2"], "close",
             "server sends Connection: close; the 2nd request meets EOF -> connreset",
             exact=SEQ, expect={"total.requests": "2", "total.replies": "1",
                                "errors.connreset": "1"}),
    Scenario("close-delimited", ["--server={host}", "--port={port}", "--num-conns=3"],
             "close-body", "body without length, ended by the server's close",
             exact=SEQ, expect={"total.replies": "3", "errors.total": "0"}),
    Scenario("status-404", ["--server={host}", "--port={port}", "--num-conns=3",
                            "--num-calls=2"], "404", "4xx replies on keep-alive connections",
             exact=SEQ, expect={"status.4xx": "6"}),
    Scenario("status-503", ["--server={host}", "--port={port}", "--num-conns=3"], "503",
             "5xx replies", exact=SEQ, expect={"status.5xx": "3"}),
    Scenario("print-request-reply", ["--server={host}", "--port={port}", "--print-request",
                                     "--print-reply", "--num-conns=1", "--num-calls=2"], "ok",
             "SH/SS/RH/RB/RS lines for a simple Content-Length reply",
             exact=SEQ, expect={"total.replies": "2"}),
    *PRINT_SCENARIOS,
    *VERBOSE_SCENARIOS,
    Scenario("refused", ["--server={host}", "--port={port}", "--num-conns=3"], "refused",
             "nothing listening on the port -> connrefused",
             exact=SEQ, expect={"errors.connrefused": "3", "total.requests": "0"}),
    Scenario("client-timeout", ["--server={host}", "--port={port}", "--timeout=1",
                                "--num-conns=2"], "silent",
             "server accepts and never answers; --timeout=1 -> client-timo (spec 7.8 F)",
             exact=SEQ, expect={"errors.client-timo": "2", "total.requests": "2",
                                "total.replies": "0"}),
    Scenario("think-timeout-silent", ["--server={host}", "--port={port}",
                                      "--think-timeout=1", "--num-conns=1"], "silent",
             "--think-timeout alone acts as a reply timeout",
             exact=SEQ, expect={"errors.client-timo": "1"}),
]

# ---- sessions: --wsess, --wsesslog, --session-cookies, --failure-status (spec 4.5-4.9,
# 7.5).  The session block (rate, connections/session, lifetime, failtime, length
# histogram) is compared like the rest of the report; the request bytes show the URIs,
# methods, bodies and cookies of every call.
# httperf.1's --wsesslog example file, verbatim except think=2.0 -> think=0.2 (short runs).
MAN_SESSLOG = b"""\
# Comment lines start with a ``#'' as the first
# character.  Lines with only whitespace delimit
# sessions (multiple blank lines do not generate
# ``null'' sessions).  All other lines specify a
# uri-sequence (1 uri per line).  If the first
# character of the line is whitespace (e.g. space
# or tab), the uri is considered to be part of a
# burst that is sent out after the previous
# non-burst uri.

# session 1 definition (this is a comment)
/foo.html think=0.2
\t/pict1.gif
\t/pict2.gif
/foo2.html method=POST contents='Post data'
\t/pict3.gif
\t/pict4.gif
\t
# session 2 definition
/foo3.html method=POST contents="Multiline\\ndata"
/foo4.html method=HEAD
"""
SESS = {"sessions": MAN_SESSLOG}
BODY_NOLF_REASON = ("COMPAT-POLICY 'Do not copy' (output from reading past a buffer): "
                    "0.9.0's --print-request never prints a request body line without a "
                    "final LF ('Post data', the 'data' after 'Multiline\\n'); httperf-rs "
                    "prints it as its own SB line at the end of the request (httperf-rs "
                    "README, compatibility section)")
SESSION_SCENARIOS: list["Scenario"] = [
    # httperf.1 EXAMPLES 3 and 5 (without --ssl: see tls-sessions*), scaled down
    Scenario("sess-man", ["--hog", "--server={host}", "--port={port}", "--wsess=10,5,0.1",
                          "--rate", "10", "--timeout", "5"], "nginx",
             "httperf.1 --wsess example scaled down (think 2 -> 0.1 s, rate 1 -> 10)",
             expect={"total.connections": "10", "total.replies": "50",
                     "sessions.completed": "10", "session.conns": "1.00"}),
    Scenario("sess-man-burst", ["--hog", "--server={host}", "--port={port}",
                                "--wsess=10,5,0.1", "--burst-length=5", "--rate=10",
                                "--timeout=5"], "nginx",
             "the same with --burst-length=5: one call, then 4 pipelined",
             expect={"total.replies": "50", "sessions.completed": "10"}),
    Scenario("sess-man-http10", ["--hog", "--server={host}", "--port={port}",
                                 "--wsess=10,5,0.1", "--rate=10", "--timeout=5",
                                 "--http-version=1.0"], "nginx",
             "httperf.1 example 5 without SSL: HTTP/1.0, a connection per call",
             expect={"total.connections": "50", "sessions.completed": "10",
                     "session.conns": "5.00"}),
    # --burst-length, --max-connections, --max-piped-calls (spec 4.5, 4.6)
    Scenario("sess-burst-rate", ["--server={host}", "--port={port}", "--uri=/index.html",
                                 "--wsess=3,5,0.1", "--burst-length=2", "--rate=10"],
             "nginx", "bursts of 2 (one call, then one more), 5 calls: bursts 2+2+1",
             expect={"total.replies": "15", "sessions.completed": "3"}),
    Scenario("sess-http10-spread", ["--server={host}", "--port={port}", "--uri=/index.html",
                                    "--wsess=4,6,0", "--burst-length=3",
                                    "--http-version=1.0"], "nginx",
             "HTTP/1.0, bursts of 3, sequential sessions: a connection per call, spread "
             "over the slots (<=3 concurrent connections, connect bursts of 2)",
             exact=SEQ, expect={"total.connections": "24", "session.conns": "6.00",
                                "concurrency": "3", "burst-length": "2"}),
    Scenario("sess-max1", ["--server={host}", "--port={port}", "--wsess=2,4,0.05",
                           "--max-connections=1", "--max-piped-calls=1"], "nginx",
             "--max-connections=1 --max-piped-calls=1: one call at a time, one connection",
             exact=SEQ, expect={"total.replies": "8", "session.conns": "1.00"}),
    Scenario("sess-max2-piped2", ["--server={host}", "--port={port}", "--wsess=2,10,0",
                                  "--burst-length=5", "--max-connections=2",
                                  "--max-piped-calls=2"], "nginx",
             "bursts of 5 with 2 slots of 2 piped calls: the 4 calls after the first "
             "fill both slots",
             exact=SEQ, expect={"total.replies": "20", "session.conns": "2.00"}),
    Scenario("sess-max2-piped2-rate", ["--server={host}", "--port={port}", "--wsess=3,10,0",
                                       "--burst-length=5", "--max-connections=2",
                                       "--max-piped-calls=2", "--rate=10"], "nginx",
             "the same at a rate (concurrency is a timing figure there, as in every rate "
             "scenario, so the rest stays compared while sess-max2-piped2 is XFAIL)",
             expect={"total.replies": "30", "session.conns": "2.00"}),
    Scenario("sess-sequential", ["--server={host}", "--port={port}", "--uri=/index.html",
                                 "--wsess=3,4,0", "--burst-length=2"], "nginx",
             "rate 0: each session starts when the previous one ends (its connection "
             "still exists then: <=2 concurrent connections)",
             exact=SEQ, expect={"concurrency": "2", "total.replies": "12",
                                "sessions.completed": "3"}),
    # httperf.1's --wsesslog example (POSTs to static files: nginx answers 405)
    Scenario("sesslog-man-max1", ["--server={host}", "--port={port}",
                                  "--wsesslog=4,0.01,{files}/sessions",
                                  "--max-piped-calls=1", "--max-connections=1"], "nginx",
             "httperf.1's session file, one call at a time: sessions 1,2,1,2",
             exact=SEQ, files=SESS,
             expect={"total.requests": "16", "sessions.completed": "4",
                     "status.4xx": "4"}),
    Scenario("sesslog-man", ["--server={host}", "--port={port}",
                             "--wsesslog=3,0,{files}/sessions"], "nginx",
             "httperf.1's session file, defaults (bursts pipelined on one connection)",
             exact=SEQ, files=SESS,
             expect={"total.requests": "14", "sessions.completed": "3"}),
    Scenario("sesslog-man-http10", ["--server={host}", "--port={port}", "--http-version=1.0",
                                    "--wsesslog=3,0,{files}/sessions"], "nginx",
             "httperf.1's session file over HTTP/1.0: a connection per call",
             exact=SEQ, files=SESS,
             expect={"total.connections": "14", "sessions.completed": "3"}),
    Scenario("sesslog-print", ["--server={host}", "--port={port}", "--print-request",
                               "--wsesslog=2,0,{files}/sessions", "--max-piped-calls=1",
                               "--max-connections=1"], "ok",
             "--print-request with the session file: methods, Content-length, bodies "
             "(documented deviation: the body lines without a final LF)",
             exact=SEQ, files=SESS,
             deviations=(Deviation(BODY_NOLF_REASON, ("SH3:\r", "SS3: header 91 content 9"),
                                   ("SH3:\r", "SB3:Post data", "SS3: header 91 content 9")),
                         Deviation(BODY_NOLF_REASON, ("SB6:Multiline", "SS6: header 92 content 14"),
                                   ("SB6:Multiline", "SB6:data", "SS6: header 92 content 14"))),
             expect_lines={SB: 3, r"SH7:HEAD /foo4.html HTTP/1.1\r": 1,
                           r"SH\d+:Content-length: \d+\r": 2}),
    # --session-cookies (spec 4.9)
    Scenario("sess-cookies", ["--server={host}", "--port={port}", "--session-cookies",
                              "--add-header=X-A: 1\\n", "--wsess=2,3,0"], "cookie",
             "two Set-Cookie headers per reply (the last, with attributes, wins): "
             "Cookie: b=k after the --add-header line",
             exact=SEQ, expect={"total.replies": "6", "sessions.completed": "2"}),
    Scenario("sess-cookies-burst", ["--server={host}", "--port={port}", "--session-cookies",
                                    "--wsess=2,4,0", "--burst-length=3"], "cookie",
             "cookies with pipelined bursts: both calls after the first carry b=1",
             exact=SEQ, expect={"total.replies": "8"}),
    Scenario("sess-cookies-http10", ["--server={host}", "--port={port}",
                                     "--session-cookies", "--http-version=1.0",
                                     "--wsess=2,3,0"], "cookie",
             "cookies across a session's HTTP/1.0 connections",
             exact=SEQ, expect={"total.connections": "6"}),
    Scenario("sess-cookies-long", ["--server={host}", "--port={port}", "--session-cookies",
                                   "--uri=/long", "--wsess=1,3,0"], "cookie",
             "a 302-byte cookie: truncated to 245 bytes, with a warning on stderr per "
             "reply",
             exact=SEQ, expect={"total.replies": "3"}),
    Scenario("sesslog-cookies", ["--server={host}", "--port={port}", "--session-cookies",
                                 "--wsesslog=2,0,{files}/sessions", "--max-piped-calls=1",
                                 "--max-connections=1"], "cookie",
             "cookies with the session file: Cookie after Content-length",
             exact=SEQ, files=SESS, expect={"total.replies": "8"}),
    # --failure-status, --retry-on-failure (spec 4.5, 9.4)
    Scenario("sess-failure-status", ["--server={host}", "--port={port}",
                                     "--failure-status=503", "--wsess=3,2,0"], "503",
             "every reply is 503: each session fails at its first reply",
             exact=SEQ, expect={"sessions.completed": "0", "sessions.total": "3",
                                "status.5xx": "3"}),
    Scenario("sess-failure-status-third", ["--server={host}", "--port={port}",
                                           "--failure-status=503", "--wsess=2,4,0"],
             "503-third", "the 3rd reply of each connection is 503: sessions fail there",
             exact=SEQ, expect={"sessions.completed": "0", "total.replies": "6"}),
    Scenario("sess-failure-status-rate", ["--server={host}", "--port={port}",
                                          "--failure-status=503", "--wsess=3,4,0.05",
                                          "--rate=20"], "503-third",
             "failing sessions at a rate, with think times",
             expect={"sessions.completed": "0", "total.replies": "9"}),
    Scenario("sess-retry-last", ["--server={host}", "--port={port}", "--failure-status=503",
                                 "--retry-on-failure", "--wsess=2,3,0"], "503-third",
             "--retry-on-failure, 503 on each session's last call: the call is sent again "
             "and the session succeeds (0.9.0 aborts when the call is not the last)",
             exact=SEQ, expect={"sessions.completed": "2", "total.requests": "8",
                                "status.5xx": "2"}),
    Scenario("sess-retry-single", ["--server={host}", "--port={port}", "--failure-status=503",
                                   "--retry-on-failure", "--wsess=3,1,0"], "503-first",
             "--retry-on-failure, one call per session, first reply 503",
             exact=SEQ, expect={"sessions.completed": "3", "total.requests": "6"}),
    # connection-level failures
    Scenario("sess-conn-close", ["--server={host}", "--port={port}", "--wsess=1,3,0"],
             "close", "the server closes after each reply: the next call meets EOF "
             "(connreset), the slot reconnects and sends it again",
             exact=SEQ, expect={"total.connections": "3", "total.requests": "5",
                                "total.replies": "3", "errors.connreset": "2",
                                "sessions.completed": "1", "session.conns": "3.00"}),
    # At rate 0 (--wsess=2,2,0 --timeout=0.5) 0.9.0 hangs after the first session's
    # timeout (the next session's connection never sends), so sessions come at a rate.
    Scenario("sess-conn-close-rate", ["--server={host}", "--port={port}", "--wsess=2,3,0",
                                      "--rate=10"], "close",
             "the same at a rate (concurrency a timing figure: see sess-max2-piped2-rate)",
             expect={"total.connections": "6", "total.requests": "10",
                     "errors.connreset": "4", "session.conns": "3.00"}),
    Scenario("sess-silent", ["--server={host}", "--port={port}", "--wsess=2,2,0",
                             "--rate=5", "--timeout=0.5"], "silent",
             "no reply: client-timo, the sessions fail",
             expect={"errors.client-timo": "2", "sessions.completed": "0",
                     "sessions.total": "2"}),
    # URI generators with sessions (spec 4.4): the URI sequence is in the request bytes
    Scenario("sess-wset", ["--server={host}", "--port={port}", "--wset=100,0.5",
                           "--wsess=2,3,0"], "ok", "--wset URIs across sessions",
             exact=SEQ, expect={"total.replies": "6"}),
    Scenario("sess-wlog-y", ["--server={host}", "--port={port}", "--wlog=y,{files}/uris",
                             "--wsess=2,3,0"], "ok", "--wlog=y: /a /b /c /a /b /c",
             exact=SEQ, files={"uris": WLOG}, expect={"total.replies": "6"}),
    Scenario("sess-wlog-n", ["--server={host}", "--port={port}", "--wlog=n,{files}/uris",
                             "--wsess=2,3,0"], "ok",
             "--wlog=n: the wrap at the 4th call ends the test; the unfinished session "
             "is not counted",
             exact=SEQ, files={"uris": WLOG}),
]
SCENARIOS += SESSION_SCENARIOS

# TLS against nginx (`nginx-tls`): the request bytes are encrypted, so nginx's access
# log stands in for them (request line, Host, User-Agent, Connection, request length,
# TLS version, cipher and SNI of every request); the server's count of resumed
# handshakes is checked apart (`resumed`).
TLS_REUSE_REASON = ("README deviation: httperf-rs resumes TLS sessions across all "
                    "connections (rustls' per-server cache); 0.9.0 only within a session")
SCENARIOS += [
    Scenario("tls-rate", ["--ssl", "--server={host}", "--port={port}", "--uri=/index.html",
                          "--num-conns=20", "--rate=100"], "nginx-tls",
             "TLS: 20 connections at 100/s (resumption not compared: "
             + TLS_REUSE_REASON + ")",
             expect={"total.replies": "20", "reply-size.content": "1010.0"}),
    Scenario("tls-sequential-no-reuse", ["--ssl", "--ssl-no-reuse", "--server={host}",
                                         "--port={port}", "--uri=/index.html",
                                         "--num-conns=10"], "nginx-tls",
             "TLS, --ssl-no-reuse: a full handshake on every connection",
             exact=SEQ, expect={"total.replies": "10"}, resumed=("0", "0")),
    Scenario("tls-keepalive", ["--ssl", "--server={host}", "--port={port}",
                               "--uri=/index.html", "--num-conns=3", "--num-calls=10"],
             "nginx-tls", "TLS: 10 calls per persistent connection",
             exact=SEQ, expect={"total.replies": "30", "conn-length": "10.000"}),
    Scenario("tls-burst", ["--ssl", "--server={host}", "--port={port}", "--uri=/index.html",
                           "--num-conns=2", "--num-calls=10", "--burst-length=5"],
             "nginx-tls", "TLS: pipelined bursts of 5 requests",
             exact=SEQ, expect={"total.replies": "20", "conn-length": "10.000"}),
    Scenario("tls-http10", ["--ssl", "--server={host}", "--port={port}",
                            "--http-version=1.0", "--num-conns=3", "--num-calls=2"],
             "nginx-tls", "TLS: HTTP/1.0 keep-alive requests",
             exact=SEQ, expect={"total.replies": "6"}),
    Scenario("tls-ciphers", ["--ssl", "--ssl-ciphers=ECDHE-RSA-AES128-GCM-SHA256",
                             "--server={host}", "--port={port}", "--num-conns=3"],
             "nginx-tls", "TLS: an OpenSSL cipher list (TLS 1.3 suites stay on, as in 0.9.0)",
             exact=SEQ, expect={"status.2xx": "3"}),
    Scenario("tls-print-request", ["--ssl", "--print-request", "--print-reply=body",
                                   "--server={host}", "--port={port}", "--num-conns=1",
                                   "--num-calls=2"], "nginx-tls",
             "TLS: --print-request/--print-reply show the plaintext",
             exact=SEQ, expect={"total.replies": "2"}),
    Scenario("tls-sessions", ["--ssl", "--server={host}", "--port={port}",
                              "--uri=/index.html", "--http-version=1.0", "--wsess=3,4,0",
                              "--rate=20"], "nginx-tls",
             "TLS sessions, one connection per call: later connections resume",
             expect={"total.connections": "12", "sessions.completed": "3"},
             resumed=("some", "some")),
    Scenario("tls-sessions-no-reuse", ["--ssl", "--ssl-no-reuse", "--server={host}",
                                       "--port={port}", "--uri=/index.html",
                                       "--http-version=1.0", "--wsess=3,4,0", "--rate=20"],
             "nginx-tls", "TLS sessions with --ssl-no-reuse: no resumption at all",
             expect={"total.connections": "12", "sessions.completed": "3"},
             resumed=("0", "0")),
    Scenario("tls-sessions-keepalive", ["--ssl", "--server={host}", "--port={port}",
                                        "--uri=/index.html", "--wsess=3,6,0",
                                        "--burst-length=2", "--rate=20"], "nginx-tls",
             "TLS sessions on persistent connections, bursts of 2",
             expect={"total.replies": "18", "sessions.completed": "3"}),
]

# Command-line errors: nothing is ever connected to; stdout, stderr and exit status
# must be identical.  Ambiguous prefixes are chosen so that the candidate list is the
# same in 0.9.0 and in master (httperf-rs also accepts master's options), e.g. not
# --t (master adds --tls-server-name) and not --se/--ser (master adds --servers).
CLI_CASES = [
    ("num-conns-x", ["--num-conns=x"]),
    ("num-conns-x-space", ["--num-conns", "x"]),
    ("unknown-option", ["--bogus"]),
    ("unknown-option-value", ["--bogus=3"]),
    ("ambiguous-num", ["--num=3"]),
    ("ambiguous-ws", ["--ws=1,2,3"]),
    ("ambiguous-h", ["--h"]),
    ("ambiguous-cl", ["--cl"]),
    ("ambiguous-pr", ["--pr"]),
    ("ambiguous-ma", ["--ma=2"]),
    ("missing-arg", ["--server=127.0.0.1", "--rate"]),
    ("flag-with-arg", ["--hog=1"]),
    ("abbrev-flag-with-arg", ["--ho=1"]),
    ("short-unknown", ["-x"]),
    ("short-d-missing", ["-d"]),
    ("rate-bad", ["--rate=abc"]),
    ("timeout-bad", ["--timeout=1s"]),
    ("burst-zero", ["--burst-length=0"]),
    ("port-range", ["--port=70000"]),
    ("period-bad-dist", ["--period=x1"]),
    ("period-u-no-max", ["--period=u1"]),
    ("client-bad", ["--client=5/3"]),
    ("client-no-slash", ["--client=1x"]),
    ("http-version-bad", ["--http-version=x"]),
    ("num-calls-bad", ["--num-calls=1.5"]),
    ("first-error-wins", ["--num-conns=x", "--rate=y"]),
    ("wset-bad", ["--wset=1"]),
]
for _n, _a in CLI_CASES:
    SCENARIOS.append(Scenario("cli-" + _n, _a, None, "command-line error: " + " ".join(_a)))


# --------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------

def start_nginx_process(binary, d, conf, port, label, errors):
    """Starts nginx with `conf` in directory `d` and waits (10 s at most)
    until it listens on `port`; `errors()` gives its error log for messages."""
    proc = subprocess.Popen(
        [binary, "-e", os.path.join(d, "error.log"), "-p", d + "/", "-c", conf],
        stdin=subprocess.DEVNULL, stdout=open(os.path.join(d, "stdout.log"), "wb"),
        stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 10
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{label} exited at start-up:\n" + errors())
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{label} did not start listening:\n" + errors())
            time.sleep(0.05)


class ConnLog:
    """Exact bytes received on every finished connection of one server."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.active = 0
        self.done: list[bytes] = []

    def opened(self) -> None:
        with self.cond:
            self.active += 1

    def closed(self, data: bytes) -> None:
        with self.cond:
            self.active -= 1
            self.done.append(bytes(data))
            self.cond.notify_all()

    def reset(self) -> None:
        with self.cond:
            self.done = []

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no connection has been open for 100 ms (or timeout)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if self.active == 0:
                    self.cond.wait(0.1)
                    if self.active == 0:
                        return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.1))

    def snapshot(self) -> list[bytes]:
        with self.cond:
            return list(self.done)


def free_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def quiet_shutdown(sock: socket.socket, how: int = socket.SHUT_RDWR) -> None:
    try:
        sock.shutdown(how)
    except OSError:
        pass


class BaseServer:
    """Threaded TCP server on a free loopback port; one thread per connection."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.log = ConnLog()
        self.stopping = threading.Event()
        self.live: set[socket.socket] = set()
        self.live_lock = threading.Lock()
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind((HOST, 0))
        self.lsock.listen(256)
        self.lsock.settimeout(0.2)
        self.port = self.lsock.getsockname()[1]
        self.thread = threading.Thread(target=self._accept_loop, daemon=True,
                                       name=f"accept-{name}")

    def start(self) -> "BaseServer":
        self.thread.start()
        return self

    def _track(self, s: socket.socket, add: bool) -> None:
        with self.live_lock:
            (self.live.add if add else self.live.discard)(s)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(None)
            self.log.opened()
            self._track(conn, True)
            threading.Thread(target=self._run_conn, args=(conn,), daemon=True).start()

    def _run_conn(self, conn: socket.socket) -> None:
        rec = bytearray()
        try:
            self.handle(conn, rec)
        except OSError:
            pass
        finally:
            self._track(conn, False)
            try:
                conn.close()
            except OSError:
                pass
            self.log.closed(rec)

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        raise NotImplementedError

    @staticmethod
    def recv(conn: socket.socket, rec: bytearray) -> bytes:
        data = conn.recv(65536)
        rec += data
        return data

    def stop(self) -> None:
        self.stopping.set()
        try:
            self.lsock.close()
        except OSError:
            pass
        with self.live_lock:
            socks = list(self.live)
        for s in socks:
            quiet_shutdown(s)


# Deterministic replies: (status line + headers, body); no Date or other varying data.
OK_BODY = b"httperf compat test body\nsecond line\n"
NOLF_BODY = b"first line\nno final newline"
NOT_FOUND_BODY = b"not found\n"
UNAVAILABLE_BODY = b"service unavailable\n"
CHUNKED_BODY = b"5\r\nhello\r\n7;ext=1\r\n world!\r\n0\r\nX-Foot: bar\r\n\r\n"

REPLIES: dict[str, tuple[bytes, bytes, bool]] = {
    # name: (head, body, close-after-reply)
    "ok": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
           % len(OK_BODY), OK_BODY, False),
    "ok-nolf": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
                % len(NOLF_BODY), NOLF_BODY, False),
    "chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", CHUNKED_BODY, False),
    "close": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
              b"Connection: close\r\n\r\n" % len(OK_BODY), OK_BODY, True),
    "close-body": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
                   OK_BODY, True),
    "404": (b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
            % len(NOT_FOUND_BODY), NOT_FOUND_BODY, False),
    "503": (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % len(UNAVAILABLE_BODY), UNAVAILABLE_BODY, False),
}


CONTENT_LENGTH_RE = re.compile(rb"\r\ncontent-length: *(\d+)", re.I)


def next_request(buf: bytes) -> tuple[bytes, bytes] | None:
    """(request head, rest of buf) once the head (up to CRLF CRLF) and the body its
    Content-Length announces (the --wsesslog contents=) have arrived, else None."""
    if b"\r\n\r\n" not in buf:
        return None
    req, rest = buf.split(b"\r\n\r\n", 1)
    m = CONTENT_LENGTH_RE.search(req)
    n = int(m.group(1)) if m else 0
    if len(rest) < n:
        return None
    return req, rest[n:]


class HttpServer(BaseServer):
    """Answers every request (end of header = CRLF CRLF, then a Content-Length body
    if announced) with a fixed reply.

    Close-after-reply servers shut down their sending side and keep reading until
    the client closes, so that bytes sent after the close are recorded too."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.head, self.body, self.close_after = REPLIES[name]

    def reply(self, k: int, req: bytes) -> bytes:
        """The reply to request number k (1, 2, ...) of a connection."""
        return self.head + (b"" if req.startswith(b"HEAD ") else self.body)

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        buf = b""
        k = 0
        while True:
            data = self.recv(conn, rec)
            if not data:
                return
            buf += data
            while (got := next_request(buf)) is not None:
                req, buf = got
                k += 1
                conn.sendall(self.reply(k, req))
                if self.close_after:
                    conn.shutdown(socket.SHUT_WR)
                    while self.recv(conn, rec):
                        pass
                    return


class CookieServer(HttpServer):
    """`ok` replies with cookies (spec 4.9): request k of a connection gets
    `Set-Cookie: a=k`, then `set-cookie: b=k; Path=/; HttpOnly` (lower case, with
    attributes; the last one wins, so the session's cookie becomes `b=k`).  For a
    path starting with /long the value of b is 300 x's (0.9.0 truncates to 245 bytes
    with a warning)."""

    def __init__(self, name: str) -> None:
        BaseServer.__init__(self, name)
        self.close_after = False

    def reply(self, k: int, req: bytes) -> bytes:
        value = b"x" * 300 if req.split(b" ", 2)[1:2] == [b"/long"] else b"%d" % k
        head = (b"HTTP/1.1 200 OK\r\nSet-Cookie: a=%d\r\n"
                b"set-cookie: b=%s; Path=/; HttpOnly\r\nContent-Type: text/plain\r\n"
                b"Content-Length: %d\r\n\r\n" % (k, value, len(OK_BODY)))
        return head + (b"" if req.startswith(b"HEAD ") else OK_BODY)


class FailNthServer(HttpServer):
    """Answers request number `n` of each connection with the `503` reply and every
    other request with the `ok` reply (--failure-status, --retry-on-failure)."""

    def __init__(self, name: str, n: int) -> None:
        BaseServer.__init__(self, name)
        self.close_after = False
        self.n = n

    def reply(self, k: int, req: bytes) -> bytes:
        head, body, _ = REPLIES["503" if k == self.n else "ok"]
        return head + (b"" if req.startswith(b"HEAD ") else body)


class SplitHeadServer(BaseServer):
    """Answers each request with a reply whose header-ending blank line is split
    between two sends 100 ms apart (CR, then LF + body), so the client reads it in
    two pieces."""

    FIRST = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r" % len(
        OK_BODY)
    SECOND = b"\n" + OK_BODY

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""
        while True:
            data = self.recv(conn, rec)
            if not data:
                return
            buf += data
            while b"\r\n\r\n" in buf:
                _, buf = buf.split(b"\r\n\r\n", 1)
                conn.sendall(self.FIRST)
                time.sleep(0.1)
                conn.sendall(self.SECOND)


class SilentServer(BaseServer):
    """Accepts and reads, never answers."""

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        while self.recv(conn, rec):
            pass


class RefusedPort:
    """A bound socket that never listens: connecting to it is refused."""

    def __init__(self) -> None:
        self.name = "refused"
        self.log = ConnLog()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]

    def stop(self) -> None:
        self.sock.close()


class RecordingProxy(BaseServer):
    """Transparent TCP relay in front of nginx that records what the client sent."""

    def __init__(self, name: str, upstream_port: int) -> None:
        super().__init__(name)
        self.upstream_port = upstream_port

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        up = socket.create_connection((HOST, self.upstream_port), timeout=10)
        up.settimeout(None)
        up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(up, True)

        def client_to_upstream() -> None:
            try:
                while True:
                    data = self.recv(conn, rec)
                    if not data:
                        quiet_shutdown(up, socket.SHUT_WR)
                        return
                    up.sendall(data)
            except OSError:
                # client reset (e.g. --close-with-reset): tear both sides down
                quiet_shutdown(up)
                quiet_shutdown(conn)

        t = threading.Thread(target=client_to_upstream, daemon=True)
        t.start()
        try:
            while True:
                data = up.recv(65536)
                if not data:
                    quiet_shutdown(conn, socket.SHUT_WR)
                    break
                conn.sendall(data)
        except OSError:
            quiet_shutdown(up)
            quiet_shutdown(conn)
        t.join()
        self._track(up, False)
        up.close()


class Nginx:
    """nginx with a generated config, in the foreground, plus a recording proxy."""

    def __init__(self, tmp: str, binary: str) -> None:
        self.name = "nginx"
        self.dir = os.path.join(tmp, "nginx")
        www = os.path.join(self.dir, "www")
        os.makedirs(os.path.join(www, "tree", "sub"))
        files = {
            "index.html": make_index_html(),
            "tree/index.html": b"<html><body>tree</body></html>\n",
            "tree/a.html": b"<html><body>a</body></html>\n",
            "tree/sub/page.html": b"<html><body>" + b"p" * 200 + b"</body></html>\n",
            "tree/sub/data.txt": b"0123456789\n" * 10,
            "tree/nolf.txt": b"first line\nlast line without LF",
            # the URIs of httperf.1's --wsesslog example file (MAN_SESSLOG)
            **{name: b"<html><body>%s</body></html>\n" % name.encode()
               for name in ("foo.html", "foo2.html", "foo3.html", "foo4.html")},
            **{"pict%d.gif" % i: b"GIF89a" + bytes(range(i * 10)) for i in (1, 2, 3, 4)},
        }
        for rel, content in files.items():
            path = os.path.join(www, rel)
            with open(path, "wb") as f:
                f.write(content)
            os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        self.upstream_port = free_port()
        conf = os.path.join(self.dir, "nginx.conf")
        d = self.dir
        with open(conf, "w") as f:
            f.write(f"""daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    types {{ text/html html; text/plain txt; }}
    default_type application/octet-stream;
    keepalive_timeout 65;
    keepalive_requests 100000;
    server {{
        listen {HOST}:{self.upstream_port};
        server_name localhost;
        root {www};
        index index.html;
    }}
}}
""")
        self.proc = start_nginx_process(binary, d, conf, self.upstream_port, "nginx",
                                        self.errors)
        self.proxy = RecordingProxy("nginx", self.upstream_port).start()
        self.port = self.proxy.port
        self.log = self.proxy.log

    def errors(self) -> str:
        out = []
        for n in ("error.log", "stdout.log"):
            try:
                with open(os.path.join(self.dir, n), errors="replace") as f:
                    out.append(f.read())
            except OSError:
                pass
        return "".join(out)

    def stop(self) -> None:
        self.proxy.stop()
        stop_process(self.proc)


class AccessLog:
    """What nginx logged, one line per request, in place of the (encrypted) bytes on
    the wire: same interface as ConnLog.  The last field of each line, whether the
    TLS session was resumed, is counted apart (`last_resumed`) and left out of the
    lines compared."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0
        self.last_resumed: int | None = None

    def _size(self) -> int:
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def reset(self) -> None:
        self.offset = self._size()
        self.last_resumed = None

    def wait_idle(self, timeout: float) -> bool:
        """nginx logs a request when its reply is sent: wait until the log has
        not grown for 200 ms."""
        deadline = time.monotonic() + timeout
        size = self._size()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self._size()
            if now == size:
                return True
            size = now
        return False

    def snapshot(self) -> list[bytes]:
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            lines = f.read().splitlines()
        self.last_resumed = sum(1 for line in lines if line.endswith(b"|r"))
        return [line.rsplit(b"|", 1)[0] for line in lines]


class NginxTls:
    """nginx with TLS on a loopback port (self-signed RSA certificate made with the
    openssl CLI at start), logging every request to an access log."""

    LOG_FORMAT = ("$ssl_protocol|$ssl_cipher|$ssl_server_name|$request|$http_host|"
                  "$http_user_agent|$http_connection|$request_length|$status|"
                  "$ssl_session_reused")

    def __init__(self, tmp: str, binary: str) -> None:
        self.name = "nginx-tls"
        self.dir = d = os.path.join(tmp, "nginx-tls")
        www = os.path.join(d, "www")
        os.makedirs(www)
        path = os.path.join(www, "index.html")
        with open(path, "wb") as f:
            f.write(make_index_html())
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        cert, key = make_certificate(d)
        self.port = free_port()
        access = os.path.join(d, "access.log")
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 1024; }}
http {{
    log_format compat '{self.LOG_FORMAT}';
    access_log {access} compat;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    types {{ text/html html; text/plain txt; }}
    default_type application/octet-stream;
    keepalive_timeout 65;
    keepalive_requests 100000;
    server {{
        listen {HOST}:{self.port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:compat:1m;
        root {www};
        index index.html;
    }}
}}
""")
        self.proc = start_nginx_process(binary, d, conf, self.port, "nginx (TLS)",
                                        self.errors)
        self.log = AccessLog(access)

    def errors(self) -> str:
        try:
            with open(os.path.join(self.dir, "error.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self) -> None:
        stop_process(self.proc)


def make_certificate(directory: str) -> tuple[str, str]:
    """A self-signed RSA-2048 certificate for localhost and 127.0.0.1."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    openssl = shutil.which("openssl")
    if openssl is None and apt_install(["openssl"]):
        openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed to make a test certificate")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return cert, key


def make_index_html() -> bytes:
    head = b"<html><head><title>httperf compat</title></head><body>\n"
    tail = b"</body></html>\n"
    line = b"<p>0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ</p>\n"
    body = head
    while len(body) + len(line) + len(tail) <= 1010:
        body += line
    body += b"x" * (1010 - len(body) - len(tail) - 1) + b"\n" + tail
    assert len(body) == 1010
    return body


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except OSError:
        proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.wait(5)


# --------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------

def apt_install(packages: list[str]) -> bool:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q"] + packages
    for attempt in range(2):
        r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode == 0:
            return True
        if attempt == 0:
            subprocess.run(["apt-get", "update", "-q"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sys.stderr.write(f"apt-get install {' '.join(packages)} failed:\n"
                     f"{r.stderr.decode(errors='replace')}\n")
    return False


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)


def ensure_tools(reference: str, need_nginx: bool) -> str | None:
    if not os.access(reference, os.X_OK):
        if reference != REFERENCE or not apt_install(["httperf"]):
            sys.exit(f"reference httperf not available at {reference}")
    nginx = None
    if need_nginx:
        nginx = find_nginx()
        if nginx is None:
            if not apt_install(["nginx-light"]):
                apt_install(["nginx"])
            nginx = find_nginx()
        if nginx is None:
            sys.exit("nginx is not available and could not be installed")
    return nginx


# --------------------------------------------------------------------------------------
# Running one client
# --------------------------------------------------------------------------------------

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


RUNNING: set[subprocess.Popen] = set()


# --------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------

EXACT, TIMING = "exact", "timing"

# (line prefix, [(field name, kind), ...]) in the order the numbers appear on the line.
# A line matching no rule (the echo line, print-request/-reply lines, messages) must be
# byte-identical.
FIELD_RULES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Maximum connect burst length:", [("burst-length", TIMING)]),
    ("Total: connections", [("total.connections", EXACT), ("total.requests", EXACT),
                            ("total.replies", EXACT), ("test-duration", TIMING)]),
    ("Connection rate:", [("conn-rate", TIMING), ("ms-per-conn", TIMING),
                          ("concurrency", TIMING)]),
    ("Connection time [ms]: min", [("conn-time.min", TIMING), ("conn-time.avg", TIMING),
                                   ("conn-time.max", TIMING), ("conn-time.median", TIMING),
                                   ("conn-time.stddev", TIMING)]),
    ("Connection time [ms]: connect", [("conn-time.connect", TIMING)]),
    ("Connection length [replies/conn]:", [("conn-length", EXACT)]),
    ("Request rate:", [("req-rate", TIMING), ("ms-per-req", TIMING)]),
    ("Request size [B]:", [("request-size", EXACT)]),
    ("Reply rate [replies/s]:", [("reply-rate.min", TIMING), ("reply-rate.avg", TIMING),
                                 ("reply-rate.max", TIMING), ("reply-rate.stddev", TIMING),
                                 ("reply-rate.samples", TIMING)]),
    ("Reply time [ms]:", [("reply-time.response", TIMING), ("reply-time.transfer", TIMING)]),
    ("Reply size [B]:", [("reply-size.header", EXACT), ("reply-size.content", EXACT),
                         ("reply-size.footer", EXACT), ("reply-size.total", EXACT)]),
    ("Reply status:", [("status.1xx", EXACT), ("status.2xx", EXACT), ("status.3xx", EXACT),
                       ("status.4xx", EXACT), ("status.5xx", EXACT)]),
    ("CPU time [s]:", [("cpu.user", TIMING), ("cpu.system", TIMING), ("cpu.user-pct", TIMING),
                       ("cpu.system-pct", TIMING), ("cpu.total-pct", TIMING)]),
    ("Net I/O:", [("netio.kbps", TIMING), ("netio.mbps", TIMING)]),
    ("Errors: total", [("errors.total", EXACT), ("errors.client-timo", EXACT),
                       ("errors.socket-timo", EXACT), ("errors.connrefused", EXACT),
                       ("errors.connreset", EXACT)]),
    ("Errors: fd-unavail", [("errors.fd-unavail", EXACT), ("errors.addrunavail", EXACT),
                            ("errors.ftab-full", EXACT), ("errors.other", EXACT)]),
    ("reply-rate =", [("reply-rate.sample", TIMING)]),
    ("session-rate =", [("session-rate.sample", TIMING)]),
    ("httperf: maximum number of open descriptors =", [("open-descriptors", EXACT)]),
    ("Session rate [sess/s]:", [("session-rate.min", TIMING), ("session-rate.avg", TIMING),
                                ("session-rate.max", TIMING), ("session-rate.stddev", TIMING),
                                ("sessions.completed", EXACT), ("sessions.total", EXACT)]),
    ("Session: avg", [("session.conns", EXACT)]),
    ("Session lifetime [s]:", [("session.lifetime", TIMING)]),
    ("Session failtime [s]:", [("session.failtime", TIMING)]),
]

# A number: not glued to a word, a dot or '^' on either side ("1xx=", "10^6" and
# "RS0:" stay text).
NUM_RE = re.compile(r"(?<![\w.^])(-?nan|-?inf|-?\d+(?:\.\d+)?)(?![\w.^])")


def split_numbers(line: str) -> tuple[str, list[str]]:
    nums = NUM_RE.findall(line)
    return NUM_RE.sub("#", line), nums


def num_format(tok: str) -> str:
    t = tok.lstrip("-")
    if t in ("nan", "inf"):
        return tok
    return "dec%d" % len(t.split(".")[1]) if "." in t else "int"


def rule_for(line: str):
    for prefix, fields in FIELD_RULES:
        if line.startswith(prefix):
            return fields
    return None


def show(s: str) -> str:
    return repr(s)[1:-1] if any(ord(c) < 32 or ord(c) > 126 for c in s) else s


def extract_fields(lines: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in lines:
        fields = rule_for(line)
        if not fields:
            continue
        _, nums = split_numbers(line)
        if len(nums) == len(fields):
            for (name, _), v in zip(fields, nums):
                values.setdefault(name, v)
    return values


HIST_TITLE = "Connection lifetime histogram (time in ms):"
HIST_SEP = " " * 13 + ":"
HIST_BIN_RE = re.compile(r" *(\d+)\.5 (\d+)")


def split_histogram(lines: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """Number the lines (from 1) and take the verbose lifetime-histogram bin lines out.

    The bins are timing-dependent (their number varies from run to run); they are
    checked separately by check_histogram()."""
    numbered: list[tuple[int, str]] = []
    bins: list[str] = []
    in_hist = False
    for i, line in enumerate(lines, 1):
        if in_hist and line != "":
            bins.append(line)
            continue
        in_hist = line == HIST_TITLE
        numbered.append((i, line))
    return numbered, bins


def check_histogram(bins: list[str]) -> tuple[int, list[str]]:
    """Total count of a histogram block and its format errors (%16.1f %u bins, a
    separator line before every bin whose predecessor bin is empty)."""
    total, errors, prev, sep = 0, [], None, False
    for line in bins:
        if line == HIST_SEP:
            sep = True
            continue
        m = HIST_BIN_RE.fullmatch(line)
        if not m or len(line) - len(m.group(2)) != 17:
            errors.append(f"bad histogram line {show(line)!r}")
            continue
        i = int(m.group(1))
        want_sep = i > 0 and prev != i - 1
        if sep != want_sep:
            errors.append(f"histogram separator {'missing before' if want_sep else 'unexpected before'}"
                          f" {show(line)!r}")
        total += int(m.group(2))
        prev, sep = i, False
    return total, errors


def mask_lines(lines: list[str], regex: str) -> int:
    """Replace group 1 of `regex` by <masked> in every line it fullmatches."""
    n = 0
    for i, line in enumerate(lines):
        m = re.fullmatch(regex, line)
        if m:
            lines[i] = line[:m.start(1)] + "<masked>" + line[m.end(1):]
            n += 1
    return n


def apply_deviation(lines: list[str], dev: "Deviation") -> tuple[list[str], int]:
    """Replace every run of the lines dev.ref by dev.new (see Deviation)."""
    out: list[str] = []
    i = n = 0
    k = len(dev.ref)
    while i < len(lines):
        if tuple(lines[i:i + k]) == dev.ref:
            out += dev.new
            i += k
            n += 1
        else:
            out.append(lines[i])
            i += 1
    return out, n


SAMPLE_RE = re.compile(r"((?:reply|session)-rate = )(\S+)( *)")


def check_sample_padding(lines: list[str]) -> list[str]:
    """`reply-rate = %-8.1f` / `session-rate = %-8.1f`: the value is left-justified in
    an 8-wide field.  The padding is checked here, on each output, and then removed, so
    that two samples of different widths (9.9 vs 10.0) compare as timing figures."""
    errors = []
    for i, line in enumerate(lines):
        m = SAMPLE_RE.fullmatch(line)
        if not m:
            continue
        value, pad = m.group(2), m.group(3)
        if len(value) + len(pad) != max(8, len(value)):
            errors.append(f"sample line {line!r} is not padded to %-8.1f")
        lines[i] = m.group(1) + value
    return errors


def compare_stdout(ref_lines: list[str], new_lines: list[str], sc: Scenario) -> list[str]:
    diffs: list[str] = []
    ref, ref_bins = split_histogram(ref_lines)
    new, new_bins = split_histogram(new_lines)
    if len(ref) != len(new):
        diffs.append(f"stdout: {len(ref_lines) - 1} lines from httperf, {len(new_lines) - 1} "
                     "from httperf-rs")
        for d in list(difflib.unified_diff(ref_lines, new_lines, "httperf", "httperf-rs", n=1,
                                           lineterm=""))[:40]:
            diffs.append("  " + show(d))
        return diffs
    if ref_bins or new_bins:
        (ta, ea), (tb, eb) = check_histogram(ref_bins), check_histogram(new_bins)
        diffs += [f"httperf {e}" for e in ea] + [f"httperf-rs {e}" for e in eb]
        if ta != tb:
            diffs.append(f"lifetime histogram: httperf counts {ta} connections, "
                         f"httperf-rs {tb}")
    for (i, a), (_, b) in zip(ref, new):
        if a == b:
            continue
        where = "echo line" if i == 1 and a.startswith("httperf ") else f"line {i}"
        fields = rule_for(a)
        shape_a, nums_a = split_numbers(a)
        shape_b, nums_b = split_numbers(b)
        if fields is None or len(nums_a) != len(fields):
            diffs.append(f"stdout {where} differs:\n      httperf:    {show(a)}\n"
                         f"      httperf-rs: {show(b)}")
            continue
        if shape_a != shape_b or len(nums_a) != len(nums_b):
            diffs.append(f"stdout {where} text differs:\n      httperf:    {show(a)}\n"
                         f"      httperf-rs: {show(b)}")
            continue
        for (name, kind), va, vb in zip(fields, nums_a, nums_b):
            if va == vb:
                continue
            if name in sc.loose:
                kind = TIMING
            elif name in sc.exact:
                kind = EXACT
            if kind == EXACT:
                diffs.append(f"stdout {where} field {name}: httperf {va}, httperf-rs {vb}")
                continue
            fa, fb = num_format(va), num_format(vb)
            if fa == fb:
                continue
            finite = [f for f in (fa, fb) if f.startswith(("dec", "int"))]
            if len(finite) == 1 and name in sc.nonfinite_ok:
                continue
            diffs.append(f"stdout {where} field {name}: format differs: httperf {va}, "
                         f"httperf-rs {vb}")
    return diffs


# stderr lines dropped from both outputs before comparing, each a documented deviation.
STDERR_DEVIATIONS = {
    # COMPAT-POLICY "Do not copy": the select()/FD_SETSIZE cap of 1024 descriptors
    # (httperf-rs raises the limit to the hard limit instead, so this warning would be
    # false; httperf-rs README: "no cap, no warning").  0.9.0 prints it whenever the hard
    # RLIMIT_NOFILE exceeds 1024.
    "httperf: warning: open file limit > FD_SETSIZE; limiting max. # of open files to "
    "FD_SETSIZE",
}


# --debug (spec 2.7: "None of this is part of the compatibility contract"): the 0.9.0
# Debian build has no DEBUG support and prints the first line once per --debug option;
# httperf-rs has real traces, all on stderr with this prefix.  A scenario with
# stderr="debug" drops both kinds of line from both stderrs and compares the rest.
DEBUG_SORRY = "httperf: sorry, need to recompile with -DDEBUG on..."
DEBUG_TRACE_PREFIX = "httperf: debug: "


def drop_debug(lines: list[str]) -> list[str]:
    return [l for l in lines if l != DEBUG_SORRY and not l.startswith(DEBUG_TRACE_PREFIX)]


def normalise_stderr(data: bytes, tmp: str) -> list[str]:
    text = data.decode("latin-1").replace(tmp, "<TMP>")
    return [l for l in text.split("\n") if l not in STDERR_DEVIATIONS]


DELAY_PREFIX = "next arrival delay = "


def split_delays(lines: list[str]) -> tuple[list[str], list[str]]:
    return ([l for l in lines if not l.startswith(DELAY_PREFIX)],
            [l[len(DELAY_PREFIX):] for l in lines if l.startswith(DELAY_PREFIX)])


def compare_delays(ref: list[str], new: list[str], needed: int) -> list[str]:
    """-vvv inter-arrival draws.  The first `needed` (num-conns - 1) draws are fixed by
    --period and --client and must be identical.  One more draw is printed only if the
    rate timer fires again before the last connection is destroyed (timing), so a single
    extra trailing value is accepted, but where both printed it, it must be equal too."""
    diffs = []
    for who, d in (("httperf", ref), ("httperf-rs", new)):
        if len(d) < needed:
            diffs.append(f"{who} printed {len(d)} 'next arrival delay' lines, "
                         f"expected at least {needed}")
    common = min(len(ref), len(new))
    if ref[:common] != new[:common] or abs(len(ref) - len(new)) > 1:
        diffs.append("'next arrival delay' sequences differ:\n"
                     f"      httperf:    {' '.join(ref)}\n      httperf-rs: {' '.join(new)}")
    return diffs


def compare_requests(ref: list[bytes], new: list[bytes]) -> list[str]:
    ca, cb = collections.Counter(ref), collections.Counter(new)
    if ca == cb:
        return []
    diffs = [f"request bytes differ ({len(ref)} connections for httperf, "
             f"{len(new)} for httperf-rs):"]
    for key in sorted(set(ca) | set(cb), key=lambda k: (ca[k] - cb[k], k)):
        if ca[key] != cb[key]:
            r = repr(key)
            if len(r) > 300:
                r = r[:300] + "..."
            diffs.append(f"    httperf x{ca[key]}, httperf-rs x{cb[key]}: {r}")
    return diffs[:12]


def compare(sc: Scenario, ref: RunResult, new: RunResult, tmp: str) -> list[str]:
    diffs: list[str] = []
    if ref.status is None:
        diffs.append(f"httperf (reference) timed out after {sc.timeout:.0f} s: "
                     "the scenario itself is broken")
    if new.status is None:
        diffs.append(f"httperf-rs timed out after {sc.timeout:.0f} s (killed)")
    if ref.status != new.status:
        diffs.append(f"exit status: httperf {ref.status}, httperf-rs {new.status}")
    ref_out = ref.stdout.decode("latin-1").split("\n")
    new_out = new.stdout.decode("latin-1").split("\n")
    for regex, _reason in sc.mask:
        for who, lines in (("httperf", ref_out), ("httperf-rs", new_out)):
            n = mask_lines(lines, regex)
            if n == 0:
                diffs.append(f"mask {regex!r} matched no stdout line of {who}")
    for dev in sc.deviations:
        ref_out, n = apply_deviation(ref_out, dev)
        if n == 0:
            diffs.append(f"declared deviation not seen in httperf's output: "
                         f"{[show(l) for l in dev.ref]}")
    for who, lines in (("httperf", ref_out), ("httperf-rs", new_out)):
        diffs += [f"{who} {e}" for e in check_sample_padding(lines)]
        for regex, want in sc.expect_lines.items():
            got = sum(1 for line in lines if re.fullmatch(regex, line))
            if got != want:
                diffs.append(f"expectation: {want} stdout lines matching {regex!r}, "
                             f"{who}{' (after deviations)' if who == 'httperf' and sc.deviations else ''} "
                             f"printed {got}")
    diffs += compare_stdout(ref_out, new_out, sc)
    for who, lines in (("httperf", ref_out), ("httperf-rs", new_out)):
        got = extract_fields(lines)
        for field, want in sc.expect.items():
            if got.get(field) != want:
                diffs.append(f"expectation {field} = {want} not met by {who} "
                             f"(got {got.get(field)})")
    if sc.stderr != "ignore":
        ea, eb = normalise_stderr(ref.stderr, tmp), normalise_stderr(new.stderr, tmp)
        if sc.stderr == "debug":
            ea, eb = drop_debug(ea), drop_debug(eb)
        if sc.stderr.startswith("arrival-delays:"):
            (ea, da), (eb, db) = split_delays(ea), split_delays(eb)
            diffs += compare_delays(da, db, int(sc.stderr.split(":")[1]))
        if ea != eb:
            diffs.append("stderr differs:")
            for d in list(difflib.unified_diff(ea, eb, "httperf", "httperf-rs", n=1,
                                               lineterm=""))[2:30]:
                diffs.append("    " + show(d))
    if sc.server is not None:
        diffs += compare_requests(ref.received, new.received)
        for who, r in (("httperf", ref), ("httperf-rs", new)):
            if not r.server_idle:
                diffs.append(f"server connections still open 10 s after {who} exited")
    if sc.resumed is not None:
        for who, r, want in (("httperf", ref, sc.resumed[0]),
                             ("httperf-rs", new, sc.resumed[1])):
            ok = r.resumed == 0 if want == "0" else bool(r.resumed)
            if not ok:
                diffs.append(f"resumed TLS handshakes: want {want} for {who}, "
                             f"the server saw {r.resumed}")
    return diffs


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def start_servers(needed: set[str], tmp: str, nginx_bin: str | None) -> dict:
    servers: dict = {}
    try:
        for key in sorted(needed):
            if key == "nginx":
                servers[key] = Nginx(tmp, nginx_bin)
            elif key == "nginx-tls":
                servers[key] = NginxTls(tmp, nginx_bin)
            elif key == "split-head":
                servers[key] = SplitHeadServer(key).start()
            elif key == "silent":
                servers[key] = SilentServer(key).start()
            elif key == "refused":
                servers[key] = RefusedPort()
            elif key == "cookie":
                servers[key] = CookieServer(key).start()
            elif key == "503-first":
                servers[key] = FailNthServer(key, 1).start()
            elif key == "503-third":
                servers[key] = FailNthServer(key, 3).start()
            else:
                servers[key] = HttpServer(key).start()
    except BaseException:
        for s in servers.values():
            s.stop()
        raise
    return servers


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
