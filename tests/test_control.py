"""Control history on the sample corpus: Mosul and Raqqa change hands in 2017."""

import pytest
from click.testing import CliRunner

from frontlines import control
from frontlines.cli import main
from frontlines.store import open_store


@pytest.fixture(scope="module")
def store(sample_db):
    s = open_store(sample_db, readonly=True)
    yield s
    s.close()


def holder(df, name_prefix):
    rows = df[df["name"].str.startswith(name_prefix)]
    return set(rows["controller"])


def test_mosul_and_raqqa_change_hands(store) -> None:
    june = control.control_on(store, "2017-06-01")
    dec = control.control_on(store, "2017-12-31")
    assert "islamic_state" in holder(june, "Mosul")
    assert holder(dec, "Mosul") == {"iraqi_government"}
    assert "islamic_state" in holder(june, "Ar Raqqah") | holder(june, "Raqqa")
    assert (holder(dec, "Ar Raqqah") | holder(dec, "Raqqa")) == {"sdf"}


def test_changes_lists_both_with_evidence(store) -> None:
    ch = control.changes(store, "2017-06-01", "2017-12-31")
    mosul = ch[ch["name"].str.startswith("Mosul")]
    raqqa = ch[ch["name"].str.contains("Raqq")]
    assert not mosul.empty and mosul.iloc[0]["from_side"] == "islamic_state" and mosul.iloc[0]["to_side"] == "iraqi_government"
    assert not raqqa.empty and raqqa.iloc[0]["to_side"] == "sdf"
    assert all(isinstance(s, str) and len(s) > 20 for s in ch["sentence"])


def test_areas_are_polygons_per_side(store) -> None:
    gdf = control.areas(store, "2017-12-31")
    assert not gdf.empty
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert gdf["side"].is_unique


def test_control_cli(sample_db, tmp_path) -> None:
    r = CliRunner().invoke(main, ["-q", "control", "--db", str(sample_db), "--date", "2017-12-31", "--country", "IQ"])
    assert r.exit_code == 0 and "iraqi_government" in r.output
    out = tmp_path / "areas.geojson"
    r = CliRunner().invoke(main, ["-q", "control", "--db", str(sample_db), "--date", "2017-12-31", "--areas", "-o", str(out)])
    assert r.exit_code == 0 and out.exists()
    r = CliRunner().invoke(main, ["-q", "changes", "--db", str(sample_db), "--from", "2017-06-01", "--to", "2017-12-31"])
    assert r.exit_code == 0 and "Mosul" in r.output
