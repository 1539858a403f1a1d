"""Property-based tests (hypothesis): arbitrary text and bytes never break the readers or the extractor,
offsets always slice the text to the surface, dates are always valid, and a GeoJSON export holds every
stored event. Examples are kept modest so the whole file runs in well under a minute."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from frontlines.articles import Article, Skipped, read_bytes
from frontlines.records import DATE_PRECISIONS
from frontlines.text import clean_text

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PLACES = ["Mosul", "Raqqa", "Aleppo", "Deir ez-Zor", "Sirte", "Benghazi", "Aden", "Taiz", "Fallujah", "Tal Afar",
          "Palmyra", "Idlib", "Homs", "Sanaa", "Marib", "Hodeidah", "Kirkuk", "Derna", "Tripoli", "Damascus"]
ACTORS = ["Islamic State fighters", "Iraqi forces", "Syrian government troops", "Houthi rebels", "the SDF",
          "Kurdish Peshmerga", "Libyan National Army units", "coalition aircraft", "Gunmen", "Militants"]
VERBS = ["seized", "captured", "recaptured", "attacked", "shelled", "bombed", "withdrew from", "entered",
         "clashed with residents in", "besieged", "arrested activists in", "took control of", "struck"]
WHEN = ["on Friday", "on 9 November 2017", "last week", "in March 2016", "yesterday", "on Monday", "in 2015",
        "two days ago", "on 31 February 2017", "", "earlier this month", "on July 4"]
CONTROLS = {chr(i) for i in range(32)} | {"\x7f", "\u200b", "\ufeff", "\ufffe", "\uffff"}
NOISE = ["\x00", "\u200b", "\r\n", "\t", "  ", "\n\n", "—", "’", "é", "الموصل", "🚀", "<script>", "&amp;", "\ufeff"]


@st.composite
def news_text(draw) -> str:  # type: ignore[no-untyped-def]
    """Sentences that look like dispatches (so places, events and dates are found), with noise."""
    parts = []
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["BAGHDAD, Nov 9 (Reuters) - ", "Published 2017-11-09\n", "Issue 1368\n\n"])))
    for _ in range(draw(st.integers(1, 6))):
        s = f"{draw(st.sampled_from(ACTORS))} {draw(st.sampled_from(VERBS))} {draw(st.sampled_from(PLACES))} "
        s += draw(st.sampled_from(WHEN)) + draw(st.sampled_from([".", ", residents said.", ", killing 12 people.", ""]))
        if draw(st.booleans()):
            s = draw(st.sampled_from(NOISE)).join(s.split(" ", draw(st.integers(0, 3))))
        parts.append(s)
    return draw(st.sampled_from([" ", "\n", "\n\n"])).join(parts)


any_text = st.one_of(news_text(), st.text(max_size=300), st.text(st.characters(codec="utf-8"), max_size=200))


def check_extraction(ex, source: str) -> None:  # type: ignore[no-untyped-def]
    text = ex.text
    assert text == clean_text(source)
    for p in ex.places:
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == p.surface
    if ex.published:
        date.fromisoformat(ex.published)
    for e in ex.events:
        assert text[e.place.start : e.place.end] == e.place.surface
        assert text[e.sentence_start : e.sentence_start + len(e.sentence)] == e.sentence
        if e.date is not None:
            date.fromisoformat(e.date)
            assert e.date_precision in DATE_PRECISIONS
        else:
            assert e.date_precision in (None, *DATE_PRECISIONS)
    for s0, s1 in ex.sentences:
        assert 0 <= s0 < s1 <= len(text)


# --- text clean-up and readers ------------------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(st.characters(), max_size=200),
                 st.text(st.sampled_from(["e", "a", " ", "\n", "\r", "\x00", "\x07", "\u200b", "\ufeff", "\u0301",
                                          "\u0308", "\u0651", "\ud800", "\t"]), max_size=30)))
@example("e\x00\u0301")  # a control between a letter and its accent: NFC must come after the clean-up
@example("a\u200b\u0308\r\n")
@example("Mosul \ud83d")  # a lone surrogate (JSON allows "\\ud83d"): SQLite cannot store it
def test_clean_text_is_idempotent_and_clean(t: str) -> None:
    c = clean_text(t)
    assert clean_text(c) == c
    assert not set(c) & (CONTROLS - {"\n", "\t"})
    c.encode("utf-8")  # no lone surrogates: SQLite can store it


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.html", "a.json", "a.jsonl", "a.csv", "a", "a.zip", "a.pdf"]))
def test_readers_never_raise_on_arbitrary_bytes(data: bytes, name: str) -> None:
    for item in read_bytes(data, name):
        assert isinstance(item, Article | Skipped)
        if isinstance(item, Article):
            assert item.text.strip() and clean_text(item.text) == item.text
        else:
            assert item.where.startswith(name) and item.reason


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.dictionaries(st.sampled_from(["id", "text", "title", "published", "url", "source", "x"]),
                                          st.one_of(st.none(), st.integers(), st.text(max_size=40),
                                                    st.lists(st.integers(), max_size=2))),
                          st.integers(), st.text(max_size=10)), max_size=8))
def test_jsonl_each_record_is_stored_or_skipped_with_its_line(records: list) -> None:
    data = "\n".join(json.dumps(r) for r in records).encode("utf-8")
    assume(data.strip())
    items = list(read_bytes(data, "f.jsonl"))
    good = [r for r in records if isinstance(r, dict) and isinstance(r.get("text"), str) and clean_text(r["text"]).strip()]
    assert len([i for i in items if isinstance(i, Article)]) == len(good)
    lines = {int(i.where.rsplit(":", 1)[1]) for i in items if isinstance(i, Skipped)}
    assert lines == {n for n, r in enumerate(records, 1) if not (isinstance(r, dict) and r in good)}


# --- extraction ---------------------------------------------------------------------------------------------

@SETTINGS
@given(any_text)
def test_extract_never_raises_offsets_are_exact_and_dates_valid(extractor, t: str) -> None:
    ex = extractor.extract(Article(text=t))
    check_extraction(ex, t)


@SETTINGS
@given(st.lists(any_text, min_size=1, max_size=5))
def test_extract_many_matches_extract(extractor, texts: list[str]) -> None:
    arts = [Article(text=t, id=str(i)) for i, t in enumerate(texts)]
    many = list(extractor.extract_many(arts))
    assert [e.article.id for e in many] == [a.id for a in arts]
    for a, e in zip(arts, many, strict=True):
        check_extraction(e, a.text)
        one = extractor.extract(a)
        assert [(p.start, p.end, p.gazetteer_id) for p in one.places] == [(p.start, p.end, p.gazetteer_id) for p in e.places]
        assert [(v.type, v.place.start, v.date) for v in one.events] == [(v.type, v.place.start, v.date) for v in e.events]


# --- GeoJSON export holds every stored event ----------------------------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(news_text(), min_size=1, max_size=4), st.sampled_from(["2017-11-09", "2015-03-01", None]))
def test_geojson_export_holds_every_stored_event(extractor, texts: list[str], published: str | None) -> None:
    from frontlines.export import write
    from frontlines.ingest import ingest
    from frontlines.store import open_store

    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.jsonl"
        src.write_text("\n".join(json.dumps({"id": f"a{i}", "text": t, "published": published})
                                 for i, t in enumerate(texts)), encoding="utf-8")
        db = Path(d) / "s.db"
        with open_store(db) as store:
            ingest([src], store, extractor, progress=False)
            pts = store.points()
        conn = sqlite3.connect(db)
        events = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT e.id, p.lat, p.lon FROM events e JOIN places p ON p.id = e.place_id")}
        mentions = conn.execute("SELECT COUNT(*) FROM mentions m JOIN places p ON p.id = m.place_id"
                                " WHERE p.lat IS NOT NULL AND m.mention = 'name'").fetchone()[0]
        conn.close()
        out = Path(d) / "x.geojson"
        n = write(pts, out, "geojson")
        assert n == len(pts)
        if n == 0:  # nothing with coordinates was extracted: then no event either
            assert not events
            return
        back = gpd.read_file(out)
        assert len(back) == n
        ids = back["event_id"] if "event_id" in back.columns else [None] * len(back)
        # plain mentions have no event id (None or NaN)
        got = {int(i): (g.y, g.x) for i, g in zip(ids, back.geometry, strict=True) if i is not None and i == i}
        assert set(got) == set(events), "an event is missing from the export (or has no coordinates)"
        for i, (lat, lon) in events.items():
            assert abs(got[i][0] - lat) < 1e-9 and abs(got[i][1] - lon) < 1e-9
        # and every plain mention with coordinates that no event stands for
        assert len(back) - len(got) <= mentions
