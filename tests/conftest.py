"""Shared fixtures. Stores are built with the real pipeline (no stubs): the seed article and a slice
of the bundled sample corpus. The gazetteer is built once per machine in the user cache (or
$FRONTLINES_CACHE)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_ae7b97b737c897ff.txt"


def pytest_configure(config: pytest.Config) -> None:
    # Offline by default: any connection to a non-local address fails the test that makes it.
    if os.environ.get("FRONTLINES_ALLOW_NETWORK"):
        return
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1", "0.0.0.0") or host.startswith("/")
        ) and self.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError(f"network access blocked in tests: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    socket.socket.connect = guarded  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    return SEED


@pytest.fixture(scope="session")
def extractor():
    from frontlines.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def seed_extraction(extractor, seed_path):
    from frontlines.articles import read_paths

    (article,) = list(read_paths([seed_path]))
    return extractor.extract(article)


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory, extractor, seed_path) -> Path:
    """A SQLite store holding the seed article."""
    from frontlines.ingest import ingest
    from frontlines.store import open_store

    db = tmp_path_factory.mktemp("seed") / "seed.db"
    with open_store(db) as store:
        ingest([seed_path], store, extractor, progress=False)
    return db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, extractor) -> Path:
    """A SQLite store holding the seed and the whole bundled sample corpus."""
    from frontlines.ingest import ingest
    from frontlines.paths import sample_dir
    from frontlines.store import open_store

    db = tmp_path_factory.mktemp("sample") / "sample.db"
    paths = [sample_dir() / "articles"]
    if SEED.exists():
        paths.append(SEED)
    with open_store(db) as store:
        ingest(paths, store, extractor, progress=False)
    return db
