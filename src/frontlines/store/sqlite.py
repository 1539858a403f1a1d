"""SQLite back-end: plain tables any SQLite tool can open (documented in the README).

WAL mode, one transaction per batch of whole articles, a schema version for migrations, and
parameterised queries only.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from frontlines.store.base import Filters, IngestResult, Store, StoreError
from frontlines.store.common import (  # noqa: F401  (re-exported: older code imports them from here)
    ARTICLE_SQL,
    CORRECTABLE,
    PLACE_SQL,
    SCHEMA_VERSION,
    _empty_points,
    _event_key,
    _mention_key,
    _now,
    _PlaceLike,
    _post_filter,
    _sentence_of,
    apply_corrections,
    article_row,
    check_correction,
    event_rows,
    event_sql,
    fetch_by_id,
    finish_points,
    mention_rows,
    mention_sql,
    place_row,
    point_frames,
    schema,
    wants_mentions,
    where_clause,
)

if TYPE_CHECKING:  # pragma: no cover
    from frontlines.records import Extraction

log = logging.getLogger(__name__)

SCHEMA = schema(id="INTEGER PRIMARY KEY", ref="INTEGER", real="REAL")


class SQLiteStore(Store):
    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        self._has_json: bool | None = None  # SQLite's JSON functions, looked up on first use
        if readonly:
            if not self.path.exists():
                raise StoreError(f"no store at {self.path}: run 'frontlines ingest' first")
            uri = f"file:{self.path}?mode=ro"
            self.conn = sqlite3.connect(
                uri, uri=True, timeout=timeout, check_same_thread=False, isolation_level=None
            )
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(
                    self.path, timeout=timeout, check_same_thread=False, isolation_level=None
                )
            except (OSError, sqlite3.Error) as exc:
                raise StoreError(f"cannot open store {self.path}: {exc}. Check the path or set --db") from exc
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path} is not a Frontlines store ({exc}); choose another --db") from exc

    # --- schema ----------------------------------------------------------------------------------
    def _migrate(self) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                cur.execute(stmt)
        row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            cur.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            cur.execute("ROLLBACK")
            raise StoreError(
                f"{self.path} has schema version {row[0]}, newer than this Frontlines ({SCHEMA_VERSION}): upgrade"
            )
        cur.execute("COMMIT")

    class _Tx:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> sqlite3.Cursor:
            self.cur = self.conn.cursor()
            # IMMEDIATE takes the write lock up front, so two writers queue instead of failing.
            for attempt in range(50):
                try:
                    self.cur.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.2)
            return self.cur

        def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
            if exc_type is None:
                self.cur.execute("COMMIT")
            else:
                self.cur.execute("ROLLBACK")

    def _write(self) -> SQLiteStore._Tx:
        return SQLiteStore._Tx(self.conn)

    # --- writing ---------------------------------------------------------------------------------
    def has_article(self, content_hash: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
        return row is not None

    def known_hashes(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT content_hash FROM articles")}

    def add_extractions(self, extractions: Iterable[Extraction]) -> IngestResult:
        result = IngestResult()
        batch = list(extractions)
        if not batch:
            return result
        with self._write() as cur:
            for ex in batch:
                self._add_one(cur, ex, result)
        return result

    def _add_one(self, cur: sqlite3.Cursor, ex: Extraction, result: IngestResult) -> None:
        h = ex.article.content_hash
        if cur.execute("SELECT 1 FROM articles WHERE content_hash = ?", (h,)).fetchone():
            result.duplicates += 1
            return
        cur.execute(
            "INSERT INTO articles(content_hash, ext_id, title, url, source, published, published_from, path, text,"
            " n_places, n_events, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            article_row(ex, _now()),
        )
        article_id = int(cur.lastrowid or 0)
        mention_ids: dict[tuple[int, int], int] = {}
        for p, row in zip(ex.places, mention_rows(ex), strict=True):
            self._upsert_place(cur, p)
            cur.execute(
                'INSERT INTO mentions(article_id, place_id, surface, start, "end", score, mention, sentence_start,'
                " sentence_end) VALUES (?,?,?,?,?,?,?,?,?)",
                (article_id, *row),
            )
            mention_ids[(row[2], row[3])] = int(cur.lastrowid or 0)
        for e, (span, *row) in zip(ex.events, event_rows(ex), strict=True):
            self._upsert_place(cur, e.place)
            cur.execute(
                "INSERT INTO events(article_id, mention_id, place_id, type, date, date_precision, date_lo, date_hi,"
                " actor, side, controller_after, confidence, fatalities, trigger, sentence_start, sentence_end)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (article_id, mention_ids.get(span), *row),
            )
        result.stored += 1
        result.places += len(ex.places)
        result.events += len(ex.events)
        result.ids.append(article_id)

    @staticmethod
    def _upsert_place(cur: sqlite3.Cursor, p: Any) -> str:
        row = place_row(p)
        cur.execute("INSERT OR IGNORE INTO places(id, name, kind, country, admin1, lat, lon) VALUES (?,?,?,?,?,?,?)", row)
        return str(row[0])

    def add_correction(
        self, target: str, target_id: int, field_name: str, value: str | None, author: str = "", note: str = ""
    ) -> int:
        check_correction(target, field_name)
        table = "mentions" if target == "mention" else "events"
        if target == "mention":
            row = self.conn.execute(
                'SELECT a.content_hash, m.start, m."end" FROM mentions m JOIN articles a ON a.id = m.article_id'
                " WHERE m.id = ?",
                (target_id,),
            ).fetchone()
            key = _mention_key(row[1], row[2]) if row else None
        else:
            row = self.conn.execute(
                f'SELECT a.content_hash, m.start, m."end", e.type, e.sentence_start, e.place_id FROM {table} e'
                " JOIN articles a ON a.id = e.article_id LEFT JOIN mentions m ON m.id = e.mention_id WHERE e.id = ?",
                (target_id,),
            ).fetchone()
            key = _event_key(row[1] or -1, row[2] or -1, row[3], row[4]) if row else None
        if row is None:
            raise StoreError(f"no {target} with id {target_id}")
        if field_name == "place" and value:
            place = json.loads(value)
            with self._write() as cur:
                self._upsert_place(cur, _PlaceLike(place))
        with self._write() as cur:
            cur.execute(
                "INSERT INTO corrections(target, content_hash, target_key, field, value, author, note, created_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (target, row[0], key, field_name, value, author, note, _now()),
            )
            return int(cur.lastrowid or 0)

    # --- reading ---------------------------------------------------------------------------------
    def _df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.conn, params=list(params))

    def _snapshot(self) -> SQLiteStore._Snapshot:
        return SQLiteStore._Snapshot(self.conn)

    class _Snapshot:
        """One read transaction: every query inside sees the same committed state (WAL), so a reader
        never pairs an article's events from before a commit with its mentions from after it."""

        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> None:
            self.own = not self.conn.in_transaction
            if self.own:
                self.conn.execute("BEGIN")

        def __exit__(self, *exc: object) -> None:
            if self.own and self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
        """(column names, rows as plain tuples: sqlite3.Row objects cost more to make and to read)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        rows = cur.execute(sql, list(params)).fetchall()
        return [d[0] for d in cur.description or ()], rows

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._query(sql, params)[1]

    def _json_array(self) -> str | None:
        """``json_array({})`` where SQLite has JSON functions (built in since 3.38), else None."""
        if self._has_json is None:
            try:
                self._has_json = self.conn.execute("SELECT json_array('a', NULL)").fetchone()[0] == '["a",null]'
            except sqlite3.Error:
                self._has_json = False
        return "json_array({})" if self._has_json else None

    def points(self, filters: Filters = Filters()) -> pd.DataFrame:
        with self._snapshot():
            where, params = where_clause(filters, "e.date_lo", "e.date_hi")
            events = self._query(event_sql(where, pack=self._json_array()), params)
            mentions = None
            if wants_mentions(filters):
                where, params = where_clause(filters, "a.published", "a.published")
                mentions = self._query(mention_sql(where, filters.include_adjectives), params)
            frames = point_frames(events, mentions, lambda ids: fetch_by_id(self._rows, ARTICLE_SQL, ids),
                                  lambda ids: fetch_by_id(self._rows, PLACE_SQL, ids))
            corrections = self.corrections()
        return finish_points(frames, corrections, filters)

    def events(self, filters: Filters = Filters()) -> pd.DataFrame:
        f = Filters(**{**filters.__dict__, "include_mentions": False})
        df = self.points(f)
        return df[df["layer"] == "event"].reset_index(drop=True)

    def _apply_corrections(self, df: pd.DataFrame) -> pd.DataFrame:
        return apply_corrections(df, self.corrections())

    def articles(self) -> pd.DataFrame:
        return self._df(
            "SELECT id, ext_id, title, url, source, published, published_from, path, n_places, n_events,"
            " content_hash, ingested_at FROM articles ORDER BY published, id"
        )

    def article(self, article_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return dict(row) if row else None

    def corrections(self) -> pd.DataFrame:
        return self._df("SELECT * FROM corrections ORDER BY id")

    def places(self) -> pd.DataFrame:
        return self._df("SELECT * FROM places ORDER BY name")

    def stats(self) -> dict[str, Any]:
        with self._snapshot():
            return self._stats()

    def _stats(self) -> dict[str, Any]:
        q = self.conn.execute
        span = q("SELECT MIN(d), MAX(d) FROM (SELECT published AS d FROM articles UNION ALL SELECT date FROM events)").fetchone()
        return {
            "articles": q("SELECT COUNT(*) FROM articles").fetchone()[0],
            "mentions": q("SELECT COUNT(*) FROM mentions").fetchone()[0],
            "places": q("SELECT COUNT(*) FROM places").fetchone()[0],
            "events": q("SELECT COUNT(*) FROM events").fetchone()[0],
            "corrections": q("SELECT COUNT(*) FROM corrections").fetchone()[0],
            "date_min": span[0],
            "date_max": span[1],
            "countries": [r[0] for r in q("SELECT DISTINCT country FROM places WHERE country != '' ORDER BY 1")],
            "sources": [r[0] for r in q("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY 1")],
        }

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:  # pragma: no cover
            pass
