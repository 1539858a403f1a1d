"""The offline gazetteer as a geopy geocoder, and an opt-in cached online fallback.

>>> from frontlines.geocoder import FrontlinesGazetteer
>>> geolocator = FrontlinesGazetteer()
>>> loc = geolocator.geocode("Deir Al-Zor")
>>> loc.address, loc.latitude, loc.longitude, loc.raw["country"], loc.raw["kind"]

It is a ``geopy.geocoders.base.Geocoder`` like Nominatim or GeoNames: same ``geocode`` / ``reverse``
signatures, ``geopy.location.Location`` results. ``with_fallback`` wraps an online geocoder (opt-in;
rate-limited with geopy's ``RateLimiter``; answers cached on disk) for names the gazetteer lacks.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from frontlines.gazetteer import Gazetteer, load_gazetteer
from frontlines.gazetteer.index import Candidate
from frontlines.paths import cache_dir

log = logging.getLogger(__name__)


def _location(c: Candidate | Any, distance_km: float | None = None) -> Location:
    e = c.entry if isinstance(c, Candidate) else c
    raw = {
        "id": e.id, "name": e.name, "kind": e.kind, "country": e.country, "admin1": e.admin1,
        "population": e.population, "source": e.source,
    }
    if isinstance(c, Candidate):
        raw["matched_name"] = c.matched_name
        raw["match"] = c.match
    if distance_km is not None:
        raw["distance_km"] = round(distance_km, 3)
    address = ", ".join(x for x in (e.name, e.admin1 if e.admin1 and not e.admin1.isdigit() else "", e.country) if x)
    return Location(address, Point(e.lat, e.lon), raw)


class FrontlinesGazetteer(Geocoder):
    """Offline geocoder over the Frontlines gazetteer (GeoNames cities500, Natural Earth, curated)."""

    def __init__(self, gazetteer: Gazetteer | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gazetteer = gazetteer or load_gazetteer()

    def geocode(
        self, query: str, *, exactly_one: bool = True, country_codes: str | Sequence[str] | None = None,
        limit: int = 10, timeout: Any = None,
    ) -> Location | list[Location] | None:
        if isinstance(country_codes, str):
            country_codes = [country_codes]
        cands = self.gazetteer.lookup(str(query), country_codes=[c.upper() for c in (country_codes or [])], limit=limit)
        if not cands:
            return None
        locs = [_location(c) for c in cands]
        return locs[0] if exactly_one else locs

    def reverse(self, query: Any, *, exactly_one: bool = True, kinds: Sequence[str] = (), limit: int = 5,
                timeout: Any = None) -> Location | list[Location] | None:
        p = Point(query) if not isinstance(query, Point) else query
        found = self.gazetteer.nearest(p.latitude, p.longitude, limit=limit, kinds=kinds)
        if not found:
            return None
        locs = [_location(e, d) for e, d in found]
        return locs[0] if exactly_one else locs


class CachedGeocoder:
    """Wrap any geopy geocoder's ``geocode`` with a persistent SQLite cache and geopy's RateLimiter."""

    def __init__(self, geocoder: Geocoder, cache: Path | None = None, min_delay_seconds: float = 1.0) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self.geocoder = geocoder
        self.name = type(geocoder).__name__
        self.path = cache or cache_dir() / "online-geocoder-cache.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, check_same_thread=False)
        self.conn.execute("CREATE TABLE IF NOT EXISTS cache (service TEXT, query TEXT, result TEXT, PRIMARY KEY(service, query))")
        self._limited: Callable[..., Any] = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds, swallow_exceptions=True)

    def geocode(self, query: str) -> Location | None:
        row = self.conn.execute("SELECT result FROM cache WHERE service = ? AND query = ?", (self.name, query)).fetchone()
        if row is not None:
            d = json.loads(row[0])
            return None if d is None else Location(d["address"], Point(d["lat"], d["lon"]), d["raw"])
        loc = self._limited(query)
        payload = None if loc is None else {"address": loc.address, "lat": loc.latitude, "lon": loc.longitude, "raw": _jsonable(loc.raw)}
        self.conn.execute("INSERT OR REPLACE INTO cache VALUES (?,?,?)", (self.name, query, json.dumps(payload)))
        self.conn.commit()
        return loc


def _jsonable(raw: Any) -> Any:
    try:
        json.dumps(raw)
        return raw
    except TypeError:
        return str(raw)


def with_fallback(offline: FrontlinesGazetteer, online: Geocoder | CachedGeocoder | None) -> Callable[[str], Location | None]:
    """``geocode(name)``: the offline gazetteer first; the (cached, rate-limited) online geocoder only
    for names it lacks. Pass ``online=None`` to stay offline."""
    cached = online if isinstance(online, CachedGeocoder) or online is None else CachedGeocoder(online)

    def geocode(name: str) -> Location | None:
        loc = offline.geocode(name)
        if loc is None and cached is not None:
            log.info("offline gazetteer has no %r: asking %s", name, cached.name)
            return cached.geocode(name)
        return loc

    return geocode
