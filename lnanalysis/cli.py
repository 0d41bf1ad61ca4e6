"""Command-line interface for people who never open a notebook.

Commands: build, scorecard, project, backtest, read-yearbook, explore, fetch-yearbooks,
import-raw.
"""

from __future__ import annotations

import argparse
import sys

from lnanalysis.core.errors import LnAnalysisError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lnanalysis", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build data/processed/ (and the briefing unless --data-only)")
    b.add_argument("--data-only", action="store_true")
    b.add_argument(
        "--accept-notebooks",
        action="store_true",
        help="replace committed notebooks whose outputs changed (they are nbval's reference)",
    )
    sc = sub.add_parser("scorecard", help="one row per registered target")
    sc.add_argument("--as-of", type=int, default=None, help="replay with data published by then")
    sc.add_argument(
        "--baseline-year",
        type=int,
        default=None,
        help="baseline of growth targets (default 2015; 2014 is the alternative)",
    )
    sc.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    sc.add_argument("--output", default=None, help="file for xlsx (default scorecard.xlsx)")
    pr = sub.add_parser("project", help="projection table of every model and the combination")
    pr.add_argument("indicator")
    pr.add_argument("--region", default="LN")
    pr.add_argument("--as-of", type=int, default=None)
    pr.add_argument("--to", type=int, default=2020)
    pr.add_argument("--format", choices=["table", "csv"], default="table")
    bt = sub.add_parser("backtest", help="score table: indicator x model x horizon")
    bt.add_argument("--format", choices=["table", "csv"], default="table")
    ry = sub.add_parser("read-yearbook", help="tidy table of one yearbook file, cell by cell")
    ry.add_argument("file")
    ry.add_argument("--format", choices=["csv", "json"], default="csv")
    ry.add_argument("--table", default=None, help="layout id (default: found by sha256/name)")
    ry.add_argument("--password", default=None, help="for an encrypted workbook")
    fy = sub.add_parser("fetch-yearbooks", help="download the manifest's yearbook tables")
    fy.add_argument("--mirror", default=None, help="local folder or base URL to fetch from")
    ex = sub.add_parser("explore", help="render the explore notebook for one series (papermill)")
    ex.add_argument("--region", default="LN")
    ex.add_argument("--indicator", default="rd_expenditure")
    ex.add_argument("--as-of", type=int, default=None)
    ex.add_argument("--models", default="drift,loglinear,ets,theta")
    ex.add_argument("--target-value", type=float, default=None)
    ex.add_argument("--target-year", type=int, default=2020)
    cp = sub.add_parser(
        "check-processed", help="rebuild data/processed/ in a scratch folder and list differences"
    )
    cp.add_argument("--format", choices=["table", "csv"], default="table")
    imp = sub.add_parser("import-raw", help="carry the shared compiled figures into data/raw/")
    imp.add_argument("--version", required=True, help="dated folder name, e.g. 2026-11-28")
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; errors print one line and exit 2."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from lnanalysis.pipeline.build import main as build_main

            flags = ["--data-only"] * args.data_only + [
                "--accept-notebooks"
            ] * args.accept_notebooks
            return build_main(flags)
        if args.command == "scorecard":
            return _scorecard(args)
        if args.command == "project":
            return _project(args)
        if args.command == "backtest":
            from lnanalysis.backtest.panel import backtest
            from lnanalysis.store.observations import load_preferred

            scores = backtest(load_preferred())["scores"]
            cols = [
                "indicator",
                "model",
                "horizon",
                "n",
                "mase",
                "smape",
                "coverage_80",
                "coverage_95",
            ]
            _emit(scores[cols], args.format)
            return 0
        if args.command == "read-yearbook":
            from lnanalysis.extract.yearbook import read_yearbook

            result = read_yearbook(args.file, table=args.table, password=args.password)
            for cell, text in result.notes:
                print(f"# note {cell}: {text}", file=sys.stderr)
            _emit(result.data, args.format)
            return 0
        if args.command == "fetch-yearbooks":
            from lnanalysis.extract.yearbook.fetch import fetch_all

            fetch_all(mirror=args.mirror)
            return 0
        if args.command == "explore":
            from lnanalysis.pipeline.explore import render_explore

            print(
                render_explore(
                    region=args.region,
                    indicator=args.indicator,
                    as_of=args.as_of,
                    models=args.models,
                    target_value=args.target_value,
                    target_year=args.target_year,
                )
            )
            return 0
        if args.command == "check-processed":
            return _check_processed(args)
        if args.command == "import-raw":
            from lnanalysis.extract.compiled import import_compiled

            for path in import_compiled(args.version):
                print(path)
            return 0
    except LnAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1


def _emit(frame, fmt: str, output: str | None = None) -> None:
    from pathlib import Path

    import pandas as pd

    from lnanalysis.core.io import csv_writer, write_xlsx

    if fmt == "xlsx":
        target = output or "scorecard.xlsx"
        write_xlsx({"scorecard": frame}, Path(target))
        print(target)
    elif fmt == "csv":
        csv_writer(frame, escape=True)(sys.stdout)
    elif fmt == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=1))
    else:
        with pd.option_context(
            "display.width",
            200,
            "display.max_columns",
            12,
            "display.max_rows",
            500,
            "display.precision",
            3,
        ):
            print(frame.to_string(index=False))


def _scorecard(args) -> int:
    from lnanalysis.targets.scorecard import scorecard

    frame = scorecard(args.as_of, baseline_year=args.baseline_year)
    if args.format == "table":
        frame = frame[
            [
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
        ]
    _emit(frame, args.format, args.output)
    return 0


def _project(args) -> int:
    from lnanalysis.reference.indicators import get_indicator
    from lnanalysis.store.asof import vintage
    from lnanalysis.store.observations import (
        load_calibration,
        load_observations,
        preferred_series,
    )
    from lnanalysis.trend.projection import project

    ind = get_indicator(args.indicator)
    pref = vintage(load_observations(), args.as_of)
    series = preferred_series(ind.id, args.region, preferred=pref)
    proj = project(
        series, args.to, measure=ind.measure, indicator=ind.id, calibration=load_calibration()
    )
    table = proj.table.drop(columns=["mean_t", "se_t"])
    print(
        f"# {ind.id} ({ind.en}, {ind.unit}) in {args.region}; observed to {proj.last_year}"
        f"{'' if args.as_of is None else f' as known at the end of {args.as_of}'}"
    )
    for model, why in proj.skipped.items():
        print(f"# skipped {model}: {why}")
    _emit(table, args.format)
    return 0


def _check_processed(args) -> int:
    import tempfile
    from pathlib import Path

    from lnanalysis.pipeline.build import log
    from lnanalysis.pipeline.check import check_processed, report

    with tempfile.TemporaryDirectory(prefix="lnanalysis-check-") as scratch:
        diff = check_processed(Path(scratch), log=log)
    if args.format == "csv":
        _emit(diff, "csv")
    else:
        for line in report(diff):
            print(line)
    return 0 if diff.empty else 1
