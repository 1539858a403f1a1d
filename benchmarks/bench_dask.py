"""Dask on two workers against the single-process ingest (and against --jobs 2).

    .venv/bin/python benchmarks/bench_dask.py [--articles 240] [--runs 3] [--address tcp://host:8786]

Same corpus as bench_ingest (the sample repeated with a reference line). Each run ingests into a new
SQLite store: single process; ``--jobs 2`` worker processes; and ``ingest_dask`` on a LocalCluster of two
single-threaded worker processes (or the scheduler at --address). Cluster start-up and the workers'
first model load are timed apart (a warm-up batch), so the throughput figures compare steady states.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt_runs, median, print_machine, timed_cpu, variants, write_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=240)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--address", default="local")
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()

    from dask.distributed import Client, LocalCluster

    from frontlines.distributed import extract_batch, ingest_dask
    from frontlines.gazetteer import default_path, ensure_built
    from frontlines.ingest import ingest
    from frontlines.pipeline import Extractor, ExtractorConfig
    from frontlines.store import open_store

    m = print_machine()
    ensure_built(default_path())
    tmp = Path(tempfile.mkdtemp(prefix="fl-bench-dask-"))
    n = args.articles
    corpus = write_corpus(tmp / "corpus", n)
    ex1 = Extractor(ExtractorConfig(n_process=1))
    ex2 = Extractor(ExtractorConfig(n_process=2))

    t = time.perf_counter()
    if args.address == "local":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.WARNING)
        client = Client(cluster)
    else:
        cluster, client = None, Client(args.address)
    started = time.perf_counter() - t
    warm = list(variants(2 * len(client.nthreads())))
    t = time.perf_counter()
    client.gather([client.submit(extract_batch, [a], None, pure=False, workers=[w])
                   for a, w in zip(warm, list(client.nthreads()) * 2, strict=False)])
    warmed = time.perf_counter() - t
    print(f"Dask: {len(client.nthreads())} workers x {sum(client.nthreads().values()) // len(client.nthreads())} "
          f"thread at {client.scheduler.address}; cluster start {started:.1f} s, first model load on the workers "
          f"{warmed:.1f} s (outside the timings below)")

    run_no = [0]

    def into_new_store(fn) -> None:  # type: ignore[no-untyped-def]
        run_no[0] += 1
        with open_store(tmp / f"s{run_no[0]}.db") as store:
            rep = fn(store)
        assert rep.articles == n, rep.summary()

    cases = {
        "single process": lambda: into_new_store(lambda s: ingest([corpus], s, ex1, batch_size=32, progress=False)),
        "--jobs 2 (worker processes)": lambda: into_new_store(
            lambda s: ingest([corpus], s, ex2, batch_size=32, progress=False)),
        "Dask, 2 workers": lambda: into_new_store(
            lambda s: ingest_dask([corpus], s, client, batch_size=args.batch_size, progress=False)),
    }
    rate: dict[str, list[float]] = {k: [] for k in cases}
    cpu_ms: dict[str, list[float]] = {k: [] for k in cases}
    for r in range(args.runs):
        for k, fn in cases.items():
            wall, cpu, _ = timed_cpu(fn)
            rate[k].append(n / wall)
            cpu_ms[k].append(1000 * cpu / n)
        print(f"  run {r + 1}/{args.runs} done", file=sys.stderr)
    client.close()
    if cluster is not None:
        cluster.close()
    base = median(rate["single process"])
    print(f"\n{n} articles, batches of {args.batch_size} for Dask; medians of {args.runs} runs")
    print(f"{'case':32s} {'articles/s':>10s} {'vs single':>9s}  runs")
    for k, v in rate.items():
        print(f"{k:32s} {median(v):10.1f} {median(v) / base:8.2f}x  {fmt_runs(v)}")
    print("(CPU of this process only for the Dask case: its workers are not children of it; "
          f"client-side CPU {median(cpu_ms['Dask, 2 workers']):.1f} ms per article)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"machine": m, "articles": n, "articles_per_s": rate,
                                                   "cluster_start_s": started, "warm_s": warmed}, indent=2))


if __name__ == "__main__":
    main()
