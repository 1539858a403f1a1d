"""The speed-ups in the spaCy pipeline change nothing: FastAttributes gives the same POS, TAG and MORPH
as the model's attribute_ruler, and line_breaks the same sentence starts as a token-by-token scan."""

from __future__ import annotations

import pytest
from spacy.attrs import MORPH, POS, TAG

from frontlines import nlp as nlp_mod
from frontlines.articles import read_paths
from frontlines.paths import sample_dir
from frontlines.records import Article

EDGE_CASES = [
    "", " ", "\n\n  \n", "ain't gonna y'all, it is I. Do you? I did it, they have it. Let's go; c'mon!",
    "\t\tTabs\u00a0and a no-break space.\nNew line\n\n\nand   spaces  \n",
    "BAGHDAD, June 10 (Frontlines) -\nIslamic State fighters captured Mosul.\n\nTikrit was next.",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    arts = [a.text for a in read_paths([sample_dir() / "articles"]) if isinstance(a, Article)]
    return arts[:25] + EDGE_CASES


@pytest.fixture(scope="module")
def pipelines():  # type: ignore[no-untyped-def]
    fast = nlp_mod.load_nlp()
    assert "frontlines_fast_attributes" in fast.pipe_names, fast.pipe_names
    import spacy

    name = fast.meta["lang"] + "_" + fast.meta["name"]
    original = spacy.load(name, disable=list(nlp_mod.DISABLE))
    if "senter" in original.disabled:
        original.enable_pipe("senter")
    original.add_pipe("frontlines_line_breaks", last=True)
    assert "attribute_ruler" in original.pipe_names
    return fast, original


def test_fast_attributes_equal_the_attribute_ruler(pipelines, texts) -> None:  # type: ignore[no-untyped-def]
    fast, original = pipelines
    n = 0
    for a, b in zip(fast.pipe(texts), original.pipe(texts), strict=True):
        assert (a.to_array([POS, TAG, MORPH]) == b.to_array([POS, TAG, MORPH])).all(), a.text[:80]
        assert [(t.pos_, t.tag_, str(t.morph)) for t in a] == [(t.pos_, t.tag_, str(t.morph)) for t in b]
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
        assert [s.start for s in a.sents] == [s.start for s in b.sents]
        n += len(a)
    assert n > 5000


def _line_breaks_by_token(doc):  # type: ignore[no-untyped-def]
    for i, tok in enumerate(doc[:-1]):
        if "\n" in tok.text or "\n" in tok.whitespace_:
            doc[i + 1].is_sent_start = True
    return doc


def test_line_breaks_equal_a_token_scan(pipelines, texts) -> None:  # type: ignore[no-untyped-def]
    fast, _ = pipelines
    names = [n for n in fast.pipe_names if n != "frontlines_line_breaks"]
    with fast.select_pipes(enable=names):
        for t in texts:
            a = nlp_mod.line_breaks(fast(t))
            b = _line_breaks_by_token(fast(t))
            assert [s.start for s in a.sents] == [s.start for s in b.sents], t[:80]


SPAWN_CHECK = """
import multiprocessing as mp, sys
from spacy.attrs import MORPH, POS, TAG
if __name__ == "__main__":
    mp.set_start_method("spawn", force=True)
    from frontlines.nlp import load_nlp
    texts = sys.argv[1:]
    nlp = load_nlp()
    a, b = list(nlp.pipe(texts)), list(nlp.pipe(texts, n_process=2, batch_size=1))
    ok = all((x.to_array([POS, TAG, MORPH]) == y.to_array([POS, TAG, MORPH])).all()
             and [s.start for s in x.sents] == [s.start for s in y.sents] for x, y in zip(a, b))
    print("SAME" if ok and any(t.pos_ for d in b for t in d) else "DIFFERENT")
"""


def test_pipeline_works_in_spacys_worker_processes(pipelines, texts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """nlp.pipe(n_process=2): forked workers, and spawned ones (macOS, Windows) that rebuild the pipeline
    from its pickle and must find the custom components."""
    import subprocess
    import sys

    fast, _ = pipelines
    sample = [t for t in texts if t.strip()][:4]
    one = list(fast.pipe(sample))
    two = list(fast.pipe(sample, n_process=2, batch_size=1))
    for a, b in zip(one, two, strict=True):
        assert (a.to_array([POS, TAG, MORPH]) == b.to_array([POS, TAG, MORPH])).all()
        assert [s.start for s in a.sents] == [s.start for s in b.sents]
    script = tmp_path / "spawn_check.py"
    script.write_text(SPAWN_CHECK, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), *[t[:600] for t in sample[:2]]], capture_output=True, text=True,
                       timeout=300)
    assert r.stdout.strip().endswith("SAME"), r.stderr[-2000:]


def _find_with_whole_alternation(actors, text: str):  # type: ignore[no-untyped-def]
    """ActorDictionary.find as it was: finditer of the whole alternation of every alias, and the whole
    alternation tried again at each later word inside a match (a longer alias may start there)."""
    import re

    from frontlines.actors import ActorMention

    def with_inner(rx, text):  # type: ignore[no-untyped-def]
        for m in rx.finditer(text):
            yield m
            for w in list(re.finditer(r"\w+", text[: m.end(1)]))[1:]:
                if w.start() <= m.start(1):
                    continue
                m2 = rx.match(text, w.start())
                if m2 is not None and m2.end(1) > m.end(1):
                    yield m2

    found = []
    for rx, sensitive in ((actors._insens, False), (actors._sens, True)):
        if rx is None:
            continue
        for m in with_inner(rx, text):
            key = m.group(1) if sensitive else m.group(1).lower()
            key = re.sub(r"\s+", " ", key)
            aliases = actors.by_text.get(key) or actors.by_text.get(key.replace("’", "'"))
            if aliases:
                found.append(ActorMention(m.start(1), m.end(1), m.group(1), tuple(aliases)))
    found.sort(key=lambda a: (-(a.end - a.start), a.start))
    taken: list = []
    for a in found:
        if all(a.end <= b.start or a.start >= b.end for b in taken):
            taken.append(a)
    return sorted(taken, key=lambda a: a.start)


def test_actor_search_by_first_word_equals_the_whole_alternation(texts) -> None:  # type: ignore[no-untyped-def]
    from frontlines.actors import load_actors

    actors = load_actors()
    extra = [
        "Islamic State and IS, ISIS fighters; is it? Daesh-held. al-Qaeda's men; Hay’at Tahrir al-Sham.",
        "The \u212aurdish YPG and the Syrian Democratic Forces (SDF); Houthis, Ansar Allah; LNA and GNA.",
        "داعش و قسد و الحشد الشعبي في الموصل",
        "government forces retook it; Government Forces; pro-government militias; the Peshmerga.",
    ]
    n = 0
    for t in [*texts, *extra]:
        got = actors.find(t)
        assert got == _find_with_whole_alternation(actors, t), t[:80]
        n += len(got)
    assert n > 50


def test_sentence_bounds_from_arrays_equal_doc_sents() -> None:
    import json

    from frontlines.nlp import load_nlp, sentence_bounds
    from frontlines.paths import sample_dir

    nlp = load_nlp()
    texts = [json.loads(f.read_text())["text"] for f in sorted((sample_dir() / "articles").glob("*.json"))[:30]]
    texts += ["", "One.", "Headline\n\nBody one. Body two.\r\nThird line"]
    for doc in nlp.pipe(texts):
        assert sentence_bounds(doc) == [(s.start_char, s.end_char) for s in doc.sents]


def test_a_long_stream_of_new_words_renews_the_pipeline_with_the_same_results(monkeypatch) -> None:
    """spaCy's vocabulary keeps every new string; past a bound the extractor reloads its pipeline."""
    from frontlines.pipeline import Extractor
    from frontlines.records import Article

    texts = [f"Paragraph {i}: fighters of brigade {i * 7919 + 104729} attacked Mosul on {1 + i % 28} March 2017."
             for i in range(120)]
    with monkeypatch.context() as m:
        m.setattr(Extractor, "MAX_NEW_STRINGS", 50)
        ex2 = Extractor()
        first = ex2.nlp
        renewed = [(e.type, e.place.surface, e.date) for x in ex2.extract_many(Article(text=t) for t in texts) for e in x.events]
        assert ex2.nlp is not first  # renewed at least once
    plain = [(e.type, e.place.surface, e.date) for x in Extractor().extract_many(Article(text=t) for t in texts) for e in x.events]
    assert renewed == plain and len(plain) == 120
