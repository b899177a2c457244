#!/usr/bin/env bash
# Runs the Slurm recipe for real on a one-node cluster on this machine:
# starts munged, slurmctld and slurmd with a private configuration (state,
# sockets, logs in a temporary directory; nothing of the system's
# configuration is used or changed), starts nginx on 127.0.0.1, runs
# `srun -n 2 httperf-rs --client auto ...` (each task client SLURM_PROCID of
# SLURM_NTASKS, both starting at one --start-at), merges the two shards with
# `httperf-rs merge` and checks the merged counts. Fails with the reason when
# the cluster cannot start; stops every daemon it started. Needs root (the
# daemons run as root here) and the Debian packages slurm-wlm, munge and
# nginx-light.
#
# Usage: deploy/slurm/test-local-cluster.sh [HTTPERF_RS_BINARY]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
binary=${1:-$here/../../target/release/httperf-rs}
binary=$(readlink -f "$binary")
conns=200

fail() { echo "test-local-cluster: FAILED: $*" >&2; exit 1; }

[ -x "$binary" ] || fail "no httperf-rs binary at $binary (cargo build --release)"
for tool in munged slurmctld slurmd srun sinfo nginx; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
    fail "$tool is not installed (apt-get install slurm-wlm munge nginx-light)"
done
[ "$(id -u)" = 0 ] || fail "the one-node cluster needs root to run slurmd"

work=$(mktemp -d /tmp/httperf-rs-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; } >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# munge, with its own key and socket.
mkdir -m 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
/usr/sbin/munged --force --foreground --key-file="$work/munge/munge.key" \
  --socket="$socket" --pid-file="$work/munge/munged.pid" \
  --seed-file="$work/munge/munged.seed" --log-file="$work/munged.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || fail "munged did not start"

# Slurm: this host as controller and only node.
host=$(hostname -s)
cpus=$(nproc)
ctld_port=$(free_port)
slurmd_port=$(free_port)
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<CONF
ClusterName=httperfrs
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
LaunchParameters=use_interactive_step
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=10 State=UP
CONF
# Slurm 22.05 always initialises a cgroup plugin in slurmd; nothing here
# constrains jobs, so the v1 plugin on whatever is mounted is enough.
if [ -d /sys/fs/cgroup/cpu ] || [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  printf 'CgroupPlugin=cgroup/v1\nCgroupMountpoint=/sys/fs/cgroup\n' > "$work/cgroup.conf"
else
  printf 'CgroupPlugin=cgroup/v2\nIgnoreSystemd=yes\n' > "$work/cgroup.conf"
fi
export SLURM_CONF="$work/slurm.conf"
/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out.log" 2>&1 &
pids+=($!)
/usr/sbin/slurmd -D -N "$host" -f "$SLURM_CONF" >"$work/slurmd.out.log" 2>&1 &
pids+=($!)
ready=
for _ in $(seq 150); do
  if state=$(timeout 5 sinfo -h -N -o '%T' 2>/dev/null) && [ -n "$state" ] &&
     [[ "$state" == idle* || "$state" == mixed* ]]; then
    ready=1; break
  fi
  sleep 0.2
done
[ -n "$ready" ] || fail "the one-node Slurm cluster did not come up (sinfo: ${state:-no answer})"

# nginx to load.
port=$(free_port)
mkdir -p "$work/nginx/www"
echo "hello from nginx" > "$work/nginx/www/index.html"
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/t1; proxy_temp_path $work/nginx/t2;
  fastcgi_temp_path $work/nginx/t3; uwsgi_temp_path $work/nginx/t4; scgi_temp_path $work/nginx/t5;
  server { listen 127.0.0.1:$port; root $work/nginx/www; }
}
CONF
nginx -e "$work/nginx.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1
done

# The recipe: every task is client SLURM_PROCID of SLURM_NTASKS, starting
# together; then the merge.
start_at=$(( $(date +%s) + 3 ))
timeout 120 srun -n 2 --time=2 bash -c "exec '$binary' --client auto --start-at $start_at \
  --server 127.0.0.1 --port $port --uri /index.html --num-conns $conns --rate 200 \
  --json '$work/shard-'\$SLURM_PROCID.json" >"$work/srun.log" 2>&1 ||
  fail "srun -n 2 httperf-rs failed: $(tail -n 20 "$work/srun.log")"
echo "--- srun output (the two tasks' reports)"
cat "$work/srun.log"
echo "--- httperf-rs merge shard-0.json shard-1.json"
timeout 30 "$binary" merge "$work/shard-0.json" "$work/shard-1.json" | tee "$work/merged.txt"
grep -q -- "--client=0/2 " "$work/merged.txt" || fail "the merged echo line is not client 0 of 2"
expected="Total: connections $((2 * conns)) requests $((2 * conns)) replies $((2 * conns)) "
grep -q "^$expected" "$work/merged.txt" || fail "merged counts are not '$expected'"
grep -q "^Reply status: 1xx=0 2xx=$((2 * conns)) " "$work/merged.txt" ||
  fail "not every reply was a 2xx"

# The sbatch recipe as written, with this target and a short workload.
echo "--- sbatch --ntasks=2 --wait deploy/slurm/httperf-rs.sbatch"
mkdir -p "$work/sbatch"
TARGET=127.0.0.1 PORT=$port HTTPERF_RS=$binary RESULTS=$work/sbatch \
  WORKLOAD="--uri /index.html --num-conns 100 --rate 100" \
  timeout 120 sbatch --wait --ntasks=2 --time=2 --output="$work/sbatch/job.out" \
  "$here/httperf-rs.sbatch" >/dev/null ||
  fail "the sbatch recipe failed: $(tail -n 20 "$work/sbatch/job.out" 2>/dev/null)"
cat "$work/sbatch/job.out"
grep -q "^Total: connections 200 requests 200 replies 200 " "$work/sbatch/job.out" ||
  fail "the sbatch recipe's merged report does not count 200 connections"
echo "test-local-cluster: ok: srun -n 2, merged $((2 * conns)) connections; sbatch recipe merged 200"
