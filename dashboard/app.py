"""Frontlines dashboard: the map, the table and the evidence of a filtered view (``frontlines dashboard``).

A thin Streamlit layer over ``frontlines``: the store gives the points (``Store.points``), ``frontlines.maps``
draws them, ``frontlines.export`` exports them, ``frontlines.uploads`` ingests uploads. All filter state is in
the URL (``views.py``). Text from articles is only ever shown escaped (``maps.evidence_html``) or as plain
table cells.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

APP_DIR = Path(__file__).resolve().parent
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

import views  # noqa: E402
from views import (  # noqa: E402
    K_AREAS,
    K_ASOF,
    K_CHANGES,
    K_CONF,
    K_COUNTRY,
    K_CUMUL,
    K_DATES,
    K_EVENTS,
    K_FREQ,
    K_MENTIONS,
    K_PERIOD,
    K_PLAY,
    K_SEARCH,
    K_SIDE,
    K_SOURCE,
    K_TILES,
    K_TYPE,
)

from frontlines import export, maps  # noqa: E402
from frontlines.store import Filters, StoreError, default_db, open_store  # noqa: E402

log = logging.getLogger("frontlines.dashboard")

TABLE_ROWS = 1000  # rows sent to the table; exports carry the whole view
PLAY_SECONDS = 1.5
MAP_HEIGHT = 600

st.set_page_config(page_title="Frontlines", page_icon="🗺️", layout="wide")


# --- store access -----------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _static_files() -> str:
    """Leaflet & co and the basemap into dashboard/static/ (served at /app/static/); the basemap's URL."""
    from frontlines.assets import install_static

    install_static(APP_DIR / "static")
    return f"{maps.DEFAULT_BASE_URL.rsplit('/', 1)[0]}/{maps.publish_basemap(APP_DIR / 'static')}"


@st.cache_resource(show_spinner=False)
def _readonly_store(db: str) -> tuple[Any, threading.Lock]:
    """One read-only connection per store path, shared by sessions (queries take the lock)."""
    return open_store(db, readonly=True), threading.Lock()


def _signature(db: str) -> tuple[Any, ...]:
    """Changes whenever the store is written (file and WAL sizes and times): the cache key for queries."""
    sig: list[Any] = [db]
    for suffix in ("", "-wal"):
        try:
            s = os.stat(db + suffix)
            sig += [s.st_mtime_ns, s.st_size]
        except OSError:
            sig += [None, None]
    return tuple(sig)


@st.cache_data(show_spinner=False, max_entries=4)
def _stats(db: str, sig: tuple[Any, ...]) -> dict[str, Any]:
    store, lock = _readonly_store(db)
    with lock:
        return store.stats()


@st.cache_resource(show_spinner="Loading the store…", max_entries=2)
def _all_points(db: str, sig: tuple[Any, ...]) -> pd.DataFrame:
    """Every point of the store (corrections applied), loaded once per version of the store.

    Shared read-only by all sessions; each view is a filtered slice of it (``maps.filter_points``), so a
    filter change costs milliseconds instead of a new store query.
    """
    store, lock = _readonly_store(db)
    with lock:
        return store.points(Filters())


def _points(db: str, sig: tuple[Any, ...], flt: Filters) -> pd.DataFrame:
    return maps.filter_points(_all_points(db, sig), flt)


@st.cache_data(show_spinner=False, max_entries=4)
def _sides(db: str, sig: tuple[Any, ...]) -> list[str]:
    return maps.side_options(_all_points(db, sig))


@st.cache_data(show_spinner=False, max_entries=8)
def _control_layer(db: str, sig: tuple[Any, ...], what: str, d1: str, d2: str = "",
                   countries: tuple[str, ...] = ()) -> Any:
    control = maps.control_module()
    if control is None:
        return None
    store, lock = _readonly_store(db)
    with lock:
        if what == "areas":
            return control.areas(store, d1, countries)
        return control.changes(store, d1, d2, countries)


@st.cache_resource(show_spinner="Loading the language model…")
def _extractor() -> Any:
    from frontlines.pipeline import Extractor

    return Extractor()


@st.cache_resource(show_spinner=False)
def _gazetteer() -> Any:
    from frontlines.gazetteer import load_gazetteer

    return load_gazetteer()


def _refresh() -> None:
    """After a write: drop cached queries so the map shows the new state without a restart."""
    st.cache_data.clear()
    _all_points.clear()


# --- helpers ------------------------------------------------------------------------------------------------

def _in_period(df: pd.DataFrame, start: str, end: str, cumulative: bool) -> pd.DataFrame:
    """Rows whose date interval meets [start, end] (or anything up to ``end`` when cumulative)."""
    if df.empty:
        return df
    lo = df["date_lo"].fillna(df["date"]).astype(str) if "date_lo" in df else df["date"].astype(str)
    hi = df["date_hi"].fillna(df["date"]).astype(str) if "date_hi" in df else df["date"].astype(str)
    keep = (lo <= end) & (df["date"].notna())
    if not cumulative:
        keep &= hi >= start
    return df[keep]


def _table(df: pd.DataFrame) -> pd.DataFrame:
    """What the table shows (plain text cells: nothing here is rendered as HTML)."""
    if df.empty:
        return pd.DataFrame(columns=["Place", "Country", "Date", "Precision", "Type", "Side", "Article", "Sentence"])
    return pd.DataFrame({
        "Place": df["name"].fillna(df["surface"]),
        "Country": df["country"].map(maps.country_name),
        "Date": df["date"],
        "Precision": df["date_precision"],
        "Type": df["event_type"].map(maps.type_label),
        "Side": df["side"].fillna("").map(lambda s: maps.side_label(s) if s else ""),
        "Article": df["title"],
        "Sentence": df["sentence"].fillna("").str.replace(r"\s+", " ", regex=True).str.strip(),
    }).reset_index(drop=True)


def _narrowed(flt: Filters) -> str:
    """The filters beyond dates and countries, for the caption."""
    parts = []
    if flt.event_types:
        parts.append("types: " + ", ".join(maps.type_label(t) for t in flt.event_types))
    if flt.sides:
        parts.append("sides: " + ", ".join(maps.side_label(s) for s in flt.sides))
    if flt.sources:
        parts.append("sources: " + ", ".join(flt.sources))
    if flt.min_confidence:
        parts.append(f"confidence ≥ {flt.min_confidence:g}")
    if flt.search:
        parts.append(f'search "{flt.search}"')
    return "".join(" · " + p for p in parts)


def _gpkg_bytes(df: pd.DataFrame) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "frontlines.gpkg"
        export.write(df, p, "gpkg")
        return p.read_bytes()


def _row_label(r: pd.Series) -> str:
    sentence = " ".join(str(r.get("sentence") or "").split())
    return f"{r.get('date') or 'undated'} · {maps.type_label(str(r.get('event_type')))} · {sentence[:70]}"


# --- page -----------------------------------------------------------------------------------------------------

def main() -> None:
    db = os.environ.get("FRONTLINES_DB") or default_db()
    try:
        _static_files()
    except Exception as exc:  # noqa: BLE001 - the map would load nothing: say why
        st.error(f"Cannot install the map's scripts ({exc}). Reinstall the xstatic-* packages.")

    st.title("Frontlines")
    try:
        _readonly_store(db)
    except StoreError as exc:
        st.info(maps.md_escape(f"No store yet ({exc}).") + " Upload articles below, or run `frontlines ingest --sample`.")
        _upload_panel(db, expanded=True)
        return

    sig = _signature(db)
    stats = _stats(db, sig)
    lo, hi = views.span_dates(stats.get("date_min"), stats.get("date_max"))
    ctx = views.Context(date_min=lo, date_max=hi, countries=maps.country_options(stats.get("countries") or []),
                        sides=_sides(db, sig), sources=list(stats.get("sources") or []))
    _init_state(ctx)
    control_ok = maps.control_module() is not None
    _sidebar(ctx, control_ok)

    state = st.session_state
    flt = views.filters_from_state(state)
    pts = _points(db, sig, flt)
    if not state[K_EVENTS] and not pts.empty:
        pts = pts[pts["layer"] != "event"]
    d_from, d_to = (d.isoformat() for d in state[K_DATES])

    # playback: the view narrows to one period (or everything up to it)
    period_label = ""
    if state[K_PLAY]:
        periods = maps.periods(d_from, d_to, views.FREQS[state[K_FREQ]])
        if periods:
            start, end = next((p for p in periods if p[0] == state[K_PERIOD]), periods[0])
            pts = _in_period(pts, start, end, bool(state[K_CUMUL]))
            period_label = (f"{'up to' if state[K_CUMUL] else ''} {start} – {end}").strip()
            d_to = end

    view = pts.reset_index(drop=True)  # already in the store's order: by date, article, position
    n_events = int((view["layer"] == "event").sum()) if not view.empty else 0
    subtitle = f"{period_label or f'{d_from} to {d_to}'} · {n_events:,} events, {len(view) - n_events:,} mentions"
    if flt.countries:
        subtitle += " · " + ", ".join(maps.country_name(c) for c in flt.countries)
    st.caption(maps.md_escape(f"{stats.get('articles', 0):,} articles in the store · showing {subtitle}"
                              f"{_narrowed(flt)}"))

    areas = changes = None
    if control_ok and (state[K_AREAS] or state[K_CHANGES]):
        # during playback the areas follow the period shown; otherwise the "as of" date
        asof = d_to if period_label else state[K_ASOF].isoformat()
        try:
            with st.spinner("Working out who held what…"):
                if state[K_AREAS]:
                    areas = _control_layer(db, sig, "areas", asof, "", tuple(flt.countries))
                if state[K_CHANGES]:
                    changes = _control_layer(db, sig, "changes", d_from, d_to, tuple(flt.countries))
        except Exception as exc:  # noqa: BLE001 - the lead's module may not be finished: hide the layer
            log.warning("control layers unavailable: %s", exc)
            st.caption(maps.md_escape(f"Control layers unavailable: {exc}"))
            areas = changes = None

    if view.empty:
        st.info("No events in this range: widen the dates, clear some filters, or upload articles.")

    view_key = (sig, flt, bool(state[K_EVENTS]), period_label)
    clicked = _map(_map_data(view_key, view), subtitle, areas, changes)
    _exports(view, subtitle, areas)

    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.subheader("What is shown")
        table = _table(view.head(TABLE_ROWS))
        if len(view) > TABLE_ROWS:
            st.caption(f"First {TABLE_ROWS:,} of {len(view):,} rows by date; the exports carry them all.")
        event = st.dataframe(
            table, key="table", on_select="rerun", selection_mode="single-row", hide_index=True,
            width="stretch", height=420,
            column_config={
                "Sentence": st.column_config.TextColumn("Sentence", width="large"),
                "Article": st.column_config.TextColumn("Article", width="medium"),
            },
        )
        rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    with right:
        _evidence(db, view, rows, clicked)

    _upload_panel(db, expanded=False)
    _sync_url(ctx)
    _play_step(ctx)


def _init_state(ctx: views.Context) -> None:
    """First run of a session: widget values from the URL; later runs: keep them valid for this store."""
    state = st.session_state
    if not state.get("_url_loaded"):
        for k, v in views.state_from_params(st.query_params.to_dict() | _multi_params(), ctx).items():
            state[k] = v
        state["_url_loaded"] = True
    for k, v in views.defaults(ctx).items():
        if k not in state:
            state[k] = v
    span = (ctx.date_min, ctx.date_max)
    if state.get("_span") not in (None, span):  # the store grew (an upload): "all dates" still means all
        state[K_DATES], state[K_ASOF] = views.follow_span(state[K_DATES], state[K_ASOF], state["_span"], ctx)
    state["_span"] = span
    lo, hi = state[K_DATES]
    lo, hi = max(lo, ctx.date_min), min(hi, ctx.date_max)
    state[K_DATES] = (min(lo, hi), max(lo, hi))
    state[K_ASOF] = min(max(state[K_ASOF], ctx.date_min), ctx.date_max)
    nxt = state.pop("_next_period", None)
    if nxt:
        state[K_PERIOD] = nxt


def _multi_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in ("source",) if st.query_params.get_all(k)}


def _sync_url(ctx: views.Context) -> None:
    want = views.params_from_state(st.session_state, ctx)
    have: dict[str, Any] = {k: (st.query_params.get_all(k) if k == "source" else st.query_params.get(k))
                            for k in st.query_params}
    if have != want:
        st.query_params.from_dict(want)


def _sidebar(ctx: views.Context, control_ok: bool) -> None:
    sb = st.sidebar
    sb.header("Filters")
    sb.slider("Dates", min_value=ctx.date_min, max_value=ctx.date_max, key=K_DATES, format="YYYY-MM-DD")
    sb.multiselect("Countries", ctx.countries, key=K_COUNTRY, placeholder="All countries",
                   format_func=lambda c: f"{maps.country_name(c)} ({c})")
    sb.multiselect("Event types", ctx.types, key=K_TYPE, placeholder="All types", format_func=maps.type_label)
    sb.multiselect("Sides", ctx.sides, key=K_SIDE, placeholder="All sides", format_func=maps.side_label)
    sb.multiselect("Sources", ctx.sources, key=K_SOURCE, placeholder="All sources")
    sb.slider("Minimum confidence", 0.0, 1.0, step=0.05, key=K_CONF)
    sb.text_input("Search places and sentences", key=K_SEARCH, placeholder="e.g. Mosul, airstrike")

    sb.header("Layers")
    sb.checkbox("Events", key=K_EVENTS)
    sb.checkbox("Plain mentions", key=K_MENTIONS, help="Places named without an event, dated by their article.")
    if control_ok:
        sb.checkbox("Areas of control", key=K_AREAS)
        sb.slider("Control as of", min_value=ctx.date_min, max_value=ctx.date_max, key=K_ASOF, format="YYYY-MM-DD")
        sb.checkbox("Changes between the first and last date", key=K_CHANGES)
    sb.checkbox("Online map tiles (OpenStreetMap)", key=K_TILES,
                help="Off by default: the basemap is drawn offline. On, your browser fetches tiles from the internet.")

    sb.header("Playback")
    sb.toggle("Step through time", key=K_PLAY)
    if st.session_state[K_PLAY]:
        sb.radio("Step", list(views.FREQS), key=K_FREQ, horizontal=True, format_func=str.capitalize)
        lo, hi = (d.isoformat() for d in st.session_state[K_DATES])
        starts = [p[0] for p in maps.periods(lo, hi, views.FREQS[st.session_state[K_FREQ]])]
        if starts:
            if st.session_state.get(K_PERIOD) not in starts:
                st.session_state[K_PERIOD] = starts[0]
            sb.select_slider("Period", starts, key=K_PERIOD)
            if st.session_state.get("_playing") and st.session_state[K_PERIOD] == starts[-1]:
                st.session_state["_playing"] = False  # played to the end
            playing = st.session_state.get("_playing", False)
            c1, c2 = sb.columns(2)
            if c1.button("⏸ Pause" if playing else "▶ Play", key="play_button", width="stretch"):
                st.session_state["_playing"] = not playing
                st.rerun()
            if c2.button("⏮ Start", key="play_start", width="stretch"):
                st.session_state["_next_period"] = starts[0]
                st.session_state["_playing"] = False
                st.rerun()
            sb.checkbox("Keep earlier periods", key=K_CUMUL)


def _play_step(ctx: views.Context) -> None:
    """While playing: wait, move to the next period, rerun (stops at the last one)."""
    state = st.session_state
    if not (state.get(K_PLAY) and state.get("_playing")):
        return
    lo, hi = (d.isoformat() for d in state[K_DATES])
    starts = [p[0] for p in maps.periods(lo, hi, views.FREQS[state[K_FREQ]])]
    if state.get(K_PERIOD) not in starts or state[K_PERIOD] == starts[-1]:
        state["_playing"] = False
        return
    time.sleep(PLAY_SECONDS)
    state["_next_period"] = starts[starts.index(state[K_PERIOD]) + 1]
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=16)
def _map_data(key: tuple[Any, ...], _view: pd.DataFrame) -> dict[str, Any]:
    """The markers of a view (the costly part of the map), cached by what defines the view (``key``)."""
    return maps.map_data(_view)


def _map(data: dict[str, Any], subtitle: str, areas: Any, changes: Any) -> tuple[float, float] | None:
    """Draw the map; returns the position of a marker clicked since the last run, if any."""
    from streamlit_folium import st_folium

    state = st.session_state
    try:
        basemap_url: str | None = _static_files()
    except Exception:  # noqa: BLE001 - no static folder to write to: the map carries its basemap itself
        basemap_url = None
    m = maps.build_map(None, title="Frontlines", subtitle=subtitle, online_tiles=bool(state[K_TILES]),
                       areas=areas, changes=changes, show_mentions=bool(state[K_MENTIONS]), data=data,
                       basemap_url=basemap_url)
    out = st_folium(m, height=MAP_HEIGHT, use_container_width=True, key="map",
                    returned_objects=["last_object_clicked", "last_object_clicked_tooltip"])
    click = (out or {}).get("last_object_clicked")
    if click and click != state.get("_last_click"):
        state["_last_click"] = click
        try:
            return float(click["lat"]), float(click["lng"])
        except (KeyError, TypeError, ValueError):
            return None
    return None


def _exports(view: pd.DataFrame, subtitle: str, areas: Any) -> None:
    st.caption("Export exactly this view:")
    cols = st.columns(5)
    title = "Frontlines"
    cols[0].download_button("PNG map", lambda: maps.png_bytes(view, title=title, subtitle=subtitle, areas=areas),
                            file_name="frontlines.png", mime="image/png", key="dl_png", on_click="ignore")
    cols[1].download_button("HTML map", lambda: maps.html_bytes(view, title=title, subtitle=subtitle, areas=areas),
                            file_name="frontlines.html", mime="text/html", key="dl_html", on_click="ignore")
    cols[2].download_button("GeoJSON", lambda: export.to_geojson_bytes(view), file_name="frontlines.geojson",
                            mime="application/geo+json", key="dl_geojson", on_click="ignore")
    cols[3].download_button("CSV", lambda: export.to_csv_bytes(view), file_name="frontlines.csv", mime="text/csv",
                            key="dl_csv", on_click="ignore")
    cols[4].download_button("GeoPackage", lambda: _gpkg_bytes(view), file_name="frontlines.gpkg",
                            mime="application/geopackage+sqlite3", key="dl_gpkg", on_click="ignore")


def _evidence(db: str, view: pd.DataFrame, rows: list[int], clicked: tuple[float, float] | None) -> None:
    """Every sentence behind the selected place (table row or map click), and corrections of one of them."""
    state = st.session_state
    st.subheader("Evidence")
    if rows and rows != state.get("_last_rows"):
        state["_sel"] = ("row", rows[0])
    state["_last_rows"] = rows
    if clicked is not None:
        state["_sel"] = ("click", clicked)
    sel = state.get("_sel")
    target: pd.Series | None = None
    here = view.iloc[0:0]
    if sel and not view.empty:
        if sel[0] == "row" and sel[1] < min(len(view), TABLE_ROWS):
            target = view.iloc[sel[1]]
            here = maps.places_near(view, float(target["lat"]), float(target["lon"]), max_km=1)
        elif sel[0] == "click":
            here = maps.places_near(view, *sel[1])
    if here.empty:
        st.caption("Select a row in the table or click a point on the map to see every sentence behind it.")
        return
    first = here.iloc[0]
    head = (f'<div class="fl-ev-head"><b>{maps.esc(first["name"])}</b> · {maps.esc(maps.country_name(first["country"]))}'
            f" · {maps.esc(first['geo_precision'])} · {len(here)} sentence{'s' if len(here) != 1 else ''}</div>")
    # st.html: no markdown pass over article text; every piece escaped in frontlines.maps
    st.html(maps.EVIDENCE_CSS + head + maps.evidence_html(here))
    _corrections(db, here, target)


def _corrections(db: str, here: pd.DataFrame, target: pd.Series | None) -> None:
    with st.expander("Correct a point", expanded=target is not None):
        options = list(range(len(here)))
        default = 0
        if target is not None:
            same = [i for i, (_, r) in enumerate(here.iterrows())
                    if r.get("event_id") == target.get("event_id") and r.get("mention_id") == target.get("mention_id")]
            default = same[0] if same else 0
        i = st.selectbox("Point", options, index=default, key="corr_point",
                         format_func=lambda j: _row_label(here.iloc[j]))
        row = here.iloc[i]
        is_event = row["layer"] == "event" and pd.notna(row.get("event_id"))
        target_kind, target_id = ("event", int(row["event_id"])) if is_event else ("mention", int(row["mention_id"]))
        actions = ["Reject", "Move to another place"] + (["Change type", "Change side", "Change date"] if is_event else [])
        action = st.radio("Correction", actions, key="corr_action", horizontal=True)
        field, value = "rejected", "1"
        if action == "Move to another place":
            q = st.text_input("Search the gazetteer", value=str(row.get("name") or ""), key="corr_place_q")
            cands = _gazetteer().lookup(q, limit=10) if q.strip() else []
            if not cands:
                st.caption("No gazetteer entry by that name.")
                return
            j = st.selectbox("New place", list(range(len(cands))), key="corr_place",
                             format_func=lambda k: f"{cands[k].entry.name} ({cands[k].entry.kind}, "
                                                   f"{maps.country_name(cands[k].entry.country)}) "
                                                   f"{cands[k].entry.lat:.3f}, {cands[k].entry.lon:.3f}")
            e = cands[j].entry
            field, value = "place", json.dumps({"gazetteer_id": e.id, "name": e.name, "lat": e.lat, "lon": e.lon,
                                                "country": e.country, "kind": e.kind, "admin1": e.admin1})
        elif action == "Change type":
            from frontlines.records import EVENT_TYPES

            field = "type"
            value = st.selectbox("New type", list(EVENT_TYPES), key="corr_type", format_func=maps.type_label)
        elif action == "Change side":
            from frontlines.actors import SIDES

            field = "side"
            value = st.selectbox("New side", list(SIDES), key="corr_side", format_func=maps.side_label)
        elif action == "Change date":
            from frontlines.records import DATE_PRECISIONS

            d = views.parse_date(str(row.get("date") or "")) or date.today()
            new = st.date_input("New date", value=d, key="corr_date")
            prec = st.selectbox("Precision", list(DATE_PRECISIONS), key="corr_prec")
            field, value = "date", json.dumps({"date": new.isoformat(), "date_precision": prec})
        author = st.text_input("Your name (recorded with the correction)", key="corr_author")
        note = st.text_input("Note (optional)", key="corr_note")
        if st.button("Apply correction", key="corr_apply", type="primary"):
            try:
                with open_store(db) as w:
                    w.add_correction(target_kind, target_id, field, value, author=author.strip(), note=note.strip())
            except StoreError as exc:
                st.error(maps.md_escape(f"Not saved: {exc}"))
                return
            _refresh()
            st.session_state.pop("_sel", None)
            st.toast("Correction saved")
            st.rerun()


def _upload_panel(db: str, *, expanded: bool) -> None:
    from frontlines.uploads import UPLOAD_TYPES, ingest_uploads

    with st.expander("Add articles (txt, html, json, jsonl, csv, zip)", expanded=expanded):
        files = st.file_uploader("Articles", type=list(UPLOAD_TYPES), accept_multiple_files=True, key="uploads")
        if files and st.button("Ingest the uploaded files", key="ingest", type="primary"):
            bar = st.progress(0.0, text="Starting…")
            try:
                with open_store(db) as w:
                    report = ingest_uploads([(f.name, f.getvalue()) for f in files], w, _extractor(),
                                            progress=lambda frac, msg: bar.progress(frac, text=msg))
            except StoreError as exc:
                st.error(maps.md_escape(f"Cannot write to the store: {exc}"))
                return
            bar.progress(1.0, text=report.summary())
            st.session_state["_upload_report"] = report.rows()
            st.session_state["_upload_summary"] = report.summary()
            _refresh()
            st.rerun()
        if st.session_state.get("_upload_report"):
            st.success(maps.md_escape(st.session_state["_upload_summary"]))
            st.dataframe(pd.DataFrame(st.session_state["_upload_report"]), hide_index=True, width="stretch")


main()
