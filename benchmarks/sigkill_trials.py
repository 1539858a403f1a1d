"""SIGKILL ``frontlines ingest`` at a random moment, N times, and check the store after each kill.

For every trial: the store opens cleanly (``PRAGMA integrity_check`` is ok, no dangling foreign keys),
every article in it is whole (its mention and event counts equal what a clean run stores for the same
text), and a re-run completes it (every article of the corpus, each whole). Prints one line per trial
and then ``K/N`` (K sound out of N killed runs; a run that ends before its kill time is not counted). The runs use a copy of the package taken at the start (:func:`snapshot_code`), so
that edits to the checkout during the trials cannot make a clean run and a re-run disagree.

    .venv/bin/python benchmarks/sigkill_trials.py                 # 20 trials on the bundled sample corpus
    .venv/bin/python benchmarks/sigkill_trials.py --trials 5 --seed 7 --batch-size 2 PATH...

tests/test_reliability.py imports :func:`run_trial` and runs a few trials.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

Counts = dict[str, tuple[int, int]]  # content hash -> (mentions, events)


def ingest_cmd(db: Path, paths: Sequence[str], batch_size: int) -> list[str]:
    return [sys.executable, "-m", "frontlines.cli", "-q", "ingest", "--db", str(db), "--batch-size", str(batch_size),
            "--no-progress", *paths]


def snapshot_code(dest: Path) -> dict[str, str]:
    """Copy the ``frontlines`` package as it is now (with its geodata) and the gazetteer built from it, and
    return the environment that makes subprocesses use the copy. The clean run, the killed runs and the
    re-runs then run the same code even while someone edits the checkout."""
    import frontlines
    from frontlines.gazetteer import default_path

    code = dest / "code"
    shutil.copytree(Path(frontlines.__file__).parent, code / "frontlines",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    gaz = dest / "gazetteer.sqlite"
    if default_path().exists():
        shutil.copy(default_path(), gaz)  # rebuilt privately on first use if it no longer matches
    path = os.pathsep.join(x for x in (str(code), os.environ.get("PYTHONPATH", "")) if x)
    return {**os.environ, "PYTHONPATH": path, "FRONTLINES_GAZETTEER": str(gaz)}


def article_counts(db: Path) -> dict[str, tuple[int, int, int, int]]:
    """hash -> (mentions rows, events rows, n_places column, n_events column), in one read transaction."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute(
            "SELECT a.content_hash, (SELECT COUNT(*) FROM mentions m WHERE m.article_id = a.id),"
            " (SELECT COUNT(*) FROM events e WHERE e.article_id = a.id), a.n_places, a.n_events FROM articles a"
        ).fetchall()
    finally:
        conn.close()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def reference_counts(db: Path) -> Counts:
    return {h: (m, e) for h, (m, e, _, _) in article_counts(db).items()}


def check_store(db: Path, reference: Counts) -> list[str]:
    """Problems with the store at ``db`` (empty list: it is sound and every article in it is whole)."""
    problems: list[str] = []
    if not db.exists():
        return problems  # killed before the store was created: nothing to check
    from frontlines.store import open_store

    try:
        store = open_store(db)  # opens read-write: recovers the WAL like the next ingest would
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return [f"store does not open: {type(exc).__name__}: {exc}"]
    try:
        conn = store.conn  # type: ignore[attr-defined]
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"integrity_check: {ok}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {len(fk)} dangling rows")
    finally:
        store.close()
    for h, (m, e, n_places, n_events) in article_counts(db).items():
        if h not in reference:
            problems.append(f"article {h[:12]} is not in the clean run")
        elif (m, e) != reference[h] or (m, e) != (n_places, n_events):
            problems.append(f"article {h[:12]} partial: {m} mentions/{e} events, clean run {reference[h]}")
    return problems


def wait_for_first_commit(db: Path, proc: subprocess.Popen, timeout: float = 120.0) -> bool:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout and proc.poll() is None:
        if db.exists():
            try:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                try:
                    if conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] > 0:
                        return True
                finally:
                    conn.close()
            except sqlite3.Error:
                pass
        time.sleep(0.05)
    return False


def run_trial(
    paths: Sequence[str],
    db: Path,
    reference: Counts,
    *,
    delay: float,
    after_first_commit: bool = False,
    batch_size: int = 4,
    rerun: Callable[[Path], None] | None = None,
    env: dict[str, str] | None = None,
) -> dict:
    """Start an ingest, SIGKILL it after ``delay`` seconds (counted from its first commit when
    ``after_first_commit``), check the store, re-run the ingest, check that it is complete."""
    env = env or dict(os.environ)
    proc = subprocess.Popen(ingest_cmd(db, paths, batch_size), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    if after_first_commit:
        wait_for_first_commit(db, proc)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    problems = check_store(db, reference)  # first: it opens the store read-write, as the next ingest would
    stored_at_kill = len(article_counts(db)) if db.exists() and not any("open" in p for p in problems) else 0
    if rerun is None:
        r = subprocess.run(ingest_cmd(db, paths, batch_size), capture_output=True, text=True, env=env)
        if r.returncode != 0:
            problems.append(f"re-run exited {r.returncode}: {r.stderr[-500:]}")
    else:
        rerun(db)
    problems += check_store(db, reference)
    final = article_counts(db)
    if set(final) != set(reference):
        problems.append(f"after the re-run {len(final)} articles, clean run {len(reference)}")
    return {
        "killed": killed, "stored_at_kill": stored_at_kill, "total": len(reference), "problems": problems,
        "stderr": err.decode("utf-8", "replace")[-500:] if not killed and proc.returncode else "",
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help="what to ingest (default: the bundled sample corpus)")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20171109)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--no-snapshot", action="store_true", help="run the checkout as it is, not a copy of it")
    args = ap.parse_args(argv)
    if args.paths:
        paths = args.paths
    else:
        from frontlines.paths import sample_dir

        paths = [str(sample_dir() / "articles")]
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="frontlines-sigkill-") as d:
        env = dict(os.environ) if args.no_snapshot else snapshot_code(Path(d))
        ref_db = Path(d) / "reference.db"
        subprocess.run([sys.executable, "-m", "frontlines.cli", "gazetteer", "build"], env=env, capture_output=True)
        t0 = time.monotonic()
        subprocess.run(ingest_cmd(ref_db, paths, args.batch_size), check=False, capture_output=True, env=env)
        duration = time.monotonic() - t0
        reference = reference_counts(ref_db)
        print(f"clean run: {len(reference)} articles, "
              f"{sum(m for m, _ in reference.values())} mentions, {sum(e for _, e in reference.values())} events, "
              f"{duration:.1f} s; seed {args.seed}", flush=True)
        good = killed = attempts = failed = 0
        while killed < args.trials and attempts < 3 * args.trials:
            attempts += 1
            delay = rng.uniform(0.05, 1.0) * duration
            res = run_trial(paths, Path(d) / f"trial{attempts}.db", reference, delay=delay,
                            batch_size=args.batch_size, env=env)
            ok = not res["problems"]
            failed += not ok
            verdict = "store sound, articles whole, re-run complete" if ok else "; ".join(res["problems"])
            if not res["killed"]:  # the run was faster than the clean one: no kill, so it does not count
                print(f"attempt {attempts:2d}: finished before {delay:.1f} s, not counted: {verdict}", flush=True)
                continue
            killed += 1
            good += ok
            print(f"trial {killed:2d}: killed at {delay:5.1f} s with {res['stored_at_kill']:3d}/{res['total']} "
                  f"articles stored: {verdict}", flush=True)
    print(f"{good}/{args.trials}")
    return 0 if good == args.trials and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
