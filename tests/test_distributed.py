"""Scale paths of ingest give the same store as the plain one: Dask, worker processes (--jobs), and an
interrupted run restarted. Plus the progress bar."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from frontlines.ingest import count_articles, ingest
from frontlines.paths import sample_dir
from frontlines.store import open_store

N_ARTICLES = 10


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Ten sample articles (those that read cleanly) in a folder of their own."""
    from frontlines.articles import read_path
    from frontlines.records import Article

    out = tmp_path_factory.mktemp("corpus")
    n = 0
    for f in sorted((sample_dir() / "articles").glob("*.json")):
        items = list(read_path(f))
        if len(items) == 1 and isinstance(items[0], Article):
            shutil.copy(f, out / f.name)
            n += 1
        if n == N_ARTICLES:
            break
    if n < 3:
        pytest.skip("the bundled sample corpus has too few articles")
    return out


def content(db: Path) -> dict[str, list[tuple]]:
    """What a store holds, without row ids: articles, mentions and events keyed by content hash."""
    conn = sqlite3.connect(db)
    try:
        q = lambda sql: sorted(conn.execute(sql).fetchall(), key=repr)  # noqa: E731
        return {
            "articles": q("SELECT content_hash, ext_id, title, url, source, published, published_from, text, n_places,"
                          " n_events FROM articles"),
            "mentions": q('SELECT a.content_hash, m.place_id, m.surface, m.start, m."end", m.score, m.mention,'
                          " m.sentence_start, m.sentence_end FROM mentions m JOIN articles a ON a.id = m.article_id"),
            "events": q('SELECT a.content_hash, e.place_id, m.start, m."end", e.type, e.date, e.date_precision,'
                        " e.date_lo, e.date_hi, e.actor, e.side, e.controller_after, e.confidence, e.fatalities,"
                        " e.trigger, e.sentence_start, e.sentence_end FROM events e JOIN articles a ON a.id = e.article_id"
                        " LEFT JOIN mentions m ON m.id = e.mention_id"),
            "places": q("SELECT * FROM places"),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def reference(corpus, extractor, tmp_path_factory) -> dict[str, list[tuple]]:
    """The single-process ingest of the corpus."""
    db = tmp_path_factory.mktemp("ref") / "ref.db"
    with open_store(db) as store:
        report = ingest([corpus], store, extractor, batch_size=4, progress=False)
    assert report.articles == len(list(corpus.iterdir())) and report.ok
    got = content(db)
    assert got["mentions"] and got["events"]
    return got


def test_worker_processes_match_single_process(corpus, reference, tmp_path) -> None:
    from frontlines.pipeline import Extractor, ExtractorConfig

    db = tmp_path / "jobs.db"
    ex = Extractor(ExtractorConfig(n_process=2, batch_size=2))
    with open_store(db) as store:
        report = ingest([corpus], store, ex, batch_size=3, progress=False)
    assert report.articles == len(reference["articles"])
    assert content(db) == reference


# in-process transport names itself after this machine's address, which it looks up with a (blocked) UDP socket
@pytest.mark.filterwarnings("ignore:Couldn't detect a suitable IP address:RuntimeWarning")
def test_dask_ingest_matches_single_process(corpus, reference, extractor, tmp_path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    from frontlines.distributed import ingest_dask

    db = tmp_path / "dask.db"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, open_store(db) as store:
        report = ingest_dask([corpus], store, client, batch_size=3, progress=False, in_flight=2)
        assert report.articles == len(reference["articles"]) and report.ok
        assert report.places == len(reference["mentions"]) and report.events == len(reference["events"])
        again = ingest_dask([corpus], store, client, batch_size=3, progress=False)
        assert again.articles == 0 and again.duplicates == len(reference["articles"])
    assert content(db) == reference


class _Interrupt(Exception):
    pass


class _FailingStore:
    """A store that dies while writing its second batch, like a killed process."""

    def __init__(self, store) -> None:  # type: ignore[no-untyped-def]
        self.store, self.calls = store, 0

    def known_hashes(self) -> set[str]:
        return self.store.known_hashes()

    def add_extractions(self, extractions):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 2:
            raise _Interrupt
        return self.store.add_extractions(extractions)


def test_interrupted_ingest_resumes(corpus, reference, extractor, tmp_path) -> None:
    db = tmp_path / "resume.db"
    with open_store(db) as store:
        with pytest.raises(_Interrupt):
            ingest([corpus], _FailingStore(store), extractor, batch_size=4, progress=False)
        assert store.stats()["articles"] == 4  # the first batch, whole; nothing of the second
        done: list[tuple[str, str]] = []
        report = ingest([corpus], store, extractor, batch_size=4, progress=False, on_item=lambda w, s: done.append((w, s)))
    n = len(reference["articles"])
    assert (report.articles, report.duplicates) == (n - 4, 4)
    assert sum(s == "already stored" for _, s in done) == 4  # skipped by hash, before any extraction
    assert content(db) == reference


def test_progress_bar_counts_articles(corpus, extractor, tmp_path, capsys) -> None:
    with open_store(tmp_path / "p.db") as store:
        ingest([corpus], store, extractor, batch_size=4, progress=True)
    err = capsys.readouterr().err
    n = len(list(corpus.iterdir()))
    assert f"{n}/{n}" in err and "article/s" in err


def test_count_articles(corpus, tmp_path) -> None:
    assert count_articles([corpus]) == len(list(corpus.iterdir()))
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    assert count_articles([corpus, tmp_path]) is None  # records in JSON Lines are not counted ahead
    assert count_articles([tmp_path / "missing"]) == 0


def test_cli_ingest_on_a_local_dask_cluster(corpus, reference, tmp_path) -> None:
    """Real worker processes, as `frontlines ingest --dask local` starts them."""
    pytest.importorskip("dask.distributed")
    from frontlines.cli import main

    small = tmp_path / "small"
    small.mkdir()
    for f in sorted(corpus.iterdir())[:3]:
        shutil.copy(f, small / f.name)
    db = tmp_path / "cli.db"
    r = CliRunner().invoke(main, ["-q", "ingest", "--db", str(db), "--dask", "local", "--batch-size", "2",
                                  "--no-progress", str(small)])
    assert r.exit_code == 0, r.output
    assert "3 articles stored" in r.output
    got = content(db)
    hashes = {a[0] for a in got["articles"]}
    assert got["events"] == [e for e in reference["events"] if e[0] in hashes]
    assert got["mentions"] == [m for m in reference["mentions"] if m[0] in hashes]
