"""Exports of a filtered view: GeoJSON, CSV, GeoPackage (and ACLED-style CSV, see ``acled.py``)."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd

log = logging.getLogger(__name__)

#: columns every export carries, in this order: what, where, when, who, and where it came from
EXPORT_COLUMNS = [
    "layer", "event_type", "name", "surface", "country", "kind", "geo_precision", "lat", "lon", "date",
    "date_precision", "side", "actor", "controller_after", "confidence", "fatalities", "title", "source", "url",
    "published", "sentence", "place_start", "place_end", "article_id", "event_id", "mention_id", "gazetteer_id",
]
FORMATS = ("geojson", "csv", "gpkg", "acled")


def to_geodataframe(points: pd.DataFrame) -> gpd.GeoDataFrame:
    cols = [c for c in EXPORT_COLUMNS if c in points.columns]
    df = points[cols].copy() if not points.empty else pd.DataFrame({c: pd.Series(dtype="object") for c in EXPORT_COLUMNS})
    for c in ("event_id", "mention_id", "article_id", "place_start", "place_end", "fatalities"):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    geometry = gpd.points_from_xy(pd.to_numeric(df["lon"]), pd.to_numeric(df["lat"])) if len(df) else []
    return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")


def write(points: pd.DataFrame, path: str | Path, fmt: str | None = None) -> int:
    """Write the points to ``path`` in ``fmt`` (guessed from the suffix if None). Returns the row count."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "json":
        fmt = "geojson"
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "acled":
        from frontlines.acled import to_acled

        df = to_acled(points)
        df.to_csv(path, index=False)
        return len(df)
    gdf = to_geodataframe(points)
    if fmt == "csv":
        pd.DataFrame(gdf.drop(columns="geometry")).to_csv(path, index=False)
    elif fmt == "geojson":
        if gdf.empty:
            path.write_text('{"type": "FeatureCollection", "features": []}\n', encoding="utf-8")
        else:
            gdf.to_file(path, driver="GeoJSON")
    else:
        if path.exists():
            path.unlink()
        gdf.to_file(path, driver="GPKG", layer="points")
    return len(gdf)


def to_geojson_bytes(points: pd.DataFrame) -> bytes:
    gdf = to_geodataframe(points)
    if gdf.empty:
        return b'{"type": "FeatureCollection", "features": []}'
    return gdf.to_json(na="null", drop_id=True).encode("utf-8")


def to_csv_bytes(points: pd.DataFrame) -> bytes:
    gdf = to_geodataframe(points)
    return pd.DataFrame(gdf.drop(columns="geometry")).to_csv(index=False).encode("utf-8")
