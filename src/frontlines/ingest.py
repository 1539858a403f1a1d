"""Streaming ingest: read lazily, skip what is stored, extract in batches, write whole articles."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from frontlines.articles import Skipped, read_paths
from frontlines.records import Article
from frontlines.store.base import Store

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    articles: int = 0  # newly stored
    duplicates: int = 0  # already in the store (or twice in this run)
    places: int = 0
    events: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    no_date: int = 0
    no_places: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.skipped

    def summary(self) -> str:
        rate = self.articles / self.seconds if self.seconds > 0 else 0.0
        s = (
            f"{self.articles} articles stored ({self.duplicates} already there), {self.places} place mentions, "
            f"{self.events} events, {len(self.skipped)} skipped"
            f" [{rate:.1f} articles/s]"
        )
        if self.no_date or self.no_places:
            s += f"; {self.no_date} with no date, {self.no_places} with no places (stored, shown as such)"
        return s


def _batches(items: Iterable[Article], n: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for a in items:
        batch.append(a)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


def _extract_batch(ex: object, batch: list[Article], report: IngestReport,
                   on_item: Callable[[str, str], None] | None) -> list:
    """Extract a batch; if the batch fails, article by article, so one bad article is reported as
    skipped (with the error) and does not take the others down with it."""
    try:
        return list(ex.extract_many(batch))  # type: ignore[attr-defined]
    except Exception:
        log.exception("extraction failed for a batch of %d articles; retrying one by one", len(batch))
    out = []
    for a in batch:
        try:
            out.append(ex.extract(a))  # type: ignore[attr-defined]
        except Exception as exc:
            s = Skipped(a.locator or a.path or a.id or "?", f"extraction failed ({type(exc).__name__}: {exc})")
            report.skipped.append(s)
            log.warning("skipped %s", s)
            if on_item:
                on_item(s.where, s.reason)
    return out


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    extractor: object | None = None,
    *,
    batch_size: int = 32,
    progress: bool | None = None,
    on_item: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Extract and store every article under ``paths``. Re-running it stores nothing twice.

    ``on_item(where, status)`` is called for each file/record ("stored", "duplicate", or a skip reason).
    """
    from frontlines.pipeline import Extractor

    t0 = time.perf_counter()
    report = IngestReport()
    known = store.known_hashes() if hasattr(store, "known_hashes") else set()
    seen: set[str] = set()

    def fresh() -> Iterator[Article]:
        for item in read_paths(paths):
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.warning("skipped %s", item)
                if on_item:
                    on_item(item.where, item.reason)
                continue
            h = item.content_hash
            if h in known or h in seen:
                report.duplicates += 1
                if on_item:
                    on_item(item.locator or item.path or "?", "already stored")
                continue
            seen.add(h)
            yield item

    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(desc="ingest", unit="article", file=sys.stderr, dynamic_ncols=True)
    ex = extractor if extractor is not None else Extractor()
    for batch in _batches(fresh(), batch_size):
        extractions = _extract_batch(ex, batch, report, on_item)
        res = store.add_extractions(extractions)
        report.articles += res.stored
        report.duplicates += res.duplicates
        report.places += res.places
        report.events += res.events
        for e in extractions:
            if not e.published:
                report.no_date += 1
            if not e.places:
                report.no_places += 1
            if on_item:
                on_item(e.article.locator or e.article.path or e.id, "stored")
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    report.seconds = time.perf_counter() - t0
    return report
