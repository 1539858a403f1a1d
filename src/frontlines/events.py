"""Events per sentence: type, place, actor, side, date with precision, fatalities.

Rules over the sentence text (fast: no parser; the tagger's part of speech is used where a trigger
word is ambiguous), anchored on trigger words. The steps, each a small function below:

1. **Triggers** (``TRIGGERS``): a word or phrase gives the type ("recaptured" → capture, "IS-held" →
   control, "suicide bombing" → attack, "air strikes" → airstrike, "offensive" → clash, "detained" →
   arrest). Words that are also something else must carry the right part of speech ("hit" the verb,
   not the town of Hit; "advance" the noun in "the advance on", not in "in advance").
2. **Reality** (``_unreal``): plans, threats, predictions, conditions, negations and purpose
   clauses ("vowed to retake", "could fall", "if the army enters", "an offensive to drive IS from")
   are not events. The cue must stand in the same comma-delimited stretch before the trigger.
3. **Place** (``_places_for``): a verb's object or complement follows it ("recaptured Al-Qaim",
   "struck positions around Amerli"); a noun's place is introduced by a preposition ("the offensive
   on Sinjar", "a bombing in Aden") or stands before it ("the Mosul offensive"); a passive, an
   intransitive "fell" or a relative clause looks back to its subject ("Rawa, ... still held by IS",
   "Ramadi, which the jihadists seized"). Only coordinated places extend the list ("Zinjibar and
   Jaar"): containers ("in Anbar province"), appositions ("the capital of Hadramawt") and reference
   points ("40 km south of Mosul", "near", "from") do not. A fronted "In Kirkuk, ..." is the
   sentence's place when nothing closer is found; "the city"/"the capital" is the town named last
   (the dateline's too). Countries, rivers and seas are not event places (a point on them is nowhere
   near the event), except a country an air strike is said to fall "inside"/"in".
4. **Actor** (``_actor``): for an active trigger, the first actor in the clause before it that is not
   a patient ("against IS") or a supporter ("backed by US jets"); for a passive one, the actor after
   "by"/"to" ("fell to IS"). Generic "the group", "the militants", "they" resolve to the article's
   main enemy. Its side depends on the place's country and the date.
5. **Date** (``_date``): the time expression in the trigger's clause nearest to it, else the nearest in
   the sentence; never the dateline's, never one introduced by "since"/"until" (those date a state,
   not the event), nor one inside a relative clause about something else ("Zinjibar, which had
   fallen four years ago"); control claims use only a day-precision date, else the publication date.
   No time expression: a past-tense report continues the story told just before it (that day, with
   precision ``week``); otherwise the publication date with precision ``week``. "The same day" refers
   to the previous event's day.
6. **One event per thing** (``_resolve_sentence``, ``_dedupe``): in a sentence, one event per place
   and type family (a capture over a control claim, an air strike over a generic "killed"); nouns in
   adjuncts ("after two days of fighting", "ending a siege") yield to the sentence's main event; across
   the article, the same type at the same place with compatible dates is one event.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date as _date_cls

from frontlines.actors import ActorDictionary, ActorMention
from frontlines.dates import TimeExpression, find_time_expressions
from frontlines.records import Event, Place

_PREC_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
FAMILY = {"capture": "territory", "control": "territory", "attack": "violence", "airstrike": "violence",
          "clash": "violence", "arrest": "arrest", "other": "other"}

#: (start offset, end offset, Penn tag) of each token, as spaCy's tagger gives them
Tokens = Sequence[tuple[int, int, str]]


# --- trigger rules -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One trigger pattern.

    ``place``: where its place is ("after" an active verb or a control phrase, "before" a passive
    phrase, "either"). ``pos``: the part of speech the trigger's first word must have when tags are
    known ("V" verb, "N" noun, "" any). ``noun``: a nominal trigger, whose place comes through a
    preposition. ``strength``: which trigger wins when two types land on one place in a sentence.
    """

    type: str
    pattern: re.Pattern[str]
    place: str = "either"
    pos: str = ""
    noun: bool = False
    strength: int = 2
    words: tuple[str, ...] = ()  # a cheap pre-test: the sentence must hold one of these (lower case)


def _rx(words: str) -> re.Pattern[str]:
    return re.compile(words, re.I)


_HOLDER = (r"(?:(?-i:[A-Z])[\w'’.]*|rebel|government|regime|militant|jihadist|opposition|Kurdish|Houthi|Islamist|"
           r"jihadi|extremist|insurgent|army|militia|loyalist|coalition)")
_PLACE_NOUN = r"(?:town|city|village|area|district|base|airport|neighbourhood|neighborhood|dam|refinery|field|hill|crossing|camp|port|border|province|region|outskirts|centre|center|compound|headquarters|prison|barracks|airbase|terminal|oasis|island|valley|mountain|palace|hospital|stadium|building|garrison|port)"

TRIGGERS: list[Rule] = [
    # -- control: a place said to be held ------------------------------------------------------
    Rule("control", _rx(rf"\b{_HOLDER}-(?:held|controlled|occupied|run)\b(?! (?:areas?|parts?|districts?|neighbou?rhoods?|territory|territories|side|sections?|pockets?|enclaves?|zones?|villages|towns|regions?) (?:in|of)\b)"), "after"),
    Rule("control", _rx(r"\b(?:still |remained |remains |was |were |is |are |been |long |firmly )*(?:held|controlled|occupied|ruled|run|guarded|defended) by\b"), "before"),
    Rule("control", _rx(r"\b(?:consolidat|tighten|strengthen|maintain|extend|keep|kept|keeps|keeping)\w* (?:its|their|the group['’]s|(?:(?-i:[A-Z])[\w-]*\s+){1,3}?(?:['’]s?)?) ?(?:hold|grip|control) (?:on|over)\b"), "after"),
    Rule("control", _rx(r"\b(?:under|in) (?:the )?(?:full |effective |de facto |firm |complete |total )?(?:control|hands|grip) of\b(?= (?:the |its |their )?(?:(?-i:[A-Z])|group|militants|jihadists|rebels|army|government|regime|fighters|forces|insurgents|extremists|Houthis|Kurds))"), "before"),
    Rule("control", _rx(r"\b(?:in|has|have|had|retains?|retained|keeps?|kept|(?:give|gives|giving|given|gave) (?:\w+ ){1,3}?|leav(?:e|es|ing) (?:\w+ ){1,3}?in )(?:full |effective |de facto |firm |complete |total )?control (?:of|over)\b"), "after"),
    Rule("control", _rx(r"\bunder (?:the )?(?:full |effective |firm |complete |total )?(?:(?-i:[A-Z])[\w'’-]*\s+){1,3}control\b|\bunder (?:the )?(?:\w+['’]s?|their|its|rebel|government|regime|militant|jihadist|army|Kurdish|Houthi|opposition)\s+control\b"), "before"),
    Rule("control", _rx(r"\b(?:remains?|remained|still|are|is|was|were|stay(?:s|ed)?|been)\s+(?:firmly\s+|still\s+|largely\s+|mostly\s+|entirely\s+)?in\s+(?:the\s+)?(?:(?-i:[A-Z])[\w'’-]*\s+){0,3}(?:government|rebel|regime|militant|jihadist|opposition|army|Kurdish|Houthi|their|its|\w+['’]s?)?\s*hands\b"), "before"),
    Rule("control", _rx(r"\bwhich (?:(?!took|seized|gained|taken|wrested|regained|assumed|lost|has|have|had)\w+ ){0,3}?(?:still |fully |firmly |now )*(?:holds?|held|controls?|controlled|occupies|occupied|ha(?:s|d|ve) (?:long )?held|ha(?:s|d|ve) (?:long )?controlled|ha(?:s|d|ve) ruled)\b(?: by\b)?"), "before"),
    Rule("control", _rx(r"\b(?:stronghold|bastion|de facto capital|last bastion|last stronghold|last enclave|last pocket)s?\b(?: of)?"), "either", noun=True),
    Rule("control", _rx(r"\b(?:ha[sd]|have) (?:long |firmly )?(?:held|controlled|ruled)\b"), "after", pos="V"),
    Rule("control", _rx(r"\b(?:still |also |now |firmly |largely )*(?:holds?|controls?|occupies)\b(?! (?:out|on|off|back|talks|elections|a (?:meeting|ceremony|rally)))"), "after", pos="V"),
    # -- capture: a place taken or retaken -------------------------------------------------------
    Rule("capture", _rx(
        r"\b(?:re)?captur(?:ed|es|ing|e(?! (?:in \w+ )?of\b))\b|\bretak(?:en|es|ing|e(?! of\b))\b|\bretook\b|\bliberat(?:ed|e|es|ing)\b|"
        r"\bseiz(?:ed|e|es|ing)\b|\bover-?r(?:an|un|unning|uns)\b|\bwrest(?:ed|s)?\b|\bregain(?:ed|s|ing)?(?: (?:full )?control of)?\b|"
        r"\b(?:took|take|taking|takes|taken) (?:full |complete |total |effective )?(?:back|over|control of)\b|"
        r"\b(?:had|have|has|was|were|been|being) taken\b(?! (?:part|place|into|to|by surprise|hostage|prisoner|seriously|off|aback|ill|away|in\b))|"
        r"\b(?:took|taking|takes)\b(?= (?:the |back |full |over |control |most of |much of |all of |large parts of |parts of )?(?:(?-i:[A-Z])|(?:al|el|ad|ar|as|ash|at|az|an)-|" + _PLACE_NOUN + r"))|"
        r"\bfreed\b(?! (?:\d|dozens|hundreds|about|some|more|the (?:hostages|prisoners|inmates)))|\bcleared\b|\bstorm(?:ed|ing)\b|"
        r"\bentered\b|\bswept (?:into|through)\b|\bmoved into\b|\brolled into\b|\bmarched into\b|"
        r"\braised (?:their|its|the) (?:\w+ )?flags? over\b|\bsecured\b|"
        r"\bdeclared (?:victory|the liberation) (?:in|of|over)\b|\b(?:gained|assumed|won|seized|took|regained) (?:full |complete |total )?control of\b|"
        r"\bdr(?:ove|iven|ive|iving) (?:\S+ ){0,8}?(?:out of|from)\b|\bexpell?(?:ed|ing)? (?:\S+ ){0,6}?from\b|"
        r"\bpushed (?:\S+ ){0,5}?out of\b|\bouste?d? (?:\S+ ){0,5}?from\b|\bswept (?:\S+ ){0,5}?out of\b|"
        r"\bflushed (?:\S+ ){0,5}?out of\b|\brouted (?:\S+ ){0,5}?(?:from|out of)\b|\bdefeated\b(?= (?:\S+ ){0,5}?(?:in|at) )"), "either", strength=3),
    Rule("capture", _rx(r"\b(?:fell|falls|fallen) (?:in(?:to)? the hands of|to)\b|\bwas lost to\b"), "before", strength=3),
    Rule("capture", _rx(r"\bfell\b(?! (?:back|apart|silent|short|ill|victim|sharply|by \d|to (?:\d|its|their|a|the lowest)|under|into disrepair|on|off|in|at|near|across|inside|upon|over))"), "before", strength=3),
    Rule("capture", _rx(r"\b(?:(?:re)?capture|liberation|fall|loss|takeover)\b(?=\s+(?:in\s+\w+\s+|last\s+\w+\s+)?of\b)"), "after", noun=True, strength=3),
    Rule("capture", _rx(r"\b(?:after |since )?(?:losing|lost) (?:control of )?(?=(?:the (?:\w+ )?(?:town|city|village|base|airport|port) of )?(?-i:[A-Z]))"), "after", strength=3),
    # -- airstrike -------------------------------------------------------------------------------
    Rule("airstrike", _rx(
        r"\b(?:jets?|aircraft|planes|helicopters|drones?|bombers|warplanes?|air ?force)\s+(?:\w+\s+){0,3}?(?:struck|hit|bombed|pounded|targeted|strafed|attacked|raided|have (?:struck|hit|bombed|pounded))\b|"
        r"\b(?:carried out|conducted|launched|flown|flew|resumed) (?:\w+ ){0,4}?(?:air ?-?)?strikes\b|\bbegan (?:striking|bombing)\b|\bbombed from the air\b"),
        "either", strength=4),
    Rule("airstrike", _rx(
        r"\bair ?-?strikes?\b|\bair raids?\b|\bdrone strikes?\b|\bdrone attacks?\b|\baerial (?:strikes?|bombardment|attacks?|bombing|raids?)\b|"
        r"\bwarplanes?\b|\bfighter jets?\b|\bbombing raids?\b|\bsorties\b|\bair campaign\b|"
        r"\bhelicopter gunships?\b|\bbarrel bombs?\b|\bcruise missiles?\b|"
        r"\b(?:coalition|US|U\.S\.|American|Russian|Saudi(?:-led)?|Turkish|Egyptian|Iraqi|Syrian|Jordanian|Emirati|French|British|Israeli|Western|allied) (?:\w+ )?strikes?\b"),
        "either", noun=True, strength=4),
    # -- attack: bombings, suicide attacks, ambushes, assassinations, shelling ------------------------
    Rule("attack", _rx(
        r"\bsuicide (?:car |truck )?(?:bomb(?:ing|er|ers|s)?|attacks?|blasts?|attackers?|vests?)\b|\b(?:car|truck)[- ]bomb(?:ing|s)?\b|"
        r"\bbomb(?:ing|ings|s)\b|\bbomb\b|\bblasts?\b|\bexplosions?\b|\bexplosive devices?\b|\bIEDs?\b|\broadside bombs?\b|"
        r"\bambush(?:es)?\b|\bassassination\b|\bshelling\b|\bmortars?\b|\brockets?\b(?!-)|\bmissiles?\b|"
        r"\bmassacres?\b|\bbeheadings?\b"), "either", noun=True, strength=3),
    Rule("attack", _rx(
        r"\bambushed\b|\bassassinat(?:ed|e)\b|\bshelled\b|\bbeheaded\b|\bexecuted\b|\bopened fire\b|\bblew (?:up|(?:himself|themselves) up)\b|"
        r"\bdetonat(?:ed|ing)\b|\bexploded\b|\bshot dead\b|\bgunned down\b|\bwent off\b|\btore through\b|"
        r"\bc(?:a|o)me under (?:heavy |intense |sustained |repeated )?(?:fire|attack|mortar fire|rocket fire|shelling)\b|"
        r"\bshot down\b|\bdowned\b|\bbr(?:ought|ing|inging) down\b|\bfired (?:on|at|upon)\b|"
        r"\b(?:drove|driven|rammed|crashed) (?:a |an |his |their |the )?(?:[\w-]+ ){0,2}?(?:car|truck|vehicle|lorry|van|tanker|motorbike|motorcycle)s? "
        r"(?:(?:packed|laden|loaded|rigged|filled|stuffed) with (?:\w+ ){0,2}?explosives? )?into\b"), "either", strength=3),
    Rule("attack", _rx(r"\bbombed\b"), "either", pos="V", strength=3),
    Rule("attack", _rx(r"\braids?\b"), "either", pos="N", noun=True, strength=3),
    Rule("attack", _rx(r"\battack(?:s)?\b"), "either", pos="N", noun=True, strength=1),
    Rule("attack", _rx(r"\battack(?:ed|ing)?\b|\bstruck\b|\bhit\b|\btargeted\b|\braided\b"), "either", pos="V", strength=1),
    Rule("attack", _rx(r"\bkill(?:ed|ing)\b"), "either", pos="V", strength=0),
    # -- clash: fighting, offensives, sieges, advances ---------------------------------------------
    Rule("clash", _rx(
        r"\bclash(?:es)?\b|\bfighting\b|\bfights?\b|\boffensives?\b|\bassaults?\b|\bbattles?\b|\bsieges?\b|(?<!\bin )\badvances?\b|"
        r"\bcounter-?attacks?\b|\bcounter-?offensives?\b|\bpush (?:on|towards?|into)\b|\bskirmish(?:es)?\b|"
        r"\boperations? (?:to|in|against|on)\b|\bcampaign (?:to|in|against|for)\b|\bexchanges? of fire\b|\bgunbattles?\b|\bfirefights?\b|"
        r"\bgains (?:in|around|near|on)\b"),
        "either", pos="N", noun=True, strength=2),
    Rule("clash", _rx(
        r"\bwithin (?:a few|several|a|about|some|\d+|a couple of) (?:hundred |dozen )?(?:km|kms|kilometres?|kilometers?|miles|metres|meters|yards) of\b|"
        r"\bhunt(?:ed|ing)? down (?:\w+ ){0,2}?(?:militants|fighters|insurgents|jihadists|remnants|cells|members)\b"), "after", strength=1),
    Rule("clash", _rx(
        r"\bclashed\b|\bfought\b|\bbattl(?:ed|ing)\b|\bbesieg(?:ed|ing)\b|\badvanc(?:ed|ing)\b|\bpush(?:ed|ing)? (?:(?:north|south|east|west)\w* )?(?:on|towards?|into|deeper|through)\b|"
        r"\bmarched on\b|\bencircl(?:ed|ing)\b|(?<!area )(?<!areas )(?<!region )(?<!villages )(?<!desert )\bsurround(?:ed|ing)\b"
        r"(?! (?:villages?|countryside|areas?|province|region|towns?|desert|hills|mountains|districts?|neighbou?rhoods?|farmland)\b)|\bclos(?:ing|ed?) in on\b|\bmov(?:ed|ing) (?:on|towards?)\b|"
        r"\bbreached\b|\bbr(?:oke|oken|eaking) (?:into|through)\b|\bbroke the siege\b|\bpress(?:ed|ing) (?:deeper |(?:north|south|east|west)\w* )?(?:into|towards?|on)\b|"
        r"\btighten(?:ed|ing)? (?:a|the|their) (?:ring|noose|siege|cordon) (?:around|on|of)\b|\bfighting\b|"
        r"\breach(?:ed|ing) (?:the )?(?:\w+ )?(?:outskirts|approaches|edges?|gates|suburbs|centre|center|heart) (?:of|to)\b|"
        r"\b(?:drove|pushed|beat|forced) (?:\S+ ){0,4}?back\b|\brepel(?:led|s)?\b|\brepuls(?:ed|es)\b|\bsweep(?:ing|s)\b"), "either", pos="V", strength=2),
    # -- arrest ----------------------------------------------------------------------------------
    Rule("arrest", _rx(
        r"\barrest(?:ed|s|ing)?\b(?<!house arrest)|\bdetain(?:ed|ing|s)?\b|\bround(?:ed|ing)? up\b|\bapprehended\b|"
        r"\bcaptured (?:\d+|several|dozens|a number|scores) (?:of )?(?:suspected |suspects|militants|members)|"
        r"\bhanded themselves over\b|\bturned themselves in\b"), "either", strength=2),
]

#: for each rule above, in order: lower-case words of which a sentence must hold one for the rule to
#: match at all (a substring test is ~20x cheaper than the rule's regex; tests/test_events.py checks
#: that the triggers found are the same with and without these hints)
_RULE_WORDS: list[tuple[str, ...]] = [
    ("-held", "-controlled", "-occupied", "-run"),
    ("held", "controlled", "occupied", "ruled", "run", "guarded", "defended"),
    ("hold", "grip", "control"),
    ("control", "hands", "grip"),
    ("control",),
    ("control",),
    ("hands",),
    ("which",),
    ("stronghold", "bastion", "capital", "enclave", "pocket"),
    ("held", "controlled", "ruled"),
    ("hold", "control", "occupies"),
    ("captur", "retak", "retook", "liberat", "seiz", "overr", "over-r", "wrest", "regain", "took", "tak", "freed",
     "cleared", "storm", "entered", "swept", "moved", "rolled", "marched", "raised", "secured", "declared", "gained",
     "assumed", "won", "drov", "driv", "expel", "pushed", "oust", "flushed", "routed", "defeated"),
    ("fell", "falls", "fallen", "lost"),
    ("fell",),
    ("captur", "liberation", "fall", "loss", "takeover"),
    ("losing", "lost"),
    ("jet", "aircraft", "plane", "helicopter", "drone", "bomber", "air", "strike", "began", "bomb"),
    ("air", "drone", "aerial", "warplane", "jet", "bombing", "sortie", "gunship", "barrel", "cruise", "strike"),
    ("suicide", "car", "truck", "bomb", "blast", "explosi", "ied", "roadside", "ambush", "assassination", "shelling",
     "mortar", "rocket", "missile", "massacre", "beheading"),
    ("ambush", "assassinat", "shelled", "behead", "execut", "fire", "blew", "detonat", "explod", "shot", "gunned",
     "went off", "tore", "under", "drove", "driven", "rammed", "crashed", "shot down", "downed", "down", "fired"),
    ("bombed",),
    ("raid",),
    ("attack",),
    ("attack", "struck", "hit", "target", "raided"),
    ("kill",),
    ("clash", "fight", "offensive", "assault", "battle", "siege", "advance", "counter", "push", "skirmish", "operation",
     "campaign", "exchange", "firefight", "gains"),
    ("within", "hunt"),
    ("clash", "fought", "battl", "besieg", "advanc", "push", "march", "encircl", "surround", "clos", "mov", "breach",
     "broke", "breaking", "press", "tighten", "fighting", "reach", "drove", "beat", "forced", "repel", "repuls", "sweep"),
    ("arrest", "detain", "round", "apprehend", "captured", "handed", "turned"),
]
TRIGGERS = [replace(r, words=w) for r, w in zip(TRIGGERS, _RULE_WORDS, strict=True)]

#: generic violence words: an event of their own only when nothing more specific is said
_OTHER_AGENT = re.compile(r"\b(?:gunmen|militants|bombers?|attackers|fighters|insurgents|jihadists|assailants)\b", re.I)
#: people taken (a capture of them is no capture of a place)
_VICTIM_NOUNS = (r"(?:labou?rers|workers|hostages|people|civilians|journalists|tourists|soldiers|policemen|nationals|citizens|"
                 r"Christians|Copts|residents|prisoners|captives|men|women|children)")
#: "seized 21 Egyptian labourers", "captured Hadi's defence minister"
_PERSON_OBJECT = re.compile(
    r"\s*(?:(?:\d[\d,]*|dozens|hundreds|scores|several|two|three|four|five|six|seven|eight|nine|ten|\w+ty|a|an|the|some|at least|more than)\s+)*"
    r"(?:(?:[\w'’-]+\s+){0,3}?)(?:" + _VICTIM_NOUNS + r"|officers|fighters|militants|ministers?|commanders?|leaders?|officials?|"
    r"generals?|governors?|chiefs?|mayors?|emirs?|sons?|brothers?|fathers?|him|her|them)\b", re.I)
#: "labourers they said they had seized": the people are what was seized (not "fighters stormed and seized")
_PERSON_RELATIVE = re.compile(
    r"\b" + _VICTIM_NOUNS + r"\s+(?:(?:that|who|whom)\s+)?(?:[\w'’-]+\s+){1,5}?(?:had\s+|have\s+|has\s+)?$", re.I)
_TARGETS_LIST = re.compile(r"\s*(?:The\s+|Other\s+)?(?:targets|sites hit|strikes|raids)\s+(?:included|include|were|hit|targeted)\b", re.I)
_AIR_SUBJECT = re.compile(r"\b(?:coalition|allies|air ?force|warplanes|jets|aircraft|planes|drones|helicopters|bombers|navy)\b", re.I)
_RAIDERS = re.compile(r"\b(?:gunmen|assailants|(?:suicide )?bombers?|raiders|kidnappers)\b", re.I)
_OWN_KIND = ("attack", "airstrike", "clash")
_WEAK_VIOLENCE = re.compile(r"^(?:struck|hit|targeted|kill(?:ed|ing)|attack(?:ed|s|ing)?|raided)$", re.I)

# --- reality: plans, conditions, negations --------------------------------------------------------

_UNREAL = re.compile(
    r"\b(?:plans?|planned|planning|vow(?:ed|s)?|pledg(?:ed|es)|threat(?:en|ened|ens)|could|would|(?-i:may)|might|should|"
    r"must|will|shall|expected|expects?|hopes?|hoped|aims?|aimed|intends?|intended|prepar(?:ing|es|ed)|ready to|"
    r"seeks?|sought|tries|trying|tried|attempt(?:ed|s|ing)?|announc(?:ed|es|e|ing) (?:plans|an offensive|the start|that it would)|"
    r"if|unless|whether|fears?|feared|warn(?:ed|s)?|no|not|never|denied|failed|fail|impossible|unlikely|without|"
    r"able to|capable of|calls? for|called for|urged|demand(?:ed|s)?|want(?:ed|s)?|wanted|aspir\w+|promis(?:ed|es)|"
    r"ha(?:d|s|ve) to|needs? to|rumou?rs?|set to|about to|bid to|effort to|efforts to|in order to|so as to|next target|"
    r"objective|goal|repeated|repeatedly|regularly|routinely|increasingly|frequently|often|has long|have long|fearing|numerous)\b|'ll\b|n't\b",
    re.I,
)
_UNREAL_AFTER = re.compile(
    r"[^.;:]{0,40}?\b(?:had|has|have|was|were|is|are)\s+(?:been\s+)?(?:reportedly\s+|allegedly\s+)?"
    r"(?:planned|plotted|planning|plotting|foiled|thwarted|prevented)\b"
    r"|[^.;:]{0,40}?\b(?:is|was|are|were)\s+(?:still\s+|yet\s+)to\s+come\b", re.I)  # "the real battle of Dabiq was still to come"
_DATED_AFTER = re.compile(
    r"\b(?:on|in|at the (?:end|start|beginning) of|early|late|mid-?)\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|\d{4})\b")
_PURPOSE_NOUN = re.compile(
    r"\b(?:base|bases|launch ?pad|launching pad|springboard|staging (?:ground|post|area|point)|platform|hub|training|"
    r"planning|preparations?|capacity|capability|threat|risk|wave of threats)\s+(?:for|of)\s+(?:\w+\s+){0,2}$", re.I)
_SUPPORT = re.compile(r"\b(?:backed|supported|covered|aided|assisted|helped) by\s+(?:\S+\s+){0,4}$|\b(?:support|cover|help) (?:of|from)\s+(?:\S+\s+){0,3}$", re.I)
_WITH_AIR = re.compile(r"\b(?:with|under)\s+(?:\S+\s+){0,2}$", re.I)
_PURPOSE_TO = re.compile(r"\bto\s+(?:\w+ly\s+)?$", re.I)
_PERFECT_TO = re.compile(r"\bto\s+have\s+(?:\w+ly\s+)?$", re.I)
# "after two days of fighting", "ending a siege", "in the final days of the battle": a background noun
_ADJUNCT_BEFORE = re.compile(
    r"\b(?:after|following|ending|end(?:ed|s)?|amid|during|throughout|before|since|despite|in support of|(?<=, )in an?|"
    r"(?:hours|days|weeks|months|years) of|in the (?:final |last )?(?:days|stage|hours|weeks) of)\s+(?:[\w'’-]+\s+){0,4}$",
    re.I,
)

#: rivers, seas and macro-regions are lines or huge areas, not where an event happened ("a pocket along the
#: Euphrates", "a ship in the Mediterranean"): no point on them is within reach of the real place
_NOT_A_SCENE = re.compile(
    r"^(?:Euphrates|Tigris|Khabur|Nile|Orontes|Balikh|Mediterranean|Middle East|Levant|Arabian Peninsula|Persian Gulf|Gulf)$|"
    r"\b(?:River|Sea|Ocean|Lake)\b")

# --- clause and phrase structure -------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[;:—–]|,\s*(?:but|while|whereas|although|though|and then|and|as|when|where|after which)\b|\b(?:but|while|whereas|although)\b| - ")
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|had been|have been|has been|get|got)\s+(?:(?:\w+ly|now|still|also|then|already|just|again|reportedly|all|not|never)\s+){0,3}$", re.I)
_GENERIC_GROUP = re.compile(r"\b(?:the (?:same |jihadist |militant |extremist |terror )?(?:group|militants|jihadists|extremists|insurgents|terrorists|terrorist group|militant group|organisation|organization|fighters)|its fighters|they)\b", re.I)
_REFERENCE = re.compile(
    r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)(?:ern)?\s+of"
    r"|\b(?:km|kms|kilometres?|kilometers?|miles)\)?\s+(?:\w+\s+)?(?:from|of|outside)|\bnear|\boutside|\bfrom|\bbetween|\btowards?|\bopposite|"
    r"\bborder with|\bfacing|\bacross from|\bcapital of|\broad (?:to|from|between|linking)|\blinking)\s+(?:the\s+)?(?:(?:town|city|village|province|region)\s+of\s+)?$",
    re.I,
)
#: a place given only as a frame of reference: "a farming town south of Baghdad", "40 km from Mosul"
_FRAME = re.compile(
    r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)(?:ern)?\s+of"
    r"|\b(?:km|kms|kilometres?|kilometers?|miles)\)?\s+(?:\w+\s+)?(?:from|of|outside)|\bnear|\boutside|\bbetween)\s+(?:the\s+)?$",
    re.I)
#: an unnamed place given by direction and distance from a named one: "a refinery 40 km north of Baghdad"
_FAR_FRAME = re.compile(
    r"\b(?:a|an|the)\s+(?:[\w'’-]+\s+){0,3}?(?:town|village|refinery|base|city|area|district|checkpoint|camp|dam|field|hill|road|highway|position|outpost|monastery|church|mosque|market|hospital|school|prison|convoy|bus|compound|oasis|farm|site|hideout)s?\s*,?\s*"
    r"(?:(?:some|about|around|nearly|roughly|just)\s+)?(?:\d[\d,.]*\s*(?:km|kms|kilometres?|kilometers?|miles)\s+)?(?:\([^)]{0,20}\)\s+|\[[^]]{0,20}\]\s+)?"
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)(?:ern)?\s+of\s+(?:the\s+)?(?:(?:town|city|capital)\s+of\s+)?$"
    r"|\b(?:far|well|some way)\s+(?:to\s+the\s+)?(?:north|south|east|west)\w*\s+of\s+[^.;]{0,40}$", re.I)
#: a place that stands for its government or army: "Moscow's warplanes", "alarmed Ankara"
_METONYM = re.compile(r"['’]s?\s+(?:own\s+|new\s+)?(?:warplanes|jets|aircraft|air ?force|forces|troops|army|military|government|navy|drones|"
                      r"missiles|defen[cs]e ministry|ministry|officials|leaders|president|allies|backing|support|proxies)(?![\w-])", re.I)
#: a place naming where fighters come from: "seized by the Misrata militias", "Zintan brigades"
_ORIGIN = re.compile(r"\s+(?:militias?|militiamen|brigades?|fighters|forces|troops|tribesmen|rebels|units|battalions?)\b")
_FROM_ORIGIN = re.compile(r"\b(?:fighters|troops|militiamen|men|forces|recruits|volunteers|tribesmen)\s+(?:\w+\s+)?from\s+(?:the\s+)?(?:(?:town|city)\s+of\s+)?$", re.I)
_METONYM_BEFORE = re.compile(r"\b(?:alarmed|angered|worried|prompted|urged|accused|blamed|backed by|supported by|allied (?:to|with))\s+$", re.I)
_COORD_GAP = re.compile(
    r"\s*(?:,\s*(?:and|or)?|and|&|or|,?\s*as well as|,?\s*along with|plus|,?\s*together with)\s*(?:(?:the|nearby|neighbouring|neighboring|adjacent)\s+){0,2}"
    r"(?:(?:towns?|cities|villages?|districts?|areas?|parts|much|most|all)\s+(?:of|in)\s+(?:the\s+)?)?(?:(?:[\w-]+\s+)?(?:town|city|village|district|port|base)\s+of\s+)?", re.I)
_APPOSITION_THEN_COORD = re.compile(r",\s*(?:a|an|the|its|their)\s+[^;:]{0,80},\s*(?:and|as well as)\s+(?:(?:the|towns?|city|village|of)\s+){0,3}", re.I)
_INCLUDING = re.compile(r"\s*,?\s*(?:including|among them|such as)\s+(?:the\s+)?(?:(?:towns?|cities|city|villages?|districts?|areas?|of)\s+){0,2}", re.I)
_TAIL_INCLUDING = re.compile(r"[^,;:.]{0,50}" + _INCLUDING.pattern, re.I)
_LOCATIVE = re.compile(
    r"\b(?:in|on|at|against|for|of|near|around|across|into|toward|towards|outside|inside|throughout|over|through|to|"
    r"in and around|within|along|north of|south of|east of|west of)\s+(?:the\s+)?(?:[^\s,;.]+\s+){0,4}[^\s,;.]*$|"
    r"['’]s\s+(?:\w+\s+)?(?:capital|city|town),\s*$", re.I)
_FRONTED_LOCATIVE = re.compile(
    r"^\W*(?:(?:Elsewhere|Meanwhile|Further \w+|Farther \w+|Across the border|Also|Separately|Nearby)\s*,?\s*)?"
    r"(?:in|at|near|around|outside)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?$", re.I)
_SHORT_OBJECT = re.compile(r"\s*(?:the\s+)?(?:[\w'’-]+\s+){0,3}?(?:(?:town|city|village|district|province|base|area|region)\s+of\s+)?", re.I)
_PLACE_BEFORE_NOUN = re.compile(
    r"^(?:['’]s)?\s*(?:(?!(?:and|or|the|a|an|in|on|at|of|to|was|were|is|are|has|have|had|said|after|before|as|with|by|for|from)\b)"
    r"[\w'’-]+\s+){0,3}$", re.I)
_VERB_TAG = ("VB",)
_NOUN_TAG = ("NN",)

# --- fatalities -------------------------------------------------------------------------------------

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
    """The number of dead the sentence gives, if any ("killing at least 60 people" → 60)."""
    for rx in _FATAL:
        m = rx.search(sentence)
        if m:
            n = _num(m.group(1))
            if n is not None and n < 100_000:
                return n
    return None


# --- records used inside the extractor ----------------------------------------------------------------

@dataclass(frozen=True)
class Trigger:
    type: str
    start: int  # offsets within the sentence
    end: int
    text: str
    place_side: str  # "after" | "before" | "either"
    passive: bool = False
    noun: bool = False
    strength: int = 2


@dataclass
class _Sentence:
    """One sentence and what lies in it (offsets of places and actors are article offsets)."""

    text: str
    start: int
    places: list[Place]
    actors: list[ActorMention]
    tags: dict[int, str]  # sentence offset of a token -> Penn tag
    times: list[TimeExpression]
    anchor: str | None = None  # the day of the article's last dated event before this sentence
    prior: Sequence[Place] = ()  # the places named earlier in the article, dateline included
    _offsets: list[int] | None = field(default=None, init=False, repr=False)

    def tags_between(self, a: int, b: int) -> list[tuple[int, str]]:
        """(offset, tag) of the tokens starting in [a, b), in order."""
        if not self.tags:
            return []
        if self._offsets is None:
            self._offsets = sorted(self.tags)
        lo, hi = bisect.bisect_left(self._offsets, a), bisect.bisect_left(self._offsets, b)
        return [(o, self.tags[o]) for o in self._offsets[lo:hi]]


def _clause_start(text: str, upto: int) -> int:
    start = 0
    for m in _CLAUSE_BREAK.finditer(text[:upto]):
        start = m.end()
    return start


def _comma_start(text: str, upto: int) -> int:
    start = _clause_start(text, upto)
    k = text.rfind(",", start, upto)
    return k + 1 if k >= 0 else start


class EventExtractor:
    def __init__(self, actors: ActorDictionary) -> None:
        self.actors = actors

    # --- triggers ----------------------------------------------------------------------------------
    def triggers(self, sentence: str, tags: dict[int, str] | None = None, rules: Sequence[Rule] = TRIGGERS) -> list[Trigger]:
        """The trigger phrases of a sentence, one per text span (earlier rules in TRIGGERS win)."""
        found: list[Trigger] = []
        low = sentence.lower()
        for rule in rules:
            if rule.words and not any(w in low for w in rule.words):
                continue
            for m in rule.pattern.finditer(sentence):
                if rule.type == "control" and "-" in m.group(0) and not self._held_prefix_ok(m.group(0).split("-")[0]):
                    continue
                if rule.pos and tags and not _pos_ok(tags, m.start(), m.end(), sentence, rule.pos):
                    continue
                found.append(Trigger(rule.type, m.start(), m.end(), m.group(0), rule.place, noun=rule.noun,
                                     strength=rule.strength))
        found.sort(key=lambda t: t.start)
        out: list[Trigger] = []
        for t in found:
            if any(not (t.end <= o.start or t.start >= o.end) for o in out):
                continue
            low = t.text.lower()
            passive = (not t.noun and not re.match(r"\w+ing\b", low) and bool(_PASSIVE_BEFORE.search(sentence[: t.start]))) \
                or low.startswith(("fell", "falls", "fallen", "was lost"))
            out.append(replace(t, passive=passive))
        return out

    def _held_prefix_ok(self, prefix: str) -> bool:
        generic = {"rebel", "government", "regime", "militant", "jihadist", "opposition", "islamist", "jihadi",
                   "extremist", "insurgent", "army", "militia", "kurdish", "houthi", "loyalist", "coalition"}
        return prefix.lower() in generic or bool(self.actors.find(prefix))

    # --- the article ---------------------------------------------------------------------------------
    def extract(
        self,
        text: str,
        sentences: Sequence[tuple[int, int]],
        places: Sequence[Place],
        actor_mentions: Sequence[ActorMention],
        published: str | None,
        tokens: Tokens | None = None,
    ) -> list[Event]:
        """Events of an article. ``tokens`` (start, end, Penn tag) sharpen ambiguous triggers."""
        events: list[Event] = []
        dateline_end = _dateline_end(text)
        # the dateline names where the report was filed, not where things happened
        named = [p for p in places if p.mention == "name" and p.lat is not None and p.start >= dateline_end
                 and not _NOT_A_SCENE.search(p.name)]
        towns = [p for p in places if p.mention == "name" and p.lat is not None and p.kind in ("city", "town", "village")]
        enemy = self._main_enemy(actor_mentions, named, published)
        anchor: str | None = None  # the day of the last dated event: "the same day" refers to it
        prev_strikes: list[Event] = []  # air strikes told in the last sentence or the one before
        strikes_age = 0
        tok = sorted(tokens or ())
        ti = 0
        for s0, s1 in sentences:
            while ti < len(tok) and tok[ti][0] < s0:
                ti += 1
            tags: dict[int, str] = {}
            j = ti
            while j < len(tok) and tok[j][0] < s1:
                tags[tok[j][0] - s0] = tok[j][2]
                j += 1
            sent_text = text[s0:s1]
            sp = [p for p in named if s0 <= p.start and p.end <= s1]
            told = _subject_event(sent_text, s0, sp, events)
            times = [x for x in find_time_expressions(sent_text, published, anchor=told or anchor) if s0 + x.start >= dateline_end]
            day_times = [x for x in times if x.precision == "day" and not _is_since(sent_text, x)]
            if not sp and not (_ANAPHOR_ANY.search(sent_text) and any(p.end <= s0 for p in towns)):
                if day_times:
                    anchor = day_times[-1].date
                strikes_age += 1
                if strikes_age > 1:
                    prev_strikes = []
                continue
            s = _Sentence(sent_text, s0, sp, [a for a in actor_mentions if s0 <= a.start and a.end <= s1], tags, times, anchor,
                          [p for p in towns if p.end <= s0])
            found = self._sentence_events(s, published, enemy)
            if not found and prev_strikes and _TARGETS_LIST.match(sent_text):
                # "... bombed Islamic State targets in Syria on Tuesday. Targets included training camps in and
                # around Raqqa, Deir ez-Zor and Albu Kamal": the strikes told just before, at these places
                last = prev_strikes[-1]
                found = [replace(last, place=p, sentence=sent_text, sentence_start=s0, trigger=_TARGETS_LIST.match(sent_text).group(0).strip(),
                                 confidence=round(last.confidence * 0.9, 3), fatalities=None)
                         for p in sp if p.kind != "country"]
            if found:
                prev_strikes, strikes_age = [e for e in found if e.type == "airstrike"], 0
            else:
                strikes_age += 1
                if strikes_age > 1:
                    prev_strikes = []
            events.extend(found)
            dated = [e.date for e in found if e.date_precision == "day" and e.date]
            if dated:
                anchor = dated[-1]
            elif day_times:
                anchor = day_times[-1].date
        return _dedupe(_carry_dates(events, published))

    def _sentence_events(self, s: _Sentence, published: str | None, enemy: str) -> list[Event]:
        trigs = self.triggers(s.text, s.tags)
        out: list[Event] = self._appositive_control(s, published, enemy, trigs)
        if out:
            # "al-Bab, Islamic State's last major stronghold in Aleppo province": the apposition's place
            # holds; the noun "stronghold" must not take the container after it
            spans = [(e.sentence.find(e.trigger), e.sentence.find(e.trigger) + len(e.trigger)) for e in out]
            trigs = [t for t in trigs if not (t.type == "control" and any(a <= t.start < b + 3 for a, b in spans if a >= 0))]
        if not trigs:
            return _resolve_sentence(out, s, trigs)
        real = [t for t in trigs if not _unreal(s.text, t) and not _undated_nominal(s, t) and not _held_before(s, t)]
        for t in real:
            places = self._places_for(s, t, real) or self._anaphor_place(s, t)
            for place in places:
                ev = self._event(s, t, place, published, enemy)
                if ev is not None:
                    out.append(_storming(s, ev, t))
        return _resolve_sentence(out, s, trigs)

    def _appositive_control(self, s: _Sentence, published: str | None, enemy: str,
                            trigs: Sequence[Trigger]) -> list[Event]:
        """Control said in a noun phrase next to the place: "Raqqa, the group's de facto capital",
        "Mosul, the largest city it holds", "its self-styled capital, Raqqa", "their stronghold of Saada"."""
        sent, s0 = s.text, s.start
        out: list[Event] = []
        for p in s.places:
            if p.kind == "country":
                continue
            ps, pe = p.start - s0, p.end - s0
            m = _APPOSED_HOLD_AFTER.match(sent, pe) or _APPOSED_HOLD_AFTER_CLAUSE.match(sent, pe)
            if m is None:
                m = _APPOSED_HOLD_BEFORE.search(sent[:ps])
                if m and (re.search(r"[,.;:]", sent[m.end("head") : ps]) and not re.fullmatch(r"\s*,\s*", sent[m.end("head") : ps])):
                    m = None
                if m and re.search(r",\s*$", sent[: m.start()]) and any(q.end - s0 <= m.start() for q in s.places):
                    m = None  # "al-Bab, Islamic State's last stronghold in Aleppo province": about al-Bab
            if m is None or _NOT_CURRENT.search(m.group(0)):
                continue
            if any(t.start < max(m.start(), ps) < t.end or m.start() <= t.start < m.end() for t in trigs if t.type != "control"):
                continue  # the phrase is part of another event's trigger
            holder = self._possessor_side(s, m, p, published, enemy)
            if holder is None:
                continue
            side, words = holder
            t = Trigger("control", m.start(), m.end(), m.group(0).strip(" ,"), "either", noun=True, strength=1)
            date, prec = _date(s, t, published)
            out.append(Event(
                type="control", place=p, sentence=sent, sentence_start=s0, date=date, date_precision=prec,
                actor=words, side=side, controller_after=side,
                confidence=round(min(0.55 + 0.1 + 0.15 * min(1.0, p.score), 0.99), 3), trigger=t.text,
            ))
        return out

    def _possessor_side(self, s: _Sentence, m: re.Match[str], p: Place, published: str | None,
                        enemy: str) -> tuple[str, str] | None:
        """Who the phrase says holds the place: a named actor inside it, or the article's enemy for
        "its", "their", "the group's", "the militants'", "it", "they"."""
        g = next(k for k in ("poss", "poss2", "poss3") if k in m.re.groupindex and m.group(k) is not None)
        a0, a1 = s.start + m.start(g), s.start + m.end(g)
        named = [a for a in s.actors if a0 <= a.start < a1]
        if named:
            side = named[0].side(p.country, published)
            return (side, named[0].text) if side != "unknown" else None
        poss = m.group(g)
        if _GENERIC_POSSESSOR.fullmatch(poss.strip()):
            if "capital" in m.group("head").lower() and poss.strip().lower() in ("its", "their") \
                    and not re.search(r"(?:self-(?:proclaimed|styled|declared)|de facto|so-called)", m.group(0), re.I):
                return None  # "Anbar province and its capital, Ramadi"
            return (enemy, poss.strip()) if enemy else None
        return None

    @staticmethod
    def _anaphor_place(s: _Sentence, t: Trigger) -> list[Place]:
        """"took control of the city": the town named last (in this sentence or before, the dateline too)."""
        m = _ANAPHOR.match(s.text, t.end) or _ANAPHOR_IN_OBJECT.match(s.text, t.end)
        if not m or _new_clause(s, t.end, m.end()) or _FRAME.search(s.text[: m.end()].rsplit("the", 1)[0]):
            return []  # "villages south of the city" are not the city
        if m.group(0).rstrip().lower().endswith("province"):
            # "complete control of the province": the province named before in the sentence
            prov = [p for p in s.places if p.end - s.start <= t.start
                    and (p.kind in ("admin1", "admin2") or _CONTAINER_AFTER.match(s.text, p.end - s.start))]
            return prov[-1:]
        here = [p for p in s.places if p.end - s.start <= t.start and p.kind in ("city", "town", "village")]
        cands = here or list(s.prior)
        return cands[-1:] if cands else []

    # --- places ------------------------------------------------------------------------------------------
    def _places_for(self, s: _Sentence, t: Trigger, trigs: Sequence[Trigger]) -> list[Place]:
        sent, s0 = s.text, s.start
        # a country is too coarse for an event: "IS seized Iraq's second city" is about the city, and
        # "struck positions inside Syria" has no point within reach of where the strikes fell
        specific = [p for p in s.places if p.kind != "country"]
        if t.type == "airstrike" and not t.noun and not t.passive:
            got = self._country_strike(s, t, specific)
            if got:
                return got
        if not specific:
            return []
        a0, a1 = t.start, t.end  # sentence offsets
        after = [p for p in specific if p.start - s0 >= a1]
        before = [p for p in specific if p.end - s0 <= a0]

        if t.place_side == "before" and t.text.lower().startswith("which") and after \
                and _SHORT_OBJECT.fullmatch(sent[t.end : after[0].start - s0]):
            # "the Houthi movement, which has controlled Sana'a since September": the place follows
            return self._object_places(s, t, after, trigs)[:3]
        if t.place_side == "before" and re.match(r"which\s+(?:(?:still|now|firmly|fully|also|largely|has|have|had|long)\s+)*(?:holds?|held|controls?|controlled|occupies|occupied|ruled|runs?)\b",
                                                  t.text, re.I) and not t.text.lower().rstrip().endswith(" by"):
            return []  # "Haftar's forces, which control the east": the antecedent holds; what it holds is not named

        if t.place_side == "before" or t.passive:
            got = self._subject_place(s, t, before)
            if got:
                return got
            # "the bus was struck on Thursday as it stopped at a market in Dahyan"
            return self._object_places(s, t, after, trigs, strict=False)[:1]
        got = self._object_places(s, t, after, trigs)
        if got:
            return got[:3] if t.type == "control" else got[:4]
        if t.type == "control" and t.place_side == "after":
            # "towards Deir ez-Zor province, where they still hold most of the territory"
            m = re.search(r"(?:\s+(?:province|governorate|region|area|district))?\s*,?\s*where\s+(?:[\w'’-]+\s+){1,4}$", sent[: t.start])
            if m:
                return [p for p in before if 0 <= m.start() - (p.end - s0) <= 1][-1:]
            return []
        if t.noun:
            near = [p for p in before if a0 - (p.end - s0) <= 30 and _PLACE_BEFORE_NOUN.match(sent[p.end - s0 : a0])]
            if near:
                return [near[-1]]  # "the Mosul offensive", "Kirkuk's car bombing"
        else:
            got = self._relative_subject(s, t, before)
            if got:
                return got
            if FAMILY[t.type] in ("violence", "arrest"):
                got = self._subject_locative(s, t, before)
                if got:
                    return got
        return self._fronted_place(s, t)

    @staticmethod
    def _subject_locative(s: _Sentence, t: Trigger, before: Sequence[Place]) -> list[Place]:
        """"Militants hiding in the Hamrin mountains have ambushed patrols", "gunmen in al-Arish shot dead a man":
        a locative inside the subject of an active verb is where the subject acted."""
        sent, s0 = s.text, s.start
        cs = _clause_start(sent, t.start)
        for p in before:
            ps, pe = p.start - s0, p.end - s0
            if ps < cs:
                continue
            k = max(cs, sent.rfind(",", cs, ps) + 1)  # "In the latest case, on Wednesday, gunmen in al-Arish ..."
            if not _SUBJECT_LOCATIVE_PRE.fullmatch(sent[k:ps]) or not _SUBJECT_LOCATIVE_POST.fullmatch(sent[pe : t.start]):
                continue
            if any(tag in ("VBD", "VBZ", "VBP", "MD") for _, tag in s.tags_between(k, ps)):
                continue  # "Police said in Kirkuk ...": a finite verb before it, so not inside the subject
            return [p]
        return []

    @staticmethod
    def _country_strike(s: _Sentence, t: Trigger, specific: Sequence[Place]) -> list[Place]:
        """"Iraqi jets struck IS positions inside Syria": a strike's place may be a country, when nothing
        smaller is named first; "struck targets in Syria, including Raqqa" names the smaller place."""
        sent, s0 = s.text, s.start
        for c in s.places:
            if c.kind != "country" or c.start - s0 < t.end:
                continue
            gap = sent[t.end : c.start - s0]
            if len(gap) > 60 or not re.search(r"\b(?:inside|in|across|over)\s+(?:(?:\w+\s+){0,2}(?:provinces|parts|areas|regions|governorates) of\s+)?$", gap) or _new_clause(s, t.end, c.start - s0) \
                    or re.match(r"['’]s\b", sent[c.end - s0 :]):
                return []  # "in Yemen's port city of Hodeida": the country only qualifies the place
            if any(t.end <= p.start - s0 < c.start - s0 for p in specific):
                return []
            incl = [p for p in specific if p.start >= c.end and _INCLUDING.fullmatch(sent[c.end - s0 : p.start - s0])]
            return incl[:1] or [c]
        return []

    def _object_places(self, s: _Sentence, t: Trigger, after: Sequence[Place], trigs: Sequence[Trigger],
                       strict: bool = True) -> list[Place]:
        """The places a trigger points forward to: its object, or a prepositional complement of a noun."""
        sent, s0 = s.text, s.start
        a1 = t.end
        if not after:
            return []
        limit = len(sent)
        for m in _CLAUSE_BREAK.finditer(sent, a1):
            limit = m.start()
            break
        nxt = [o for o in trigs if o.start >= a1 and o.type != t.type and not o.noun
               and not re.match(r"[\w'’.]+-(?:held|controlled|occupied|run)\b", o.text)]  # "captured the Kurdish-held city of Kirkuk"
        if nxt:
            limit = min(limit, nxt[0].start)
        max_gap = 70 if t.noun else 110
        first = None
        for p in after:
            ps = p.start - s0
            if ps - a1 > max_gap or ps > limit:
                break
            gap = sent[a1:ps]
            if t.noun and not re.search(r"\b(?:of|on|for|against|in|at|to|towards?|into|from|near|around|across|outside|inside|over|through)\s*$", t.text, re.I) \
                    and not _LOCATIVE.search(gap):
                continue
            if (not t.noun and t.type not in ("capture", "control") or not strict) and not _LOCATIVE.search(gap) \
                    and not _SHORT_OBJECT.fullmatch(gap):
                continue  # "clashed with X forces backed by Iran": not where it happened
            if strict and _new_clause(s, a1, ps, verbs=not t.noun):
                break  # "seized on 12 June as they tried to leave Camp Speicher": another clause's place
            first = p
            break
        if first is None:
            return []
        # "in the Nile Delta city of Tanta": the town, not the region that qualifies it
        nxt_place = next((p for p in after if p.start >= first.end), None)
        if nxt_place is not None and re.fullmatch(r"\s+(?:[\w-]+\s+)?(?:city|town|village|port|district|oasis)\s+of\s+(?:the\s+)?",
                                                  sent[first.end - s0 : nxt_place.start - s0], re.I):
            first = nxt_place
        out = [first]
        last_end = first.end
        in_reference = False
        for p in after:
            if p.start <= first.start:
                continue
            gap = sent[last_end - s0 : p.start - s0]
            if (_REFERENCE.search(sent[max(0, p.start - s0 - 45) : p.start - s0]) or in_reference and "," not in gap and _COORD_GAP.fullmatch(gap)) \
                    and len(gap) < 70 and ";" not in gap:
                last_end = p.end  # "Tal Afar, west of Mosul, and Hawija": Mosul is a reference point
                in_reference = True  # ... and so is what is coordinated with it ("between Tripoli and Misrata")
                continue
            in_reference = False
            if p.start - s0 > limit + 40 and not gap.startswith(","):
                break
            if re.fullmatch(r"\s*,\s*", gap) and (p.kind in ("admin1", "admin2", "country")
                                                 or _CONTAINER_AFTER.match(sent, p.end - s0)) \
                    and not re.match(r"(?:\s+(?:province|governorate|region|district))?\s*(?:,\s*)?(?:and|or|as well as)\b|\s*,\s*(?:\S+\s+){0,3}?(?:and|or)\s", sent[p.end - s0 :]):
                last_end = p.end  # "in downtown Manbij, Aleppo province": the container, not a second place
                continue
            if _COORD_GAP.fullmatch(gap) or _INCLUDING.fullmatch(gap) or _TAIL_INCLUDING.fullmatch(gap):
                out.append(p)  # "... the Euphrates valley downstream to the border, including the towns of X and Y"
                last_end = p.end
            elif _APPOSITION_THEN_COORD.fullmatch(gap):
                out.append(p)  # "Zinjibar, the provincial capital of Abyan, and Jaar"
                last_end = p.end
            elif re.match(r"\s*,\s*(?:a|an|the|its|their)\b|\s*(?:['’]s)", gap) and len(gap) < 60:
                continue  # a place inside an apposition ("Mukalla, the capital of Hadramawt"): not an object
            else:
                break
        return out

    @staticmethod
    def _subject_place(s: _Sentence, t: Trigger, before: Sequence[Place]) -> list[Place]:
        """The subject of a passive or stative trigger: the first place of its clause that is not a
        fronted scene ("Further up the Euphrates, ...") or a reference point, with the places
        coordinated with it ("Haditha and the nearby Haditha Dam remain in government hands")."""
        if not before:
            return []
        sent, s0 = s.text, s.start
        if _PRONOUN_SUBJECT.search(sent[: t.start]):
            return []  # "as it fell", "before the town fell": the subject is not named here
        last = before[-1]
        if len(before) > 1 and re.fullmatch(r"\s*,\s*(?:(?:a|an|the)\s+(?:[\w'’-]+\s+){0,3}?)?(?:on|in|at|near|along|by|off|across|inside|outside)\b[^,;]{0,60}",
                                            sent[before[-2].end - s0 : last.start - s0]) \
                and re.fullmatch(r"[^,;]{0,30},\s*(?:(?:has|have|had|is|was|are|were|been|still|now|also|long|remains?|remained|largely)\s+)*",
                                 sent[last.end - s0 : t.start]):
            # "Jarablus, on the west bank of the Euphrates, fell": the place before the locative apposition
            last = before[-2]
            if _PRONOUN_SUBJECT.search(sent[: t.start]) is None:
                return [last]
        if _APPOSED.fullmatch(sent[last.end - s0 : t.start]) and not _FRAME.search(sent[max(0, last.start - s0 - 45) : last.start - s0]):
            # "Rawa, the last remaining area in the country still held by IS", "Manbij, held by the SDF",
            # "the Afrin region, which the YPG had run": the place right before its apposition or relative
            return [last]
        cs = _clause_start(sent, t.start)
        cands = [p for p in before if p.start - s0 >= cs and t.start - (p.end - s0) <= 160]
        if not cands:
            near = [p for p in before if t.start - (p.end - s0) <= 80]
            cands = near[-1:]
        first = None
        for p in cands:
            ps = p.start - s0
            pre = sent[max(0, ps - 45) : ps]
            if p is not cands[-1] and (_REFERENCE.search(pre) or (_FRONTED_LOCATIVE.match(sent[:ps]) and "," in sent[p.end - s0 : t.start]
                                                                   and re.match(r"[^,]{0,20},", sent[p.end - s0 :]))):
                continue
            first = p
            break
        if first is None:
            return []
        out = [first]
        last_end = first.end
        for p in cands:
            if p.start <= first.start:
                continue
            gap = sent[last_end - s0 : p.start - s0]
            if _COORD_GAP.fullmatch(gap) or _INCLUDING.fullmatch(gap):
                out.append(p)
                last_end = p.end
            else:
                break
        return out

    @staticmethod
    def _relative_subject(s: _Sentence, t: Trigger, before: Sequence[Place]) -> list[Place]:
        """"Ramadi, which the jihadists seized in May": the antecedent of an object relative clause."""
        sent, s0 = s.text, s.start
        for p in reversed(before):
            gap = sent[p.end - s0 : t.start]
            if re.fullmatch(r",?\s*(?:which|that)\s+(?:[\w'’-]+\s+){1,5}(?:had\s+|have\s+|has\s+)?(?:\w+ly\s+)?", gap, re.I) \
                    or re.match(r",?\s*where\b", gap, re.I):
                return [p]
            if len(gap) > 80:
                break
        return []

    @staticmethod
    def _fronted_place(s: _Sentence, t: Trigger) -> list[Place]:
        """"In Kirkuk, security forces ...": the scene of the sentence."""
        sent, s0 = s.text, s.start
        first = s.places[0]
        ps = first.start - s0
        if ps < t.start and _FRONTED_LOCATIVE.match(sent[:ps]) and "," in sent[first.end - s0 : t.start]:
            return [first]
        return []

    # --- actor ---------------------------------------------------------------------------------------------
    def _actor(self, s: _Sentence, t: Trigger) -> ActorMention | None:
        sent, s0 = s.text, s.start
        acts = s.actors
        a0, a1 = s0 + t.start, s0 + t.end

        def after_by() -> ActorMention | None:
            for a in acts:
                if a.start >= a1 and a.start - a1 < 80 and re.search(r"\b(?:by|to|of)\s+(?:the\s+)?$", sent[: a.start - s0]) \
                        and not _SUPPORT.search(sent[: a.start - s0]):
                    return a
            return None

        if t.type == "control":
            inside = [a for a in acts if a0 <= a.start < a1]
            if inside:
                return inside[0]  # "IS-held", "in Islamic State hands", "which IS still holds"
            if re.match(r"[\w'’.]+-(?:held|controlled|occupied|run)\b", t.text):
                return None  # "Kurdish-held": the prefix names the holder, not the sentence's subject
            if t.text.lower().startswith("which"):
                # "supporters of the Houthi movement, which has controlled Sana'a": the antecedent holds it
                ante = [a for a in acts if a.end <= a0 and re.fullmatch(r"\s*,?\s*", sent[a.end - s0 : t.start])]
                if ante:
                    return ante[-1]
            low = t.text.lower().rstrip()
            if low.endswith((" by", " of", "hands", "control")) and t.place_side == "before":
                after = [a for a in acts if a.start >= a1 and a.start - a1 < 40]
                if after:
                    return after[0]
                if low.endswith("control"):
                    near = [a for a in acts if a.end <= a0 and a0 - a.end <= 30]
                    return near[-1] if near else None
                return None
            if t.noun:  # "Islamic State's stronghold", "the group's de facto capital"
                near = [a for a in acts if a.end <= a0 and a0 - a.end <= 30]
                if near:
                    return near[-1]
                after = [a for a in acts if a.start >= a1 and a.start - a1 < 40]
                return after[0] if after else None
        if t.type == "capture" and t.noun and re.match(r"(?:fall|loss)\b", t.text, re.I):
            return after_by()  # "resisting after the fall of Mosul": the subject lost it; only "fall of X to Y" says who took it
        if t.passive or re.match(r"c(?:a|o)me under\b", t.text, re.I):
            a = after_by()
            if a or not t.passive:
                return a  # "the patrol came under fire": the subject is the target, not who fired
        cs = _clause_start(sent, t.start)
        before = [a for a in acts if a.end <= a0 and not _patient(sent[: a.start - s0])]
        in_clause = [a for a in before if a.start - s0 >= cs]
        if in_clause:
            return in_clause[0]
        if t.noun:
            a = after_by()
            if a:
                return a
        if before:
            return before[0]
        return after_by()

    def _event(self, s: _Sentence, t: Trigger, place: Place, published: str | None, enemy: str) -> Event | None:
        sent = s.text
        date, prec = _date(s, t, published)
        actor = self._actor(s, t)
        side = actor.side(place.country, date) if actor else "unknown"
        actor_text = actor.text if actor else ""
        if side == "unknown" and t.type == "control":
            got = self._holder_word(t, place, date, enemy)
            if got:
                side, actor_text = got
        if side == "unknown" and enemy and t.type in ("control", "capture"):
            m = self._generic_holder(sent, t)
            if m:
                side, actor_text = enemy, m
        if t.type == "control" and side == "unknown":
            return None  # "held", "controlled" with no holder named is not evidence of who holds it
        if t.type == "capture" and (_PERSON_OBJECT.match(sent, t.end)
                                    or _PERSON_RELATIVE.search(sent[max(0, t.start - 70) : t.start])):
            return None  # "seized 21 Egyptian labourers in Sirte": people were taken, not the town
        if t.type == "attack" and re.match(r"(?:bombed|bombarded|pounded)$", t.text, re.I):
            cs = _clause_start(sent, t.start)
            subject = [p for p in s.places if cs <= p.start - s.start < t.start and p.kind == "country"]
            if subject or _AIR_SUBJECT.search(sent[cs : t.start]):
                t = replace(t, type="airstrike")  # "The United States and five Arab allies bombed targets in Syria"
        if t.type == "capture" and _RAIDERS.search(actor_text or s.text[_clause_start(sent, t.start) : t.start]):
            # "gunmen entered Kobani before dawn and went from house to house": a raid, not a takeover
            t = replace(t, type="attack")
        controller = side if t.type in ("capture", "control") else None
        conf = 0.55 + (0.15 if actor else 0.0) + (0.1 if prec == "day" else 0.0) + 0.15 * min(1.0, place.score)
        return Event(
            type=t.type, place=place, sentence=sent, sentence_start=s.start, date=date, date_precision=prec,
            actor=actor_text, side=side, controller_after=controller, confidence=round(min(conf, 0.99), 3),
            fatalities=fatalities_in(sent) if t.type in ("attack", "airstrike", "clash") else None, trigger=t.text,
        )

    def _holder_word(self, t: Trigger, place: Place, on: str | None, enemy: str) -> tuple[str, str] | None:
        """"in government hands", "rebel-held", "under army control": the side a generic word names there."""
        m = _HOLDER_WORD.search(t.text)
        if not m:
            return None
        word = m.group(1).lower()
        if word in _ENEMY_WORDS:
            return (enemy, m.group(1)) if enemy else None
        for a in self.actors.find(_HOLDER_PHRASE.get(word, word)):
            side = a.side(place.country, on)
            if side != "unknown":
                return side, m.group(1)
        return None

    @staticmethod
    def _generic_holder(sent: str, t: Trigger) -> str | None:
        """"held by the militants", "the group still holds", "they overran": the article's main enemy."""
        low = t.text.lower().rstrip()
        if t.type == "control" and low.endswith((" by", " of", "hands", "control")) and t.place_side == "before":
            m = _GENERIC_GROUP.search(sent[t.end : t.end + 40]) or re.match(
                r"\s*(?:(?:Islamist|jihadist|extremist|hardline)\s+)(?:militants|jihadists|extremists|insurgents|fighters)\b", sent[t.end :])
            if m:
                return m.group(0).strip()
            if re.search(r"\b(?:their|its)\s+(?:\w+\s+)?(?:hands|control)\b", t.text, re.I):
                return re.search(r"\b(?:their|its)\b", t.text, re.I).group(0)  # type: ignore[union-attr]
            return None
        if t.passive:
            return None
        cs = _clause_start(sent, t.start)
        m = re.match(r"\W*(It)\s+(?:(?:still|also|now|already|firmly|largely)\s+)*$", sent[cs : t.start]) or (
            re.search(r"\b(?:where|which|as|and)\s+(it)\s+(?:(?:still|also|now|already|firmly|largely)\s+)*$", sent[: t.start])
            if t.type == "control" else None)
        if m:
            return m.group(1)  # "It still holds Zinjibar and Jaar": the group the article is about
        ms = list(_GENERIC_GROUP.finditer(sent[max(0, cs) : t.start]))
        if not ms and t.type == "control":
            ms = list(_GENERIC_GROUP.finditer(sent[t.start : t.end])) or list(_GENERIC_GROUP.finditer(sent[max(0, t.start - 60) : t.start]))
        return ms[0].group(0) if ms else None

    def _main_enemy(self, acts: Sequence[ActorMention], places: Sequence[Place], published: str | None) -> str:
        cc = Counter(p.country for p in places if p.country)
        country = cc.most_common(1)[0][0] if cc else None
        sides = Counter(a.side(country, published) for a in acts)
        for side, _ in sides.most_common():
            if side in ("islamic_state", "aqap", "hts", "houthis"):
                return side
        return "islamic_state" if sides else ""


# --- helpers ------------------------------------------------------------------------------------------

_POSS = (r"(?P<poss>its|their|it|they|the (?:group|militants|jihadists|extremists|insurgents|rebels|movement|organi[sz]ation)(?:['’]s|['’])"
         r"|(?:the )?(?-i:[A-Z])[\w.-]*(?:\s+(?-i:[A-Z])[\w.-]*){0,3}(?:\s+(?:group|movement|militia))?(?:['’]s|['’]))")
_HOLD_HEAD = (r"(?P<head>(?:capital|stronghold|bastion|heartland|redoubt)s?\b|(?:(?:main|last|remaining|key|major|biggest|largest|important)\s+)+"
              r"(?:towns?|cities|city|strongholds?|bastions?|bases?|footholds?)\b)")
_APPOSED_HOLD_AFTER = re.compile(
    r"(?:\s+(?:province|governorate|city|town|region))?\s*,\s*(?:which is\s+|now\s+|still\s+)?(?:(?:one|some|two|three) of\s+)?(?:the\s+)?"
    + _POSS.replace("(?P<poss>its|their|it|they|", "(?P<poss>its|their|") + r"\s+(?:[\w-]+\s+){0,3}?" + _HOLD_HEAD, re.I)
_APPOSED_HOLD_AFTER_CLAUSE = re.compile(
    r"(?:\s+(?:province|governorate|city|town|region))?\s*,\s*(?:(?:one|some) of\s+)?the\s+(?:[\w-]+\s+){0,2}?(?P<head>city|town|cities|towns|place|stronghold)\s+"
    r"(?:that\s+|which\s+)?(?:(?:" + _POSS.replace("(?:['’]s|['’])", "").replace("(?P<poss>", "(?P<poss>") + r")\s+(?:still\s+|now\s+)?(?:holds?|controls?|held|controlled|runs)"
    r"|(?:still\s+|now\s+)?(?:under|in)\s+(?:the\s+)?(?:" + _POSS.replace("(?P<poss>", "(?P<poss2>") + r"|(?P<poss3>(?-i:[A-Z])[\w-]*(?:\s+(?-i:[A-Z])[\w-]*){0,2}))\s+(?:control|hands))\b", re.I)
_APPOSED_HOLD_BEFORE = re.compile(
    r"\b(?:the\s+)?" + _POSS + r"\s+(?:[\w-]+\s+){0,3}?(?P<head>(?:capital|stronghold|bastion|heartland|redoubt)\b)(?:\s+(?:is|was|remains)\s+(?:the\s+)?(?:province|city|town|region|area)\s+of\s+|\s+(?:of|in|at)\s+(?:the\s+(?:town|city|province|region)\s+of\s+)?|\s*,\s*)$", re.I)
_GENERIC_POSSESSOR = re.compile(r"its|their|it|they|(?:the )?(?:group|militants|jihadists|extremists|insurgents|organi[sz]ation)(?:['’]s|['’])?", re.I)
#: a phrase about the past, not who holds the place now
_NOT_CURRENT = re.compile(r"\b(?:former|formerly|once|erstwhile|old|previous|onetime|ex-|until|lost|last year|used to)\b", re.I)

_HOLDER_WORD = re.compile(r"\b(government|regime|army|rebel|opposition|kurdish|houthi|loyalist|militant|jihadist|extremist|insurgent|islamist|jihadi)\b", re.I)
_ENEMY_WORDS = {"militant", "jihadist", "extremist", "insurgent", "islamist", "jihadi"}
_HOLDER_PHRASE = {"government": "government forces", "regime": "regime forces", "army": "the army", "rebel": "rebels",
                  "opposition": "rebels", "kurdish": "Kurdish forces", "houthi": "Houthi", "loyalist": "government forces"}


_APPOSED = re.compile(
    r"(?:\s+(?:region|province|area|district|city|town|countryside|governorate))?\s*,\s*"
    r"(?:(?:the|a|an|its|their|one)\s+[^,;:()]{0,80}?|(?:which|that|where)\s+[^,;:()]{0,60}?)?\s*"
    r"(?:(?:still|now|long|also|firmly|largely|is|was|are|were|has|have|had|been)\s+)*", re.I)
_SUBJECT_LOCATIVE_PRE = re.compile(
    r"\W*(?:(?:on|early|late|last)\s+\w+(?:\s+\w+)?\s*,\s*)?(?:[\w'’-]+\s+){1,4}?(?:(?:hiding|based|holed up|operating|active)\s+)?"
    r"(?:in|inside|around)\s+(?:the\s+)?(?:(?:town|city|village|district|province|area)\s+of\s+)?", re.I)
_SUBJECT_LOCATIVE_POST = re.compile(
    r"(?:\s+(?:mountains|hills|desert|province|governorate|area|region|district|city|town))?\s*"
    r"(?:(?:have|has|had|also|reportedly|allegedly|then|later|on \w+|again)\s+)*", re.I)
_CONTAINER_AFTER = re.compile(r"\s+(?:province|governorate|region|district)\b", re.I)
_PRONOUN_SUBJECT = re.compile(r"\b(?:it|they|this|these|the (?:city|town|village|base|area|airport|district|province|capital))\s+(?:(?:had|has|have|was|were|is|are|been|finally|quickly|soon|eventually|also)\s+)*$", re.I)
#: predicates that say where or when a nominal event happened ("the offensive began in ...", "fighting raged in ...")
_LOCATING_PREDICATE = re.compile(
    r"(?:began|begins|started|starts|continued|continues|raged|rages|erupted|erupts|broke out|took place|takes place|happened|"
    r"occurred|went off|was|were|is|are|has|have|had|intensified|resumed|killed|kills|hit|hits|struck|strikes|targeted|tore|ripped|"
    r"fired|pounded|bombed|shelled|attacked|raided|"
    r"left|rocked|spread|focused|concentrated|came|comes)\b", re.I)
_SUBORDINATOR = re.compile(r"\b(?:as|when|while|because|although|though|whereas|who|which|whom|whose)\b", re.I)


def _new_clause(s: _Sentence, a: int, b: int, verbs: bool = True) -> bool:
    """Does a new clause start between sentence offsets a and b? A subordinator ("as they tried to
    leave Camp Speicher") does; so does a finite verb after a verb trigger (a noun trigger's own
    predicate may stand between it and its place: "the offensive began on 7 September in Rafah")."""
    gap = s.text[a:b]
    if re.search(r"[;:]|\s[-–—]\s", gap) or _SUBORDINATOR.search(gap):
        return True
    for o, tag in s.tags_between(a + 1, b):
        if tag in ("VBD", "VBZ", "VBP", "MD"):
            if not verbs and _LOCATING_PREDICATE.match(s.text, o):
                continue  # "the offensive began on 7 September in Rafah": the noun's own predicate
            return True
    return False


_ANAPHOR = re.compile(r"\s*[\"“”'‘’]?\s*(?:(?:almost|nearly|full|complete|total|effective)\s+)*(?:control\s+)?(?:[\"“”'‘’]\s*)?(?:(?:of|in|on|into|at|over)\s+)?the\s+(?:\w+\s+)?(?:city|capital|town|province)\b", re.I)
_ANAPHOR_IN_OBJECT = re.compile(r"[^,;.]{0,50}?\b(?:of|in|into|on|over|at)\s+the\s+(?:\w+\s+)?(?:city|capital|town)\b", re.I)
_ANAPHOR_ANY = re.compile(r"\bthe\s+(?:\w+\s+)?(?:city|capital|town)\b", re.I)
_BUILDING = re.compile(r"\b(?:prisons?|jails?|buildings?|courts?|courthouses?|hotels?|churche?s?|cathedrals?|mosques?|checkpoints?|posts?|police stations?|stations?|"
                       r"offices?|ministry|ministries|parliament|palace|embassy|consulate|hospitals?|schools?|markets?|banks?)\b", re.I)


def _storming(s: _Sentence, ev: Event, t: Trigger) -> Event:
    """"stormed Tikrit" takes a town; "stormed the prison" or "stormed government buildings there" is an attack."""
    if not t.text.lower().startswith("storm"):
        return ev
    ps = ev.place.start - s.start
    gap = s.text[t.end : ps] if ps >= t.end else None
    tail = s.text[ev.place.end - s.start : ev.place.end - s.start + 40]
    if gap is None or _BUILDING.search(gap) or not _SHORT_OBJECT.fullmatch(gap) \
            or re.match(r"['’]s\s+(?:[\w'’-]+\s+){0,2}?", tail) and _BUILDING.search(tail[:40].split(",")[0]):
        return replace(ev, type="attack", controller_after=None, fatalities=fatalities_in(s.text))
    return ev


def _held_before(s: _Sentence, t: Trigger) -> bool:
    """"The jihadists had controlled the town for two years", "had been held by the militants since June
    2014": who held a place before, not who holds it now; unless it says from which day ("had been in the
    hands of the rebels since soldiers defected on March 25" dates the takeover)."""
    if t.type != "control":
        return False
    before = s.text[: t.start]
    if not (re.match(r"had\b", t.text, re.I) or re.search(r"\bhad\s+(?:long\s+|firmly\s+|already\s+)?(?:been\s+)?$", before, re.I)
            or re.match(r"which\b[^,;]*?\bhad\b", t.text, re.I)):
        return False
    return not any(x.precision == "day" and t.end <= x.start <= t.end + 120 for x in s.times)


def _undated_nominal(s: _Sentence, t: Trigger) -> bool:
    """"the fall of Mosul", "the capture of Palmyra": a past event is named, not reported, unless dated
    right there ("the recapture in July of Mosul")."""
    gerund_subject = t.start == 0 and t.text.lower().endswith("ing")  # "Retaking the airport is a victory"
    if not (t.type == "capture" and (t.noun or gerund_subject)):
        return False
    return not any(abs(x.start - t.end) <= 40 or abs(t.start - x.end) <= 40 for x in s.times)


def _pos_ok(tags: dict[int, str], start: int, end: int, text: str, want: str) -> bool:
    """Does some word of the trigger have the wanted part of speech? ("still controls": "controls" is a verb)"""
    inside = [(o, tag) for o, tag in tags.items() if start <= o < end]
    if not inside:
        return True  # no token starts inside the trigger: do not guess
    for o, tag in inside:
        if want == "V" and (tag.startswith(_VERB_TAG) or (tag == "JJ" and re.match(r"\w+ed\b", text[o:end]))):
            return True  # "encircled" is often tagged as an adjective
        if want == "N" and (tag.startswith(_NOUN_TAG) or tag == "VBG"):
            return True  # "fighting" is tagged either way
    return False


def _patient(before_text: str) -> bool:
    """An actor mention that is the target or the supporter, not the agent ("against IS", "backed by")."""
    # ("..., and SDF fighters already hold Tabqa": after a comma, "and" starts a new clause with its own subject)
    return bool(re.search(r"\b(?:against|on|from|with|of|targeting|backed by|supported by|(?<!, )and)\s+(?:the\s+)?$", before_text, re.I))


_HELD_ADJECTIVE = re.compile(r"[\w'’.]+-(?:held|controlled|occupied|run)\b")


def _unreal(sent: str, t: Trigger) -> bool:
    """A plan, condition, negation, purpose or support phrase rather than a reported event."""
    before = sent[: t.start]
    window = before[_comma_start(sent, t.start) :]
    near = " ".join(window.split()[-7:])
    m = _UNREAL.search(near)
    if m:
        # "failed to stop", "could not halt": the negation is about something else when it is far and
        # separated; keep it simple: a cue in the last seven words of the stretch counts
        return True
    if t.type == "capture" and re.search(r"\bsince\s+(?:(?:it|they|the group|the militants|the jihadists|IS|ISIS)\s+)?$", before, re.I) \
            and not _DATED_AFTER.search(sent[t.end : _next_break(sent, t.end) + 40]):
        return True  # "weakened since it lost Sirte": a past loss named as background, not reported
    if t.noun and re.search(r"\b(?:earlier|previous|past|prior)\s+(?:(?!(?:an?|the|this|that)\s)\w+\s+)?$", before[-30:], re.I) \
            and not re.search(r"\b(?:days?|weeks?|months?|years?|hours?)\s+(?:earlier|previous)\s", before[-40:], re.I):
        return True  # "had taken part in earlier attacks on police in Cairo": background, not a report
    if t.noun and _PURPOSE_NOUN.search(before[-60:]):
        return True  # "a base for attacks on the capital", "a springboard for raids": what a place was used for
    if _UNREAL_AFTER.match(sent, t.end):
        return True  # "a suicide bomber had planned to ...", "attacks ... were reportedly planned"
    if t.type in ("airstrike", "attack") and _SUPPORT.search(before[-60:]) or t.type == "airstrike" and _WITH_AIR.search(before[-30:]):
        return True  # "backed by US air strikes": support for another event, not an event of its own
    if t.type in ("capture", "arrest", "control") and _PURPOSE_TO.search(before) and not _PASSIVE_BEFORE.search(before) \
            and not _PERFECT_TO.search(before) and not t.text.lower().startswith(("have ", "has ")) \
            and not _HELD_ADJECTIVE.match(t.text):
        return True  # "an offensive to retake Mosul" ("claimed to have taken" is a claim about the past; "on the
        # road to IS-held Mosul" is no purpose: the adjective says who holds it)
    return False


def _is_since(sent: str, x: TimeExpression, t: Trigger | None = None) -> bool:
    low = x.text.lower()
    if low.startswith(("since", "until", "by ")):
        return True
    if re.search(r"\b(?:since|until|till|from)\s+(?:early\s+|late\s+|mid-?|the\s+end\s+of\s+)?$", sent[: x.start], re.I):
        return True
    # "the worst massacre by the group since it declared its caliphate in 2014": a since-clause's date,
    # except for the trigger inside that clause ("the interim capital since the Houthis seized Sanaa in 2014")
    m = re.search(r"\bsince\s+(?:it|they|the|its|their|he|she|we)\s+(?:[\w'’-]+\s+){1,7}$", sent[: x.start], re.I)
    return bool(m) and not (t is not None and m.start() <= t.start < x.start)


#: clause boundaries for dating: also relative clauses ("towns that had fallen to militants four years ago")
_DATE_BREAK = re.compile(
    r"[;:—–]|,\s*(?:but|while|whereas|although|though|even though|even as|even if|and then|and|as)\b|\b(?:but|while|whereas|although)\b| - |"
    r"(?<!said )(?<!says )(?<!announced )(?<!reported )(?<!claimed )(?<!added )(?<!stated )\b(?:that|which|who)\b")


_RELATIVE = re.compile(r"(?:,\s*|\s)(?<!said\s)(?<!says\s)(?<!announced\s)(?<!reported\s)(?<!claimed\s)(?<!added\s)"
                       r"(?<!stated\s)(?<!warned\s)(?<!believe\s)(?<!believed\s)(?<!so\s)(?<!such\s)(?:which|that|who|where)\b", re.I)


_AFTER_CLAUSE = re.compile(r"\b(?:(?:hours|days|minutes|a day|a week|weeks|shortly|soon|just|a few \w+) )?(?:after|following)\s+(?=(?:\w+\s+){0,6}?"
                           r"(?:\w+ed|killed|struck|hit|seized|took|fell|stormed|attacked|opened|bombed|shelled)\b)", re.I)


def _next_break(sent: str, pos: int) -> int:
    m = re.compile(r"[,;:—–]| - ").search(sent, pos)
    return m.start() if m else len(sent)


def _date(s: _Sentence, t: Trigger, published: str | None) -> tuple[str | None, str | None]:
    """The event's date: the nearest usable time expression, in the trigger's clause first."""
    sent = s.text
    # "liberated Derna seven weeks after launching an offensive": "seven weeks after" dates what follows it
    # (the launch), not a trigger before it
    times = [x for x in s.times if not _is_since(sent, x, t) and not (x.text.lower().endswith("after") and x.start >= t.end)]
    if t.noun and _TOLL_BEFORE.search(sent[max(0, t.start - 60) : t.start]):
        # "The death toll from an Islamic State raid on Kobani rose above 200, officials said on Saturday": the day
        # the toll was given, not the day of the raid
        times = [x for x in times if not _REPORTED_ON.search(sent[max(0, x.start - 30) : x.start])]
    if t.type == "control":
        times = [x for x in times if x.precision == "day"]
    if times:
        cs = 0
        for m in _DATE_BREAK.finditer(sent[: t.start]):
            cs = m.start() if m.group(0).lower() in ("that", "which", "who") else m.end()

        def dist(x: TimeExpression) -> int:
            return t.start - x.end if x.end <= t.start else max(0, x.start - t.end)

        # a relative clause that does not hold the trigger dates something else
        # ("retook Zinjibar and Jaar, that had fallen to militants four years ago") ...
        rel = [(m.start(), _next_break(sent, m.end())) for m in _RELATIVE.finditer(sent)]
        # ... unless it describes the trigger itself ("an attack in the Western Desert that killed
        # several policemen on 20 October")
        own = [(a, b) for a, b in rel if t.noun and a >= t.end and not _new_clause(s, t.end, a)
               and not (sent[a : a + 1] == "," and any(t.end <= p.start - s.start and 0 <= a - (p.end - s.start) <= 3 for p in s.places))]
        # ("the assault on Ghouta, the last enclave near Damascus, which the army split earlier this month":
        # a non-restrictive clause right after a place tells about the place)
        outside = [(a, b) for a, b in rel if not a <= t.start < b and (a, b) not in own]
        times = [x for x in times if not any(a <= x.start < b for a, b in outside)]
        nb = [m.start() for m in _DATE_BREAK.finditer(sent, t.end) if not any(a <= m.start() <= a + 2 for a, _ in own)]
        ce = nb[0] if nb else len(sent)
        # "Mexico demanded an inquiry on Tuesday after forces attacked a convoy": the main clause's day is not
        # the day of what the "after" clause tells
        sub = [m.start() for m in _AFTER_CLAUSE.finditer(sent) if m.end() <= t.start]
        if sub:
            times = [x for x in times if x.end > sub[-1]]
        # "... were killed on 1 August, when a drone attack hit a parade": the "when" clause happened then
        when = [m for m in re.finditer(r",\s*when\b", sent[: t.start])]
        if when:
            w0 = when[-1].start()
            at = [x for x in s.times if 0 <= w0 - x.end <= 2 and not _is_since(sent, x)]
            if at:
                return at[-1].date, at[-1].precision
        in_clause = [x for x in times if x.start >= cs and x.end <= ce]
        pool = in_clause or [x for x in times if dist(x) <= 100]
        if pool:
            best = min(pool, key=lambda x: (dist(x) // 25, _PREC_RANK[x.precision], dist(x)))
            return best.date, best.precision
    if s.anchor and t.type != "control" and _past(s, t):
        # a past-tense report with no time of its own goes on the story told just before it
        # ("On Monday a suicide bomber ... The bomber struck a school"); precision week, not a made-up day
        return s.anchor, "week"
    if published:
        return published, "week"
    return None, None


def _past(s: _Sentence, t: Trigger) -> bool:
    """Is the trigger's clause in the simple past ("struck", "was retaken"), not present or perfect?"""
    if not s.tags:
        return False
    before = s.text[max(0, t.start - 25) : t.start]
    if re.search(r"\b(?:has|have|is|are|remains?)\s+(?:\w+\s+)?$", before, re.I):
        return False
    own = [tag for _, tag in s.tags_between(t.start, t.end) if tag.startswith("VB") or tag == "JJ"]
    if not t.noun and own:
        # "Drones and manned aircraft hit": the trigger's finite verb, not a participle modifying its subject
        if any(tag in ("VBZ", "VBP", "MD") for tag in own):
            return False
        verbs = [tag for tag in own if tag.startswith("VB")]
        if verbs:
            return verbs[-1] in ("VBD", "VBN")
        return own[0] == "JJ" and bool(re.search(r"\b(?:was|were)\s+$", before))
    nb = _next_break(s.text, t.end)
    after = [tag for _, tag in s.tags_between(t.end, nb) if tag in ("VBD", "VBZ", "VBP", "MD")]
    return bool(after) and after[0] == "VBD"


def _resolve_sentence(events: list[Event], s: _Sentence, trigs: Sequence[Trigger]) -> list[Event]:
    """One event per place and type family in a sentence; background nouns yield to the main event."""
    if not events:
        return []
    by_trigger = {t.text: t for t in trigs}

    rel = [(m.start(), _next_break(s.text, m.end())) for m in _RELATIVE.finditer(s.text)]

    def strength(e: Event) -> int:
        """Trigger strength; a trigger inside a relative clause ("Zinjibar, which had fallen to the army
        in 2011") tells background, and yields to the main clause's."""
        t = by_trigger.get(e.trigger)
        if t is None:
            return 1
        return t.strength - (3 if any(a <= t.start < b for a, b in rel) else 0)

    def adjunct(e: Event) -> bool:
        t = next((x for x in trigs if x.text == e.trigger), None)
        return bool(t and t.noun and FAMILY[t.type] == "violence" and _ADJUNCT_BEFORE.search(s.text[: t.start]))

    main = [e for e in events if not adjunct(e)]
    if main:
        events = main
    # "raids ... and arrested": the raids are the arrests
    if any(e.type == "arrest" for e in events):
        events = [e for e in events if not (e.type == "attack" and e.trigger.lower().startswith("raid"))]
    # an air strike in the sentence makes its generic "hit", "killed" an air strike too ("jets struck ...,
    # killing 20"), unless someone else does the killing ("hours after gunmen killed 29")
    air = [t for t in trigs if t.type == "airstrike"]

    def by_air(e: Event) -> bool:
        w = next((x for x in trigs if x.text == e.trigger), None)
        if w is None:
            return False
        for a in air:
            lo, hi = sorted((a.end, w.start)) if a.end <= w.start else (w.end, a.start)
            between = s.text[lo:hi]
            if not _OTHER_AGENT.search(between) and not any(lo <= m.start - s.start < hi for m in s.actors):
                return True
        return False

    events = [replace(e, type="airstrike") if e.type == "attack" and _WEAK_VIOLENCE.match(e.trigger.strip()) and by_air(e) else e
              for e in events]
    best: dict[tuple[str, str], Event] = {}
    for e in events:
        k = (e.place.gazetteer_id or e.place.name, e.type if e.type in _OWN_KIND and not _WEAK_VIOLENCE.match(e.trigger.strip()) else FAMILY[e.type])
        cur = best.get(k)
        if cur is None or (strength(e), e.confidence) > (strength(cur), cur.confidence):
            best[k] = e
    kept = list(best.values())
    # "driving IS from a farming town south of Baghdad": a reference point is no second event
    framed = [e for e in kept if _FRAME.search(s.text[max(0, e.place.start - s.start - 45) : e.place.start - s.start])]
    kept = [e for e in kept if e not in framed
            or not any(o is not e and o not in framed and FAMILY[o.type] == FAMILY[e.type] and o.trigger == e.trigger for o in kept)]
    # "drove militants from a key refinery north of Baghdad": an unnamed place located from a named one
    # far off; the named one did not change hands
    def far(e: Event) -> bool:
        m = _FAR_FRAME.search(s.text[max(0, e.place.start - s.start - 60) : e.place.start - s.start])
        if not m:
            return False
        # an attack on "a checkpoint west of El-Arish" happened at El-Arish; one in "a town north of
        # Baghdad" or "40 km south of Cairo" did not
        return FAMILY[e.type] == "territory" or bool(re.search(
            r"\b(?:towns?|villages?|city|cities|districts?|areas?|monaster(?:y|ies)|oasis|\d[\d,.]*\s*(?:km|kms|kilometres?|kilometers?|miles))\b", m.group(0), re.I))

    kept = [e for e in kept if not far(e) and not _METONYM.match(s.text, e.place.end - s.start)
            and not (e.place.kind in ("city", "town", "village") and _ORIGIN.match(s.text, e.place.end - s.start))
            and not _FROM_ORIGIN.search(s.text[max(0, e.place.start - s.start - 40) : e.place.start - s.start])
            and not _METONYM_BEFORE.search(s.text[max(0, e.place.start - s.start - 30) : e.place.start - s.start])]
    # a generic "killed"/"attack" yields to any other violence event of the sentence
    strong = [e for e in kept if FAMILY[e.type] == "violence" and not _WEAK_VIOLENCE.match(e.trigger.strip())]
    if strong:
        kept = [e for e in kept if not (FAMILY[e.type] == "violence" and _WEAK_VIOLENCE.match(e.trigger.strip())
                                        and e.type == "attack" and e.trigger.lower().startswith("kill"))]
    return sorted(kept, key=lambda e: e.place.start)


_DATELINE_RX = re.compile(r"^\s*[A-Z][A-Za-z'’ .\-/]{1,40}(?:,\s*[A-Z][A-Za-z .]{1,30})?(?:,\s*[^\n]{0,40}?)?\s*(?:\([^)]{1,40}\))?\s*(?:(?<=\s)-|-(?=\s)|[–—:]|\n)")


def _dateline_end(text: str) -> int:
    """End of a dateline such as "BAGHDAD, June 10 (Frontlines) -" or "Aden, 6 Dec 2015:"."""
    m = _DATELINE_RX.match(text[:160])
    return m.end() if m else 0


_TOLL_BEFORE = re.compile(r"\b(?:death toll|toll|number of (?:dead|deaths|casualties)|casualties)\s+(?:\w+\s+){0,2}?(?:from|of|in)\s+(?:the\s+|an?\s+)?(?:[\w'’-]+\s+){0,3}$", re.I)
_REPORTED_ON = re.compile(r"\b(?:said|says|reported|announced|confirmed|added|told [\w ]{1,30}?)\s+(?:late |early )?$", re.I)
_SUBJECT_EVENT = re.compile(r"\W*(?:The|Its|Their)\s+(?:\w+\s+){0,2}?(?:capture|recapture|fall|loss|seizure|liberation|attack|bombing|"
                            r"advance|assault|strike|takeover)\s+(?:of|on)\s+(?:the\s+)?", re.I)


def _subject_event(sent: str, s0: int, places: Sequence[Place], events: Sequence[Event]) -> str | None:
    """"The capture of Palmyra ... came five days after ...": the day of the event the sentence is about,
    told before in the article, is what "five days after" counts back from."""
    m = _SUBJECT_EVENT.match(sent)
    if not m:
        return None
    p = next((p for p in places if p.start - s0 == m.end()), None)
    if p is None:
        return None
    pid = p.gazetteer_id or p.name
    for e in reversed(events):
        if (e.place.gazetteer_id or e.place.name) == pid and e.date_precision == "day" and e.date:
            return e.date
    return None


def _carry_dates(events: list[Event], published: str | None) -> list[Event]:
    """A lead that says what happened but not when ("gunmen killed 21 border guards in the Western
    Desert") takes the day a following sentence gives the same happening ("The attack came on Saturday,
    when assailants opened fire on the post outside Farafra"): same family of event, nearby or inside
    the lead's wider place, within the week before publication."""
    if not published:
        return events
    pub = _date_cls.fromisoformat(published)
    out: list[Event] = []
    for i, e in enumerate(events):
        if e.date == published and e.date_precision == "week":
            for f in events[i + 1 :]:
                if f.sentence_start - e.sentence_start > 800:
                    break
                if f.sentence_start == e.sentence_start or FAMILY[f.type] != FAMILY[e.type] or f.date_precision != "day" or not f.date:
                    continue
                if not 0 <= (pub - _date_cls.fromisoformat(f.date)).days <= 7:
                    continue
                if _km(e.place, f.place) <= 161 or (e.place.kind in _COARSE_KINDS and e.place.country == f.place.country
                                                    and _km(e.place, f.place) <= 500):
                    e = replace(e, date=f.date, date_precision="day")
                    break
        out.append(e)
    return out


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per thing that happened.

    * a capture in a sentence supersedes a "control" claim about the same place in that sentence
      (done per sentence in ``_resolve_sentence``);
    * the same type at the same place reported again in the article (headline, lead, body) with a
      compatible date is one event: the most precise date and the highest confidence are kept.
    """
    items = sorted(events, key=lambda e: (_PREC_RANK.get(e.date_precision or "year", 4), -e.confidence, e.sentence_start))
    kept: list[Event] = []
    for e in items:
        pid = e.place.gazetteer_id or e.place.name
        dup = next((k for k in kept if k.type == e.type and (k.place.gazetteer_id or k.place.name) == pid
                    and _compatible(k, e)), None)
        if dup is None:
            kept.append(e)
    kept = [e for e in kept if not _headline_echo(e, kept)]
    return sorted(kept, key=lambda e: (e.sentence_start, e.place.start))


_COARSE_KINDS = ("region", "admin1", "admin2", "country")


def _headline_echo(e: Event, events: Sequence[Event]) -> bool:
    """A headline ("Dozens die in Sinai army checkpoint attack") announces what the body tells in detail:
    its event is the body's event of the same family and compatible date, nearby or inside the headline's
    wider place."""
    if e.sentence_start != 0 or re.search(r"[.!?][\"”’']?\s*$", e.sentence) or "\n" in e.sentence.strip():
        return False
    for f in events:
        if f is e or f.sentence_start == 0 or FAMILY[f.type] != FAMILY[e.type] or not _compatible(e, f):
            continue
        if _km(e.place, f.place) <= 161 or (e.place.kind in _COARSE_KINDS and e.place.country == f.place.country):
            return True
    return False


def _km(a: Place, b: Place) -> float:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return 1e9
    r = math.radians
    x = math.sin(r(b.lat - a.lat) / 2) ** 2 + math.cos(r(a.lat)) * math.cos(r(b.lat)) * math.sin(r(b.lon - a.lon) / 2) ** 2
    return 12742 * math.asin(math.sqrt(x))


def _compatible(a: Event, b: Event) -> bool:
    """Could both dates describe the same happening, given their precisions?"""
    if not a.date or not b.date:
        return True
    da, db = _date_cls.fromisoformat(a.date), _date_cls.fromisoformat(b.date)
    window = {"day": 1, "week": 7, "month": 31, "year": 366}
    tol = max(window.get(a.date_precision or "day", 1), window.get(b.date_precision or "day", 1))
    return abs((da - db).days) <= tol
