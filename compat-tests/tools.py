"""The programs the runner needs (the reference httperf, nginx, openssl: installed
with apt-get when missing) and stopping a process group it started."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

REFERENCE = "/usr/bin/httperf"


def apt_install(packages: list[str]) -> bool:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q"] + packages
    for attempt in range(2):
        r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode == 0:
            return True
        if attempt == 0:
            subprocess.run(["apt-get", "update", "-q"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sys.stderr.write(f"apt-get install {' '.join(packages)} failed:\n"
                     f"{r.stderr.decode(errors='replace')}\n")
    return False


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)


def ensure_tools(reference: str, need_nginx: bool) -> str | None:
    if not os.access(reference, os.X_OK):
        if reference != REFERENCE or not apt_install(["httperf"]):
            sys.exit(f"reference httperf not available at {reference}")
    nginx = None
    if need_nginx:
        nginx = find_nginx()
        if nginx is None:
            if not apt_install(["nginx-light"]):
                apt_install(["nginx"])
            nginx = find_nginx()
        if nginx is None:
            sys.exit("nginx is not available and could not be installed")
    return nginx



def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group of `proc` (started with start_new_session), then
    SIGKILL if it is still there after 5 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except OSError:
        proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.wait(5)
