"""Look inside an .xlsx/.xlsm package before its cells are parsed.

Reads are bounded: no part is read past ``MAX_PART_BYTES``, whatever its header
claims. Reports, per sheet, the extent of the used range (so a huge or sparse sheet
is refused before a cell grid is allocated) and the cells holding a formula with no
cached value (a file saved without calculating); and whether the package carries
macros (they are never run: only cell values are read).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import unescape

from lnanalysis.core.errors import WorkbookError

MAX_PART_BYTES = 200 * 1024 * 1024
_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_SHEET_ALT = re.compile(rb'<sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_ALT = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_ENTITIES = {"&quot;": '"', "&apos;": "'"}
_DIMENSION = re.compile(rb'<dimension\b[^>]*?ref="[A-Z]*\d*:?([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<v>[^<]+</v>")


@dataclass
class Package:
    """What the inspection found."""

    extent: dict[str, tuple[int, int]] = field(default_factory=dict)  # rows, columns
    formulas_without_value: dict[str, set[str]] = field(default_factory=dict)
    has_macros: bool = False


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _read(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise WorkbookError(
            f"part {name} expands past {MAX_PART_BYTES / 1e6:.0f} MB (refused: possible zip bomb)",
            file=path,
        )
    return data


def _sheet_parts(zf: zipfile.ZipFile, path: Path) -> dict[str, str]:
    book = _read(zf, "xl/workbook.xml", path)
    rels = _read(zf, "xl/_rels/workbook.xml.rels", path)
    targets = dict(_REL.findall(rels)) or {i: t for t, i in _REL_ALT.findall(rels)}
    sheets = _SHEET.findall(book) or [(n, i) for i, n in _SHEET_ALT.findall(book)]
    out = {}
    for name, rid in sheets:
        target = targets.get(rid, b"").decode()
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[unescape(name.decode("utf-8"), _ENTITIES)] = posixpath.normpath(part)
    return out


def inspect_package(data: bytes, path: Path) -> Package:
    """Inspect an OOXML workbook's bytes; raise WorkbookError when it cannot be trusted."""
    found = Package()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            found.has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
            for sheet, part in _sheet_parts(zf, path).items():
                if part not in names:
                    continue
                xml = _read(zf, part, path)
                # The extent: the largest row and column anywhere, the declared dimension,
                # and the count of rows (rows and cells may omit their r= attribute)
                refs = _CELL_REF.findall(xml)
                dim = _DIMENSION.search(xml[:4096])
                rows = [int(r) for r in _ROW.findall(xml)] + [int(r) for _, r in refs]
                rows += [xml.count(b"<row"), int(dim.group(2)) if dim else 0]
                cols = [_col_number(c) for c, _ in refs] + [_col_number(dim.group(1)) if dim else 0]
                found.extent[sheet] = (max(rows), max([*cols, 1]))
                missing = set()
                for attrs, body in _CELL.findall(xml):
                    if body and b"<f" in body and not _VALUE.search(body):
                        ref = _REF.search(attrs)
                        if ref:
                            missing.add(ref.group(1).decode())
                found.formulas_without_value[sheet] = missing
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise WorkbookError(f"truncated or corrupt .xlsx ({exc})", file=path) from None
    return found
