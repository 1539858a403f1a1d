"""The dashboard's view state: sidebar widgets <-> URL query parameters <-> store filters.

Everything a person sets in the sidebar lives in the URL (``st.query_params``), so a link reproduces the
view. Values read from a URL are untrusted: each is parsed, checked against what the store offers and
clamped to the store's date span; anything else is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from frontlines.maps import EVENT_TYPE_ORDER
from frontlines.store import Filters

# session-state keys of the widgets
K_DATES, K_ASOF, K_COUNTRY, K_TYPE, K_SIDE, K_SOURCE = "w_dates", "w_asof", "w_country", "w_type", "w_side", "w_source"
K_CONF, K_SEARCH, K_TILES = "w_conf", "w_search", "w_tiles"
K_EVENTS, K_MENTIONS, K_AREAS, K_CHANGES = "w_events", "w_mentions", "w_areas", "w_changes"
K_PLAY, K_FREQ, K_PERIOD, K_CUMUL = "w_play", "w_freq", "w_period", "w_cumulative"

LAYERS = {K_EVENTS: "events", K_MENTIONS: "mentions", K_AREAS: "areas", K_CHANGES: "changes"}
DEFAULT_LAYERS = ("events", "mentions")
FREQS = {"month": "MS", "week": "W"}


@dataclass
class Context:
    """What the store offers: the bounds every URL value is checked against."""

    date_min: date
    date_max: date
    countries: list[str] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=lambda: list(EVENT_TYPE_ORDER))


def parse_date(value: str | None) -> date | None:
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _clamp(d: date, ctx: Context) -> date:
    return min(max(d, ctx.date_min), ctx.date_max)


def _values(params: Mapping[str, Any], key: str, *, split: bool = True) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for item in items:
        parts = str(item).split(",") if split else [str(item)]
        out.extend(p.strip() for p in parts if p.strip())
    return list(dict.fromkeys(out))


def defaults(ctx: Context) -> dict[str, Any]:
    """The view with nothing set: every date, every country, type, side and source."""
    return {
        K_DATES: (ctx.date_min, ctx.date_max), K_ASOF: ctx.date_max, K_COUNTRY: [], K_TYPE: [], K_SIDE: [],
        K_SOURCE: [], K_CONF: 0.0, K_SEARCH: "", K_TILES: False,
        K_EVENTS: True, K_MENTIONS: True, K_AREAS: False, K_CHANGES: False,
        K_PLAY: False, K_FREQ: "month", K_PERIOD: None, K_CUMUL: False,
    }


def state_from_params(params: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """Widget values from URL query parameters (untrusted); what is missing or invalid keeps its default."""
    st = defaults(ctx)
    d0, d1 = parse_date(_first(params, "from")), parse_date(_first(params, "to"))
    lo = _clamp(d0, ctx) if d0 else ctx.date_min
    hi = _clamp(d1, ctx) if d1 else ctx.date_max
    if lo > hi:
        lo, hi = hi, lo
    st[K_DATES] = (lo, hi)
    asof = parse_date(_first(params, "asof"))
    st[K_ASOF] = _clamp(asof, ctx) if asof else hi
    st[K_COUNTRY] = [c.upper() for c in _values(params, "country") if c.upper() in ctx.countries]
    st[K_TYPE] = [t for t in _values(params, "type") if t in ctx.types]
    st[K_SIDE] = [s for s in _values(params, "side") if s in ctx.sides]
    st[K_SOURCE] = [s for s in _values(params, "source", split=False) if s in ctx.sources]
    try:
        conf = float(_first(params, "minconf") or 0.0)
        st[K_CONF] = min(max(round(conf, 2), 0.0), 1.0) if conf == conf else 0.0
    except ValueError:
        pass
    st[K_SEARCH] = (_first(params, "q") or "")[:200]
    st[K_TILES] = _first(params, "tiles") in ("1", "true", "on")
    if "layers" in params:
        shown = set(_values(params, "layers"))
        for k, name in LAYERS.items():
            st[k] = name in shown
    freq = _first(params, "play")
    if freq in FREQS:
        st[K_PLAY] = True
        st[K_FREQ] = freq
    period = parse_date(_first(params, "period"))
    st[K_PERIOD] = period.isoformat() if period else None
    st[K_CUMUL] = _first(params, "cumulative") in ("1", "true", "on")
    return st


def params_from_state(state: Mapping[str, Any], ctx: Context) -> dict[str, str | list[str]]:
    """Query parameters for the widget values: only what differs from the defaults."""
    dft = defaults(ctx)
    out: dict[str, str | list[str]] = {}
    lo, hi = state.get(K_DATES) or dft[K_DATES]
    if lo != ctx.date_min:
        out["from"] = lo.isoformat()
    if hi != ctx.date_max:
        out["to"] = hi.isoformat()
    asof = state.get(K_ASOF)
    if asof and asof != hi:
        out["asof"] = asof.isoformat()
    for key, name in ((K_COUNTRY, "country"), (K_TYPE, "type"), (K_SIDE, "side")):
        if state.get(key):
            out[name] = ",".join(state[key])
    if state.get(K_SOURCE):
        out["source"] = list(state[K_SOURCE])
    if state.get(K_CONF):
        out["minconf"] = f"{float(state[K_CONF]):g}"
    if state.get(K_SEARCH):
        out["q"] = str(state[K_SEARCH])
    if state.get(K_TILES):
        out["tiles"] = "1"
    shown = [name for k, name in LAYERS.items() if state.get(k, dft[k])]
    if tuple(shown) != DEFAULT_LAYERS:
        out["layers"] = ",".join(shown) or "none"
    if state.get(K_PLAY):
        out["play"] = str(state.get(K_FREQ) or "month")
        if state.get(K_PERIOD):
            out["period"] = str(state[K_PERIOD])
        if state.get(K_CUMUL):
            out["cumulative"] = "1"
    return out


def _first(params: Mapping[str, Any], key: str) -> str | None:
    raw = params.get(key)
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    seq = list(raw)
    return str(seq[0]) if seq else None


def filters_from_state(state: Mapping[str, Any]) -> Filters:
    """The store filters for the sidebar's values (playback narrows the dates further, in the app)."""
    lo, hi = state[K_DATES]
    types: Sequence[str] = tuple(state.get(K_TYPE) or ())
    include_mentions = bool(state.get(K_MENTIONS, True))
    return Filters(
        date_from=lo.isoformat(), date_to=hi.isoformat(), countries=tuple(state.get(K_COUNTRY) or ()),
        event_types=types, sides=tuple(state.get(K_SIDE) or ()), sources=tuple(state.get(K_SOURCE) or ()),
        min_confidence=float(state.get(K_CONF) or 0.0), search=str(state.get(K_SEARCH) or "").strip(),
        include_mentions=include_mentions,
    )


def follow_span(dates: tuple[date, date], asof: date, old: tuple[date, date],
                ctx: Context) -> tuple[tuple[date, date], date]:
    """The date range and "as of" day after the store's span changed from ``old`` to the context's: an end
    that was at the old span's edge moves to the new edge (so "all dates" stays all dates after an upload);
    anything the person narrowed stays as it was."""
    lo, hi = dates
    new_lo = ctx.date_min if lo == old[0] else lo
    new_hi = ctx.date_max if hi == old[1] else hi
    return (new_lo, new_hi), (ctx.date_max if asof == old[1] else asof)


def span_dates(date_min: str | None, date_max: str | None) -> tuple[date, date]:
    """The slider's bounds from the store's span (today's year when the store is empty)."""
    lo, hi = parse_date((date_min or "")[:10]), parse_date((date_max or "")[:10])
    if lo is None or hi is None:
        today = date.today()
        lo, hi = lo or hi or date(today.year, 1, 1), hi or lo or today
    if hi <= lo:
        hi = lo + timedelta(days=1)
    return lo, hi
