"""Bring yearbook tables into the store: their tidy cells, mapped to the project's indicators.

A mapping (YAML) names, for each table, the indicator path as the reader gives it
(``indicator_zh``), the project's indicator it measures, the publication the
table comes from and when that edition appeared::

    tables:
      rd_expenditure_by_use_2022:
        publication: 中国科技统计年鉴2023
        published: 2023-12-01
        map: {R&D经费内部支出: rd_expenditure}

:func:`extract_cells` reads every table present (its layout inferred from its cells)
into tidy cells with their provenance: file, URL, sha256, sheet and cell.
:func:`store_rows` keeps the mapped cells of provinces and the national total as
rows of a researcher's CSV (:mod:`lnanalysis.extract.values`): final values, each
citing its publication, table and cell. :func:`import_yearbooks` writes both, with
the mapping, as a dated raw version under ``data/raw/additions/``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lnanalysis.core.config import read_yaml
from lnanalysis.core.errors import InputError
from lnanalysis.core.io import write_csv
from lnanalysis.core.paths import RAW_DIR
from lnanalysis.core.progress import log
from lnanalysis.extract.provenance import write_sidecar
from lnanalysis.extract.yearbook.manifest import manifest
from lnanalysis.extract.yearbook.reader import read_yearbook
from lnanalysis.reference.indicators import get_indicator

CELL_COLUMNS = [
    "table_id", "file", "sha256", "source_url", "sheet", "cell", "region", "region_kind",
    "is_aggregate", "region_label", "indicator_zh", "indicator_en", "is_subitem", "year",
    "value", "value_raw", "missing", "unit",
]  # fmt: skip
MAPPING_KEYS = {"publication", "published", "map", "tier"}
# Regions whose cells can become observations (groups such as 东部 cannot)
STORE_KINDS = ("province", "national")


def extract_cells(
    folder: Path,
    files: list[Path] | None = None,
    log: Callable[[str], None] = log,
    families: dict | None = None,
) -> pd.DataFrame:
    """Read yearbook tables into tidy cells with their provenance.

    ``files`` default to every table of the fetch manifest found under ``folder``.
    Each layout is inferred from the cells, settled by ``families`` (overrides by table
    family; default the package's). The frame's ``attrs["titles"]`` gives each table's
    Chinese title by table id.
    """
    if files is None:
        files = [folder / t.file for t in sorted(manifest().values(), key=lambda x: x.id)]
        files = [f for f in files if f.exists()]
    frames, titles = [], {}
    for path in files:
        table = read_yearbook(path, families=families)
        lay = table.layout
        titles[lay.id] = lay.table_zh
        data = table.data.assign(
            table_id=lay.id,
            file=_relative(path, folder),
            sha256=lay.sha256 or "",
            source_url=lay.url or "",
        )
        frames.append(data[CELL_COLUMNS])
        log(f"{lay.id}: {len(data)} cells from {_relative(path, folder)}")
    cells = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CELL_COLUMNS)
    cells = cells.sort_values(["table_id", "sheet", "cell"], kind="stable", ignore_index=True)
    cells.attrs["titles"] = titles
    return cells


def _relative(path: Path, folder: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
    except ValueError:
        return Path(path).name


def read_mapping(path: Path) -> dict[str, dict]:
    """Read and check a mapping file; an unknown key, indicator or date stops with one line."""
    doc = read_yaml(path)
    tables = doc.get("tables") if isinstance(doc, dict) else None
    if not isinstance(tables, dict) or not tables:
        raise InputError("no 'tables:' mapping", file=path)
    for table, spec in tables.items():
        where = {"file": path, "sheet": table}
        if not isinstance(spec, dict):
            raise InputError(
                "an entry must be a mapping of publication, published and map", **where
            )
        if not isinstance(spec.get("map"), dict):
            raise InputError("'map' must map indicator paths to indicator ids", **where)
        unknown = sorted(set(spec) - MAPPING_KEYS)
        if unknown:
            raise InputError(f"unknown keys {unknown}; known: {sorted(MAPPING_KEYS)}", **where)
        for key in ("publication", "published", "map"):
            if not spec.get(key):
                raise InputError(f"'{key}' is missing", **where)
        try:
            dt.date.fromisoformat(str(spec["published"]))
        except ValueError:
            raise InputError(f"published {spec['published']!r} is not a date", **where) from None
        for ind in spec["map"].values():
            get_indicator(ind, **where)
    return tables


def store_rows(cells: pd.DataFrame, mapping: dict[str, dict]) -> pd.DataFrame:
    """Return the mapped cells as rows of a researcher's CSV (final values, with the cell).

    Each row's source title names the table by its Chinese title: as read (in
    ``cells.attrs``, where :func:`extract_cells` leaves it), else the fetch manifest's.
    """
    titles = {t.id: t.table_zh for t in manifest().values()} | cells.attrs.get("titles", {})
    rows = []
    for table, spec in mapping.items():
        part = cells[(cells["table_id"] == table) & cells["region_kind"].isin(STORE_KINDS)]
        part = part[part["indicator_zh"].isin(list(spec["map"])) & (part["missing"] == "")]
        for cell in part.itertuples():
            rows.append(
                {
                    "region": cell.region,
                    "indicator": spec["map"][cell.indicator_zh],
                    "indicator_zh": cell.indicator_zh,
                    "year": int(cell.year),
                    "value": cell.value_raw,
                    "unit": cell.unit,
                    "source_url": cell.source_url,
                    "source_title": f"{spec['publication']}, {titles.get(table, table)}",
                    "status": "final",
                    "tier": spec.get("tier", ""),
                    "published": str(spec["published"]),
                    "source_cell": f"{cell.file}!{cell.sheet}!{cell.cell}",
                    "note": f"yearbook cell {cell.file}!{cell.sheet}!{cell.cell} "
                    f"(sha256 {str(cell.sha256)[:12]}); value as printed",
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        raise InputError("the mapping selects no cell of the tables read")
    return out.sort_values(["indicator", "region", "year"], kind="stable", ignore_index=True)


def import_yearbooks(
    folder: Path,
    mapping_path: Path,
    *,
    version: str,
    files: list[Path] | None = None,
    raw_dir: Path = RAW_DIR,
    log: Callable[[str], None] = log,
    families: dict | None = None,
) -> list[Path]:
    """Extract, map and add the yearbook tables as a dated raw version; return the files.

    Writes ``additions/<version>/yearbook_cells.csv`` (every tidy cell, with its
    sidecar), ``yearbook_mapping.yaml`` and ``yearbook_values.csv`` (the mapped rows,
    checked and listed in ``sources.yaml`` like any researcher's CSV).
    """
    from lnanalysis.extract.values import check_version, import_values

    check_version(version)
    mapping = read_mapping(mapping_path)
    if files is None and not Path(folder).is_dir():
        raise InputError("no such folder", file=folder)
    cells = extract_cells(folder, files, log, families)
    rows = store_rows(cells, mapping)
    target = raw_dir / "additions" / version
    for name in ("yearbook_cells.csv", "yearbook_mapping.yaml", "yearbook_values.csv"):
        if (target / name).exists():
            raise InputError(
                "already in data/raw; raw files are never overwritten", file=target / name
            )
    with tempfile.TemporaryDirectory() as scratch:
        values = Path(scratch) / "yearbook_values.csv"
        write_csv(rows, values)
        added = import_values(
            values,
            version=version,
            title="Yearbook table cells mapped to the project's indicators",
            publisher="as cited by each row (statistical yearbooks)",
            url="(each row carries its own source_url and cell)",
            name="yearbook_values.csv",
            raw_dir=raw_dir,
        )
    write_csv(cells, target / "yearbook_cells.csv")
    write_sidecar(
        target / "yearbook_cells.csv",
        title="Tidy cells read from yearbook tables by lnanalysis",
        publisher="as cited by each row (statistical yearbooks)",
        url="(each row carries its table's source_url and sha256)",
        access_date=version,
        licence="as stated by each table's source",
        description=(
            f"Every cell of {cells['table_id'].nunique()} tables, with file, sheet and cell."
        ),
    )
    shutil.copyfile(mapping_path, target / "yearbook_mapping.yaml")
    log(f"{len(rows)} values from {len(mapping)} tables added as {added.relative_to(raw_dir)}")
    return [added, target / "yearbook_cells.csv", target / "yearbook_mapping.yaml"]
