"""The store's contract, run on every back-end: SQLite always, PostgreSQL/PostGIS when FRONTLINES_TEST_PG
names a server (``.ci/run`` starts one; ``scripts/pg_test_server.sh start`` does it by hand).

Precise cases use hand-made records; the real pipeline's output is checked to read back the same from
both back-ends.
"""

from __future__ import annotations

import json
import os
import uuid
from urllib.parse import quote

import pandas as pd
import pytest

from frontlines import control
from frontlines.records import Article, Event, Extraction, Place
from frontlines.store import Filters, StoreError, open_store

PG_URL = os.environ.get("FRONTLINES_TEST_PG", "")
PG_SKIP = os.environ.get("FRONTLINES_TEST_PG_UNAVAILABLE") or (
    "FRONTLINES_TEST_PG is not set: no PostgreSQL server to test against "
    "(run 'scripts/pg_test_server.sh start' and export the URL it prints)"
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _pg_schema_url(schema: str) -> str:
    """The test server's URL with its own schema first on the search path (PostGIS stays in public)."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema},public')}"


class Backend:
    """Opens fresh, empty stores of one kind; drops what it made."""

    def __init__(self, kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
        self.kind = kind
        self.tmp_path = tmp_path
        self.schemas: list[str] = []
        self.opened: list = []

    def url(self) -> str:
        if self.kind == "sqlite":
            return str(self.tmp_path / f"{uuid.uuid4().hex[:8]}.db")
        import psycopg

        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        self.schemas.append(schema)
        return _pg_schema_url(schema)

    def open(self, url: str | None = None, **kw):  # type: ignore[no-untyped-def]
        s = open_store(url or self.url(), **kw)
        self.opened.append(s)
        return s

    def cleanup(self) -> None:
        for s in self.opened:
            s.close()
        if self.schemas:
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as conn:
                for schema in self.schemas:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "postgres" and not PG_URL:
        pytest.skip(PG_SKIP)
    b = Backend(request.param, tmp_path)
    yield b
    b.cleanup()


@pytest.fixture
def store(backend):  # type: ignore[no-untyped-def]
    return backend.open()


# --- hand-made records -----------------------------------------------------------------------------

def place(text: str, surface: str, name: str, country: str, lat: float | None, lon: float | None,
          kind: str = "city", gid: str | None = None, score: float = 0.9, mention: str = "name",
          nth: int = 0) -> Place:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Place(surface=surface, start=start, end=start + len(surface), name=name, lat=lat, lon=lon,
                 country=country, kind=kind, gazetteer_id=gid if gid is not None else f"t:{name.lower()}",
                 score=score, mention=mention)


def event(text: str, p: Place, type_: str, date: str | None, precision: str | None, *, side: str = "unknown",
          actor: str = "", controller: str | None = None, confidence: float = 0.5) -> Event:
    s0 = text.rfind(".", 0, p.start) + 1
    while text[s0] == " ":
        s0 += 1
    s1 = text.index(".", p.end) + 1
    return Event(type=type_, place=p, sentence=text[s0:s1], sentence_start=s0, date=date, date_precision=precision,
                 actor=actor, side=side, controller_after=controller, confidence=confidence, trigger=type_)


def sentences_of(text: str) -> tuple[tuple[int, int], ...]:
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == ".":
            out.append((start, i + 1))
            start = i + 2
    return tuple(out)


def extraction(text: str, places: list[Place], events: list[Event], published: str | None, source: str = "Wire",
               ext_id: str | None = None, title: str | None = None) -> Extraction:
    art = Article(text=text, id=ext_id, title=title, url=f"https://example.org/{ext_id}", source=source,
                  published=published, path=f"/corpus/{ext_id}.json")
    return Extraction(article=art, text=text, published=published, published_from="metadata" if published else "none",
                      places=tuple(places), events=tuple(events), title=title, sentences=sentences_of(text))


TEXT_A = (
    "Islamic State fighters captured Raqqa on Monday. "
    "Coalition aircraft struck Mosul during May. "
    "Residents of Raqqa fled."
)
TEXT_B = (
    "Rebels clashed with the army in Aleppo. "
    "Iraqi officials said nothing. "
    "A banner read '; DROP TABLE articles; -- and 100% \"quoted\" in Homs. "
    "Nobody could find Atlantis."
)


def corpus() -> list[Extraction]:
    ra = place(TEXT_A, "Raqqa", "Raqqa", "SY", 35.95, 39.01, gid="t:raqqa")
    mo = place(TEXT_A, "Mosul", "Mosul", "IQ", 36.34, 43.13, gid="t:mosul", score=0.6)
    ra2 = place(TEXT_A, "Raqqa", "Raqqa", "SY", 35.95, 39.01, gid="t:raqqa", nth=1)
    a = extraction(
        TEXT_A, [ra, mo, ra2],
        [
            event(TEXT_A, ra, "capture", "2015-06-08", "day", side="islamic_state", actor="Islamic State fighters",
                  controller="islamic_state", confidence=0.8),
            event(TEXT_A, mo, "airstrike", "2015-05-15", "month", side="coalition", actor="Coalition aircraft",
                  confidence=0.5),
        ],
        "2015-06-10", source="Wire", ext_id="a", title="Raqqa falls",
    )
    al = place(TEXT_B, "Aleppo", "Aleppo", "SY", 36.2, 37.16, gid="t:aleppo", score=0.85)
    iq = place(TEXT_B, "Iraqi", "Iraq", "IQ", 33.0, 44.0, kind="country", gid="t:iraq", mention="adjective", score=0.7)
    ho = place(TEXT_B, "Homs", "Homs", "SY", 34.73, 36.72, gid="t:homs", score=0.75)
    at = place(TEXT_B, "Atlantis", "Atlantis", "", None, None, gid=None, score=0.3)
    b = extraction(
        TEXT_B, [al, iq, ho, at],
        [event(TEXT_B, al, "clash", "2016-01-01", "year", side="rebels", actor="Rebels", confidence=0.6)],
        "2016-01-05", source="Gazette", ext_id="b", title="Aleppo fighting",
    )
    return [a, b]


def names(df: pd.DataFrame) -> list[tuple[str, str]]:
    return sorted(zip(df["name"], df["event_type"], strict=True))


# --- writing -----------------------------------------------------------------------------------------

def test_add_extractions_is_idempotent(store) -> None:  # type: ignore[no-untyped-def]
    a, b = corpus()
    r1 = store.add_extractions([a, a])  # twice in one batch
    assert (r1.stored, r1.duplicates, r1.places, r1.events) == (1, 1, 3, 2)
    assert len(r1.ids) == 1
    r2 = store.add_extractions([a, b])
    assert (r2.stored, r2.duplicates) == (1, 1)
    assert store.has_article(a.article.content_hash) and store.has_article(b.article.content_hash)
    assert store.known_hashes() == {a.article.content_hash, b.article.content_hash}
    st = store.stats()
    assert (st["articles"], st["mentions"], st["events"]) == (2, 7, 3)
    assert store.add_extractions([]).stored == 0


def test_each_batch_is_one_transaction(store) -> None:  # type: ignore[no-untyped-def]
    a, b = corpus()
    bad_place = Place(surface="x", start=0, end=1, name=None, lat=1.0, lon=1.0, country="SY",  # type: ignore[arg-type]
                      kind="city", gazetteer_id="t:bad", score=0.5)
    bad = extraction("x marks the spot.", [bad_place], [], "2015-01-01", ext_id="bad")
    with pytest.raises(Exception):  # noqa: B017 - each back-end raises its own IntegrityError
        store.add_extractions([a, bad])
    assert store.stats()["articles"] == 0  # a, written before the failure, was rolled back with it
    assert store.stats()["places"] == 0
    r = store.add_extractions([a, b])  # the store is still usable
    assert r.stored == 2


def test_articles_and_article(store) -> None:  # type: ignore[no-untyped-def]
    a, b = corpus()
    store.add_extractions([b, a])
    arts = store.articles()
    assert list(arts["ext_id"]) == ["a", "b"]  # by publication date
    assert list(arts["n_places"]) == [3, 4] and list(arts["n_events"]) == [2, 1]
    for col in ("id", "title", "url", "source", "published", "published_from", "path", "content_hash", "ingested_at"):
        assert col in arts.columns
    one = store.article(int(arts.iloc[0]["id"]))
    assert one is not None and one["text"] == TEXT_A and one["title"] == "Raqqa falls"
    assert store.article(10_000) is None


def test_stats(store) -> None:  # type: ignore[no-untyped-def]
    store.add_extractions(corpus())
    st = store.stats()
    assert st == {
        "articles": 2, "mentions": 7, "places": 6, "events": 3, "corrections": 0,
        "date_min": "2015-05-15", "date_max": "2016-01-05",
        "countries": ["IQ", "SY"], "sources": ["Gazette", "Wire"],
    }


# --- reading with filters -------------------------------------------------------------------------------

def test_points_without_filters(store) -> None:  # type: ignore[no-untyped-def]
    store.add_extractions(corpus())
    pts = store.points()
    # events at Raqqa, Mosul, Aleppo; plain mentions: the second Raqqa and Homs (Iraqi is an adjective,
    # Atlantis has no coordinates); mentions that carry an event are not shown twice
    assert names(pts) == [("Aleppo", "clash"), ("Homs", "mention"), ("Mosul", "airstrike"), ("Raqqa", "capture"),
                          ("Raqqa", "mention")]
    assert set(pts["layer"]) == {"event", "mention"}
    cap = pts[pts["event_type"] == "capture"].iloc[0]
    assert cap["sentence"] == "Islamic State fighters captured Raqqa on Monday."
    assert (cap["date_lo"], cap["date_hi"], cap["geo_precision"]) == ("2015-06-08", "2015-06-08", "city")
    air = pts[pts["event_type"] == "airstrike"].iloc[0]
    assert (air["date_lo"], air["date_hi"]) == ("2015-05-01", "2015-05-31")
    assert list(pts["date"]) == sorted(pts["date"])
    assert names(store.points(Filters(include_adjectives=True))) == sorted([*names(pts), ("Iraq", "mention")])
    ev = store.events()
    assert set(ev["layer"]) == {"event"} and len(ev) == 3


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        # a month-precision date overlaps any day in that month; mentions carry their article's date
        (Filters(date_from="2015-05-20", date_to="2015-05-25"), [("Mosul", "airstrike")]),
        (Filters(date_from="2015-06-08", date_to="2015-06-08"), [("Raqqa", "capture")]),
        (Filters(date_from="2015-06-09", date_to="2015-06-30"), [("Raqqa", "mention")]),
        (Filters(date_from="2016-06-01"), [("Aleppo", "clash")]),  # the year 2016
        (Filters(date_to="2015-05-31"), [("Mosul", "airstrike")]),
        (Filters(countries=("IQ",)), [("Mosul", "airstrike")]),
        (Filters(countries=("SY", "IQ"), event_types=("airstrike", "clash")), [("Aleppo", "clash"), ("Mosul", "airstrike")]),
        (Filters(event_types=("mention",)), [("Homs", "mention"), ("Raqqa", "mention")]),
        (Filters(event_types=("capture", "mention")), [("Homs", "mention"), ("Raqqa", "capture"), ("Raqqa", "mention")]),
        (Filters(event_types=("capture",), include_mentions=True), [("Raqqa", "capture")]),
        (Filters(include_mentions=False), [("Aleppo", "clash"), ("Mosul", "airstrike"), ("Raqqa", "capture")]),
        # a side filter selects events; plain mentions have no side and stay
        (Filters(sides=("islamic_state",)), [("Homs", "mention"), ("Raqqa", "capture"), ("Raqqa", "mention")]),
        (Filters(sides=("rebels", "coalition"), include_mentions=False), [("Aleppo", "clash"), ("Mosul", "airstrike")]),
        (Filters(sources=("Gazette",)), [("Aleppo", "clash"), ("Homs", "mention")]),
        (Filters(min_confidence=0.7), [("Homs", "mention"), ("Raqqa", "capture"), ("Raqqa", "mention")]),
        (Filters(min_confidence=0.8, include_mentions=False), [("Raqqa", "capture")]),
        # free text: place names and sentences, case-blind; quotes, % and SQL are plain text
        (Filters(search="raqqa"), [("Raqqa", "capture"), ("Raqqa", "mention")]),
        (Filters(search="CLASHED"), [("Aleppo", "clash")]),
        (Filters(search='100% "quoted"'), [("Homs", "mention")]),
        (Filters(search="'; DROP TABLE articles; --"), [("Homs", "mention")]),
        (Filters(search="%"), [("Homs", "mention")]),
        (Filters(search="_"), []),
        (Filters(search="' OR '1'='1"), []),
        (Filters(countries=("' OR 1=1 --",)), []),
        # compared as text, never run: the same as "2015-01-01"
        (Filters(date_from="2015-01-01' OR '1'='1", include_mentions=False),
         [("Aleppo", "clash"), ("Mosul", "airstrike"), ("Raqqa", "capture")]),
    ],
    ids=lambda v: v.describe() if isinstance(v, Filters) else None,
)
def test_points_filters(store, flt, expected) -> None:  # type: ignore[no-untyped-def]
    store.add_extractions(corpus())
    assert names(store.points(flt)) == sorted(expected)
    assert store.stats()["articles"] == 2  # nothing was dropped by a search


# --- corrections ---------------------------------------------------------------------------------

def _event_id(store, type_: str) -> int:  # type: ignore[no-untyped-def]
    ev = store.events()
    return int(ev[ev["event_type"] == type_].iloc[0]["event_id"])


def _mention_id(store, name: str) -> int:  # type: ignore[no-untyped-def]
    pts = store.points(Filters(event_types=("mention",)))
    return int(pts[pts["name"] == name].iloc[0]["mention_id"])


def test_corrections_persist_and_apply(backend) -> None:  # type: ignore[no-untyped-def]
    url = backend.url()
    store = backend.open(url)
    store.add_extractions(corpus())
    moved = {"gazetteer_id": "t:tabqa", "name": "Tabqa", "lat": 35.83, "lon": 38.55, "country": "SY", "kind": "town"}
    ids = [
        store.add_correction("mention", _mention_id(store, "Homs"), "rejected", "1", author="ana", note="a banner"),
        store.add_correction("event", _event_id(store, "capture"), "place", json.dumps(moved), author="ana"),
        store.add_correction("event", _event_id(store, "airstrike"), "type", "attack", author="ben"),
        store.add_correction("event", _event_id(store, "clash"), "side", "syrian_government"),
        store.add_correction("event", _event_id(store, "clash"), "date",
                             json.dumps({"date": "2016-02-10", "date_precision": "week"})),
    ]
    assert ids == sorted(ids) and len(set(ids)) == 5
    store.close()

    store = backend.open(url)  # reopened: the corrections were stored
    corr = store.corrections()
    assert list(corr["field"]) == ["rejected", "place", "type", "side", "date"]
    assert list(corr["author"])[:3] == ["ana", "ana", "ben"]
    assert store.stats()["corrections"] == 5
    pts = store.points()
    assert names(pts) == [("Aleppo", "clash"), ("Mosul", "attack"), ("Raqqa", "mention"), ("Tabqa", "capture")]
    tabqa = pts[pts["name"] == "Tabqa"].iloc[0]
    assert (tabqa["lat"], tabqa["lon"], tabqa["gazetteer_id"], tabqa["kind"]) == (35.83, 38.55, "t:tabqa", "town")
    assert tabqa["corrected"].startswith("place by ana ")
    clash = pts[pts["event_type"] == "clash"].iloc[0]
    assert (clash["side"], clash["date"], clash["date_precision"]) == ("syrian_government", "2016-02-10", "week")
    assert (clash["date_lo"], clash["date_hi"]) == ("2016-02-04", "2016-02-10")
    # filters see corrected values
    assert names(store.points(Filters(event_types=("attack",)))) == [("Mosul", "attack")]
    assert names(store.points(Filters(event_types=("airstrike",)))) == []
    assert names(store.points(Filters(sides=("syrian_government",), include_mentions=False))) == [("Aleppo", "clash")]
    assert names(store.points(Filters(search="tabqa"))) == [("Tabqa", "capture")]
    assert names(store.points(Filters(search="homs"))) == []
    # the moved-to place is in the places table, with its point
    assert "t:tabqa" in set(store.places()["id"])
    if hasattr(store, "integrity_ok"):
        assert store.integrity_ok()


def test_corrections_survive_reingest_of_the_same_text(backend) -> None:  # type: ignore[no-untyped-def]
    first = backend.open()
    first.add_extractions(corpus())
    first.add_correction("event", _event_id(first, "capture"), "rejected", "1")
    # corrections address an article by content hash and a span, not by row id
    assert "capture" not in set(first.points()["event_type"])
    assert first.add_extractions(corpus()).stored == 0
    assert "capture" not in set(first.points()["event_type"])


def test_bad_corrections_are_refused(store) -> None:  # type: ignore[no-untyped-def]
    store.add_extractions(corpus())
    with pytest.raises(StoreError, match="unknown correction target"):
        store.add_correction("article", 1, "rejected", "1")
    with pytest.raises(StoreError, match="cannot correct mention field"):
        store.add_correction("mention", _mention_id(store, "Homs"), "type", "attack")
    with pytest.raises(StoreError, match="no event with id"):
        store.add_correction("event", 99_999, "type", "attack")
    assert store.stats()["corrections"] == 0


# --- control history ---------------------------------------------------------------------------------

def _control_corpus() -> list[Extraction]:
    t1 = "Islamic State fighters seized Mosul. Later reports followed."
    t2 = "Iraqi forces retook Mosul from the group. Celebrations began."
    t3 = "Kurdish fighters took Kobani. The town was quiet."
    m1 = place(t1, "Mosul", "Mosul", "IQ", 36.34, 43.13, gid="t:mosul")
    m2 = place(t2, "Mosul", "Mosul", "IQ", 36.34, 43.13, gid="t:mosul")
    k = place(t3, "Kobani", "Kobani", "SY", 36.89, 38.35, gid="t:kobani")
    return [
        extraction(t1, [m1], [event(t1, m1, "capture", "2014-06-10", "day", side="islamic_state",
                                    controller="islamic_state", confidence=0.8)], "2014-06-11", ext_id="c1"),
        extraction(t2, [m2], [event(t2, m2, "capture", "2017-07-09", "day", side="iraqi_government",
                                    controller="iraqi_government", confidence=0.8)], "2017-07-10", ext_id="c2"),
        extraction(t3, [k], [event(t3, k, "capture", "2015-01-26", "day", side="sdf", controller="sdf",
                                   confidence=0.8)], "2015-01-27", ext_id="c3"),
    ]


def test_control_history(store) -> None:  # type: ignore[no-untyped-def]
    store.add_extractions(_control_corpus())
    on = control.control_on(store, "2016-01-01")
    assert dict(zip(on["name"], on["controller"], strict=True)) == {"Mosul": "islamic_state", "Kobani": "sdf"}
    later = control.control_on(store, "2018-01-01")
    assert dict(zip(later["name"], later["controller"], strict=True)) == {"Mosul": "iraqi_government", "Kobani": "sdf"}
    ch = control.changes(store, "2016-01-01", "2018-01-01")
    assert list(zip(ch["name"], ch["from_side"], ch["to_side"], strict=True)) == [("Mosul", "islamic_state", "iraqi_government")]


# --- both back-ends at once ------------------------------------------------------------------------

def _comparable(df: pd.DataFrame) -> list[dict]:
    drop = [c for c in ("event_id", "mention_id", "article_id", "corrected") if c in df.columns]
    df = df.drop(columns=drop)
    return df.astype(object).where(df.notna(), None).to_dict("records")


@pytest.mark.postgres
def test_backends_agree_on_pipeline_output(extractor, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if not PG_URL:
        pytest.skip(PG_SKIP)
    texts = [
        "BAGHDAD, June 10 (Frontlines) - Islamic State fighters captured Mosul on Tuesday after the army fled.\n\n"
        "Residents of Tikrit said the militants were advancing south.",
        "DAMASCUS, March 3, 2016 (Frontlines) - Syrian government forces retook Palmyra from Islamic State on "
        "Sunday. Air strikes hit Raqqa the same day.",
        "SANAA, 2015-04-02 (Frontlines) - Houthi fighters seized the port of Aden. Saudi-led aircraft bombed Sanaa.",
    ]
    exs = [extractor.extract(Article(text=t, id=f"p{i}", source="Pipe")) for i, t in enumerate(texts)]
    assert sum(len(e.places) for e in exs) > 0 and sum(len(e.events) for e in exs) > 0
    sq = Backend("sqlite", tmp_path)
    pg = Backend("postgres", tmp_path)
    try:
        a, b = sq.open(), pg.open()
        for s in (a, b):
            s.add_extractions(exs)
            s.add_correction("event", int(s.events().iloc[0]["event_id"]), "type", "other")
        for flt in (Filters(), Filters(include_adjectives=True), Filters(date_from="2015-01-01", date_to="2015-12-31"),
                    Filters(countries=("IQ",)), Filters(event_types=("capture", "mention"))):
            assert _comparable(a.points(flt)) == _comparable(b.points(flt)), flt.describe()
        sa, sb = a.stats(), b.stats()
        assert sa == sb
        cols = ["ext_id", "title", "source", "published", "published_from", "n_places", "n_events", "content_hash"]
        assert a.articles()[cols].equals(b.articles()[cols])
        for day in ("2014-06-30", "2016-12-31"):
            ca, cb = control.control_on(a, day), control.control_on(b, day)
            assert _comparable(ca) == _comparable(cb)
        assert _comparable(control.changes(a, "2014-01-01", "2017-01-01")) == _comparable(
            control.changes(b, "2014-01-01", "2017-01-01"))
    finally:
        sq.cleanup()
        pg.cleanup()


# --- PostgreSQL specifics ----------------------------------------------------------------------------

@pytest.mark.postgres
def test_postgres_schema_postgis_and_readonly(tmp_path) -> None:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    import psycopg

    pg = Backend("postgres", tmp_path)
    try:
        url = pg.url()
        with pytest.raises(StoreError, match="run 'frontlines ingest' first"):
            open_store(url, readonly=True)
        s = pg.open(url)
        s.add_extractions(corpus())
        schema = pg.schemas[0]
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            version = conn.execute(f"SELECT value FROM {schema}.meta WHERE key = 'schema_version'").fetchone()
            assert version == ("1",)
            geom_type = conn.execute(
                "SELECT type, srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = 'places'",
                (schema,)).fetchone()
            assert geom_type == ("POINT", 4326)
            idx = conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = 'places_geom'",
                               (schema,)).fetchone()
            assert idx is not None and "gist" in idx[0].lower()
            near = conn.execute(
                f"SELECT id FROM {schema}.places WHERE ST_DWithin(geom, ST_SetSRID(ST_MakePoint(39.0, 35.9), 4326), 0.2)"
            ).fetchall()
            assert near == [("t:raqqa",)]
            nulls = conn.execute(f"SELECT id FROM {schema}.places WHERE geom IS NULL").fetchall()
            assert nulls == [("t:atlantis",)]
        ro = pg.open(url, readonly=True)
        assert len(ro.points()) == 5
        with pytest.raises(StoreError, match="read-only"):
            ro.add_extractions(corpus())
        # a schema newer than this code is refused
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"UPDATE {schema}.meta SET value = '99' WHERE key = 'schema_version'")
        with pytest.raises(StoreError, match="newer than this Frontlines"):
            open_store(url)
    finally:
        pg.cleanup()


@pytest.mark.postgres
def test_postgres_concurrent_writers_store_each_article_once(tmp_path) -> None:
    """Two ingests writing overlapping batches in opposite orders at the same time (two clients of one
    newsroom database): every article once, no error."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    import threading
    from dataclasses import replace

    pg = Backend("postgres", tmp_path)
    try:
        url = pg.url()
        first, second = pg.open(url), pg.open(url)
        exs = []
        for i in range(40):
            for ex in corpus():
                text = f"{ex.text} Ref {i}."
                exs.append(replace(ex, text=text, article=replace(ex.article, text=text, id=f"{ex.article.id}{i}")))
        results: list = []
        errors: list = []

        def write(store, items) -> None:  # type: ignore[no-untyped-def]
            try:
                for k in range(0, len(items), 8):
                    results.append(store.add_extractions(items[k : k + 8]))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(first, exs)),
                   threading.Thread(target=write, args=(second, list(reversed(exs))))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert sum(r.stored for r in results) == len(exs)
        assert sum(r.duplicates for r in results) == len(exs)
        st = first.stats()
        assert (st["articles"], st["events"]) == (len(exs), 3 * len(exs) // 2)
    finally:
        pg.cleanup()


def test_postgres_url_errors_are_store_errors() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError, match="cannot connect"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    try:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    except StoreError as exc:
        assert "secret" not in str(exc)
