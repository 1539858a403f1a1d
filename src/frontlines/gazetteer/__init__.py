"""The offline gazetteer: built once from registry packages and ``geodata/``, then read-only.

>>> from frontlines.gazetteer import load_gazetteer
>>> gaz = load_gazetteer()             # builds on first use (about a minute), then opens in < 1 s
>>> gaz.lookup("Deir Al-Zor")[0].entry.name
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

from frontlines.gazetteer.build import build, source_fingerprint
from frontlines.gazetteer.index import Candidate, Gazetteer, haversine_km, importance
from frontlines.gazetteer.normalize import name_key, skeleton
from frontlines.paths import cache_dir, data_dir

log = logging.getLogger(__name__)

__all__ = [
    "Candidate", "Gazetteer", "default_path", "extra_path", "haversine_km", "importance", "load_gazetteer",
    "name_key", "skeleton",
]

_lock = threading.Lock()
_loaded: dict[str, Gazetteer] = {}


def default_path() -> Path:
    env = os.environ.get("FRONTLINES_GAZETTEER")
    return Path(env) if env else cache_dir() / "gazetteer.sqlite"


def extra_path() -> Path:
    """GeoNames dumps the user imported live here, apart from the rebuildable base."""
    env = os.environ.get("FRONTLINES_GAZETTEER_EXTRA")
    return Path(env) if env else data_dir() / "gazetteer-imported.sqlite"


def _fingerprint_of(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            conn.close()
        return row[0] if row else None
    except sqlite3.Error:
        return None


def ensure_built(path: Path | None = None, *, force: bool = False, progress: bool = False) -> Path:
    """Build the gazetteer if missing or stale. Concurrent processes wait for one builder (file lock)."""
    import fcntl

    path = path or default_path()

    def stale() -> bool:
        return force or not path.exists() or _fingerprint_of(path) != source_fingerprint()

    if not stale():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if stale():  # another process may have built it while we waited
                log.warning("building the offline gazetteer at %s (first run only; about 30 s)", path)
                build(path, progress=progress)
                force = False
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path


def load_gazetteer(path: Path | None = None, *, progress: bool = False) -> Gazetteer:
    """The process-wide gazetteer, built if missing or out of date."""
    path = path or default_path()
    key = str(path)
    with _lock:
        if key not in _loaded:
            ensure_built(path, progress=progress)
            _loaded[key] = Gazetteer(path, extra_path())
        return _loaded[key]


def reset() -> None:
    """Forget loaded gazetteers (after an import, or in tests)."""
    with _lock:
        for g in _loaded.values():
            g.close()
        _loaded.clear()
