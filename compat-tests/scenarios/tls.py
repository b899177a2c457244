"""TLS scenarios (--ssl, --ssl-no-reuse, --ssl-ciphers) against nginx with TLS, in
request mode and in sessions."""

from __future__ import annotations

from .model import SEQ, Scenario

# TLS against nginx (`nginx-tls`): the request bytes are encrypted, so nginx's access
# log stands in for them (request line, Host, User-Agent, Connection, request length,
# TLS version, cipher and SNI of every request); the server's count of resumed
# handshakes is checked apart (`resumed`).
TLS_REUSE_REASON = ("README deviation: httperf-rs resumes TLS sessions across all "
                    "connections (rustls' per-server cache); 0.9.0 only within a session")
TLS_SCENARIOS: list[Scenario] = [
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
