"""The dashboard in a real browser: Streamlit on a free local port, Debian's Chromium driven by Playwright.

Checks that the map draws offline (no request leaves 127.0.0.1), that markers and their popups show the
evidence, that hostile text stays text, and saves screenshots to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
HOSTILE = (
    b"Hostile <script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\"> title\n\n"
    b"Published 12 March 2016.\n\n"
    b"Syrian government forces captured the town of Palmyra from Islamic State fighters on Sunday, "
    b"state media said <script>window.__xss=3</script>.\n"
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hostile_db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory, extractor) -> Path:
    """The sample store plus an article whose title and text carry script injections."""
    from frontlines.store import open_store
    from frontlines.uploads import ingest_uploads

    dest = tmp_path_factory.mktemp("browser") / "browser.db"
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(sample_db) + suffix)
        if p.exists():
            shutil.copyfile(p, Path(str(dest) + suffix))
    with open_store(dest) as store:
        report = ingest_uploads([("hostile.txt", HOSTILE)], store, extractor)
    assert report.stored == 1, report.rows()
    return dest


@pytest.fixture(scope="module")
def server(hostile_db: Path) -> Iterator[str]:
    # as on a fresh checkout: the app itself must install the vendored scripts it serves
    shutil.rmtree(ROOT / "dashboard" / "static" / "vendor", ignore_errors=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["FRONTLINES_DB"] = str(hostile_db)
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.enableStaticServing", "true", "--server.fileWatcherType", "none"]
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "streamlit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start (see {log})")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover
                proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A page that records every request and every console error."""

    def __init__(self, browser: object, width: int = 1280, height: int = 800) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def map_frame(self, timeout: float = 60.0):  # type: ignore[no-untyped-def]
        """The st_folium iframe, once Leaflet has drawn markers in it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for f in self.page.frames:
                try:
                    if f.locator(".leaflet-container").count() and f.locator(
                            "path.leaflet-interactive, .fl-cluster").count():
                        return f
                except playwright_api.Error:
                    continue
            self.page.wait_for_timeout(250)
        raise AssertionError("no Leaflet markers drawn in the map frame")

    def remote_requests(self) -> list[str]:
        out = []
        for u in self.requests:
            p = urlparse(u)
            if p.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if p.hostname not in LOCAL_HOSTS:
                out.append(u)
        return out

    def xss(self) -> list[object]:
        values = []
        for f in self.page.frames:
            try:
                values.append(f.evaluate("() => window.__xss"))
            except playwright_api.Error:
                continue
        return [v for v in values if v is not None]

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.page.close()


def _visible_markers(frame) -> list:  # type: ignore[no-untyped-def]
    """Circle markers (paths) whose centre is inside the map and not under a control."""
    box = frame.locator(".leaflet-container").bounding_box()
    controls = [frame.locator(sel).bounding_box() for sel in (".fl-legend", ".fl-title", ".leaflet-control-layers")]
    controls = [c for c in controls if c]
    out = []
    markers = frame.locator("path.leaflet-interactive")
    for i in range(markers.count()):
        b = markers.nth(i).bounding_box()
        if not b or b["width"] < 4 or b["width"] > 80:
            continue
        if "a" not in (markers.nth(i).get_attribute("d") or ""):  # circle markers are arcs; areas are polygons
            continue
        x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        if not (box["x"] + 10 < x < box["x"] + box["width"] - 10 and box["y"] + 10 < y < box["y"] + box["height"] - 30):
            continue
        if any(c["x"] <= x <= c["x"] + c["width"] and c["y"] <= y <= c["y"] + c["height"] for c in controls):
            continue
        out.append(markers.nth(i))
    return out


def _open_popup(frame, page, want: str = "") -> str:  # type: ignore[no-untyped-def]
    """Click visible markers (as a person would) until one opens a popup containing ``want``; its text.

    When no marker in view has it, click a cluster (which zooms in) and look again.
    """
    tried: set[tuple[int, int]] = set()
    for _ in range(60):
        fresh = []
        for m in _visible_markers(frame):
            b = m.bounding_box()
            if b and (round(b["x"]), round(b["y"])) not in tried:
                fresh.append(b)
        if not fresh:
            box = frame.locator(".leaflet-container").bounding_box()
            centres = []
            clusters = frame.locator(".fl-cluster")
            for i in range(clusters.count()):
                c = clusters.nth(i).bounding_box()
                if c and box["x"] < c["x"] + c["width"] / 2 < box["x"] + box["width"] and \
                        box["y"] < c["y"] + c["height"] / 2 < box["y"] + box["height"]:
                    centres.append((c["x"] + c["width"] / 2, c["y"] + c["height"] / 2))
            if not centres:
                break
            page.mouse.click(*centres[0])  # zooms in on that cluster
            page.wait_for_timeout(800)
            tried.clear()
            continue
        b = fresh[0]
        tried.add((round(b["x"]), round(b["y"])))
        page.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
        popup = frame.locator(".leaflet-popup-content")
        try:
            popup.first.wait_for(state="visible", timeout=1500)
        except playwright_api.Error:
            continue
        text = str(popup.first.inner_text())
        if want in text:
            return text
        frame.evaluate("() => window.map.closePopup()")
    page.screenshot(path=str(ARTIFACTS / "no-popup.png"))
    raise AssertionError(f"no marker opened a popup{' with ' + want if want else ''} "
                         f"({len(_visible_markers(frame))} markers in view)")


def test_main_view_offline_with_markers_and_evidence(server: str, browser: object) -> None:
    page = Page(browser)
    try:
        page.page.goto(server + "/", wait_until="domcontentloaded")
        frame = page.map_frame()
        page.page.wait_for_timeout(1500)
        n_markers = frame.locator("path.leaflet-interactive").count() + frame.locator(".fl-cluster").count()
        assert n_markers > 10
        assert frame.locator(".fl-legend").count() == 1
        assert "GeoNames" in frame.locator(".leaflet-control-attribution").inner_text()
        assert frame.locator("img.leaflet-tile").count() == 0  # offline basemap, no tiles
        page.page.get_by_text("Filters").first.wait_for()
        page.shot("dashboard-main.png")

        text = _open_popup(frame, page.page)
        assert "precision:" in text
        assert frame.locator(".leaflet-popup-content .fl-q, .leaflet-popup-content mark").count() >= 1
        page.page.wait_for_timeout(500)
        page.shot("dashboard-popup.png")
        # the click reached the app: the evidence panel lists the sentences behind that place
        page.page.locator(".fl-ev-item").first.wait_for(timeout=30000)
        assert page.page.locator(".fl-ev-item mark").count() >= 1
        page.page.locator(".fl-ev").first.scroll_into_view_if_needed()
        page.page.wait_for_timeout(300)
        page.shot("dashboard-evidence.png")

        assert page.remote_requests() == [], page.remote_requests()
        assert page.errors == [], page.errors
        assert page.xss() == []
    finally:
        page.close()


def test_hostile_title_stays_text(server: str, browser: object) -> None:
    page = Page(browser)
    try:
        page.page.goto(server + "/?q=window.__xss%3D3&layers=events,mentions", wait_until="domcontentloaded")
        frame = page.map_frame()
        page.page.wait_for_timeout(1000)
        shown = _open_popup(frame, page.page, want="Hostile")
        assert "Hostile <script>window.__xss=1</script>" in shown  # shown as text, not run
        assert frame.locator(".leaflet-popup-content script, .leaflet-popup-content img").count() == 0
        page.page.locator(".fl-ev-item").first.wait_for(timeout=30000)
        assert "<script>window.__xss=3</script>" in page.page.locator(".fl-ev").first.inner_text()
        page.shot("dashboard-hostile.png")
        page.page.wait_for_timeout(500)
        assert page.xss() == []
        assert page.remote_requests() == []
        assert page.errors == [], page.errors
    finally:
        page.close()


def test_control_and_change_layers(server: str, browser: object) -> None:
    from frontlines import maps

    if maps.control_module() is None:
        pytest.skip("frontlines.control is not in this installation")
    page = Page(browser)
    try:
        page.page.goto(server + "/?from=2016-01-01&to=2017-12-31&asof=2017-10-31&country=SY,IQ"
                       "&layers=events,areas,changes",
                       wait_until="domcontentloaded")
        page.map_frame()
        page.page.wait_for_timeout(1500)
        page.shot("dashboard-control.png")
        assert page.remote_requests() == []
        assert page.errors == [], page.errors
    finally:
        page.close()


def test_phone_sized_window(server: str, browser: object) -> None:
    page = Page(browser, width=390, height=844)
    try:
        page.page.goto(server + "/", wait_until="domcontentloaded")
        frame = page.map_frame()
        page.page.wait_for_timeout(1000)
        box = frame.locator(".leaflet-container").bounding_box()
        assert box and box["width"] <= 390 and box["height"] > 300
        page.shot("dashboard-phone.png")
        assert page.remote_requests() == []
    finally:
        page.close()


def test_saved_html_map_offline(browser: object, sample_db: Path, tmp_path: Path) -> None:
    from frontlines import maps
    from frontlines.store import open_store

    with open_store(sample_db, readonly=True) as store:
        pts = store.points()
    out = maps.save_html(pts, tmp_path / "map.html", title="Frontlines sample", subtitle="all dates")
    page = Page(browser)
    try:
        page.page.goto(out.as_uri())
        page.page.locator(".fl-cluster").first.wait_for(state="attached", timeout=20000)
        assert page.page.locator("path.leaflet-interactive").count() > 10
        page.page.wait_for_timeout(800)
        page.shot("snapshot-html.png")
        assert [u for u in page.remote_requests() if not u.startswith("file:")] == []
        assert page.errors == [], page.errors
    finally:
        page.close()
