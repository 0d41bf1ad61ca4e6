"""Atomic writes and exports that are safe to open in a spreadsheet program."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

# A spreadsheet may run a cell as a formula when it starts with one of these (a leading
# tab or carriage return is stripped by some programs before they look)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_all_atomic(writers: dict[Path, Callable[[Path], None]]) -> list[Path]:
    """Write several files as one set: all are staged first, then renamed into place.

    An interruption while staging leaves every previous file untouched and removes
    the staged copies, and the folders made for them; only the final renames (no
    writing) remain between old and new.
    """
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []  # folders this call made, parents first
    try:
        for target, writer in writers.items():
            target = Path(target)
            missing = [f for f in (target.parent, *target.parent.parents) if not f.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            staged.append((Path(tmp), target))
            try:
                writer(Path(tmp))
            except Exception as exc:
                cause = _os_error(exc)
                if cause is None:
                    raise
                # name the file being written (a failed write() names none)
                raise OSError(cause.errno, cause.strerror or str(cause), str(target)) from exc
            os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return [target for _, target in staged]


def _os_error(exc: BaseException) -> OSError | None:
    """Return the operating-system error behind ``exc`` (a writer may wrap it), or None."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno is not None:
            return exc
        inner = [a for a in getattr(exc, "args", ()) if isinstance(a, OSError)]
        exc = inner[0] if inner else (exc.__cause__ or exc.__context__)
        seen += 1
    return None


def remove_stale_staging(*folders: Path) -> list[Path]:
    """Remove the staged files (``.<name>.<random>.tmp``) a killed build left; return them."""
    stale = []
    for folder in folders:
        if folder.is_dir():
            stale += [p for p in folder.rglob(".*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def write_atomic(target: Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and atomically move the result to ``target``.

    An interrupted write leaves the previous ``target`` untouched.
    """
    return write_all_atomic({Path(target): writer})[0]


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def escape_formula(value):
    r"""Prefix a text cell that a spreadsheet would run as a formula with an apostrophe.

    A plain signed number ('-3.2') is read as a number, not a formula, and is kept.

    >>> escape_formula("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> escape_formula("\t=1+1")
    "'\t=1+1"
    >>> escape_formula(-3.5), escape_formula("-3.5")
    (-3.5, '-3.5')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return value if _PLAIN_NUMBER.match(value) else "'" + value
    return value


def _one_row(value):
    r"""Write a carriage return inside a cell as a line feed (which the CSV writer quotes).

    A bare carriage return is not quoted by the writer, and a spreadsheet would end the
    row there: the text after it would start a new row, perhaps as a live formula.

    >>> _one_row("x\r\n=2+2"), _one_row("x\r=2+2")
    ('x\n=2+2', 'x\n=2+2')
    """
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells are all escaped with :func:`escape_formula`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_formula)
    out.columns = [escape_formula(str(c)) for c in out.columns]
    return out


def csv_writer(df: pd.DataFrame, *, escape: bool = False) -> Callable[[Path], None]:
    """Return a writer of ``df`` as CSV (UTF-8 without BOM, LF line endings).

    A carriage return inside a cell is written as a line feed (see :func:`_one_row`).
    """
    frame = escape_frame(df) if escape else df
    text = [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]
    if any(frame[c].map(lambda v: isinstance(v, str) and "\r" in v).any() for c in text):
        frame = frame.copy()
        for col in text:
            frame[col] = frame[col].map(_one_row)
    return lambda p: frame.to_csv(p, index=False, encoding="utf-8", lineterminator="\n")


def write_csv(df: pd.DataFrame, target: Path, *, escape: bool = False) -> Path:
    """Write a CSV atomically (UTF-8 without BOM, stable line endings)."""
    return write_atomic(target, csv_writer(df, escape=escape))


_FIXED_DATE = dt.datetime(2000, 1, 1)


def write_xlsx(sheets: dict[str, pd.DataFrame], target: Path) -> Path:
    """Write sheets to an Excel workbook atomically, escaping formula-like text cells."""

    def _write(path: Path) -> None:
        with pd.ExcelWriter(path, engine="xlsxwriter") as xl:
            # A fixed creation date keeps the file byte-identical when its content is
            xl.book.set_properties({"created": _FIXED_DATE})
            for name, df in sheets.items():
                escape_frame(df).to_excel(xl, sheet_name=name[:31], index=False)

    return write_atomic(target, _write)
