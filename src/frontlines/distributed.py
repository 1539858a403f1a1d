"""Ingest on a Dask cluster: the client reads and stores, the workers extract.

``frontlines ingest --dask ADDRESS`` (a running ``dask scheduler``) or ``--dask local`` (a LocalCluster of
two single-threaded worker processes on this machine). Needs the ``scale`` extra (``dask[distributed]``).

* the client reads files lazily, skips what the store already holds (content hash) and sends batches of
  articles to the workers, with a bounded number of batches in flight, so memory stays flat;
* each worker process loads one Extractor (spaCy model + gazetteer) the first time it gets a batch and
  keeps it for the rest of the run;
* finished batches are written through the same Store interface as a local ingest, each in one
  transaction, in the order they complete: the store ends up with the same articles, mentions and events
  as a single-process run (article ids may be in another order).

Every worker needs the same Frontlines version, spaCy model and gazetteer (``frontlines gazetteer build``
on each, or a shared ``FRONTLINES_CACHE``); see docs/SCALE.md.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from frontlines.errors import FrontlinesError
from frontlines.ingest import IngestReport, IngestRun, _batches

if TYPE_CHECKING:  # pragma: no cover
    from frontlines.pipeline import Extractor
    from frontlines.records import Article, Extraction
    from frontlines.store.base import Store

log = logging.getLogger(__name__)

#: batches in flight per worker thread: enough to keep workers busy while the client stores results
IN_FLIGHT_PER_THREAD = 2

_lock = threading.Lock()
_extractors: dict[str | None, Extractor] = {}


def worker_extractor(model: str | None = None) -> Extractor:
    """The worker process's Extractor for ``model``, loaded on first use and then kept."""
    with _lock:
        ex = _extractors.get(model)
        if ex is None:
            from frontlines.pipeline import Extractor, ExtractorConfig

            ex = Extractor(ExtractorConfig(model=model))
            _extractors[model] = ex
        return ex


def extract_batch(articles: list[Article], model: str | None = None) -> list[Extraction]:
    """Runs on a worker: extract a batch of articles with the worker's Extractor."""
    ex = worker_extractor(model)
    with _lock:  # one extraction at a time per process: spaCy and the gazetteer connection are shared
        return list(ex.extract_many(articles))


def _client(address: Any) -> tuple[Any, Any, bool]:
    """(client, cluster or None, whether we own the client)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise FrontlinesError("--dask needs dask.distributed: pip install 'frontlines[scale]'") from exc
    if isinstance(address, Client):
        return address, None, False
    if address == "local":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                               silence_logs=logging.WARNING)
        return Client(cluster), cluster, True
    try:
        return Client(address, timeout="30s"), None, True
    except OSError as exc:
        raise FrontlinesError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def ingest_dask(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    address: Any = "local",
    *,
    batch_size: int = 32,
    model: str | None = None,
    progress: bool | None = None,
    on_item: Callable[[str, str], None] | None = None,
    in_flight: int | None = None,
) -> IngestReport:
    """Like :func:`frontlines.ingest.ingest`, with extraction on the Dask cluster at ``address``.

    ``address``: a scheduler address (``tcp://host:8786``), ``"local"``, or a ``dask.distributed.Client``.
    ``in_flight``: batches submitted and not yet stored (default: 2 per worker thread).
    """
    from dask.distributed import as_completed

    from frontlines.gazetteer import default_path, ensure_built

    client, cluster, owned = _client(address)
    run = IngestRun(paths, store, progress=progress, on_item=on_item)
    try:
        if cluster is not None:
            ensure_built(default_path())  # local workers share this machine's cache: build it once, here
        threads = sum(client.nthreads().values()) or 1
        limit = max(1, in_flight or IN_FLIGHT_PER_THREAD * threads)
        log.info("Dask: %d worker threads at %s; %d batches of %d in flight", threads, client.scheduler.address,
                 limit, batch_size)
        pending = as_completed()
        n_pending = 0
        for batch in _batches(run.fresh(), batch_size):
            pending.add(client.submit(extract_batch, batch, model, pure=False))
            n_pending += 1
            while n_pending >= limit:
                run.store_batch(next(pending).result())
                n_pending -= 1
        for future in pending:
            run.store_batch(future.result())
    finally:
        run.finish()
        if owned:
            client.close()
        if cluster is not None:
            cluster.close()
    return run.report
