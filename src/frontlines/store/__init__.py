"""Storage: one interface, chosen by URL or path; nothing outside this package writes SQL.

>>> store = open_store("frontlines.db")            # SQLite file
>>> store = open_store("postgresql://host/db")     # PostgreSQL/PostGIS (see store/postgres.py)
"""

from __future__ import annotations

import os
from pathlib import Path

from frontlines.store.base import Filters, Store, StoreError
from frontlines.store.sqlite import SQLiteStore

__all__ = ["Filters", "Store", "StoreError", "SQLiteStore", "open_store", "default_db"]


def default_db() -> str:
    """``$FRONTLINES_DB``, else ``frontlines.db`` in the user's data directory."""
    env = os.environ.get("FRONTLINES_DB")
    if env:
        return env
    import platformdirs

    return str(Path(platformdirs.user_data_dir("frontlines", appauthor=False)) / "frontlines.db")


def open_store(db: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> Store:
    """Open (creating if needed) the store at ``db``: a path or ``sqlite:///path``, or a PostgreSQL URL."""
    target = str(db) if db else default_db()
    if target.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from frontlines.store.postgres import PostgresStore

        return PostgresStore(target, readonly=readonly)
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    return SQLiteStore(target, readonly=readonly)
