"""Session scenarios: --wsess, --wsesslog (httperf.1's example session file),
--session-cookies, --failure-status, --retry-on-failure, connection failures inside
sessions, and the URI generators (--wset, --wlog) with sessions."""

from __future__ import annotations

from .model import SB, SEQ, WLOG, Deviation, Scenario

# ---- sessions: --wsess, --wsesslog, --session-cookies, --failure-status (docs/behaviour.md#sessions,
# docs/behaviour.md#session-report).  The session block (rate, connections/session, lifetime, failtime, length
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
BODY_NOLF_REASON = ("README deviation (output from reading past a buffer): "
                    "0.9.0's --print-request never prints a request body line without a "
                    "final LF ('Post data', the 'data' after 'Multiline\\n'); httperf-rs "
                    "prints it as its own SB line at the end of the request (httperf-rs "
                    "README, compatibility section)")
SESSION_SCENARIOS: list[Scenario] = [
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
    # --burst-length, --max-connections, --max-piped-calls (docs/behaviour.md#sessions)
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
    # --session-cookies (docs/behaviour.md#session-cookies)
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
    Scenario("sess-cookies-empty", ["--server={host}", "--port={port}", "--session-cookies",
                                    "--uri=/empty", "--wsess=1,3,0"], "cookie",
             "a Set-Cookie line with nothing after the space is ignored: Cookie: a=k",
             exact=SEQ, expect={"total.replies": "3"}),
    Scenario("sesslog-cookies", ["--server={host}", "--port={port}", "--session-cookies",
                                 "--wsesslog=2,0,{files}/sessions", "--max-piped-calls=1",
                                 "--max-connections=1"], "cookie",
             "cookies with the session file: Cookie after Content-length",
             exact=SEQ, files=SESS, expect={"total.replies": "8"}),
    # --failure-status, --retry-on-failure (docs/behaviour.md#sessions)
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
    # URI generators with sessions (docs/behaviour.md#workloads): the URI sequence is in the request bytes
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
    Scenario("wlog-then-wset", ["--server={host}", "--port={port}", "--wlog=y,{files}/uris",
                                "--wset=5,0.5", "--num-conns=3"], "ok",
             "the later of --wlog and --wset chooses the URIs: /0.html ...",
             exact=SEQ, files={"uris": WLOG}, expect={"total.replies": "3"}),
    Scenario("wset-then-wlog", ["--server={host}", "--port={port}", "--wset=5,0.5",
                                "--wlog=y,{files}/uris", "--num-conns=3"], "ok",
             "the later of --wset and --wlog chooses the URIs: /a /b /c",
             exact=SEQ, files={"uris": WLOG}, expect={"total.replies": "3"}),
    Scenario("sesspage-wlog", ["--server={host}", "--port={port}",
                               "--wlog=n,{files}/uris", "--wsesspage=4,1,0"], "ok",
             "--wsesspage takes its pages from --wlog (/a /b /c, then the wrap ends the "
             "test)",
             exact=SEQ, files={"uris": WLOG}),
    Scenario("sesspage-wset", ["--server={host}", "--port={port}", "--wset=5,0.5",
                               "--wsesspage=2,2,0"], "ok",
             "--wsesspage takes its pages from --wset",
             exact=SEQ, expect={"total.replies": "4"}),
]
