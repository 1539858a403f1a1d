"""SQLite vs PostgreSQL/PostGIS for the dashboard's queries at 100,000 events.

    .venv/bin/python benchmarks/bench_store.py [--events 100000] [--runs 5] [--pg postgresql://...]

Synthetic articles (5 events and 3 plain place mentions each, over 3,000 places in five countries,
2014-2019, every date precision) are written to a new SQLite file and, when a PostgreSQL URL is given
(--pg or $FRONTLINES_TEST_PG; ``scripts/pg_test_server.sh start`` makes one), to a new schema there.
100 analyst corrections are added, as the dashboard would see them. Then ``store.points()`` is timed with
the filters the dashboard's sidebar produces; medians over --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, print_machine  # noqa: E402

COUNTRIES = {"SY": (35.0, 38.5), "IQ": (33.3, 44.0), "YE": (15.5, 47.5), "LY": (27.0, 17.0), "EG": (27.0, 30.0)}
SIDES = ["islamic_state", "syrian_government", "iraqi_government", "sdf", "houthis", "rebels", "coalition", "unknown"]
TYPES = ["capture", "control", "attack", "airstrike", "clash", "arrest", "other"]
PRECISIONS = ["day", "day", "day", "week", "month", "year"]
VERBS = {"capture": "captured", "control": "held", "attack": "attacked", "airstrike": "bombed", "clash": "fought in",
         "arrest": "arrested men in", "other": "were seen in"}


def synthetic(n_articles: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """Extractions with 5 events and 3 plain mentions each."""
    from frontlines.dates import precision_interval  # noqa: F401  (the store computes intervals itself)
    from frontlines.records import Article, Event, Extraction, Place

    rnd = random.Random(seed)
    places = []
    for i in range(3000):
        cc = rnd.choice(list(COUNTRIES))
        lat0, lon0 = COUNTRIES[cc]
        places.append((f"syn:{i}", f"Place{i:04d}", cc, round(lat0 + rnd.uniform(-3, 3), 4),
                       round(lon0 + rnd.uniform(-3, 3), 4), rnd.choice(["city", "town", "village", "admin1"])))
    start = date(2014, 1, 1)
    for a in range(n_articles):
        published = start + timedelta(days=rnd.randrange(6 * 365))
        parts, evs, pls = [], [], []
        pos = 0
        for k in range(8):
            gid, name, cc, lat, lon, kind = rnd.choice(places)
            side = rnd.choice(SIDES)
            type_ = rnd.choice(TYPES)
            sentence = f"Forces of the {side.replace('_', ' ')} {VERBS[type_]} {name} on day {k}, officials said."
            p0 = pos + sentence.index(name)
            place = Place(surface=name, start=p0, end=p0 + len(name), name=name, lat=lat, lon=lon, country=cc,
                          kind=kind, gazetteer_id=gid, score=round(rnd.uniform(0.4, 1.0), 3))
            pls.append(place)
            if k < 5:
                prec = rnd.choice(PRECISIONS)
                d = (published - timedelta(days=rnd.randrange(10))).isoformat()
                evs.append(Event(type=type_, place=place, sentence=sentence, sentence_start=pos, date=d,
                                 date_precision=prec, actor=f"{side} forces", side=side,
                                 controller_after=side if type_ in ("capture", "control") else None,
                                 confidence=round(rnd.uniform(0.3, 0.95), 3), trigger=VERBS[type_]))
            parts.append(sentence)
            pos += len(sentence) + 1
        text = " ".join(parts) + f" Ref. SYN-{a:07d}."
        sentences = []
        p = 0
        for s in parts:
            sentences.append((p, p + len(s)))
            p += len(s) + 1
        art = Article(text=text, id=f"syn-{a}", title=f"Synthetic dispatch {a}", url=f"https://example.org/{a}",
                      source=rnd.choice(["Wire A", "Wire B", "Gazette"]), published=published.isoformat())
        yield Extraction(article=art, text=text, published=published.isoformat(), published_from="metadata",
                         places=tuple(pls), events=tuple(evs), title=art.title, sentences=tuple(sentences))


def queries():  # type: ignore[no-untyped-def]
    from frontlines.store import Filters

    return [
        ("everything (all points)", Filters()),
        ("one month, all types", Filters(date_from="2017-06-01", date_to="2017-06-30")),
        ("one year, one country", Filters(date_from="2017-01-01", date_to="2017-12-31", countries=("SY",))),
        ("one year, capture+control, events only", Filters(date_from="2017-01-01", date_to="2017-12-31",
                                                           event_types=("capture", "control"), include_mentions=False)),
        ("one year, one side, confidence >= 0.7", Filters(date_from="2017-01-01", date_to="2017-12-31",
                                                          sides=("islamic_state",), min_confidence=0.7)),
        ("search a place name, all dates", Filters(search="Place0042")),
        ("one week, events only", Filters(date_from="2016-03-01", date_to="2016-03-07", include_mentions=False)),
    ]


def load(store, n_articles: int, batch: int = 500) -> float:  # type: ignore[no-untyped-def]
    from frontlines.ingest import _batches

    t = time.perf_counter()
    for b in _batches(synthetic(n_articles), batch):
        store.add_extractions(b)
    return time.perf_counter() - t


def correct(store, n: int = 100) -> None:  # type: ignore[no-untyped-def]
    from frontlines.store import Filters

    rnd = random.Random(3)
    ev = store.events(Filters(date_from="2017-01-01", date_to="2017-12-31", include_mentions=False))
    ids = rnd.sample(list(ev["event_id"]), n)
    for i, eid in enumerate(ids):
        field, value = [("rejected", "1"), ("type", "clash"), ("side", "rebels"),
                        ("date", json.dumps({"date": "2017-05-05", "date_precision": "day"}))][i % 4]
        store.add_correction("event", int(eid), field, value, author="bench")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", default=os.environ.get("FRONTLINES_TEST_PG", ""), help="PostgreSQL URL (PostGIS)")
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()
    from frontlines.store import open_store

    m = print_machine()
    n_articles = args.events // 5
    print(f"data: {n_articles} synthetic articles, {args.events} events, {3 * n_articles} plain mentions, "
          "3,000 places, 100 corrections")
    tmp = Path(tempfile.mkdtemp(prefix="fl-bench-store-"))
    stores = {"SQLite": str(tmp / "bench.db")}
    schema = None
    if args.pg:
        from urllib.parse import quote

        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in args.pg else "?"
        stores["PostGIS"] = f"{args.pg}{sep}options={quote(f'-csearch_path={schema},public')}"
    else:
        print("PostGIS: skipped (no --pg URL and no FRONTLINES_TEST_PG)")
    results: dict[str, dict] = {}
    try:
        for name, url in stores.items():
            store = open_store(url)
            secs = load(store, n_articles)
            correct(store)
            size = _size(store, url)
            res = {"load_s": secs, "load_articles_per_s": n_articles / secs, "bytes": size, "queries": {}}
            for label, flt in queries():
                times, rows = [], 0
                for _ in range(args.runs):
                    t = time.perf_counter()
                    rows = len(store.points(flt))
                    times.append(time.perf_counter() - t)
                res["queries"][label] = {"median_s": median(times), "rows": rows, "runs": times}
            t = time.perf_counter()
            store.stats()
            res["stats_s"] = time.perf_counter() - t
            store.close()
            results[name] = res
    finally:
        if schema:
            import psycopg

            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    names = list(results)
    print(f"\n{'store.points() with':45s} {'rows':>8s} " + " ".join(f"{n + ' s':>10s}" for n in names))
    for label, _ in queries():
        rows = results[names[0]]["queries"][label]["rows"]
        print(f"{label:45s} {rows:8d} " + " ".join(f"{results[n]['queries'][label]['median_s']:10.3f}" for n in names))
    print(f"{'stats()':45s} {'':8s} " + " ".join(f"{results[n]['stats_s']:10.3f}" for n in names))
    for n in names:
        r = results[n]
        print(f"{n}: loaded {n_articles} articles in {r['load_s']:.1f} s ({r['load_articles_per_s']:.0f} articles/s, "
              f"batches of 500); {r['bytes'] / 2**20:.0f} MB on disk ({r['bytes'] / n_articles / 1024:.1f} KB per article)")
    for label, _ in queries():
        rows = {n: results[n]["queries"][label]["rows"] for n in names}
        if len(set(rows.values())) > 1:
            print(f"WARNING: back-ends disagree on '{label}': {rows}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"machine": m, "events": args.events, "results": results}, indent=2))


def _size(store, url: str) -> int:  # type: ignore[no-untyped-def]
    if hasattr(store, "path"):
        p = Path(store.path)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(f.stat().st_size for f in p.parent.glob(p.name + "*"))
    row = store.conn.execute(
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
    ).fetchone()
    return int(row[0] or 0)


if __name__ == "__main__":
    main()
