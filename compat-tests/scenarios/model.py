"""The scenario model: what one side-by-side run is (`Scenario`), a documented
httperf-rs deviation (`Deviation`), and the building blocks the scenario files share
(sequential-run exact fields, the FD_SETSIZE reason, the --print-request/--print-reply
line patterns, the --wlog URI file)."""

from __future__ import annotations

import dataclasses


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
    instead, for the documented `reason` (a README deviation).  Every
    occurrence in the reference stdout is replaced before the comparison, which then
    stays exact; a deviation that does not occur in the reference output is a failure
    (the scenario no longer shows what it claims)."""
    reason: str
    ref: tuple[str, ...]
    new: tuple[str, ...]


FD_REASON = ("README deviation: httperf-rs does not cap the open-file limit "
             "at FD_SETSIZE=1024, so the verbose descriptor count may differ")

SEQ = ("burst-length", "concurrency")   # deterministic for sequential (rate 0) runs

# Per call of the `ok` server: 4 SH lines + SS, 4 RH lines, 2 RB lines + RS.
SH, SB, SS = r"SH\d+:.*", r"SB\d+:.*", r"SS\d+: header \d+ content \d+"
RH, RB, RS = r"RH\d+:.*", r"RB\d+:.*", r"RS\d+: header \d+ content \d+ footer \d+"

# A --wlog URI file: /a /b, an empty entry (skipped), /c.
WLOG = b"/a\0/b\0\0/c\0"
