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
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from frontlines.dates import precision_interval
from frontlines.records import GEO_PRECISION
from frontlines.store.base import Filters, IngestResult, Store, StoreError

if TYPE_CHECKING:  # pragma: no cover
    from frontlines.records import Extraction

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    ext_id TEXT,
    title TEXT,
    url TEXT,
    source TEXT,
    published TEXT,
    published_from TEXT NOT NULL,
    path TEXT,
    text TEXT NOT NULL,
    n_places INTEGER NOT NULL DEFAULT 0,
    n_events INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS places (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL DEFAULT '',
    lat REAL,
    lon REAL
);
CREATE TABLE IF NOT EXISTS mentions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    place_id TEXT NOT NULL REFERENCES places(id),
    surface TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    score REAL NOT NULL,
    mention TEXT NOT NULL DEFAULT 'name',
    sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    mention_id INTEGER REFERENCES mentions(id),
    place_id TEXT NOT NULL REFERENCES places(id),
    type TEXT NOT NULL,
    date TEXT,
    date_precision TEXT,
    date_lo TEXT,
    date_hi TEXT,
    actor TEXT NOT NULL DEFAULT '',
    side TEXT NOT NULL DEFAULT 'unknown',
    controller_after TEXT,
    confidence REAL NOT NULL DEFAULT 0.5,
    fatalities INTEGER,
    trigger TEXT NOT NULL DEFAULT '',
    sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL CHECK (target IN ('mention', 'event')),
    content_hash TEXT NOT NULL,
    target_key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    author TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article_id);
CREATE INDEX IF NOT EXISTS mentions_place ON mentions(place_id);
CREATE INDEX IF NOT EXISTS events_article ON events(article_id);
CREATE INDEX IF NOT EXISTS events_place ON events(place_id);
CREATE INDEX IF NOT EXISTS events_date ON events(date_lo, date_hi);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _mention_key(start: int, end: int) -> str:
    """Corrections address a mention by article hash and span, so they survive re-ingest."""
    return f"{start}:{end}"


def _event_key(place_start: int, place_end: int, type_: str, sentence_start: int) -> str:
    return f"{place_start}:{place_end}:{type_}:{sentence_start}"


class SQLiteStore(Store):
    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.url = str(self.path)
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
            (
                h,
                ex.id,
                ex.title,
                ex.article.url,
                ex.article.source,
                ex.published,
                ex.published_from,
                ex.article.path,
                ex.text,
                len(ex.places),
                len(ex.events),
                _now(),
            ),
        )
        article_id = int(cur.lastrowid or 0)
        sentences = ex.sentences
        mention_ids: dict[tuple[int, int], int] = {}
        for p in ex.places:
            place_id = self._upsert_place(cur, p)
            s0, s1 = _sentence_of(sentences, p.start, len(ex.text))
            cur.execute(
                'INSERT INTO mentions(article_id, place_id, surface, start, "end", score, mention, sentence_start,'
                " sentence_end) VALUES (?,?,?,?,?,?,?,?,?)",
                (article_id, place_id, p.surface, p.start, p.end, p.score, p.mention, s0, s1),
            )
            mention_ids[(p.start, p.end)] = int(cur.lastrowid or 0)
        for e in ex.events:
            place_id = self._upsert_place(cur, e.place)
            lo, hi = precision_interval(e.date, e.date_precision)
            s1 = e.sentence_start + len(e.sentence)
            cur.execute(
                "INSERT INTO events(article_id, mention_id, place_id, type, date, date_precision, date_lo, date_hi,"
                " actor, side, controller_after, confidence, fatalities, trigger, sentence_start, sentence_end)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article_id,
                    mention_ids.get((e.place.start, e.place.end)),
                    place_id,
                    e.type,
                    e.date,
                    e.date_precision,
                    lo,
                    hi,
                    e.actor,
                    e.side,
                    e.controller_after,
                    e.confidence,
                    e.fatalities,
                    e.trigger,
                    e.sentence_start,
                    s1,
                ),
            )
        result.stored += 1
        result.places += len(ex.places)
        result.events += len(ex.events)
        result.ids.append(article_id)

    @staticmethod
    def _upsert_place(cur: sqlite3.Cursor, p: Any) -> str:
        place_id = p.gazetteer_id or f"unresolved:{p.country}:{p.name.lower()}"
        cur.execute(
            "INSERT OR IGNORE INTO places(id, name, kind, country, admin1, lat, lon) VALUES (?,?,?,?,?,?,?)",
            (place_id, p.name, p.kind, p.country, p.admin1, p.lat, p.lon),
        )
        return place_id

    def add_correction(
        self, target: str, target_id: int, field_name: str, value: str | None, author: str = "", note: str = ""
    ) -> int:
        if target not in ("mention", "event"):
            raise StoreError(f"unknown correction target {target!r}: use 'mention' or 'event'")
        allowed = CORRECTABLE[target]
        if field_name not in allowed:
            raise StoreError(f"cannot correct {target} field {field_name!r}; correctable: {', '.join(allowed)}")
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

    def points(self, filters: Filters = Filters()) -> pd.DataFrame:
        ev = self._event_rows(filters)
        frames = [ev]
        if filters.include_mentions and (not filters.event_types or "mention" in filters.event_types):
            frames.append(self._mention_rows(filters))
        frames = [f for f in frames if not f.empty]
        if not frames:
            return _empty_points()
        df = pd.concat(frames, ignore_index=True)
        df = self._apply_corrections(df)
        df = _post_filter(df, filters)
        df["geo_precision"] = df["kind"].map(GEO_PRECISION).fillna("city")
        return df.sort_values(["date", "article_id", "place_start"], na_position="last").reset_index(drop=True)

    def events(self, filters: Filters = Filters()) -> pd.DataFrame:
        f = Filters(**{**filters.__dict__, "include_mentions": False})
        df = self.points(f)
        return df[df["layer"] == "event"].reset_index(drop=True)

    _POINT_COLS = (
        "a.id AS article_id, a.title, a.url, a.source, a.published, a.content_hash,"
        " p.id AS gazetteer_id, p.name, p.kind, p.country, p.admin1, p.lat, p.lon,"
    )

    def _where(self, filters: Filters, date_lo: str, date_hi: str, alias: str) -> tuple[str, list[Any]]:
        clauses = ["p.lat IS NOT NULL"]
        params: list[Any] = []
        if filters.date_from:
            clauses.append(f"{date_hi} >= ?")
            params.append(filters.date_from)
        if filters.date_to:
            clauses.append(f"{date_lo} <= ?")
            params.append(filters.date_to)
        if filters.countries:
            clauses.append(f"p.country IN ({','.join('?' * len(filters.countries))})")
            params.extend(filters.countries)
        if filters.sources:
            clauses.append(f"a.source IN ({','.join('?' * len(filters.sources))})")
            params.extend(filters.sources)
        return " AND ".join(clauses), params

    def _event_rows(self, filters: Filters) -> pd.DataFrame:
        where, params = self._where(filters, "e.date_lo", "e.date_hi", "e")
        sql = (
            "SELECT 'event' AS layer, e.id AS event_id, e.mention_id, " + self._POINT_COLS + " COALESCE(m.surface, p.name) AS surface, m.start AS place_start,"
            ' m."end" AS place_end, COALESCE(m.score, e.confidence) AS score, COALESCE(m.mention, \'name\') AS mention,'
            " e.type AS event_type, e.date, e.date_precision, e.date_lo, e.date_hi, e.actor, e.side,"
            " e.controller_after, e.confidence, e.fatalities, e.trigger, e.sentence_start, e.sentence_end,"
            " substr(a.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) AS sentence"
            " FROM events e JOIN articles a ON a.id = e.article_id JOIN places p ON p.id = e.place_id"
            " LEFT JOIN mentions m ON m.id = e.mention_id WHERE " + where
        )
        return self._df(sql, params)

    def _mention_rows(self, filters: Filters) -> pd.DataFrame:
        # a plain mention carries its article's date: the week it was reported
        where, params = self._where(filters, "a.published", "a.published", "m")
        if not filters.include_adjectives:
            where += " AND m.mention = 'name'"
        sql = (
            "SELECT 'mention' AS layer, NULL AS event_id, m.id AS mention_id, " + self._POINT_COLS + " m.surface,"
            ' m.start AS place_start, m."end" AS place_end, m.score, m.mention, \'mention\' AS event_type,'
            " a.published AS date, CASE WHEN a.published IS NULL THEN NULL ELSE 'week' END AS date_precision,"
            " a.published AS date_lo, a.published AS date_hi, '' AS actor, '' AS side, NULL AS controller_after,"
            " m.score AS confidence, NULL AS fatalities, '' AS trigger, m.sentence_start, m.sentence_end,"
            " substr(a.text, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS sentence"
            " FROM mentions m JOIN articles a ON a.id = m.article_id JOIN places p ON p.id = m.place_id"
            " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.mention_id = m.id) AND " + where
        )
        return self._df(sql, params)

    def _apply_corrections(self, df: pd.DataFrame) -> pd.DataFrame:
        corr = self._df("SELECT * FROM corrections ORDER BY id")
        if corr.empty or df.empty:
            return df
        df = df.copy()
        df["_mkey"] = df["place_start"].astype("Int64").astype(str) + ":" + df["place_end"].astype("Int64").astype(str)
        df["_ekey"] = (
            df["place_start"].fillna(-1).astype(int).astype(str)
            + ":"
            + df["place_end"].fillna(-1).astype(int).astype(str)
            + ":"
            + df["event_type"].astype(str)
            + ":"
            + df["sentence_start"].astype(str)
        )
        drop = pd.Series(False, index=df.index)
        df["corrected"] = ""
        for c in corr.itertuples():
            if c.target == "mention":
                sel = (df["content_hash"] == c.content_hash) & (df["_mkey"] == c.target_key)
            else:
                sel = (df["content_hash"] == c.content_hash) & (df["_ekey"] == c.target_key) & (df["layer"] == "event")
            if not sel.any():
                continue
            df.loc[sel, "corrected"] = df.loc[sel, "corrected"] + f"{c.field} by {c.author or 'analyst'} {c.created_at}; "
            if c.field == "rejected":
                drop |= sel
            elif c.field == "place" and c.value:
                place = json.loads(c.value)
                for col in ("name", "lat", "lon", "country", "kind", "admin1"):
                    if col in place:
                        df.loc[sel, col] = place[col]
                df.loc[sel, "gazetteer_id"] = place.get("gazetteer_id") or place.get("id")
            elif c.field == "type":
                df.loc[sel, "event_type"] = c.value
            elif c.field in ("side", "controller_after", "actor"):
                df.loc[sel, c.field] = c.value
            elif c.field == "date":
                value = json.loads(c.value) if c.value and c.value.startswith("{") else {"date": c.value}
                prec = value.get("date_precision") or "day"
                lo, hi = precision_interval(value["date"], prec)
                df.loc[sel, ["date", "date_precision", "date_lo", "date_hi"]] = [value["date"], prec, lo, hi]
        df = df[~drop]
        return df.drop(columns=["_mkey", "_ekey"])

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


CORRECTABLE = {
    "mention": ("place", "rejected"),
    "event": ("place", "rejected", "type", "side", "controller_after", "actor", "date"),
}


class _PlaceLike:
    def __init__(self, d: dict[str, Any]) -> None:
        self.gazetteer_id = d.get("gazetteer_id") or d.get("id")
        self.name = d.get("name", "")
        self.kind = d.get("kind", "city")
        self.country = d.get("country", "")
        self.admin1 = d.get("admin1", "")
        self.lat = d.get("lat")
        self.lon = d.get("lon")


def _sentence_of(sentences: Sequence[tuple[int, int]], pos: int, n: int) -> tuple[int, int]:
    import bisect

    if not sentences:
        return 0, n
    i = bisect.bisect_right([s for s, _ in sentences], pos) - 1
    if i < 0:
        return 0, sentences[0][1]
    return sentences[i]


def _post_filter(df: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Filters that must see corrected values (type, side, confidence, search)."""
    if df.empty:
        return df
    if filters.event_types:
        df = df[df["event_type"].isin(list(filters.event_types))]
    if filters.sides:
        df = df[df["side"].isin(list(filters.sides)) | (df["layer"] == "mention")]
    if filters.min_confidence:
        df = df[df["confidence"].fillna(0) >= filters.min_confidence]
    if filters.countries:
        df = df[df["country"].isin(list(filters.countries))]
    if filters.search:
        needle = filters.search.lower()
        hay = (df["name"].fillna("") + " " + df["surface"].fillna("") + " " + df["sentence"].fillna("")).str.lower()
        df = df[hay.str.contains(needle, regex=False)]
    return df


def _empty_points() -> pd.DataFrame:
    cols = [
        "layer", "event_id", "mention_id", "article_id", "title", "url", "source", "published", "content_hash",
        "gazetteer_id", "name", "kind", "country", "admin1", "lat", "lon", "surface", "place_start", "place_end",
        "score", "mention", "event_type", "date", "date_precision", "date_lo", "date_hi", "actor", "side",
        "controller_after", "confidence", "fatalities", "trigger", "sentence_start", "sentence_end", "sentence",
        "geo_precision",
    ]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
