"""Actors and sides, from the team-curated dictionary ``geodata/actors.json``.

Each alias names a side, optionally only in some countries ("government forces" is the Syrian
government in Syria, the Iraqi one in Iraq) and only in a period ("Ansar Beit al-Maqdis" is IS from
November 2014). Alias spans also tell the toponym recogniser what is *not* a place
("Islamic State", "Sinai Province", "Syrian Democratic Forces").
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from frontlines.paths import geodata_dir

log = logging.getLogger(__name__)

SIDES = (
    "islamic_state", "iraqi_government", "kurdistan_region", "syrian_government", "sdf", "syrian_opposition",
    "hts", "turkey", "us_coalition", "russia", "egyptian_government", "lna", "gna", "yemeni_government",
    "houthis", "aqap", "stc", "saudi_coalition", "unknown",
)


@dataclass(frozen=True)
class Alias:
    text: str
    side: str
    countries: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def applies(self, country: str | None, on: str | None) -> bool:
        if self.countries and country and country not in self.countries:
            return False
        if self.countries and not country:
            return False
        if on and self.date_from and on < self.date_from:
            return False
        if on and self.date_to and on > self.date_to:
            return False
        return True


@dataclass(frozen=True)
class ActorMention:
    start: int
    end: int
    text: str
    aliases: tuple[Alias, ...]

    def side(self, country: str | None = None, on: str | None = None) -> str:
        """The side this mention stands for, given the place's country and the date."""
        specific = [a for a in self.aliases if a.countries and a.applies(country, on)]
        if specific:
            return specific[0].side
        general = [a for a in self.aliases if not a.countries and a.applies(None, on)]
        if general:
            return general[0].side
        return "unknown"

    @property
    def is_generic(self) -> bool:
        """True when the words name a side only through the country ("government forces")."""
        return all(a.countries for a in self.aliases)


class ActorDictionary:
    def __init__(self, data: dict[str, Any]) -> None:
        self.sides: dict[str, dict[str, Any]] = data.get("sides", {})
        by_text: dict[str, list[Alias]] = {}
        for a in data.get("aliases", []):
            text = (a.get("text") or "").strip()
            if not text or a.get("side") not in self.sides:
                continue
            alias = Alias(text, a["side"], tuple(a.get("countries") or ()), a.get("from"), a.get("to"))
            by_text.setdefault(text.lower() if not _case_sensitive(text) else text, []).append(alias)
        self.by_text = by_text
        sens = sorted((t for t in by_text if _case_sensitive(t)), key=len, reverse=True)
        insens = sorted((t for t in by_text if not _case_sensitive(t)), key=len, reverse=True)
        self._sens = re.compile(r"(?<![\w-])(" + "|".join(map(_pattern, sens)) + r")(?![\w])") if sens else None
        self._insens = re.compile(r"(?<![\w-])(" + "|".join(map(_pattern, insens)) + r")(?![\w])", re.I) if insens else None

    def find(self, text: str) -> list[ActorMention]:
        found: list[ActorMention] = []
        for rx, sensitive in ((self._insens, False), (self._sens, True)):
            if rx is None:
                continue
            for m in rx.finditer(text):
                key = m.group(1) if sensitive else m.group(1).lower()
                key = re.sub(r"\s+", " ", key)
                aliases = self.by_text.get(key) or self.by_text.get(key.replace("’", "'"))
                if aliases:
                    found.append(ActorMention(m.start(1), m.end(1), m.group(1), tuple(aliases)))
        # longest first, no overlaps
        found.sort(key=lambda a: (-(a.end - a.start), a.start))
        taken: list[ActorMention] = []
        for a in found:
            if all(a.end <= b.start or a.start >= b.end for b in taken):
                taken.append(a)
        return sorted(taken, key=lambda a: a.start)

    def color(self, side: str) -> str:
        return (self.sides.get(side) or {}).get("color", "#777777")

    def label(self, side: str) -> str:
        return (self.sides.get(side) or {}).get("label", side.replace("_", " "))

    def is_state(self, side: str) -> bool:
        return bool((self.sides.get(side) or {}).get("state", False))


def _case_sensitive(text: str) -> bool:
    """Acronyms and short words must match case ("IS" is not "is")."""
    letters = [c for c in text if c.isalpha()]
    return len(text) <= 4 or (bool(letters) and sum(c.isupper() for c in letters) >= max(2, len(letters) // 2))


def _pattern(text: str) -> str:
    parts = [re.escape(p) for p in re.split(r"[\s]+", text)]
    pat = r"\s+".join(parts)
    return pat.replace(r"\'", "['’]").replace("'", "['’]")


_FALLBACK = {
    "sides": {s: {"label": s.replace("_", " ").title(), "state": s.endswith("government"), "color": "#777777"} for s in SIDES},
    "aliases": [
        {"text": t, "side": "islamic_state"} for t in ("IS", "ISIS", "ISIL", "Daesh", "Islamic State")
    ],
}


@lru_cache(maxsize=1)
def load_actors() -> ActorDictionary:
    p = geodata_dir() / "actors.json"
    if not p.exists():
        log.warning("geodata/actors.json missing: using a minimal actor list")
        return ActorDictionary(_FALLBACK)
    return ActorDictionary(json.loads(p.read_text(encoding="utf-8")))
