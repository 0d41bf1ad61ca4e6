"""Bring a researcher's own figures into the store: a CSV of values, or one value.

``import_values`` checks every row of a UTF-8 CSV exactly as the build will read
it (region, indicator, unit, year, source), then copies the file unchanged into
``data/raw/additions/<version>/``, writes its provenance sidecar and appends its
entry to ``data/raw/sources.yaml``. Nothing in the package needs editing. A file
already there is never overwritten: a correction is a new version.

Columns (header row): ``region, indicator, year, value, unit, source_url,
source_title`` are required; ``indicator_zh`` (the name as printed), ``note``,
``status`` (preliminary / final / revised), ``tier`` (see
``config/source_tiers.yaml``), ``published`` (ISO date) and ``source_cell`` (the
spreadsheet cell a value was read from, ``file!sheet!cell``) are optional. Without
``status`` the note decides, as for the compiled files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from lnanalysis.core.errors import InputError
from lnanalysis.core.io import write_all_atomic
from lnanalysis.core.parse import parse_number
from lnanalysis.core.paths import RAW_DIR
from lnanalysis.core.textfile import read_csv_rows
from lnanalysis.extract.provenance import sidecar_path, sidecar_text, write_sidecar
from lnanalysis.store.observations import load_sources, read_source

REQUIRED = ("region", "indicator", "year", "value", "unit", "source_url", "source_title")
OPTIONAL = {"indicator_zh": "label", "note": "note", "status": "status", "tier": "tier"}
OPTIONAL["published"] = "published"
OPTIONAL["source_cell"] = "cell"
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.csv$")


def _spec(source_id: str, rel: str, header: list[str]) -> dict:
    columns = {field: field for field in REQUIRED if field != "region"}
    columns["label"] = "indicator"
    for col, field in OPTIONAL.items():
        if col in header:
            columns[field] = col
    return {
        "id": source_id,
        "path": rel,
        "format": "csv",
        "region_column": "region",
        "columns": columns,
    }


def check_version(version: str) -> None:
    """Refuse a version that is not a date (YYYY-MM-DD): it names a folder under data/raw."""
    try:
        ok = bool(_VERSION.match(version)) and dt.date.fromisoformat(version) is not None
    except ValueError:
        ok = False
    if not ok:
        raise InputError(f"version {version!r} must be a date, YYYY-MM-DD")


MAX_FIELD_CHARS = 10_000  # a title or note longer than this is not a citation


def import_values(
    source: Path,
    *,
    version: str,
    title: str,
    publisher: str,
    url: str,
    name: str | None = None,
    raw_dir: Path = RAW_DIR,
    today: dt.date | None = None,
) -> Path:
    """Check ``source`` row by row, then add it to ``data/raw`` as a new raw source.

    Returns the path of the copy. Raises an :class:`InputError` naming the file and
    row for the first bad row, before anything is written.
    """
    source = Path(source)
    check_version(version)
    name = name or source.name
    if not _NAME.match(name):
        raise InputError(f"file name {name!r}: use letters, digits, '.', '_' or '-', ending .csv")
    if not (title.strip() and publisher.strip()):
        raise InputError("a title and a publisher are needed for the sidecar", file=source)
    header, body = read_csv_rows(source)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"missing columns {missing}; required: {', '.join(REQUIRED)}", file=source, row=1
        )
    if not body:
        raise InputError("a header and no value rows: nothing to add", file=source)
    for number, row in enumerate(body, start=2):
        for column, text in zip(header, row, strict=True):
            if len(text) > MAX_FIELD_CHARS:
                raise InputError(
                    f"field {column} holds {len(text):,} characters, over the "
                    f"{MAX_FIELD_CHARS:,} a value row may hold",
                    file=source,
                    row=number,
                )
    rel = f"additions/{version}/{name}"
    source_id = f"additions_{version}_{Path(name).stem}"
    target = raw_dir / rel
    if target.exists():
        raise InputError("already in data/raw; raw files are never overwritten", file=target)
    if any(s["id"] == source_id for s in load_sources(raw_dir)):
        raise InputError(f"source id {source_id!r} is already in sources.yaml", file=target)
    spec = _spec(source_id, rel, header)
    meta = {
        "title": title,
        "publisher": publisher,
        "url": url or "(each row carries its own source_url)",
        "access_date": version,
        "licence": "as stated by each row's source",
        "description": (
            f"Figures added with lnanalysis from {source.name}; every row cites its own source."
        ),
    }
    # Read the file exactly as the build will, from a scratch copy, so a bad row stops here
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / rel
        trial.parent.mkdir(parents=True)
        shutil.copyfile(source, trial)
        write_sidecar(trial, **meta)
        try:
            read_source(spec, Path(scratch), today)
        except InputError as exc:
            raise type(exc)(
                exc.reason, file=source, sheet=None, row=exc.row, cell=exc.cell
            ) from None
    entry = yaml.safe_dump([spec], allow_unicode=True, sort_keys=False, width=100)
    listing = raw_dir / "sources.yaml"
    listed = listing.read_bytes() + "".join(f"  {x}\n" for x in entry.splitlines()).encode()
    sidecar = sidecar_text(source, **meta).encode("utf-8")
    # The copy, its sidecar and the listing are staged together and land as one set:
    # a failure (a full disk) leaves none of them, so the import can simply be retried
    # (and leaves no folder it made)
    write_all_atomic(
        {
            target: lambda p: shutil.copyfile(source, p),
            sidecar_path(target): lambda p: p.write_bytes(sidecar),
            listing: lambda p: p.write_bytes(listed),
        }
    )
    return target


def add_value(
    *,
    region: str,
    indicator: str,
    year: int,
    value: str,
    unit: str,
    status: str,
    source_url: str,
    source_title: str,
    note: str = "",
    tier: str = "",
    published: str = "",
    raw_dir: Path = RAW_DIR,
    today: dt.date | None = None,
) -> Path:
    """Add one figure read in a publication, as a one-row CSV under ``data/raw/additions``.

    The arguments are checked as the command line's options (``--value 'abc': not a
    number``); the row is then checked as the build will read it, and an error names
    the command and the row rather than a temporary file.
    """
    try:
        parse_number(value)
    except InputError as exc:
        raise InputError(f"--value {value!r}: {exc.reason.split(':')[0]}") from None
    if not re.match(r"^https?://\S+$", source_url.strip()):
        raise InputError(f"--source-url {source_url!r}: give the web address, http:// or https://")
    today = today or dt.date.today()
    version = today.isoformat()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", f"value_{region}_{indicator}_{year}").strip("-")
    folder = raw_dir / "additions" / version
    name, n = f"{stem}.csv", 1
    while (folder / name).exists():
        n += 1
        name = f"{stem}_{n}.csv"
    row = {
        "region": region,
        "indicator": indicator,
        "year": str(year),
        "value": str(value),
        "unit": unit,
        "status": status,
        "tier": tier,
        "published": published,
        "source_url": source_url,
        "source_title": source_title,
        "note": note,
    }
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / name
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
            writer.writerow(row)
        try:
            return import_values(
                path,
                version=version,
                name=name,
                title=source_title,
                publisher=source_title,
                url=source_url,
                raw_dir=raw_dir,
                today=today,
            )
        except InputError as exc:
            if exc.file is None or Path(str(exc.file)).parent != Path(scratch):
                raise
            raise type(exc)(exc.reason, file="add-value", row=exc.row, cell=exc.cell) from None
