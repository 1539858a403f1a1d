"""Maps of a filtered view: the interactive folium map (dashboard, ``snapshot -o map.html``), an offline
PNG (``snapshot -o map.png``) and an animated GIF of the playback.

The same points give the same picture everywhere:

* an offline basemap drawn from the shipped polygons (``geodata/countries.geojson`` and
  ``geodata/admin1.geojson``) with country labels; online tiles only when asked (``online_tiles=True``);
* points coloured by event type (plain mentions grey); province-, region- and country-level places drawn
  as dashed rings rather than dots, so a vague place never looks like a precise one;
* every marker's popup leads back to the evidence: place, surface form, country, geo-precision, date and
  its precision, type, side, actor, the article (title, link, source) and the sentence with the place
  highlighted.

Text from articles is hostile: everything rendered is escaped here (``html.escape``), only http(s) URLs
become links, and JSON embedded in ``<script>`` has ``<``, ``>`` and ``&`` escaped.

Scale: above :data:`AGGREGATE_ABOVE` points, identical places (rounded position, type, precision) are
merged server-side into one marker with a count whose popup lists the top sentences; when that is still
too many markers, the grid coarsens until at most ``max_markers`` remain. Markers are sent as one compact
JSON array and built in the browser, so 100,000 events stay a payload of about a megabyte or two.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import math
import os
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frontlines.assets import CLUSTER_CSS, CLUSTER_JS, DEFAULT_BASE_URL, MAP_CSS, MAP_JS, local_css, local_js
from frontlines.store.common import map_values

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

    from frontlines.store.base import Store

log = logging.getLogger(__name__)

#: the five countries Frontlines is about, in display order
FOCUS_COUNTRIES = ("IQ", "SY", "EG", "LY", "YE")
#: lon_min, lat_min, lon_max, lat_max of the five countries
REGION_BOUNDS = (9.29, 12.11, 54.54, 37.37)
#: points outside this box are not framed (a stray "Washington" would zoom the map out to the world)
CONTEXT_BOUNDS = (-20.0, -5.0, 75.0, 55.0)

EVENT_TYPE_ORDER = ("capture", "control", "attack", "airstrike", "clash", "arrest", "other", "mention")
TYPE_COLORS = {
    "capture": "#d7301f",
    "control": "#7b3294",
    "attack": "#f16913",
    "airstrike": "#2171b5",
    "clash": "#a6761d",
    "arrest": "#1b9e77",
    "other": "#c51b7d",
    "mention": "#8c8c8c",
}
TYPE_LABELS = {
    "capture": "Capture",
    "control": "Control",
    "attack": "Attack",
    "airstrike": "Airstrike",
    "clash": "Clash",
    "arrest": "Arrest",
    "other": "Other event",
    "mention": "Mention (no event)",
}
#: geo-precision, finest first; the last three are drawn as rings
PRECISIONS = ("village", "city", "province", "region", "country")
COARSE = frozenset({"province", "region", "country"})

#: more points than this and identical places are merged into one marker with a count
AGGREGATE_ABOVE = 2000
#: at most this many markers after merging (the grid coarsens until it fits)
MAX_MARKERS = 2000
#: sentences listed in a merged marker's popup
TOP_SENTENCES = 2
#: grid cells (degrees) tried in turn when merging
_GRID = (0.001, 0.01, 0.03, 0.06, 0.1, 0.15, 0.25, 0.35, 0.5, 0.7, 1.0, 1.5, 2.0, 5.0)

SEA = "#d8e6ef"
LAND = "#f3f0e8"
LAND_FOCUS = "#fdfbf6"
BORDER = "#7d7a73"
PROVINCE_BORDER = "#bdb6a6"

_NEEDED = {
    "layer": "event", "event_type": "mention", "name": "", "surface": "", "country": "", "kind": "city",
    "geo_precision": "", "lat": None, "lon": None, "date": None, "date_precision": None, "side": "", "actor": "",
    "confidence": 0.0, "title": "", "source": "", "url": "", "published": None, "sentence": "",
    "place_start": None, "place_end": None, "sentence_start": None, "article_id": None, "event_id": None,
    "mention_id": None, "gazetteer_id": "", "corrected": "",
}


# --- small helpers ------------------------------------------------------------------------------------

def esc(value: object) -> str:
    """HTML-escaped text of any value (None/NaN -> '')."""
    if type(value) is str:  # the common case, first
        return html.escape(value, quote=True)
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):  # pd.NA, NaT
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def _text(value: object) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def md_escape(value: object) -> str:
    """Text for Streamlit markdown (captions, labels): every ASCII punctuation mark backslash-escaped, so no
    link, image, emphasis, colour directive or HTML can be made of it; newlines become spaces."""
    text = re.sub(r"\s+", " ", _text(value))
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def safe_url(url: object) -> str | None:
    """The URL if it is a plain http(s) URL without whitespace or quotes; else None (never a link)."""
    u = _text(url).strip()
    if re.match(r"^https?://[^\s\"'<>`]+$", u, flags=re.I):
        return u
    return None


_LINK_ATTRS = ' target="_blank" rel="noopener noreferrer nofollow"'


def link_html(url: object, text: object, *, compact: bool = False) -> str:
    """An escaped link when ``url`` is http(s), else just the escaped text.

    ``compact`` leaves out ``target``/``rel`` (the map's script adds them to every popup link when it opens).
    """
    label = esc(text) or esc(url) or "article"
    u = safe_url(url)
    if not u:
        return label
    return f'<a href="{html.escape(u, quote=True)}"{"" if compact else _LINK_ATTRS}>{label}</a>'


def js_json(obj: Any) -> str:
    """JSON safe to embed in a ``<script>`` element: no ``</`` (which could close it) and no ``<!--``."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        s.replace("</", "<\\/").replace("<!--", "<\\u0021--")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def type_color(event_type: str) -> str:
    return TYPE_COLORS.get(event_type, TYPE_COLORS["other"])


def type_label(event_type: str) -> str:
    return TYPE_LABELS.get(event_type, str(event_type).replace("_", " ").capitalize())


@lru_cache(maxsize=1)
def _actors() -> Any:
    from frontlines.actors import load_actors

    return load_actors()


def side_color(side: str) -> str:
    if not side or side == "unknown":
        return "#777777"
    return str(_actors().color(side))


def side_options(points: pd.DataFrame) -> list[str]:
    """The sides of the events in ``points``: the known ones in their usual order, then any other by name."""
    from frontlines.actors import SIDES

    if points is None or points.empty:
        return []
    sides = points.loc[points["layer"] == "event", "side"].dropna()
    present = {str(s) for s in sides.unique().tolist()}  # distinct values first: 100,000 rows, a dozen sides
    return [s for s in SIDES if s in present] + sorted(present - set(SIDES) - {""})


def side_label(side: str, *, short: bool = True) -> str:
    """The side's label from ``geodata/actors.json`` (without its parenthesised aliases when ``short``)."""
    if not side:
        return ""
    label = str(_actors().label(side))
    if short and " (" in label:
        label = label.split(" (")[0]
    return label


def as_geodataframe(df: Any) -> gpd.GeoDataFrame | None:
    """A GeoDataFrame from areas/changes given as one (or as a frame with lat/lon columns)."""
    import geopandas as gpd

    if df is None or len(df) == 0:
        return None
    if isinstance(df, gpd.GeoDataFrame) and df.geometry is not None:
        return df
    if {"lat", "lon"} <= set(df.columns):
        d = df[pd.to_numeric(df["lat"], errors="coerce").notna()]
        return gpd.GeoDataFrame(d, geometry=gpd.points_from_xy(pd.to_numeric(d["lon"]), pd.to_numeric(d["lat"])),
                                crs="EPSG:4326")
    return None


@lru_cache(maxsize=1)
def _country_name_table() -> dict[str, str]:
    from frontlines.basemap import region_countries
    from frontlines.paths import geodata_dir

    names: dict[str, str] = {}
    try:
        for r in region_countries().itertuples():
            if isinstance(r.iso_a2, str) and r.iso_a2:
                names[r.iso_a2] = str(r.name)
    except Exception:  # noqa: BLE001 - names are cosmetic
        log.debug("no region country names", exc_info=True)
    p = geodata_dir() / "country_names.csv"
    if p.exists():
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
        for iso, aliases in zip(df["iso"], df["aliases"], strict=False):
            if iso and aliases:
                names.setdefault(iso, aliases.split("|")[0])
    return names


@lru_cache(maxsize=1)
def _world_names() -> dict[str, str]:
    try:
        from frontlines.basemap import world_countries

        w = world_countries()
        return {str(a): str(n) for a, n in zip(w["iso_a2"], w["name"], strict=False)}
    except Exception:  # noqa: BLE001
        log.debug("no world country names", exc_info=True)
        return {}


def country_name(code: object) -> str:
    """'SY' -> 'Syria'; unknown codes come back as given; '' -> 'unknown country'."""
    c = _text(code).strip().upper()
    if not c:
        return "unknown country"
    return _country_name_table().get(c) or _world_names().get(c) or c


def country_options(present: Iterable[str]) -> list[str]:
    """The five countries first, then every other code present, by name."""
    others = sorted({c for c in present if c and c not in FOCUS_COUNTRIES}, key=country_name)
    return list(FOCUS_COUNTRIES) + others


# --- evidence -------------------------------------------------------------------------------------------

def _span_in_sentence(row: Any) -> tuple[int, int] | None:
    """Where the place's surface sits in the sentence, from the stored offsets or by searching."""
    sentence = _text(row.get("sentence"))
    surface = _text(row.get("surface"))
    try:
        a = int(row.get("place_start")) - int(row.get("sentence_start"))
        b = int(row.get("place_end")) - int(row.get("sentence_start"))
        if 0 <= a < b <= len(sentence) and (not surface or sentence[a:b] == surface):
            return a, b
    except (TypeError, ValueError):
        pass
    if surface:
        i = sentence.lower().find(surface.lower())
        if i >= 0:
            return i, i + len(surface)
    name = _text(row.get("name"))
    if name:
        i = sentence.lower().find(name.lower())
        if i >= 0:
            return i, i + len(name)
    return None


def highlight_sentence(row: Any, *, max_chars: int | None = None) -> str:
    """The sentence, escaped, with the place in ``<mark>``; cut to about ``max_chars`` around it."""
    sentence = _text(row.get("sentence"))
    span = _span_in_sentence(row)
    if span is None:
        pre, mid, post = sentence, "", ""
    else:
        pre, mid, post = sentence[: span[0]], sentence[span[0] : span[1]], sentence[span[1] :]
    if max_chars:
        pre, mid, post = (re.sub(r"\s+", " ", x) for x in (pre, mid, post))
        pre = pre.lstrip()
        post = post.rstrip()
        room = max(20, (max_chars - len(mid)) // 2) if mid else max_chars
        if mid and len(pre) > room:
            pre = "…" + pre[-room:].lstrip()
        if len(post) > room:
            post = post[:room].rstrip() + "…"
        if not mid and len(pre) > max_chars:
            pre = pre[:max_chars].rstrip() + "…"
    if not mid:
        return esc(pre)
    return f"{esc(pre)}<mark>{esc(mid)}</mark>{esc(post)}"


def _date_text(date: object, precision: object) -> str:
    d = _text(date)
    if not d:
        return "date unknown"
    p = _text(precision)
    return f"{d} ({p})" if p else d


def _tag(event_type: str) -> str:
    return (
        f'<span class="fl-tag" style="background:{type_color(event_type)}">{esc(type_label(event_type))}</span>'
    )


def point_popup_html(row: Any) -> str:
    """Everything behind one point: where, when, what, who, and the sentence and article it came from."""
    et = _text(row.get("event_type")) or "mention"
    side = _text(row.get("side"))
    prec = _text(row.get("geo_precision")) or "city"
    surface = _text(row.get("surface"))
    name = _text(row.get("name")) or surface
    parts = [
        '<div class="fl-pop">',
        f'<div class="fl-h"><b>{esc(name)}</b> {_tag(et)}</div>',
        '<div class="fl-m">',
        f"as written: “{esc(surface)}” · " if surface and surface != name else "",
        f"{esc(country_name(row.get('country')))} · precision: {esc(prec)}</div>",
        f'<div class="fl-m">{esc(_date_text(row.get("date"), row.get("date_precision")))}',
    ]
    if et != "mention":
        parts.append(
            f' · side: <span class="fl-sw" style="background:{side_color(side)}"></span>{esc(side_label(side) or "unknown")}'
        )
        actor = _text(row.get("actor"))
        if actor:
            parts.append(f" · actor: {esc(actor)}")
    parts.append("</div>")
    parts.append(f'<blockquote class="fl-q">{highlight_sentence(row)}</blockquote>')
    published = _text(row.get("published"))
    source = _text(row.get("source"))
    meta = " · ".join(x for x in (esc(source), f"published {esc(published)}" if published else "") if x)
    parts.append(f'<div class="fl-src">{link_html(row.get("url"), row.get("title") or "untitled article")}'
                 f"{' — ' + meta if meta else ''}</div>")
    corrected = _text(row.get("corrected"))
    if corrected:
        parts.append(f'<div class="fl-m fl-corr">corrected: {esc(corrected.strip("; "))}</div>')
    parts.append("</div>")
    return "".join(parts)


def snippet_html(row: Any, *, max_chars: int = 120) -> str:
    """One line of a merged marker's popup: the sentence (cut, place marked) and its article."""
    src = " · ".join(x for x in (esc(row.get("source")), esc(row.get("date"))) if x)
    return (f'<li>{highlight_sentence(row, max_chars=max_chars)}<div class="fl-src">'
            f'{link_html(row.get("url"), row.get("title") or "untitled article", compact=True)}{" — " + src if src else ""}'
            "</div></li>")


def group_popup_html(*, label: str, country: str, precision: str, total: int, type_counts: Sequence[tuple[str, int]],
                     date_min: str, date_max: str, snippets: str, shown: int) -> str:
    """A merged marker: the place(s), counts per type, the date span and the top sentences.

    ``label``/``country``/``precision`` are plain text (escaped here); ``snippets`` is :func:`snippet_html`.
    """
    span = esc(date_min) if date_min == date_max else f"{esc(date_min)} – {esc(date_max)}"
    types = " ".join(f'<i class="fl-t" style="background:{type_color(t)}">{esc(type_label(t))}</i>{n:,}'
                     for t, n in type_counts)
    more = (f'<div class="fl-m">{total - shown:,} more: filter to this place (or select it in the table) for every '
            "sentence.</div>") if total > shown else ""
    return (f'<div class="fl-pop"><div class="fl-h"><b>{esc(label)}</b> ×{total:,}</div>'
            f'<div class="fl-m">{types}</div>'
            f'<div class="fl-m">{esc(country)} · precision: {esc(precision)} · {span or "dates unknown"}</div>'
            f'<ol class="fl-list">{snippets}</ol>{more}</div>')


def evidence_html(rows: pd.DataFrame, *, limit: int = 200) -> str:
    """The dashboard's evidence panel: every sentence behind a place, escaped, newest first."""
    if rows is None or rows.empty:
        return '<div class="fl-ev">No sentence for this place.</div>'
    out = ['<div class="fl-ev">']
    for _, r in rows.head(limit).iterrows():
        et = _text(r.get("event_type")) or "mention"
        side = _text(r.get("side"))
        who = f" · {esc(side_label(side))}" if side and et != "mention" else ""
        pub = _text(r.get("published"))
        meta = " · ".join(x for x in (esc(r.get("source")), f"published {esc(pub)}" if pub else "") if x)
        out.append(
            '<div class="fl-ev-item">'
            f'<div class="fl-m">{_tag(et)} {esc(_date_text(r.get("date"), r.get("date_precision")))}{who} · '
            f'{esc(r.get("surface") or r.get("name"))} ({esc(r.get("geo_precision"))})</div>'
            f'<blockquote class="fl-q">{highlight_sentence(r, max_chars=2000)}</blockquote>'
            f'<div class="fl-src">{link_html(r.get("url"), r.get("title") or "untitled article")}'
            f"{' — ' + meta if meta else ''}</div></div>"
        )
    if len(rows) > limit:
        out.append(f'<div class="fl-m">… and {len(rows) - limit} more (export the view for all).</div>')
    out.append("</div>")
    return "".join(out)


EVIDENCE_CSS = """
<style>
.fl-ev-head{font-size:1rem;margin-bottom:8px}
.fl-ev{font-size:0.92rem;line-height:1.4}
.fl-ev-item{border-left:3px solid #ccc;padding:2px 0 2px 10px;margin:0 0 12px 0}
.fl-ev mark{background:#ffe08a;padding:0 2px;border-radius:2px}
.fl-ev .fl-q{margin:4px 0;font-style:normal;color:#222}
.fl-ev .fl-m,.fl-ev .fl-src{color:#555;font-size:0.85rem}
.fl-tag{color:#fff;border-radius:3px;padding:0 5px;font-size:0.78rem;white-space:nowrap}
.fl-sw{display:inline-block;width:9px;height:9px;border-radius:50%;margin:0 3px 0 2px;vertical-align:middle}
</style>
"""


def places_near(points: pd.DataFrame, lat: float, lon: float, *, max_km: float = 60.0) -> pd.DataFrame:
    """Every row at the place nearest to (lat, lon): what a click on a marker is about."""
    if points is None or points.empty or lat is None or lon is None:
        return points.iloc[0:0] if points is not None else pd.DataFrame()
    la = pd.to_numeric(points["lat"], errors="coerce")
    lo = pd.to_numeric(points["lon"], errors="coerce")
    dlat = la - lat
    dlon = (lo - lon) * math.cos(math.radians(lat))
    d2 = dlat * dlat + dlon * dlon
    if d2.isna().all():
        return points.iloc[0:0]
    i = d2.idxmin()
    if math.sqrt(float(d2.loc[i])) * 111.0 > max_km:
        return points.iloc[0:0]
    same = (la.round(4) == round(float(la.loc[i]), 4)) & (lo.round(4) == round(float(lo.loc[i]), 4))
    out = points[same]
    return out.sort_values("date", ascending=False, na_position="last")


# --- views of a loaded set ----------------------------------------------------------------------------------

def filter_points(points: pd.DataFrame, filters: Any) -> pd.DataFrame:
    """The rows of ``points`` (a ``Store.points(Filters())`` frame, corrections applied) that ``filters``
    selects: the same rows, in the same order, as ``Store.points(filters)``, in a fraction of the time.

    The dashboard loads the whole store once and narrows it here on every filter change.
    """
    from frontlines.store.common import _post_filter, wants_mentions

    df = points
    if df.empty:
        return df
    # one mask, one selection: what the store's SQL selects (the rest, in _post_filter, sees corrected values)
    keep = np.ones(len(df), dtype=bool)
    if not wants_mentions(filters):
        keep &= (df["layer"] != "mention").to_numpy()
    if filters.date_from:  # the interval ends on or after the first day (no end: never)
        keep &= (df["date_hi"].fillna("") >= filters.date_from).to_numpy(dtype=bool)
    if filters.date_to:  # and starts on or before the last day (no start: never)
        lo = df["date_lo"]
        keep &= (lo.notna() & (lo.fillna("") <= filters.date_to)).to_numpy(dtype=bool)
    if filters.countries:
        keep &= df["country"].isin(list(filters.countries)).to_numpy()
    if filters.sources:
        keep &= df["source"].isin(list(filters.sources)).to_numpy()
    # a new frame either way (copy-on-write: nothing is copied when every row is kept)
    df = df[keep] if not keep.all() else df.copy(deep=False)
    return _post_filter(df, filters)


# --- preparing points -------------------------------------------------------------------------------------

def prepare_points(points: pd.DataFrame | None) -> pd.DataFrame:
    """The columns the maps use, with defaults; rows without coordinates dropped."""
    if points is None or len(points) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _NEEDED})
    # a new frame of the same columns (copy-on-write: nothing is copied until a column is replaced)
    df = points[[c for c in points.columns if c in _NEEDED]].copy(deep=False)
    for c, default in _NEEDED.items():
        if c not in df.columns:
            df[c] = default
    df["lat"] = pd.to_numeric(df["lat"], errors="coerce")
    df["lon"] = pd.to_numeric(df["lon"], errors="coerce")
    ok = df["lat"].between(-90, 90) & df["lon"].between(-180, 180)
    if not ok.all():
        df = df[ok]
    if df["event_type"].hasnans or df["event_type"].dtype != "str":
        df["event_type"] = df["event_type"].fillna("mention").astype(str)
    from frontlines.records import GEO_PRECISION

    gp = df["geo_precision"].fillna("").astype(str)
    valid = gp.isin(PRECISIONS)
    if not valid.all():
        gp = gp.where(valid, map_values(df["kind"], GEO_PRECISION, "city"))
    df["geo_precision"] = gp
    df["confidence"] = pd.to_numeric(df["confidence"], errors="coerce").fillna(0.0)
    return df


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")`` (the same Python values), a column at a time: much quicker on Arrow strings."""
    cols = [str(c) for c in df.columns]
    return [dict(zip(cols, values, strict=True)) for values in zip(*(df[c].tolist() for c in df.columns), strict=True)]


def map_bounds(points: pd.DataFrame | None, *, pad: float = 0.12, min_span: float = 3.0) -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) framing the points inside the region, padded; the five
    countries when there is nothing to frame."""
    if points is None or len(points) == 0:
        return REGION_BOUNDS
    la = pd.to_numeric(points["lat"], errors="coerce")
    lo = pd.to_numeric(points["lon"], errors="coerce")
    x0, y0, x1, y1 = CONTEXT_BOUNDS
    inside = la.between(y0, y1) & lo.between(x0, x1)
    if not inside.any():
        return REGION_BOUNDS
    la, lo = la[inside], lo[inside]
    if len(la) > 50:  # a few strays should not stretch the frame
        a, b = lo.quantile([0.03, 0.97]).tolist()
        c, d = la.quantile([0.03, 0.97]).tolist()
    else:
        a, b, c, d = lo.min(), lo.max(), la.min(), la.max()
    w, h = b - a, d - c
    a, b = a - max(w * pad, 0.5), b + max(w * pad, 0.5)
    c, d = c - max(h * pad, 0.5), d + max(h * pad, 0.5)
    if b - a < min_span:
        m = (a + b) / 2
        a, b = m - min_span / 2, m + min_span / 2
    if d - c < min_span * 0.6:
        m = (c + d) / 2
        c, d = m - min_span * 0.3, m + min_span * 0.3
    return (max(a, -180.0), max(c, -85.0), min(b, 180.0), min(d, 85.0))


def marker_data(
    points: pd.DataFrame,
    *,
    aggregate_above: int = AGGREGATE_ABOVE,
    max_markers: int = MAX_MARKERS,
    top: int = TOP_SENTENCES,
) -> dict[str, Any]:
    """The compact marker payload the browser turns into markers.

    ``{"t": [type...], "c": [colour...], "s": [html string...], "p": [[lat, lon, type_i, precision_i,
    count, tooltip_i, popup_i], ...], "aggregated": bool, "cell": degrees or 0}``. Every string is escaped
    HTML. Up to ``aggregate_above`` points, one marker per point; above, merged per place (and per grid
    cell when needed) with the top ``top`` sentences in the popup.
    """
    return _marker_data(prepare_points(points), aggregate_above=aggregate_above, max_markers=max_markers, top=top)


#: the columns :func:`marker_data` reads when it merges markers
_MERGED_COLUMNS = ["lat", "lon", "geo_precision", "event_type", "date", "name", "country", "confidence", "sentence",
                   "surface", "place_start", "place_end", "sentence_start", "source", "url", "title"]


def _marker_data(df: pd.DataFrame, *, aggregate_above: int, max_markers: int, top: int) -> dict[str, Any]:
    """:func:`marker_data` of points already through :func:`prepare_points`."""
    present = {str(t) for t in df["event_type"].unique()}
    types = [t for t in EVENT_TYPE_ORDER if t in present]
    types += sorted(present - set(types))
    t_index = {t: i for i, t in enumerate(types)}
    strings: list[str] = []
    s_index: dict[str, int] = {}

    def sid(s: str) -> int:
        i = s_index.get(s)
        if i is None:
            i = s_index[s] = len(strings)
            strings.append(s)
        return i

    rows: list[list[Any]] = []
    out: dict[str, Any] = {"t": types, "c": [type_color(t) for t in types], "s": strings, "p": rows,
                           "aggregated": False, "cell": 0, "n": int(len(df))}
    if df.empty:
        return out
    prec_i = {p: i for i, p in enumerate(PRECISIONS)}
    if len(df) <= aggregate_above:
        for r in _records(df):
            et = r["event_type"]
            tip = f"{esc(r.get('name') or r.get('surface'))} · {esc(type_label(et))}"
            d = _text(r.get("date"))
            if d:
                tip += f" · {esc(d)}"
            rows.append([
                round(float(r["lat"]), 5), round(float(r["lon"]), 5), t_index[et],
                prec_i.get(r["geo_precision"], 1), 1, sid(tip), sid(point_popup_html(r)),
            ])
        return out

    # --- merge identical places (then grid cells) until few enough markers remain
    df = df.reset_index(drop=True)
    ring = df["geo_precision"].isin(COARSE).to_numpy()
    lat, lon = df["lat"].to_numpy(), df["lon"].to_numpy()
    cell = _GRID[-1]
    for cell in _GRID:
        gy = np.round(lat / cell).astype(np.int64)
        gx = np.round(lon / cell).astype(np.int64)
        key = (gy * 1_000_003 + gx) * 2 + ring
        if len(pd.unique(key)) <= max_markers:
            break
    g_codes, _ = pd.factorize(key)
    df["_g"] = g_codes
    df["_p"] = map_values(df["geo_precision"], prec_i, 1).astype(int)
    out["aggregated"] = True
    out["cell"] = cell
    grp = df.groupby("_g", sort=True)
    agg = pd.DataFrame({"lat": grp["lat"].mean(), "lon": grp["lon"].mean(), "n": grp.size(), "p": grp["_p"].max()})
    dates = df["date"].where(df["date"].notna(), None)
    agg["dmin"] = dates.groupby(df["_g"]).min()
    agg["dmax"] = dates.groupby(df["_g"]).max()
    tc = df.groupby(["_g", "event_type"], sort=False).size().rename("k").reset_index()
    tc["_o"] = tc["event_type"].map(t_index)
    tc = tc.sort_values(["_g", "k", "_o"], ascending=[True, False, True])
    type_counts: dict[int, list[tuple[str, int]]] = {}
    for g_, t_, k_ in zip(tc["_g"].tolist(), tc["event_type"].tolist(), tc["k"].tolist(), strict=False):
        type_counts.setdefault(g_, []).append((t_, k_))
    nc = df.groupby(["_g", "name"], sort=False).size().rename("k").reset_index().sort_values(
        ["_g", "k"], ascending=[True, False])
    top_name = nc.groupby("_g", sort=True)["name"].first()
    n_names = nc.groupby("_g", sort=True).size()
    country = (df.groupby(["_g", "country"], sort=False).size().rename("k").reset_index()
               .sort_values(["_g", "k"], ascending=[True, False]).groupby("_g", sort=True)["country"].first())
    # the top sentences of each marker: by group, then confidence and date, both descending (ties keep the
    # points' order); only those rows are taken out of the frame
    n_groups = len(agg)  # the groups are 0 … n_groups - 1
    date_rank = pd.factorize(df["date"].fillna("").astype(str), sort=True)[0]
    conf_rank = np.unique(df["confidence"].to_numpy(dtype=float), return_inverse=True)[1].reshape(-1)
    n_date, n_conf = int(date_rank.max()) + 1, int(conf_rank.max()) + 1
    if n_groups * n_conf * n_date < 2**62:  # one integer key: a stable argsort is quicker than a lexsort
        order = np.argsort((g_codes * n_conf + (n_conf - 1 - conf_rank)) * n_date + (n_date - 1 - date_rank),
                           kind="stable")
    else:  # pragma: no cover - millions of points
        order = np.lexsort((-date_rank, -conf_rank, g_codes))
    g_sorted = g_codes[order]
    first = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    pick = order[rank < top]
    cols = ["sentence", "surface", "name", "place_start", "place_end", "sentence_start", "source", "date", "url",
            "title"]
    snippets = [""] * n_groups
    for g_, r in zip(g_codes[pick].tolist(), _records(df[cols].take(pick)), strict=True):
        snippets[g_] += snippet_html(r)
    shown = np.bincount(g_codes[pick], minlength=n_groups)
    agg = agg.assign(top_name=top_name, n_names=n_names, country=country, snippets=snippets, shown=shown)
    for gid, a in zip(agg.index.tolist(), _records(agg), strict=False):
        n = int(a["n"])
        tcs = type_counts.get(gid, [])
        main_type = tcs[0][0] if tcs else "other"
        name = _text(a["top_name"])
        k = int(a["n_names"] or 1)
        label = name + (f" and {k - 1} nearby place{'s' if k > 2 else ''}" if k > 1 else "")
        prec = PRECISIONS[int(a["p"])]
        tip = f"{esc(label)} · {esc(type_label(main_type))}{' etc.' if len(tcs) > 1 else ''} ×{n:,}"
        popup = group_popup_html(label=label, country=country_name(a["country"]), precision=prec, total=n,
                                 type_counts=tcs, date_min=_text(a["dmin"]), date_max=_text(a["dmax"]),
                                 snippets=_text(a["snippets"]), shown=int(a["shown"] or 0))
        rows.append([round(float(a["lat"]), 4), round(float(a["lon"]), 4), t_index[main_type], int(a["p"]), n,
                     sid(tip), sid(popup)])
    return out


# --- basemap for the browser -------------------------------------------------------------------------------

_BASEMAP_CACHE_VERSION = 3


def _basemap_cache_path() -> Path | None:
    """A per-machine cache of the browser basemap, keyed by the source files (rebuilt when they change)."""
    try:
        from frontlines.paths import cache_dir, geodata_dir

        stamp = "-".join(
            str(int((geodata_dir() / f).stat().st_mtime)) + str((geodata_dir() / f).stat().st_size)
            for f in ("countries.geojson", "admin1.geojson")
            if (geodata_dir() / f).exists()
        )
        return cache_dir() / f"basemap-web-v{_BASEMAP_CACHE_VERSION}-{_stable(stamp)}.json"
    except Exception:  # noqa: BLE001 - the cache is an optimisation
        return None


def _stable(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _fc(geoms: Iterable[Any], props: Iterable[dict[str, Any]] | None = None) -> str:
    import shapely

    feats = []
    props_list = list(props) if props is not None else None
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(g),
                      "properties": props_list[i] if props_list is not None else {}})
    return json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))


def _build_basemap() -> dict[str, str]:
    import shapely

    from frontlines.basemap import region_countries, region_provinces, world_countries

    countries = region_countries()
    focus = countries["iso_a2"].isin(FOCUS_COUNTRIES)
    try:
        c_geoms = shapely.coverage_simplify(countries.geometry.values, 0.015)
    except Exception:  # noqa: BLE001 - older GEOS
        c_geoms = countries.geometry.values
    c_geoms = shapely.set_precision(c_geoms, 0.005)
    out = {
        "countries": _fc(c_geoms, [{"f": 1 if f else 0} for f in focus]),
        "provinces": '{"type":"FeatureCollection","features":[]}',
        "world": '{"type":"FeatureCollection","features":[]}',
    }
    # the rest of the world, coarse: context for points far from the region
    try:
        w = world_countries()
        w = w[~w["iso_a2"].isin(countries["iso_a2"].dropna())]
        tol = 0.25
        g = shapely.set_precision(shapely.coverage_simplify(w.geometry.values, tol), 0.05)
        keep = []
        for x in g:
            if x is None or x.is_empty:
                continue
            parts = [p for p in getattr(x, "geoms", [x]) if p.area >= tol * tol * 4]
            if parts:
                keep.append(shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0])
        out["world"] = _fc(keep)
    except Exception:  # noqa: BLE001 - context only
        log.debug("no world basemap", exc_info=True)
    labels: list[list[Any]] = []
    prov = region_provinces()
    if prov is not None:
        geoms = prov.geometry.values
        try:
            simple = shapely.coverage_simplify(geoms, 0.03)
        except Exception:  # noqa: BLE001 - older GEOS
            simple = shapely.simplify(geoms, 0.02, preserve_topology=True)
        out["provinces"] = _fc(shapely.set_precision(shapely.boundary(simple), 0.01))
        for r in prov.itertuples():
            if r.iso_a2 in FOCUS_COUNTRIES and isinstance(r.name, str) and pd.notna(r.label_lat):
                labels.append([round(float(r.label_lat), 3), round(float(r.label_lon), 3), esc(r.name), 2])
    for r in countries.itertuples():
        if isinstance(r.iso_a2, str) and pd.notna(r.label_lat):
            labels.append([round(float(r.label_lat), 3), round(float(r.label_lon), 3), esc(r.name),
                           1 if r.iso_a2 in FOCUS_COUNTRIES else 0])
    out["labels"] = js_json(labels)
    return out


@lru_cache(maxsize=1)
def basemap_layers() -> dict[str, str]:
    """The browser basemap as compact JSON strings: ``world`` (coarse land outside the region),
    ``countries`` (with ``f``=1 for the five), ``provinces`` (borders as lines), ``labels``."""
    path = _basemap_cache_path()
    if path is not None and path.exists():
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            log.debug("basemap cache unreadable; rebuilding", exc_info=True)
    out = _build_basemap()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(out), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            log.debug("cannot cache the basemap", exc_info=True)
    return out


# --- folium elements ----------------------------------------------------------------------------------------

_CSS = """
.leaflet-container{background:__SEA__;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
.fl-label{background:none;border:none;white-space:nowrap;color:#6b6558;font-size:11px;text-align:center;
  text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none;transform:translate(-50%,-50%);width:auto!important;height:auto!important}
.fl-label.fl-focus{color:#3d3a33;font-weight:600;font-size:13px;letter-spacing:.04em;text-transform:uppercase}
.fl-label.fl-prov{color:#8d8676;font-size:10px;font-style:italic}
.fl-title{background:rgba(255,255,255,.92);padding:6px 10px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.25);max-width:46vw}
.fl-title h3{margin:0;font-size:16px;color:#222}.fl-title div{font-size:12px;color:#555;margin-top:2px}
.fl-legend{background:rgba(255,255,255,.94);padding:5px 8px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.25);
  font-size:11.5px;line-height:16px;overflow:auto;color:#222}
.leaflet-container .leaflet-control-attribution{font-size:11px;line-height:1.4}
.leaflet-container .leaflet-control-scale-line{font-size:11px}
.fl-legend summary{font-weight:600;cursor:pointer}
.fl-legend .fl-row{white-space:nowrap}.fl-legend i{display:inline-block;width:11px;height:11px;border-radius:50%;
  margin-right:6px;vertical-align:-1px;border:1px solid #fff;box-shadow:0 0 0 1px rgba(0,0,0,.25)}
.fl-legend i.fl-ring{background:transparent!important;border:2px dashed #555;box-shadow:none;width:9px;height:9px}
.fl-legend i.fl-sq{border-radius:2px}.fl-legend .fl-sub{margin-top:4px;font-weight:600;color:#444}
.fl-pop{font-size:12.5px;line-height:1.4;max-width:360px}.fl-pop .fl-h{font-size:14px;margin-bottom:2px}
.fl-pop .fl-m{color:#555}.fl-pop .fl-q{margin:6px 0;padding-left:8px;border-left:3px solid #ddd;color:#222}
.fl-pop mark{background:#ffe08a;padding:0 2px;border-radius:2px}.fl-pop .fl-src{color:#555;font-size:12px}
.fl-pop .fl-list{padding-left:18px;margin:6px 0;max-height:260px;overflow:auto}.fl-pop .fl-list li{margin-bottom:6px}
.fl-pop .fl-corr{color:#9a3412}
.fl-tag,.fl-pop i.fl-t{color:#fff;border-radius:3px;padding:0 5px;font-size:11px;white-space:nowrap;font-style:normal}
.fl-pop i.fl-t{margin:0 3px 0 6px}
.fl-sw{display:inline-block;width:9px;height:9px;border-radius:50%;margin:0 3px 0 2px;vertical-align:middle}
.fl-cluster{background:rgba(38,38,38,.78);color:#fff;border-radius:50%;text-align:center;font-weight:600;
  border:3px solid rgba(255,255,255,.9);box-shadow:0 0 0 1px rgba(0,0,0,.35);display:flex;align-items:center;
  justify-content:center;box-sizing:border-box}
@media (max-width:640px){.fl-title{max-width:60vw}.fl-title h3{font-size:14px}.fl-legend{font-size:11px}}
""".replace("__SEA__", SEA)

_HELPERS_JS = r"""
window.FL = window.FL || (function () {
  var css = __CSS__;
  var st = document.createElement('style'); st.textContent = css; document.head.appendChild(st);
  var BASE_R = [5, 6, 11, 15, 19];
  function radius(p, n) { return BASE_R[p] + Math.min(9, Math.log(Math.max(1, n)) / Math.LN2 * 1.5); }
  function clusterIcon(c) {
    var total = 0, kids = c.getAllChildMarkers(), by = {}, top = null;
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i].options, n = k.n || 1;
      total += n; by[k.fillColor] = (by[k.fillColor] || 0) + n;
      if (top === null || by[k.fillColor] > by[top]) { top = k.fillColor; }
    }
    var size = total < 10 ? 28 : total < 100 ? 34 : total < 1000 ? 40 : 48;
    var label = total >= 10000 ? Math.round(total / 1000) + 'k' : String(total);
    return L.divIcon({html: '<div class="fl-cluster" style="width:' + size + 'px;height:' + size + 'px;border-color:' +
                            top + '">' + label + '</div>',
                      className: 'fl-cluster-icon', iconSize: L.point(size, size)});
  }
  function newTabs(e) {
    var links = e.popup.getElement().querySelectorAll('.fl-pop a[href]');
    for (var i = 0; i < links.length; i++) { links[i].target = '_blank'; links[i].rel = 'noopener noreferrer nofollow'; }
  }
  function addPoints(group, d, cluster) {
    var inner = cluster ? L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40, chunkedLoading: true,
                                                spiderfyOnMaxZoom: true, iconCreateFunction: clusterIcon}) : null;
    var fine = [], coarse = [];
    for (var i = 0; i < d.p.length; i++) {
      var q = d.p[i], col = d.c[q[2]], p = q[3], n = q[4], ring = p >= 2, faint = d.t[q[2]] === 'mention';
      var m = L.circleMarker([q[0], q[1]], ring
        ? {radius: radius(p, n), color: col, weight: faint ? 1.3 : 2, opacity: faint ? 0.6 : 0.9, dashArray: '5 4',
           fillColor: col, fillOpacity: faint ? 0.04 : 0.10, n: n}
        : {radius: radius(p, n), color: '#ffffff', weight: 1.2, fillColor: col, fillOpacity: faint ? 0.8 : 0.92, n: n});
      m.bindTooltip(d.s[q[5]], {direction: 'top'});
      m.bindPopup(d.s[q[6]], {maxWidth: 380, minWidth: 220, autoPanPaddingTopLeft: [20, 90],
                              autoPanPaddingBottomRight: [20, 30]});
      m.on('popupopen', newTabs);
      (ring || !inner ? coarse : fine).push(m);
    }
    for (var j = 0; j < coarse.length; j++) { group.addLayer(coarse[j]); }
    if (inner) { inner.addLayers(fine); group.addLayer(inner); }
    return group;
  }
  function labels(map, data) {
    var countries = L.layerGroup(), provinces = L.layerGroup();
    for (var i = 0; i < data.length; i++) {
      var r = data[i], cls = r[3] === 2 ? 'fl-label fl-prov' : r[3] === 1 ? 'fl-label fl-focus' : 'fl-label';
      var mk = L.marker([r[0], r[1]], {icon: L.divIcon({className: cls, html: r[2], iconSize: null}),
                                       interactive: false, keyboard: false});
      (r[3] === 2 ? provinces : countries).addLayer(mk);
    }
    countries.addTo(map);
    function zoomed() { if (map.getZoom() >= 7) { provinces.addTo(map); } else { map.removeLayer(provinces); } }
    map.on('zoomend', zoomed); zoomed();
    return countries;
  }
  function control(map, pos, html, cls) {
    var c = L.control({position: pos});
    c.onAdd = function () {
      var div = L.DomUtil.create('div', cls); div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div); L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    c.addTo(map);
    return c;
  }
  function legend(map, html) {
    var open = (window.innerWidth > 640 && map.getSize().y > 420) ? ' open' : '';
    var c = control(map, 'topleft', '<details' + open + '><summary>Legend</summary>' + html + '</details>', 'fl-legend');
    function fit() { c.getContainer().style.maxHeight = Math.max(60, map.getSize().y - 150) + 'px'; }
    map.on('resize', fit); fit();
    // popups open under the map's controls: fold the legend away while one is open
    var details = c.getContainer().querySelector('details'), wasOpen = null;
    map.on('popupopen', function () { if (wasOpen === null) { wasOpen = details.open; } details.open = false; });
    map.on('popupclose', function () { if (wasOpen !== null) { details.open = wasOpen; wasOpen = null; } });
    return c;
  }
  // the basemap as one static file (the dashboard): fetched once per page, from the browser's cache after that
  var basemaps = {};
  function basemap(url) {
    if (!basemaps[url]) {
      basemaps[url] = fetch(url, {cache: 'force-cache'}).then(function (r) {
        if (!r.ok) { throw new Error('basemap ' + url + ': HTTP ' + r.status); }
        return r.json();
      });
      basemaps[url].catch(function (e) { console.error(e); });
    }
    return basemaps[url];
  }
  function pane(map, name, z) {
    if (!map.getPane(name)) { map.createPane(name).style.zIndex = z; }
  }
  return {addPoints: addPoints, labels: labels, control: control, legend: legend, basemap: basemap, pane: pane};
})();
""".replace("__CSS__", json.dumps(_CSS))


def _element_classes() -> dict[str, type]:
    """folium element classes, made on first use (importing folium is slow)."""
    global _CLASSES
    if _CLASSES:
        return _CLASSES
    from branca.element import Element, MacroElement
    from folium.elements import JSCSSMixin
    from folium.map import Layer
    from folium.template import Template

    class Raw(Element):
        """Text that goes into the page as it is. branca wraps what a macro renders in ``Element(text)``, which
        compiles the text as a Jinja template: slow for megabytes of markers, and it would run ``{{ … }}`` or
        ``{% … %}`` found in an article's text (a sentence in a popup) as template code."""

        def __init__(self, text: str) -> None:
            super().__init__()
            # what the compiled template would have given: Jinja drops one trailing newline
            self._text = text[:-1] if text.endswith("\n") else text

        def render(self, **kwargs: Any) -> str:
            return self._text

    class RawMacro(MacroElement):
        """MacroElement.render, with what the macros return kept as :class:`Raw` text (never compiled)."""

        def render(self, **kwargs: Any) -> None:
            figure = self.get_root()
            macros = self._template.module.__dict__
            for part, holder in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
                macro = macros.get(part)
                if macro is not None:
                    holder.add_child(Raw(macro(self, kwargs)), name=self.get_name())
            for element in self._children.values():
                element.render(**kwargs)

    class Helpers(RawMacro):
        """The shared JavaScript (and the CSS it injects) the other elements call."""

        _template = Template("{% macro script(this, kwargs) %}" + _HELPERS_JS + "{% endmacro %}")

        def __init__(self) -> None:
            super().__init__()
            self._name = "FrontlinesHelpers"

    class MapSetup(RawMacro):
        """Sea colour, attribution, title, legend and labels: things that belong to the map itself."""

        _template = Template(
            """{% macro script(this, kwargs) %}
            (function (map) {
              map.getContainer().style.background = {{ this.sea|tojson }};
              // Leaflet focuses the map on mousedown; inside an iframe (the dashboard) that scrolls the page
              // under the pointer and the click lands beside the marker. Focus without scrolling instead.
              if (map.keyboard && map.keyboard.enabled()) {
                map.keyboard.disable();
                map.keyboard._onMouseDown = function () {
                  if (!this._focused) { this._map._container.focus({preventScroll: true}); }
                };
                map.keyboard.enable();
              }
              map.attributionControl.addAttribution({{ this.attribution }});
              {% if this.title_html %}FL.control(map, 'topleft', {{ this.title_html }}, 'fl-title');{% endif %}
              {% if this.legend_html %}FL.legend(map, {{ this.legend_html }});{% endif %}
            })({{ this._parent.get_name() }});
            {% endmacro %}"""
        )

        def __init__(self, title_html: str, legend_html: str, attribution: str) -> None:
            super().__init__()
            self._name = "FrontlinesSetup"
            self.sea = SEA
            self.title_html = js_json(title_html) if title_html else ""
            self.legend_html = js_json(legend_html) if legend_html else ""
            self.attribution = js_json(attribution)

    class PointsLayer(JSCSSMixin, Layer, RawMacro):
        """Markers built in the browser from one compact JSON payload (see :func:`marker_data`)."""

        _template = Template(
            """{% macro script(this, kwargs) %}
            var {{ this.get_name() }} = FL.addPoints(L.featureGroup(), {{ this.data }}, {{ this.cluster|tojson }});
            {% endmacro %}"""
        )

        def __init__(self, data: dict[str, Any], name: str, *, cluster: bool, show: bool, asset_base: str) -> None:
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "PointsLayer"
            self.data = js_json({k: data[k] for k in ("t", "c", "s", "p")})
            self.cluster = cluster
            self.default_js = local_js(asset_base, CLUSTER_JS) if cluster else []
            self.default_css = local_css(asset_base, CLUSTER_CSS) if cluster else []

    class GeoJsonLayer(Layer, RawMacro):
        """A GeoJSON layer with one style (or a per-feature ``_s`` style) and optional ``_t`` tooltips."""

        _template = Template(
            """{% macro script(this, kwargs) %}
            {% if this.pane %}FL.pane({{ this._parent.get_name() }}, {{ this.pane|tojson }}, 350);{% endif %}
            var {{ this.get_name() }} = L.geoJson({% if this.src %}null{% else %}{{ this.data }}{% endif %}, {
              {% if this.pane %}pane: {{ this.pane|tojson }},{% endif %}
              interactive: {{ this.interactive|tojson }},
              style: function (f) { return (f.properties && f.properties._s) || {{ this.style|tojson }}; },
              pointToLayer: function (f, ll) {
                var s = (f.properties && f.properties._s) || {{ this.style|tojson }};
                return L.circleMarker(ll, Object.assign({radius: 9}, s));
              },
              onEachFeature: function (f, layer) {
                if (f.properties && f.properties._t) { layer.bindTooltip(f.properties._t, {sticky: true}); }
              }
            });
            {% if this.src %}FL.basemap({{ this.src|tojson }}).then(function (d) {
              {{ this.get_name() }}.addData(d[{{ this.key|tojson }}]);
            });{% endif %}
            {% endmacro %}"""
        )

        def __init__(self, data: str, name: str, style: dict[str, Any], *, interactive: bool = False,
                     show: bool = True, control: bool = True, src: str = "", key: str = "", pane: str = "") -> None:
            """``data``: GeoJSON text; or, with ``src``, the URL of a basemap file and the ``key`` of this layer in it.
            ``pane``: a map pane under the markers and rings (the basemap's, so that it stays under them even when
            it arrives after them)."""
            super().__init__(name=name, overlay=True, control=control, show=show)
            self._name = "GeoJsonLayer"
            self.data = data
            self.style = style
            self.interactive = interactive
            self.src = src
            self.key = key
            self.pane = pane

    class Labels(RawMacro):
        _template = Template(
            """{% macro script(this, kwargs) %}
            {% if this.src %}FL.basemap({{ this.src|tojson }}).then(function (d) {
              FL.labels({{ this._parent.get_name() }}, d.labels);
            });{% else %}FL.labels({{ this._parent.get_name() }}, {{ this.data }});{% endif %}
            {% endmacro %}"""
        )

        def __init__(self, data: str, src: str = "") -> None:
            super().__init__()
            self._name = "FrontlinesLabels"
            self.data = data
            self.src = src

    _CLASSES.update(Helpers=Helpers, MapSetup=MapSetup, PointsLayer=PointsLayer, GeoJsonLayer=GeoJsonLayer,
                    Labels=Labels)
    return _CLASSES


_CLASSES: dict[str, type] = {}


def publish_basemap(static_dir: str | Path) -> str:
    """Write the browser basemap as one JSON file into ``static_dir`` (once per basemap version) and return its
    file name, ``basemap-<digest>.json``: the name changes with the content, so browsers may cache it for good.
    Older versions in the folder are removed."""
    layers = basemap_layers()
    focus, others = _split_countries(layers["countries"])
    text = (f'{{"world":{layers["world"]},"others":{others},"focus":{focus},'
            f'"provinces":{layers["provinces"]},"labels":{layers["labels"]}}}')
    name = f"basemap-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}.json"
    folder = Path(static_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)  # whole or not at all: a browser never reads half a file
    for old in folder.glob("basemap-*.json"):
        if old.name != name:
            old.unlink(missing_ok=True)
    return name


@lru_cache(maxsize=4)
def _split_countries(countries: str) -> tuple[str, str]:
    """(the five countries, the others) as GeoJSON strings."""
    fc = json.loads(countries)
    focus = {**fc, "features": [f for f in fc["features"] if f["properties"].get("f")]}
    others = {**fc, "features": [f for f in fc["features"] if not f["properties"].get("f")]}
    return json.dumps(focus, separators=(",", ":")), json.dumps(others, separators=(",", ":"))


def _legend_html(types_counts: dict[str, int], aggregated: bool, sides: dict[str, str], changes: bool,
                 cell_km: float = 0.0) -> str:
    rows = ['<div class="fl-sub">Event type</div>']
    for t in EVENT_TYPE_ORDER:
        if t in types_counts:
            rows.append(f'<div class="fl-row"><i style="background:{type_color(t)}"></i>{esc(type_label(t))}'
                        f" ({types_counts[t]:,})</div>")
    for t, n in types_counts.items():
        if t not in EVENT_TYPE_ORDER:
            rows.append(f'<div class="fl-row"><i style="background:{type_color(t)}"></i>{esc(type_label(t))} ({n:,})</div>')
    if not types_counts:
        rows.append('<div class="fl-row">nothing in this view</div>')
    rows.append('<div class="fl-sub">Place precision</div>')
    rows.append('<div class="fl-row"><i style="background:#666"></i>village / city</div>')
    rows.append('<div class="fl-row"><i class="fl-ring"></i>province / region / country</div>')
    rows.append('<div class="fl-row"><span class="fl-cluster" style="display:inline-flex;width:18px;height:18px;'
                'font-size:9px;margin-right:5px;border-width:2px">12</span>events in a cluster</div>')
    if aggregated:
        what = (f"Places within ~{cell_km:.0f} km merged" if cell_km >= 2 else "Identical places merged")
        rows.append(f'<div class="fl-row" style="white-space:normal;max-width:210px">{what} (marker size and '
                    "popup give the count): narrow the filters to see each place.</div>")
    if sides:
        rows.append('<div class="fl-sub">Control (areas)</div>')
        for side, color in sides.items():
            rows.append(f'<div class="fl-row"><i class="fl-sq" style="background:{color}"></i>{esc(side_label(side))}</div>')
    if changes:
        rows.append('<div class="fl-row"><i class="fl-sq" style="background:transparent;border:2px solid #111"></i>'
                    "changed hands in the date range</div>")
    return "".join(rows)


def _areas_geojson(areas: gpd.GeoDataFrame, *, for_changes: bool = False) -> tuple[str, dict[str, str]]:
    """Areas (or changes) as GeoJSON with per-feature style and escaped tooltip; and the sides drawn."""
    import shapely

    gdf = areas.to_crs("EPSG:4326") if areas.crs is not None and str(areas.crs) != "EPSG:4326" else areas
    sides: dict[str, str] = {}
    feats = []
    cols = set(gdf.columns)
    for _, r in gdf.iterrows():
        geom = r.geometry
        if geom is None or geom.is_empty:
            continue
        after = _text(r.get("side") if "side" in cols else None) or _text(
            r.get("to_side") if "to_side" in cols else r.get("after") if "after" in cols else None
        ) or _text(r.get("controller_after") if "controller_after" in cols else None)
        before = _text(r.get("from_side") if "from_side" in cols else r.get("before") if "before" in cols else None)
        color = side_color(after)
        if after:
            sides[after] = color
        if for_changes:
            style = {"color": "#111111", "weight": 2.5, "fillColor": color, "fillOpacity": 0.45, "dashArray": "6 4",
                     "opacity": 0.9}
            label = " → ".join(x for x in (side_label(before), side_label(after)) if x) or "change"
            tip = f"{esc(_text(r.get('name')) + ': ' if 'name' in cols and _text(r.get('name')) else '')}{esc(label)}"
            if "date" in cols and _text(r.get("date")):
                tip += f" ({esc(r.get('date'))})"
        else:
            style = {"color": color, "weight": 1, "fillColor": color, "fillOpacity": 0.28, "opacity": 0.7}
            tip = esc(side_label(after) or "unknown")
        g = shapely.set_precision(geom, 0.0001)
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": {"_s": style, "_t": tip}})
    return js_json({"type": "FeatureCollection", "features": feats}), sides


def map_data(points: pd.DataFrame, *, aggregate_above: int = AGGREGATE_ABOVE,
             max_markers: int = MAX_MARKERS) -> dict[str, Any]:
    """Everything :func:`build_map` takes from the points: marker payloads (events, plain mentions), counts per
    type, the frame, whether markers were merged. Plain data (picklable), so callers can cache it."""
    df = prepare_points(points)
    if len(df) > aggregate_above:  # the threshold is for the whole view, not each layer
        aggregate_above = 0
        df = df[_MERGED_COLUMNS]  # all that merged markers show: fewer columns to split into layers
    is_mention = (df["event_type"] == "mention").to_numpy()
    events, mentions = df[~is_mention], df[is_mention]
    budget_e = max_markers if mentions.empty else max(1, int(max_markers * 0.7))
    budget_m = max_markers - budget_e if not events.empty else max_markers
    md = _marker_data(mentions, aggregate_above=aggregate_above, max_markers=max(budget_m, 1),
                      top=TOP_SENTENCES) if len(mentions) else None
    ed = _marker_data(events, aggregate_above=aggregate_above, max_markers=budget_e,
                      top=TOP_SENTENCES) if len(events) else None
    parts = [x for x in (md, ed) if x is not None]
    return {
        "events": ed, "mentions": md, "n_events": len(events), "n_mentions": len(mentions),
        "counts": {str(k): int(v) for k, v in df["event_type"].value_counts().items()},
        "aggregated": any(x["aggregated"] for x in parts), "cell": max([x["cell"] for x in parts] or [0]),
        "bounds": map_bounds(df),
    }


def build_map(
    points: pd.DataFrame,
    *,
    title: str = "Frontlines",
    subtitle: str = "",
    online_tiles: bool = False,
    areas: gpd.GeoDataFrame | None = None,
    changes: gpd.GeoDataFrame | None = None,
    asset_base: str | None = DEFAULT_BASE_URL,
    cluster: bool = True,
    show_mentions: bool = True,
    show_events: bool = True,
    aggregate_above: int = AGGREGATE_ABOVE,
    max_markers: int = MAX_MARKERS,
    height: str | int = "100%",
    data: dict[str, Any] | None = None,
    basemap_url: str | None = None,
) -> folium.Map:
    """The interactive map of ``points`` (a ``Store.points`` frame): offline basemap, clustered markers
    coloured by type, rings for vague places, legend, scale, title; optional control areas and changes.

    ``asset_base``: where the browser finds Leaflet & co (``/app/static/vendor`` in the dashboard). With
    None the map references ``/app/static/vendor`` too; :func:`save_html` inlines them.
    ``data``: :func:`map_data` of the points, when the caller has it already (cached); ``points`` is then
    not looked at.
    ``basemap_url``: where the browser fetches the basemap (:func:`publish_basemap`), instead of carrying it
    in every map (about 0.6 MB): the dashboard's maps then hold only what changes with the filters.
    """
    import folium

    from frontlines.basemap import ATTRIBUTION

    base = asset_base or DEFAULT_BASE_URL
    k = _element_classes()
    if data is None:
        data = map_data(points, aggregate_above=aggregate_above, max_markers=max_markers)
    x0, y0, x1, y1 = data["bounds"]
    m = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=5, tiles=None, control_scale=True,
                   zoom_control="topright", prefer_canvas=False, height=height, minZoom=2, maxZoom=14,
                   world_copy_jump=False)
    m.default_js = local_js(base, MAP_JS)
    m.default_css = local_css(base, MAP_CSS)
    k["Helpers"]().add_to(m)

    if online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)", overlay=True, control=True,
                         show=True).add_to(m)
    fill = 0.0 if online_tiles else 1.0
    if basemap_url:
        parts = dict.fromkeys(("world", "others", "focus", "provinces", "labels"), "null")
    else:
        layers = basemap_layers()
        focus, others = _split_countries(layers["countries"])
        parts = {"world": layers["world"], "others": others, "focus": focus, "provinces": layers["provinces"],
                 "labels": layers["labels"]}
    src = basemap_url or ""
    m.add_child(k["GeoJsonLayer"](parts["world"], "World", {"color": "#b9b4a8", "weight": 0.6, "fillColor": LAND,
                                                            "fillOpacity": fill}, control=False, src=src, key="world", pane="flBase"))
    m.add_child(k["GeoJsonLayer"](parts["others"], "Countries",
                                  {"color": BORDER, "weight": 1.0, "fillColor": LAND, "fillOpacity": fill},
                                  control=False, src=src, key="others", pane="flBase"))
    m.add_child(k["GeoJsonLayer"](parts["focus"], "Focus countries",
                                  {"color": "#5f5b53", "weight": 1.6, "fillColor": LAND_FOCUS, "fillOpacity": fill},
                                  control=False, src=src, key="focus", pane="flBase"))
    m.add_child(k["GeoJsonLayer"](parts["provinces"], "Provinces", {"color": PROVINCE_BORDER, "weight": 0.7,
                                                                    "opacity": 0.9, "fill": False}, src=src, key="provinces", pane="flBase"))
    m.add_child(k["Labels"](parts["labels"], src=src))

    sides: dict[str, str] = {}
    areas, changes = as_geodataframe(areas), as_geodataframe(changes)
    if areas is not None and len(areas):
        geojson, sides = _areas_geojson(areas)
        m.add_child(k["GeoJsonLayer"](geojson, "Areas of control", {}, interactive=True))
    has_changes = changes is not None and len(changes) > 0
    if has_changes:
        geojson, ch_sides = _areas_geojson(changes, for_changes=True)
        for side, color in ch_sides.items():
            sides.setdefault(side, color)
        m.add_child(k["GeoJsonLayer"](geojson, "Changes of control", {}, interactive=True))

    if data["mentions"] is not None:
        m.add_child(k["PointsLayer"](data["mentions"], f"Plain mentions ({data['n_mentions']:,})", cluster=cluster,
                                     show=show_mentions, asset_base=base))
    if data["events"] is not None:
        m.add_child(k["PointsLayer"](data["events"], f"Events ({data['n_events']:,})", cluster=cluster,
                                     show=show_events, asset_base=base))

    title_html = f"<h3>{esc(title)}</h3>" + (f"<div>{esc(subtitle)}</div>" if subtitle else "")
    legend = _legend_html(data["counts"], data["aggregated"], sides, has_changes, cell_km=data["cell"] * 111.0)
    m.add_child(k["MapSetup"](title_html, legend, esc(ATTRIBUTION)))
    x0, y0, x1, y1 = data["bounds"]
    m.fit_bounds([[y0, x0], [y1, x1]])
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The full HTML document of a map (still referencing its asset URLs)."""
    return m.get_root().render()


def save_html(
    points: pd.DataFrame,
    path: str | Path,
    *,
    title: str = "Frontlines",
    subtitle: str = "",
    online_tiles: bool = False,
    **kwargs: Any,
) -> Path:
    """A self-contained HTML map: every script and stylesheet inlined, nothing loaded from the network
    (unless ``online_tiles``, which adds OpenStreetMap tiles as an option)."""
    from frontlines.assets import inline_assets_html

    path = Path(path)
    m = build_map(points, title=title, subtitle=subtitle, online_tiles=online_tiles, asset_base=DEFAULT_BASE_URL,
                  **kwargs)
    doc = inline_assets_html(map_html(m), DEFAULT_BASE_URL)
    doc = doc.replace("<head>", '<head>\n<meta charset="utf-8">\n<title>' + esc(title) + "</title>", 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc, encoding="utf-8")
    log.info("wrote %s (%d bytes)", path, path.stat().st_size)
    return path


def html_bytes(points: pd.DataFrame, *, title: str = "Frontlines", subtitle: str = "", **kwargs: Any) -> bytes:
    """:func:`save_html` into memory (the dashboard's download button)."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = save_html(points, Path(d) / "map.html", title=title, subtitle=subtitle, **kwargs)
        return p.read_bytes()


# --- static images --------------------------------------------------------------------------------------------

def _fit_aspect(bounds: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """Grow the bounds so that (width in km) / (height in km) matches the figure's aspect."""
    x0, y0, x1, y1 = bounds
    k = math.cos(math.radians((y0 + y1) / 2))
    w, h = (x1 - x0) * k, (y1 - y0)
    if w / h < aspect:
        grow = (h * aspect / k - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) * k / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, y0, x1, y1


def _nice_km(km: float) -> float:
    """The largest round distance not above ``km``."""
    best = 1.0
    for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if v <= km:
            best = float(v)
    return best


class _Canvas:
    """A matplotlib figure with the offline basemap drawn once; points are drawn on top per frame."""

    def __init__(self, bounds: tuple[float, float, float, float], *, width: int = 1600, height: int = 1000,
                 dpi: int = 100, areas: gpd.GeoDataFrame | None = None) -> None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from frontlines.basemap import region_countries, region_provinces, world_countries

        self.plt = plt
        self.fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
        top = 0.905
        self.ax = self.fig.add_axes((0.01, 0.045, 0.98, top - 0.05))
        ax = self.ax
        box = ax.get_position()
        aspect = (box.width * width) / (box.height * height)
        x0, y0, x1, y1 = _fit_aspect(bounds, aspect)
        self.bounds = (x0, y0, x1, y1)
        ax.set_facecolor(SEA)
        countries = region_countries()
        # countries beyond the shipped region (when the frame reaches that far)
        cb = countries.total_bounds
        if x0 < cb[0] or y0 < cb[1] or x1 > cb[2] or y1 > cb[3]:
            try:
                world = world_countries().cx[x0 - 5:x1 + 5, y0 - 5:y1 + 5]
                world = world[~world["iso_a2"].isin(countries["iso_a2"].dropna())]
                world.plot(ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.5, zorder=1)
            except Exception:  # noqa: BLE001 - context only
                log.debug("world countries unavailable", exc_info=True)
        focus = countries["iso_a2"].isin(FOCUS_COUNTRIES)
        countries[~focus].plot(ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.6, zorder=2)
        countries[focus].plot(ax=ax, color=LAND_FOCUS, edgecolor="#55514a", linewidth=1.0, zorder=2)
        prov = region_provinces()
        if prov is not None:
            prov.boundary.plot(ax=ax, color=PROVINCE_BORDER, linewidth=0.35, zorder=3)
        if areas is not None and len(areas):
            self.draw_areas(areas)
        span = x1 - x0
        for r in countries.itertuples():
            if not isinstance(r.iso_a2, str) or pd.isna(r.label_lat):
                continue
            if not (x0 < r.label_lon < x1 and y0 < r.label_lat < y1):
                continue
            is_focus = r.iso_a2 in FOCUS_COUNTRIES
            ax.text(r.label_lon, r.label_lat, str(r.name).upper() if is_focus else str(r.name), ha="center",
                    va="center", fontsize=11 if is_focus else 8.5, color="#3d3a33" if is_focus else "#7a7467",
                    fontweight="bold" if is_focus else "normal", zorder=4, alpha=0.85,
                    path_effects=_halo())
        if span < 12 and prov is not None:
            for r in prov.itertuples():
                if pd.notna(r.label_lat) and x0 < r.label_lon < x1 and y0 < r.label_lat < y1:
                    ax.text(r.label_lon, r.label_lat, str(r.name), ha="center", va="center", fontsize=7,
                            color="#8d8676", style="italic", zorder=4, path_effects=_halo())
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for s in ax.spines.values():
            s.set_edgecolor("#999999")
        self._scale_bar()
        self.dynamic: list[Any] = []

    def draw_areas(self, areas: gpd.GeoDataFrame, *, dynamic: bool = False) -> dict[str, str]:
        sides: dict[str, str] = {}
        gdf = areas.to_crs("EPSG:4326") if areas.crs is not None and str(areas.crs) != "EPSG:4326" else areas
        col = "side" if "side" in gdf.columns else None
        if col is None or gdf.empty:
            return sides
        for side, part in gdf.groupby(col):
            color = side_color(str(side))
            sides[str(side)] = color
            before = len(self.ax.collections)
            part.plot(ax=self.ax, color=color, alpha=0.3, edgecolor=color, linewidth=0.8, zorder=3.5)
            if dynamic:
                self.dynamic.extend(self.ax.collections[before:])
        self.ax.set_xlabel("")
        self.ax.set_ylabel("")
        return sides

    def _scale_bar(self) -> None:
        x0, y0, x1, y1 = self.bounds
        k = math.cos(math.radians((y0 + y1) / 2))
        km = _nice_km((x1 - x0) * 111.32 * k / 6)
        deg = km / (111.32 * k)
        bx, by = x0 + (x1 - x0) * 0.025, y0 + (y1 - y0) * 0.04
        self.ax.plot([bx, bx + deg], [by, by], color="#222222", linewidth=3, zorder=9, solid_capstyle="butt")
        self.ax.text(bx + deg / 2, by + (y1 - y0) * 0.02, f"{km:g} km", ha="center", va="bottom", fontsize=9,
                     color="#222222", zorder=9, path_effects=_halo())

    def clear(self) -> None:
        """Remove what the previous frame drew (points, per-frame areas)."""
        for artist in self.dynamic:
            artist.remove()
        self.dynamic = []

    def draw_points(self, points: pd.DataFrame, *, faded: pd.DataFrame | None = None) -> dict[str, int]:
        """Scatter the points (merged per place and type); returns counts per type for the legend."""
        ax = self.ax
        if faded is not None and not faded.empty:
            g = _merge_for_png(faded)
            self.dynamic.append(ax.scatter(g["lon"], g["lat"], s=g["size"], c="#9a948a", alpha=0.35, linewidths=0,
                                           zorder=5))
        counts: dict[str, int] = {}
        if points is None or points.empty:
            return counts
        g = _merge_for_png(points)
        order = {t: i for i, t in enumerate(EVENT_TYPE_ORDER)}
        g["_o"] = g["event_type"].map(order).fillna(len(order))
        g = g.sort_values(["_o"], ascending=False)  # mentions underneath
        for ring in (True, False):
            part = g[g["ring"] == ring]
            if part.empty:
                continue
            colors = [type_color(t) for t in part["event_type"]]
            if ring:
                self.dynamic.append(ax.scatter(part["lon"], part["lat"], s=part["size"] * 3.2, facecolors="none",
                                               edgecolors=colors, linewidths=1.4, linestyle="--", alpha=0.85,
                                               zorder=6))
            else:
                self.dynamic.append(ax.scatter(part["lon"], part["lat"], s=part["size"], c=colors, edgecolors="white",
                                               linewidths=0.6, alpha=0.92, zorder=7))
        self._label_places(points)
        for t, n in points["event_type"].value_counts().items():
            counts[str(t)] = int(n)
        return counts

    def _label_places(self, points: pd.DataFrame, top: int = 12) -> None:
        """Name the places with the most events (city-level or finer) inside the frame."""
        df = prepare_points(points)
        x0, y0, x1, y1 = self.bounds
        df = df[(df["event_type"] != "mention") & ~df["geo_precision"].isin(COARSE)
                & df["lat"].between(y0, y1) & df["lon"].between(x0, x1)]
        if df.empty:
            return
        best = (df.groupby(["name", df["lat"].round(2), df["lon"].round(2)]).size().rename("n").reset_index()
                .sort_values("n", ascending=False).head(top))
        dy = (y1 - y0) * 0.012
        for r in best.itertuples():
            self.dynamic.append(self.ax.text(r.lon, r.lat + dy, str(r.name), ha="center", va="bottom", fontsize=8.5,
                                             color="#222222", zorder=8, path_effects=_halo()))

    def decorate(self, title: str, subtitle: str, counts: dict[str, int], *, sides: dict[str, str] | None = None,
                 note: str = "") -> None:
        """Title, subtitle, legend and attribution (replacing any from a previous frame)."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        from frontlines.basemap import ATTRIBUTION

        for t in getattr(self, "_texts", []):
            t.remove()
        fig = self.fig
        self._texts = [
            fig.text(0.012, 0.965, title, fontsize=20, fontweight="bold", color="#222222", va="center"),
            fig.text(0.012, 0.925, subtitle, fontsize=11.5, color="#555555", va="center"),
            fig.text(0.99, 0.018, ATTRIBUTION + (f"   ·   {note}" if note else ""), fontsize=8.5, color="#666666",
                     ha="right", va="center"),
        ]
        handles = []
        for t in EVENT_TYPE_ORDER:
            if t in counts:
                handles.append(Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=type_color(t),
                                      markeredgecolor="white", label=f"{type_label(t)} ({counts[t]:,})"))
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor="none",
                              markeredgecolor="#555555", markeredgewidth=1.3, label="province / country-level place"))
        for side, color in (sides or {}).items():
            handles.append(Patch(facecolor=color, alpha=0.35, edgecolor=color, label=f"held by {side_label(side)}"))
        if not counts:
            handles.insert(0, Line2D([], [], linestyle="", label="no points in this view"))
        scale = min(1.0, max(0.75, self.fig.get_figwidth() * self.fig.dpi / 1600))
        leg = self.ax.legend(handles=handles, loc="lower right", fontsize=9.5 * scale, framealpha=0.92, title="Legend",
                             title_fontsize=10 * scale, borderpad=0.8 * scale, labelspacing=0.4)
        leg.set_zorder(10)

    def to_png_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=self.fig.dpi)
        return buf.getvalue()

    def close(self) -> None:
        self.plt.close(self.fig)


def _halo() -> list[Any]:
    import matplotlib.patheffects as pe

    return [pe.withStroke(linewidth=2.5, foreground="white", alpha=0.8)]


def _merge_for_png(points: pd.DataFrame) -> pd.DataFrame:
    df = prepare_points(points)
    if df.empty:
        return pd.DataFrame(columns=["lat", "lon", "event_type", "n", "ring", "size"])
    df["_ring"] = df["geo_precision"].isin(COARSE)
    g = (df.groupby([df["lat"].round(3), df["lon"].round(3), "event_type", "_ring"]).size().rename("n").reset_index())
    g = g.rename(columns={"_ring": "ring"})
    g["size"] = 34 + 18 * g["n"].clip(lower=1).map(math.log2)
    return g


def _outside_note(points: pd.DataFrame, bounds: tuple[float, float, float, float]) -> str:
    df = prepare_points(points)
    if df.empty:
        return ""
    x0, y0, x1, y1 = bounds
    out = ~(df["lat"].between(y0, y1) & df["lon"].between(x0, x1))
    n = int(out.sum())
    return f"{n:,} point{'s' if n != 1 else ''} outside this frame" if n else ""


def render_png(
    points: pd.DataFrame,
    path: str | Path,
    *,
    title: str = "Frontlines",
    subtitle: str = "",
    areas: gpd.GeoDataFrame | None = None,
    width: int = 1600,
    height: int = 1000,
) -> Path:
    """An offline PNG of the view: basemap polygons, points by type, legend, title, attribution."""
    path = Path(path)
    data = png_bytes(points, title=title, subtitle=subtitle, areas=areas, width=width, height=height)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    log.info("wrote %s (%d bytes)", path, len(data))
    return path


def png_bytes(points: pd.DataFrame, *, title: str = "Frontlines", subtitle: str = "",
              areas: gpd.GeoDataFrame | None = None, width: int = 1600, height: int = 1000) -> bytes:
    """:func:`render_png` into memory."""
    df = prepare_points(points)
    canvas = _Canvas(map_bounds(df), width=width, height=height, areas=None)
    try:
        sides = canvas.draw_areas(areas) if areas is not None and len(areas) else {}
        counts = canvas.draw_points(df)
        sub = subtitle or _span_text(df)
        if subtitle and not re.search(r"\d{4}-\d{2}", subtitle):
            span = _span_text(df)
            sub = f"{subtitle} · {span}" if span else subtitle
        n_ev = int((df["event_type"] != "mention").sum())
        sub += f" · {n_ev:,} events, {len(df) - n_ev:,} mentions"
        canvas.decorate(title, sub, counts, sides=sides, note=_outside_note(df, canvas.bounds))
        return canvas.to_png_bytes()
    finally:
        canvas.close()


def _span_text(df: pd.DataFrame) -> str:
    d = df["date"].dropna().astype(str) if "date" in df else pd.Series(dtype=str)
    if d.empty:
        return ""
    return f"{d.min()} to {d.max()}"


def _load_points(store_or_points: Store | pd.DataFrame, filters: Any = None) -> tuple[pd.DataFrame, Store | None]:
    if isinstance(store_or_points, pd.DataFrame):
        return store_or_points, None
    from frontlines.store.base import Filters

    store = store_or_points
    return store.points(filters or Filters()), store


def control_module() -> Any | None:
    """``frontlines.control`` if this installation has it (areas of control and changes), else None."""
    try:
        from frontlines import control  # type: ignore[attr-defined]
    except ImportError:
        return None
    return control if hasattr(control, "areas") else None


def animated_gif(
    store_or_points: Store | pd.DataFrame,
    path: str | Path,
    *,
    freq: str = "MS",
    filters: Any = None,
    cumulative: bool = True,
    title: str = "Frontlines",
    width: int = 1000,
    height: int = 640,
    frame_ms: int = 700,
    max_frames: int = 120,
    with_areas: bool = True,
) -> Path:
    """Playback as an animated GIF: one frame per period (``"MS"`` months, ``"W"`` weeks).

    Each frame shows the period's points in colour; with ``cumulative`` the earlier ones stay as grey
    dots. With a store and ``frontlines.control`` available, each frame also shades areas of control on
    the period's last day.
    """
    from PIL import Image

    points, store = _load_points(store_or_points, filters)
    df = prepare_points(points)
    df["_d"] = pd.to_datetime(df["date"], errors="coerce")
    dated = df[df["_d"].notna()]
    path = Path(path)
    periods = _periods(dated["_d"], freq)
    if len(periods) > max_frames:
        step = math.ceil(len(periods) / max_frames)
        periods = periods[::step]
    control = control_module() if (store is not None and with_areas) else None
    canvas = _Canvas(map_bounds(dated if not dated.empty else df), width=width, height=height)
    frames: list[Image.Image] = []
    try:
        if not periods:
            counts = canvas.draw_points(df.iloc[0:0])
            canvas.decorate(title, "no dated points in this view", counts)
            frames.append(Image.open(io.BytesIO(canvas.to_png_bytes())).convert("RGB"))
        for start, end in periods:
            canvas.clear()
            current = dated[(dated["_d"] >= start) & (dated["_d"] <= end)]
            earlier = dated[dated["_d"] < start] if cumulative else None
            sides: dict[str, str] = {}
            if control is not None:
                try:
                    areas = control.areas(store, end.date().isoformat(), tuple(getattr(filters, "countries", ()) or ()))
                    if areas is not None and len(areas):
                        sides = canvas.draw_areas(areas, dynamic=True)
                except Exception:  # noqa: BLE001 - areas are optional in a GIF
                    log.warning("control areas unavailable for %s", end.date(), exc_info=True)
                    control = None
            counts = canvas.draw_points(current, faded=earlier)
            label = start.strftime("%B %Y") if freq.upper().startswith("M") else f"week of {start.date().isoformat()}"
            canvas.decorate(f"{title} — {label}", f"{start.date()} to {end.date()} · {len(current):,} points"
                            + (" · earlier points in grey" if cumulative else ""), counts, sides=sides)
            frames.append(Image.open(io.BytesIO(canvas.to_png_bytes())).convert("RGB"))
    finally:
        canvas.close()
    palette_frames = [f.convert("P", palette=Image.Palette.ADAPTIVE, colors=255) for f in frames]
    path.parent.mkdir(parents=True, exist_ok=True)
    palette_frames[0].save(path, save_all=True, append_images=palette_frames[1:], duration=frame_ms, loop=0,
                           optimize=False)
    log.info("wrote %s (%d frames)", path, len(frames))
    return path


def _periods(dates: pd.Series, freq: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Consecutive (start, end) periods covering the dates: months ("MS") or weeks ("W", Monday first)."""
    if dates.empty:
        return []
    lo, hi = dates.min().normalize(), dates.max().normalize()
    f = freq.upper()
    if f.startswith("W"):
        start = lo - pd.Timedelta(days=lo.weekday())
        starts = pd.date_range(start, hi, freq="7D")
        return [(s, s + pd.Timedelta(days=6)) for s in starts]
    start = lo.replace(day=1)
    starts = pd.date_range(start, hi, freq="MS")
    return [(s, (s + pd.offsets.MonthEnd(0))) for s in starts]


def periods(date_from: str, date_to: str, freq: str = "MS") -> list[tuple[str, str]]:
    """ISO (start, end) periods from ``date_from`` to ``date_to``: the dashboard's playback steps."""
    d = pd.Series(pd.to_datetime([date_from, date_to]))
    return [(a.date().isoformat(), b.date().isoformat()) for a, b in _periods(d, freq)]
