"""One normalisation of place names, used on the gazetteer and on the text alike.

Two keys per name:

* ``name_key`` — diacritics, punctuation, case and the Arabic article stripped: "Deir Al-Zor",
  "Deir ez-Zor" and "Deir Ezzor" all give ``deirzor``; "Al-Qaim" and "Qaim" give ``qaim``.
* ``skeleton`` — a looser, transliteration-blind key over ``name_key``: vowels and the letters that
  stand for them (w, y) dropped after the first letter, q/k/g/c merged, kh→h, sh/ch→s, dh/th→z,
  doubled letters collapsed (in both keys): "Dayr az Zawr" and "Deir al-Zour" both give ``drzr``.

Arabic-script names get ``name_key`` too (article ال stripped, diacritics removed) and match the
gazetteer's Arabic alternate names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "az", "at", "an", "ed", "er", "es", "ez", "et", "ul", "il", "ag", "ath", "adh", "the"})
_ABU = frozenset({"abu", "abou", "albu", "bu", "abo", "aboo"})
_APOSTROPHES = "'’‘`ʿʾ´ʼ′"
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_ARABIC_DIACRITICS = re.compile(r"[\u064B-\u065F\u0670\u0640]")
# a sun-letter article glued to its noun: "Ezzor", "Arraqqa", "Assuwayda"
_GLUED_ARTICLE = re.compile(r"^(?:a|e)([dnrstz])\1(?=[a-z]{2})")
_DOUBLE = re.compile(r"([a-z])\1+")
_NON_WORD = re.compile(r"[^0-9a-z\u0600-\u06FF]+")


def is_arabic(s: str) -> bool:
    return bool(_ARABIC.search(s))


@lru_cache(maxsize=200_000)
def fold(s: str) -> str:
    """Lower-case ASCII-ish form: diacritics and apostrophes dropped, punctuation to spaces."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch) or _ARABIC.match(ch))
    for ch in _APOSTROPHES:
        s = s.replace(ch, "")
    s = s.replace("ı", "i").replace("ø", "o").replace("ß", "ss").replace("đ", "d").replace("ł", "l")
    s = s.lower()
    if _ARABIC.search(s):
        s = _ARABIC_DIACRITICS.sub("", s)
        s = s.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ة", "ه").replace("ى", "ي")
    return _NON_WORD.sub(" ", s).strip()


@lru_cache(maxsize=200_000)
def tokens(s: str) -> tuple[str, ...]:
    """Folded tokens with the Arabic article removed wherever it stands."""
    out: list[str] = []
    for i, t in enumerate(fold(s).split()):
        if t in ARTICLES:
            continue
        if t.startswith("ال") and len(t) > 3:
            t = t[2:]
        elif i > 0 or len(t) > 6:
            t = _GLUED_ARTICLE.sub(r"\1", t)
        if t in _ABU:
            t = "abu"
        out.append(t)
    return tuple(out)


def _strip_final_h(t: str) -> str:
    # Raqqah/Raqqa, Hodeidah/Hodeida, Anah/Ana: a final h after a vowel is a spelling, not a sound
    if len(t) > 3 and t.endswith("h") and t[-2] in "aeiou":
        return t[:-1]
    return t


@lru_cache(maxsize=400_000)
def name_key(s: str) -> str:
    toks = [_strip_final_h(t) for t in tokens(s)]
    key = _DOUBLE.sub(r"\1", "".join(toks))
    return key.replace("abu", "bu") if "abu" in toks else key


_DIGRAPHS = (("kh", "h"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("dh", "z"), ("th", "z"), ("ph", "f"), ("ou", "u"))
_MERGE = str.maketrans({"q": "k", "g": "k", "c": "k", "e": "a", "o": "u", "i": "a", "y": "a", "w": "u"})


@lru_cache(maxsize=400_000)
def skeleton(s: str) -> str:
    """Transliteration-blind key; only meaningful when at least 3 characters long."""
    key = name_key(s)
    if not key or is_arabic(key):
        return key
    for a, b in _DIGRAPHS:
        key = key.replace(a, b)
    key = _DOUBLE.sub(r"\1", key.translate(_MERGE))
    return key[0] + re.sub(r"[aeiouyw]", "", key[1:])
