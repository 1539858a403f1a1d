"""The Streamlit dashboard, run headless with AppTest against real stores; and the upload handling."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from frontlines.store import Filters, open_store
from frontlines.uploads import UnsafeName, ingest_uploads, safe_name

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
TIMEOUT = 180

HOSTILE_TXT = (
    b"Hostile <script>window.__xss=1</script> title\n\n"
    b"Published 12 March 2016.\n\n"
    b"Syrian government forces captured the town of Palmyra from Islamic State fighters on Sunday, "
    b"state media said. <img src=x onerror=alert(1)>\n"
)


def _copy_store(src: Path, dest_dir: Path) -> Path:
    dest = dest_dir / src.name
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(src) + suffix)
        if p.exists():
            shutil.copyfile(p, Path(str(dest) + suffix))
    return dest


def _app(db: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("FRONTLINES_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _rows(at: AppTest) -> int:
    return len(at.dataframe[0].value)


def test_runs_on_the_seed_store(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(seed_db, monkeypatch)
    assert not at.exception, at.exception
    assert at.title[0].value == "Frontlines"
    labels = [s.label for s in at.slider]
    assert "Dates" in labels
    dates = at.slider(key="w_dates").value
    assert isinstance(dates[0], date) and dates[0] < dates[1]
    countries = at.multiselect(key="w_country")
    assert countries.options[:5] == ["Iraq (IQ)", "Syria (SY)", "Egypt (EG)", "Libya (LY)", "Yemen (YE)"]
    assert _rows(at) > 0
    assert {b.label for b in at.get("download_button")} >= {"PNG map", "HTML map", "GeoJSON", "CSV", "GeoPackage"}


def test_country_filter_changes_the_table(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(sample_db, monkeypatch)
    assert not at.exception
    everything = _rows(at)
    at.multiselect(key="w_country").set_value(["EG"]).run()
    egypt = _rows(at)
    assert 0 < egypt < everything
    assert set(at.dataframe[0].value["Country"]) == {"Egypt"}
    with open_store(sample_db, readonly=True) as store:
        lo, hi = at.slider(key="w_dates").value
        expected = store.points(Filters(date_from=lo.isoformat(), date_to=hi.isoformat(), countries=("EG",)))
    assert egypt == min(len(expected), 1000)


def test_url_state_round_trips(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(sample_db, monkeypatch, country="SY,IQ", type="capture,attack", **{"from": "2015-01-01"},
              to="2017-12-31", minconf="0.5", q="Raqqa", layers="events")
    assert not at.exception, at.exception
    assert at.multiselect(key="w_country").value == ["SY", "IQ"]
    assert at.multiselect(key="w_type").value == ["capture", "attack"]
    assert at.slider(key="w_dates").value == (date(2015, 1, 1), date(2017, 12, 31))
    assert at.slider(key="w_conf").value == 0.5
    assert at.text_input(key="w_search").value == "Raqqa"
    assert at.checkbox(key="w_mentions").value is False
    table = at.dataframe[0].value
    assert set(table["Type"]) <= {"Capture", "Attack"}
    assert (table["Date"] >= "2014-01-01").all()
    # and back: widgets -> URL
    at.multiselect(key="w_country").set_value(["EG"])
    at.text_input(key="w_search").set_value("")
    at.checkbox(key="w_mentions").check()
    at.run()
    qp = at.query_params
    assert qp["country"] in ("EG", ["EG"])
    assert "q" not in qp
    assert "layers" not in qp  # back to the default layers
    assert qp["from"] in ("2015-01-01", ["2015-01-01"])
    # a link with garbage is ignored, not obeyed
    bad = _app(sample_db, monkeypatch, country="XX,<script>", type="nuke", minconf="abc", **{"from": "tomorrow"})
    assert not bad.exception
    assert bad.multiselect(key="w_country").value == []
    assert bad.multiselect(key="w_type").value == []


def test_reject_correction_persists_and_removes_the_row(sample_db: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    db = _copy_store(sample_db, tmp_path)
    at = _app(db, monkeypatch, layers="events")
    before = _rows(at)
    at.session_state["table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.radio(key="corr_action").value == "Reject"
    evidence = " ".join(h.value for h in at.get("html"))
    assert "<mark>" in evidence and "fl-ev-item" in evidence
    at.text_input(key="corr_author").set_value("tester")
    at.button(key="corr_apply").click().run()
    assert not at.exception, at.exception
    with open_store(db, readonly=True) as store:
        corr = store.corrections()
    assert len(corr) == 1 and corr.iloc[0]["field"] == "rejected" and corr.iloc[0]["author"] == "tester"
    assert _rows(at) == before - 1
    # a fresh session sees it too
    assert _rows(_app(db, monkeypatch, layers="events")) == before - 1


def test_upload_through_the_app(seed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _copy_store(seed_db, tmp_path)
    at = _app(db, monkeypatch)
    before = _rows(at)
    at.file_uploader(key="uploads").upload("palmyra.txt", HOSTILE_TXT, "text/plain")
    at.run()
    at.button(key="ingest").click().run()
    assert not at.exception, at.exception
    with open_store(db, readonly=True) as store:
        titles = list(store.articles()["title"])
    assert any("Hostile" in (t or "") for t in titles)
    assert any("1 article stored" in s.value for s in at.success)
    assert _rows(at) > before  # the map and table updated without a restart


def test_ingest_uploads_reports_per_file(seed_db: Path, tmp_path: Path, extractor) -> None:
    db = _copy_store(seed_db, tmp_path)
    seed_text = (Path(__file__).resolve().parent.parent.parent / "shared" / "seeds").glob("*.txt")
    seed_bytes = next(seed_text).read_bytes()
    files = [
        ("palmyra.txt", HOSTILE_TXT),
        ("../../etc/evil.txt", b"Fighting in Aleppo."),
        ("/etc/passwd", b"root:x:0:0"),
        ("C:\\Windows\\x.txt", b"text"),
        ("notes.exe", b"MZ\x90\x00"),
        ("empty.txt", b""),
        ("seed-again.txt", seed_bytes),
        ("folder/inner.txt", b"Iraqi forces recaptured Ramadi in December 2015, officials said."),
    ]
    progress: list[float] = []
    with open_store(db) as store:
        report = ingest_uploads(files, store, extractor, progress=lambda f, _m: progress.append(f))
    by = {f.name: f for f in report.files}
    assert by["palmyra.txt"].status == "stored" and by["palmyra.txt"].stored == 1
    assert by["../../etc/evil.txt"].status == "refused"
    assert by["/etc/passwd"].status == "refused"
    assert by["C:\\Windows\\x.txt"].status == "refused"
    assert by["notes.exe"].status == "refused" and "unsupported" in by["notes.exe"].detail
    assert by["empty.txt"].status == "skipped"
    assert by["seed-again.txt"].status == "already stored"
    assert by["inner.txt"].status == "stored"  # directories dropped from a relative name
    assert report.stored == 2
    assert progress and progress[-1] == 1.0
    assert len(report.rows()) == len(files)


@pytest.mark.parametrize("name", ["..", "../x.txt", "a/../../x.txt", "/abs.txt", "\\\\server\\share\\x.txt", "",
                                  "...", "x\x00.txt"])
def test_safe_name_refuses(name: str) -> None:
    with pytest.raises(UnsafeName):
        safe_name(name)


def test_safe_name_keeps_base_names() -> None:
    assert safe_name("report.txt") == "report.txt"
    assert safe_name("sub/dir/report.json") == "report.json"
    assert safe_name("  spaced name.csv ") == "spaced name.csv"


def test_playback_steps_through_periods(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(sample_db, monkeypatch, **{"from": "2017-01-01"}, to="2017-12-31")
    everything = _rows(at)
    at.toggle(key="w_play").set_value(True).run()
    assert not at.exception, at.exception
    period = at.select_slider(key="w_period")
    assert period.options[0] == "2017-01-01" and len(period.options) == 12
    assert at.query_params["play"] in ("month", ["month"])
    months = []
    for start, before in (("2017-06-01", "2017-08"), ("2017-10-01", "2017-12")):
        at.select_slider(key="w_period").set_value(start).run()
        months.append(_rows(at))
        dates = at.dataframe[0].value["Date"]
        # a point is in a month when its date interval meets it (a week- or year-precise date may start outside)
        assert (dates < before).all() and (dates >= "2017-01-01").all()
        assert at.query_params["period"] in (start, [start])
    assert sum(months) < everything
    # play from the last-but-one month: one step, then it stops at the end
    at.select_slider(key="w_period").set_value("2017-11-01").run()
    at.button(key="play_button").click().run()
    assert not at.exception, at.exception
    assert at.select_slider(key="w_period").value == "2017-12-01"
    assert at.button(key="play_button").label.endswith("Play")
    # weeks
    at.radio(key="w_freq").set_value("week").run()
    assert len(at.select_slider(key="w_period").options) >= 52


def test_hostile_url_and_text_stay_text(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(sample_db, monkeypatch, q="![x](http://evil.example/t.png) <img src=x onerror=alert(1)>")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert not re.search(r"(?<!\\)!(?<!\\)\[", captions)  # no markdown image
    assert not re.search(r"(?<!\\)<img", captions)  # no HTML
    assert "\\!\\[x\\]" in captions


def test_empty_store_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "empty.db"
    open_store(db).close()
    at = _app(db, monkeypatch)
    assert not at.exception, at.exception
    assert any("No events in this range" in i.value for i in at.info)
    missing = _app(tmp_path / "missing.db", monkeypatch)
    assert not missing.exception
    assert any("Upload articles" in i.value for i in missing.info)
