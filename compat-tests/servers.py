"""The servers scenarios run against, all on 127.0.0.1 (port 0 = a free port): the
scripted Python servers with fixed replies that record the exact bytes each
connection received (`ok`, `chunked`, `cookie`, `silent`, ...), nginx behind a
recording relay, nginx with TLS whose access log stands in for the encrypted bytes,
and the nginx configuration and start-up shared with bench.py.  `start_servers`
maps a scenario's server name to one of them."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time

from tools import apt_install, stop_process

HOST = "127.0.0.1"

# Fixed mtime for the nginx document tree, so Last-Modified and ETag never change.
FIXED_MTIME = 1700000000


def nginx_conf(d: str, server: list[str], http: tuple[str, ...] = ("access_log off;",),
               worker_connections: int = 1024, keepalive_requests: int = 100000,
               error_level: str = "") -> str:
    """An nginx configuration: one worker in the foreground, its pid file, error log
    and temp paths in directory `d`, keep-alive on, and one server block made of the
    directives `server` (listen, root...), after the http-level directives `http`."""
    lines = "\n".join
    error_log = f"{d}/error.log" + (f" {error_level}" if error_level else "")
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {error_log};
events {{ worker_connections {worker_connections}; }}
http {{
{lines("    " + h for h in http)}
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    types {{ text/html html; text/plain txt; }}
    default_type application/octet-stream;
    keepalive_timeout 65;
    keepalive_requests {keepalive_requests};
    server {{
{lines("        " + s for s in server)}
    }}
}}
"""


def start_nginx_process(binary: str, d: str, conf: str, port: int,
                        label: str) -> subprocess.Popen:
    """Writes the configuration `conf` to d/nginx.conf, starts nginx with it in its
    own process group (stop it with tools.stop_process) and waits (10 s at most)
    until it listens on `port`."""
    conf_path = os.path.join(d, "nginx.conf")
    with open(conf_path, "w") as f:
        f.write(conf)
    proc = subprocess.Popen(
        [binary, "-e", os.path.join(d, "error.log"), "-p", d + "/", "-c", conf_path],
        stdin=subprocess.DEVNULL, stdout=open(os.path.join(d, "stdout.log"), "wb"),
        stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 10
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{label} exited at start-up:\n" + nginx_errors(d))
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                stop_process(proc)
                raise RuntimeError(f"{label} did not start listening:\n" + nginx_errors(d))
            time.sleep(0.05)


def nginx_errors(d: str) -> str:
    """What nginx started in directory `d` wrote to its error log and stdout."""
    out = []
    for name in ("error.log", "stdout.log"):
        try:
            with open(os.path.join(d, name), errors="replace") as f:
                out.append(f.read())
        except OSError:
            pass
    return "".join(out)


class ConnLog:
    """Exact bytes received on every finished connection of one server."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.active = 0
        self.done: list[bytes] = []

    def opened(self) -> None:
        with self.cond:
            self.active += 1

    def closed(self, data: bytes) -> None:
        with self.cond:
            self.active -= 1
            self.done.append(bytes(data))
            self.cond.notify_all()

    def reset(self) -> None:
        with self.cond:
            self.done = []

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no connection has been open for 100 ms (or timeout)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if self.active == 0:
                    self.cond.wait(0.1)
                    if self.active == 0:
                        return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.1))

    def snapshot(self) -> list[bytes]:
        with self.cond:
            return list(self.done)


def free_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def quiet_shutdown(sock: socket.socket, how: int = socket.SHUT_RDWR) -> None:
    try:
        sock.shutdown(how)
    except OSError:
        pass


class BaseServer:
    """Threaded TCP server on a free loopback port; one thread per connection."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.log = ConnLog()
        self.stopping = threading.Event()
        self.live: set[socket.socket] = set()
        self.live_lock = threading.Lock()
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind((HOST, 0))
        self.lsock.listen(256)
        self.lsock.settimeout(0.2)
        self.port = self.lsock.getsockname()[1]
        self.thread = threading.Thread(target=self._accept_loop, daemon=True,
                                       name=f"accept-{name}")

    def start(self) -> "BaseServer":
        self.thread.start()
        return self

    def _track(self, s: socket.socket, add: bool) -> None:
        with self.live_lock:
            (self.live.add if add else self.live.discard)(s)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(None)
            self.log.opened()
            self._track(conn, True)
            threading.Thread(target=self._run_conn, args=(conn,), daemon=True).start()

    def _run_conn(self, conn: socket.socket) -> None:
        rec = bytearray()
        try:
            self.handle(conn, rec)
        except OSError:
            pass
        finally:
            self._track(conn, False)
            try:
                conn.close()
            except OSError:
                pass
            self.log.closed(rec)

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        raise NotImplementedError

    @staticmethod
    def recv(conn: socket.socket, rec: bytearray) -> bytes:
        data = conn.recv(65536)
        rec += data
        return data

    def stop(self) -> None:
        self.stopping.set()
        try:
            self.lsock.close()
        except OSError:
            pass
        with self.live_lock:
            socks = list(self.live)
        for s in socks:
            quiet_shutdown(s)


# Deterministic replies: (status line + headers, body); no Date or other varying data.
OK_BODY = b"httperf compat test body\nsecond line\n"
NOLF_BODY = b"first line\nno final newline"
NOT_FOUND_BODY = b"not found\n"
UNAVAILABLE_BODY = b"service unavailable\n"
CHUNKED_BODY = b"5\r\nhello\r\n7;ext=1\r\n world!\r\n0\r\nX-Foot: bar\r\n\r\n"

REPLIES: dict[str, tuple[bytes, bytes, bool]] = {
    # name: (head, body, close-after-reply)
    "ok": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
           % len(OK_BODY), OK_BODY, False),
    "ok-nolf": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
                % len(NOLF_BODY), NOLF_BODY, False),
    "chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", CHUNKED_BODY, False),
    "close": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
              b"Connection: close\r\n\r\n" % len(OK_BODY), OK_BODY, True),
    "close-body": (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
                   OK_BODY, True),
    "404": (b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
            % len(NOT_FOUND_BODY), NOT_FOUND_BODY, False),
    "503": (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % len(UNAVAILABLE_BODY), UNAVAILABLE_BODY, False),
}


CONTENT_LENGTH_RE = re.compile(rb"\r\ncontent-length: *(\d+)", re.I)


def next_request(buf: bytes) -> tuple[bytes, bytes] | None:
    """(request head, rest of buf) once the head (up to CRLF CRLF) and the body its
    Content-Length announces (the --wsesslog contents=) have arrived, else None."""
    if b"\r\n\r\n" not in buf:
        return None
    req, rest = buf.split(b"\r\n\r\n", 1)
    m = CONTENT_LENGTH_RE.search(req)
    n = int(m.group(1)) if m else 0
    if len(rest) < n:
        return None
    return req, rest[n:]


class HttpServer(BaseServer):
    """Answers every request (end of header = CRLF CRLF, then a Content-Length body
    if announced) with a fixed reply.

    Close-after-reply servers shut down their sending side and keep reading until
    the client closes, so that bytes sent after the close are recorded too."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.head, self.body, self.close_after = REPLIES[name]

    def reply(self, k: int, req: bytes) -> bytes:
        """The reply to request number k (1, 2, ...) of a connection."""
        return self.head + (b"" if req.startswith(b"HEAD ") else self.body)

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        buf = b""
        k = 0
        while True:
            data = self.recv(conn, rec)
            if not data:
                return
            buf += data
            while (got := next_request(buf)) is not None:
                req, buf = got
                k += 1
                conn.sendall(self.reply(k, req))
                if self.close_after:
                    conn.shutdown(socket.SHUT_WR)
                    while self.recv(conn, rec):
                        pass
                    return


class CookieServer(HttpServer):
    """`ok` replies with cookies (docs/behaviour.md#session-cookies): request k of a connection gets
    `Set-Cookie: a=k`, then `set-cookie: b=k; Path=/; HttpOnly` (lower case, with
    attributes; the last one wins, so the session's cookie becomes `b=k`).  For a
    path starting with /long the value of b is 300 x's (0.9.0 truncates to 245 bytes
    with a warning); for /empty the second header is `Set-Cookie: ` with nothing
    after the space, which changes nothing (the cookie stays a=k)."""

    def __init__(self, name: str) -> None:
        BaseServer.__init__(self, name)
        self.close_after = False

    def reply(self, k: int, req: bytes) -> bytes:
        path = req.split(b" ", 2)[1:2]
        value = b"x" * 300 if path == [b"/long"] else b"%d" % k
        second = (b"Set-Cookie: \r\n" if path == [b"/empty"]
                  else b"set-cookie: b=%s; Path=/; HttpOnly\r\n" % value)
        head = (b"HTTP/1.1 200 OK\r\nSet-Cookie: a=%d\r\n%sContent-Type: text/plain\r\n"
                b"Content-Length: %d\r\n\r\n" % (k, second, len(OK_BODY)))
        return head + (b"" if req.startswith(b"HEAD ") else OK_BODY)


class FailNthServer(HttpServer):
    """Answers request number `n` of each connection with the `503` reply and every
    other request with the `ok` reply (--failure-status, --retry-on-failure)."""

    def __init__(self, name: str, n: int) -> None:
        BaseServer.__init__(self, name)
        self.close_after = False
        self.n = n

    def reply(self, k: int, req: bytes) -> bytes:
        head, body, _ = REPLIES["503" if k == self.n else "ok"]
        return head + (b"" if req.startswith(b"HEAD ") else body)


class SplitHeadServer(BaseServer):
    """Answers each request with a reply whose header-ending blank line is split
    between two sends 100 ms apart (CR, then LF + body), so the client reads it in
    two pieces."""

    FIRST = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r" % len(
        OK_BODY)
    SECOND = b"\n" + OK_BODY

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""
        while True:
            data = self.recv(conn, rec)
            if not data:
                return
            buf += data
            while b"\r\n\r\n" in buf:
                _, buf = buf.split(b"\r\n\r\n", 1)
                conn.sendall(self.FIRST)
                time.sleep(0.1)
                conn.sendall(self.SECOND)


class SilentServer(BaseServer):
    """Accepts and reads, never answers."""

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        while self.recv(conn, rec):
            pass


class RefusedPort:
    """A bound socket that never listens: connecting to it is refused."""

    def __init__(self) -> None:
        self.name = "refused"
        self.log = ConnLog()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]

    def stop(self) -> None:
        self.sock.close()


class RecordingProxy(BaseServer):
    """Transparent TCP relay in front of nginx that records what the client sent."""

    def __init__(self, name: str, upstream_port: int) -> None:
        super().__init__(name)
        self.upstream_port = upstream_port

    def handle(self, conn: socket.socket, rec: bytearray) -> None:
        up = socket.create_connection((HOST, self.upstream_port), timeout=10)
        up.settimeout(None)
        up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(up, True)

        def client_to_upstream() -> None:
            try:
                while True:
                    data = self.recv(conn, rec)
                    if not data:
                        quiet_shutdown(up, socket.SHUT_WR)
                        return
                    up.sendall(data)
            except OSError:
                # client reset (e.g. --close-with-reset): tear both sides down
                quiet_shutdown(up)
                quiet_shutdown(conn)

        t = threading.Thread(target=client_to_upstream, daemon=True)
        t.start()
        try:
            while True:
                data = up.recv(65536)
                if not data:
                    quiet_shutdown(conn, socket.SHUT_WR)
                    break
                conn.sendall(data)
        except OSError:
            quiet_shutdown(up)
            quiet_shutdown(conn)
        t.join()
        self._track(up, False)
        up.close()


class Nginx:
    """nginx with a generated config, in the foreground, plus a recording proxy."""

    def __init__(self, tmp: str, binary: str) -> None:
        self.name = "nginx"
        self.dir = os.path.join(tmp, "nginx")
        www = os.path.join(self.dir, "www")
        os.makedirs(os.path.join(www, "tree", "sub"))
        files = {
            "index.html": make_index_html(),
            "tree/index.html": b"<html><body>tree</body></html>\n",
            "tree/a.html": b"<html><body>a</body></html>\n",
            "tree/sub/page.html": b"<html><body>" + b"p" * 200 + b"</body></html>\n",
            "tree/sub/data.txt": b"0123456789\n" * 10,
            "tree/nolf.txt": b"first line\nlast line without LF",
            # the URIs of httperf.1's --wsesslog example file (MAN_SESSLOG)
            **{name: b"<html><body>%s</body></html>\n" % name.encode()
               for name in ("foo.html", "foo2.html", "foo3.html", "foo4.html")},
            **{"pict%d.gif" % i: b"GIF89a" + bytes(range(i * 10)) for i in (1, 2, 3, 4)},
        }
        for rel, content in files.items():
            path = os.path.join(www, rel)
            with open(path, "wb") as f:
                f.write(content)
            os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        self.upstream_port = free_port()
        conf = nginx_conf(self.dir, [f"listen {HOST}:{self.upstream_port};",
                                     "server_name localhost;", f"root {www};",
                                     "index index.html;"])
        self.proc = start_nginx_process(binary, self.dir, conf, self.upstream_port, "nginx")
        self.proxy = RecordingProxy("nginx", self.upstream_port).start()
        self.port = self.proxy.port
        self.log = self.proxy.log

    def stop(self) -> None:
        self.proxy.stop()
        stop_process(self.proc)


class AccessLog:
    """What nginx logged, one line per request, in place of the (encrypted) bytes on
    the wire: same interface as ConnLog.  The last field of each line, whether the
    TLS session was resumed, is counted apart (`last_resumed`) and left out of the
    lines compared."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0
        self.last_resumed: int | None = None

    def _size(self) -> int:
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def reset(self) -> None:
        self.offset = self._size()
        self.last_resumed = None

    def wait_idle(self, timeout: float) -> bool:
        """nginx logs a request when its reply is sent: wait until the log has
        not grown for 200 ms."""
        deadline = time.monotonic() + timeout
        size = self._size()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self._size()
            if now == size:
                return True
            size = now
        return False

    def snapshot(self) -> list[bytes]:
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            lines = f.read().splitlines()
        self.last_resumed = sum(1 for line in lines if line.endswith(b"|r"))
        return [line.rsplit(b"|", 1)[0] for line in lines]


class NginxTls:
    """nginx with TLS on a loopback port (self-signed RSA certificate made with the
    openssl CLI at start), logging every request to an access log."""

    LOG_FORMAT = ("$ssl_protocol|$ssl_cipher|$ssl_server_name|$request|$http_host|"
                  "$http_user_agent|$http_connection|$request_length|$status|"
                  "$ssl_session_reused")

    def __init__(self, tmp: str, binary: str) -> None:
        self.name = "nginx-tls"
        self.dir = d = os.path.join(tmp, "nginx-tls")
        www = os.path.join(d, "www")
        os.makedirs(www)
        path = os.path.join(www, "index.html")
        with open(path, "wb") as f:
            f.write(make_index_html())
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        cert, key = make_certificate(d)
        self.port = free_port()
        access = os.path.join(d, "access.log")
        conf = nginx_conf(d, [f"listen {HOST}:{self.port} ssl;", "server_name localhost;",
                              f"ssl_certificate {cert};", f"ssl_certificate_key {key};",
                              "ssl_protocols TLSv1.2 TLSv1.3;",
                              "ssl_session_cache shared:compat:1m;", f"root {www};",
                              "index index.html;"],
                          http=(f"log_format compat '{self.LOG_FORMAT}';",
                                f"access_log {access} compat;"))
        self.proc = start_nginx_process(binary, d, conf, self.port, "nginx (TLS)")
        self.log = AccessLog(access)

    def stop(self) -> None:
        stop_process(self.proc)


def make_certificate(directory: str) -> tuple[str, str]:
    """A self-signed RSA-2048 certificate for localhost and 127.0.0.1."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    openssl = shutil.which("openssl")
    if openssl is None and apt_install(["openssl"]):
        openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed to make a test certificate")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return cert, key


def make_index_html() -> bytes:
    head = b"<html><head><title>httperf compat</title></head><body>\n"
    tail = b"</body></html>\n"
    line = b"<p>0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ</p>\n"
    body = head
    while len(body) + len(line) + len(tail) <= 1010:
        body += line
    body += b"x" * (1010 - len(body) - len(tail) - 1) + b"\n" + tail
    assert len(body) == 1010
    return body


def start_servers(needed: set[str], tmp: str, nginx_bin: str | None) -> dict:
    """Starts the servers named in `needed` (scenario server keys); stops the ones
    already started if one fails."""
    servers: dict = {}
    try:
        for key in sorted(needed):
            if key == "nginx":
                servers[key] = Nginx(tmp, nginx_bin)
            elif key == "nginx-tls":
                servers[key] = NginxTls(tmp, nginx_bin)
            elif key == "split-head":
                servers[key] = SplitHeadServer(key).start()
            elif key == "silent":
                servers[key] = SilentServer(key).start()
            elif key == "refused":
                servers[key] = RefusedPort()
            elif key == "cookie":
                servers[key] = CookieServer(key).start()
            elif key == "503-first":
                servers[key] = FailNthServer(key, 1).start()
            elif key == "503-third":
                servers[key] = FailNthServer(key, 3).start()
            else:
                servers[key] = HttpServer(key).start()
    except BaseException:
        for s in servers.values():
            s.stop()
        raise
    return servers
