r"""Read text files strictly as UTF-8, with errors that say where and what to do.

A UTF-8 byte-order mark is accepted and removed (Excel writes one). Any other
encoding is an error naming the file, line and byte; a file that decodes as
GB18030 (GBK) says so, since that is how Chinese spreadsheets are often saved.

>>> decode_utf8(b"\xef\xbb\xbfregion,value\n", "x.csv")
'region,value\n'
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lnanalysis.core.errors import InputError

BOM = b"\xef\xbb\xbf"


class EncodingError(InputError):
    """A text file that is not UTF-8."""


def decode_utf8(data: bytes, path) -> str:
    """Return ``data`` decoded as UTF-8 (BOM removed) or raise EncodingError."""
    data = data.removeprefix(BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = "; it decodes as GBK/GB18030: re-save it as UTF-8"
        except UnicodeDecodeError:
            pass
        raise EncodingError(
            f"not UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 2]!r}){hint}",
            file=path,
            row=line,
        ) from None


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of a UTF-8 CSV; a row of the wrong width is an error."""
    rows = list(csv.reader(io.StringIO(decode_utf8(Path(path).read_bytes(), path), newline="")))
    if not rows:
        raise InputError("empty CSV file", file=path)
    header, body = rows[0], rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} fields where the header has {len(header)}", file=path, row=i
            )
    return header, body
