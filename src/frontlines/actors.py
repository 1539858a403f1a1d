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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
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
        # for speed: at each word of a text only the aliases starting with that word are tried (see _scan)
        self._groups: dict[bool, dict[str, tuple[str, ...]]] = {}
        self._keyable: dict[bool, bool] = {}
        for insensitive, texts in ((True, insens), (False, sens)):
            groups: dict[str, list[str]] = {}
            keyable = True
            for t in texts:
                key = _first_word_key(t)
                if key is None:
                    keyable = False
                    break
                groups.setdefault(key, []).append(t)  # keeps the longest-first order within a group
            self._groups[insensitive] = {k: tuple(v) for k, v in groups.items()}
            self._keyable[insensitive] = keyable

    def _scan(self, text: str, insensitive: bool) -> Iterator[re.Match[str]]:
        """The matches ``finditer`` of the whole alternation would give, trying at each word only the aliases
        that start with it.

        Exact: a match must start at the first character of a word (the pattern forbids a word character
        before it) and that word is the alias's first word; an alternation tried at a position gives its first
        matching alternative, and only that word's aliases can match there, in the same order. Texts with
        characters that case-insensitive matching folds onto ASCII letters (the Kelvin sign, long s, dotted
        and dotless i), or alias lists that cannot be keyed so, use the whole alternation.
        """
        full = self._insens if insensitive else self._sens
        if full is None:
            return
        if not self._keyable[insensitive] or _CASE_FOLDING.search(text):
            yield from full.finditer(text)
            return
        groups = self._groups[insensitive]
        end = 0
        for w in _WORDS.finditer(text):
            start = w.start()
            if start < end:
                continue
            texts = groups.get(w.group().lower())
            if texts is None:
                continue
            m = _compiled(texts, insensitive).match(text, start)
            if m is not None:
                yield m
                end = m.end()

    def _with_inner(self, text: str, matches: Iterable[re.Match[str]], insensitive: bool) -> Iterator[re.Match[str]]:
        """The scan's matches, and a longer alias that starts inside one of them: the scan, like ``finditer``,
        goes on after a match, so "the Islamic State" would hide "Islamic State in Iraq and the Levant"."""
        full = self._insens if insensitive else self._sens
        keyed = self._keyable.get(insensitive) and not _CASE_FOLDING.search(text)
        for m in matches:
            yield m
            words = _WORDS.finditer(text, m.start(1), m.end(1))
            next(words, None)
            for w in words:
                if keyed:
                    texts = self._groups[insensitive].get(w.group().lower())
                    m2 = _compiled(texts, insensitive).match(text, w.start()) if texts else None
                else:
                    m2 = full.match(text, w.start()) if full is not None else None
                if m2 is not None and m2.end(1) > m.end(1):
                    yield m2

    def find(self, text: str) -> list[ActorMention]:
        found: list[ActorMention] = []
        for sensitive in (False, True):
            for m in self._with_inner(text, self._scan(text, not sensitive), not sensitive):
                key = m.group(1) if sensitive else m.group(1).lower()
                key = re.sub(r"\s+", " ", key)
                aliases = self.by_text.get(key) or self.by_text.get(key.replace("’", "'"))
                if aliases and _COMPASS_BEFORE.search(text, 0, m.start(1)):
                    continue  # "North Sinai province" is a governorate, not the group called Sinai Province
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


_WORDS = re.compile(r"\w+")
_COMPASS_BEFORE = re.compile(r"\b(?:North|South|East|West)[ -]$")
#: non-ASCII characters that re.IGNORECASE matches to ASCII letters (K, s, i)
_CASE_FOLDING = re.compile("[\u212a\u017f\u0130\u0131]")


def _first_word_key(alias: str) -> str | None:
    """The lower-cased first word of an alias, if a match must start with it; None if not (the alias starts
    with a non-word character, or its first word has cased letters beyond ASCII)."""
    m = _WORDS.match(alias)
    if m is None:
        return None
    w = m.group()
    if not w.isascii() and (w.lower() != w or w.upper() != w):
        return None
    return w.lower()


@cache
def _compiled(texts: tuple[str, ...], insensitive: bool) -> re.Pattern[str]:
    """The alternation of these aliases, in this order, with the same boundaries as the whole one."""
    body = r"(?<![\w-])(" + "|".join(map(_pattern, texts)) + r")(?![\w])"
    return re.compile(body, re.I) if insensitive else re.compile(body)


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
