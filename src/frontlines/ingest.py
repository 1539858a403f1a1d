"""Streaming ingest: read lazily, skip what is stored, extract in batches, write whole articles."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from frontlines.articles import Skipped, read_paths
from frontlines.records import Article, Extraction
from frontlines.store.base import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


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


def _batches(items: Iterable[T], n: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for a in items:
        batch.append(a)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


#: counting the files up front for the progress bar stops after this many files or seconds
COUNT_LIMIT = 1_000_000
COUNT_SECONDS = 2.0


def count_articles(paths: Iterable[str | os.PathLike[str]]) -> int | None:
    """How many articles ``paths`` hold, when that is cheap to know: one per .txt/.html/.json file.

    None when a JSON Lines, CSV or zip file is among them (their records are not counted ahead), or
    when listing the files takes too long.
    """
    from frontlines.articles import CSV_EXT, JSONL_EXT, SUPPORTED, ZIP_EXT, iter_files

    t0 = time.perf_counter()
    n = 0
    for i, f in enumerate(iter_files(paths)):
        if isinstance(f, Skipped):
            continue
        ext = f.suffix.lower()
        if ext in JSONL_EXT | CSV_EXT | ZIP_EXT:
            return None
        if ext in SUPPORTED:
            n += 1
        if i >= COUNT_LIMIT or (i % 1000 == 0 and time.perf_counter() - t0 > COUNT_SECONDS):
            return None
    return n


class IngestRun:
    """Bookkeeping shared by :func:`ingest` and :func:`frontlines.distributed.ingest_dask`: the lazy stream of
    articles not yet stored, writing batches of extractions, the progress bar and the report."""

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]],
        store: Store,
        *,
        progress: bool | None = None,
        on_item: Callable[[str, str], None] | None = None,
    ) -> None:
        self.paths = list(paths)
        self.store = store
        self.on_item = on_item
        self.t0 = time.perf_counter()
        self.report = IngestReport()
        self.known = store.known_hashes() if hasattr(store, "known_hashes") else set()
        self.seen: set[str] = set()
        show = sys.stderr.isatty() if progress is None else progress
        self.bar = None
        if show:
            from tqdm import tqdm

            class Bar(tqdm):  # type: ignore[type-arg,misc]
                monitor_interval = 0  # no monitor thread: --jobs forks worker processes from this one

            self.bar = Bar(desc="ingest", total=count_articles(self.paths), unit="article", file=sys.stderr,
                            dynamic_ncols=True, smoothing=0.1)

    def tick(self, n: int = 1) -> None:
        bar = self.bar
        if bar is not None:
            if bar.total is not None and bar.n + n > bar.total:
                bar.total = bar.n + n  # a long article split in parts, or a JSON list
            bar.update(n)

    def fresh(self) -> Iterator[Article]:
        """Articles under the paths that the store does not hold yet (nor this run has seen), lazily."""
        report, on_item = self.report, self.on_item
        for item in read_paths(self.paths):
            if isinstance(item, Skipped):
                report.skipped.append(item)
                log.warning("skipped %s", item)
                if on_item:
                    on_item(item.where, item.reason)
                self.tick()
                continue
            h = item.content_hash
            if h in self.known or h in self.seen:
                report.duplicates += 1
                if on_item:
                    on_item(item.locator or item.path or "?", "already stored")
                self.tick()
                continue
            self.seen.add(h)
            yield item

    def store_batch(self, extractions: list[Extraction]) -> None:
        """One transaction of whole articles."""
        report = self.report
        res = self.store.add_extractions(extractions)
        report.articles += res.stored
        report.duplicates += res.duplicates
        report.places += res.places
        report.events += res.events
        for e in extractions:
            if not e.published:
                report.no_date += 1
            if not e.places:
                report.no_places += 1
            if self.on_item:
                self.on_item(e.article.locator or e.article.path or e.id, "stored")
        self.tick(len(extractions))
        if self.bar is not None:
            self.bar.set_postfix(stored=report.articles, refresh=False)

    def finish(self) -> IngestReport:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.report.seconds = time.perf_counter() - self.t0
        return self.report


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

    Streaming: files are read lazily, extraction runs ahead by a bounded number of articles, and every
    ``batch_size`` articles are written in one transaction, so memory does not grow with the corpus and an
    interrupted run keeps every batch it finished; run it again to store the rest.
    ``on_item(where, status)`` is called for each file/record ("stored", "duplicate", or a skip reason).
    """
    from frontlines.pipeline import Extractor

    run = IngestRun(paths, store, progress=progress, on_item=on_item)
    ex = extractor if extractor is not None else Extractor()
    stream = ex.extract_many(run.fresh())  # type: ignore[attr-defined]
    try:
        for extractions in _batches(stream, batch_size):
            run.store_batch(extractions)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # stops worker processes at once if we are interrupted
        run.finish()
    return run.report
