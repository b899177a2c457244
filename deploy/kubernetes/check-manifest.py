#!/usr/bin/env python3
"""Checks the fields of httperf-rs-job.yaml that make the recipe work (no
cluster is needed; kubectl validates only against a live API server): an
Indexed Job with parallelism = completions = N, every pod client
JOB_COMPLETION_INDEX of N (HTTPERF_RS_CLIENTS = N) starting at START_AT and
writing its shard to the shared volume, and a merge Job on the same volume
waiting for N shards. Usage: check-manifest.py FILE; exit 0 when it holds."""

import re
import sys

import yaml


def fail(message: str) -> None:
    sys.exit(f"{sys.argv[1]}: {message}")


def env_of(container: dict) -> dict:
    return {e["name"]: e for e in container.get("env", [])}


def main() -> None:
    with open(sys.argv[1]) as f:
        documents = [d for d in yaml.safe_load_all(f) if d]
    jobs = {d["metadata"]["name"]: d for d in documents if d.get("kind") == "Job"}
    claims = {d["metadata"]["name"] for d in documents
              if d.get("kind") == "PersistentVolumeClaim"}
    load = next((j for j in jobs.values()
                 if j["spec"].get("completionMode") == "Indexed"), None)
    if load is None:
        fail("no Indexed Job")
    spec = load["spec"]
    n = spec.get("completions")
    if not isinstance(n, int) or n < 1 or spec.get("parallelism") != n:
        fail(f"parallelism {spec.get('parallelism')} must equal completions {n}")
    if load["apiVersion"] != "batch/v1":
        fail("the Job is not batch/v1")
    pod = spec["template"]["spec"]
    if pod.get("restartPolicy") not in ("Never", "OnFailure"):
        fail("a Job's pods need restartPolicy Never or OnFailure")
    (container,) = pod["containers"]
    env = env_of(container)
    index = env.get("JOB_COMPLETION_INDEX", {})
    path = index.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath", "")
    if "job-completion-index" not in path:
        fail("JOB_COMPLETION_INDEX must come from the completion-index annotation")
    if env.get("HTTPERF_RS_CLIENTS", {}).get("value") != str(n):
        fail(f"HTTPERF_RS_CLIENTS must be {n}")
    start = env.get("START_AT", {}).get("value", "")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z|\d+(\.\d+)?", start):
        fail(f"START_AT {start!r} is neither RFC 3339 UTC nor Unix seconds")
    script = " ".join(container.get("command", []) + container.get("args", []))
    for needed in ("httperf-rs ", "--client auto", '--start-at "$START_AT"',
                   "--json ", "$JOB_COMPLETION_INDEX"):
        if needed not in script:
            fail(f"the load container does not run {needed!r}: {script}")
    mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    json_path = re.search(r'--json "?([^" ]+)', script).group(1)
    shared = [name for name, mount in mounts.items() if json_path.startswith(mount + "/")]
    if not shared:
        fail(f"the shard {json_path} is not on a mounted volume")
    claim = volumes[shared[0]].get("persistentVolumeClaim", {}).get("claimName")
    if claim not in claims:
        fail(f"the shard volume's claim {claim} is not in the manifest")
    merges = [j for j in jobs.values() if j is not load]
    if len(merges) != 1:
        fail("expected one merge Job besides the load Job")
    merge_pod = merges[0]["spec"]["template"]["spec"]
    (merger,) = merge_pod["containers"]
    merge_script = " ".join(merger.get("command", []) + merger.get("args", []))
    if "httperf-rs merge " not in merge_script:
        fail("the merge Job does not run httperf-rs merge")
    if env_of(merger).get("SHARDS", {}).get("value") != str(n):
        fail(f"the merge Job must wait for {n} shards")
    merge_claims = {v.get("persistentVolumeClaim", {}).get("claimName")
                    for v in merge_pod.get("volumes", [])}
    if claim not in merge_claims:
        fail("the merge Job does not mount the shards' volume")
    print(f"ok: Indexed Job of {n} pods, shards on claim {claim}, merge Job waits for {n}")


main()
