"""Read raw source files independently of the package (openpyxl for workbooks, csv for text)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl


def raw_rows(path: Path, sheet: str = "") -> list[tuple]:
    """Every row of a raw file, header first, as the spreadsheet or CSV holds it."""
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return [tuple(r) for r in csv.reader(fh)]
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[sheet or "data"].iter_rows(values_only=True))
    book.close()
    return rows


def value_rows(path: Path, sheet: str = "") -> int:
    """Count the non-empty rows under the header."""
    return sum(any(v not in (None, "") for v in r) for r in raw_rows(path, sheet)[1:])
