"""Where shipped data and per-user caches live."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def geodata_dir() -> Path:
    """The project's ``geodata/`` (shipped inside the wheel as ``frontlines/geodata``)."""
    for candidate in (PACKAGE_DIR / "geodata", PACKAGE_DIR.parent.parent / "geodata"):
        if (candidate / "country_names.csv").exists():
            return candidate
    return PACKAGE_DIR / "geodata"


def sample_dir() -> Path:
    """The bundled sample corpus: ``articles/NNN.json`` and ``gold/NNN.json``."""
    return PACKAGE_DIR / "data" / "sample"


def cache_dir() -> Path:
    env = os.environ.get("FRONTLINES_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("frontlines", appauthor=False))


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("frontlines", appauthor=False))
