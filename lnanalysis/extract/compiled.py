"""Carry the compiled official figures from the shared folder into ``data/raw/``.

Each compiled CSV named in ``config/compiled.yaml`` is copied unchanged into
``data/raw/compiled/<version>/`` with a provenance sidecar (its citation, md5 and
size) and its report; every value row keeps its own source URL, title and note.
Every file is read strictly before anything is written, and the copies land as one
set. Existing raw files are never overwritten: a new release is a new dated folder.
The sources listing (``data/raw/sources.yaml``) is then pointed at the new version.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lnanalysis.core.config import load_yaml
from lnanalysis.core.errors import InputError
from lnanalysis.core.io import write_all_atomic
from lnanalysis.core.paths import RAW_DIR, shared_dir
from lnanalysis.core.textfile import read_csv_rows
from lnanalysis.extract.provenance import sidecar_path, sidecar_text
from lnanalysis.extract.values import check_version

LICENCE = "Official statistics of the People's Republic of China (public information)"


def compiled_files() -> list[dict]:
    """Return the compiled files and their citations (``config/compiled.yaml``)."""
    return list(load_yaml("compiled.yaml")["files"])


def import_compiled(version: str, *, shared: Path | None = None, raw: Path = RAW_DIR) -> list[Path]:
    """Copy the compiled CSVs of the shared folder into ``raw/compiled/<version>/``.

    Returns the copies, in the order of ``config/compiled.yaml``.

    Raises
    ------
    InputError
        If the version is not a date (a path such as ``../..`` never leaves data/raw), a
        compiled file is missing or cannot be read (its row named), or the target folder
        already holds a file (raw files are immutable).
    """
    check_version(version)
    files = compiled_files()
    src_dir = (shared or shared_dir()) / "data"
    missing = [f["file"] for f in files if not (src_dir / f["file"]).is_file()]
    if missing:
        raise InputError(f"compiled files missing: {', '.join(missing)}", file=src_dir)
    out_dir = raw / "compiled" / version
    if out_dir.exists() and any(out_dir.iterdir()):
        raise InputError(
            "exists; raw files are never overwritten (a new release is a new dated folder)",
            file=out_dir,
        )
    # Every file is read (and refused, naming its row) before anything is written
    rows = {f["file"]: len(read_csv_rows(src_dir / f["file"])[1]) for f in files}
    writers = {}
    for f in files:
        src, target = src_dir / f["file"], out_dir / f["file"]
        meta = sidecar_text(
            src,
            title=f["title"],
            publisher=f["publisher"],
            url=f["url"],
            access_date=version,
            licence=LICENCE,
            description=(
                f"Every value row keeps its own source_url, source_title and note. Carried "
                f"unchanged from the compiled file {f['file']} ({rows[f['file']]} rows). "
                f"See {f['report']}."
            ),
            upstream_file=f["file"],
            rows=rows[f["file"]],
        )
        writers[target] = lambda p, src=src: shutil.copyfile(src, p)
        writers[sidecar_path(target)] = lambda p, text=meta: p.write_text(text, encoding="utf-8")
        report = src_dir / f["report"]
        if report.is_file():  # two files may share one report: it is written once
            writers[out_dir / f["report"]] = lambda p, src=report: shutil.copyfile(src, p)
    write_all_atomic(writers)  # all or nothing, new folders included
    return [out_dir / f["file"] for f in files]
