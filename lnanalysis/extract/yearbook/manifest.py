"""The fetch manifest: which yearbook tables the project knows, where each is published.

``config/yearbook_manifest.csv`` gives, per table id, the table's Chinese title (as
inference reads it, so that a store row can name its table without the file at hand),
the file's path (relative to the folder of tables), its public URL and its sha256. It
says nothing of where a table's parts are: every table is read with the layout inferred
from its cells (:mod:`~lnanalysis.extract.yearbook.infer`), settled where needed by the
overrides of its table family (``config/yearbook_overrides.yaml``). The manifest lets
a read cite the published file, and ``fetch-yearbooks`` check what it downloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lnanalysis.core.config import load_csv
from lnanalysis.core.digest import MISSING, NOT_A_FILE, file_digest
from lnanalysis.core.errors import LayoutError

MANIFEST = "yearbook_manifest.csv"
MANIFEST_COLUMNS = ("table_id", "table_zh", "file", "url", "sha256")


@dataclass(frozen=True)
class KnownTable:
    """One table of the manifest: id, Chinese title, file (relative path), URL and sha256."""

    id: str
    table_zh: str
    file: str
    url: str
    sha256: str


@cache
def manifest() -> dict[str, KnownTable]:
    """Return the tables of the fetch manifest by id (cached)."""
    out = {}
    for n, row in enumerate(load_csv(MANIFEST, required=MANIFEST_COLUMNS), start=2):
        where = {"file": f"lnanalysis/config/{MANIFEST}", "row": n}
        if row["table_id"] in out:
            raise LayoutError(f"table {row['table_id']} is listed twice", **where)
        if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"]):
            raise LayoutError(f"sha256 {row['sha256']!r} is not 64 hex digits", **where)
        out[row["table_id"]] = KnownTable(**{"id": row["table_id"]}, **_fields(row))
    return out


def _fields(row: dict) -> dict[str, str]:
    return {key: row[key] for key in MANIFEST_COLUMNS[1:]}


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file (memoised while the file is unchanged)."""
    digest = file_digest(Path(path))
    if digest in (MISSING, NOT_A_FILE):
        raise FileNotFoundError(f"{path}: {digest}")
    return digest


def known_table(path: Path, table: str | None = None, digest: str | None = None):
    """Return the manifest's table that a file is: by id if given, else by sha256, else by name.

    Returns None for a file the manifest does not know (a researcher's own table).

    Raises
    ------
    LayoutError
        When ``table`` is given and the manifest has no such id.
    """
    known = manifest()
    if table is not None:
        if table not in known:
            close = ", ".join(sorted(t for t in known if table in t or t in table)[:3])
            hint = f"; did you mean {close}?" if close else ""
            raise LayoutError(
                f"no table {table!r} in the fetch manifest ({MANIFEST}){hint} "
                "(python -m lnanalysis list-yearbooks)",
                file=path,
            )
        return known[table]
    digest = digest or sha256_of(path)
    for entry in known.values():
        if entry.sha256 == digest:
            return entry
    name = Path(path).name
    for entry in known.values():
        if Path(entry.file).name == name:
            return entry
    return None
