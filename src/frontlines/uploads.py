"""Articles uploaded through the dashboard: safe names, the same reading and extraction as ``ingest``,
and a per-file report (stored / already there / skipped and why).

Uploads are read from memory (``frontlines.articles.read_bytes``): nothing is written to disk but the
store, and a file's name is only ever used as a label, after :func:`safe_name` has reduced it to a plain
base name (no directories, no ``..``, no absolute paths, no control characters).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

from frontlines.articles import SUPPORTED, Skipped, read_bytes
from frontlines.records import Article
from frontlines.store.base import Store

log = logging.getLogger(__name__)

#: what the dashboard's uploader accepts (extensions without the dot)
UPLOAD_TYPES = ("txt", "html", "htm", "json", "jsonl", "csv", "zip")


class UnsafeName(ValueError):
    """An upload's name tries to leave its folder or is otherwise unusable."""


def safe_name(name: str) -> str:
    """The base name of an upload, or :class:`UnsafeName`.

    Refused: empty names, absolute paths (POSIX, Windows drive or UNC), any ``..`` component, names that
    are only dots, and names with control characters. Directory parts of a relative name are dropped.
    """
    raw = unicodedata.normalize("NFC", str(name or "")).strip()
    if not raw:
        raise UnsafeName("the file has no name")
    if any(unicodedata.category(c) == "Cc" for c in raw):
        raise UnsafeName("the file name contains control characters")
    posix, win = PurePosixPath(raw), PureWindowsPath(raw)
    if posix.is_absolute() or win.is_absolute() or win.drive or raw.startswith(("/", "\\")):
        raise UnsafeName("absolute paths are refused: upload the file itself")
    parts = re.split(r"[\\/]+", raw)
    if any(p == ".." for p in parts):
        raise UnsafeName("'..' in a file name is refused")
    base = parts[-1].strip()
    if not base or set(base) <= {"."}:
        raise UnsafeName("the file has no usable name")
    return base[:200]


@dataclass
class FileReport:
    """What happened to one uploaded file."""

    name: str
    stored: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)  # "where: reason"
    places: int = 0
    events: int = 0
    refused: str = ""  # the whole file was refused (unsafe name, unsupported type)

    @property
    def status(self) -> str:
        if self.refused:
            return "refused"
        if self.stored:
            return "stored"
        if self.duplicates and not self.skipped:
            return "already stored"
        if self.skipped:
            return "skipped"
        return "nothing to store"

    @property
    def detail(self) -> str:
        if self.refused:
            return self.refused
        bits = []
        if self.stored:
            bits.append(f"{self.stored} article{'s' if self.stored != 1 else ''} stored "
                        f"({self.places} place mentions, {self.events} events)")
        if self.duplicates:
            bits.append(f"{self.duplicates} already in the store")
        if self.skipped:
            shown = "; ".join(self.skipped[:3])
            more = f" (+{len(self.skipped) - 3} more)" if len(self.skipped) > 3 else ""
            bits.append(f"{len(self.skipped)} skipped: {shown}{more}")
        return ", ".join(bits) or "no articles found in the file"


@dataclass
class UploadReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return sum(f.stored for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(len(f.skipped) + (1 if f.refused else 0) for f in self.files)

    def rows(self) -> list[dict[str, object]]:
        """One row per file, for a table."""
        return [{"file": f.name, "status": f.status, "detail": f.detail} for f in self.files]

    def summary(self) -> str:
        return (f"{self.stored} article{'s' if self.stored != 1 else ''} stored, {self.duplicates} already there, "
                f"{self.skipped} skipped, from {len(self.files)} file{'s' if len(self.files) != 1 else ''}")


def ingest_uploads(
    files: Iterable[tuple[str, bytes]],
    store: Store,
    extractor: object,
    *,
    batch_size: int = 16,
    progress: Callable[[float, str], None] | None = None,
) -> UploadReport:
    """Read, extract and store uploaded files given as (name, bytes); one report line per file.

    ``progress(fraction, message)`` is called as files are processed. Articles already in the store (same
    text) are counted, not stored again. Each batch is written whole or not at all.
    """
    items = list(files)
    report = UploadReport()
    known: set[str] = store.known_hashes() if hasattr(store, "known_hashes") else set()  # type: ignore[attr-defined]
    seen: set[str] = set()
    total = max(len(items), 1)
    for i, (name, data) in enumerate(items):
        try:
            label = safe_name(name)
        except UnsafeName as exc:
            fr = FileReport(name=_printable(name), refused=str(exc))
            report.files.append(fr)
            log.warning("refused upload %r: %s", name, exc)
            _tick(progress, (i + 1) / total, f"refused {fr.name}")
            continue
        fr = FileReport(name=label)
        report.files.append(fr)
        ext = PurePosixPath(label).suffix.lower()
        if ext not in SUPPORTED:
            fr.refused = f"unsupported file type '{ext or 'none'}' (use .txt, .html, .json, .jsonl, .csv or .zip)"
            _tick(progress, (i + 1) / total, f"refused {label}")
            continue
        _tick(progress, i / total, f"reading {label}")

        def fresh(fr: FileReport = fr, label: str = label, data: bytes = data) -> Iterator[Article]:
            for item in read_bytes(bytes(data), label):
                if isinstance(item, Skipped):
                    fr.skipped.append(str(item))
                    continue
                h = item.content_hash
                if h in known or h in seen:
                    fr.duplicates += 1
                    continue
                seen.add(h)
                yield item

        batch: list[Article] = []
        for article in fresh():
            batch.append(article)
            if len(batch) >= batch_size:
                _store_batch(batch, store, extractor, fr)
                batch = []
                _tick(progress, (i + 0.5) / total, f"{label}: {fr.stored} stored")
        if batch:
            _store_batch(batch, store, extractor, fr)
        _tick(progress, (i + 1) / total, f"{label}: {fr.status}")
    log.info("uploads: %s", report.summary())
    return report


def _store_batch(batch: list[Article], store: Store, extractor: object, fr: FileReport) -> None:
    extractions = list(extractor.extract_many(batch))  # type: ignore[attr-defined]
    res = store.add_extractions(extractions)
    fr.stored += res.stored
    fr.duplicates += res.duplicates
    fr.places += res.places
    fr.events += res.events


def _tick(progress: Callable[[float, str], None] | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _printable(name: object) -> str:
    s = "".join(c if unicodedata.category(c) != "Cc" else "?" for c in str(name or ""))
    return s[:200] or "(no name)"
