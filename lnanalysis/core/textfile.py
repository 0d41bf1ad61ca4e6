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


# A text input (configuration, a CSV of figures) larger than this is not one
MAX_TEXT_BYTES = 64 * 1024 * 1024


def read_bytes_bounded(
    path: Path,
    limit: int = MAX_TEXT_BYTES,
    *,
    error: type[InputError] = InputError,
    verb: str = "read",
    what: str = "",
) -> bytes:
    """Return a regular file's bytes; a device, pipe, folder or huge file is refused unread.

    ``error`` is the class raised, naming the file; ``verb`` and ``what`` word it
    ("cannot <verb>: ...", "... over the N MB limit<what>").
    """
    import stat

    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise error(f"not a regular file ({kind})", file=path)
        if info.st_size > limit:
            raise error(
                f"{info.st_size / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB limit{what}",
                file=path,
            )
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise error(f"cannot {verb}: {exc.strerror or exc}", file=path) from None


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of a UTF-8 CSV; a row of the wrong width is an error."""
    text = decode_utf8(read_bytes_bounded(path), path)
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise InputError("a NUL byte: not a text file", file=path, row=line)
    csv.field_size_limit(MAX_TEXT_BYTES)  # a long field is data, not an attack on the parser
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=path) from None
    if not rows:
        raise InputError("empty CSV file", file=path)
    header, body = rows[0], rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} fields where the header has {len(header)}", file=path, row=i
            )
    return header, body
