"""Carry the compiled official figures from the shared folder into ``data/raw/``.

Each CSV becomes a workbook whose sheet ``data`` holds every value row exactly as
compiled (values as text, so ``2.00`` and ``>600`` survive) with its source URL,
title and note, and whose sheet ``source`` holds the file-level citation. A
provenance sidecar records md5 and size. Existing raw files are never
overwritten: a new release goes into a new dated folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from lnanalysis.core.errors import InputError
from lnanalysis.core.paths import RAW_DIR, shared_dir
from lnanalysis.core.textfile import read_csv_rows
from lnanalysis.extract.provenance import md5_of, write_sidecar
from lnanalysis.extract.values import check_version

COMPILED = {
    "liaoning_indicators.csv": {
        "out": "liaoning_indicators.xlsx",
        "title": (
            "Liaoning and national S&T indicators 2008-2024, compiled from official publications"
        ),
        "publisher": (
            "Liaoning Provincial Bureau of Statistics; National Bureau of Statistics (NBS); "
            "Ministry of Science and Technology; CNIPA (one row per figure, each with its own URL)"
        ),
        "url": "https://www.stats.gov.cn/sj/",
        "report": "liaoning_indicators_REPORT.md",
    },
    "province_rd_panel.csv": {
        "out": "province_rd_panel.xlsx",
        "title": (
            "China provincial R&D panel 2009-2023 (全国科技经费投入统计公报 附表; 中国科技统计年鉴)"
        ),
        "publisher": (
            "National Bureau of Statistics; Ministry of Science and Technology; Ministry of Finance"
        ),
        "url": "https://github.com/huhuaping/techme/tree/9ad60a190dec4a56953da9c478d42cd44c80762a",
        "report": "province_rd_panel_REPORT.md",
    },
    "province_rd_intensity_revised_CSTSY.csv": {
        "out": "province_rd_intensity_revised_cstsy.xlsx",
        "title": (
            "Provincial R&D intensity, revised series "
            "(中国科技统计年鉴2024 表1-8; 2019 edition 2011 column)"
        ),
        "publisher": "National Bureau of Statistics; Ministry of Science and Technology",
        "url": (
            "https://github.com/huhuaping/techme/blob/9ad60a190dec4a56953da9c478d42cd44c80762a/"
            "data-raw/tech-yearbook/part01-over/02-spend-intense/raw-2023.xls"
        ),
        "report": "province_rd_panel_REPORT.md",
    },
}


def _write_workbook(target: Path, header, body, citation: dict, source: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(header)
    for n, row in enumerate(body, start=2):
        try:
            ws.append(row)
        except IllegalCharacterError:
            raise InputError(
                "a control character a workbook cannot hold", file=source, row=n
            ) from None
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    meta = wb.create_sheet("source")
    for key, value in citation.items():
        meta.append([key, value])
    # Fixed timestamps keep the file byte-stable for a given input.
    stamp = dt.datetime(2026, 11, 28)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "lnanalysis"
    wb.save(target)


def import_compiled(version: str, *, shared: Path | None = None, raw: Path = RAW_DIR) -> list[Path]:
    """Write the compiled CSVs of the shared folder into ``raw/compiled/<version>/``.

    Raises
    ------
    InputError
        If the version is not a date (a path such as ``../..`` never leaves data/raw), a
        compiled file is missing, or the target folder already holds a file (raw files are
        immutable).
    """
    check_version(version)
    src_dir = (shared or shared_dir()) / "data"
    missing = [name for name in COMPILED if not (src_dir / name).is_file()]
    if missing:
        raise InputError(f"compiled files missing: {', '.join(missing)}", file=src_dir)
    out_dir = raw / "compiled" / version
    for spec in COMPILED.values():
        if (out_dir / spec["out"]).exists():
            raise InputError("exists; raw files are never overwritten", file=out_dir / spec["out"])
    # Every file is read (and refused, naming its row) before anything is written
    tables = {name: read_csv_rows(src_dir / name) for name in COMPILED}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in COMPILED.items():
        src = src_dir / name
        target = out_dir / spec["out"]
        header, body = tables[name]
        citation = {k: spec[k] for k in ("title", "publisher", "url")}
        _write_workbook(target, header, body, citation, src)
        write_sidecar(
            target,
            title=spec["title"],
            publisher=spec["publisher"],
            url=spec["url"],
            access_date=version,
            licence="Official statistics of the People's Republic of China (public information)",
            description=(
                f"Every value row keeps its own source_url, source_title and note. "
                f"Carried unchanged from the compiled file {name} ({len(body)} rows, md5 "
                f"{md5_of(src)}); values stored as text exactly as compiled. See {spec['report']}."
            ),
            upstream_file=name,
            upstream_md5=md5_of(src),
            rows=len(body),
        )
        report = src_dir / spec["report"]
        report_target = out_dir / spec["report"]
        if report.exists() and not report_target.exists():
            report_target.write_bytes(report.read_bytes())
        written.append(target)
    return written
