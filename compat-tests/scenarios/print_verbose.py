"""Scenarios for --print-request/--print-reply (docs/behaviour.md#print-request-and-reply) and the verbose and debug
output (docs/behaviour.md#verbose-output, docs/behaviour.md#debug-output), mostly against the deterministic Python
servers, with the documented deviations of the print output."""

from __future__ import annotations

from .model import (FD_REASON, RB, RH, RS, SB, SEQ, SH, SS, WLOG, Deviation,
                    Scenario)

# ---- --print-request / --print-reply (docs/behaviour.md#print-request-and-reply) ----
DATE_MASK = (r"RH\d+:Date: (.*)\r",
             "nginx's Date header carries the current time (fixed length)")
CHUNK_REASON = ("README deviation (output from reading past a buffer): 0.9.0's "
                "LF search runs past each chunk payload into the chunk framing, printing "
                "'hello\\r' and ' world!\\r'; httperf-rs prints only payload bytes, "
                "split at the payload's own LFs, and flushes the pending line at reply "
                "completion (httperf-rs README, compatibility section)")

SPLIT_REASON = ("README deviation (a --print-reply artefact): 0.9.0 looks for "
                "the header's end (CR LF CR LF) within each read only, so when the blank "
                "line is split across two reads it prints the rest of the read, body "
                "included, as RH lines too; httperf-rs prints the header lines once")


def chunked_deviation(call: int) -> Deviation:
    return Deviation(CHUNK_REASON, (f"RB{call}:hello\r", f"RB{call}: world!\r"),
                     (f"RB{call}:hello world!",))


def _print(name: str, opts: list[str], server: str, desc: str, calls: int = 1,
           conns: int = 1, **kw) -> Scenario:
    argv = ["--server={host}", "--port={port}", *opts, f"--num-conns={conns}"]
    if calls != 1:
        argv.append(f"--num-calls={calls}")
    kw.setdefault("exact", SEQ)
    return Scenario(name, argv, server, desc, **kw)


PRINT_SCENARIOS: list[Scenario] = [
    Scenario("print-request-reply", ["--server={host}", "--port={port}", "--print-request",
                                     "--print-reply", "--num-conns=1", "--num-calls=2"], "ok",
             "SH/SS/RH/RB/RS lines for a simple Content-Length reply",
             exact=SEQ, expect={"total.replies": "2"}),
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

# ---- verbose output (docs/behaviour.md#verbose-output) ----
ACCESS = r"httperf: accessing URI `.*'"
VERBOSE_SCENARIOS: list[Scenario] = [
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
             "--verbose --wset=10,1 --client=2/3: /5.html /8.html /1.html",
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
