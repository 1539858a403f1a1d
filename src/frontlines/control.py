"""Who held what, when: control history from capture/control events, and areas of control.

* ``history(store)``: for every place, the dated sequence of (controller, evidence event).
* ``control_on(store, day)``: who held each place on ``day`` — the latest evidence on or before it —
  with the event that says so and its age in days. Evidence from different sources that disagrees
  about the same place within the same week is kept whole and flagged ``contradiction``.
* ``changes(store, d1, d2)``: places whose holder differs between the two days, from whom to whom.
* ``areas(store, day)``: polygons per side: Voronoi cells around the held places, clipped to each
  place's country and to a distance cap, dissolved by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from frontlines.store.base import Filters

if TYPE_CHECKING:  # pragma: no cover
    from frontlines.store.base import Store

CONTROL_TYPES = ("capture", "control")
CONTRADICTION_DAYS = 7
#: a place's area reaches at most this far (km) from it
AREA_CAP_KM = 50.0
#: metric CRS for the region (Lambert azimuthal equal-area centred on the Middle East)
REGION_CRS = "+proj=laea +lat_0=30 +lon_0=38 +datum=WGS84 +units=m +no_defs"

_COLS = ["gazetteer_id", "name", "country", "kind", "lat", "lon", "date", "date_precision", "controller",
         "event_type", "event_id", "article_id", "title", "source", "url", "sentence", "published"]


def history(store: Store, countries: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every capture/control event with a known controller, oldest first (corrections applied)."""
    ev = store.events(Filters(countries=countries, event_types=CONTROL_TYPES, include_mentions=False))
    if ev.empty:
        return pd.DataFrame(columns=_COLS)
    ev = ev[ev["controller_after"].notna() & (ev["controller_after"] != "unknown") & ev["date"].notna()].copy()
    ev = ev[ev["kind"] != "country"]
    ev["controller"] = ev["controller_after"]
    return ev[_COLS].sort_values(["gazetteer_id", "date", "event_id"]).reset_index(drop=True)


def control_on(store: Store, day: str, countries: tuple[str, ...] = (), hist: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who held each place on ``day``: one row per place (two or more if sources contradict)."""
    h = history(store, countries) if hist is None else hist
    h = h[h["date"] <= day]
    if h.empty:
        return pd.DataFrame(columns=[*_COLS, "age_days", "contradiction", "contradicting"])
    # vectorised per place: the latest evidence, and whether other sources disagree within a week of it
    h = h.copy()
    h["_d"] = pd.to_datetime(h["date"])
    h["_seq"] = range(len(h))
    last_d = h.groupby("gazetteer_id")["_d"].transform("max")
    recent = h[h["_d"] >= last_d - pd.Timedelta(days=CONTRADICTION_DAYS)]
    n_sides = recent.groupby("gazetteer_id")["controller"].nunique()
    n_sources = recent.groupby("gazetteer_id")["article_id"].nunique()
    contra_ids = set(n_sides[(n_sides > 1) & (n_sources.reindex(n_sides.index) > 1)].index)
    plain = h[~h["gazetteer_id"].isin(contra_ids)].groupby("gazetteer_id", sort=False).tail(1)
    disputed = recent[recent["gazetteer_id"].isin(contra_ids)].groupby(["gazetteer_id", "controller"], sort=False).tail(1)
    sides_of = recent[recent["gazetteer_id"].isin(contra_ids)].groupby("gazetteer_id")["controller"].agg(lambda x: set(x))
    out = pd.concat([plain, disputed]).sort_values("_seq")
    day_d = pd.Timestamp(day)
    out["age_days"] = (day_d - out["_d"]).dt.days
    out["contradiction"] = out["gazetteer_id"].isin(contra_ids)
    out["contradicting"] = [
        ", ".join(sorted(sides_of[g] - {c})) if g in contra_ids else "" for g, c in zip(out["gazetteer_id"], out["controller"], strict=True)
    ]
    out = out.drop(columns=["_d", "_seq"])
    return out.sort_values(["country", "name"]).reset_index(drop=True)


def changes(store: Store, d1: str, d2: str, countries: tuple[str, ...] = ()) -> pd.DataFrame:
    """Places whose holder on ``d2`` differs from the holder on ``d1`` (``from`` is empty if unknown then)."""
    h = history(store, countries)
    a = control_on(store, d1, countries, h)
    b = control_on(store, d2, countries, h)
    if b.empty:
        return pd.DataFrame(columns=["gazetteer_id", "name", "country", "lat", "lon", "from_side", "to_side", "date",
                                     "event_type", "sentence", "title", "source", "url", "evidence_before"])
    before = {r.gazetteer_id: r for r in a.itertuples()}
    rows = []
    for r in b.itertuples():
        prev = before.get(r.gazetteer_id)
        prev_side = prev.controller if prev is not None else ""
        if prev_side == r.controller or r.date <= d1:
            continue
        if prev is None and r.event_type != "capture":
            continue  # first seen held, not taken: no evidence of a change
        rows.append({
            "gazetteer_id": r.gazetteer_id, "name": r.name, "country": r.country, "lat": r.lat, "lon": r.lon,
            "from_side": prev_side, "to_side": r.controller, "date": r.date, "event_type": r.event_type,
            "sentence": r.sentence, "title": r.title, "source": r.source, "url": r.url,
            "evidence_before": prev.sentence if prev is not None else "",
        })
    return pd.DataFrame(rows)


def areas(store: Store, day: str, countries: tuple[str, ...] = (), cap_km: float = AREA_CAP_KM,
          held: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Polygons per side on ``day`` (columns: side, places, geometry in EPSG:4326)."""
    import shapely
    from shapely.geometry import MultiPoint

    from frontlines.basemap import world_countries

    held = control_on(store, day, countries) if held is None else held
    empty = gpd.GeoDataFrame({"side": [], "places": []}, geometry=[], crs="EPSG:4326")
    if held.empty:
        return empty
    held = held[~held["contradiction"]] if "contradiction" in held else held
    held = held.drop_duplicates("gazetteer_id")
    pts = gpd.GeoDataFrame(held, geometry=gpd.points_from_xy(held["lon"], held["lat"]), crs="EPSG:4326").to_crs(REGION_CRS)
    borders = world_countries()
    borders = borders[borders["iso_a2"].isin(set(pts["country"]))].to_crs(REGION_CRS)
    cap = cap_km * 1000.0
    pts = pts[~pts.geometry.duplicated()]  # two names for one point: one cell
    geoms = pts.geometry.values
    if len(pts) == 1:
        cells = shapely.buffer(geoms, cap)
    else:
        envelope = MultiPoint(list(geoms)).envelope.buffer(cap * 3)
        # ordered=True: the i-th cell belongs to the i-th point (no search for the cell that contains it)
        cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(list(geoms)), extend_to=envelope, ordered=True))
    cells = shapely.intersection(cells, shapely.buffer(geoms, cap))
    border_of = dict(zip(borders["iso_a2"], borders.geometry, strict=True))
    clip = [border_of.get(cc) for cc in pts["country"]]
    has = [g is not None for g in clip]
    cells = [shapely.intersection(c, b) if ok else c for c, b, ok in zip(cells, clip, has, strict=True)]
    out_rows = [
        {"side": side, "places": name, "geometry": geom}
        for side, name, geom in zip(pts["controller"], pts["name"], cells, strict=True)
        if not geom.is_empty
    ]
    if not out_rows:
        return empty
    gdf = gpd.GeoDataFrame(out_rows, geometry="geometry", crs=REGION_CRS)
    dissolved = gdf.dissolve(by="side", aggfunc={"places": lambda s: ", ".join(sorted(set(s)))}).reset_index()
    return dissolved.to_crs("EPSG:4326")


def area_changes(store: Store, d1: str, d2: str, countries: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Territory gained per side between the two days (columns: side, change='gained', geometry)."""
    a = areas(store, d1, countries)
    b = areas(store, d2, countries)
    rows = []
    for r in b.itertuples():
        before = a[a["side"] == r.side]
        gained = r.geometry.difference(before.geometry.iloc[0]) if not before.empty else r.geometry
        if not gained.is_empty:
            rows.append({"side": r.side, "change": "gained", "geometry": gained})
    for r in a.itertuples():
        after = b[b["side"] == r.side]
        lost = r.geometry.difference(after.geometry.iloc[0]) if not after.empty else r.geometry
        if not lost.is_empty:
            rows.append({"side": r.side, "change": "lost", "geometry": lost})
    if not rows:
        return gpd.GeoDataFrame({"side": [], "change": []}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
