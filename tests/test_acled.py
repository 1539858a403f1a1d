"""The ACLED-style export: columns, codes and actor names, through the command line on the seed store."""

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from frontlines.acled import ACLED_COLUMNS, actor_name, event_codes, to_acled
from frontlines.cli import main
from frontlines.store import open_store

SUB_EVENTS = {
    ("Battles", "Armed clash"), ("Battles", "Government regains territory"),
    ("Battles", "Non-state actor overtakes territory"), ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Suicide bomb"), ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"), ("Violence against civilians", "Attack"),
    ("Strategic developments", "Arrests"), ("Strategic developments", "Non-violent transfer of territory"),
    ("Strategic developments", "Other"),
}


@pytest.fixture(scope="module")
def acled(seed_db, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("acled") / "events.csv"
    r = CliRunner().invoke(main, ["-q", "export", "--db", str(seed_db), "--format", "acled", "-o", str(out)])
    assert r.exit_code == 0, r.output
    return pd.read_csv(out, keep_default_na=False)


def test_one_row_per_stored_event_with_acled_columns(acled, seed_db) -> None:
    with open_store(seed_db) as s:
        n = len(s.events())
    assert list(acled.columns) == ACLED_COLUMNS
    assert len(acled) == n > 0
    assert acled["event_id_cnty"].is_unique


def test_codes_and_values(acled) -> None:
    for r in acled.to_dict("records"):
        assert re.fullmatch(r"[A-Z]{3}\d+", r["event_id_cnty"]), r
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["event_date"]) and int(r["year"]) == int(r["event_date"][:4])
        assert r["time_precision"] in (1, 2, 3)
        assert r["geo_precision"] in (1, 2, 3)
        assert (r["event_type"], r["sub_event_type"]) in SUB_EVENTS
        assert r["actor1"] and r["country"] and r["location"] and r["notes"]
        assert isinstance(r["fatalities"], int) and r["fatalities"] >= 0
        assert -90 <= float(r["latitude"]) <= 90 and -180 <= float(r["longitude"]) <= 180


def test_seed_capture_of_al_qaim_is_a_government_gain(acled) -> None:
    rows = acled[(acled["location"].str.contains("Qa", case=False)) & (acled["event_date"] == "2017-11-03")]
    assert not rows.empty
    r = rows.iloc[0]
    assert r["event_id_cnty"].startswith("IRQ") and r["country"] == "Iraq"
    assert (r["event_type"], r["sub_event_type"]) == ("Battles", "Government regains territory")
    assert r["actor1"] == "Military Forces of Iraq (2014-2018)"
    assert r["time_precision"] == 1


def test_event_codes_follow_type_trigger_and_state_flag() -> None:
    assert event_codes({"event_type": "capture", "controller_after": "islamic_state"}) == (
        "Battles", "Non-state actor overtakes territory")
    assert event_codes({"event_type": "capture", "controller_after": "syrian_government"}) == (
        "Battles", "Government regains territory")
    assert event_codes({"event_type": "attack", "trigger": "suicide car bomb"}) == ("Explosions/Remote violence", "Suicide bomb")
    assert event_codes({"event_type": "attack", "trigger": "shelling"})[1] == "Shelling/artillery/missile attack"
    assert event_codes({"event_type": "attack", "trigger": "roadside bomb"})[1] == "Remote explosive/landmine/IED"
    assert event_codes({"event_type": "attack", "trigger": "opened fire", "sentence": "Gunmen opened fire on worshippers."}) == (
        "Violence against civilians", "Attack")
    assert event_codes({"event_type": "control"}) == ("Strategic developments", "Non-violent transfer of territory")
    assert event_codes({"event_type": "arrest"}) == ("Strategic developments", "Arrests")


def test_actor_names_follow_the_government_in_office() -> None:
    assert actor_name("iraqi_government", "Iraq", "2014-06-10") == "Military Forces of Iraq (2006-2014)"
    assert actor_name("iraqi_government", "Iraq", "2017-11-03") == "Military Forces of Iraq (2014-2018)"
    assert actor_name("islamic_state", "Syria", "2015-05-21") == "Islamic State (Syria)"
    assert actor_name("unknown", "Egypt", "2017-10-20") == "Unidentified Armed Group (Egypt)"


def test_empty_input_gives_the_header_only() -> None:
    df = to_acled(pd.DataFrame())
    assert list(df.columns) == ACLED_COLUMNS and df.empty
