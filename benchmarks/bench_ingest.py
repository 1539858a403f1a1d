"""Throughput of Frontlines' ingest against spaCy's small English pipeline alone.

    .venv/bin/python benchmarks/bench_ingest.py [--articles 360] [--runs 3] [--jobs 2] [--json out.json]

Measured in one run, on the same texts (the bundled sample, repeated with a reference line so every
article has its own hash):

* spaCy alone: ``load_full_nlp()`` (every default component) ``nlp.pipe`` over the texts, one process,
  with spaCy's default batch size (and, for reference, with batch_size=16 as Frontlines uses, which is
  faster on this model);
* extract: Frontlines' whole extraction (spaCy with the components it needs, geoparsing, dates, events),
  with 1 process and with ``--jobs`` worker processes;
* ingest: ``frontlines ingest --jobs N`` as the CLI runs it (read files, skip stored, extract, write to
  SQLite in batches), into a new store each run, timed from the first file read to the last commit;
* for reference, spaCy's own multiprocessing (``nlp.pipe(n_process=N)``) feeding the rest of extraction
  in the main process: the design the ingest does not use.

Articles per second are medians over ``--runs``; the ratio is whole ingest over spaCy alone. Model loading
is outside every timing (it happens once per process); worker start-up is inside.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt_runs, median, print_machine, timed_cpu, variants, write_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=360)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--json", dest="json_out", help="also write the figures here")
    ap.add_argument("--skip-spacy-mp", action="store_true", help="leave out the nlp.pipe(n_process) reference")
    args = ap.parse_args()

    from frontlines.gazetteer import default_path, ensure_built
    from frontlines.ingest import ingest
    from frontlines.nlp import load_full_nlp
    from frontlines.pipeline import Extractor, ExtractorConfig
    from frontlines.store import open_store

    m = print_machine()
    ensure_built(default_path())
    arts = list(variants(args.articles))
    texts = [a.text for a in arts]
    n = len(arts)
    chars = sum(len(t) for t in texts)
    print(f"corpus: {n} articles, {chars / n:.0f} characters on average (sample corpus repeated)")

    full = load_full_nlp()
    ex1 = Extractor(ExtractorConfig(n_process=1))
    exn = Extractor(ExtractorConfig(n_process=args.jobs))
    print(f"spaCy alone: {full.meta['name']} {full.meta['version']} components {full.pipe_names}")
    print(f"Frontlines:  components {ex1.nlp.pipe_names}")
    # warm-up: first calls allocate
    list(full.pipe(texts[:8]))
    list(ex1.extract_many(arts[:8]))

    tmp = Path(tempfile.mkdtemp(prefix="fl-bench-ingest-"))
    corpus = write_corpus(tmp / "corpus", n)

    def spacy_alone() -> None:
        for _ in full.pipe(texts):
            pass

    def spacy_alone_b16() -> None:
        for _ in full.pipe(texts, batch_size=16):
            pass

    def extract(ex: Extractor) -> None:
        for _ in ex.extract_many(arts):
            pass

    def spacy_mp() -> None:
        ex = ex1
        prepared = [ex.prepare(a) for a in arts]
        docs = ex.nlp.pipe(((p[0].text, p) for p in prepared), as_tuples=True, batch_size=16, n_process=args.jobs)
        for doc, (article, title, pub_from, published) in docs:
            ex._finish(doc, article, title, pub_from, published)

    run_no = [0]

    def whole_ingest(ex: Extractor) -> None:
        run_no[0] += 1
        db = tmp / f"ingest-{run_no[0]}.db"
        with open_store(db) as store:
            rep = ingest([corpus], store, ex, batch_size=args.batch_size, progress=False)
        assert rep.articles == n, rep.summary()

    keys = ["spacy", "spacy_b16", "extract_1", f"extract_{args.jobs}", "ingest_1", f"ingest_{args.jobs}"]
    if not args.skip_spacy_mp:
        keys.append(f"spacy_mp_{args.jobs}")
    fns = {
        "spacy": spacy_alone,
        "spacy_b16": spacy_alone_b16,
        "extract_1": lambda: extract(ex1),
        f"extract_{args.jobs}": lambda: extract(exn),
        "ingest_1": lambda: whole_ingest(ex1),
        f"ingest_{args.jobs}": lambda: whole_ingest(exn),
        f"spacy_mp_{args.jobs}": spacy_mp,
    }
    rate: dict[str, list[float]] = {k: [] for k in keys}
    cpu_ms: dict[str, list[float]] = {k: [] for k in keys}
    for r in range(args.runs):
        for k in keys:  # interleaved, so a change in the machine's load hits every case alike
            wall, cpu, _ = timed_cpu(fns[k])
            rate[k].append(n / wall)
            cpu_ms[k].append(1000 * cpu / n)
        print(f"  run {r + 1}/{args.runs} done", file=sys.stderr)

    med = {k: median(v) for k, v in rate.items()}
    med_cpu = {k: median(v) for k, v in cpu_ms.items()}
    cores = m["usable_cores"] or 1
    # what the CPU time says the case would do on idle cores: processes busy at once = min(jobs, cores)
    par = {k: (min(args.jobs, cores) if k.endswith(f"_{args.jobs}") and args.jobs > 1 else 1) for k in keys}
    est = {k: par[k] * 1000 / med_cpu[k] for k in keys}
    labels = {
        "spacy": "spaCy alone (all components, 1 process)",
        "spacy_b16": "(reference) spaCy alone, batch_size=16 as Frontlines",
        "extract_1": "Frontlines extract, 1 process",
        f"extract_{args.jobs}": f"Frontlines extract, --jobs {args.jobs}",
        "ingest_1": "Frontlines ingest (whole, SQLite), 1 process",
        f"ingest_{args.jobs}": f"Frontlines ingest (whole, SQLite), --jobs {args.jobs}",
        f"spacy_mp_{args.jobs}": f"(reference) nlp.pipe(n_process={args.jobs}) + rest in main",
    }
    print(f"\n{'case':55s} {'art/s':>7s} {'vs spaCy':>8s} {'CPU ms/art':>10s} {'idle-core est.':>14s} {'vs spaCy':>8s}"
          "  wall art/s per run")
    for k in keys:
        print(f"{labels[k]:55s} {med[k]:7.1f} {med[k] / med['spacy']:7.2f}x {med_cpu[k]:10.1f} {est[k]:12.1f}/s"
              f" {est[k] / est['spacy']:7.2f}x  {fmt_runs(rate[k])}")
    ratio = med[f"ingest_{args.jobs}"] / med["spacy"]
    ratio_cpu = est[f"ingest_{args.jobs}"] / est["spacy"]
    ratio_b16 = med[f"ingest_{args.jobs}"] / med["spacy_b16"]
    bar = 2.0
    print(f"\nwhole ingest --jobs {args.jobs} / spaCy alone: {ratio:.2f}x measured (wall clock), "
          f"{ratio_cpu:.2f}x estimated for {min(args.jobs, cores)} idle cores from CPU time; the bar is {bar:.0f}x")
    print(f"against spaCy alone with batch_size=16 (faster than its default here): {ratio_b16:.2f}x measured")
    print(f"load average now {os.getloadavg()[0]:.2f} (a busy machine lowers the wall-clock figures, "
          "not the CPU-time ones)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"machine": m, "articles": n, "articles_per_s": rate,
                                                   "cpu_ms_per_article": cpu_ms, "median": med, "median_cpu_ms": med_cpu,
                                                   "idle_core_estimate": est, "ratio": ratio, "ratio_cpu": ratio_cpu, "ratio_b16": ratio_b16},
                                                  indent=2))


if __name__ == "__main__":
    main()
