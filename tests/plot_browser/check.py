#!/usr/bin/env python3
"""Opens an `httperf-rs plot` page in headless Chromium with the network cut
off, and checks it the way a reader would see it: the page loads without a
console message of level error or an uncaught exception, every chart
(`svg.chart`) is laid out with a non-empty drawing area, and no request
leaves the page's own file. Optionally saves a screenshot (1280 px wide; the
whole page with --full-page).

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe,
file descriptors 3 and 4), with the standard library only. The network is
cut twice: the browser runs in a network namespace of its own when
`unshare -n` works here, and always through a proxy on a closed port with
every host name unresolvable. Prints one JSON line describing the page;
exits 1 with the reason when a check fails, 2 when Chromium cannot run.

usage: check.py PAGE.html --charts N [--screenshot FILE.png] [--full-page]
"""

import argparse
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 60

CHECK_CHARTS = r"""
JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const data = svg.querySelector('g.data');
  const drawn = data ? data.getBBox() : {width: 0, height: 0};
  return {
    id: svg.id,
    width: box.width,
    height: box.height,
    drawn_width: drawn.width,
    drawn_height: drawn.height,
    lines: svg.querySelectorAll('g.series polyline').length,
    axes: svg.querySelectorAll('g.axis').length,
    legend: svg.querySelectorAll('g.legend text').length,
  };
}))
"""


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def namespace_prefix():
    """`unshare -n` when this machine lets us cut the network that way."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True,
                                  timeout=10).returncode == 0:
        return [unshare, "-n"]
    return []


class Browser:
    """One headless Chromium driven over the DevTools pipe."""

    def __init__(self, chromium, profile):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        # Copies above 4, so that moving them onto 3 and 4 in the child
        # cannot overwrite one with the other (dup2 also makes them inheritable).
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def child_fds():
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        self.isolated = bool(namespace_prefix())
        args = namespace_prefix() + [
            chromium, "--headless", "--disable-gpu", "--no-sandbox",
            "--remote-debugging-pipe", f"--user-data-dir={profile}",
            "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-default-apps",
            "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars", "--window-size=1280,800", "about:blank",
        ]
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(profile, "stderr.log"), "wb"),
            # The pipe must land on descriptors 3 and 4, which closing
            # descriptors after preexec_fn would undo.
            preexec_fn=child_fds, close_fds=False)
        os.close(child_r)
        os.close(child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + TIMEOUT_S

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self.to_browser, self.from_browser):
            try:
                os.close(fd)
            except OSError:
                pass

    def read_message(self):
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"Chromium did not answer within {TIMEOUT_S} s")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe (did it start?)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        """Sends a command and returns its result; events met meanwhile are kept."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method):
        while True:
            for event in self.events:
                if event["method"] == method:
                    return event
            self.events.append(self.read_message())


def problems_in(events, page_url):
    problems = []
    requests = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [a.get("value", a.get("description", "")) for a in params.get("args", [])]
            problems.append(f"console {params['type']}: {' '.join(map(str, texts))}")
        elif method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            problems.append(f"log error: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            requests.append(url)
            if url != page_url and not url.startswith(("data:", "about:")):
                problems.append(f"request left the page: {url}")
    return problems, requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--charts", type=int, required=True, help="charts expected")
    parser.add_argument("--screenshot")
    parser.add_argument("--full-page", action="store_true")
    options = parser.parse_args()

    chromium = find_chromium()
    if not chromium:
        print("chromium is not installed (apt-get install chromium; .ci/run does)", file=sys.stderr)
        return 2
    page_url = pathlib.Path(options.page).resolve().as_uri()
    html = pathlib.Path(options.page).read_text(encoding="utf-8")
    # Statically too: no address of anything elsewhere in the page at all
    # (the SVG namespace is a name, never fetched).
    outside = [word for word in ("http://", "https://", "//cdn", "@import", "url(http", "src=")
               if word in html.replace('xmlns="http://www.w3.org/2000/svg"', "")]
    problems = [f"page names an outside resource: {word}" for word in outside]

    with tempfile.TemporaryDirectory(prefix="plot-browser-") as profile:
        browser = Browser(chromium, profile)
        try:
            target = browser.send("Target.createTarget", {"url": "about:blank"})
            session = browser.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                browser.send(f"{domain}.enable", session=session)
            browser.send("Emulation.setDeviceMetricsOverride",
                         {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False},
                         session=session)
            browser.send("Page.navigate", {"url": page_url}, session=session)
            browser.wait_event("Page.loadEventFired")
            result = browser.send("Runtime.evaluate",
                                  {"expression": CHECK_CHARTS, "returnByValue": True},
                                  session=session)
            charts = json.loads(result["result"]["value"])
            title = browser.send("Runtime.evaluate",
                                 {"expression": "document.title", "returnByValue": True},
                                 session=session)["result"]["value"]
            if options.screenshot:
                params = {"format": "png"}
                if options.full_page:
                    size = browser.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
                    params["captureBeyondViewport"] = True
                    params["clip"] = {"x": 0, "y": 0, "width": 1280,
                                      "height": size["height"], "scale": 1}
                shot = browser.send("Page.captureScreenshot", params, session=session)
                pathlib.Path(options.screenshot).write_bytes(base64.b64decode(shot["data"]))
            # Events that arrive late (a failed fetch) still count.
            browser.send("Runtime.evaluate", {"expression": "1"}, session=session)
        except (TimeoutError, ConnectionError, RuntimeError, KeyError, OSError) as error:
            log = pathlib.Path(profile, "stderr.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            print(f"chromium: {error}\n{tail}", file=sys.stderr)
            return 2
        finally:
            browser.close()

    found, requests = problems_in(browser.events, page_url)
    problems += found
    if len(charts) != options.charts:
        problems.append(f"{len(charts)} charts, expected {options.charts}")
    for chart in charts:
        if not (chart["width"] >= 300 and chart["height"] >= 200):
            problems.append(f"chart {chart['id']} laid out at {chart['width']}x{chart['height']}")
        if chart["lines"] and chart["drawn_width"] <= 0:
            problems.append(f"chart {chart['id']} draws nothing")
        if chart["axes"] != 2 or chart["legend"] == 0:
            problems.append(f"chart {chart['id']} lacks axes or legend")
    print(json.dumps({"title": title, "charts": charts, "requests": requests,
                      "network_namespace": browser.isolated, "problems": problems}))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
