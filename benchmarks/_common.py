"""Shared by the benchmarks: the machine's figures, a corpus made from the bundled sample, medians."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))


def machine() -> dict[str, Any]:
    """Cores, memory and load: printed with every benchmark's figures."""
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cores": os.cpu_count(), "usable_cores": usable, "memory_gb": mem_gb, "cpu": cpu or platform.processor(),
            "python": platform.python_version(), "load_avg_1m": round(load[0], 2) if load else None}


def print_machine() -> dict[str, Any]:
    m = machine()
    print(f"machine: {m['cores']} cores ({m['usable_cores']} usable), {m['memory_gb']} GB memory, {m['cpu']}; "
          f"Python {m['python']}; load average {m['load_avg_1m']} at start")
    return m


def sample_articles() -> list[Any]:
    """The bundled sample corpus's articles (whatever is there)."""
    from frontlines.articles import read_paths
    from frontlines.paths import sample_dir
    from frontlines.records import Article

    arts = [a for a in read_paths([sample_dir() / "articles"]) if isinstance(a, Article)]
    if not arts:
        raise SystemExit("no sample articles found in src/frontlines/data/sample/articles")
    return arts


def variants(n: int, base: list[Any] | None = None) -> Iterator[Any]:
    """``n`` articles cycling through the sample, each with a reference line that makes its hash unique."""
    from dataclasses import replace

    base = base or sample_articles()
    for i in range(n):
        a = base[i % len(base)]
        yield replace(a, id=f"{a.id or 'a'}-v{i}", text=f"{a.text}\n\nRef. FL-{i:07d}")


def write_corpus(folder: Path, n: int) -> Path:
    """``n`` JSON article files in ``folder`` (one per article, as the sample corpus has them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, a in enumerate(variants(n)):
        rec = {"id": a.id, "title": a.title, "published": a.published, "source": a.source, "url": a.url, "text": a.text}
        (folder / f"{i:07d}.json").write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    return folder


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its children that have ended."""
    import resource

    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def timed_cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process and the worker processes it started and joined, result)."""
    c0, t0 = cpu_seconds(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, cpu_seconds() - c0, out


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def fmt_runs(xs: list[float]) -> str:
    return "[" + ", ".join(f"{x:.1f}" for x in xs) + "]"
