"""The report round trip through `httperf-rs compare`, for every scenario that
printed a report: compare reads httperf's and httperf-rs's reports of the same
scenario, and

* every number FIELD_RULES finds in either report is the value compare read,
  as printed (the parser loses nothing, on real httperf 0.9.0 output too);
* every counted value (compare's `counted` metrics: totals, sizes, statuses,
  errors, session counts) is the same on both sides, except the scenario's
  `loose` fields; httperf's report is taken after the scenario's documented
  deviations, as the stdout comparison takes it.

run.py adds the differences found to the scenario's."""

from __future__ import annotations

import json
import os
import subprocess

from client import RunResult
from compare import apply_deviation, extract_fields
from scenarios import Scenario

# FIELD_RULES fields that are not numbers of the report itself.
NOT_REPORT = {"reply-rate.sample", "session-rate.sample", "open-descriptors"}


def has_report(stdout: bytes) -> bool:
    return b"\nTotal: connections " in b"\n" + stdout


def roundtrip(binary: str, sc: Scenario, ref: RunResult, new: RunResult,
              tmp: str) -> list[str]:
    if not (has_report(ref.stdout) and has_report(new.stdout)):
        return []
    d = os.path.join(tmp, "roundtrip", sc.name)
    os.makedirs(d, exist_ok=True)
    ref_lines = ref.stdout.decode("latin-1").split("\n")
    for dev in sc.deviations:
        ref_lines, _ = apply_deviation(ref_lines, dev)
    paths = {}
    for who, data in (("httperf", "\n".join(ref_lines).encode("latin-1")),
                      ("httperf-rs", new.stdout)):
        paths[who] = os.path.join(d, who + ".stdout")
        with open(paths[who], "wb") as f:
            f.write(data)
    proc = subprocess.run([binary, "compare", "--format", "json", "--all", "--force",
                           paths["httperf"], paths["httperf-rs"]],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    if proc.returncode not in (0, 1):
        return [f"round trip: compare exited {proc.returncode}: "
                f"{proc.stderr.decode(errors='replace').strip()}"]
    rows = {row["metric"]: row for row in json.loads(proc.stdout)["metrics"]}
    diffs = []
    for who, stdout, side in (("httperf", ref.stdout, "baseline"),
                              ("httperf-rs", new.stdout, "candidate")):
        fields = extract_fields(stdout.decode("latin-1").split("\n"))
        for name, printed in fields.items():
            if name in NOT_REPORT:
                continue
            read = rows.get(name, {}).get(side)
            if read != printed:
                diffs.append(f"round trip: compare read {name} = {read} from {who}'s "
                             f"report, which printed {printed}")
    for name, row in rows.items():
        if row["counted"] and name not in sc.loose and row["baseline"] != row["candidate"]:
            diffs.append(f"round trip: counted value {name} differs: httperf "
                         f"{row['baseline']}, httperf-rs {row['candidate']}")
    return diffs
