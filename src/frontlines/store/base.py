"""The store interface every back-end implements, and the filters every query takes."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from frontlines.errors import FrontlinesError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from frontlines.records import Extraction


class StoreError(FrontlinesError):
    """The store cannot be opened or written."""


@dataclass(frozen=True)
class Filters:
    """What the user is looking at: the dashboard's sidebar, the CLI's options.

    Every query is parameterised: values here never become SQL text.
    """

    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None  # ISO date, inclusive
    countries: Sequence[str] = ()  # ISO alpha-2; empty = all
    event_types: Sequence[str] = ()  # includes "mention" for plain place mentions; empty = all
    sides: Sequence[str] = ()
    sources: Sequence[str] = ()
    min_confidence: float = 0.0
    search: str = ""  # free text over place names and sentences
    include_mentions: bool = True  # plain place mentions (no event) as well as events
    include_adjectives: bool = False  # "Iraqi forces" as a country point

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} to {self.date_to or '…'}")
        if self.countries:
            parts.append(", ".join(self.countries))
        if self.event_types:
            parts.append("types: " + ", ".join(self.event_types))
        if self.sides:
            parts.append("sides: " + ", ".join(self.sides))
        if self.search:
            parts.append(f'search "{self.search}"')
        return "; ".join(parts) or "all dates, all countries"


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    places: int = 0
    events: int = 0
    ids: list[int] = field(default_factory=list)


class Store(abc.ABC):
    """Articles, places, mentions, events and corrections; control history derived from events."""

    url: str

    # --- writing ------------------------------------------------------------------------------
    @abc.abstractmethod
    def has_article(self, content_hash: str) -> bool: ...

    @abc.abstractmethod
    def add_extractions(self, extractions: Iterable[Extraction]) -> IngestResult:
        """Store articles; each article is written whole or not at all; duplicates are skipped."""

    @abc.abstractmethod
    def add_correction(
        self, target: str, target_id: int, field_name: str, value: str | None, author: str = "", note: str = ""
    ) -> int:
        """Record an analyst's correction (target: "mention" or "event")."""

    # --- reading ------------------------------------------------------------------------------
    @abc.abstractmethod
    def points(self, filters: Filters = Filters()) -> pd.DataFrame:
        """One row per place mention or event passing the filters, corrections applied."""

    @abc.abstractmethod
    def events(self, filters: Filters = Filters()) -> pd.DataFrame: ...

    @abc.abstractmethod
    def articles(self) -> pd.DataFrame: ...

    @abc.abstractmethod
    def article(self, article_id: int) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def corrections(self) -> pd.DataFrame: ...

    @abc.abstractmethod
    def stats(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
