"""Wire the stages: article -> text clean-up -> spaCy -> toponyms -> events -> Extraction."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from frontlines.actors import load_actors
from frontlines.dates import publication_date_from_text
from frontlines.events import EventExtractor
from frontlines.gazetteer import Gazetteer, load_gazetteer
from frontlines.nlp import english_words, load_nlp, sentence_bounds
from frontlines.records import Article, Extraction
from frontlines.text import clean_text, split_title
from frontlines.toponyms import Geoparser, Settings

log = logging.getLogger(__name__)


@dataclass
class ExtractorConfig:
    model: str | None = None
    region_prior: bool = True
    batch_size: int = 16
    n_process: int = 1


class Extractor:
    """Turns articles into Extractions. Load once; reuse for many articles."""

    def __init__(self, config: ExtractorConfig = ExtractorConfig(), gazetteer: Gazetteer | None = None) -> None:
        self.config = config
        self.nlp = load_nlp(config.model)
        self._strings_at_load: int | None = None
        self.gaz = gazetteer or load_gazetteer()
        self.geoparser = Geoparser(self.gaz, Settings(region_prior=config.region_prior))
        self.geoparser.english = english_words(self.nlp)
        self.actors = load_actors()
        self.events = EventExtractor(self.actors)

    def prepare(self, article: Article) -> tuple[Article, str | None, str, str | None]:
        """Clean the text; find title and publication date. Returns (article, title, published_from, published)."""
        text = clean_text(article.text)
        title = article.title
        if not title:
            title = split_title(text)
        if article.published:
            published, source = article.published, "metadata"
        else:
            published = publication_date_from_text(text)
            source = "text" if published else "none"
        cleaned = Article(
            text=text, id=article.id, title=title, url=article.url, source=article.source,
            published=article.published, path=article.path, locator=article.locator,
        )
        return cleaned, title, source, published

    def extract(self, article: Article) -> Extraction:
        return next(iter(self.extract_many([article])))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[Extraction]:
        """Extractions in input order, lazily: memory stays flat however long ``articles`` is.

        With ``config.n_process > 1`` whole extraction (spaCy, geoparsing, events) runs in that many worker
        processes, each holding its own Extractor; this process only feeds them and collects the results.
        """
        if self.config.n_process > 1:
            yield from _extract_parallel(self.config, articles)
            return
        for chunk in _chunks((self.prepare(a) for a in articles), self.config.batch_size, MAX_BATCH_CHARS):
            for doc, (article, title, pub_from, published) in self.nlp.pipe(
                ((p[0].text, p) for p in chunk), as_tuples=True, batch_size=len(chunk)
            ):
                yield self._finish(doc, article, title, pub_from, published)
            self._renew_if_grown()

    #: new strings spaCy's vocabulary may gain before the pipeline is loaded afresh (about 100-200 MB)
    MAX_NEW_STRINGS = 300_000

    def _renew_if_grown(self) -> None:
        """spaCy keeps every word and number it has seen: on a long stream of new ones (a 50 MB file of
        numbered paragraphs) memory would grow without end, so past a bound the pipeline is reloaded."""
        n = len(self.nlp.vocab.strings)
        if self._strings_at_load is None:
            self._strings_at_load = n
        elif n - self._strings_at_load > self.MAX_NEW_STRINGS:
            log.info("spaCy vocabulary grew by %d strings: reloading the pipeline", n - self._strings_at_load)
            self.nlp = load_nlp(self.config.model, fresh=True)
            self._strings_at_load = len(self.nlp.vocab.strings)

    def _finish(self, doc, article: Article, title: str | None, pub_from: str, published: str | None) -> Extraction:  # type: ignore[no-untyped-def]
        text = article.text  # what went into the pipeline (``doc.text`` would rebuild it token by token)
        actor_mentions = self.actors.find(text)
        places = self.geoparser.geoparse(doc, actor_mentions, text)
        sentences = tuple(_trimmed(text, a, b) for a, b in sentence_bounds(doc))
        sentences = tuple(s for s in sentences if s[1] > s[0])
        events = self.events.extract(text, sentences, places, actor_mentions, published, tokens=_tokens(doc))
        return Extraction(
            article=article, text=text, published=published, published_from=pub_from,
            places=tuple(places), events=tuple(events), title=title, sentences=sentences,
        )


#: spaCy's memory grows with the characters of a batch, not its article count: long articles go in small batches
MAX_BATCH_CHARS = 120_000


def _chunks(items: Iterable[tuple], max_items: int, max_chars: int) -> Iterator[list[tuple]]:
    """Batches of prepared articles: at most ``max_items`` and about ``max_chars`` characters each."""
    batch: list[tuple] = []
    chars = 0
    for item in items:
        n = len(item[0].text)
        if batch and (len(batch) >= max_items or chars + n > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += n
    if batch:
        yield batch


def _tokens(doc) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    """(start, end, Penn tag) of every token, read off the Doc's arrays (no Token objects made)."""
    from spacy.attrs import IDX, LENGTH, TAG

    strings = doc.vocab.strings
    return [(i, i + n, strings[t]) for i, n, t in doc.to_array([IDX, LENGTH, TAG]).tolist()]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence span without the blank lines and spaces spaCy keeps around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- worker processes ----------------------------------------------------------------------------------

_worker: Extractor | None = None


def _init_worker(config: ExtractorConfig) -> None:
    """Runs once in each worker process: one Extractor, with its own gazetteer connection."""
    global _worker
    from frontlines.gazetteer import Gazetteer, default_path, extra_path

    single = replace(config, n_process=1)
    # a SQLite connection must not cross a fork: open the gazetteer afresh
    _worker = Extractor(single, gazetteer=Gazetteer(default_path(), extra_path()))


def _extract_batch(batch: list[Article]) -> list[Extraction]:
    assert _worker is not None, "worker not initialised"
    return list(_worker.extract_many(batch))


def _extract_parallel(config: ExtractorConfig, articles: Iterable[Article]) -> Iterator[Extraction]:
    """Batches of articles to a process pool; at most two batches per worker in flight; results in order."""
    import multiprocessing as mp
    from collections import deque

    from frontlines.gazetteer import default_path, ensure_built

    ensure_built(default_path())  # build once here, not in every worker at the same time
    methods = mp.get_all_start_methods()
    # fork shares the loaded model with the workers; spawn re-imports (macOS, Windows)
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    chunk = max(1, config.batch_size)
    pool = ctx.Pool(config.n_process, initializer=_init_worker, initargs=(config,))
    try:
        pending: deque = deque()
        batch: list[Article] = []
        for a in articles:
            batch.append(a)
            if len(batch) >= chunk:
                pending.append(pool.apply_async(_extract_batch, (batch,)))
                batch = []
                while len(pending) >= 2 * config.n_process:
                    yield from pending.popleft().get()
        if batch:
            pending.append(pool.apply_async(_extract_batch, (batch,)))
        while pending:
            yield from pending.popleft().get()
        pool.close()
        pool.join()
    finally:
        pool.terminate()
