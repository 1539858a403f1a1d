import pytest

from frontlines.gazetteer import load_gazetteer
from frontlines.gazetteer.normalize import name_key, skeleton


@pytest.mark.parametrize(
    "variants",
    [
        ("Deir ez-Zor", "Deir Al-Zor", "Deir Ezzor", "Deir al-Zor"),
        ("Al-Qaim", "Qaim", "Al Qa'im"),
        ("Albu Kamal", "Abu Kamal", "Al Bukamal", "Bukamal"),
        ("Raqqa", "Raqa", "Al-Raqqah"),
        ("Fallujah", "Falluja"),
    ],
)
def test_spelling_variants_share_a_key(variants: tuple[str, ...]) -> None:
    assert len({name_key(v) for v in variants}) == 1


def test_skeleton_joins_transliterations() -> None:
    assert skeleton("Dayr az Zawr") == skeleton("Deir al-Zour") == skeleton("Deir ez-Zor")
    assert skeleton("Hodeidah") == skeleton("Hudaydah")
    assert skeleton("Qamishli") == skeleton("Qamishlo")


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.mark.parametrize(
    "name,country,lat,lon",
    [
        ("Deir Al-Zor", "SY", 35.33, 40.14),
        ("Dayr az Zawr", "SY", 35.33, 40.14),
        ("Al-Qaim", "IQ", 34.39, 40.99),
        ("Albu Kamal", "SY", 34.45, 40.92),
        ("Raqa", "SY", 35.95, 39.01),
        ("Hodeidah", "YE", 14.80, 42.95),
        ("دير الزور", "SY", 35.33, 40.14),
    ],
)
def test_lookup_finds_variants(gaz, name: str, country: str, lat: float, lon: float) -> None:
    from frontlines.gazetteer import haversine_km

    cands = gaz.lookup(name)
    assert cands, name
    best = [c for c in cands if c.entry.country == country]
    assert best and haversine_km(best[0].entry.lat, best[0].entry.lon, lat, lon) < 25


def test_curated_entries_cover_what_no_package_has(gaz) -> None:
    for name in ("Western Desert", "Sinai Peninsula", "Jurf al-Sakhar", "Amerli", "Mosul Dam"):
        kinds = {c.entry.kind for c in gaz.lookup(name)}
        assert kinds, name


def test_stats_reports_sources(gaz) -> None:
    st = gaz.stats()
    assert st["entries"] > 100_000
    assert {"IQ", "SY", "EG", "LY", "YE"} <= set(st["focus_countries"])


def test_geopy_geocoder_contract(gaz) -> None:
    from geopy.geocoders.base import Geocoder
    from geopy.location import Location

    from frontlines.geocoder import FrontlinesGazetteer

    g = FrontlinesGazetteer(gaz)
    assert isinstance(g, Geocoder)
    loc = g.geocode("Deir Al-Zor")
    assert isinstance(loc, Location) and loc.raw["country"] == "SY" and loc.raw["kind"] in ("city", "admin1")
    lb = g.geocode("Tripoli", country_codes=["LB"])
    assert lb.raw["country"] == "LB"
    many = g.geocode("Tripoli", exactly_one=False)
    assert {loc.raw["country"] for loc in many} >= {"LY", "LB"}
    rev = g.reverse((34.39, 40.99))
    assert rev.raw["country"] == "IQ" and rev.raw["distance_km"] < 20


@pytest.mark.parametrize("name, country, kind", [
    ("Golan Heights", "SY", "region"), ("the Golan", "SY", "region"), ("Zamalek", "EG", "village"),
    ("Nagrig", "EG", "village"), ("Rehab City", "EG", "town"),
])
def test_curated_places_of_the_five_countries(name, country, kind) -> None:
    from frontlines.geocoder import FrontlinesGazetteer

    loc = FrontlinesGazetteer().geocode(name)
    assert loc is not None and loc.raw["country"] == country and loc.raw["kind"] == kind, loc
