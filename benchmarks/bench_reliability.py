"""Big inputs through the full pipeline: a folder of 10,000 small files and one 50 MB text file.

Each run happens in its own process, so its peak RSS (``resource.getrusage``) is its own. Prints, for
each: how many articles were stored out of how many, whether every character came through (the 50 MB
file is split into parts of at most MAX_ARTICLE_CHARS; only whitespace at the cuts may go), the time
and the peak memory, sampled along the way to show that it does not grow with the input.

    .venv/bin/python benchmarks/bench_reliability.py                    # 10,000 files and 50 MB
    .venv/bin/python benchmarks/bench_reliability.py --files 2000 --mb 0
    .venv/bin/python benchmarks/bench_reliability.py --files 0 --mb 5

The 50 MB file takes the NLP about 2-3 s per 50,000-character part on one core (40-60 min in all).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLACES = ["Mosul", "Raqqa", "Aleppo", "Homs", "Sirte", "Benghazi", "Aden", "Taiz", "Fallujah", "Ramadi", "Tikrit",
          "Kirkuk", "Palmyra", "Idlib", "Hama", "Derna", "Sanaa", "Marib", "Hodeidah", "Basra"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def small_article(i: int) -> str:
    p, q = PLACES[i % len(PLACES)], PLACES[(i * 7 + 3) % len(PLACES)]
    return (f"Report {i}\n\nFighters seized {p} on {1 + i % 28} March 2017 after clashes near {q}, "
            f"residents said. Convoy {i} moved south.\n")


def write_files(folder: Path, n: int) -> None:
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:06d}.txt").write_text(small_article(i), encoding="utf-8")


def write_big(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        while fh.tell() < size:
            if i % 10:
                fh.write(f"Paragraph {i}: fighters of brigade {i * 7} were reported near village {i} after fighting.\n\n")
            else:
                fh.write(f"Paragraph {i}: Islamic State fighters attacked {PLACES[i % len(PLACES)]}, residents said "
                         f"on {1 + i % 28} March 2017 ({i}).\n")
            i += 1


def phase(kind: str, target: Path, db: Path) -> dict:
    """Runs in a child process: ingest ``target`` into ``db`` and measure."""
    from frontlines.ingest import ingest
    from frontlines.pipeline import Extractor
    from frontlines.store import open_store

    ex = Extractor()
    base = rss_mb()
    samples: list[tuple[int, float]] = []
    done = 0

    def on_item(where: str, status: str) -> None:
        nonlocal done
        if status == "stored":
            done += 1
            if done % (1000 if kind == "files" else 25) == 0:
                samples.append((done, round(rss_mb(), 1)))

    t0 = time.perf_counter()
    with open_store(db) as store:
        report = ingest([target], store, ex, progress=True, on_item=on_item)
        in_store = store.stats()["articles"]
    out = {"kind": kind, "stored": report.articles, "in_store": in_store, "skipped": len(report.skipped),
           "duplicates": report.duplicates, "seconds": round(time.perf_counter() - t0, 1),
           "rss_after_load_mb": round(base, 1), "peak_rss_mb": round(rss_mb(), 1), "rss_samples": samples}
    if kind == "big":
        conn = sqlite3.connect(db)
        texts = [r[0] for r in conn.execute("SELECT text FROM articles ORDER BY id")]
        conn.close()
        original = "".join(target.read_text(encoding="utf-8").split())
        out["parts"] = len(texts)
        out["all_text_stored"] = "".join("".join(t.split()) for t in texts) == original
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=10_000, help="small files in the folder (0: skip)")
    ap.add_argument("--mb", type=float, default=50, help="size of the big file in MB (0: skip)")
    ap.add_argument("--phase", nargs=3, metavar=("KIND", "TARGET", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        kind, target, db = args.phase
        print(json.dumps(phase(kind, Path(target), Path(db))))
        return 0
    ok = True
    with tempfile.TemporaryDirectory(prefix="frontlines-bench-") as d:
        runs = []
        if args.files:
            folder = Path(d) / "files"
            write_files(folder, args.files)
            runs.append(("files", folder, args.files))
        if args.mb:
            big = Path(d) / "big.txt"
            write_big(big, int(args.mb * 1024 * 1024))
            runs.append(("big", big, None))
        for kind, target, expected in runs:
            r = subprocess.run([sys.executable, __file__, "--phase", kind, str(target), str(Path(d) / f"{kind}.db")],
                               stdout=subprocess.PIPE, text=True)
            if r.returncode != 0:
                print(f"{kind}: failed (exit {r.returncode})")
                ok = False
                continue
            res = json.loads(r.stdout.strip().splitlines()[-1])
            if kind == "files":
                good = res["stored"] == res["in_store"] == expected and not res["skipped"]
                print(f"{expected:,} files: {res['stored']:,}/{expected:,} stored, {res['skipped']} skipped, "
                      f"{res['seconds']} s; RSS after loading {res['rss_after_load_mb']} MB, "
                      f"peak {res['peak_rss_mb']} MB; peak at every 1,000 stored: "
                      + ", ".join(f"{mb:.0f}" for _, mb in res["rss_samples"]))
            else:
                good = res["all_text_stored"] and res["stored"] == res["in_store"] == res["parts"] and not res["skipped"]
                print(f"{args.mb:g} MB file: {res['parts']} parts, {res['stored']} stored, all text stored: "
                      f"{res['all_text_stored']}, {res['seconds']} s; RSS after loading {res['rss_after_load_mb']} MB, "
                      f"peak {res['peak_rss_mb']} MB; peak every 25 parts: "
                      + ", ".join(f"{mb:.0f}" for _, mb in res["rss_samples"]))
            ok &= good
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
