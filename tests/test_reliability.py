"""Issue 7, "Nothing lost, nothing injected": one test (or more) per row of docs/RELIABILITY.md.

Everything runs the real pipeline (the session ``extractor``) on real files generated in tmp dirs; the
heavy versions (a 50 MB file through the NLP, 10,000 files, 20 SIGKILL trials) are in benchmarks/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from frontlines import articles
from frontlines.cli import main
from frontlines.ingest import ingest
from frontlines.paths import sample_dir
from frontlines.store import Filters, open_store

ROOT = Path(__file__).resolve().parent.parent
ARABIC = (
    "أعلنت القوات العراقية اليوم السيطرة الكاملة على مدينة الموصل بعد معارك عنيفة مع تنظيم الدولة "
    "الإسلامية. وقال المتحدث باسم الجيش إن العمليات مستمرة."
)
FRENCH = "Les forces irakiennes ont repris la ville près de Mossoul, à l'été. Déjà les réfugiés rentrent chez eux."
GERMAN = "Kämpfer der Miliz übernahmen die Stadt Rakka. Größere Gefechte gab es nördlich von Aleppo."


def run_ingest(paths, db: Path, extractor, **kw):
    with open_store(db) as store:
        report = ingest([str(p) for p in paths], store, extractor, progress=False, **kw)
    return report


def stored(db: Path) -> pd.DataFrame:
    with open_store(db, readonly=True) as s:
        return s._df("SELECT * FROM articles ORDER BY id")  # type: ignore[attr-defined]


def offsets_exact(db: Path) -> int:
    """Every stored mention's offsets slice the stored text to its surface; returns how many were checked."""
    conn = sqlite3.connect(db)
    rows = conn.execute('SELECT a.text, m.start, m."end", m.surface FROM mentions m JOIN articles a ON a.id = m.article_id').fetchall()
    ev = conn.execute(
        "SELECT a.text, e.sentence_start, e.sentence_end FROM events e JOIN articles a ON a.id = e.article_id"
    ).fetchall()
    conn.close()
    for text, s, e, surface in rows:
        assert text[s:e] == surface
    for text, s, e in ev:
        assert 0 <= s < e <= len(text)
    return len(rows)


def sample_files(n: int, start: int = 0) -> list[Path]:
    return sorted((sample_dir() / "articles").glob("*.json"))[start : start + n]


def load_bench(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


# --- empty and binary files ---------------------------------------------------------------------------------

def png_bytes() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n" + bytes(range(256)) * 4 + b"\nendstream\n%%EOF\n"


def make_bad_folder(tmp_path: Path, seed_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_bytes(seed_path.read_bytes())
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_bytes(b"  \n\t\n")
    (d / "photo.html").write_bytes(png_bytes())
    (d / "paper.pdf").write_bytes(pdf_bytes())
    (d / "paper.txt").write_bytes(pdf_bytes())
    (d / "noise.json").write_bytes(random.Random(1).randbytes(20000))
    return d


def test_empty_and_binary_files_are_skipped_by_name_the_rest_stored(tmp_path, extractor, seed_path) -> None:
    d = make_bad_folder(tmp_path, seed_path)
    report = run_ingest([d], tmp_path / "s.db", extractor)
    assert report.articles == 1
    reasons = {Path(s.where).name: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "blank.txt", "photo.html", "paper.pdf", "paper.txt", "noise.json"}
    assert "no text" in reasons["empty.txt"] and "no text" in reasons["blank.txt"]
    assert "image/png" in reasons["photo.html"]
    assert "application/pdf" in reasons["paper.pdf"] and "application/pdf" in reasons["paper.txt"]
    assert "binary file" in reasons["noise.json"]
    assert not report.ok


def test_ingest_exit_code_and_summary_list_each_skipped_file(tmp_path, seed_path) -> None:
    d = make_bad_folder(tmp_path, seed_path)
    db = tmp_path / "cli.db"
    r = CliRunner().invoke(main, ["-q", "ingest", "--db", str(db), "--no-progress", str(d)])
    assert r.exit_code == 3, r.output
    for name in ("empty.txt", "blank.txt", "photo.html", "paper.pdf", "paper.txt", "noise.json"):
        line = next(x for x in r.stderr.splitlines() if x.startswith(f"skipped {d / name}: "))
        assert len(line) > len(f"skipped {d / name}: ")  # with its reason
    assert "1 articles stored" in r.stdout and "6 skipped" in r.stdout
    # everything stored: 0; and again (all already there): 0
    r = CliRunner().invoke(main, ["-q", "ingest", "--db", str(db), "--no-progress", str(d / "good.txt")])
    assert r.exit_code == 0 and "0 articles stored (1 already there)" in r.stdout and not r.stderr.strip()
    r = CliRunner().invoke(main, ["-q", "ingest", "--db", str(tmp_path / "new.db"), "--no-progress", str(seed_path)])
    assert r.exit_code == 0 and "1 articles stored" in r.stdout


# --- encodings, control characters ------------------------------------------------------------------------

def test_non_utf8_files_are_decoded_and_stored(tmp_path, extractor) -> None:
    d = tmp_path / "enc"
    d.mkdir()
    english = "Fighters seized Mosul on 3 March 2017. Airstrikes hit Raqqa, said a resident of Zürich."
    cases = {
        "arabic.txt": (ARABIC, "cp1256"),
        "french.txt": (FRENCH, "latin-1"),
        "german.txt": (GERMAN, "latin-1"),
        "english.txt": (english, "latin-1"),
        "utf16.txt": (english.replace("Raqqa", "Raqqa (الرقة)"), "utf-16"),
    }
    for name, (text, enc) in cases.items():
        (d / name).write_bytes(text.encode(enc))
    (d / "feed.jsonl").write_bytes(
        "\n".join(json.dumps({"id": f"j{i}", "text": f"{ARABIC} ({i})"}, ensure_ascii=False) for i in range(3)).encode("cp1256")
    )
    db = tmp_path / "s.db"
    report = run_ingest([d], db, extractor)
    assert report.ok and report.articles == 8
    texts = set(stored(db)["text"])
    assert {t for t, _ in cases.values()} | {f"{ARABIC} ({i})" for i in range(3)} == texts
    assert not any("\ufffd" in t for t in texts)
    assert offsets_exact(db) > 0


def test_nul_control_and_mixed_scripts_are_cleaned_and_offsets_stay_exact(tmp_path, extractor) -> None:
    raw = (
        "Iraqi forces\x00 recaptured Mosul\x07 from Islamic State on 9 July 2017.\r\n"
        "Airstrikes\u200b hit Raqqa\x1b and Deir ez-Zor\ufeff, residents said.\x7f\r\n"
        "In الموصل and Мосул, caf\u0065\u0301 owners fled to Erbil. 🚀 Fighters\x0b moved toward Tal Afar.\x00\n"
    )
    f = tmp_path / "dirty.txt"
    f.write_bytes(raw.encode("utf-8"))
    db = tmp_path / "s.db"
    report = run_ingest([f], db, extractor)
    assert report.articles == 1
    (text,) = stored(db)["text"]
    assert not any(c in text for c in "\x00\x07\x1b\x0b\x7f\u200b\ufeff\r")
    assert "café" in text and "الموصل" in text and "Мосул" in text and "🚀" in text
    assert offsets_exact(db) >= 4
    with open_store(db, readonly=True) as s:
        pts = s.points()
    surfaces = set(pts["surface"])
    assert {"Mosul", "Raqqa", "Erbil"} <= surfaces
    for r in pts.itertuples():
        if pd.notna(r.place_start):
            assert text[int(r.place_start) : int(r.place_end)] == r.surface


# --- malformed records ------------------------------------------------------------------------------------

def test_malformed_records_are_skipped_with_line_numbers_the_rest_stored(tmp_path, extractor) -> None:
    d = tmp_path / "recs"
    d.mkdir()
    (d / "feed.jsonl").write_text(
        "\n".join([
            json.dumps({"id": "a", "text": "Fighters seized Mosul on Friday.", "published": "2017-07-09"}),
            '{"id": "b", "text": "broken',
            json.dumps({"id": "c", "text": 12}),
            json.dumps({"id": "d", "text": "Airstrikes hit Raqqa.", "published": "2017-06-01"}),
        ]) + "\n", encoding="utf-8")
    (d / "arr.json").write_text(json.dumps([{"text": "Clashes in Sirte."}, {"text": None}]), encoding="utf-8")
    (d / "rows.csv").write_text("id,text\n1,Clashes near Aleppo.\n2\n3,Shelling in Idlib.\n", encoding="utf-8")
    (d / "cols.csv").write_text("id,body\n1,Clashes near Homs.\n", encoding="utf-8")
    db = tmp_path / "s.db"
    report = run_ingest([d], db, extractor)
    assert report.articles == 5
    got = {s.where.replace(str(d) + os.sep, ""): s.reason for s in report.skipped}
    assert got.keys() == {"feed.jsonl:2", "feed.jsonl:3", "arr.json[1]", "rows.csv:3", "cols.csv"}
    assert got["feed.jsonl:3"] == "'text' is a int, not a string"
    assert "no 'text' column" in got["cols.csv"]
    assert set(stored(db)["text"]) == {"Fighters seized Mosul on Friday.", "Airstrikes hit Raqqa.", "Clashes in Sirte.",
                                       "Clashes near Aleppo.", "Shelling in Idlib."}


# --- big inputs: bounded memory, progress, all stored -----------------------------------------------------

FIFTY_MB_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    path = Path(sys.argv[1])
    from frontlines.articles import MAX_ARTICLE_CHARS, Article, read_path
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = chars = longest = 0
    squashed = []
    for item in read_path(path):
        assert isinstance(item, Article), item
        n += 1
        chars += len(item.text)
        longest = max(longest, len(item.text))
        squashed.append("".join(item.text.split()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    original = "".join(path.read_text(encoding="utf-8").split())
    print(json.dumps({"parts": n, "chars": chars, "longest": longest, "max": MAX_ARTICLE_CHARS,
                      "same": "".join(squashed) == original, "base_kb": base, "peak_kb": peak}))
    """
)


def write_big_file(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        while fh.tell() < size:
            if i % 10:
                fh.write(f"Paragraph {i}: fighters of brigade {i * 7} were reported near village {i} after fighting.\n\n")
            else:
                fh.write(f"Paragraph {i}: Islamic State fighters attacked Mosul and Raqqa, residents said ({i}).\n")
            i += 1


def test_50_mb_file_is_split_without_losing_text_in_bounded_memory(tmp_path) -> None:
    f = tmp_path / "big.txt"
    size = 50 * 1024 * 1024
    write_big_file(f, size)
    r = subprocess.run([sys.executable, "-c", FIFTY_MB_SCRIPT, str(f)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["same"], "text lost or changed when splitting"
    assert out["parts"] >= size // out["max"] and out["longest"] <= out["max"]
    assert "split into" in r.stderr  # the split is logged, naming the file
    grown_mb = (out["peak_kb"] - out["base_kb"]) / 1024
    assert grown_mb < 8 * 50, f"reading a 50 MB file took {grown_mb:.0f} MB"


def test_long_file_parts_are_all_stored_nothing_lost(tmp_path, extractor, monkeypatch) -> None:
    # the same split as the 50 MB file, small enough for the full NLP in a unit test
    monkeypatch.setattr(articles, "MAX_ARTICLE_CHARS", 2000)
    f = tmp_path / "long.txt"
    write_big_file(f, 20_000)
    db = tmp_path / "s.db"
    report = run_ingest([f], db, extractor)
    df = stored(db)
    assert report.ok and report.articles == len(df) >= 10
    assert "".join("".join(df["text"]).split()) == "".join(f.read_text().split())
    assert set(df["ext_id"]) == {f"long#part{i}" for i in range(1, len(df) + 1)}
    assert offsets_exact(db) > 0


MANY_FILES_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    from frontlines.ingest import ingest
    from frontlines.pipeline import Extractor
    from frontlines.records import Article
    from frontlines.store import open_store
    a, b, db = sys.argv[1:4]
    ex = Extractor()
    list(ex.extract_many([Article(text="Fighters seized Mosul on 3 March 2017.")] * 8))  # warm up
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r0 = rss()
    with open_store(db) as store:
        first = ingest([a], store, ex, progress=True, batch_size=32)
        r1 = rss()
        second = ingest([b], store, ex, progress=True, batch_size=32)
        r2 = rss()
        n = store.stats()["articles"]
    print(json.dumps({"stored": first.articles + second.articles, "in_store": n,
                      "skipped": len(first.skipped) + len(second.skipped), "r0": r0, "r1": r1, "r2": r2}))
    """
)

PLACES = ["Mosul", "Raqqa", "Aleppo", "Homs", "Sirte", "Benghazi", "Aden", "Taiz", "Fallujah", "Ramadi", "Tikrit",
          "Kirkuk", "Palmyra", "Idlib", "Hama", "Derna", "Sanaa", "Marib", "Hodeidah", "Basra"]


def small_article(i: int) -> str:
    p, q = PLACES[i % len(PLACES)], PLACES[(i * 7 + 3) % len(PLACES)]
    return (f"Report {i}\n\nFighters seized {p} on {1 + i % 28} March 2017 after clashes near {q}, "
            f"residents said. Convoy {i} moved south.\n")


def test_many_files_bounded_memory_progress_and_all_stored(tmp_path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
    for i in range(300):
        ((a if i < 150 else b) / f"{i:05d}.txt").write_text(small_article(i), encoding="utf-8")
    db = tmp_path / "many.db"
    r = subprocess.run([sys.executable, "-c", MANY_FILES_SCRIPT, str(a), str(b), str(db)], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["stored"] == out["in_store"] == 300 and out["skipped"] == 0
    assert "ingest" in r.stderr and "150" in r.stderr  # the progress bar
    mb = lambda kb: kb / 1024  # noqa: E731
    # peak RSS (getrusage) after the first 150 files and after all 300: the second half adds next to nothing
    assert mb(out["r2"] - out["r0"]) < 200, out
    assert mb(out["r2"] - out["r1"]) < 40, out


# --- no date, no places -----------------------------------------------------------------------------------

def test_articles_without_date_or_places_are_stored_and_shown_as_such(tmp_path, extractor) -> None:
    f = tmp_path / "quiet.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"id": "nodate", "text": "Fighters seized Mosul after a week of heavy fighting."},
        {"id": "noplace", "text": "The committee met to discuss the budget and adjourned without a vote.",
         "published": "2017-11-09"},
        {"id": "neither", "text": "Nothing much was said at the meeting, and nobody voted."},
    ]) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    report = run_ingest([f], db, extractor)
    assert report.articles == 3 and report.ok
    assert report.no_date == 2 and report.no_places == 2
    assert "2 with no date, 2 with no places" in report.summary()
    with open_store(db, readonly=True) as s:
        arts = s.articles().set_index("ext_id")
        pts = s.points()
    assert pd.isna(arts.loc["nodate", "published"]) and arts.loc["nodate", "published_from"] == "none"
    assert arts.loc["nodate", "n_places"] >= 1
    assert arts.loc["noplace", "n_places"] == 0 and arts.loc["noplace", "published"] == "2017-11-09"
    assert arts.loc["neither", "n_places"] == 0 and pd.isna(arts.loc["neither", "published"])
    # the undated article's place is on the map, with its date shown as unknown
    mosul = pts[pts["article_id"] == arts.loc["nodate", "id"]]
    assert len(mosul) and set(mosul["surface"]) >= {"Mosul"} and mosul["date"].isna().all()


# --- the same article twice ---------------------------------------------------------------------------------

def test_same_article_twice_or_under_another_name_is_stored_once(tmp_path, extractor, seed_path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    d = tmp_path / "dups"
    d.mkdir()
    (d / "a.txt").write_text(text, encoding="utf-8")
    (d / "b_renamed.txt").write_text(text, encoding="utf-8")
    (d / "c_crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    (d / "d.json").write_text(json.dumps({"id": "other-id", "title": "Another title", "text": text}), encoding="utf-8")
    db = tmp_path / "s.db"
    report = run_ingest([d, d / "a.txt"], db, extractor)
    assert report.articles == 1 and report.duplicates == 4
    report = run_ingest([seed_path, d], db, extractor)
    assert report.articles == 0 and report.duplicates == 5
    with open_store(db, readonly=True) as s:
        assert s.stats()["articles"] == 1


# --- SIGKILL during ingest ----------------------------------------------------------------------------------

def test_sigkill_during_ingest_leaves_whole_articles_and_rerun_completes(tmp_path) -> None:
    bench = load_bench("sigkill_trials")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sample_files(24):
        shutil.copy(f, corpus)
    # the reference, the killed runs and the re-runs are subprocesses running one copy of the code
    env = bench.snapshot_code(tmp_path / "snap")
    subprocess.run([sys.executable, "-m", "frontlines.cli", "gazetteer", "build"], env=env, check=True,
                   capture_output=True)
    ref_db = tmp_path / "reference.db"
    subprocess.run(bench.ingest_cmd(ref_db, [str(corpus)], 2), check=True, capture_output=True, env=env)
    reference = bench.reference_counts(ref_db)
    assert len(reference) >= 20
    rng = random.Random(7)
    partial = 0
    for i in range(3):
        res = bench.run_trial([str(corpus)], tmp_path / f"t{i}.db", reference, delay=rng.uniform(0.0, 1.2),
                              after_first_commit=True, batch_size=2, env=env)
        assert not res["problems"], res
        partial += res["killed"] and 0 < res["stored_at_kill"] < res["total"]
    assert partial >= 1, "no trial was killed half-way through: the test proved nothing"


# --- concurrent ingests and a reader ------------------------------------------------------------------------

def per_article(points: pd.DataFrame) -> dict[str, tuple]:
    out: dict[str, list] = {}
    for r in points.itertuples():
        out.setdefault(r.content_hash, []).append((r.layer, r.place_start, r.place_end, r.event_type, r.name))
    return {h: tuple(sorted(v, key=repr)) for h, v in out.items()}


def test_two_ingests_at_once_and_a_reader_see_no_lock_errors_and_no_partial_article(tmp_path) -> None:
    bench = load_bench("sigkill_trials")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    for f in sample_files(20, 0):
        shutil.copy(f, a)
    for f in sample_files(20, 10):  # half of them are in both
        shutil.copy(f, b)
    db = tmp_path / "shared.db"
    open_store(db).close()  # the dashboard opens an existing store
    procs = [subprocess.Popen(bench.ingest_cmd(db, [str(d)], 2), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for d in (a, b)]
    views: list[dict[str, tuple]] = []
    polls = 0
    reader = open_store(db, readonly=True)
    try:
        while any(p.poll() is None for p in procs):
            counts = bench.article_counts(db)  # one statement: one snapshot
            for h, (m, e, n_places, n_events) in counts.items():
                assert (m, e) == (n_places, n_events), f"partial article {h[:12]} visible"
            views.append(per_article(reader.points()))  # what the dashboard reads: several queries, one snapshot
            reader.stats()
            polls += 1
            time.sleep(0.05)
        final = per_article(reader.points())
    finally:
        reader.close()
    outs = [p.communicate() for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err.lower() and "locked" not in out.lower()
    assert polls >= 5
    for v in views:
        for h, rows in v.items():
            assert rows == final[h], f"the reader saw part of article {h[:12]}"
    with open_store(db) as s:
        assert s.integrity_ok()  # type: ignore[attr-defined]
        n = s.stats()["articles"]
    expected = {x.content_hash for x in articles.read_paths([a, b]) if isinstance(x, articles.Article)}
    assert set(bench.reference_counts(db)) == expected and n == len(expected)  # each stored once
    assert sum("articles stored" in o for o, _ in outs) == 2


# --- hostile text is escaped wherever it is rendered ----------------------------------------------------------

HOSTILE = {
    "title": "<script>alert('title')</script>\n\n[md](javascript:alert('md'))",
    "source": "<img src=x onerror=alert('source')>",
    "url": "javascript:alert('url')",
}
HOSTILE_TEXT = (
    "Fighters seized Mosul <script>alert('text')</script> on 9 July 2017. Airstrikes hit Raqqa "
    "<img src=x onerror=alert('text2')>, residents said. Clashes erupted in Aleppo [x](javascript:alert('md'))."
)
SQL_TEXT = (
    "Fighters attacked Mosul, shouting '; DROP TABLE articles; -- at the checkpoint on 10 July 2017. "
    "About 100% of Raqqa was_hit, said a resident (of Aleppo)."
)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, extractor, seed_path) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    f = d / "<img src=x onerror=alert('file')>.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"id": "xss", **HOSTILE, "published": "2017-07-09", "text": HOSTILE_TEXT},
        {"id": "sql", "title": "Robert'); DROP TABLE articles;--", "source": "x' OR '1'='1",
         "url": "https://example.org/?q=1' OR '1'='1", "published": "2017-07-10", "text": SQL_TEXT},
    ]) + "\n", encoding="utf-8")
    db = d / "h.db"
    run_ingest([f, seed_path], db, extractor)
    return db


def assert_inert(html: str) -> None:
    """No live markup from the hostile strings (also after undoing JSON escapes in embedded scripts)."""
    for doc in (html, html.replace("\\u003c", "<").replace("\\u003e", ">").replace('\\"', '"').replace("\\/", "/")):
        low = doc.lower()
        assert "<script>alert(" not in low
        assert "<img src=x onerror" not in low
        assert 'href="javascript:' not in low and "href='javascript:" not in low and "href=javascript:" not in low


TITLE = " ".join(HOSTILE["title"].split())  # metadata is kept on one line


def test_hostile_strings_are_stored_verbatim(hostile_db) -> None:
    df = stored(hostile_db).set_index("ext_id")
    assert df.loc["xss", "title"] == TITLE and df.loc["xss", "source"] == HOSTILE["source"]
    assert df.loc["xss", "url"] == HOSTILE["url"] and df.loc["xss", "text"] == HOSTILE_TEXT
    assert "onerror" in df.loc["xss", "path"]


def test_popups_and_evidence_escape_hostile_text(hostile_db) -> None:
    maps = pytest.importorskip("frontlines.maps")
    with open_store(hostile_db, readonly=True) as s:
        pts = s.points()
    rows = pts[pts["title"] == TITLE]
    assert len(rows) >= 2
    rendered = []
    if hasattr(maps, "point_popup_html"):
        rendered += [maps.point_popup_html(r) for _, r in rows.iterrows()]
    if hasattr(maps, "evidence_html"):
        rendered.append(maps.evidence_html(rows))
    if hasattr(maps, "marker_data"):
        rendered += maps.marker_data(pts)["s"]
        rendered += maps.marker_data(pts, aggregate_above=0)["s"]  # merged markers: group popups
    if not rendered:
        pytest.skip("frontlines.maps has no popup/evidence renderer yet")
    joined = "\n".join(rendered)
    assert_inert(joined)
    # the evidence panel goes through st.markdown(unsafe_allow_html=True): a blank line would end the HTML
    # block and let "[md](javascript:...)" be read as Markdown
    assert all("\n\n" not in h for h in rendered)
    assert "&lt;script&gt;alert(" in joined  # shown as text, not dropped
    assert "&lt;img src=x onerror=alert(" in joined


def test_links_only_for_http_urls() -> None:
    maps = pytest.importorskip("frontlines.maps")
    if not hasattr(maps, "link_html"):
        pytest.skip("frontlines.maps.link_html not there yet")
    for url in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                'https://x.org/" onmouseover="alert(1)', "vbscript:msgbox(1)", "https://x.org/a b"):
        html = maps.link_html(url, "<b>t</b>")
        assert "href" not in html and "&lt;b&gt;t&lt;/b&gt;" in html
    assert 'href="https://example.org/?q=1&amp;x=2"' in maps.link_html("https://example.org/?q=1&x=2", "t")


def test_html_snapshot_escapes_hostile_text(hostile_db) -> None:
    maps = pytest.importorskip("frontlines.maps")
    if not hasattr(maps, "html_bytes"):
        pytest.skip("frontlines.maps.html_bytes not there yet")
    with open_store(hostile_db, readonly=True) as s:
        pts = s.points()
    doc = maps.html_bytes(pts, title="<script>alert('map title')</script>",
                          subtitle="search \"<img src=x onerror=alert('sub')>\"").decode("utf-8")
    assert_inert(doc)
    assert "&lt;script&gt;alert(&#x27;map title&#x27;)&lt;/script&gt;" in doc


def test_uploaded_file_names_are_labels_only(tmp_path, extractor) -> None:
    uploads = pytest.importorskip("frontlines.uploads")
    name = "<img src=x onerror=alert('up')>.txt"
    with open_store(tmp_path / "s.db") as s:
        rep = uploads.ingest_uploads([(name, b"Fighters seized Mosul on 9 July 2017.")], s, extractor)
    assert rep.stored == 1 and rep.files[0].name == name  # shown in a text table (st.dataframe), never as HTML


# --- SQL in filters and search --------------------------------------------------------------------------------

def test_filters_with_sql_are_parameters_not_sql(hostile_db) -> None:
    with open_store(hostile_db, readonly=True) as s:
        before = s.stats()
        allp = s.points()
        assert s.points(Filters(search="'; DROP TABLE articles; --", countries=("IQ' OR 1=1 --",))).empty
        got = s.points(Filters(search="'; DROP TABLE articles; --"))
        hay = (allp["name"].fillna("") + " " + allp["surface"].fillna("") + " " + allp["sentence"].fillna("")).str.lower()
        expected = allp[hay.str.contains("'; drop table articles; --", regex=False)]
        assert len(got) >= 1 and sorted(got["sentence"]) == sorted(expected["sentence"])
        assert set(got["title"]) == {"Robert'); DROP TABLE articles;--"}
        assert s.points(Filters(countries=("IQ' OR 1=1 --",))).empty
        assert s.points(Filters(countries=("IQ",), search="' OR '1'='1")).empty
        pct = s.points(Filters(search="100%"))
        assert len(pct) >= 1 and pct["sentence"].str.contains("100%", regex=False).all()
        assert len(s.points(Filters(search="%"))) == len(pct)  # % is a character, not a wildcard
        assert len(s.points(Filters(search="_"))) == int(hay.str.contains("_", regex=False).sum())
        assert s.points(Filters(search="([.*+?\\")).empty  # not a regex either
        src = s.points(Filters(sources=("x' OR '1'='1",)))
        assert len(src) >= 1 and set(src["source"]) == {"x' OR '1'='1"}
        assert s.points(Filters(sources=("' OR 1=1 --",))).empty
        assert s.points(Filters(event_types=("capture' OR 1=1 --",))).empty
        assert s.points(Filters(sides=("x' OR 1=1 --",), include_mentions=False)).empty
        s.points(Filters(date_from="2017-01-01' OR '1'='1", date_to="'); DROP TABLE events; --"))
        assert s.stats() == before
    r = CliRunner().invoke(main, ["-q", "export", "--db", str(hostile_db), "--format", "csv", "-o",
                                  str(hostile_db.parent / "x.csv"), "--search", "'; DROP TABLE articles; --",
                                  "--country", "IQ' OR 1=1 --"])
    assert r.exit_code == 0 and "0 rows" in r.output
    with open_store(hostile_db) as s:
        assert s.integrity_ok() and s.stats() == before  # type: ignore[attr-defined]


# --- uploads and zips: nothing written outside the store's folder -----------------------------------------------

def tree(p: Path) -> set[str]:
    return {str(x.relative_to(p)) for x in p.rglob("*")}


def test_upload_names_and_zip_members_outside_their_folder_are_refused(tmp_path, extractor, monkeypatch) -> None:
    uploads = pytest.importorskip("frontlines.uploads")
    import io
    import zipfile

    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for bad in ("../../x.txt", "/etc/x.txt", "C:\\Windows\\x.txt", "..\\x.txt", "a/../../x.txt", "..", "", "x\x00.txt"):
        with pytest.raises(uploads.UnsafeName):
            uploads.safe_name(bad)
    assert uploads.safe_name("dir/sub/report.json") == "report.json"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ok.txt", "Fighters seized Mosul on 9 July 2017.")
        z.writestr("../../escaped.txt", "Airstrikes hit Raqqa.")
        z.writestr("/abs.txt", "Airstrikes hit Raqqa.")
    store_dir = tmp_path / "store"
    before = tree(tmp_path)
    with open_store(store_dir / "s.db") as s:
        rep = uploads.ingest_uploads([("../../evil.txt", b"Clashes in Sirte."), ("up.zip", buf.getvalue()),
                                      ("/etc/cron.d/x.txt", b"Clashes in Homs.")], s, extractor)
        assert s.stats()["articles"] == 1
    assert [f.status for f in rep.files] == ["refused", "stored", "refused"]
    assert sum("outside the archive" in x for x in rep.files[1].skipped) == 2
    after = tree(tmp_path)
    assert {x for x in after - before if not x.startswith("store")} == set()
    assert not (tmp_path.parent / "escaped.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


# --- the dashboard's defaults --------------------------------------------------------------------------------

def test_streamlit_config_listens_locally_and_caps_uploads() -> None:
    cfg_path = ROOT / ".streamlit" / "config.toml"
    if not cfg_path.exists():
        pytest.skip(".streamlit/config.toml not written yet (dashboard issue)")
    cfg = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    server = cfg.get("server", {})
    assert server.get("address") == "127.0.0.1"
    assert isinstance(server.get("maxUploadSize"), int) and 0 < server["maxUploadSize"] <= 1024
    assert cfg.get("browser", {}).get("gatherUsageStats") is False


def test_dashboard_command_binds_localhost_unless_told_otherwise(tmp_path, monkeypatch) -> None:
    import frontlines.assets
    import frontlines.cli as cli

    app = tmp_path / "dashboard" / "app.py"
    app.parent.mkdir()
    app.write_text("")
    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "_dashboard_app", lambda: app)
    monkeypatch.setattr(frontlines.assets, "install_static", lambda *a, **k: None)
    monkeypatch.setattr(subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    r = CliRunner().invoke(main, ["dashboard", "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 0, r.output
    cmd = calls[-1]
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    r = CliRunner().invoke(main, ["dashboard", "--host", "0.0.0.0", "--port", "8600"])
    assert r.exit_code == 0 and calls[-1][calls[-1].index("--server.address") + 1] == "0.0.0.0"
    assert "0.0.0.0:8600" in r.output
    assert "0.0.0.0 serves other machines" in CliRunner().invoke(main, ["dashboard", "--help"]).output


# --- no network -------------------------------------------------------------------------------------------------

@pytest.mark.skipif(bool(os.environ.get("FRONTLINES_ALLOW_NETWORK")), reason="network allowed explicitly")
@pytest.mark.parametrize("address", [("203.0.113.7", 80), ("8.8.8.8", 53), ("2001:db8::1", 443)])
def test_non_local_connections_are_blocked_in_tests(address) -> None:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s, pytest.raises(OSError, match="network access blocked"):
        s.settimeout(1)
        s.connect(address)


def test_local_connections_still_work() -> None:
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        with socket.create_connection(srv.getsockname(), timeout=2):
            pass


def _unshare_works() -> bool:
    exe = shutil.which("unshare")
    if not exe:
        return False
    try:
        return subprocess.run([exe, "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _unshare_works(), reason="unshare -n is not available (needs root or user namespaces)")
def test_extract_works_with_no_network_at_all(seed_path) -> None:
    exe = Path(sys.executable).with_name("frontlines")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "frontlines.cli"]
    r = subprocess.run(["unshare", "-n", *cmd, "extract", str(seed_path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (line,) = r.stdout.strip().splitlines()
    out = json.loads(line)
    assert out["published"] and len(out["places"]) > 10 and out["events"]
    probe = subprocess.run(["unshare", "-n", sys.executable, "-c",
                            "import socket; socket.create_connection(('203.0.113.7', 80), timeout=2)"],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0  # really no network in there
