"""Resolution outside the mission's region: countries over namesakes, US counties and states ("Paris, Tenn.",
the state an article's towns are in). The texts are written for these tests."""

import pytest

from frontlines.gazetteer import haversine_km, load_gazetteer
from frontlines.records import Article


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_country_points_are_conventional_centres(gaz) -> None:
    ru = next(c for c in gaz.lookup("Russia") if c.entry.kind == "country")
    assert haversine_km(ru.entry.lat, ru.entry.lon, 60, 100) < 50  # not Natural Earth's label point in the west
    ye = next(c for c in gaz.lookup("Yemen") if c.entry.kind == "country")
    assert haversine_km(ye.entry.lat, ye.entry.lon, 15.5, 47.5) < 150


def test_us_counties_by_full_name_only(gaz) -> None:
    cands = gaz.lookup("Laurel County")
    assert cands and cands[0].entry.kind == "admin2" and cands[0].entry.admin1 == "KY"
    assert haversine_km(cands[0].entry.lat, cands[0].entry.lon, 37.11, -84.12) < 30
    assert all(c.entry.kind != "admin2" for c in gaz.lookup("Laurel"))


def _places(extractor, text: str) -> dict[str, object]:
    ex = extractor.extract(Article(text=text, id="t"))
    return {p.surface: p for p in ex.places}


def test_country_over_same_name_city_and_acronym(extractor) -> None:
    p = _places(extractor, "Trade talks between the US and Mexico stalled on Monday. Mexico said US tariffs would hurt "
                           "farmers in Mexico, and Mexican officials flew home.")
    assert p["Mexico"].kind == "country" and p["Mexico"].country == "MX"
    assert p["US"].country == "US"


def test_town_and_its_state(extractor) -> None:
    p = _places(extractor, "Rescue squad seeks funds. Residents of Paris, Tenn., and Henry County will receive a letter "
                           "from the squad this week.")
    assert p["Paris"].country == "US" and p["Paris"].admin1 == "TN"
    assert p["Henry County"].admin1 == "TN"
    p = _places(extractor, "The Dublin, Ohio, city council met on Monday.")
    assert p["Dublin"].country == "US" and p["Dublin"].admin1 == "OH"


def test_state_of_the_article(extractor) -> None:
    p = _places(extractor, "Farmers near Macon and Atlanta said the drought was over in most of Georgia, and the "
                           "Walker County burn ban was lifted.")
    assert p["Georgia"].kind == "admin1" and p["Georgia"].country == "US"
    assert p["Walker County"].admin1 == "GA"


def test_saints_and_their_churches_are_not_towns(extractor) -> None:
    from frontlines.records import Article

    ex = extractor.extract(Article(text="The blast ripped through St Peter and St Paul's Church in Cairo on Sunday.",
                                   published="2016-12-12"))
    assert [p.surface for p in ex.places] == ["Cairo"]
