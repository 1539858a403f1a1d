"""Records passed between the stages: frozen dataclasses with plain-JSON views.

The JSON views (``to_json``) are the public ``frontlines extract`` contract documented in the README:
fields may be added, never renamed or removed.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any

KINDS = ("country", "admin1", "admin2", "city", "town", "village", "region", "landmark")
EVENT_TYPES = ("capture", "control", "attack", "airstrike", "clash", "arrest", "other")
DATE_PRECISIONS = ("day", "week", "month", "year")

#: How coarse a place kind is, for the "geo-precision" shown with every point.
GEO_PRECISION = {
    "village": "village",
    "town": "city",
    "city": "city",
    "landmark": "village",
    "admin2": "province",
    "admin1": "province",
    "region": "region",
    "country": "country",
}


@dataclass(frozen=True)
class Article:
    """One article as read from a file or record, before any analysis."""

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None  # ISO date from metadata, if the record carried one
    path: str | None = None  # the file it came from
    locator: str | None = None  # line / row within that file

    @property
    def content_hash(self) -> str:
        """The store's key: the same text (whatever the file name) is the same article."""
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class GazetteerEntry:
    """A place in the offline gazetteer."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    admin1: str = ""
    population: int = 0
    source: str = ""


@dataclass(frozen=True)
class Place:
    """A place mention in an article, recognised and (when possible) resolved."""

    surface: str
    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None
    country: str
    kind: str
    gazetteer_id: str | None
    score: float
    mention: str = "name"  # "name" or "adjective"
    admin1: str = ""
    recogniser: str = ""  # which recogniser found it: gazetteer, ner, both, adjective

    @property
    def geo_precision(self) -> str:
        return GEO_PRECISION.get(self.kind, "city")

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["geo_precision"] = self.geo_precision
        return d


@dataclass(frozen=True)
class Event:
    """Something the text reports as having happened at a place."""

    type: str
    place: Place
    sentence: str
    sentence_start: int
    date: str | None
    date_precision: str | None
    actor: str = ""
    side: str = "unknown"
    controller_after: str | None = None
    confidence: float = 0.5
    fatalities: int | None = None
    trigger: str = ""
    negated_or_hypothetical: bool = False

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["place"] = self.place.to_json()
        return d


@dataclass(frozen=True)
class Extraction:
    """Everything ``extract`` says of one article."""

    article: Article
    text: str  # the cleaned text that offsets refer to
    published: str | None
    published_from: str  # metadata | text | none
    places: tuple[Place, ...] = ()
    events: tuple[Event, ...] = ()
    title: str | None = None
    warnings: tuple[str, ...] = field(default=())
    sentences: tuple[tuple[int, int], ...] = ()  # sentence spans in text, for provenance

    @property
    def id(self) -> str:
        return self.article.id or self.article.content_hash[:16]

    def to_json(self, include_text: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "url": self.article.url,
            "source": self.article.source,
            "published": self.published,
            "published_from": self.published_from,
            "content_hash": self.article.content_hash,
            "path": self.article.path,
            "places": [p.to_json() for p in self.places],
            "events": [e.to_json() for e in self.events],
        }
        if include_text:
            d["text"] = self.text
        return d


def with_place(event: Event, place: Place) -> Event:
    return replace(event, place=place)
