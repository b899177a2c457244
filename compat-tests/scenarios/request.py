"""Request-mode scenarios (--num-conns, --num-calls, --rate, --period, headers,
methods, URIs): httperf.1's EXAMPLES scaled down, workloads against nginx and the
deterministic Python servers, the connection failures (refused, timeouts) and the
--wset URI sequence."""

from __future__ import annotations

import re

from .model import FD_REASON, SEQ, SS, Scenario

REQUEST_SCENARIOS: list[Scenario] = [
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
             "example A of docs/behaviour.md: 100 connections at 200/s",
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
             "chunked replies with a trailer, 2 calls on one connection (example D)",
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
]

# Failures to connect or to get an answer.
FAILURE_SCENARIOS: list[Scenario] = [
    Scenario("refused", ["--server={host}", "--port={port}", "--num-conns=3"], "refused",
             "nothing listening on the port -> connrefused",
             exact=SEQ, expect={"errors.connrefused": "3", "total.requests": "0"}),
    Scenario("client-timeout", ["--server={host}", "--port={port}", "--timeout=1",
                                "--num-conns=2"], "silent",
             "server accepts and never answers; --timeout=1 -> client-timo (example F)",
             exact=SEQ, expect={"errors.client-timo": "2", "total.requests": "2",
                                "total.replies": "0"}),
    Scenario("think-timeout-silent", ["--server={host}", "--port={port}",
                                      "--think-timeout=1", "--num-conns=1"], "silent",
             "--think-timeout alone acts as a reply timeout",
             exact=SEQ, expect={"errors.client-timo": "1"}),
]


# ---- --wset=N,X (docs/behaviour.md#working-set-sequence): the URI sequence, call by call ----
# The sequence comes from glibc's unseeded drand48() (its first value is 11/2^48), so
# it is the same on every run; --print-request=header shows it in order (SH lines,
# compared exactly) and the server's bytes show it per connection.  `calls` pins some
# calls of 0.9.0's sequence, checked on both outputs, so each scenario shows what it
# claims (e.g. that 0.9.0 asks for the first file 3 times at X=0.25).
WSET_CONNS, WSET_CALLS = 20, 3


def _wset(n: int, x: str, desc: str, calls: dict[int, str]) -> Scenario:
    total = WSET_CONNS * WSET_CALLS
    expect_lines = {rf"SH{call}:GET {re.escape(uri)} HTTP/1\.1\r": 1
                    for call, uri in calls.items()}
    expect_lines[r"SH\d+:GET /\S+ HTTP/1\.1\r"] = total
    expect_lines[SS] = total
    return Scenario(f"wset-{n}-{x}", ["--server={host}", "--port={port}", f"--wset={n},{x}",
                                      f"--num-conns={WSET_CONNS}",
                                      f"--num-calls={WSET_CALLS}", "--print-request=header"],
                    "ok", desc, exact=SEQ, expect={"total.replies": str(total)},
                    expect_lines=expect_lines)


WSET_SCENARIOS: list[Scenario] = [
    _wset(1024, "0.25", "--wset=1024,0.25: /0/0/0/0.html 3 times, then every file 4 times",
          {2: "/0/0/0/0.html", 3: "/0/0/0/1.html", 6: "/0/0/0/1.html",
           7: "/0/0/0/2.html"}),
    _wset(10, "0.5", "--wset=10,0.5: /0.html once, then every file twice, wrapping at 10",
          {0: "/0.html", 1: "/1.html", 2: "/1.html", 18: "/9.html", 19: "/0.html",
           20: "/0.html", 21: "/1.html"}),
    _wset(100, "0.1", "--wset=100,0.1: /0/0.html 9 times, then every file 10 times",
          {8: "/0/0.html", 9: "/0/1.html", 18: "/0/1.html", 19: "/0/2.html"}),
    _wset(10, "0.75", "--wset=10,0.75: a new file 3 calls out of 4 (/0 /1 /2 /3 /3 /4 ...)",
          {0: "/0.html", 1: "/1.html", 3: "/3.html", 4: "/3.html", 5: "/4.html"}),
    _wset(10, "0", "--wset=10,0: a miss rate of 0 never moves on from /0.html",
          {0: "/0.html", 59: "/0.html"}),
]
