"""The ``frontlines`` command line. Public contract: documented in the README; keep it stable.

stdout carries only the command's output (JSON Lines for ``extract``); logs go to stderr.
Exit codes: 0 ok; 1 error; 2 usage error; 3 some inputs were skipped (each listed on stderr).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from frontlines import __version__

log = logging.getLogger("frontlines")

EXIT_SKIPPED = 3


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("trafilatura", "htmldate", "urllib3", "PIL", "matplotlib", "fiona", "pyogrio", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(max(level, logging.ERROR))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="frontlines")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def main(verbose: int, quiet: bool) -> None:
    """Frontlines: map what the news says happened where, offline."""
    _setup_logging(verbose, quiet)


db_option = click.option(
    "--db", envvar="FRONTLINES_DB", default=None, show_envvar=True,
    help="Store: a SQLite path or postgresql:// URL. Default: $FRONTLINES_DB, else frontlines.db in the user data dir.",
)


def filter_options(f):  # type: ignore[no-untyped-def]
    f = click.option("--from", "date_from", metavar="YYYY-MM-DD", help="First day shown (inclusive).")(f)
    f = click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Last day shown (inclusive).")(f)
    f = click.option("--country", "countries", multiple=True, metavar="CC", help="ISO country code; repeatable.")(f)
    f = click.option("--type", "event_types", multiple=True, metavar="TYPE",
                     help="Event type (capture, control, attack, airstrike, clash, arrest, other, mention); repeatable.")(f)
    f = click.option("--side", "sides", multiple=True, metavar="SIDE", help="Side (see README); repeatable.")(f)
    f = click.option("--search", default="", help="Free text over place names and sentences.")(f)
    f = click.option("--min-confidence", type=float, default=0.0, show_default=True)(f)
    f = click.option("--events-only", is_flag=True, help="Leave out plain place mentions.")(f)
    return f


def _filters(date_from, date_to, countries, event_types, sides, search, min_confidence, events_only):  # type: ignore[no-untyped-def]
    from frontlines.dates import _parse
    from frontlines.store import Filters

    def iso(v: str | None, name: str) -> str | None:
        if not v:
            return None
        d = _parse(v)
        if d is None:
            raise click.BadParameter(f"not a date: {v!r} (use YYYY-MM-DD)", param_hint=name)
        return d.isoformat()

    return Filters(
        date_from=iso(date_from, "--from"), date_to=iso(date_to, "--to"),
        countries=tuple(c.upper() for c in countries), event_types=tuple(event_types), sides=tuple(sides),
        search=search, min_confidence=min_confidence, include_mentions=not events_only,
    )


def _open(db: str | None, readonly: bool = False):  # type: ignore[no-untyped-def]
    from frontlines.store import StoreError, open_store

    try:
        return open_store(db, readonly=readonly)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def _extractor(model: str | None = None, region_prior: bool = True):  # type: ignore[no-untyped-def]
    from frontlines.errors import FrontlinesError
    from frontlines.pipeline import Extractor, ExtractorConfig

    try:
        return Extractor(ExtractorConfig(model=model, region_prior=region_prior))
    except FrontlinesError as exc:
        raise click.ClickException(str(exc)) from exc


# --- extract ---------------------------------------------------------------------------------------

@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--model", envvar="FRONTLINES_SPACY_MODEL", help="spaCy model name (default: the pinned small English model).")
@click.option("--no-region-prior", is_flag=True, help="Do not favour places in Iraq, Syria, Egypt, Libya and Yemen.")
@click.option("--with-text", is_flag=True, help="Include the cleaned text each offset refers to.")
def extract(paths: tuple[str, ...], model: str | None, no_region_prior: bool, with_text: bool) -> None:
    """Write one JSON object per article (JSON Lines) to stdout: places and events."""
    from frontlines.articles import Skipped, read_paths

    ex = _extractor(model, not no_region_prior)
    skipped = 0
    articles = []

    def flush() -> None:
        for e in ex.extract_many(articles):
            click.echo(json.dumps(e.to_json(include_text=with_text), ensure_ascii=False))
        articles.clear()

    for item in read_paths(paths):
        if isinstance(item, Skipped):
            skipped += 1
            click.echo(f"skipped {item}", err=True)
            continue
        articles.append(item)
        if len(articles) >= 16:
            flush()
    flush()
    if skipped:
        sys.exit(EXIT_SKIPPED)


# --- ingest ----------------------------------------------------------------------------------------

@main.command()
@db_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--sample", is_flag=True, help="Also ingest the bundled sample corpus (120 dispatches, 2014–2019).")
@click.option("--batch-size", default=32, show_default=True, help="Articles per transaction.")
@click.option("--jobs", "-j", default=1, show_default=True, help="Processes for the NLP stage.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS|local",
              help="Distribute extraction over a Dask cluster (scheduler address, or 'local').")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
@click.option("--model", envvar="FRONTLINES_SPACY_MODEL", help="spaCy model name.")
def ingest(db: str | None, paths: tuple[str, ...], sample: bool, batch_size: int, jobs: int, dask_address: str | None,
           progress: bool | None, model: str | None) -> None:
    """Extract and store articles. Re-ingesting the same text changes nothing.

    Prints a one-line summary; each skipped file is listed with its reason. Exit code 3 if any was skipped.
    """
    from frontlines.ingest import ingest as run
    from frontlines.paths import sample_dir

    targets = list(paths)
    if sample:
        targets.append(str(sample_dir() / "articles"))
    if not targets:
        raise click.UsageError("give files or folders to ingest, or --sample")
    store = _open(db)
    try:
        if dask_address:
            from frontlines.distributed import ingest_dask
            from frontlines.errors import FrontlinesError

            try:
                report = ingest_dask(targets, store, dask_address, batch_size=batch_size, model=model,
                                     progress=progress)
            except FrontlinesError as exc:  # no dask installed, scheduler unreachable
                raise click.ClickException(str(exc)) from exc
        else:
            from frontlines.pipeline import ExtractorConfig

            ex = _extractor(model)
            ex.config = ExtractorConfig(model=model, n_process=jobs)
            report = run(targets, store, ex, batch_size=batch_size, progress=progress)
    finally:
        store.close()
    for s in report.skipped:
        click.echo(f"skipped {s}", err=True)
    click.echo(report.summary())
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


# --- export / snapshot -----------------------------------------------------------------------------

@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["geojson", "csv", "gpkg", "acled"]), required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@filter_options
def export(db: str | None, fmt: str, output: str, **kw: object) -> None:
    """Export what the filters select (corrections applied)."""
    from frontlines.export import write

    store = _open(db, readonly=True)
    try:
        flt = _filters(**kw)
        pts = store.points(flt) if fmt != "acled" else store.events(flt)
    finally:
        store.close()
    n = write(pts, output, fmt)
    click.echo(f"{n} rows written to {output}")


@main.command()
@db_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.png or FILE.html")
@click.option("--title", default=None, help="Map title (default: Frontlines and the filters).")
@click.option("--tiles", is_flag=True, help="HTML only: online tile layer as an option (offline basemap stays default).")
@filter_options
def snapshot(db: str | None, output: str, title: str | None, tiles: bool, **kw: object) -> None:
    """The dashboard's map for these filters, as PNG (offline render) or self-contained HTML."""
    from frontlines import maps

    store = _open(db, readonly=True)
    try:
        flt = _filters(**kw)
        pts = store.points(flt)
    finally:
        store.close()
    out = Path(output)
    title = title or "Frontlines"
    if out.suffix.lower() == ".png":
        maps.render_png(pts, out, title=title, subtitle=flt.describe())
    elif out.suffix.lower() in (".html", ".htm"):
        maps.save_html(pts, out, title=title, subtitle=flt.describe(), online_tiles=tiles)
    else:
        raise click.BadParameter("the output must end in .png or .html", param_hint="-o")
    click.echo(f"{len(pts)} points drawn to {out}")


# --- control / changes ----------------------------------------------------------------------------

def _iso_day(value: str, name: str) -> str:
    from frontlines.dates import _parse

    d = _parse(value)
    if d is None:
        raise click.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)", param_hint=name)
    return d.isoformat()


def _write_table(df, output: str | None, columns: list[str]) -> None:  # type: ignore[no-untyped-def]
    if output:
        out = Path(output)
        if out.suffix.lower() in (".geojson", ".json"):
            import geopandas as gpd

            if "geometry" not in df.columns:
                df = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
            if df.empty:
                out.write_text('{"type": "FeatureCollection", "features": []}\n', encoding="utf-8")
            else:
                df.to_file(out, driver="GeoJSON")
        elif out.suffix.lower() == ".csv":
            df.drop(columns=[c for c in ("geometry",) if c in df.columns]).to_csv(out, index=False)
        else:
            raise click.BadParameter("output must end in .geojson or .csv", param_hint="-o")
        click.echo(f"{len(df)} rows written to {out}")
        return
    if df.empty:
        click.echo("nothing known for these dates and countries")
        return
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 90):
        click.echo(df[[c for c in columns if c in df.columns]].to_string(index=False))


@main.command()
@db_option
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD", help="The day to show.")
@click.option("--country", "countries", multiple=True, metavar="CC")
@click.option("--areas", "as_areas", is_flag=True, help="Polygons per side instead of places.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="FILE.geojson or FILE.csv (default: a table on stdout).")
def control(db: str | None, day: str, countries: tuple[str, ...], as_areas: bool, output: str | None) -> None:
    """Who held each place on a day, with the event that says so and its age."""
    from frontlines import control as ctl

    day = _iso_day(day, "--date")
    cc = tuple(c.upper() for c in countries)
    store = _open(db, readonly=True)
    try:
        df = ctl.areas(store, day, cc) if as_areas else ctl.control_on(store, day, cc)
    finally:
        store.close()
    if as_areas and not output:
        raise click.UsageError("--areas needs -o FILE.geojson")
    _write_table(df, output, ["name", "country", "controller", "date", "age_days", "event_type", "contradiction",
                              "contradicting", "sentence"])


@main.command()
@db_option
@click.option("--from", "d1", required=True, metavar="YYYY-MM-DD")
@click.option("--to", "d2", required=True, metavar="YYYY-MM-DD")
@click.option("--country", "countries", multiple=True, metavar="CC")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="FILE.geojson or FILE.csv.")
def changes(db: str | None, d1: str, d2: str, countries: tuple[str, ...], output: str | None) -> None:
    """Places that changed hands between two days: from whom to whom, with the evidence."""
    from frontlines import control as ctl

    store = _open(db, readonly=True)
    try:
        df = ctl.changes(store, _iso_day(d1, "--from"), _iso_day(d2, "--to"), tuple(c.upper() for c in countries))
    finally:
        store.close()
    _write_table(df, output, ["name", "country", "from_side", "to_side", "date", "sentence"])


# --- dashboard -------------------------------------------------------------------------------------

@main.command()
@db_option
@click.option("--port", default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 serves other machines).")
def dashboard(db: str | None, port: int, host: str) -> None:
    """Start the Streamlit dashboard on the store."""
    import subprocess

    from frontlines.assets import install_static
    from frontlines.paths import PACKAGE_DIR

    app = _dashboard_app()
    install_static(app.parent / "static")
    env = dict(os.environ)
    if db:
        env["FRONTLINES_DB"] = db
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", host,
        "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "true", "--server.headless", "true",
    ]
    click.echo(f"Frontlines dashboard on http://{'localhost' if host in ('127.0.0.1', 'localhost') else host}:{port}", err=True)
    del PACKAGE_DIR
    raise SystemExit(subprocess.call(cmd, env=env, cwd=str(app.parent.parent)))


def _dashboard_app() -> Path:
    from frontlines.paths import PACKAGE_DIR

    for p in (PACKAGE_DIR / "dashboard" / "app.py", PACKAGE_DIR.parent.parent / "dashboard" / "app.py"):
        if p.exists():
            return p
    raise click.ClickException("dashboard/app.py not found in this installation")


# --- eval ------------------------------------------------------------------------------------------

@main.command("eval")
@click.option("--sample/--no-sample", default=True, show_default=True, help="Score the bundled sample corpus.")
@click.option("--dev", "dev_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="A folder with articles/*.json and gold/*.json (e.g. ../shared/dev); repeatable.")
@click.option("--benchmarks", "bench_dir", type=click.Path(exists=True, file_okay=False),
              help="Folder with GWN.xml, TR-News.xml, lgl.xml, GeoVirus.xml (e.g. ../shared/eval).")
@click.option("--only", "only", multiple=True, help="Only these benchmark sets (GeoWebNews, TR-News, LGL, GeoVirus).")
@click.option("--limit", type=int, default=None, help="At most this many documents per set.")
@click.option("--no-resolution", is_flag=True, help="Skip the resolution-only pass on gold spans.")
@click.option("--no-region-prior", is_flag=True, help="Turn off the prior for the mission's five countries.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), help="Write event misses/false alarms (JSONL).")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout instead of a table.")
def eval_(sample: bool, dev_dirs: tuple[str, ...], bench_dir: str | None, only: tuple[str, ...], limit: int | None,
          no_resolution: bool, no_region_prior: bool, errors_path: str | None, as_json: bool) -> None:
    """Score extraction against gold: toponyms (P/R/F1, accuracy@161 km, AUC) and events (P/R/F1)."""
    from frontlines import evaluate as ev
    from frontlines.paths import sample_dir

    ex = _extractor(None, not no_region_prior)
    sets: dict[str, list] = {}
    if sample:
        sets["sample"] = ev.load_folder(sample_dir())
    for d in dev_dirs:
        sets[Path(d).name or "dev"] = ev.load_folder(Path(d))
    if bench_dir:
        for name, fname in ev.BENCHMARK_FILES.items():
            if only and name not in only:
                continue
            p = Path(bench_dir) / fname
            if p.exists():
                sets[name] = ev.load_benchmark(p)
    if not sets:
        raise click.UsageError("nothing to score: use --sample, --dev DIR or --benchmarks DIR")
    results = {}
    errors: list = []
    for name, docs in sets.items():
        docs = docs[:limit] if limit else docs
        log.info("scoring %s (%d documents)", name, len(docs))
        results[name] = ev.evaluate_docs(ex, docs, resolution_only=not no_resolution, errors=errors)
    if errors_path:
        with open(errors_path, "w", encoding="utf-8") as fh:
            for e in errors:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    click.echo(json.dumps(results, indent=2) if as_json else ev.format_table(results))


# --- gazetteer -------------------------------------------------------------------------------------

@main.group()
def gazetteer() -> None:
    """The offline gazetteer: build, look up, stats, import GeoNames dumps."""


@gazetteer.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if up to date.")
def gazetteer_build(force: bool) -> None:
    """Build the gazetteer from the installed packages and geodata/ (done automatically on first use)."""
    from frontlines.gazetteer import default_path, ensure_built

    p = ensure_built(default_path(), force=force, progress=sys.stderr.isatty())
    click.echo(str(p))


@gazetteer.command("lookup")
@click.argument("name")
@click.option("--country", "countries", multiple=True, metavar="CC")
@click.option("--limit", default=10, show_default=True)
def gazetteer_lookup(name: str, countries: tuple[str, ...], limit: int) -> None:
    """Candidates for NAME, most important first (JSON Lines)."""
    from frontlines.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    for c in gaz.lookup(name, country_codes=countries, limit=limit):
        e = c.entry
        click.echo(json.dumps({"id": e.id, "name": e.name, "kind": e.kind, "country": e.country, "lat": e.lat,
                               "lon": e.lon, "population": e.population, "matched": c.matched_name, "match": c.match,
                               "source": e.source}, ensure_ascii=False))


@gazetteer.command("stats")
def gazetteer_stats() -> None:
    """What the gazetteer holds, by kind, source and country."""
    from frontlines.gazetteer import load_gazetteer

    click.echo(json.dumps(load_gazetteer().stats(), indent=2, ensure_ascii=False))


@gazetteer.command("import")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False))
def gazetteer_import(dump: str) -> None:
    """Add a GeoNames dump you downloaded (allCountries.txt, SY.txt, alternateNamesV2.txt)."""
    from frontlines.errors import GazetteerError
    from frontlines.gazetteer import extra_path, reset
    from frontlines.gazetteer.build import import_geonames

    try:
        n = import_geonames(Path(dump), extra_path())
    except GazetteerError as exc:
        raise click.ClickException(str(exc)) from exc
    reset()
    click.echo(f"{n} rows imported into {extra_path()}")


if __name__ == "__main__":  # pragma: no cover
    main()
