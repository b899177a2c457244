"""Command-line error scenarios (`cli-*`): bad values, unknown and ambiguous
options.  They never connect; stdout, stderr and the exit status must be identical."""

from __future__ import annotations

from .model import Scenario

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
CLI_SCENARIOS: list[Scenario] = [
    Scenario("cli-" + name, argv, None, "command-line error: " + " ".join(argv))
    for name, argv in CLI_CASES
]
