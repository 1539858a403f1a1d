"""Peak memory of ``frontlines ingest`` on 10,000 articles, and the per-article costs behind the
100,000-article plan (docs/SCALE.md).

    .venv/bin/python benchmarks/bench_memory.py [--articles 10000] [--jobs 2] [--db PATH|postgresql://...]

Writes the articles (the sample corpus repeated, each with its own reference line) as JSON files, runs
``frontlines ingest --jobs N --no-progress`` on them as a child process, and samples the resident memory of
that process and all its workers (summed) every 0.2 s. Prints the peak (the bar: 1.5 GB), the memory after
the first 10% and at the end (flat memory: they should be close), and per article: wall time, CPU time and
bytes in the store. Then the 100,000-article extrapolation.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_machine, write_corpus  # noqa: E402


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--db", help="store to ingest into (default: a new SQLite file)")
    ap.add_argument("--plan", type=int, default=100_000, help="articles in the planned run")
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()

    m = print_machine()
    tmp = Path(tempfile.mkdtemp(prefix="fl-bench-mem-"))
    corpus = write_corpus(tmp / "corpus", args.articles)
    corpus_bytes = sum(f.stat().st_size for f in corpus.iterdir())
    db = args.db or str(tmp / "store.db")
    exe = Path(sys.executable).with_name("frontlines")
    cmd = [str(exe), "-q", "ingest", "--db", db, "--jobs", str(args.jobs), "--batch-size", str(args.batch_size),
           "--no-progress", str(corpus)]
    print(f"corpus: {args.articles} articles, {corpus_bytes / 2**20:.1f} MB of JSON")
    print("command:", " ".join(cmd))

    samples: list[tuple[float, int, int]] = []  # (seconds, rss bytes, articles stored so far)
    t0 = time.perf_counter()
    import resource

    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def stored() -> int:
        if db.startswith("postgres"):
            return -1
        import sqlite3

        try:
            c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            try:
                return c.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            finally:
                c.close()
        except sqlite3.Error:
            return 0

    def sample() -> None:
        n = 0
        while not stop.is_set():
            rss = tree_rss(proc.pid)
            n += 1
            samples.append((time.perf_counter() - t0, rss, stored() if n % 25 == 0 else -1))
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    if proc.returncode != 0:
        print(out, err)
        raise SystemExit(f"ingest failed with exit code {proc.returncode}")
    print("ingest said:", out.strip())

    peak = max(s[1] for s in samples)
    tenth = [s for s in samples if s[0] >= 0.1 * wall]
    early = max((s[1] for s in samples if s[0] <= 0.2 * wall and s[0] >= 0.1 * wall), default=tenth[0][1] if tenth else 0)
    late = max((s[1] for s in samples if s[0] >= 0.8 * wall), default=0)
    if db.startswith("postgres"):
        store_bytes = 0
    else:
        store_bytes = sum(f.stat().st_size for f in Path(db).parent.glob(Path(db).name + "*"))
    n = args.articles
    print(f"\npeak resident memory (ingest + workers): {peak / 2**20:.0f} MB (bar: 1536 MB)")
    print(f"memory 10-20% into the run: {early / 2**20:.0f} MB; in the last 20%: {late / 2**20:.0f} MB")
    print(f"wall time {wall:.0f} s ({n / wall:.1f} articles/s, start-up included); CPU {cpu:.0f} s "
          f"({1000 * cpu / n:.0f} ms per article, all processes)")
    if store_bytes:
        print(f"store: {store_bytes / 2**20:.0f} MB ({store_bytes / n / 1024:.1f} KB per article, SQLite)")
    plan = args.plan
    print(f"\n{plan:,}-article plan from these costs (same machine, --jobs {args.jobs}):")
    print(f"  time: {plan * wall / n / 3600:.1f} h; CPU: {plan * cpu / n / 3600:.1f} core-hours")
    if store_bytes:
        print(f"  store: {plan * store_bytes / n / 2**30:.2f} GB SQLite")
    print(f"  corpus: {plan * corpus_bytes / n / 2**30:.2f} GB of JSON; memory: flat ({peak / 2**20:.0f} MB peak)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({
            "machine": m, "articles": n, "jobs": args.jobs, "peak_rss": peak, "rss_early": early, "rss_late": late,
            "wall_s": wall, "cpu_s": cpu, "store_bytes": store_bytes, "corpus_bytes": corpus_bytes,
            "samples": samples[::5]}, indent=2))


if __name__ == "__main__":
    main()
