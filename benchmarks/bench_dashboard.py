"""Dashboard at scale: 100,000 events over 5 years and 10,000 places, against the naive map.

Builds (once, cached) a SQLite store through ``SQLiteStore.add_extractions`` with synthetic Extraction
records inside the five countries, then measures and prints medians over several runs:

* first render of the app (AppTest run, caches cleared) and a warm rerun;
* a filter change (country multiselect, uncached query);
* the map payload (bytes the map component carries) and its Python build time;
* time to a drawn map in headless Chromium: the dashboard (Streamlit served locally) and the map as a
  standalone HTML file;

each next to the naive approach (one folium CircleMarker + Popup per event in folium's MarkerCluster),
capped at ``--naive-cap`` events (default 10,000: the naive map of all 100,000 would not load in a
reasonable time; the cap is printed).

    .venv/bin/python benchmarks/bench_dashboard.py                 # full size
    .venv/bin/python benchmarks/bench_dashboard.py --events 20000  # quicker
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
COUNTRY_WEIGHTS = {"SY": 0.32, "IQ": 0.30, "YE": 0.14, "LY": 0.14, "EG": 0.10}
SIDES_BY_COUNTRY = {
    "SY": ["syrian_government", "islamic_state", "sdf", "syrian_opposition", "hts", "turkey", "russia"],
    "IQ": ["iraqi_government", "islamic_state", "kurdistan_region", "us_coalition"],
    "YE": ["houthis", "yemeni_government", "aqap", "stc", "saudi_coalition"],
    "LY": ["lna", "gna", "islamic_state"],
    "EG": ["egyptian_government", "islamic_state"],
}
TYPES = ["capture", "control", "attack", "airstrike", "clash", "arrest"]
VERBS = {"capture": "captured", "control": "held", "attack": "attacked", "airstrike": "bombed",
         "clash": "clashed near", "arrest": "arrested suspects in"}

log = logging.getLogger("bench")


# --- the synthetic store ------------------------------------------------------------------------------------

def _places(n: int, rng: random.Random) -> list[dict[str, object]]:
    import numpy as np
    import shapely

    from frontlines.basemap import region_countries

    countries = region_countries()
    out: list[dict[str, object]] = []
    counts = {cc: int(n * w) for cc, w in COUNTRY_WEIGHTS.items()}
    counts["SY"] += n - sum(counts.values())
    for cc, want in counts.items():
        geom = countries[countries["iso_a2"] == cc].geometry.iloc[0]
        x0, y0, x1, y1 = geom.bounds
        got: list[tuple[float, float]] = []
        nprng = np.random.default_rng(rng.randrange(2**32))
        # places crowd along rivers and coasts in reality; a mixture of clusters and noise is close enough
        centres = [(nprng.uniform(x0, x1), nprng.uniform(y0, y1)) for _ in range(30)]
        while len(got) < want:
            k = 4 * want
            if nprng.random() < 0.7:
                c = np.array(centres)[nprng.integers(0, len(centres), k)]
                xs, ys = c[:, 0] + nprng.normal(0, 0.6, k), c[:, 1] + nprng.normal(0, 0.4, k)
            else:
                xs, ys = nprng.uniform(x0, x1, k), nprng.uniform(y0, y1, k)
            inside = shapely.contains_xy(geom, xs, ys)
            got.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=False))
        for lon, lat in got[:want]:
            i = len(out)
            kind = "admin1" if i % 40 == 0 else ("village" if i % 3 else "town")
            out.append({"id": f"bench:{i}", "name": f"{cc}-Place {i:05d}", "lat": round(lat, 5), "lon": round(lon, 5),
                        "country": cc, "kind": kind})
    return out[:n]


def build_store(db: Path, n_events: int, n_places: int, years: int = 5, seed: int = 7) -> Path:
    """A store with ``n_events`` events over ``years`` years at ``n_places`` places (5 events an article)."""
    from frontlines.records import Article, Event, Extraction, Place
    from frontlines.store import open_store

    rng = random.Random(seed)
    places = _places(n_places, rng)
    start = date(2014, 1, 1)
    days = 365 * years
    per_article = 5
    n_articles = n_events // per_article
    t0 = time.perf_counter()
    with open_store(db) as store:
        batch: list[Extraction] = []
        for a in range(n_articles):
            day = start + timedelta(days=rng.randrange(days))
            cc = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
            local = [p for p in rng.sample(places, 40) if p["country"] == cc][:per_article] or rng.sample(places, 1)
            while len(local) < per_article:
                local.append(rng.choice(places))
            text = f"Dispatch {a} from {day.isoformat()}.\n\n"
            sentences = [(0, len(text) - 2)]
            plist: list[Place] = []
            events: list[Event] = []
            for p in local:
                side = rng.choice(SIDES_BY_COUNTRY.get(str(p["country"]), ["unknown"]))
                etype = rng.choice(TYPES)
                s0 = len(text)
                pre = f"Forces of {side.replace('_', ' ')} {VERBS[etype]} "
                sentence = f"{pre}{p['name']} on {day.strftime('%A')}, officials said."
                text += sentence + " "
                ps = s0 + len(pre)
                place = Place(surface=str(p["name"]), start=ps, end=ps + len(str(p["name"])), name=str(p["name"]),
                              lat=float(p["lat"]), lon=float(p["lon"]), country=str(p["country"]), kind=str(p["kind"]),
                              gazetteer_id=str(p["id"]), score=0.9)
                sentences.append((s0, s0 + len(sentence)))
                plist.append(place)
                events.append(Event(type=etype, place=place, sentence=sentence, sentence_start=s0,
                                    date=day.isoformat(), date_precision="day", actor=side.replace("_", " "),
                                    side=side, controller_after=side if etype in ("capture", "control") else None,
                                    confidence=round(rng.uniform(0.4, 0.95), 2)))
            # one plain mention per article
            m = rng.choice(places)
            s0 = len(text)
            sentence = f"Residents fled towards {m['name']}."
            text += sentence
            ps = s0 + len("Residents fled towards ")
            plist.append(Place(surface=str(m["name"]), start=ps, end=ps + len(str(m["name"])), name=str(m["name"]),
                               lat=float(m["lat"]), lon=float(m["lon"]), country=str(m["country"]),
                               kind=str(m["kind"]), gazetteer_id=str(m["id"]), score=0.8))
            sentences.append((s0, s0 + len(sentence)))
            art = Article(text=text, id=f"bench-{a}", title=f"Synthetic dispatch {a}", url=f"https://example.org/{a}",
                          source=rng.choice(["Wire A", "Wire B", "Daily C"]), published=day.isoformat())
            batch.append(Extraction(article=art, text=text, published=day.isoformat(), published_from="metadata",
                                    places=tuple(plist), events=tuple(events), title=art.title,
                                    sentences=tuple(sentences)))
            if len(batch) >= 500:
                store.add_extractions(batch)
                batch = []
        if batch:
            store.add_extractions(batch)
        stats = store.stats()
    print(f"built {db}: {stats['events']:,} events, {stats['places']:,} places, {stats['articles']:,} articles, "
          f"{stats['mentions']:,} mentions in {time.perf_counter() - t0:.1f} s")
    return db


# --- measuring ------------------------------------------------------------------------------------------------

def median_time(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = f"{kb / 2**20:.1f} GiB RAM"
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {mem}, Python {sys.version.split()[0]}"


def bench_app(db: Path, runs: int) -> dict[str, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["FRONTLINES_DB"] = str(db)
    out: dict[str, float] = {}

    def cold() -> AppTest:
        st.cache_data.clear()
        st.cache_resource.clear()
        return AppTest.from_file(str(APP), default_timeout=600).run()

    at = cold()  # imports, gazetteer-free warm-up
    if at.exception:
        raise RuntimeError(at.exception)
    out["first_render"], _ = median_time(cold, runs)

    at = AppTest.from_file(str(APP), default_timeout=600).run()
    out["warm_rerun"], _ = median_time(lambda: at.run(), runs)
    choices = [["SY"], ["IQ"], ["YE"], ["LY"], ["EG"], ["SY", "IQ"], []]
    i = iter(choices * 3)
    out["filter_change"], _ = median_time(lambda: at.multiselect(key="w_country").set_value(next(i)).run(), runs)
    j = iter([(date(2015, 1, 1), date(2015, 12, 31)), (date(2016, 3, 1), date(2017, 2, 28)),
              (date(2014, 6, 1), date(2018, 6, 1)), (date(2017, 1, 1), date(2017, 3, 31))] * 3)
    at.multiselect(key="w_country").set_value([]).run()
    out["date_change"], _ = median_time(lambda: at.slider(key="w_dates").set_value(next(j)).run(), runs)
    return out


def bench_map(db: Path, runs: int, naive_cap: int, outdir: Path) -> dict[str, float]:
    """Our map vs one folium marker per event (capped), built, rendered and saved standalone."""
    import folium
    from folium.plugins import MarkerCluster

    from frontlines import assets, maps
    from frontlines.store import Filters, open_store

    with open_store(db, readonly=True) as store:
        t = time.perf_counter()
        pts = store.points(Filters())
        query = time.perf_counter() - t
    out: dict[str, float] = {"points": len(pts), "query_all": query}

    def ours() -> str:
        return maps.map_html(maps.build_map(pts, subtitle="benchmark"))

    ours()
    out["ours_build"], _ = median_time(ours, runs)
    html = ours()
    out["ours_payload"] = len(html.encode())
    # what the dashboard sends on each rerun: the basemap is a static file the browser fetches once
    out["ours_payload_dashboard"] = len(maps.map_html(maps.build_map(
        pts, subtitle="benchmark", basemap_url="/app/static/basemap.json")).encode())
    maps.save_html(pts, outdir / "ours.html", title="Frontlines", subtitle="benchmark")
    out["ours_file"] = (outdir / "ours.html").stat().st_size

    naive_pts = pts[pts["layer"] == "event"].head(naive_cap)

    def naive() -> str:
        m = folium.Map(location=[30, 38], zoom_start=5, tiles=None, maxZoom=14)  # MarkerCluster needs a maxZoom
        m.default_js = assets.local_js(assets.DEFAULT_BASE_URL, assets.MAP_JS)
        m.default_css = assets.local_css(assets.DEFAULT_BASE_URL, assets.MAP_CSS)
        cluster = MarkerCluster()
        cluster.default_js = assets.local_js(assets.DEFAULT_BASE_URL, assets.CLUSTER_JS)
        cluster.default_css = assets.local_css(assets.DEFAULT_BASE_URL, assets.CLUSTER_CSS)
        cluster.add_to(m)
        for r in naive_pts.to_dict("records"):
            folium.CircleMarker([r["lat"], r["lon"]], radius=6, color=maps.type_color(r["event_type"]), fill=True,
                                popup=folium.Popup(maps.point_popup_html(r), max_width=380),
                                tooltip=maps.esc(r["name"])).add_to(cluster)
        return m.get_root().render()

    out["naive_n"] = len(naive_pts)
    out["naive_build"], _ = median_time(naive, max(1, runs // 2))

    # a naive filter change: a new store query, then one marker per event (capped likewise)
    def naive_filter() -> None:
        nonlocal naive_pts
        with open_store(db, readonly=True) as store:
            sub = store.points(Filters(countries=("SY",)))
        naive_pts = sub[sub["layer"] == "event"].head(naive_cap)
        naive()

    keep = naive_pts
    out["naive_filter"], _ = median_time(naive_filter, max(1, runs // 2))
    naive_pts = keep
    naive_html = naive()
    out["naive_payload"] = len(naive_html.encode())
    (outdir / "naive.html").write_text(assets.inline_assets_html(naive_html), encoding="utf-8")
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_drawn(page, timeout_s: float = 180.0) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        for f in page.frames:
            try:
                if f.locator("path.leaflet-interactive, .fl-cluster, .marker-cluster").count():
                    return time.perf_counter() - t0
            except Exception:  # noqa: BLE001 - frames come and go while loading
                continue
        page.wait_for_timeout(50)
    raise TimeoutError("no marker drawn")


def bench_browser(db: Path, runs: int, outdir: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    port = _free_port()
    env = dict(os.environ, FRONTLINES_DB=str(db))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.enableStaticServing", "true", "--server.fileWatcherType", "none"],
        cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "_stcore/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

            def visit(target: str) -> float:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(target, wait_until="commit")
                t = _wait_drawn(page)
                page.close()
                return t

            out["dashboard_first"] = visit(url)  # the server's first session: cold caches
            out["dashboard_warm"] = statistics.median(visit(url) for _ in range(runs))
            out["ours_html"] = statistics.median(visit((outdir / "ours.html").as_uri()) for _ in range(runs))
            out["naive_html"] = statistics.median(visit((outdir / "naive.html").as_uri()) for _ in range(max(1, runs // 2)))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--places", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--naive-cap", type=int, default=10_000)
    ap.add_argument("--db", type=Path, default=None, help="store to use/build (default: a cached file in /tmp)")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("streamlit", "frontlines"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    db = args.db or Path(tempfile.gettempdir()) / f"frontlines-bench-{args.events}-{args.places}.db"
    if not db.exists():
        build_store(db, args.events, args.places)
    print(f"machine: {machine()}")
    print(f"store: {db} ({db.stat().st_size / 2**20:.0f} MB)")
    outdir = Path(tempfile.mkdtemp(prefix="frontlines-bench-"))

    m = bench_map(db, args.runs, args.naive_cap, outdir)
    a = bench_app(db, args.runs)
    n = int(m["points"])
    print(f"\n{n:,} points in view (events and plain mentions); medians of {args.runs} runs")
    print(f"  store query, all points                     {m['query_all']:8.2f} s")
    print(f"  app first render (AppTest, caches cleared)  {a['first_render']:8.2f} s")
    print(f"  app warm rerun (nothing changed)            {a['warm_rerun']:8.2f} s")
    print(f"  filter change: countries                    {a['filter_change']:8.2f} s   "
          f"naive (store query + one marker per event, capped at {args.naive_cap:,}): {m['naive_filter']:.2f} s")
    print(f"  filter change: date range                   {a['date_change']:8.2f} s")
    print(f"  map build + render (Python), ours           {m['ours_build']:8.2f} s   "
          f"naive ({int(m['naive_n']):,} events, capped): {m['naive_build']:.2f} s")
    print(f"  map payload, ours                           {m['ours_payload'] / 2**20:8.2f} MB  "
          f"naive ({int(m['naive_n']):,} events): {m['naive_payload'] / 2**20:.2f} MB "
          f"(~{m['naive_payload'] / max(m['naive_n'], 1) * n / 2**20:.0f} MB for all {n:,})")
    print(f"  map payload in the dashboard (basemap apart) {m['ours_payload_dashboard'] / 2**20:7.2f} MB")
    print(f"  self-contained HTML file, ours              {m['ours_file'] / 2**20:8.2f} MB", flush=True)
    if CHROMIUM.exists() and not args.no_browser:
        b = bench_browser(db, args.runs, outdir)
        print(f"  browser: dashboard to drawn map, first      {b['dashboard_first']:8.2f} s")
        print(f"  browser: dashboard to drawn map, warm       {b['dashboard_warm']:8.2f} s")
        print(f"  browser: HTML file to drawn map, ours       {b['ours_html']:8.2f} s   "
              f"naive ({int(m['naive_n']):,} events): {b['naive_html']:.2f} s")


if __name__ == "__main__":
    main()
