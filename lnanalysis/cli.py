"""Command-line interface for people who never open a notebook.

Commands: build, scorecard, project, backtest, read-yearbook, explore, fetch-yearbooks,
import-raw.
"""

from __future__ import annotations

import argparse
import sys

from lnanalysis.errors import LnAnalysisError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lnanalysis", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build data/processed/ (and the briefing unless --data-only)")
    b.add_argument("--data-only", action="store_true")
    imp = sub.add_parser("import-raw", help="carry the shared compiled figures into data/raw/")
    imp.add_argument("--version", required=True, help="dated folder name, e.g. 2026-11-28")
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; errors print one line and exit 2."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from lnanalysis.build import main as build_main

            return build_main(["--data-only"] if args.data_only else [])
        if args.command == "import-raw":
            from lnanalysis.ingest import import_compiled

            for path in import_compiled(args.version):
                print(path)
            return 0
    except LnAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1
