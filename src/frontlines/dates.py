"""Dates: the publication date of an article, and time expressions resolved against it.

Every resolved date carries a precision (day, week, month, year). Absolute expressions are parsed
with dateparser (``RELATIVE_BASE`` = publication date, past preferred); the rules around it (which
phrase, weekday arithmetic, "last week", "earlier this month") live here.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import dateparser

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_M = rf"(?:{MONTHS})\.?"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "a": 1, "an": 1, "several": 3, "a few": 3,
}


@dataclass(frozen=True)
class TimeExpression:
    start: int  # offsets within the text searched
    end: int
    text: str
    date: str  # ISO
    precision: str  # day | week | month | year


def precision_interval(iso: str | None, precision: str | None) -> tuple[str | None, str | None]:
    """The span of days a date of that precision covers (week: the 7 days ending on the date)."""
    if not iso:
        return None, None
    d = date.fromisoformat(iso)
    if precision == "month":
        last = calendar.monthrange(d.year, d.month)[1]
        return d.replace(day=1).isoformat(), d.replace(day=last).isoformat()
    if precision == "year":
        return f"{d.year}-01-01", f"{d.year}-12-31"
    if precision == "week":
        return (d - timedelta(days=6)).isoformat(), d.isoformat()
    return iso, iso


# --- publication date ---------------------------------------------------------------------------

_ISSUE = re.compile(
    rf"\bIssue\s+\d+\s*,?\s*\(\s*(\d{{1,2}})\s*(?:{_M}\s*)?[-–]\s*\d{{1,2}}\s+({_M})\s*,?\s*(\d{{4}})\s*\)", re.I
)
_PUBLISHED = re.compile(
    rf"\b(?:Published|Posted|First published|Date)\s*(?:on|:)?\s*[:,]?\s*"
    rf"((?:\w+day,?\s*)?(?:\d{{1,2}}\s+{_M},?\s+\d{{4}}|{_M}\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}))",
    re.I,
)
_FULL_DATE = re.compile(
    rf"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?"
    rf"(\d{{1,2}}\s+{_M},?\s+\d{{4}}|{_M}\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.I,
)
# "BAGHDAD, Nov 3, 2017 (Reuters) -", "Aden, 6 Dec 2015:" — a dateline at the top of the body
_DATELINE = re.compile(
    rf"^\s*[A-Z][A-Za-z' .\-]{{1,40}}(?:,\s*[A-Z][A-Za-z .]{{1,30}})?\s*[,(]\s*"
    rf"(\d{{1,2}}\s+{_M},?\s+\d{{4}}|{_M}\s+\d{{1,2}},?\s+\d{{4}}|{_M}\s+\d{{1,2}}|\d{{1,2}}\s+{_M})",
    re.M,
)


@lru_cache(maxsize=4096)
def _parse(expr: str, base: str | None = None, prefer: str = "past") -> date | None:
    settings = {"PREFER_DATES_FROM": prefer, "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"}
    if base:
        from datetime import datetime

        settings["RELATIVE_BASE"] = datetime.fromisoformat(base)
    try:
        dt = dateparser.parse(expr, languages=["en"], settings=settings)  # type: ignore[arg-type]
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    if dt is None or not (1900 <= dt.year <= 2100):
        return None
    return dt.date()


def publication_date_from_text(text: str, head_chars: int = 1500) -> str | None:
    """The publication date a text states about itself, or None.

    Order of trust: a periodical's issue line ("Issue 1368, (9 - 15 November 2017)": its first day),
    a "Published on ..." line, a dateline with a full date, then the first full date in the header.
    """
    head = text[:head_chars]
    m = _ISSUE.search(head)
    if m:
        d = _parse(f"{m.group(1)} {m.group(2)} {m.group(3)}")
        if d:
            return d.isoformat()
    m = _PUBLISHED.search(head)
    if m:
        d = _parse(m.group(1))
        if d:
            return d.isoformat()
    for m in _DATELINE.finditer(head[:400]):
        if re.search(r"\d{4}", m.group(1)):
            d = _parse(m.group(1))
            if d:
                return d.isoformat()
    m = _FULL_DATE.search(head[:600])
    if m:
        d = _parse(m.group(1))
        if d:
            return d.isoformat()
    return None


def dateline_month_day(text: str) -> tuple[int, int] | None:
    """Month and day of a year-less dateline ("BAGHDAD, June 10 (Frontlines) -")."""
    m = _DATELINE.search(text[:300])
    if not m or re.search(r"\d{4}", m.group(1)):
        return None
    d = _parse(m.group(1) + " 2000")
    return (d.month, d.day) if d else None


# --- time expressions in sentences --------------------------------------------------------------

_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_EXPR = re.compile(
    "|".join(
        [
            rf"(?P<dmy>\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_M}(?:,?\s+\d{{4}})?)",
            rf"(?P<mdy>\b{_M}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b)",
            r"(?P<iso>\b\d{4}-\d{2}-\d{2}\b)",
            rf"(?P<my>\b(?:(?:early|mid|late|mid-)\s*)?{_M}\s+\d{{4}}\b)",
            rf"(?P<wd>(?<!Palm )(?<!Easter )(?<!Good )(?<!Black )(?<!Bloody )\b(?:(?:on|last|this|late|early)\s+)?{_WEEKDAY}(?:\s+(?:night|morning|evening|afternoon))?\b(?!\s+(?:prayers?|sermons?)\b))",
            r"(?P<yest>\b(?:yesterday|today|last night|this morning|tonight|overnight)\b)",
            r"(?P<ago>\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an|several|a few)\s+"
            r"(?P<unit>days?|weeks?|months?|years?)\s+(?P<dir>ago|earlier|later)\b)",
            # "in recent days", "this week", "at the weekend": the days up to publication (precision week);
            # "in recent weeks": the month of the week before publication; "this year": the year
            r"(?P<recent>\b(?:(?:in|over|during)\s+(?:the\s+)?(?:recent|past|last)\s+(?:few\s+|couple\s+of\s+|two\s+|three\s+)?"
            r"(?P<runit>days|weeks)|(?:at|over)\s+the\s+weekend|(?:earlier\s+|later\s+)?in\s+the\s+week|"
            r"(?:so\s+far\s+|earlier\s+)?this\s+year)\b)",
            # "in August last year", "at the end of August last year"
            rf"(?P<mlast>\b(?:(?:in|since|during|until|by|early|late|mid|end of|beginning of)\s+)?(?:early\s+|late\s+|mid-?)?"
            rf"(?P<mname2>{_M})\s+(?:of\s+)?last\s+year\b)",
            r"(?P<lastunit>\b(?:last|past|previous|earlier this|this|earlier in the|late last|early last)\s+"
            r"(?P<unit2>week|month|year|weekend)\b)",
            # "the same day", "the next day": relative to the previous event of the article (see ``anchor``)
            r"(?P<anaph>\b(?:(?:on\s+|later\s+)?(?:the\s+same|that)\s+(?:day|night|morning|evening)|the\s+(?P<nextday>next|following)\s+day|"
            r"a\s+day\s+(?P<later>later)|the\s+(?:day\s+before|previous\s+day)|(?:hours|minutes)\s+(?:later|earlier))\b)",
            # "two days after the rebels swept into the capital": before the sentence's (or article's) day
            r"(?P<after>\b(?P<an>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an|several|a few)\s+"
            r"(?P<aunit>days?|weeks?)\s+after\b)",
            rf"(?P<monly>\b(?:in|since|during|until|by|early|late|mid|mid-|end of|beginning of|last)\s+(?:early\s+|late\s+|mid-?)?(?P<mname>{_M})\b(?!\s+\d))",
            r"(?P<year>\b(?:in|since|during|by|of|until)\s+(?:early\s+|late\s+|mid-?)?(?P<yy>(?:19|20)\d{2})\b)",
        ]
    ),
    re.I,
)


#: every alternative of ``_EXPR`` holds one of these (a cheap test before the expensive one)
_MAYBE_TIME = re.compile(r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|day|week|month|year|night|hour|minute|tonight|morning", re.I)


def _weekday_before(pub: date, weekday: int, allow_same: bool = True) -> date:
    delta = (pub.weekday() - weekday) % 7
    if delta == 0 and not allow_same:
        delta = 7
    return pub - timedelta(days=delta)


def _month_index(name: str) -> int:
    key = name.strip(".").lower()[:3]
    return [m.lower()[:3] for m in calendar.month_name[1:]].index(key) + 1


def _part_of_month(expr: str) -> int:
    """The day that stands for a month expression: "mid-May" the 15th, "late May" the 25th, else the 1st.

    The precision stays ``month``; the day only places the event better inside it."""
    low = expr.lower()
    if re.search(r"\bmid\b|\bmid-", low):
        return 15
    if re.search(r"\b(?:late|end of)\b", low):
        return 25
    if re.search(r"\b(?:early|beginning of)\b", low):
        return 5
    return 1


def _last_day(found: list[TimeExpression]) -> date | None:
    """The last day-precision date already found in the sentence: "on 3 November ... on the same day"."""
    days = [t for t in found if t.precision == "day"]
    return date.fromisoformat(days[-1].date) if days else None


def find_time_expressions(sentence: str, published: str | None, anchor: str | None = None) -> list[TimeExpression]:
    """Time expressions in a sentence, each resolved against the publication date.

    ``anchor`` is the date (day precision) of the event the article told just before: "the same day",
    "the next day" and "the day before" are resolved against it, and dropped without one.
    """
    out: list[TimeExpression] = []
    if not _MAYBE_TIME.search(sentence):
        return out  # most sentences: no digit, month, weekday or time word at all
    if not published:
        # only absolute dates can be resolved without an anchor
        pub = None
    else:
        pub = date.fromisoformat(published)
    for m in _EXPR.finditer(sentence):
        kind = m.lastgroup
        g = m.group(0)
        resolved: tuple[date, str] | None = None
        if m.group("dmy") or m.group("mdy") or m.group("iso"):
            has_year = re.search(r"\d{4}", g) is not None
            if has_year:
                d = _parse(re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", g).replace(" of ", " "))
                resolved = (d, "day") if d else None
            elif pub:
                d = _parse(re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", g).replace(" of ", " "), published)
                if d and d > pub:
                    d = d.replace(year=d.year - 1)
                resolved = (d, "day") if d else None
        elif m.group("my"):
            mm = re.search(_M, g, re.I)
            yy = re.search(r"\d{4}", g)
            if mm and yy:
                resolved = (date(int(yy.group(0)), _month_index(mm.group(0)), _part_of_month(g)), "month")
        elif m.group("wd") and pub:
            low = g.lower()
            wd = next(i for i, w in enumerate(WEEKDAYS) if w in low)
            if low.startswith("last"):
                # "last Thursday": the Thursday of the previous calendar week
                d = pub - timedelta(days=pub.weekday() + 7) + timedelta(days=wd)
            else:
                d = _weekday_before(pub, wd)
            resolved = (d, "day")
        elif m.group("yest") and pub:
            low = g.lower()
            d = pub - timedelta(days=1) if low in ("yesterday", "last night") else pub
            resolved = (d, "day")
        elif m.group("ago") and pub:
            n_raw = m.group("n").lower()
            n = int(n_raw) if n_raw.isdigit() else _NUMBERS.get(n_raw, 1)
            unit = m.group("unit").lower().rstrip("s")
            direction = m.group("dir").lower()
            # "ago" counts from now; "earlier"/"later" from the time just told ("seized Gharyan on 2 April,
            # and two days later ..."; "In May, ... and a week earlier ..."), else from the article's last event
            ref_day = _last_day(out) or (date.fromisoformat(anchor) if anchor and direction != "ago" else None)
            ref_exp = out[-1] if out and direction != "ago" else None
            if direction == "later" and ref_exp is None and ref_day is None:
                continue  # "two days later" with nothing to count from
            if direction != "ago" and unit in ("day", "week") and (ref_day or ref_exp):
                sign = 1 if direction == "later" else -1
                if ref_day is not None and (ref_exp is None or ref_exp.precision == "day"):
                    d = ref_day + timedelta(days=sign * n * (7 if unit == "week" else 1))
                    resolved = (d, "day" if unit == "day" else "week")
                else:  # "In May ... a week earlier": as precise as what it counts from
                    resolved = (date.fromisoformat(ref_exp.date), ref_exp.precision)  # type: ignore[union-attr]
            elif direction == "later":
                continue
            elif unit == "day":
                resolved = (pub - timedelta(days=n), "day")
            elif unit == "week":
                resolved = (pub - timedelta(days=7 * n), "week")
            elif unit == "month":
                y, mo = pub.year, pub.month - n
                while mo < 1:
                    mo += 12
                    y -= 1
                resolved = (date(y, mo, 1), "month")
            else:
                resolved = (date(pub.year - n, 1, 1), "year")
        elif m.group("recent") and pub:
            low = g.lower()
            if low.endswith("year"):
                resolved = (date(pub.year, 1, 1), "year")
            elif (m.group("runit") or "").lower() == "weeks":
                resolved = ((pub - timedelta(days=7)).replace(day=1), "month")
            else:
                resolved = (pub, "week")
        elif m.group("mlast") and pub:
            resolved = (date(pub.year - 1, _month_index(m.group("mname2")), _part_of_month(g)), "month")
        elif m.group("after") and pub:
            n_raw = m.group("an").lower()
            n = int(n_raw) if n_raw.isdigit() else _NUMBERS.get(n_raw, 1)
            days = n * (7 if m.group("aunit").lower().startswith("week") else 1)
            came = re.search(r"\b(?:came|comes|follows|followed)\s+$", sentence[: m.start()], re.I)
            ref = date.fromisoformat(anchor) if came and anchor else (_last_day(out) or pub)
            resolved = (ref - timedelta(days=days), "day" if m.group("aunit").lower().startswith("day") else "week")
        elif m.group("anaph"):
            ref = _last_day(out) or (date.fromisoformat(anchor) if anchor else None)
            if ref:
                a = ref
                low = g.lower()
                shift = 1 if (m.group("nextday") or m.group("later")) else -1 if ("before" in low or "previous" in low) else 0
                resolved = (a + timedelta(days=shift), "day")
        elif m.group("lastunit") and pub:
            low = g.lower()
            unit = m.group("unit2").lower()
            this = low.startswith(("this", "earlier this"))
            if unit in ("week", "weekend"):
                resolved = (pub if this else pub - timedelta(days=7), "week")
            elif unit == "month":
                if this:
                    resolved = (pub.replace(day=1), "month")
                else:
                    first = pub.replace(day=1) - timedelta(days=1)
                    resolved = (first.replace(day=1), "month")
            else:
                resolved = (date(pub.year if this else pub.year - 1, 1, 1), "year")
        elif m.group("monly") and pub:
            mo = _month_index(m.group("mname"))
            y = pub.year if mo <= pub.month else pub.year - 1
            if g.lower().startswith("last") and mo == pub.month:
                y -= 1  # "last April" written in April is a year ago
            d = date(y, mo, _part_of_month(g))
            resolved = (min(d, pub), "month")
        elif m.group("year"):
            resolved = (date(int(m.group("yy")), 1, 1), "year")
        if resolved is None or resolved[0] is None:
            continue
        d, prec = resolved
        if pub and d > pub and prec == "day":
            continue  # a future date is a plan or a schedule, not an event date
        out.append(TimeExpression(m.start(), m.end(), g, d.isoformat(), prec))
        del kind
    return out
