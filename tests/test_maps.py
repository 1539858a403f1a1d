"""Maps: the folium map, the self-contained HTML, the offline PNG and GIF, escaping and scale."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from frontlines import assets, maps
from frontlines.store import Filters, open_store

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def sample_points(sample_db: Path) -> pd.DataFrame:
    with open_store(sample_db, readonly=True) as store:
        return store.points(Filters())


def _hostile_points() -> pd.DataFrame:
    sentence = f"Fighters {XSS_SCRIPT} entered Mosul {XSS_IMG} on Tuesday."
    start = sentence.index("Mosul")
    return pd.DataFrame([{
        "layer": "event", "event_type": "capture", "name": "Mosul", "surface": "Mosul", "country": "IQ",
        "kind": "city", "geo_precision": "city", "lat": 36.34, "lon": 43.13, "date": "2014-06-10",
        "date_precision": "day", "side": "islamic_state", "actor": XSS_IMG, "confidence": 0.9,
        "title": f"Title {XSS_SCRIPT} {XSS_IMG}", "source": XSS_IMG, "url": "javascript:alert(1)",
        "published": "2014-06-11", "sentence": sentence, "place_start": 100 + start, "place_end": 105 + start,
        "sentence_start": 100, "article_id": 1, "event_id": 1, "mention_id": 1,
    }])


def _synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    places = 5000
    lat = rng.uniform(13, 37, places)
    lon = rng.uniform(10, 50, places)
    idx = rng.integers(0, places, n)
    types = np.array(["capture", "control", "attack", "airstrike", "clash", "arrest", "mention"])
    days = pd.to_datetime("2014-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
    return pd.DataFrame({
        "layer": "event", "event_type": types[rng.integers(0, len(types), n)], "name": [f"Place {i}" for i in idx],
        "surface": [f"Place {i}" for i in idx], "country": "SY", "kind": "town", "geo_precision": "city",
        "lat": lat[idx], "lon": lon[idx], "date": days.strftime("%Y-%m-%d"), "date_precision": "day",
        "side": "unknown", "actor": "", "confidence": rng.uniform(0.3, 1.0, n), "title": "A dispatch",
        "source": "Wire", "url": "https://example.org/a", "published": days.strftime("%Y-%m-%d"),
        "sentence": [f"Fighting was reported near Place {i} on the road to the border crossing." for i in idx],
        "place_start": None, "place_end": None, "sentence_start": None, "article_id": np.arange(n),
    })


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.remote.append(f"script src={a['src']}")
        if tag == "link" and a.get("href"):
            self.remote.append(f"link href={a['href']}")
        if tag in ("img", "iframe") and (a.get("src") or "").startswith(("http:", "https:", "//")):
            self.remote.append(f"{tag} src={a['src']}")


def test_build_map_has_markers_legend_and_offline_assets(sample_points: pd.DataFrame) -> None:
    m = maps.build_map(sample_points, title="Sample", subtitle="all dates")
    html = maps.map_html(m)
    data = maps.marker_data(sample_points[sample_points["event_type"] != "mention"])
    assert len(data["p"]) == int((sample_points["event_type"] != "mention").sum())
    assert "FL.addPoints" in html and "Legend" in html and "Capture" in html
    assert "L.control.scale()" in html
    assert "Natural Earth" in html and "GeoNames (CC BY 4.0)" in html
    # no CDN, no tiles by default
    assert "cdn." not in html and "tile.openstreetmap" not in html
    assert "/app/static/vendor/leaflet.js" in html and "/app/static/vendor/jquery.min.js" in html
    assert "leaflet.markercluster.js" in html


def test_online_tiles_are_opt_in(sample_points: pd.DataFrame) -> None:
    html = maps.map_html(maps.build_map(sample_points.head(5), online_tiles=True))
    assert "tile.openstreetmap.org" in html


def test_save_html_is_self_contained(tmp_path: Path, sample_points: pd.DataFrame) -> None:
    out = maps.save_html(sample_points, tmp_path / "map.html", title="Sample", subtitle="all")
    text = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(text)
    assert parser.remote == [], parser.remote
    assert parser.scripts >= 3
    assert "Leaflet 1.9.3" in text or "leaflet 1.9.3" in text.lower()  # leaflet.js banner, inlined
    assert "jQuery v3.7.1" in text
    assert not re.search(r"""<(?:script|link|img|iframe)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", text, re.I)
    assert "url(images/" not in text  # Leaflet's CSS images became data: URIs


def test_render_png_is_a_real_map(tmp_path: Path, sample_points: pd.DataFrame) -> None:
    out = maps.render_png(sample_points, tmp_path / "map.png", title="Sample", subtitle="2014 to 2019")
    img = Image.open(out)
    assert img.format == "PNG"
    assert img.size == (1600, 1000)
    px = np.asarray(img.convert("RGB"), dtype=float)
    assert px.std() > 20  # not blank
    # the sea colour, land colour and some type colours are all there
    colours = {tuple(c) for c in px.reshape(-1, 3)[::97].astype(int)}
    assert len(colours) > 50


def test_render_png_empty_shows_the_region(tmp_path: Path) -> None:
    out = maps.render_png(pd.DataFrame(), tmp_path / "empty.png", title="Nothing", subtitle="")
    img = np.asarray(Image.open(out).convert("RGB"), dtype=float)
    assert img.std() > 10
    assert maps.map_bounds(pd.DataFrame()) == maps.REGION_BOUNDS


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    pts = _hostile_points()
    html = maps.map_html(maps.build_map(pts, title=f"T {XSS_SCRIPT}", subtitle=XSS_IMG))
    saved = maps.save_html(pts, tmp_path / "x.html", title=XSS_SCRIPT, subtitle=XSS_IMG).read_text()
    for doc in (html, saved):
        assert XSS_SCRIPT not in doc
        assert XSS_IMG not in doc
        assert "<img src=x" not in doc
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc  # escaped, never a tag
        assert "&lt;img src=x onerror=alert(1)&gt;" in doc
        assert 'href="javascript' not in doc and "href=\\\"javascript" not in doc
    data = maps.marker_data(pts)
    popup = data["s"][data["p"][0][6]]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in popup
    assert "&lt;img src=x onerror=alert(1)&gt;" in popup
    assert "<mark>Mosul</mark>" in popup
    assert "<a " not in popup  # javascript: URL never becomes a link
    ev = maps.evidence_html(pts)
    assert "<script>" not in ev and "&lt;script&gt;" in ev and "<mark>Mosul</mark>" in ev


def test_popup_leads_back_to_the_evidence(sample_points: pd.DataFrame) -> None:
    row = sample_points[(sample_points["layer"] == "event") & sample_points["url"].notna()].iloc[0]
    popup = maps.point_popup_html(row)
    for needle in (maps.esc(row["name"]), maps.esc(row["title"]), "precision:", maps.esc(row["date"]),
                   maps.esc(row["date_precision"]), maps.type_label(row["event_type"]), "<mark>",
                   maps.esc(maps.country_name(row["country"]))):
        assert needle in popup
    assert f'href="{maps.esc(row["url"])}"' in popup


def test_aggregation_bounds_the_payload() -> None:
    pts = _synthetic(50_000)
    data = maps.marker_data(pts[pts["event_type"] != "mention"], max_markers=2000)
    assert data["aggregated"]
    assert len(data["p"]) <= 2000
    assert sum(p[4] for p in data["p"]) == int((pts["event_type"] != "mention").sum())
    html = maps.map_html(maps.build_map(pts))
    assert len(html.encode()) < 3_000_000, len(html)
    # a merged popup lists top sentences and says how many more there are
    popup = max(data["s"], key=len)
    assert "<ol" in popup and "more" in popup


def test_small_views_are_not_aggregated(sample_points: pd.DataFrame) -> None:
    data = maps.marker_data(sample_points)
    assert not data["aggregated"]
    assert all(p[4] == 1 for p in data["p"])


def test_precision_becomes_rings() -> None:
    pts = pd.concat([_hostile_points()] * 2, ignore_index=True)
    pts.loc[1, ["geo_precision", "kind", "name"]] = ["province", "admin1", "Nineveh"]
    data = maps.marker_data(pts)
    assert sorted(p[3] for p in data["p"]) == [maps.PRECISIONS.index("city"), maps.PRECISIONS.index("province")]


def test_areas_and_changes_layers() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    areas = gpd.GeoDataFrame({"side": ["islamic_state", "syrian_government"]},
                             geometry=[box(38, 35, 40, 36.5), box(36, 33, 37, 35)], crs="EPSG:4326")
    changes = pd.DataFrame([{"name": "Raqqa", "lat": 35.95, "lon": 39.01, "from_side": "islamic_state",
                             "to_side": "sdf", "date": "2017-10-17"}])
    html = maps.map_html(maps.build_map(_hostile_points(), areas=areas, changes=changes))
    assert "Areas of control" in html and "Changes of control" in html
    assert maps.side_color("islamic_state") in html


def test_places_near_returns_the_clicked_place(sample_points: pd.DataFrame) -> None:
    row = sample_points.iloc[0]
    here = maps.places_near(sample_points, float(row["lat"]) + 0.01, float(row["lon"]) - 0.01)
    assert not here.empty
    assert (here["lat"].round(4) == round(float(row["lat"]), 4)).all()
    assert maps.places_near(sample_points, -60.0, -120.0).empty


def test_animated_gif(tmp_path: Path, sample_points: pd.DataFrame) -> None:
    pts = sample_points[sample_points["date"].between("2017-01-01", "2017-12-31")]
    out = maps.animated_gif(pts, tmp_path / "play.gif", freq="MS", width=500, height=320)
    img = Image.open(out)
    assert img.format == "GIF"
    assert img.n_frames == 12
    assert img.size == (500, 320)


def test_animated_gif_from_store_with_areas(tmp_path: Path, sample_db: Path) -> None:
    with open_store(sample_db, readonly=True) as store:
        flt = Filters(date_from="2017-06-01", date_to="2017-10-31", include_mentions=False)
        out = maps.animated_gif(store, tmp_path / "store.gif", freq="MS", filters=flt, width=400, height=260)
    assert Image.open(out).n_frames >= 2


def test_assets_install_and_patch(tmp_path: Path) -> None:
    import folium
    from folium.plugins import MarkerCluster

    vendor = assets.install_static(tmp_path / "static")
    assert vendor == tmp_path / "static" / "vendor"
    for name in ("leaflet.js", "leaflet.css", "jquery.min.js", "leaflet.markercluster.js", "MarkerCluster.css",
                 "images/layers.png"):
        assert (vendor / name).stat().st_size > 0
    saved_js, saved_css = folium.Map.default_js, folium.Map.default_css
    saved_cjs, saved_ccss = MarkerCluster.default_js, MarkerCluster.default_css
    try:
        assets.patch_folium("/app/static/vendor")
        urls = [u for _, u in folium.Map.default_js + folium.Map.default_css + MarkerCluster.default_js]
        assert urls and all(u.startswith("/app/static/vendor/") for u in urls)
        assert any(u.endswith("jquery.min.js") for u in urls)
    finally:
        folium.Map.default_js, folium.Map.default_css = saved_js, saved_css
        MarkerCluster.default_js, MarkerCluster.default_css = saved_cjs, saved_ccss


def test_js_json_cannot_close_the_script() -> None:
    s = maps.js_json({"a": "</script><script>alert(1)</script><!-- x"})
    assert "</script" not in s.lower() and "</" not in s and "<!--" not in s
    assert json.loads(s) == {"a": "</script><script>alert(1)</script><!-- x"}


def test_template_syntax_in_article_text_stays_text() -> None:
    # branca compiles what a macro renders as a Jinja template: article text must never reach that compiler
    # ("{{ … }}" would be evaluated, "{% raw %}" would break the page)
    hostile = "They wrote {{ 6*7 }} and {{ cycler.__init__.__globals__.os.getpid() }} and {% raw %} here."
    pts = _hostile_points().assign(sentence=hostile, place_start=np.nan, title="{{ 7*7 }}")
    for p in (pts, pd.concat([pts] * 3, ignore_index=True)):  # one marker per point, and merged markers
        page = maps.map_html(maps.build_map(p, subtitle="{% if 1 %}x{% endif %}", aggregate_above=1))
        assert "{{ 6*7 }}" in page and "{% raw %}" in page and "{{ 7*7 }}" in page and "{% if 1 %}" in page
        assert "They wrote 42" not in page and ">49<" not in page


def test_snapshot_cli_png_and_html(tmp_path: Path, sample_db: Path) -> None:
    from click.testing import CliRunner

    from frontlines.cli import main

    runner = CliRunner()
    png = tmp_path / "snap.png"
    r = runner.invoke(main, ["snapshot", "--db", str(sample_db), "-o", str(png), "--country", "SY"])
    assert r.exit_code == 0, r.output
    assert Image.open(png).size == (1600, 1000)
    html = tmp_path / "snap.html"
    r = runner.invoke(main, ["snapshot", "--db", str(sample_db), "-o", str(html), "--from", "2015-01-01"])
    assert r.exit_code == 0, r.output
    parser = _Tags()
    parser.feed(html.read_text(encoding="utf-8"))
    assert parser.remote == []


@pytest.mark.parametrize("flt", [
    Filters(),
    Filters(countries=("SY",)),
    Filters(date_from="2015-01-01", date_to="2016-06-30"),
    Filters(date_to="2014-12-31"),
    Filters(event_types=("capture", "mention"), min_confidence=0.6),
    Filters(include_mentions=False, sides=("islamic_state",)),
    Filters(search="raqqa"),
    Filters(sources=("Frontlines sample dispatches",), countries=("EG", "LY")),
], ids=lambda f: f.describe() or "all")
def test_filter_points_matches_the_store(sample_db: Path, sample_points: pd.DataFrame, flt: Filters) -> None:
    with open_store(sample_db, readonly=True) as store:
        expected = store.points(flt)
    got = maps.filter_points(sample_points, flt)
    key = ["layer", "event_id", "mention_id"]
    assert got[key].astype(str).values.tolist() == expected[key].astype(str).values.tolist()


def test_the_dashboard_basemap_is_one_static_file_fetched_once(tmp_path) -> None:
    """The dashboard's maps name the basemap file instead of carrying ~0.6 MB of it in every rerun."""
    import json as _json

    from frontlines import maps

    name = maps.publish_basemap(tmp_path)
    assert name.startswith("basemap-") and name.endswith(".json")
    doc = _json.loads((tmp_path / name).read_text(encoding="utf-8"))
    assert set(doc) == {"world", "others", "focus", "provinces", "labels"}
    assert doc["focus"]["features"] and all(f["properties"].get("f") for f in doc["focus"]["features"])
    (tmp_path / "basemap-000000000000.json").write_text("{}", encoding="utf-8")  # an older version
    assert maps.publish_basemap(tmp_path) == name  # same content, same name
    assert sorted(p.name for p in tmp_path.glob("basemap-*.json")) == [name]  # the old one is gone

    pts = _hostile_points()
    inline = maps.map_html(maps.build_map(pts))
    linked = maps.map_html(maps.build_map(pts, basemap_url=f"/app/static/{name}"))
    assert f"/app/static/{name}" in linked and f"/app/static/{name}" not in inline
    assert len(inline) - len(linked) > 400_000  # the basemap is no longer in the page
    assert "flBase" in linked  # in a pane under the rings and markers, however late it arrives
