"""Comparing the two runs of a scenario: stdout line by line (report lines split
into text, counts and timing figures per FIELD_RULES; masks, documented deviations,
the -v -v histogram and reply-rate sample padding), stderr after normalisation
(STDERR_DEVIATIONS, --debug lines, -vvv arrival delays), the exit status, the
request bytes each server connection received and resumed TLS handshakes."""

from __future__ import annotations

import collections
import difflib
import re

from client import RunResult
from scenarios import Deviation, Scenario


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


def apply_deviation(lines: list[str], dev: Deviation) -> tuple[list[str], int]:
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
    # Deliberately not copied (docs/behaviour.md#compatibility-rules): the FD_SETSIZE cap of 1024
    # (httperf-rs raises the limit to the hard limit instead, so this warning would be
    # false; httperf-rs README: "no cap, no warning").  0.9.0 prints it whenever the hard
    # RLIMIT_NOFILE exceeds 1024.
    "httperf: warning: open file limit > FD_SETSIZE; limiting max. # of open files to "
    "FD_SETSIZE",
}


# --debug (outside the compatibility promise, docs/behaviour.md#debug-output): the 0.9.0
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
