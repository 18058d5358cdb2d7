"""Real-browser harness: serve a static site on 127.0.0.1 and audit pages in headless Debian chromium.

Every request the browser makes goes through one route handler: requests to the local server continue,
everything else is recorded and aborted, so a CDN script or web font shows up as a finding (and the test
never depends on the internet).
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-domain-reliability",
]


def chromium_path() -> str | None:
    """Debian's chromium (or $LMP_CHROMIUM); None when it is not installed."""
    explicit = os.environ.get("LMP_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in ("/usr/bin/chromium", "chromium"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


@contextmanager
def serve(root: Path):
    """Serve `root` on 127.0.0.1 on a free port in a thread; yields the base URL ("http://127.0.0.1:PORT/")."""
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Browser:
    """A persistent chromium context with a fresh profile, routing every request through `_route`."""

    def __init__(self, playwright, user_data_dir: Path, base_url: str, executable: str):
        self.base_url = base_url
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
        self.outside: list[str] = []  # requests that tried to leave the local server
        self.crashes: list[str] = []  # browser crashes survived by relaunching (reported, see audit_page)
        self._playwright = playwright
        self._profile = Path(user_data_dir)
        self._executable = executable
        self._launches = 0
        self.context = self._launch()

    def _launch(self):
        # a fresh profile per launch: nothing cached from an earlier (crashed) run
        profile = self._profile / f"run-{self._launches}"
        self._launches += 1
        context = self._playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=self._executable,
            headless=True,
            args=CHROMIUM_ARGS,
            service_workers="block",
            viewport={"width": 1280, "height": 900},
        )
        context.route("**/*", self._route)
        context.route_web_socket("**/*", self._route_ws)
        return context

    def relaunch(self, reason: str) -> None:
        self.crashes.append(reason)
        try:
            self.context.close()
        except Exception:  # noqa: BLE001 - it is already gone
            pass
        self.context = self._launch()

    def new_page(self):
        try:
            return self.context.new_page()
        except Exception as exc:  # the context died (chromium crashed): start a new one once
            self.relaunch(f"new_page: {exc}")
            return self.context.new_page()

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _route(self, route):
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def _route_ws(self, ws):
        self.outside.append(ws.url)
        ws.close()

    def close(self):
        self.context.close()


@dataclass
class PageReport:
    url: str
    status: int | None = None
    title: str = ""
    h1: str = ""
    images: list[dict] = field(default_factory=list)
    tables: int = 0
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = []
        if self.status != 200:
            out.append(f"HTTP {self.status}")
        if not self.title.strip():
            out.append("empty <title>")
        elif self.h1 and self.h1 not in self.title:
            out.append(f"<title> {self.title!r} does not name the page's heading {self.h1!r}")
        out += [f"image not rendered (naturalWidth 0): {img['src']}" for img in self.images if not img["width"]]
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"failed request: {u}" for u in self.failed_requests]
        out += [f"request left 127.0.0.1: {u}" for u in self.outside_requests]
        return out


# Runs in the page: load lazy images now, wait for every image to settle, report their natural size.
_IMAGES_JS = """
async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) { img.loading = 'eager'; }
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => {
    img.addEventListener('load', r, {once: true}); img.addEventListener('error', r, {once: true});
    setTimeout(r, 5000);
  })));
  return imgs.map(img => ({src: img.currentSrc || img.src, width: img.naturalWidth}));
}
"""

_LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"


def audit_page(browser: Browser, url: str, screenshot: Path | None = None, retry: bool = True) -> PageReport:
    """Load one page and record everything the tests assert on.

    If chromium itself dies (TargetClosedError, seen under heavy load on a shared machine), the browser is
    relaunched and the page audited once more; the crash is kept in `browser.crashes`. A second crash on
    the same page is a problem of that page.
    """
    from playwright.sync_api import Error as PlaywrightError

    try:
        return _audit_page(browser, url, screenshot)
    except PlaywrightError as exc:
        if "closed" not in str(exc) or not retry:
            raise
        browser.relaunch(f"{url}: {str(exc).splitlines()[0]}")
        return audit_page(browser, url, screenshot, retry=False)


def _audit_page(browser: Browser, url: str, screenshot: Path | None) -> PageReport:
    report = PageReport(url=url)
    page = browser.new_page()
    before = len(browser.outside)
    page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: report.console_errors.append(f"uncaught: {exc}"))

    def on_response(resp):
        if resp.status >= 400:
            report.failed_requests.append(f"{resp.status} {resp.url}")

    def on_failed(req):
        if browser.is_local(req.url):
            report.failed_requests.append(f"{req.failure} {req.url}")

    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    try:
        response = page.goto(url, wait_until="load")
        report.status = response.status if response else None
        page.wait_for_load_state("networkidle")
        report.title = page.title()
        h1 = page.locator("h1").first
        report.h1 = " ".join(h1.inner_text().replace("#", "").split()) if h1.count() else ""
        report.images = page.evaluate(_IMAGES_JS)
        report.tables = page.locator("table").count()
        report.links = page.evaluate(_LINKS_JS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        page.close()
    report.outside_requests = browser.outside[before:]
    return report
