"""``frontlines eval``: score extraction against gold.

Gold sets
    * the bundled sample corpus (``articles/NNN.json`` + ``gold/NNN.json``), and any folder in the same
      layout (the real-news development set in ``../shared/dev``);
    * public geoparsing benchmarks (GeoWebNews ``GWN.xml``, ``TR-News.xml``, ``lgl.xml``,
      ``GeoVirus.xml``) in a folder passed by option: the product never needs them.

Metrics
    * toponyms end to end: precision, recall, F1 with inexact (overlapping) span match; over matched
      toponyms accuracy@161 km, mean and median error (km) and AUC (area under the sorted
      ln(1 + km) curve / (ln 20039 × (n − 1)); lower is better); a country mention counts as right when
      its code is right; a predicted adjective that matches nothing is not a false positive;
    * resolution only: the same on the gold spans (recognition taken from the gold);
    * both also restricted to gold toponyms in Iraq, Syria, Egypt, Libya and Yemen;
    * events: precision, recall, F1 where a prediction matches a gold event of the same type family
      (territory: capture/control; violence: attack/airstrike/clash; arrest), with its place within
      161 km and its date within the gold precision (day ±1, week ±7 days, same month, same year).
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from frontlines.gazetteer import haversine_km
from frontlines.gazetteer.build import FOCUS
from frontlines.records import Article, Extraction

log = logging.getLogger(__name__)

FAMILY = {"capture": "territory", "control": "territory", "attack": "violence", "airstrike": "violence",
          "clash": "violence", "arrest": "arrest", "other": "other"}


@dataclass
class GoldToponym:
    start: int
    end: int
    surface: str
    lat: float | None
    lon: float | None
    country: str = ""
    kind: str = ""


@dataclass
class GoldDoc:
    id: str
    text: str
    toponyms: list[GoldToponym]
    events: list[dict[str, Any]] = field(default_factory=list)
    published: str | None = None
    title: str | None = None
    has_events: bool = False


# --- loading ---------------------------------------------------------------------------------------

def load_folder(folder: Path) -> list[GoldDoc]:
    """``articles/*.json`` + ``gold/*.json`` (the sample corpus and the dev set share this layout)."""
    docs = []
    for gp in sorted((folder / "gold").glob("*.json")):
        ap = folder / "articles" / gp.name
        if not ap.exists():
            continue
        a = json.loads(ap.read_text(encoding="utf-8"))
        g = json.loads(gp.read_text(encoding="utf-8"))
        tops = [GoldToponym(t["start"], t["end"], t["surface"], t.get("lat"), t.get("lon"), t.get("country") or "",
                            t.get("kind") or "") for t in g.get("toponyms", [])]
        docs.append(GoldDoc(str(a.get("id") or gp.stem), a["text"], tops, g.get("events", []), a.get("published"),
                            a.get("title"), has_events=True))
    return docs


@lru_cache(maxsize=100_000)
def _country_of(lat: float, lon: float) -> str:
    from frontlines.basemap import country_of_point

    return country_of_point(lat, lon) or ""


def load_benchmark(path: Path) -> list[GoldDoc]:
    """GeoWebNews, TR-News, LGL or GeoVirus XML (formats in ../shared/eval/README.md)."""
    root = ET.parse(path).getroot()
    docs = []
    for i, art in enumerate(root.iter("article")):
        text = art.findtext("text") or ""
        tops: list[GoldToponym] = []
        container = art.find("toponyms")
        if container is None:
            container = art.find("locations")
        for t in list(container) if container is not None else []:
            start, end = t.findtext("start"), t.findtext("end")
            if start is None or end is None:
                continue
            s, e = int(start), int(end)
            if t.tag == "toponym" and t.find("extractedName") is not None:  # GeoWebNews
                typ = (t.findtext("type") or "").strip()
                if typ in ("Demonym", "Non_Toponym", "Language", "Homonym") or (t.findtext("nonLocational") or "").strip() == "Yes":
                    continue
                lat, lon = t.findtext("latitude"), t.findtext("longitude")
                surface = t.findtext("extractedName") or text[s:e]
            elif t.find("gaztag") is not None:  # TR-News / LGL
                g = t.find("gaztag")
                lat, lon = g.findtext("lat"), g.findtext("lon")
                surface = t.findtext("phrase") or text[s:e]
            else:  # GeoVirus
                lat, lon = t.findtext("lat"), t.findtext("lon")
                surface = t.findtext("name") or text[s:e]
            try:
                flat, flon = float(lat), float(lon)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
            surface = surface.strip()
            if text[s:e] != surface:  # some sets count offsets from 1, or after a stripped character
                for shift in (-1, 1, -2, 2, -3, 3):
                    if text[s + shift : e + shift] == surface:
                        s, e = s + shift, e + shift
                        break
            tops.append(GoldToponym(s, e, surface, flat, flon))
        docs.append(GoldDoc(f"{path.stem}-{i}", text, tops))
    return docs


BENCHMARK_FILES = {"GeoWebNews": "GWN.xml", "TR-News": "TR-News.xml", "LGL": "lgl.xml", "GeoVirus": "GeoVirus.xml"}


# --- metrics ---------------------------------------------------------------------------------------

@dataclass
class ToponymScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors_km: list[float] = field(default_factory=list)
    focus_tp: int = 0
    focus_fn: int = 0
    focus_errors_km: list[float] = field(default_factory=list)

    @staticmethod
    def _acc(errs: Sequence[float]) -> float | None:
        return round(sum(e <= 161 for e in errs) / len(errs), 4) if errs else None

    @staticmethod
    def _auc(errs: Sequence[float]) -> float | None:
        if len(errs) < 2:
            return None
        ys = sorted(math.log(1 + e) for e in errs)
        area = sum((ys[i] + ys[i + 1]) / 2 for i in range(len(ys) - 1))
        return round(area / (math.log(20039) * (len(ys) - 1)), 4)

    def as_dict(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        e = self.errors_km
        fe = self.focus_errors_km
        focus_gold = self.focus_tp + self.focus_fn
        return {
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "acc161": self._acc(e), "mean_km": round(statistics.fmean(e), 1) if e else None,
            "median_km": round(statistics.median(e), 1) if e else None, "auc": self._auc(e),
            "focus_gold": focus_gold, "focus_recall": round(self.focus_tp / focus_gold, 4) if focus_gold else None,
            "focus_acc161": self._acc(fe),
            "found_and_placed": round(sum(x <= 161 for x in e) / (self.tp + self.fn), 4) if self.tp + self.fn else None,
        }


def _error_km(pred: Any, gold: GoldToponym) -> float | None:
    if gold.lat is None or gold.lon is None:
        return None
    if pred.kind == "country" or gold.kind == "country":
        gcc = gold.country or _country_of(gold.lat, gold.lon)
        if gcc and pred.country == gcc:
            return 0.0
    if pred.lat is None:
        return 20039.0
    return haversine_km(pred.lat, pred.lon, gold.lat, gold.lon)


def score_toponyms(places: Sequence[Any], gold: GoldDoc, score: ToponymScore, focus: Iterable[str] = FOCUS) -> None:
    focus = set(focus)
    used: set[int] = set()
    for g in gold.toponyms:
        gcc = g.country or (_country_of(g.lat, g.lon) if g.lat is not None else "")
        match = None
        for i, p in enumerate(places):
            if i in used or p.end <= g.start or p.start >= g.end:
                continue
            match = i
            break
        in_focus = gcc in focus
        if match is None:
            score.fn += 1
            if in_focus:
                score.focus_fn += 1
            continue
        used.add(match)
        score.tp += 1
        err = _error_km(places[match], g)
        if err is not None:
            score.errors_km.append(err)
        if in_focus:
            score.focus_tp += 1
            if err is not None:
                score.focus_errors_km.append(err)
    for i, p in enumerate(places):
        if i in used:
            continue
        if getattr(p, "mention", "name") == "adjective":
            continue
        if any(not (p.end <= g.start or p.start >= g.end) for g in gold.toponyms):
            continue  # a second prediction inside one gold span is not a new false positive
        score.fp += 1


def _date_ok(pred: str | None, gold: str, precision: str) -> bool:
    if not pred:
        return False
    a, b = date.fromisoformat(pred), date.fromisoformat(gold)
    if precision == "day":
        return abs((a - b).days) <= 1
    if precision == "week":
        return abs((a - b).days) <= 7
    if precision == "month":
        return (a.year, a.month) == (b.year, b.month)
    return a.year == b.year


@dataclass
class EventScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    by_type: dict[str, list[int]] = field(default_factory=dict)  # type -> [tp, fp, fn]

    def as_dict(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": self.tp, "fp": self.fp,
                "fn": self.fn, "by_type": self.by_type}


def _event_matches(e: Any, g: dict[str, Any]) -> bool:
    if FAMILY.get(e.type) != FAMILY.get(g["type"]):
        return False
    if e.place.lat is None or haversine_km(e.place.lat, e.place.lon, g["lat"], g["lon"]) > 161:
        return False
    return _date_ok(e.date, g["date"], g.get("date_precision", "day"))


def score_events(events: Sequence[Any], gold: GoldDoc, score: EventScore) -> list[tuple[str, Any]]:
    """One-to-one maximum matching of predicted to gold events (augmenting paths, so the order of the
    predictions cannot turn a true positive into a false alarm); returns the misses and false alarms."""
    def closeness(e: Any, g: dict[str, Any]) -> tuple[bool, float]:
        return e.type != g["type"], haversine_km(e.place.lat, e.place.lon, g["lat"], g["lon"])

    # the closest candidates first, so that misses listed for error analysis pair up sensibly
    edges = [sorted((gi for gi, g in enumerate(gold.events) if _event_matches(e, g)), key=lambda gi: closeness(e, gold.events[gi]))
             for e in events]
    owner: dict[int, int] = {}  # gold index -> prediction index

    def augment(pi: int, seen: set[int]) -> bool:
        for gi in edges[pi]:
            if gi in seen:
                continue
            seen.add(gi)
            if gi not in owner or augment(owner[gi], seen):
                owner[gi] = pi
                return True
        return False

    for pi in range(len(events)):
        augment(pi, set())
    matched = set(owner.values())
    misses: list[tuple[str, Any]] = []
    for pi, e in enumerate(events):
        t = score.by_type.setdefault(e.type, [0, 0, 0])
        if pi in matched:
            score.tp += 1
            t[0] += 1
        else:
            score.fp += 1
            t[1] += 1
            misses.append(("fp", e))
    for gi, g in enumerate(gold.events):
        if gi not in owner:
            score.fn += 1
            score.by_type.setdefault(g["type"], [0, 0, 0])[2] += 1
            misses.append(("fn", g))
    return misses


# --- running ---------------------------------------------------------------------------------------

def _articles(docs: Sequence[GoldDoc]) -> Iterator[Article]:
    for d in docs:
        yield Article(text=d.text, id=d.id, title=d.title, published=d.published)


def evaluate_docs(extractor: Any, docs: Sequence[GoldDoc], *, resolution_only: bool = True,
                  errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    e2e, res, ev = ToponymScore(), ToponymScore(), EventScore()
    any_events = any(d.has_events for d in docs)
    for d, ex in zip(docs, extractor.extract_many(_articles(docs)), strict=True):
        _check_offsets(d, ex)
        score_toponyms(ex.places, d, e2e)
        if any_events:
            misses = score_events(ex.events, d, ev)
            if errors is not None:
                for kind, m in misses:
                    errors.append({"doc": d.id, "kind": kind, "event": m if isinstance(m, dict) else m.to_json()})
        if resolution_only:
            resolved = resolve_gold_spans(extractor, d)
            score_toponyms(resolved, d, res)
    out: dict[str, Any] = {"documents": len(docs), "toponyms": e2e.as_dict()}
    if resolution_only:
        out["resolution"] = res.as_dict()
    if any_events:
        out["events"] = ev.as_dict()
    return out


def _check_offsets(d: GoldDoc, ex: Extraction) -> None:
    if ex.text != d.text:
        # the pipeline cleans text; offsets must still refer to the gold text for scoring
        log.debug("%s: cleaned text differs from gold text", d.id)


def resolve_gold_spans(extractor: Any, d: GoldDoc) -> list[Any]:
    """Resolution only: the geoparser's ranking on the gold spans, with the article as context."""
    from frontlines.gazetteer.normalize import name_key
    from frontlines.toponyms import Span

    doc = extractor.nlp(d.text)
    gp = extractor.geoparser
    context = gp.recognise(doc)
    gold_spans = []
    for g in d.toponyms:
        surface = d.text[g.start : g.end]
        # the candidates the pipeline would take for a name spaCy found (folded spellings trusted where they are meant)
        cands = gp.lookup_loose(surface, limit=15)
        sp = Span(g.start, g.end, surface, name_key(surface), list(cands))
        if cands and all(c.name_kind == "demonym" for c in cands):
            sp.adjective = True
        gold_spans.append(sp)
    others = [s for s in context if all(s.end <= g.start or s.start >= g.end for g in gold_spans)]
    allspans = sorted(others + gold_spans, key=lambda s: s.start)
    places = gp.resolve(allspans, d.text)
    wanted = {(g.start, g.end) for g in d.toponyms}
    out = []
    for p in places:
        if (p.start, p.end) in wanted:
            out.append(p if p.mention == "name" else _as_name(p))
    return out


def _as_name(p: Any) -> Any:
    from dataclasses import replace

    return replace(p, mention="name")


def format_table(results: dict[str, dict[str, Any]]) -> str:
    lines = []
    head = f"{'set':<14}{'docs':>5} | {'P':>6}{'R':>7}{'F1':>7}{'acc161':>8}{'med km':>8}{'AUC':>7}{'placed':>8} | {'res acc161':>10}{'AUC':>7}{'5-ctry':>8}{'placed':>8}{'strict':>8} | {'ev P':>6}{'ev R':>6}{'ev F1':>6}"
    lines.append(head)
    lines.append("-" * len(head))
    for name, r in results.items():
        t = r["toponyms"]
        rs = r.get("resolution", {})
        ev = r.get("events", {})

        def f(v: Any, w: int) -> str:
            return f"{v:>{w}.3f}" if isinstance(v, float) else f"{'-' if v is None else v:>{w}}"

        lines.append(
            f"{name:<14}{r['documents']:>5} | {f(t['precision'], 6)}{f(t['recall'], 7)}{f(t['f1'], 7)}{f(t['acc161'], 8)}"
            f"{f(t['median_km'], 8)}{f(t['auc'], 7)}{f(t['found_and_placed'], 8)} | {f(rs.get('acc161'), 10)}{f(rs.get('auc'), 7)}"
            f"{f(rs.get('focus_acc161'), 8)}{f(rs.get('recall'), 8)}{f(rs.get('found_and_placed'), 8)} | {f(ev.get('precision'), 6)}{f(ev.get('recall'), 6)}{f(ev.get('f1'), 6)}"
        )
    return "\n".join(lines)
