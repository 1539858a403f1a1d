"""Back-end-neutral parts of the store: keys, correction rules, filters applied after SQL, point tables.

SQLite (store/sqlite.py) and PostgreSQL (store/postgres.py) build the same rows with their own SQL and
hand them to these functions, so corrections and filters mean exactly the same on both.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from frontlines.dates import precision_interval
from frontlines.records import GEO_PRECISION
from frontlines.store.base import Filters

SCHEMA_VERSION = 1

#: fields an analyst may correct, per target
CORRECTABLE = {
    "mention": ("place", "rejected"),
    "event": ("place", "rejected", "type", "side", "controller_after", "actor", "date"),
}

POINT_COLUMNS = [
    "layer", "event_id", "mention_id", "article_id", "title", "url", "source", "published", "content_hash",
    "gazetteer_id", "name", "kind", "country", "admin1", "lat", "lon", "surface", "place_start", "place_end",
    "score", "mention", "event_type", "date", "date_precision", "date_lo", "date_hi", "actor", "side",
    "controller_after", "confidence", "fatalities", "trigger", "sentence_start", "sentence_end", "sentence",
    "geo_precision",
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _mention_key(start: int, end: int) -> str:
    """Corrections address a mention by article hash and span, so they survive re-ingest."""
    return f"{start}:{end}"


def _event_key(place_start: int, place_end: int, type_: str, sentence_start: int) -> str:
    return f"{place_start}:{place_end}:{type_}:{sentence_start}"


def place_id_of(p: Any) -> str:
    """The places table's key for a Place (or anything with the same attributes)."""
    return p.gazetteer_id or f"unresolved:{p.country}:{p.name.lower()}"


def place_row(p: Any) -> tuple[Any, ...]:
    """(id, name, kind, country, admin1, lat, lon) for the places table."""
    return (place_id_of(p), p.name, p.kind, p.country, p.admin1, p.lat, p.lon)


def article_row(ex: Any, ingested_at: str) -> tuple[Any, ...]:
    """The articles table's columns after ``id``, in schema order."""
    return (
        ex.article.content_hash, ex.id, ex.title, ex.article.url, ex.article.source, ex.published,
        ex.published_from, ex.article.path, ex.text, len(ex.places), len(ex.events), ingested_at,
    )


def mention_rows(ex: Any) -> list[tuple[Any, ...]]:
    """(place_id, surface, start, end, score, mention, sentence_start, sentence_end) per place mention."""
    sentences = ex.sentences
    out = []
    for p in ex.places:
        s0, s1 = _sentence_of(sentences, p.start, len(ex.text))
        out.append((place_id_of(p), p.surface, p.start, p.end, p.score, p.mention, s0, s1))
    return out


def event_rows(ex: Any) -> list[tuple[Any, ...]]:
    """((place_start, place_end), place_id, type, date, date_precision, date_lo, date_hi, actor, side,
    controller_after, confidence, fatalities, trigger, sentence_start, sentence_end) per event."""
    out = []
    for e in ex.events:
        lo, hi = precision_interval(e.date, e.date_precision)
        s1 = e.sentence_start + len(e.sentence)
        out.append((
            (e.place.start, e.place.end), place_id_of(e.place), e.type, e.date, e.date_precision, lo, hi, e.actor,
            e.side, e.controller_after, e.confidence, e.fatalities, e.trigger, e.sentence_start, s1,
        ))
    return out


def check_correction(target: str, field_name: str) -> None:
    from frontlines.store.base import StoreError

    if target not in ("mention", "event"):
        raise StoreError(f"unknown correction target {target!r}: use 'mention' or 'event'")
    allowed = CORRECTABLE[target]
    if field_name not in allowed:
        raise StoreError(f"cannot correct {target} field {field_name!r}; correctable: {', '.join(allowed)}")


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
    if not sentences:
        return 0, n
    i = bisect.bisect_right([s for s, _ in sentences], pos) - 1
    if i < 0:
        return 0, sentences[0][1]
    return sentences[i]


# --- reading -----------------------------------------------------------------------------------------

POINT_SELECT = (
    "a.id AS article_id, a.title, a.url, a.source, a.published, a.content_hash,"
    " p.id AS gazetteer_id, p.name, p.kind, p.country, p.admin1, p.lat, p.lon,"
)


def where_clause(filters: Filters, date_lo: str, date_hi: str, ph: str = "?") -> tuple[str, list[Any]]:
    """The SQL-side filters (dates, countries, sources) with ``ph`` as the placeholder; values stay parameters."""
    clauses = ["p.lat IS NOT NULL"]
    params: list[Any] = []
    if filters.date_from:
        clauses.append(f"{date_hi} >= {ph}")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append(f"{date_lo} <= {ph}")
        params.append(filters.date_to)
    if filters.countries:
        clauses.append(f"p.country IN ({','.join([ph] * len(filters.countries))})")
        params.extend(filters.countries)
    if filters.sources:
        clauses.append(f"a.source IN ({','.join([ph] * len(filters.sources))})")
        params.extend(filters.sources)
    return " AND ".join(clauses), params


def event_sql(where: str) -> str:
    return (
        "SELECT 'event' AS layer, e.id AS event_id, e.mention_id, " + POINT_SELECT + " COALESCE(m.surface, p.name) AS surface, m.start AS place_start,"
        ' m."end" AS place_end, COALESCE(m.score, e.confidence) AS score, COALESCE(m.mention, \'name\') AS mention,'
        " e.type AS event_type, e.date, e.date_precision, e.date_lo, e.date_hi, e.actor, e.side,"
        " e.controller_after, e.confidence, e.fatalities, e.trigger, e.sentence_start, e.sentence_end,"
        " substr(a.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) AS sentence"
        " FROM events e JOIN articles a ON a.id = e.article_id JOIN places p ON p.id = e.place_id"
        " LEFT JOIN mentions m ON m.id = e.mention_id WHERE " + where + " ORDER BY e.id"
    )


def mention_sql(where: str, include_adjectives: bool) -> str:
    # a plain mention carries its article's date: the week it was reported
    if not include_adjectives:
        where += " AND m.mention = 'name'"
    return (
        "SELECT 'mention' AS layer, NULL AS event_id, m.id AS mention_id, " + POINT_SELECT + " m.surface,"
        ' m.start AS place_start, m."end" AS place_end, m.score, m.mention, \'mention\' AS event_type,'
        " a.published AS date, CASE WHEN a.published IS NULL THEN NULL ELSE 'week' END AS date_precision,"
        " a.published AS date_lo, a.published AS date_hi, '' AS actor, '' AS side, NULL AS controller_after,"
        " m.score AS confidence, NULL AS fatalities, '' AS trigger, m.sentence_start, m.sentence_end,"
        " substr(a.text, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS sentence"
        " FROM mentions m JOIN articles a ON a.id = m.article_id JOIN places p ON p.id = m.place_id"
        " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.mention_id = m.id) AND " + where + " ORDER BY m.id"
    )


def wants_mentions(filters: Filters) -> bool:
    return filters.include_mentions and (not filters.event_types or "mention" in filters.event_types)


def finish_points(frames: Sequence[pd.DataFrame], corrections: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Event and mention rows -> the points table: corrections applied, post-filtered, sorted."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _empty_points()
    df = pd.concat(frames, ignore_index=True)
    df = apply_corrections(df, corrections)
    df = _post_filter(df, filters)
    df["geo_precision"] = df["kind"].map(GEO_PRECISION).fillna("city")
    # rows come in id order from both back-ends and the sort is stable: ties keep that order
    return df.sort_values(["date", "article_id", "place_start"], na_position="last", kind="stable").reset_index(drop=True)


def apply_corrections(df: pd.DataFrame, corr: pd.DataFrame) -> pd.DataFrame:
    """Apply the corrections table (oldest first; later ones win) to point rows.

    Only rows of corrected articles are looked at; each column is rewritten once, whatever the number of
    corrections, so 100 corrections cost the same on 200 points as on 200,000.
    """
    if corr.empty or df.empty:
        return df
    df = df.copy(deep=False)  # copy-on-write: the columns we set are copied, the rest shared
    n = len(df)
    hit = np.flatnonzero(df["content_hash"].isin(set(corr["content_hash"])).to_numpy())
    corrected = [""] * n
    if not len(hit):
        df["corrected"] = corrected
        return df
    sub = df.iloc[hit]
    starts = sub["place_start"].astype("Int64").astype(str).tolist()
    ends = sub["place_end"].astype("Int64").astype(str).tolist()
    e_starts = sub["place_start"].fillna(-1).astype(int).astype(str).tolist()
    e_ends = sub["place_end"].fillna(-1).astype(int).astype(str).tolist()
    types = sub["event_type"].astype(str).tolist()
    sent = sub["sentence_start"].astype(str).tolist()
    # rows addressed by each key (keys use the values before any correction, as they were stored)
    by_mention: dict[tuple[str, str], list[int]] = {}
    by_event: dict[tuple[str, str], list[int]] = {}
    for i, (pos, h, layer) in enumerate(zip(hit.tolist(), sub["content_hash"], sub["layer"], strict=True)):
        by_mention.setdefault((h, f"{starts[i]}:{ends[i]}"), []).append(pos)
        if layer == "event":
            by_event.setdefault((h, f"{e_starts[i]}:{e_ends[i]}:{types[i]}:{sent[i]}"), []).append(pos)
    drop: set[int] = set()
    updates: dict[str, dict[int, Any]] = {}  # column -> row position -> value (later corrections win)

    def put(col: str, rows: list[int], value: Any) -> None:
        col_updates = updates.setdefault(col, {})
        for r in rows:
            col_updates[r] = value

    for c in corr.itertuples():
        index = by_mention if c.target == "mention" else by_event
        rows = index.get((c.content_hash, c.target_key))
        if not rows:
            continue
        note = f"{c.field} by {c.author or 'analyst'} {c.created_at}; "
        for r in rows:
            corrected[r] += note
        if c.field == "rejected":
            drop.update(rows)
        elif c.field == "place" and c.value:
            place = json.loads(c.value)
            for col in ("name", "lat", "lon", "country", "kind", "admin1"):
                if col in place:
                    put(col, rows, place[col])
            put("gazetteer_id", rows, place.get("gazetteer_id") or place.get("id"))
        elif c.field == "type":
            put("event_type", rows, c.value)
        elif c.field in ("side", "controller_after", "actor"):
            put(c.field, rows, c.value)
        elif c.field == "date":
            value = json.loads(c.value) if c.value and c.value.startswith("{") else {"date": c.value}
            prec = value.get("date_precision") or "day"
            lo, hi = precision_interval(value["date"], prec)
            for col, v in (("date", value["date"]), ("date_precision", prec), ("date_lo", lo), ("date_hi", hi)):
                put(col, rows, v)
    df["corrected"] = corrected
    for col, col_updates in updates.items():
        positions = list(col_updates)
        values = list(col_updates.values())
        j = df.columns.get_loc(col)
        if len(set(map(type, values))) == 1 and len(values) > 1:
            df.iloc[positions, j] = values
        else:  # mixed types (a None among strings): one at a time, as pandas would upcast
            for r, v in zip(positions, values, strict=True):
                df.iloc[r, j] = v
    if drop:
        keep = np.ones(n, dtype=bool)
        keep[list(drop)] = False
        df = df[keep]
    return df


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
    return pd.DataFrame({c: pd.Series(dtype="object") for c in POINT_COLUMNS})
