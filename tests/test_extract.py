"""The extract contract, on the seed article and the sample corpus."""

import json
import math

import pytest
from click.testing import CliRunner

from frontlines.cli import main

KINDS = {"country", "admin1", "admin2", "city", "town", "village", "region", "landmark"}


def km(a, b, c, d):
    p1, p2 = math.radians(a), math.radians(c)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d - b) / 2) ** 2
    return 2 * 6371 * math.asin(min(1, math.sqrt(h)))


@pytest.fixture(scope="module")
def seed_json(seed_path):
    res = CliRunner().invoke(main, ["-q", "extract", str(seed_path)])
    assert res.exit_code == 0, res.output
    lines = [line for line in res.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, "one JSON object per article, nothing else on stdout"
    return json.loads(lines[0])


def test_seed_publication_date(seed_json) -> None:
    assert seed_json["published"] == "2017-11-09"
    assert seed_json["published_from"] == "text"


@pytest.mark.parametrize(
    "surface,lat,lon,tol",
    [("Baghdad", 33.34, 44.40, 25), ("Cairo", 30.06, 31.25, 25), ("Aden", 12.78, 45.04, 25),
     ("Deir Al-Zor", 35.34, 40.14, 25), ("Al-Qaim", 34.39, 40.99, 25), ("Rawa", 34.48, 41.92, 25),
     ("Albu Kamal", 34.45, 40.92, 25), ("Anbar", 33.2, 41.9, 250), ("Salaheddin", 34.5, 43.6, 150),
     ("Sinai Peninsula", 29.5, 33.8, 200), ("Western Desert", 27.0, 28.0, 450)],
)
def test_seed_places_found_and_placed(seed_json, surface, lat, lon, tol) -> None:
    hits = [p for p in seed_json["places"] if p["surface"] == surface]
    assert hits, f"{surface} not found"
    for p in hits:
        assert km(lat, lon, p["lat"], p["lon"]) <= tol, p


def test_seed_countries(seed_json) -> None:
    for name, cc in {"Iraq": "IQ", "Syria": "SY", "Egypt": "EG", "Libya": "LY", "Yemen": "YE"}.items():
        assert any(p["surface"] == name and p["country"] == cc and p["kind"] == "country" for p in seed_json["places"])


def test_seed_organisations_are_not_places(seed_json) -> None:
    for bad in ("Islamic State", "Hayat Tahir", "Nusra", "Ansar Al-Islam", "Soufan", "USA Today", "Funk", "Sunni", "Shia"):
        assert not any(bad.lower() in p["surface"].lower() for p in seed_json["places"]), bad


def test_seed_adjectives_are_marked(seed_json) -> None:
    adj = [p for p in seed_json["places"] if p["surface"] == "Iraqi"]
    assert adj and all(p["mention"] == "adjective" and p["country"] == "IQ" for p in adj)


def test_place_contract(seed_json, seed_extraction) -> None:
    text = seed_extraction.text
    for p in seed_json["places"]:
        assert text[p["start"] : p["end"]] == p["surface"]
        assert p["kind"] in KINDS
        assert 0 <= p["score"] <= 1


def test_seed_events(seed_json) -> None:
    evs = seed_json["events"]

    def has(type_, surface, date=None, side=None):
        return any(
            e["type"] == type_ and e["place"]["surface"] == surface and (date is None or e["date"] == date)
            and (side is None or side in (e["side"], e["controller_after"]))
            for e in evs
        )

    assert has("capture", "Al-Qaim", "2017-11-03", "iraqi_government")
    assert has("capture", "Deir Al-Zor", None, "syrian_government")
    assert has("control", "Albu Kamal", None, "islamic_state")
    assert has("control", "Rawa", None, "islamic_state")
    assert has("clash", "Rawa")
    assert has("attack", "Aden", "2017-11-05")
    assert has("attack", "Western Desert", "2017-10-20")
    assert not any("announce" in e["sentence"] for e in evs), "no event from a sentence about plans"
    for e in evs:
        assert e["date_precision"] in ("day", "week", "month", "year")


def test_event_sentence_offsets(seed_extraction) -> None:
    for e in seed_extraction.events:
        assert seed_extraction.text[e.sentence_start : e.sentence_start + len(e.sentence)] == e.sentence
        assert e.sentence_start <= e.place.start < e.sentence_start + len(e.sentence)
