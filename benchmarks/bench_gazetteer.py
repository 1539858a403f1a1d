"""Start-up time and memory of the offline gazetteer, and of the whole extractor, after the first build.

    .venv/bin/python benchmarks/bench_gazetteer.py [--runs 5]

Each run is a fresh Python process (so nothing is cached in memory) that times, in order: opening the
gazetteer and answering a first lookup; the same plus 200 lookups of names from the sample corpus
(warm-up of the fuzzy index included); loading the whole extractor (spaCy's pipeline, the actors, the
geoparser) and extracting one article. It reports the resident memory (VmRSS, VmHWM) after each step.
Prints medians over the runs; the bars (issue 3): the loaded gazetteer under 1 GB RSS, start-up under 5 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_machine  # noqa: E402

CHILD = r"""
import json, time, sys
from pathlib import Path

def rss():
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            k, v = line.split(":", 1)
            out[k] = round(int(v.split()[0]) / 1024, 1)
    return out

t0 = time.perf_counter()
base = rss()
from frontlines.gazetteer import load_gazetteer
gaz = load_gazetteer()
gaz.lookup("Deir ez-Zor")
t_gaz = time.perf_counter() - t0
m_gaz = rss()

from frontlines.paths import sample_dir
names = []
for f in sorted((sample_dir() / "gold").glob("*.json"))[:40]:
    names += [t["surface"] for t in json.loads(f.read_text(encoding="utf-8")).get("toponyms", [])]
names = names[:200]
t1 = time.perf_counter()
for n in names:
    gaz.lookup(n)
gaz.fuzzy("Dayr az Zawrr")
t_lookups = time.perf_counter() - t1
m_lookups = rss()

t2 = time.perf_counter()
from frontlines.pipeline import Extractor
from frontlines.records import Article
ex = Extractor()
text = json.loads(sorted((sample_dir() / "articles").glob("*.json"))[0].read_text(encoding="utf-8"))["text"]
ex.extract(Article(text=text, id="x"))
t_ex = time.perf_counter() - t2
m_ex = rss()
print(json.dumps({"python_rss_mb": base["VmRSS"], "gazetteer_s": t_gaz, "gazetteer_rss_mb": m_gaz["VmRSS"],
                  "lookups": len(names), "lookups_s": t_lookups, "after_lookups_rss_mb": m_lookups["VmRSS"],
                  "extractor_s": t_ex, "start_up_total_s": t_gaz + t_lookups + t_ex,
                  "extractor_rss_mb": m_ex["VmRSS"], "peak_rss_mb": m_ex["VmHWM"]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print_machine()
    # the first build (if the gazetteer is missing or stale) is not start-up: do it before timing
    subprocess.run([sys.executable, "-c", "from frontlines.gazetteer import load_gazetteer; load_gazetteer()"], check=True)
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD], check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    import statistics

    def med(k: str) -> float:
        return statistics.median(r[k] for r in runs)

    print(f"runs: {len(runs)} fresh processes (medians)")
    print(f"gazetteer open + first lookup: {med('gazetteer_s'):.2f} s; RSS {med('gazetteer_rss_mb'):.0f} MB "
          f"(Python alone {med('python_rss_mb'):.0f} MB)")
    print(f"{int(med('lookups'))} lookups + fuzzy index: {med('lookups_s'):.2f} s; RSS {med('after_lookups_rss_mb'):.0f} MB")
    print(f"extractor (spaCy, actors, geoparser) + one article: {med('extractor_s'):.2f} s; RSS {med('extractor_rss_mb'):.0f} MB, "
          f"peak {med('peak_rss_mb'):.0f} MB")
    print(f"start-up in all: {med('start_up_total_s'):.2f} s (bar 5 s); gazetteer RSS {med('after_lookups_rss_mb'):.0f} MB (bar 1 GB)")


if __name__ == "__main__":
    main()
