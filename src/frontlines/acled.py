"""ACLED-style export of stored events (``frontlines export --format acled``).

One row per event, with ACLED's column names and codes, so that Frontlines output can be read by
tools built for ACLED data and compared with it. The mapping (event types, actor names, precision
codes) is documented in ``docs/ACLED.md``; the tables below are that document's source of truth.

Frontlines is not ACLED: actors are named per *side* (the side dictionary in ``geodata/actors.json``),
not per unit, and the event codes follow from our rule-based types. Government vs non-state comes
from each side's ``state`` flag in ``geodata/actors.json``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import pandas as pd

from frontlines.actors import load_actors
from frontlines.paths import geodata_dir

#: ACLED's columns, in ACLED's order (those Frontlines can fill)
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
]

#: date precision -> ACLED time_precision (1 the day is known, 2 the week, 3 the month or coarser)
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}

#: place kind -> ACLED geo_precision (1 the village/town itself, 2 a part of a province (district),
#: 3 a province, region or country)
GEO_PRECISION = {"village": 1, "town": 1, "city": 1, "landmark": 1, "admin2": 2, "admin1": 3, "region": 3, "country": 3}

BATTLES, EXPLOSIONS, VAC, STRATEGIC = "Battles", "Explosions/Remote violence", "Violence against civilians", "Strategic developments"

#: words of an attack's trigger -> ACLED sub-event type (first match wins)
ATTACK_SUBTYPES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"\bsuicide\b", re.I), EXPLOSIONS, "Suicide bomb"),
    (re.compile(r"\b(?:shell|mortar|rocket|missile|artiller)", re.I), EXPLOSIONS, "Shelling/artillery/missile attack"),
    (re.compile(r"\b(?:bomb|IED|explosi|blast|blew|detonat|went off|tore through|landmine|mine)\w*", re.I), EXPLOSIONS,
     "Remote explosive/landmine/IED"),
]
#: an attack whose sentence names civilian victims is violence against civilians; else an armed clash
_CIVILIANS = re.compile(
    r"\b(?:civilians?|worshippers|Christians|Copts|tourists|children|women|mourners|pilgrims|shoppers|residents|"
    r"villagers|passengers|families|students|journalists|labourers|laborers|market|church|mosque|funeral|wedding)\b", re.I)

#: Frontlines side -> ACLED-style actor name; "{country}" is the event's country name. A list of
#: (until ISO date or None, name) gives names that change with the government in office.
ACTOR_NAMES: dict[str, list[tuple[str | None, str]]] = {
    "islamic_state": [(None, "Islamic State ({country})")],
    "iraqi_government": [("2014-09-07", "Military Forces of Iraq (2006-2014)"), ("2018-10-24", "Military Forces of Iraq (2014-2018)"),
                         (None, "Military Forces of Iraq (2018-2020)")],
    "kurdistan_region": [(None, "Military Forces of Iraq (Kurdistan Regional Government) Peshmerga")],
    "syrian_government": [(None, "Military Forces of Syria (2000-)")],
    "sdf": [(None, "QSD: Syrian Democratic Forces")],
    "syrian_opposition": [(None, "Opposition Rebels (Syria)")],
    "hts": [("2017-01-27", "Jabhat Fateh al Sham / Jabhat al Nusra"), (None, "HTS: Hayat Tahrir al Sham")],
    "turkey": [(None, "Military Forces of Turkey (2002-)")],
    "us_coalition": [("2017-01-19", "Military Forces of the United States (2009-2017)"),
                     (None, "Military Forces of the United States (2017-2021)")],
    "russia": [(None, "Military Forces of Russia (2000-)")],
    "egyptian_government": [("2014-06-07", "Military Forces of Egypt (2013-2014)"), (None, "Military Forces of Egypt (2014-)")],
    "lna": [(None, "LNA: Libyan National Army")],
    "gna": [(None, "Military Forces of Libya (2016-2021) Government of National Accord")],
    "yemeni_government": [(None, "Military Forces of Yemen (2012-2022)")],
    "houthis": [(None, "Ansar Allah (Houthi Movement)")],
    "aqap": [(None, "AQAP: Al Qaeda in the Arabian Peninsula")],
    "stc": [(None, "STC: Southern Transitional Council")],
    "saudi_coalition": [(None, "Military Forces of Saudi Arabia (2015-)")],
    "unknown": [(None, "Unidentified Armed Group ({country})")],
}


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, str]]:
    """ISO2 -> (ISO3, name), from geodata/countries.geojson."""
    out: dict[str, tuple[str, str]] = {}
    p = geodata_dir() / "countries.geojson"
    if p.exists():
        for f in json.loads(p.read_text(encoding="utf-8")).get("features", []):
            prop = f.get("properties") or {}
            if prop.get("iso_a2"):
                out[str(prop["iso_a2"]).upper()] = (str(prop.get("adm0_a3") or ""), str(prop.get("name") or ""))
    return out


def country_iso3(iso2: Any) -> str:
    code = str(iso2 or "").upper()
    return _countries().get(code, ("", ""))[0] or (code + "X" if code else "XXX")


def country_name(iso2: Any) -> str:
    code = str(iso2 or "").upper()
    return _countries().get(code, ("", ""))[1] or code


def actor_name(side: Any, country: str, on: Any) -> str:
    """The ACLED-style name of a side, in a country, on a date."""
    names = ACTOR_NAMES.get(str(side or "unknown"), ACTOR_NAMES["unknown"])
    day = str(on or "")
    for until, name in names:
        if until is None or (day and day <= until):
            return name.format(country=country or "International")
    return names[-1][1].format(country=country or "International")


def event_codes(row: dict[str, Any]) -> tuple[str, str]:
    """ACLED event_type and sub_event_type of one Frontlines event."""
    typ = str(row.get("event_type") or "other")
    if typ == "capture":
        side = row.get("controller_after") or row.get("side") or "unknown"
        if side in (None, "", "unknown") or (isinstance(side, float) and pd.isna(side)):
            return BATTLES, "Armed clash"  # we cannot tell who took it
        if load_actors().is_state(str(side)):
            return BATTLES, "Government regains territory"
        return BATTLES, "Non-state actor overtakes territory"
    if typ == "control":
        return STRATEGIC, "Non-violent transfer of territory"
    if typ == "airstrike":
        return EXPLOSIONS, "Air/drone strike"
    if typ == "clash":
        return BATTLES, "Armed clash"
    if typ == "arrest":
        return STRATEGIC, "Arrests"
    if typ == "attack":
        trigger = str(row.get("trigger") or "")
        for rx, etype, sub in ATTACK_SUBTYPES:
            if rx.search(trigger):
                return etype, sub
        if _CIVILIANS.search(str(row.get("sentence") or "")):
            return VAC, "Attack"
        return BATTLES, "Armed clash"
    return STRATEGIC, "Other"


def _int(v: Any) -> int:
    try:
        if v is None or pd.isna(v):
            return 0
        return int(v)
    except (TypeError, ValueError):
        return 0


def to_acled(events: pd.DataFrame) -> pd.DataFrame:
    """Stored events (``store.events(filters)``: the columns of the points table) -> ACLED-style rows."""
    rows: list[dict[str, Any]] = []
    for rec in events.to_dict("records") if not events.empty else []:
        cc = str(rec.get("country") or "")
        cname = country_name(cc)
        date = str(rec.get("date") or rec.get("published") or "")
        etype, sub = event_codes(rec)
        side = rec.get("side") or "unknown"
        actor1 = actor_name(side, cname, date)
        surface = str(rec.get("actor") or "")
        rows.append({
            "event_id_cnty": f"{country_iso3(cc)}{_int(rec.get('event_id'))}",
            "event_date": date[:10],
            "year": int(date[:4]) if date[:4].isdigit() else None,
            "time_precision": TIME_PRECISION.get(str(rec.get("date_precision") or ""), 3),
            "event_type": etype,
            "sub_event_type": sub,
            "actor1": actor1,
            "assoc_actor_1": surface if surface and surface.lower() not in actor1.lower() else "",
            "country": cname,
            "admin1": rec.get("admin1") or "",
            "admin2": rec.get("admin2") or "",
            "location": rec.get("name") or rec.get("surface") or "",
            "latitude": rec.get("lat"),
            "longitude": rec.get("lon"),
            "geo_precision": GEO_PRECISION.get(str(rec.get("kind") or ""), 1),
            "source": rec.get("source") or rec.get("url") or "",
            "notes": " ".join(str(rec.get("sentence") or "").split()),
            "fatalities": _int(rec.get("fatalities")),
        })
    df = pd.DataFrame(rows, columns=ACLED_COLUMNS)
    if not df.empty:
        df["year"] = df["year"].astype("Int64")
    return df
