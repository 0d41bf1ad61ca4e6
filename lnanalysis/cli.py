"""Command-line interface for people who never open a notebook.

Each command is one function (``_cmd_<name>``); ``python -m lnanalysis -h`` lists
them. Expected failures (bad input, a missing file, a full disk, no network) print
one line naming the file and the key, cell or row, and exit with status 2; only an
unexpected bug prints a traceback, marked as such.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import re
import sys
import traceback
from pathlib import Path

from lnanalysis.core.errors import InputError, LnAnalysisError
from lnanalysis.core.progress import show_progress

FIRST_YEAR = 2000  # the earliest data year a command accepts
MAX_HORIZON = 15  # years beyond the last observation a projection may reach
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def safe_text(text: str) -> str:
    r"""Escape terminal control characters (ESC, BEL, ...) so that data cannot drive the terminal.

    >>> safe_text("note\x1b[2J\x07")
    'note\\x1b[2J\\x07'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _year(lo: int | None = FIRST_YEAR, hi_offset: int = 0, what: str = "year"):
    """Return an argparse type: a whole year from ``lo`` to this year plus ``hi_offset``."""

    def parse(text: str) -> int:
        hi = dt.date.today().year + hi_offset
        try:
            year = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} {text!r} is not a whole year") from None
        if not lo <= year <= hi:
            raise argparse.ArgumentTypeError(f"{what} {year} is outside {lo}-{hi}")
        return year

    return parse


def _baseline_year(text: str) -> int:
    """Parse --baseline-year: a year before the registry's first target year."""
    from lnanalysis.targets.registry import load_registry

    year = _year(what="--baseline-year")(text)
    first_due = min(t.target_year for t in load_registry().targets)
    if year >= first_due:
        raise argparse.ArgumentTypeError(
            f"--baseline-year {year} is not before {first_due}, the registry's first target year"
        )
    return year


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lnanalysis", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build data/processed/ (and the briefing unless --data-only)")
    b.add_argument("--data-only", action="store_true")
    b.add_argument(
        "--accept-notebooks",
        action="store_true",
        help="replace committed notebooks whose outputs changed (they are nbval's reference)",
    )
    b.add_argument(
        "--force",
        action="store_true",
        help="run every step, even those whose inputs are unchanged since their last run",
    )
    b.set_defaults(func=_cmd_build)

    sc = sub.add_parser("scorecard", help="one row per registered target")
    sc.add_argument(
        "--as-of", type=_year(what="--as-of"), help="replay with data published by then"
    )
    sc.add_argument(
        "--baseline-year",
        type=_baseline_year,
        help="baseline of growth targets (default 2015; 2014 is the alternative)",
    )
    sc.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    sc.add_argument("--output", default=None, help="file for xlsx (default scorecard.xlsx)")
    sc.set_defaults(func=_cmd_scorecard)

    pr = sub.add_parser("project", help="projection table of every model and the combination")
    pr.add_argument("indicator", help="indicator id or name (see list-indicators)")
    pr.add_argument("--region", default="LN", help="region code or name (see list-regions)")
    pr.add_argument("--as-of", type=_year(what="--as-of"))
    pr.add_argument("--to", type=_year(what="--to", hi_offset=MAX_HORIZON), default=2020)
    pr.add_argument("--format", choices=["table", "csv"], default="table")
    pr.set_defaults(func=_cmd_project)

    bt = sub.add_parser("backtest", help="score table: indicator x model x horizon")
    bt.add_argument("--format", choices=["table", "csv"], default="table")
    bt.set_defaults(func=_cmd_backtest)

    ry = sub.add_parser("read-yearbook", help="tidy table of one yearbook file, cell by cell")
    ry.add_argument("file")
    ry.add_argument("--format", choices=["csv", "json"], default="csv")
    ry.add_argument(
        "--table",
        default=None,
        help="the manifest's table this file is (default: found by sha256, then name)",
    )
    ry.add_argument(
        "--layout",
        default=None,
        help="YAML of layout maps (tables: ...) to read the file with instead of inference",
    )
    ry.add_argument("--password", default=None, help="for an encrypted workbook")
    ry.add_argument(
        "--overrides",
        default=None,
        help="YAML of layout overrides by table family (form of config/yearbook_overrides.yaml)",
    )
    ry.add_argument(
        "--print-layout",
        action="store_true",
        help="print the layout inferred from the cells, as YAML to review (and to give "
        "back with --layout after correcting it)",
    )
    ry.set_defaults(func=_cmd_read_yearbook)

    fy = sub.add_parser("fetch-yearbooks", help="download the manifest's yearbook tables")
    fy.add_argument("--mirror", default=None, help="local folder or base URL to fetch from")
    fy.set_defaults(func=_cmd_fetch_yearbooks)

    ex = sub.add_parser("explore", help="render the explore notebook for one series (papermill)")
    ex.add_argument("--region", default="LN")
    ex.add_argument("--indicator", default="rd_expenditure")
    ex.add_argument("--as-of", type=_year(what="--as-of"))
    ex.add_argument("--models", default="drift,loglinear,ets,theta")
    ex.add_argument("--target-value", type=float, default=None)
    ex.add_argument(
        "--target-year", type=_year(what="--target-year", hi_offset=MAX_HORIZON), default=2020
    )
    ex.set_defaults(func=_cmd_explore)

    cp = sub.add_parser(
        "check-processed", help="rebuild data/processed/ in a scratch folder and list differences"
    )
    cp.add_argument("--format", choices=["table", "csv"], default="table")
    cp.set_defaults(func=_cmd_check_processed)

    iv = sub.add_parser(
        "import-values", help="add a CSV of sourced figures to data/raw/ (checked row by row)"
    )
    iv.add_argument(
        "file", help="UTF-8 CSV: region, indicator, year, value, unit, source_url, source_title"
    )
    iv.add_argument("--version", required=True, help="date of the addition, YYYY-MM-DD")
    iv.add_argument("--title", required=True, help="what the file is, for its sidecar")
    iv.add_argument("--publisher", required=True, help="who compiled or published it")
    iv.add_argument("--url", default="", help="where the file came from (rows keep their own URLs)")
    iv.add_argument("--name", default=None, help="file name under data/raw/additions/<version>/")
    iv.set_defaults(func=_cmd_import_values)

    iy = sub.add_parser(
        "import-yearbooks",
        help="add yearbook tables' cells to data/raw/, mapped to indicators by a mapping file",
    )
    iy.add_argument(
        "files", nargs="*", help="yearbook files (default: every known table in --folder)"
    )
    iy.add_argument("--mapping", required=True, help="YAML: table -> publication, date, paths")
    iy.add_argument("--version", required=True, help="date of the addition, YYYY-MM-DD")
    iy.add_argument(
        "--folder", default=None, help="where the tables are (default: the yearbook cache)"
    )
    iy.add_argument("--overrides", default=None, help="YAML of layout overrides by table family")
    iy.set_defaults(func=_cmd_import_yearbooks)

    av = sub.add_parser("add-value", help="add one figure read in a publication, with its source")
    av.add_argument("--region", required=True, help="region code or name")
    av.add_argument("--indicator", required=True, help="indicator id or name")
    av.add_argument("--year", required=True, type=_year(what="--year"))
    av.add_argument("--value", required=True, help="as printed, e.g. 549.0 or >600")
    av.add_argument("--unit", required=True, help="e.g. 亿元, 万元, %%, 件")
    av.add_argument("--status", required=True, choices=["preliminary", "final", "revised"])
    av.add_argument("--source-url", required=True)
    av.add_argument("--source-title", required=True, help="title, publisher and date")
    av.add_argument("--note", default="")
    av.add_argument(
        "--tier", default="", help="quality tier id (default: by config/source_tiers.yaml)"
    )
    av.add_argument("--published", default="", help="publication date, YYYY-MM-DD")
    av.set_defaults(func=_cmd_add_value)

    lr = sub.add_parser("list-regions", help="region codes, names and aliases")
    lr.add_argument("search", nargs="?", help="a name, alias or part of one")
    lr.set_defaults(func=_cmd_list_regions)
    li = sub.add_parser("list-indicators", help="indicator ids, names and units")
    li.add_argument("search", nargs="?", help="an id, name or part of one")
    li.set_defaults(func=_cmd_list_indicators)

    lp = sub.add_parser(
        "list-plans", help="validate every plan's registry and list the plans with their targets"
    )
    lp.set_defaults(func=_cmd_list_plans)

    ll = sub.add_parser(
        "list-yearbooks",
        aliases=["list-layouts"],
        help="the yearbook tables of the fetch manifest (title, file, URL)",
    )
    ll.add_argument("search", nargs="?", help="a table id, title or file name, or part of one")
    ll.set_defaults(func=_cmd_list_yearbooks)
    cl = sub.add_parser("check-layouts", help="validate a file of layout maps")
    cl.add_argument("file", help="a YAML file of layout maps (tables: ...), e.g. --print-layout's")
    cl.set_defaults(func=_cmd_check_layouts)

    imp = sub.add_parser("import-raw", help="carry the shared compiled figures into data/raw/")
    imp.add_argument("--version", required=True, help="dated folder name, e.g. 2026-11-28")
    imp.set_defaults(func=_cmd_import_raw)
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; errors print one line and exit 2."""
    args = _parser().parse_args(argv)
    show_progress()  # progress lines to stdout, warnings to stderr
    try:
        return args.func(args)
    except LnAnalysisError as exc:
        _fail(str(exc))
    except BrokenPipeError:  # the reader closed the pipe: not an error (see __main__)
        raise
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print(
            "error: this is a bug in lnanalysis, not in your input; please report it with the "
            "traceback above and the command you ran",
            file=sys.stderr,
        )
        return 70
    return 2


def _fail(message: str) -> None:
    print(f"error: {safe_text(message)}", file=sys.stderr)


def _emit(frame, fmt: str, output: str | None = None) -> None:
    import pandas as pd

    from lnanalysis.core.io import csv_writer

    if fmt == "xlsx":
        target = Path(output or "scorecard.xlsx")
        if target.exists() and not target.is_file():
            raise InputError("--output exists and is not a regular file", file=target)
        from lnanalysis.report.workbook import write_scorecard_workbook

        write_scorecard_workbook({"scorecard": frame}, target)
        print(f"scorecard written to {target.resolve()}")
    elif fmt == "csv":
        csv_writer(frame, escape=True)(sys.stdout)
    elif fmt == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=1))
    else:
        options = ("display.width", 200, "display.max_columns", 14, "display.max_rows", 500)
        with pd.option_context(*options, "display.precision", 3):
            print(safe_text(frame.to_string(index=False)))


def _cmd_build(args) -> int:
    from lnanalysis.pipeline.build import build

    return build(data_only=args.data_only, accept=args.accept_notebooks, force=args.force)


def _cmd_scorecard(args) -> int:
    from lnanalysis.targets.scorecard import scorecard

    frame = scorecard(args.as_of, baseline_year=args.baseline_year)
    if args.format == "table":
        columns = [
            "target_id",
            "unit",
            "baseline_value",
            "target_value",
            "latest_year",
            "latest_value",
            "R",
            "P",
            "projected",
            "p_meet",
            "status_eurostat",
            "status_un",
            "status_china",
            "ex_post",
        ]
        frame = frame[columns]
    _emit(frame, args.format, args.output)
    return 0


def _cmd_project(args) -> int:
    from lnanalysis.backtest.calibrate import calibration_for
    from lnanalysis.reference.indicators import get_indicator
    from lnanalysis.reference.lookup import find_indicator, find_region
    from lnanalysis.store.asof import vintage
    from lnanalysis.store.observations import load_observations, preferred_series
    from lnanalysis.trend.projection import project

    ind = get_indicator(find_indicator(args.indicator))
    region = find_region(args.region)
    obs = load_observations()
    pref = vintage(obs, args.as_of)
    series = preferred_series(ind.id, region, preferred=pref)
    last = int(series.index.max())
    if args.to - last > MAX_HORIZON:
        raise InputError(
            f"--to {args.to} is {args.to - last} years past the last value ({last}); "
            f"projections stop at {MAX_HORIZON} years, where the bands stop meaning anything"
        )
    proj = project(
        series,
        args.to,
        measure=ind.measure,
        indicator=ind.id,
        calibration=calibration_for(obs, args.as_of, pref=pref),
    )
    table = proj.table.drop(columns=["mean_t", "se_t"])
    print(
        f"# {ind.id} ({ind.en}, {ind.unit}) in {region}; observed to {proj.last_year}"
        f"{'' if args.as_of is None else f' as known at the end of {args.as_of}'}"
    )
    for model, why in proj.skipped.items():
        print(f"# skipped {model}: {why}")
    _emit(table, args.format)
    return 0


def _cmd_backtest(args) -> int:
    from lnanalysis.backtest.panel import backtest
    from lnanalysis.store.observations import load_preferred

    scores = backtest(load_preferred())["scores"]
    cols = ["indicator", "model", "horizon", "n", "mase", "smape", "coverage_80", "coverage_95"]
    _emit(scores[cols], args.format)
    return 0


def _cmd_read_yearbook(args) -> int:
    from lnanalysis.extract.yearbook import read_yearbook
    from lnanalysis.extract.yearbook.overrides import families

    known = families(args.overrides)
    if args.print_layout:
        import yaml

        from lnanalysis.extract.yearbook.infer import infer_layout
        from lnanalysis.extract.yearbook.workbook import read_grids

        path = Path(args.file)
        spec = infer_layout(path, grids=read_grids(path, args.password), families=known)
        doc = {"tables": {re.sub(r"\W+", "_", path.stem).strip("_").lower(): spec}}
        print(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), end="")
        return 0
    layout, table = None, args.table
    if args.layout:
        layout, table = _chosen_layout(args.layout, args.table), None
    result = read_yearbook(
        args.file, table=table, layout=layout, password=args.password, families=known
    )
    for cell, text in result.notes:
        print(safe_text(f"# note {cell}: {text}"), file=sys.stderr)
    _emit(result.data, args.format)
    return 0


def _chosen_layout(path: str, table: str | None):
    """Return the layout map of ``path`` named ``table`` (or its only one)."""
    from lnanalysis.extract.yearbook.layouts import read_layout_file

    maps = read_layout_file(path)
    if table is None and len(maps) == 1:
        return next(iter(maps.values()))
    if table in maps:
        return maps[table]
    raise InputError(
        f"give --table, one of the file's layout maps: {', '.join(maps)}"
        if table is None
        else f"no layout map {table!r} in the file (it has {', '.join(maps)})",
        file=path,
    )


def _cmd_fetch_yearbooks(args) -> int:
    from lnanalysis.extract.yearbook.fetch import fetch_all

    fetch_all(mirror=args.mirror)
    return 0


def _cmd_explore(args) -> int:
    from lnanalysis.pipeline.explore import render_explore

    out = render_explore(
        region=args.region,
        indicator=args.indicator,
        as_of=args.as_of,
        models=args.models,
        target_value=args.target_value,
        target_year=args.target_year,
    )
    print(out)
    return 0


def _cmd_check_processed(args) -> int:
    import tempfile

    from lnanalysis.pipeline.check import check_processed, report
    from lnanalysis.pipeline.steps import log

    with tempfile.TemporaryDirectory(prefix="lnanalysis-check-") as scratch:
        diff = check_processed(Path(scratch), log=log)
    if args.format == "csv":
        _emit(diff, "csv")
    else:
        for line in report(diff):
            print(safe_text(line))
    return 0 if diff.empty else 1


def _cmd_import_yearbooks(args) -> int:
    from lnanalysis.extract.yearbook.cells import import_yearbooks
    from lnanalysis.extract.yearbook.fetch import yearbook_dir

    folder = Path(args.folder) if args.folder else yearbook_dir()
    if folder is None:
        raise InputError("no yearbook tables: give --folder, or run `make fetch-yearbooks`")
    from lnanalysis.extract.yearbook.overrides import families

    files = [Path(f) for f in args.files] or None
    written = import_yearbooks(
        folder,
        Path(args.mapping),
        version=args.version,
        files=files,
        families=families(args.overrides),
    )
    _added(written[0])
    return 0


def _cmd_import_values(args) -> int:
    from lnanalysis.extract.values import import_values

    path = import_values(
        Path(args.file),
        version=args.version,
        title=args.title,
        publisher=args.publisher,
        url=args.url,
        name=args.name,
    )
    _added(path)
    return 0


def _added(path: Path) -> None:
    from lnanalysis.core.paths import ROOT

    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"added {shown} and its sidecar, listed in data/raw/sources.yaml; next: make briefing")


def _cmd_add_value(args) -> int:
    from lnanalysis.extract.values import add_value
    from lnanalysis.reference.lookup import find_indicator, find_region

    path = add_value(
        region=find_region(args.region),
        indicator=find_indicator(args.indicator),
        year=args.year,
        value=args.value,
        unit=args.unit,
        status=args.status,
        source_url=args.source_url,
        source_title=args.source_title,
        note=args.note,
        tier=args.tier,
        published=args.published,
    )
    _added(path)
    return 0


def _list(frame, text: str | None, key: str, find) -> int:
    """Print the rows matching ``text``; with no match, ``find`` raises with suggestions."""
    from lnanalysis.reference.lookup import search

    hits = search(frame, text)
    if hits.empty and text:
        hits = frame[frame[key] == find(text)]
    _emit(hits, "table")
    return 0


def _cmd_list_regions(args) -> int:
    from lnanalysis.reference.lookup import find_region, regions_frame

    return _list(regions_frame(), args.search, "code", find_region)


def _cmd_list_indicators(args) -> int:
    from lnanalysis.reference.lookup import find_indicator, indicators_frame

    return _list(indicators_frame(), args.search, "id", find_indicator)


def _cmd_list_plans(args) -> int:
    import pandas as pd

    from lnanalysis.core.paths import ROOT
    from lnanalysis.targets.registry import load_registry, plan_files

    load_registry()  # every file validated, and ids unique across the files
    rows = []
    for path in plan_files():
        part = load_registry(path)
        rows.append(
            {
                "plan": part.plan["id"],
                "region": part.plan["region"],
                "title_zh": part.plan["title_zh"],
                "issued": str(part.plan["issued"]),
                "targets": len(part),
                "quantified": sum(t.is_quantified for t in part),
                "registry": str(path.relative_to(ROOT)),
                "text": part.plan["source_file"],
            }
        )
    _emit(pd.DataFrame(rows), "table")
    return 0


def _cmd_list_yearbooks(args) -> int:
    import pandas as pd

    from lnanalysis.extract.yearbook.manifest import manifest
    from lnanalysis.reference.lookup import search

    rows = [
        {"id": t.id, "table_zh": t.table_zh, "file": t.file, "url": t.url}
        for t in manifest().values()
    ]
    hits = search(pd.DataFrame(rows), args.search)
    if hits.empty:
        close = difflib.get_close_matches(args.search, [r["id"] for r in rows], n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(
            f"no yearbook table matches {args.search!r}{hint} (python -m lnanalysis list-yearbooks)"
        )
    _emit(hits, "table")
    return 0


def _cmd_check_layouts(args) -> int:
    from lnanalysis.extract.yearbook.layouts import read_layout_file

    tables = read_layout_file(args.file)
    print(f"{len(tables)} layout maps in {Path(args.file).name} are valid")
    return 0


def _cmd_import_raw(args) -> int:
    from lnanalysis.extract.compiled import import_compiled

    for path in import_compiled(args.version):
        print(path)
    return 0
