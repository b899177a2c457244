#!/usr/bin/env python3
"""Benchmarks httperf-rs against httperf 0.9.0 (and wrk where it fits) in the
same run, on loopback only, and prints figures and ratios. Not a test: the
machines are shared and noisy, so nothing here passes or fails on speed.

Scenarios:
  cpu-rate     20,000 connections at --rate 4000 against nginx: client CPU seconds
  hold-5000    5,000 connections held open at once against a server that
               answers after 2 s: replies, errors, peak concurrency
  keepalive    one connection, 50,000 calls against nginx: requests/s
               (wrk -t1 -c1 for reference)
  tls-cpu      2,000 TLS connections against nginx with TLS (RSA-2048, TLS 1.3),
               with and without --ssl-no-reuse, in request mode (--rate 400) and
               in sessions of 10 HTTP/1.0 connections (--wsess=200,10,0, --rate 40):
               client CPU seconds per 1,000 TLS connections, and how many
               handshakes the server saw resumed
  results-cost 20,000 connections at --rate 4000 against nginx: httperf-rs's
               client CPU seconds with the results options off, with
               --percentiles --json, with --log-requests, and with all of them
  workers      httperf-rs --workers 1 vs 2 against nginx at loads one core cannot
               sustain: new connections (60,000 at --rate 30000) and keep-alive
               (40 connections x 5,000 calls): requests/s, client CPU (summed
               over the workers), wall time and schedule lag (p90, max)
  floor        20,000 connections at --rate 4000 against nginx: the CPU seconds
               (user + sys, from the child's rusage) of the floor client
               (compat-tests/floor/floor.c, built here with cc: only the calls
               no client can avoid), the floor also doing httperf's duties
               (its socket buffer sizes and a clock read per timestamp),
               httperf-rs and httperf 0.9.0, interleaved, median of --runs
               runs, and httperf-rs's ratio to both floors; each
               client and nginx pinned to CPU 0 (less run-to-run noise); with
               perf, where the floor's and httperf-rs's CPU goes (kernel, own
               code, libc and vdso: cpu-clock samples of --runs more runs); with
               valgrind, the user-space instructions and the lines of hot code
               per connection of the floor and of httperf-rs (callgrind), and
               the distinct 64-byte lines of code and data that a connection's
               worth of instructions touches (lackey)
  memory       peak RSS growth per connection held open to a server that
               accepts and never replies: httperf-rs holding 1,000 and then
               10,000 connections (httperf 0.9.0, limited to 1022, 100 and
               1,000); bytes per connection from the difference, median of 3

nginx is configured and started with the helpers of servers.py (shared with
run.py), with higher connection limits.

Usage: python3 compat-tests/bench.py [--binary PATH] [--only NAME] [--runs N]
"""
import argparse
import asyncio
import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from servers import (HOST, free_port, make_certificate, make_index_html, nginx_conf,
                     start_nginx_process)
from tools import find_nginx, stop_process

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Room for thousands of connections at once (hold-5000) and one connection of
# 50,000 calls (keepalive).
BENCH_LIMITS = dict(worker_connections=20000, keepalive_requests=1000000,
                    error_level="crit")


def start_nginx(tmp, nginx):
    """nginx serving a 1010-byte /index.html on a free port."""
    d = os.path.join(tmp, "nginx")
    root = make_www(d)
    port = free_port()
    conf = nginx_conf(d, [f"listen {HOST}:{port} backlog=4096;", f"root {root};"],
                      **BENCH_LIMITS)
    return start_nginx_process(nginx, d, conf, port, "nginx"), port


def start_nginx_tls(tmp, nginx):
    """nginx with TLS (self-signed RSA-2048 certificate made with the openssl
    command), logging whether each request's TLS session was resumed."""
    d = os.path.join(tmp, "tls")
    root = make_www(d)
    cert, key = make_certificate(d)
    log = os.path.join(d, "access.log")
    port = free_port()
    conf = nginx_conf(d, [f"listen {HOST}:{port} ssl backlog=4096;",
                          f"ssl_certificate {cert};", f"ssl_certificate_key {key};",
                          "ssl_protocols TLSv1.2 TLSv1.3;",
                          "ssl_session_cache shared:bench:10m;", f"root {root};"],
                      http=("log_format reuse '$ssl_session_reused';",
                            f"access_log {log} reuse;"),
                      **BENCH_LIMITS)
    return start_nginx_process(nginx, d, conf, port, "nginx (TLS)"), port, log


def make_www(d):
    root = os.path.join(d, "www")
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "index.html"), "wb") as f:
        f.write(make_index_html())
    return root


def start_delayed_server(delay_s):
    """An asyncio server answering every request after delay_s, in a thread.
    Returns its port and a function that stops it: the connections still open are
    aborted and their handlers awaited before the loop is closed, so nothing is
    left pending to be reported when the loop is collected later."""
    port = free_port()
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stopping = asyncio.Event()
    writers = set()

    async def handle(reader, writer):
        writers.add(writer)
        try:
            await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(delay_s)
            writer.write(reply)
            await writer.drain()
            await reader.read()  # until the client closes
        except Exception:
            pass
        finally:
            writers.discard(writer)
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, HOST, port, backlog=8192)
        ready.set()
        await stopping.wait()
        server.close()
        for writer in list(writers):
            writer.transport.abort()
        handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if handlers:
            await asyncio.wait(handlers, timeout=delay_s + 1)

    def run():
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except Exception:
            pass
        finally:
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(5)

    def stop():
        if not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)
        thread.join(10)

    return port, stop


def run_client(argv, limit=180):
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return {"timeout": True, "out": out, "err": err, "wall": limit}
    wall = time.monotonic() - started
    return {"timeout": False, "out": out, "err": err, "wall": wall, "status": proc.returncode}


def field(out, pattern, cast=float):
    m = re.search(pattern, out)
    return cast(m.group(1)) if m else None


def summary(result):
    out = result["out"]
    user = field(out, r"CPU time \[s\]: user ([\d.]+)")
    system = field(out, r"CPU time \[s\]: user [\d.]+ system ([\d.]+)")
    return {
        "cpu": (user or 0) + (system or 0),
        "replies": field(out, r"replies (\d+)", int),
        "errors": field(out, r"Errors: total (\d+)", int),
        "fd_unavail": field(out, r"fd-unavail (\d+)", int),
        "concurrent": field(out, r"<=(\d+) concurrent", int),
        "req_rate": field(out, r"Request rate: ([\d.]+)"),
        "duration": field(out, r"test-duration ([\d.]+)"),
        "timeout": result["timeout"],
    }


def show(name, rows):
    print(f"\n== {name}")
    for label, s in rows:
        print(f"  {label:12s} " + " ".join(f"{k}={v}" for k, v in s.items()))


def bench_cpu_rate(binary, port):
    args = ["--server=127.0.0.1", f"--port={port}", "--uri=/index.html",
            "--num-conns=20000", "--rate=4000", "--timeout=5"]
    ref = summary(run_client(["httperf"] + args))
    ours = summary(run_client([binary] + args))
    show("cpu-rate: 20000 conns at 4000/s against nginx", [("httperf", ref), ("httperf-rs", ours)])
    if ours["cpu"] > 0:
        print(f"  client CPU: httperf {ref['cpu']:.2f} s, httperf-rs {ours['cpu']:.2f} s "
              f"(httperf-rs uses {100 * ours['cpu'] / max(ref['cpu'], 1e-9):.1f}% of httperf's)")


def bench_hold(binary):
    port, stop_server = start_delayed_server(2.0)
    args = ["--server=127.0.0.1", f"--port={port}", "--num-conns=5000",
            "--rate=10000", "--timeout=15"]
    ref = summary(run_client(["httperf"] + args))
    ours = summary(run_client([binary] + args))
    stop_server()
    show("hold-5000: 5000 conns, server answers after 2 s", [("httperf", ref), ("httperf-rs", ours)])


def bench_keepalive(binary, port):
    args = ["--server=127.0.0.1", f"--port={port}", "--uri=/index.html",
            "--num-conns=1", "--num-calls=50000"]
    ref = summary(run_client(["httperf"] + args))
    ours = summary(run_client([binary] + args))
    rows = [("httperf", ref), ("httperf-rs", ours)]
    if shutil.which("wrk"):
        w = run_client(["wrk", "-t1", "-c1", "-d3s", f"http://127.0.0.1:{port}/index.html"])
        rate = field(w["out"], r"Requests/sec:\s+([\d.]+)")
        rows.append(("wrk -c1", {"req_rate": rate}))
    show("keepalive: 1 connection x 50000 calls against nginx", rows)
    if ref["req_rate"] and ours["req_rate"]:
        print(f"  httperf-rs / httperf request rate: {ours['req_rate'] / ref['req_rate']:.2f}")


def count_resumed(log, offset):
    with open(log, "rb") as f:
        f.seek(offset)
        lines = f.read().split()
    return sum(1 for line in lines if line == b"r"), len(lines)


def bench_tls_cpu(binary, tmp, nginx_bin):
    nginx, port, log = start_nginx_tls(tmp, nginx_bin)
    base = ["--ssl", "--server=127.0.0.1", f"--port={port}", "--uri=/index.html",
            "--timeout=5"]
    workloads = [
        ("request mode", ["--num-conns=2000", "--rate=400"]),
        ("sessions", ["--wsess=200,10,0", "--http-version=1.0", "--rate=40"]),
    ]
    try:
        print("\n== tls-cpu: client CPU seconds per 1,000 TLS connections "
              "(nginx, RSA-2048, TLS 1.3)")
        print(f"  {'workload':13s} {'client':11s} {'reuse':9s} {'conns':>6s} "
              f"{'replies':>7s} {'errors':>6s} {'resumed':>9s} {'CPU s':>6s} "
              f"{'CPU s/1000 conns':>16s}")
        for label, extra in workloads:
            for reuse in ("reuse", "no-reuse"):
                flags = [] if reuse == "reuse" else ["--ssl-no-reuse"]
                for name, exe in (("httperf", "httperf"), ("httperf-rs", binary)):
                    offset = os.path.getsize(log) if os.path.exists(log) else 0
                    result = run_client([exe] + base + extra + flags)
                    time.sleep(0.3)  # nginx logs each request as its reply goes out
                    resumed, logged = count_resumed(log, offset)
                    s = summary(result)
                    total = field(result["out"], r"Total: connections (\d+)", int) or 0
                    per_1000 = s["cpu"] * 1000 / total if total else float("nan")
                    print(f"  {label:13s} {name:11s} {reuse:9s} {total:6d} "
                          f"{s['replies'] or 0:7d} {s['errors'] or 0:6d} "
                          f"{resumed:4d}/{logged:<4d} {s['cpu']:6.2f} {per_1000:16.3f}")
    finally:
        stop_process(nginx)


def bench_results_cost(binary, port, tmp):
    """Client CPU of httperf-rs at 4,000 conn/s with the results options off
    and on (median of three interleaved runs each)."""
    args = [binary, "--server=127.0.0.1", f"--port={port}", "--uri=/index.html",
            "--num-conns=20000", "--rate=4000", "--timeout=5"]
    json_path = os.path.join(tmp, "bench.json")
    log_path = os.path.join(tmp, "bench.phout")
    variants = [
        ("off", []),
        ("percentiles+json", ["--percentiles", f"--json={json_path}"]),
        ("log-requests", [f"--log-requests={log_path}"]),
        ("all", ["--percentiles", f"--json={json_path}", f"--log-requests={log_path}"]),
    ]
    cpu = {name: [] for name, _ in variants}
    for _ in range(3):
        for name, extra in variants:
            cpu[name].append(summary(run_client(args + extra))["cpu"])
    print("\n== results-cost: httperf-rs client CPU, 20000 conns at 4000/s against nginx "
          "(median of 3)")
    base = sorted(cpu["off"])[1]
    for name, _ in variants:
        median = sorted(cpu[name])[1]
        change = 100 * (median - base) / base if base > 0 else 0.0
        print(f"  {name:17s} {median:.2f} s  ({change:+.1f}% vs off)")


def process_tree_cpu_s(pid):
    """CPU seconds (user + system) used so far by process `pid` and its
    children (nginx's master and workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for member in process_tree_pids(pid):
        try:
            with open(f"/proc/{member}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state ppid ... utime (12th) stime (13th).
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def bench_workers(binary, port, tmp, nginx_pid=None):
    """--workers 1 vs 2 where one core is not enough. nginx runs one worker
    process on the same 2 cores, so with 2 client workers three busy
    processes share two cores: the gain is bounded by nginx's share."""
    import json
    workloads = [
        ("new-conn", ["--num-conns=60000", "--rate=30000", "--timeout=5"]),
        ("keep-alive", ["--num-conns=40", "--num-calls=5000", "--rate=400", "--timeout=5"]),
    ]
    print("\n== workers: httperf-rs --workers 1 vs 2 against nginx (1 nginx worker, "
          f"{os.cpu_count()} cores shared by all)")
    for name, extra in workloads:
        for workers in (1, 2):
            json_path = os.path.join(tmp, f"workers-{name}-{workers}.json")
            argv = [binary, "--server=127.0.0.1", f"--port={port}", "--uri=/index.html",
                    f"--workers={workers}", f"--json={json_path}", "--percentiles"] + extra
            server_before = process_tree_cpu_s(nginx_pid) if nginx_pid else 0.0
            result = run_client(argv)
            server_cpu = process_tree_cpu_s(nginx_pid) - server_before if nginx_pid else 0.0
            s = summary(result)
            lag = {}
            try:
                with open(json_path) as f:
                    measures = json.load(f)["percentiles"]["measures"]["schedule_lag"]
                lag = {"p90": measures["values_ms"].get("p90"), "max": measures["max_ms"]}
            except (OSError, ValueError, KeyError):
                pass
            print(f"  {name:10s} workers={workers}  req/s={s['req_rate']}  "
                  f"cpu={s['cpu']:.2f} s  wall={result['wall']:.2f} s  "
                  f"duration={s['duration']} s  replies={s['replies']}  errors={s['errors']}  "
                  f"lag p90={lag.get('p90')} ms max={lag.get('max')} ms  "
                  f"nginx cpu={server_cpu:.2f} s")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} (other processes share the cores)")
FLOOR_SOURCE = os.path.join(ROOT, "compat-tests", "floor", "floor.c")


def build_floor(tmp):
    """Compiles the floor client with cc -O2; None (with the reason printed)
    when there is no C compiler or the build fails."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        print("\n== floor: skipped, no C compiler (cc) to build compat-tests/floor/floor.c")
        return None
    exe = os.path.join(tmp, "floor")
    built = subprocess.run([cc, "-O2", "-o", exe, FLOOR_SOURCE], capture_output=True, text=True)
    if built.returncode != 0:
        print(f"\n== floor: skipped, building floor.c failed:\n{built.stderr}")
        return None
    return exe


def run_measured(argv, limit=180, watch_memory=False):
    """Runs a client and reads its own resource usage from wait4: CPU seconds
    (user + sys), whatever the client prints itself. With `watch_memory`, also
    its peak RSS (VmHWM of /proc/PID/status, read every 20 ms while it runs:
    wait4's ru_maxrss would include the memory of the Python process that
    forked it)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        timed_out = False
        peak_rss = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > limit:
                proc.kill()
                timed_out = True
            if watch_memory:
                peak_rss = max(peak_rss, status_kib(proc.pid, "VmHWM") * 1024)
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"out": out.read().decode(errors="replace"),
                "err": err.read().decode(errors="replace"),
                "status": proc.returncode, "timeout": timed_out,
                "wall": time.monotonic() - started,
                "cpu": usage.ru_utime + usage.ru_stime,
                "user": usage.ru_utime, "sys": usage.ru_stime,
                "peak_rss_bytes": peak_rss}


def status_kib(pid, name):
    """A kB line of /proc/PID/status (0 once the process has gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def process_tree_pids(pid):
    """`pid` and its direct children (nginx's master and workers)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def pin_to_cpu(pids, cpu):
    """Pins the processes to one CPU; returns their old affinities to restore,
    or None when the CPU cannot be used."""
    try:
        old = {p: os.sched_getaffinity(p) for p in pids}
        for p in pids:
            os.sched_setaffinity(p, {cpu})
        return old
    except OSError:
        return None


def callgrind_figures(argv_for, conns_small, conns_large):
    """User-space instructions per connection, the hot code of one
    connection and the whole of the smaller run, from two callgrind runs (the difference of `conns_large` and
    `conns_small` connections, so start-up and the report cancel out): the
    distinct 64-byte lines of code executed at least once per connection on
    average in the larger run. None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    figures = []
    for conns in (conns_small, conns_large):
        with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
            try:
                done = subprocess.run(
                    ["valgrind", "--tool=callgrind", "--dump-instr=yes",
                     f"--callgrind-out-file={out.name}"] + argv_for(conns),
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
            except subprocess.TimeoutExpired:
                return None
            if done.returncode != 0:
                return None
            figures.append(read_callgrind(out.name, conns))
    (small_total, _), (large_total, hot_lines) = figures
    per_conn = (large_total - small_total) / (conns_large - conns_small)
    return per_conn, hot_lines, small_total


def read_callgrind(path, min_count):
    """Total instructions of a callgrind profile written with --dump-instr=yes,
    and the number of distinct 64-byte code lines holding an instruction
    executed at least `min_count` times."""
    counts = {}
    address = 0
    after_calls = False
    total = 0
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                total = int(line.split()[1])
            if not line.strip() or line[0].isalpha():
                after_calls = line.startswith("calls=")
                continue
            fields = line.split()
            position = fields[0]
            if position.startswith("0x"):
                address = int(position, 16)
            elif position[0] in "+-":
                address += int(position, 16)
            elif position != "*":
                continue
            if after_calls:
                # The line after calls= holds the call's inclusive cost.
                after_calls = False
                continue
            if len(fields) > 2:
                counts[address] = counts.get(address, 0) + int(fields[2])
    hot = {a // 64 for a, c in counts.items() if c >= min_count}
    return total, len(hot)


def lackey_lines(argv, instructions_per_conn, skip_instructions):
    """Distinct 64-byte lines of code and of data touched per stretch of
    `instructions_per_conn` instructions (one connection's worth), averaged
    over the stretches after the first `skip_instructions` (start-up), from
    valgrind's lackey memory trace. None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".lackey") as trace:
        try:
            done = subprocess.run(
                ["valgrind", "--tool=lackey", "--trace-mem=yes", f"--log-file={trace.name}"]
                + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
        except subprocess.TimeoutExpired:
            return None
        if done.returncode != 0:
            return None
        executed = 0
        in_stretch = 0
        code, data = set(), set()
        totals = [0, 0, 0]  # stretches, code lines, data lines
        with open(trace.name, "rb") as f:
            for line in f:
                kind = line[:2]
                if kind == b"I ":
                    executed += 1
                    if executed <= skip_instructions:
                        continue
                    in_stretch += 1
                    if in_stretch == instructions_per_conn:
                        totals[0] += 1
                        totals[1] += len(code)
                        totals[2] += len(data)
                        code.clear()
                        data.clear()
                        in_stretch = 0
                    target = code
                elif kind in (b" L", b" S", b" M"):
                    if executed <= skip_instructions:
                        continue
                    target = data
                else:
                    continue
                address, _, size = line[3:].partition(b",")
                first = int(address, 16)
                last = first + max(int(size or b"1"), 1) - 1
                target.add(first >> 6)
                if last >> 6 != first >> 6:
                    target.add(last >> 6)
    if totals[0] == 0:
        return None
    return totals[1] / totals[0], totals[2] / totals[0]


def bench_floor(binary, port, tmp, runs, nginx_pid=None):
    """CPU seconds of the floor client, httperf-rs and httperf 0.9.0 for the
    same paced workload, interleaved run by run so that the noise of the shared
    machine falls on all of them alike. Each client and nginx share CPU 0 when
    they can be pinned: on two cores, a client and nginx on different cores
    make every connection an inter-processor wake-up whose cost varies from run
    to run far more than the clients differ."""
    floor = build_floor(tmp)
    if floor is None:
        return
    conns, rate = 20000, 4000
    httperf_args = ["--server=127.0.0.1", f"--port={port}", "--uri=/index.html",
                    f"--num-conns={conns}", f"--rate={rate}", "--timeout=5"]
    floor_argv = [floor, "127.0.0.1", str(port), "/index.html", str(rate), str(conns)]
    clients = [
        ("floor", floor_argv, lambda out: field(out, r"replies (\d+)", int)),
        # The floor also doing what httperf's semantics oblige httperf-rs to
        # do: httperf's socket buffer sizes and a clock read per timestamp.
        ("floor+duties", floor_argv + ["--httperf-duties"],
         lambda out: field(out, r"replies (\d+)", int)),
        ("httperf-rs", [binary] + httperf_args, lambda out: field(out, r"replies (\d+)", int)),
        ("httperf", ["httperf"] + httperf_args, lambda out: field(out, r"replies (\d+)", int)),
    ]
    restore = pin_to_cpu(process_tree_pids(nginx_pid), 0) if nginx_pid else None
    pin = ["taskset", "-c", "0"] if restore is not None and shutil.which("taskset") else []
    cpu = {name: [] for name, _, _ in clients}
    replies = {name: [] for name, _, _ in clients}
    try:
        for _ in range(runs):
            for name, argv, count in clients:
                result = run_measured(pin + argv)
                cpu[name].append(result["cpu"])
                replies[name].append(count(result["out"]))
        # rusage splits CPU time into user and system by the clock tick that
        # happens to land, too coarsely to say which side the gap is on;
        # perf's sampling attributes every 50 us to kernel or user code.
        measured = [client for client in clients if client[0] in ("floor", "httperf-rs")]
        split = {name: [] for name, _, _ in measured}
        for _ in range(runs):
            for name, argv, _ in measured:
                split[name].append(perf_split(pin + argv, argv[0], tmp))
    finally:
        for pid, cpus in (restore or {}).items():
            try:
                os.sched_setaffinity(pid, cpus)
            except OSError:
                pass
    where = "client and nginx pinned to CPU 0" if pin else "not pinned"
    print(f"\n== floor: {conns} conns at {rate}/s against nginx, client CPU s "
          f"(user+sys from rusage), median of {runs} interleaved runs, {where}")
    floor_cpu = median(cpu["floor"])
    for name, _, _ in clients:
        runs_text = " ".join(f"{c:.2f}" for c in cpu[name])
        ratio = median(cpu[name]) / floor_cpu if floor_cpu > 0 else float("nan")
        print(f"  {name:12s} {median(cpu[name]):6.2f} s  x{ratio:.3f} floor  "
              f"(runs: {runs_text}; replies: {sorted(set(replies[name]), key=str)})")
    # Ratio of each run to the floor run just before it, so that a slow
    # stretch of the machine does not skew one side only.
    paired = [rs / fl for rs, fl in zip(cpu["httperf-rs"], cpu["floor"]) if fl > 0]
    print(f"  httperf-rs / floor: {median(cpu['httperf-rs']) / floor_cpu:.3f} (medians), "
          f"{median(paired):.3f} (median of run pairs)")
    duties = [rs / fd for rs, fd in zip(cpu["httperf-rs"], cpu["floor+duties"]) if fd > 0]
    print(f"  httperf-rs / floor+duties (the engine's own share): "
          f"{median(cpu['httperf-rs']) / max(median(cpu['floor+duties']), 1e-9):.3f} (medians), "
          f"{median(duties):.3f} (median of run pairs)")
    print("  (wrk does not fit here: it keeps connections open and does not pace "
          "new connections at a rate)")
    if any(None in parts for parts in split.values()):
        print("  (perf not installed or not permitted: no kernel / user split)")
    else:
        print(f"  where the CPU goes (perf samples every 50 us, median of {runs} more "
              "interleaved runs):")
        for name, parts in split.items():
            kernel, own, libraries = (median([p[key] for p in parts])
                                      for key in ("kernel", "own", "libraries"))
            print(f"  {name:11s} kernel {kernel:5.2f} s  own code {own:5.2f} s  "
                  f"libc and vdso {libraries:5.2f} s")
    # Both clients make the same system calls per connection but for
    # httperf-rs's two buffer-size setsockopt calls, so what is left is the
    # user-space part: how much code runs per connection, and how many lines
    # of it, each fetched cold after the kernel's work for the connection.
    small, large = 200, 2000
    figures = {
        "floor": callgrind_figures(
            lambda n: [floor, "127.0.0.1", str(port), "/index.html", str(rate), str(n)],
            small, large),
        "httperf-rs": callgrind_figures(
            lambda n: [binary] + httperf_args[:3] + [f"--num-conns={n}", f"--rate={rate}",
                                                      "--timeout=5"],
            small, large),
    }
    if None in figures.values():
        print("  (valgrind not installed, failed or took over 10 minutes: "
              "no instruction figures)")
        return
    print(f"  user space per connection (callgrind, {large} minus {small} connections):")
    for name, (per_conn, hot_lines, _) in figures.items():
        print(f"  {name:11s} {per_conn:8.0f} instructions, hot code {hot_lines} lines "
              f"of 64 bytes ({hot_lines * 64 / 1024:.1f} KiB)")
    # What a cache emptied between connections would have to fetch again:
    # the lines a connection's worth of instructions touches, after the
    # start-up of a run of `large` connections.
    print(f"  distinct 64-byte lines per connection's worth of instructions "
          f"(lackey, {large} connections; start-up and the first {small} left out):")
    argv_for = {
        "floor": [floor, "127.0.0.1", str(port), "/index.html", str(rate), str(large)],
        "httperf-rs": [binary] + httperf_args[:3] + [f"--num-conns={large}", f"--rate={rate}",
                                                     "--timeout=5"],
    }
    for name, (per_conn, _, small_total) in figures.items():
        # Left out: as many instructions as the whole smaller run took.
        lines = lackey_lines(argv_for[name], max(int(per_conn), 1), small_total)
        if lines is None:
            print(f"  {name:11s} (lackey failed or took over 15 minutes)")
            continue
        print(f"  {name:11s} code {lines[0]:6.1f}  data {lines[1]:6.1f}")


def perf_split(argv, executable, tmp):
    """CPU seconds of one run split by where perf's cpu-clock samples fell:
    the kernel, the client's own executable, and the shared libraries (libc's
    system call wrappers, the vdso's clock). None without a usable perf."""
    if shutil.which("perf") is None:
        return None
    data = os.path.join(tmp, "perf.data")
    recorded = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "20000",
                               "-o", data, "--"] + argv,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=180)
    if recorded.returncode != 0:
        return None
    report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--sort", "dso"],
                            capture_output=True, text=True, timeout=180)
    total = re.search(r"Event count \(approx\.\): (\d+)", report.stdout)
    if report.returncode != 0 or total is None:
        return None
    seconds = int(total.group(1)) / 1e9
    executable = os.path.basename(executable)
    parts = {"kernel": 0.0, "own": 0.0, "libraries": 0.0}
    for line in report.stdout.splitlines():
        row = re.match(r"\s+([\d.]+)%\s+(\S+)", line)
        if row is None:
            continue
        share = float(row.group(1)) / 100 * seconds
        dso = row.group(2)
        if dso.startswith("[kernel"):
            parts["kernel"] += share
        elif dso == executable:
            parts["own"] += share
        else:
            parts["libraries"] += share
    return parts


def start_holding_server():
    """A server that accepts every connection and never reads or replies, in a
    thread. Returns its port and a function that stops it and closes them."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen(8192)
    listener.settimeout(0.2)
    held = []
    stopping = threading.Event()

    def accept_loop():
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                time.sleep(0.01)  # out of descriptors: let the client time out
                continue
            held.append(conn)

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join(5)
        for conn in held:
            conn.close()
        held.clear()
        listener.close()

    return listener.getsockname()[1], stop


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def bench_memory(binary, runs=3):
    """Peak RSS growth per connection held open: each client holds a few and
    then many connections to a server that never answers, until its timeout.
    httperf 0.9.0 cannot hold more than 1022 (FD_SETSIZE), hence its counts."""
    hard = raise_file_limit()
    clients = [("httperf-rs", binary, 1000, 10000), ("httperf", "httperf", 100, 1000)]
    if hard < 10000 + 100:
        print(f"\n== memory: skipped, the open-file limit ({hard}) is below {10000 + 100}")
        return
    peaks = {}
    held = {}
    for _ in range(runs):
        for name, exe, small, large in clients:
            for n in (small, large):
                port, stop = start_holding_server()
                try:
                    result = run_measured([exe, "--server=127.0.0.1", f"--port={port}",
                                           f"--num-conns={n}", "--rate=20000", "--timeout=3"],
                                          watch_memory=True)
                finally:
                    stop()
                peaks.setdefault((name, n), []).append(result["peak_rss_bytes"])
                held.setdefault((name, n), []).append(
                    field(result["out"], r"<=(\d+) concurrent", int) or 0)
    print("\n== memory: peak RSS growth per connection held open to a server that never "
          f"replies (VmHWM; median of {runs})")
    for name, _, small, large in clients:
        low, high = median(peaks[(name, small)]), median(peaks[(name, large)])
        per_conn = (high - low) / (large - small)
        print(f"  {name:11s} {low / 1024:7.0f} KiB holding {min(held[(name, small)])}, "
              f"{high / 1024:7.0f} KiB holding {min(held[(name, large)])}: "
              f"{per_conn:6.0f} bytes/connection")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.environ.get(
        "HTTPERF_RS", os.path.join(ROOT, "target", "release", "httperf-rs")))
    parser.add_argument("--only", default="")
    parser.add_argument("--runs", type=int, default=5,
                        help="runs of each client in the floor section (median)")
    opts = parser.parse_args()
    if not shutil.which("httperf"):
        raise SystemExit("httperf is not installed (apt-get install httperf)")
    nginx_bin = find_nginx()
    if nginx_bin is None:
        raise SystemExit("nginx is not installed (apt-get install nginx-light)")
    tmp = tempfile.mkdtemp(prefix="httperf-bench-")
    nginx, port = start_nginx(tmp, nginx_bin)
    try:
        if opts.only in ("", "cpu-rate"):
            bench_cpu_rate(opts.binary, port)
        if opts.only in ("", "hold-5000"):
            bench_hold(opts.binary)
        if opts.only in ("", "keepalive"):
            bench_keepalive(opts.binary, port)
        if opts.only in ("", "tls-cpu"):
            bench_tls_cpu(opts.binary, tmp, nginx_bin)
        if opts.only in ("", "results-cost"):
            bench_results_cost(opts.binary, port, tmp)
        if opts.only in ("", "workers"):
            bench_workers(opts.binary, port, tmp, nginx.pid)
        if opts.only in ("", "floor"):
            bench_floor(opts.binary, port, tmp, max(opts.runs, 1), nginx.pid)
        if opts.only in ("", "memory"):
            bench_memory(opts.binary)
    finally:
        stop_process(nginx)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
