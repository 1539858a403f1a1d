"""Events per sentence: type, place, actor, side, date with precision, fatalities.

Rules over the sentence text (fast: no parser), anchored on trigger words:

* a trigger ("recaptured", "IS-held", "suicide bombing", "air strikes", "offensive", "arrested")
  gives the type;
* the place is the one the trigger points at: after an active verb or a noun + preposition
  ("recaptured Al-Qaim", "an attack in Aden"), before a passive or a relative clause
  ("Rawa, ... still held by IS");
* the actor is the first actor alias in the clause before an active trigger, or the one after
  "by"/"to" for a passive ("fell to IS"); its side depends on the place's country and the date;
* plans, threats, predictions, conditions, negations and purpose clauses ("vowed to retake",
  "may announce", "if the army enters", "an offensive to drive IS from") are not events;
* the date is the most precise time expression in the sentence (nearest the trigger on a tie),
  else the publication date with precision ``week``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from frontlines.actors import ActorDictionary, ActorMention
from frontlines.dates import find_time_expressions
from frontlines.records import Event, Place

_PREC_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}


@dataclass(frozen=True)
class Trigger:
    type: str
    start: int
    end: int
    text: str
    place_side: str  # "after" | "before" | "either"
    passive: bool = False


def _rx(words: str) -> re.Pattern[str]:
    return re.compile(words, re.I)


TRIGGERS: list[tuple[str, re.Pattern[str], str]] = [
    # (type, pattern, where the place is)
    ("control", _rx(r"\b(?:(?-i:[A-Z])[\w'’]*|rebel|government|regime|militant|jihadist|opposition|Kurdish|Houthi|Islamist|jihadi|extremist|insurgent|army|militia)-(?:held|controlled|occupied)\b"), "after"),
    ("control", _rx(r"\b(?:still |remained |remains |was |were |is |are |been )?(?:held|controlled|occupied|ruled|run) by\b"), "before"),
    ("control", _rx(r"\b(?:under|in) (?:the )?(?:full |effective |de facto )?(?:control|hands|grip) of\b"), "before"),
    ("control", _rx(r"\b(?:remains?|remained|still) (?:in the hands of|under the control of)\b"), "before"),
    ("control", _rx(r"\bwhich (?:\w+ ){0,3}?(?:still |fully |firmly )*(?:holds?|held|controls?|controlled|occupies|occupied|has held|has controlled)\b"), "before"),
    ("control", _rx(r"\b(?:stronghold|bastion|de facto capital|last bastion|last stronghold|last enclave|last pocket)s?\b(?: of)?"), "either"),
    ("control", _rx(r"\b(?:remains?|remained|still|are|is|was|were|stay(?:s|ed)?)\s+(?:firmly\s+|still\s+|largely\s+|mostly\s+)?in\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){0,3}(?:government|rebel|regime|militant|jihadist|opposition|army|Kurdish|Houthi|\w+)?\s*hands\b"), "before"),
    ("control", _rx(r"\b(?:still |also |now |firmly |largely )*(?:holds?|controls?|occupies)\b"), "after"),
    ("capture", _rx(r"\b(?:re)?captur(?:ed|e|es|ing)\b|\bretak(?:en|e|es|ing)\b|\bretook\b|\bliberat(?:ed|e|es|ing|ion)\b|\bseiz(?:ed|e|es|ing|ure)\b|\bover-?r(?:an|un|unning)\b|\bwrest(?:ed)?\b|\bregain(?:ed|s)?(?: control of)?\b|\btook (?:full )?(?:back|over|control of)\b|\btaking (?:full )?(?:back|over|control of)\b|\btake (?:back|over|control of)\b|\b(?:had|have|has|was|were|been|being) taken\b(?! (?:part|place|into|to|by surprise|hostage|prisoner|seriously|over by))|\btook\b(?= (?:the |back |full |over |control |most of |all of |large parts of )?(?:(?-i:[A-Z])|town|city|village|area|district|base|airport|neighbourhood|dam|refinery|field|hill|crossing|camp))|\bfreed\b|\bcleared\b|\bfell to\b|\bfall of\b|\bthe fall of\b|\bdr(?:ove|iven|ive|iving) (?:\S+ ){1,4}(?:out of|from)\b|\bexpell?(?:ed|ing)? (?:\S+ ){1,4}from\b|\bpushed (?:\S+ ){1,4}out of\b|\bouste?d? (?:\S+ ){1,4}from\b|\bentered\b|\bstormed\b|\bdeclared (?:victory|the liberation) (?:in|of|over)\b|\bgained control of\b|\bassumed control of\b"), "either"),
    ("airstrike", _rx(r"\b(?:jets?|aircraft|planes|helicopters|drones?|bombers|warships?)\s+(?:\w+\s+){0,3}?(?:struck|hit|bombed|pounded|targeted|fired|strafed|attacked|raided)\b|\bair ?-?strikes?\b|\bair raids?\b|\bdrone strikes?\b|\baerial (?:strikes?|bombardment|attacks?|bombing)\b|\bwarplanes?\b|\bfighter jets?\b|\bjets (?:struck|bombed|pounded|hit)\b|\bbombing raids?\b|\bstrikes? by (?:coalition|US|Russian|Syrian|Saudi|Turkish|Egyptian|Iraqi) (?:aircraft|jets|planes|warplanes|drones)\b|\bair campaign\b|\bbombed from the air\b|\bhelicopter gunships?\b|\bbarrel bombs?\b"), "either"),
    ("attack", _rx(r"\bsuicide (?:car )?(?:bomb(?:ing|er|ers|s)?|attacks?|blasts?)\b|\bcar[- ]bomb(?:ing|s)?\b|\bbomb(?:ing|ings|ed|s)?\b|\bblasts?\b|\bexplosions?\b|\bexplosive devices?\b|\bIEDs?\b|\bambush(?:ed|es)?\b|\bassassinat(?:ed|ion|e)\b|\battack(?:ed|s|ing)?\b|\bassault on (?:a |the )?(?:checkpoint|church|mosque|hotel|bus|convoy|police)\b|\bshell(?:ed|ing)\b|\bmortars?\b|\brockets?\b|\bmassacre\b|\bbeheaded\b|\bbeheadings?\b|\bexecuted\b|\bgunmen\b|\bopened fire\b|\bkill(?:ed|ing)\b|\bstruck\b|\bhit\b|\btargeted\b|\bsuicide bombers?\b"), "either"),
    ("clash", _rx(r"\bclash(?:ed|es)?\b|\bfight(?:ing|s)?\b|\bfought\b|\boffensives?\b|\bassaults?\b|\bbattles?\b|\bbattl(?:ed|ing)\b|\bsieges?\b|\bbesieg(?:ed|ing)\b|\badvanc(?:ed|ing|es|e)\b|\bpush(?:ed|ing)? (?:on|towards?|into|deeper)\b|\bcounter-?attacks?\b|\bcounter-?offensive\b|\boperations? (?:to|in|against|on)\b|\bcampaign (?:to|in|against|for)\b|\bmarched on\b|\bencircl(?:ed|ing)\b|\bsurround(?:ed|ing)\b|\bclosing in on\b|\bmov(?:ed|ing) (?:on|towards?|into)\b|\bbreached\b|\bfighting\b"), "either"),
    ("arrest", _rx(r"\barrest(?:ed|s|ing)?\b|\bdetain(?:ed|ing|s)?\b|\braids?\b|\braided\b|\bround(?:ed)? up\b|\bcrackdown\b|\bapprehended\b|\bdetention\b|\bcaptured (?:\d+|several|dozens|a number) (?:of )?(?:suspected |suspects|militants|members)"), "either"),
]

_HYPOTHETICAL = re.compile(
    r"\b(?:plans?|planned|planning|vow(?:ed|s)?|pledg(?:ed|es)|threat(?:en|ened|ens)|could|would|may|might|should|"
    r"must|will|shall|expected|expects?|hopes?|hoped|aims?|aimed|intends?|intended|prepar(?:ing|es|ed) (?:for|to)|ready to|"
    r"seeks?|sought|tries|trying|tried|attempt(?:ed|s|ing)?|announc(?:ed|es|e|ing) (?:plans|an offensive|the start|that it would)|"
    r"if|unless|whether|fears?|feared|warn(?:ed|s)?|no|not|never|denied|failed|fail|impossible|unlikely|"
    r"able to|capable of|calls? for|called for|urged|demand(?:ed|s)?|want(?:ed|s)?|wanted|aspir\w+|promis(?:ed|es)|"
    r"rumou?rs?|allegedly would|set to|due to|about to|bid to|effort to|efforts to|in order to|so as to)\b",
    re.I,
)
_SUPPORT = re.compile(r"\b(?:backed|supported|covered|aided|assisted|helped) by\s+(?:\S+\s+){0,3}$|\b(?:support|cover|help) (?:of|from)\s+(?:\S+\s+){0,3}$|\bwith\s+(?:\S+\s+){0,2}$", re.I)
_CHAIN_GAP = re.compile(r"\s*(?:,|,?\s*and|&|or|as well as|along with|plus|,\s*as well as)?\s*(?:[a-z][a-z'’-]*\s+){0,4}", re.I)
_REFERENCE = re.compile(r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)(?:ern)?\s+of|\bkm\s+(?:from|of)|\bkilometres?\s+(?:from|of)|\bmiles\s+(?:from|of)|\bnear|\boutside|\bfrom)\s+(?:the\s+)?$", re.I)
_PURPOSE_TO = re.compile(r"\bto\s+(?:\w+ly\s+)?$", re.I)
_CLAUSE_BREAK = re.compile(r"[;:—–]|,\s*(?:but|while|whereas|although|though|and then)\b|\b(?:but|while|whereas|although)\b")
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|had been|have been|has been)\s+(?:\w+ly\s+)?$", re.I)
_GENERIC_GROUP = re.compile(r"\b(?:the (?:group|militants|jihadists|extremists|insurgents|terrorists|terrorist group|militant group|organisation|organization)|they)\b", re.I)

_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "dozens": 24, "scores": 40,
    "hundreds": 200,
}
_NUM = r"(\d[\d,]*|" + "|".join(sorted(_NUM_WORDS, key=len, reverse=True)) + r")"
_VICTIMS = r"(?:people|persons|civilians|soldiers|troops|policemen|police(?:men|officers)?|officers|fighters|militants|members|worshippers|children|women|men|conscripts|recruits|personnel|guards|pilgrims|Copts|Christians|tourists|others|jihadists|insurgents|gunmen|attackers|of them)"
_FATAL = [
    re.compile(rf"\b(?:killed|killing|kills|left|leaving)\s+(?:at least\s+|more than\s+|some\s+|about\s+|around\s+|nearly\s+|over\s+)?{_NUM}\b", re.I),
    re.compile(rf"\b(?:at least\s+|more than\s+|some\s+|about\s+|around\s+|nearly\s+|over\s+)?{_NUM}\s+(?:\w+\s+){{0,2}}{_VICTIMS}\s+(?:\w+\s+){{0,3}}(?:were|was|had been|have been|are)\s+(?:\w+\s+)?killed\b", re.I),
    re.compile(rf"\b(?:death toll|toll)\s+(?:\w+\s+){{0,4}}(?:to|at|of)\s+(?:at least\s+)?{_NUM}\b", re.I),
    re.compile(rf"\b{_NUM}\s+(?:\w+\s+){{0,2}}(?:dead|killed)\b", re.I),
]


def _num(s: str) -> int | None:
    s = s.lower().replace(",", "")
    if s.isdigit():
        return int(s)
    return _NUM_WORDS.get(s)


def fatalities_in(sentence: str) -> int | None:
    for rx in _FATAL:
        m = rx.search(sentence)
        if m:
            n = _num(m.group(1))
            if n is not None and n < 100_000:
                return n
    return None


class EventExtractor:
    def __init__(self, actors: ActorDictionary) -> None:
        self.actors = actors

    def triggers(self, sentence: str) -> list[Trigger]:
        found: list[Trigger] = []
        for type_, rx, side in TRIGGERS:
            for m in rx.finditer(sentence):
                if "-" in m.group(0) and type_ == "control" and not self._held_prefix_ok(m.group(0).split("-")[0]):
                    continue
                found.append(Trigger(type_, m.start(), m.end(), m.group(0), side))
        # one trigger per text span: the earlier entries in TRIGGERS win
        found.sort(key=lambda t: t.start)
        out: list[Trigger] = []
        for t in found:
            if any(not (t.end <= o.start or t.start >= o.end) for o in out):
                continue
            passive = bool(_PASSIVE_BEFORE.search(sentence[: t.start])) or t.text.lower().startswith(("fell to", "fall of", "the fall of"))
            out.append(Trigger(t.type, t.start, t.end, t.text, t.place_side, passive))
        return out

    def _held_prefix_ok(self, prefix: str) -> bool:
        generic = {"rebel", "government", "regime", "militant", "jihadist", "opposition", "islamist", "jihadi",
                   "extremist", "insurgent", "army", "militia", "kurdish", "houthi", "loyalist", "coalition"}
        return prefix.lower() in generic or bool(self.actors.find(prefix))

    def extract(
        self,
        text: str,
        sentences: Sequence[tuple[int, int]],
        places: Sequence[Place],
        actor_mentions: Sequence[ActorMention],
        published: str | None,
    ) -> list[Event]:
        events: list[Event] = []
        dateline_end = _dateline_end(text)
        # the dateline names where the report was filed, not where things happened
        named = [p for p in places if p.mention == "name" and p.lat is not None and p.start >= dateline_end]
        enemy = self._main_enemy(actor_mentions, named, published)
        for s0, s1 in sentences:
            sent = text[s0:s1]
            sp = [p for p in named if s0 <= p.start and p.end <= s1]
            if not sp:
                continue
            trigs = self.triggers(sent)
            if not trigs:
                continue
            acts = [a for a in actor_mentions if s0 <= a.start and a.end <= s1]
            times = find_time_expressions(sent, published)
            seen: set[tuple[str, int]] = set()
            for t in trigs:
                if self._hypothetical(sent, t):
                    continue
                targets = self._places_for(sent, s0, t, sp, trigs)
                for place in targets:
                    if (t.type, place.start) in seen:
                        continue
                    seen.add((t.type, place.start))
                    ev = self._event(text, sent, s0, t, place, acts, times, published, enemy)
                    if ev is not None:
                        events.append(ev)
        return _dedupe(events)

    # --- pieces ------------------------------------------------------------------------------
    @staticmethod
    def _hypothetical(sent: str, t: Trigger) -> bool:
        before = sent[: t.start]
        clause_start = 0
        for m in _CLAUSE_BREAK.finditer(before):
            clause_start = m.end()
        window = before[clause_start:]
        words = window.split()
        near = " ".join(words[-7:])
        if _HYPOTHETICAL.search(near):
            return True
        if t.type in ("airstrike", "attack") and _SUPPORT.search(before[-60:]):
            return True  # "backed by US air strikes": support for another event, not an event of its own
        if t.type in ("capture", "arrest") and _PURPOSE_TO.search(before) and not _PASSIVE_BEFORE.search(before):
            return True
        return False

    @staticmethod
    def _places_for(sent: str, s0: int, t: Trigger, sp: Sequence[Place], trigs: Sequence[Trigger]) -> list[Place]:
        specific = [p for p in sp if p.kind != "country"]
        if not specific:
            return []
        a0, a1 = s0 + t.start, s0 + t.end
        after = [p for p in specific if p.start >= a1]
        before = [p for p in specific if p.end <= a0]
        nxt = [o for o in trigs if o.start > t.end]
        limit_after = s0 + (nxt[0].start if nxt else len(sent))

        noun_of = re.search(r"\b(?:of|on|for|against|in|at|to|towards?|into|from)\s*$", t.text, re.I) is not None
        max_gap = 30 if noun_of else 90

        def chain_after() -> list[Place]:
            out: list[Place] = []
            if not after:
                return out
            first = after[0]
            if first.start - a1 > max_gap:
                return out
            out.append(first)
            last_end = first.end
            for p in after[1:]:
                gap = sent[last_end - s0 : p.start - s0]
                if _REFERENCE.search(sent[max(0, p.start - s0 - 40) : p.start - s0]) and len(gap) < 60 and ";" not in gap:
                    last_end = p.end  # "Tal Afar, west of Mosul, and Hawija": Mosul is a reference point
                    continue
                if p.start <= limit_after + 40 and _CHAIN_GAP.fullmatch(gap):
                    out.append(p)
                    last_end = p.end
                else:
                    break
            return out

        def nearest_before(max_chars: int = 100) -> list[Place]:
            if before and a0 - before[-1].end <= max_chars:
                return [before[-1]]
            return []

        if t.type == "control" and t.place_side == "after":
            return chain_after()[:3]
        if t.place_side == "before" or t.passive:
            got = nearest_before(140)
            if got:
                return got
            return chain_after()[:1]
        got = chain_after()
        if got:
            return got[:4]
        return nearest_before(60)

    def _actor(self, sent: str, s0: int, t: Trigger, acts: Sequence[ActorMention], place: Place) -> ActorMention | None:
        a0, a1 = s0 + t.start, s0 + t.end
        if t.type == "control":
            inside = [a for a in acts if a0 <= a.start < a1]
            if inside:
                return inside[0]  # "IS-held", "in Islamic State hands", "which IS still holds"
            low = t.text.lower().rstrip()
            if low.endswith((" by", " of", "hands")):
                after = [a for a in acts if a.start >= a1 and a.start - a1 < 40]
                return after[0] if after else None
            before = [a for a in acts if a.end <= a0]
            clause_start = 0
            for m in _CLAUSE_BREAK.finditer(sent[: t.start]):
                clause_start = m.end()
            before = [a for a in before if a.start - s0 >= clause_start]
            if t.place_side == "either":  # "Islamic State's stronghold", "the group's de facto capital"
                near = [a for a in before if a0 - a.end <= 30]
                if near:
                    return near[-1]
                after = [a for a in acts if a.start >= a1 and a.start - a1 < 40]
                return after[0] if after else None
            return before[0] if before else None
        if t.passive or re.search(r"\bby\b", sent[t.end : t.end + 60]):
            after = [a for a in acts if a.start >= a1 and a.start - a1 < 80 and re.search(r"\b(?:by|to)\s+(?:the\s+)?$", sent[: a.start - s0])]
            if after:
                return after[0]
        before = [a for a in acts if a.end <= a0]
        clause_start = 0
        for m in _CLAUSE_BREAK.finditer(sent[: t.start]):
            clause_start = m.end()
        in_clause = [a for a in before if a.start - s0 >= clause_start]
        if in_clause:
            return in_clause[0]
        if before:
            return before[0]
        after = [a for a in acts if a.start >= a1 and re.search(r"\b(?:by|to)\s+(?:the\s+)?$", sent[: a.start - s0])]
        return after[0] if after else None

    def _event(
        self, text: str, sent: str, s0: int, t: Trigger, place: Place, acts: Sequence[ActorMention],
        times: Sequence, published: str | None, enemy: str,
    ) -> Event | None:
        date, prec = self._date(t, times, published)
        actor = self._actor(sent, s0, t, acts, place)
        side = actor.side(place.country, date) if actor else "unknown"
        actor_text = actor.text if actor else ""
        if side == "unknown" and t.type == "control" and enemy:
            low = t.text.lower().rstrip()
            m = _GENERIC_GROUP.search(sent[t.end : t.end + 40]) if low.endswith((" by", " of", "hands")) else None
            if m is None and not low.endswith((" by", " of")):
                ms = list(_GENERIC_GROUP.finditer(sent[max(0, t.start - 60) : t.start]))
                m = ms[-1] if ms else None
            if m:
                side, actor_text = enemy, m.group(0)
        if side == "unknown" and t.type == "capture" and t.passive is False:
            m = _GENERIC_GROUP.search(sent[: t.start])
            if m and enemy:
                side, actor_text = enemy, m.group(0)
        if t.type == "control" and side == "unknown":
            return None  # "held", "controlled" with no holder named is not evidence of who holds it
        controller = side if t.type in ("capture", "control") else None
        if t.type == "capture" and side == "unknown":
            controller = "unknown"
        conf = 0.55 + (0.15 if actor else 0.0) + (0.1 if prec == "day" else 0.0) + 0.15 * min(1.0, place.score)
        return Event(
            type=t.type, place=place, sentence=sent, sentence_start=s0, date=date, date_precision=prec,
            actor=actor_text, side=side, controller_after=controller, confidence=round(min(conf, 0.99), 3),
            fatalities=fatalities_in(sent) if t.type in ("attack", "airstrike", "clash") else None, trigger=t.text,
        )

    @staticmethod
    def _date(t: Trigger, times: Sequence, published: str | None) -> tuple[str | None, str | None]:
        near = [x for x in times if abs(x.start - t.start) <= 100 or abs(x.end - t.end) <= 100]
        if near:
            best = min(near, key=lambda x: (_PREC_RANK[x.precision], abs(x.start - t.start)))
            return best.date, best.precision
        if published:
            return published, "week"
        return None, None

    def _main_enemy(self, acts: Sequence[ActorMention], places: Sequence[Place], published: str | None) -> str:
        cc = Counter(p.country for p in places if p.country)
        country = cc.most_common(1)[0][0] if cc else None
        sides = Counter(a.side(country, published) for a in acts)
        for side, _ in sides.most_common():
            if side in ("islamic_state", "aqap", "hts", "houthis"):
                return side
        return "islamic_state" if sides else ""


_DATELINE_RX = re.compile(r"^\s*[A-Z][A-Za-z'’ .\-]{1,40}(?:,\s*[A-Z][A-Za-z .]{1,30})?(?:,\s*[^\n]{0,40}?)?\s*(?:\([^)]{1,40}\))?\s*(?:[-–—:]|\n)")


def _dateline_end(text: str) -> int:
    """End of a dateline such as "BAGHDAD, June 10 (Frontlines) -" or "Aden, 6 Dec 2015:"."""
    m = _DATELINE_RX.match(text[:160])
    return m.end() if m else 0


_GENERIC_ATTACK = re.compile(r"^(?:struck|hit|bomb(?:ed|ing|ings|s)?|targeted|kill(?:ed|ing)|attack(?:ed|s)?|shell(?:ed|ing)|rockets?|explosions?|blasts?)$", re.I)


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per thing that happened.

    * one event per (sentence, place, type);
    * a capture in a sentence supersedes a "control" claim about the same place in that sentence
      ("retook Tal Afar, IS's stronghold");
    * the same type at the same place reported again in the article (headline, lead, body) with a
      compatible date is one event: the most precise date and the highest confidence are kept.
    """
    air_sentences = {e.sentence_start for e in events if e.type == "airstrike"}
    events = [replace(e, type="airstrike") if e.type == "attack" and e.sentence_start in air_sentences
              and _GENERIC_ATTACK.match(e.trigger.strip()) else e for e in events]
    by_key: dict[tuple[int, int, str], Event] = {}
    for e in events:
        k = (e.sentence_start, e.place.start, e.type)
        if k not in by_key or e.confidence > by_key[k].confidence:
            by_key[k] = e
    captured = {(e.sentence_start, e.place.gazetteer_id or e.place.name) for e in by_key.values() if e.type == "capture"}
    items = [e for e in by_key.values()
             if not (e.type == "control" and (e.sentence_start, e.place.gazetteer_id or e.place.name) in captured)]
    items.sort(key=lambda e: (_PREC_RANK.get(e.date_precision or "year", 4), -e.confidence, e.sentence_start))
    kept: list[Event] = []
    for e in items:
        pid = e.place.gazetteer_id or e.place.name
        dup = next((k for k in kept if k.type == e.type and (k.place.gazetteer_id or k.place.name) == pid
                    and _compatible(k, e)), None)
        if dup is None:
            kept.append(e)
    return sorted(kept, key=lambda e: (e.sentence_start, e.place.start))


def _compatible(a: Event, b: Event) -> bool:
    """Could both dates describe the same happening, given their precisions?"""
    from datetime import date as _d

    if not a.date or not b.date:
        return True
    da, db = _d.fromisoformat(a.date), _d.fromisoformat(b.date)
    window = {"day": 1, "week": 7, "month": 31, "year": 366}
    tol = max(window.get(a.date_precision or "day", 1), window.get(b.date_precision or "day", 1))
    return abs((da - db).days) <= tol
