#!/usr/bin/env python3
"""Regenerate ``geodata/country_points.csv``: one conventional centre point per country.

Geoparsing gazetteers (GeoNames, Wikipedia) and most readers put a country at a
"geographic coordinates" point such as the CIA World Factbook's (Russia 60N 100E),
not at a cartographic label point (Natural Earth puts Russia's label in the west,
3,000 km away). The gazetteer uses these points for countries and falls back to
Natural Earth's label point for a country missing here.

Source: the ``latlng`` field of the per-country JSON files in the PyPI package
``countryinfo`` 1.0.1 (MIT licence, Copyright (c) 2018 Porimol Chandro), whose
coordinates come from the CIA World Factbook (public domain). Pass the path of
the unpacked package, of its wheel, or nothing to use an installed ``countryinfo``.

A point is kept only if it lies inside its country's Natural Earth polygon or
within ``--max-km`` (default 100 km) of it: a Factbook point rounded to whole
degrees can fall in the sea beside a small or coastal country, and a wrong code
must never move a country to the wrong place. Output is sorted by code and
deterministic.

Usage::

    .venv/bin/python scripts/build_country_points.py [path/to/countryinfo | countryinfo-1.0.1-py3-none-any.whl]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import logging
import sys
import tempfile
import zipfile
from pathlib import Path

LOG = logging.getLogger("build_country_points")
REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE = "countryinfo 1.0.1 (CIA World Factbook)"


def _data_dir(arg: str | None, tmp: Path) -> Path:
    if arg:
        p = Path(arg)
        if p.suffix == ".whl":
            with zipfile.ZipFile(p) as z:
                z.extractall(tmp)
            return tmp / "countryinfo" / "data"
        return p / "data" if (p / "data").is_dir() else p
    spec = importlib.util.find_spec("countryinfo")
    if spec is None or not spec.origin:
        sys.exit("countryinfo is not installed: pass the path of its wheel or unpacked package")
    return Path(spec.origin).parent / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", nargs="?", help="countryinfo wheel or unpacked package (default: the installed one)")
    ap.add_argument("--out", default=str(REPO_ROOT / "geodata" / "country_points.csv"))
    ap.add_argument("--max-km", type=float, default=100.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")

    sys.path.insert(0, str(REPO_ROOT / "src"))
    from shapely.geometry import Point

    from frontlines.basemap import world_countries

    world = world_countries().set_index("iso_a2")
    rows: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = _data_dir(args.source, Path(tmp))
        for f in sorted(data.glob("*.json")):
            d = json.loads(f.read_text(encoding="utf-8"))
            iso = ((d.get("ISO") or {}).get("alpha2") or "").upper()
            latlng = d.get("latlng") or []
            if len(iso) != 2 or len(latlng) != 2:
                continue
            lat, lon = float(latlng[0]), float(latlng[1])
            if iso not in world.index:
                # a country the basemap's point of view leaves out (Taiwan): no outline to check against, but the
                # gazetteer still needs it as a country rather than as a village's alias
                rows[iso] = (lat, lon)
                continue
            geom = world.loc[iso].geometry
            pt = Point(lon, lat)
            if not geom.contains(pt):
                off_km = geom.distance(pt) * 111.0  # degrees to km, roughly: a coarse gate only
                if off_km > args.max_km:
                    LOG.warning("%s %s: %.2f,%.2f is %.0f km outside the country; left to Natural Earth", iso, d.get("name"), lat, lon, off_km)
                    continue
            rows[iso] = (lat, lon)
    out = Path(args.out)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["iso", "lat", "lon", "source"])
        for iso in sorted(rows):
            lat, lon = rows[iso]
            w.writerow([iso, f"{lat:g}", f"{lon:g}", SOURCE])
    print(f"{out}: {len(rows)} countries")


if __name__ == "__main__":
    main()
