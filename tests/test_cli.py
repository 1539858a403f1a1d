"""The command line through click's runner: ingest, idempotence, export, exit codes."""

import json

import geopandas as gpd
import pandas as pd
from click.testing import CliRunner

from frontlines.cli import main
from frontlines.store import open_store


def test_ingest_is_idempotent_and_summarises(tmp_path, seed_path) -> None:
    db = tmp_path / "s.db"
    r = CliRunner().invoke(main, ["-q", "ingest", "--db", str(db), str(seed_path)])
    assert r.exit_code == 0, r.output
    assert "1 articles stored" in r.output
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(seed_path.read_bytes())
    r = CliRunner().invoke(main, ["-q", "ingest", "--db", str(db), str(seed_path), str(copy)])
    assert r.exit_code == 0 and "0 articles stored (2 already there)" in r.output
    with open_store(db) as s:
        assert s.stats()["articles"] == 1


def test_ingest_reports_skipped_files_and_exit_code(tmp_path, seed_path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("   \n")
    (tmp_path / "in" / "good.txt").write_bytes(seed_path.read_bytes())
    r = CliRunner().invoke(main, ["-q", "ingest", "--db", str(tmp_path / "x.db"), str(tmp_path / "in")])
    assert r.exit_code == 3
    assert "empty.txt: no text" in r.output
    assert "1 articles stored" in r.output


def test_env_var_selects_the_store(tmp_path, seed_path, monkeypatch) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("FRONTLINES_DB", str(db))
    r = CliRunner().invoke(main, ["-q", "ingest", str(seed_path)])
    assert r.exit_code == 0 and db.exists()


def test_export_formats(seed_db, tmp_path) -> None:
    for fmt in ("geojson", "csv", "gpkg"):
        out = tmp_path / f"x.{fmt}"
        r = CliRunner().invoke(main, ["-q", "export", "--db", str(seed_db), "--format", fmt, "-o", str(out)])
        assert r.exit_code == 0, r.output
        if fmt == "csv":
            df = pd.read_csv(out)
        else:
            df = gpd.read_file(out)
        assert len(df) > 10 and {"name", "country", "sentence", "title"} <= set(df.columns)
    out = tmp_path / "iq.geojson"
    CliRunner().invoke(main, ["-q", "export", "--db", str(seed_db), "--format", "geojson", "-o", str(out), "--country", "YE"])
    feats = json.loads(out.read_text())["features"]
    assert feats and {f["properties"]["country"] for f in feats} == {"YE"}


def test_extract_json_lines_only_on_stdout(tmp_path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text(
        json.dumps({"id": "a1", "text": "Iraqi forces recaptured Tikrit on Tuesday.", "published": "2015-04-02"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "a2", "text": 42}) + "\n"
    )
    r = CliRunner().invoke(main, ["-q", "extract", str(f)])
    assert r.exit_code == 3
    out = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert [o["id"] for o in out] == ["a1"]
    assert out[0]["events"][0]["type"] == "capture" and out[0]["events"][0]["date"] == "2015-03-31"
    assert "a.jsonl:2" in r.stderr and "a.jsonl:3" in r.stderr
