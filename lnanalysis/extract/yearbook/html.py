"""Web tables saved under an Excel name: read the HTML table as one cell grid.

Data services often hand out a page of HTML named ``.xls``. It is recognised by its
first bytes (markup, not a workbook signature) and its tables become one grid, in a
sheet named ``'html'``, with row and column spans expanded so that cells keep their
places. The grid then goes through the same reader as a workbook's.
"""

from __future__ import annotations

from html.parser import HTMLParser

Grid = list[list]


class SpanLimitError(ValueError):
    """A table whose row and column spans would expand past the cell limit."""


def looks_like_html(head: bytes) -> bool:
    r"""Return whether a file's first bytes are HTML markup holding a page or a table.

    >>> looks_like_html(b"\xef\xbb\xbf  <html><table>"), looks_like_html(b"PK\x03\x04")
    (True, False)
    """
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and (b"<html" in text or b"<table" in text)


class _TableParser(HTMLParser):
    """Collect an HTML page's tables as one grid (rowspan/colspan expanded, value top-left).

    Text outside tables in ``div``/``p``/``h1``-``h6``/``title``-free blocks before a
    table becomes a one-cell row, so that a page title stays above the table.
    """

    _BLOCKS = ("div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "caption")

    def __init__(self, max_cells: int) -> None:
        super().__init__(convert_charrefs=True)
        self._budget = max_cells  # cells still allowed, spans expanded
        self.rows: list[list[str]] = []
        self._table_depth = 0
        self._table_rows: list[list[str]] = []
        self._pending: dict[tuple[int, int], str] = {}  # (row, col) cells filled by rowspan
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._loose: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "table":
            self._flush_loose()
            self._table_depth += 1
            if self._table_depth == 1:
                self._table_rows, self._pending = [], {}
        elif tag == "tr" and self._table_depth == 1:
            self._row = []
        elif tag in ("td", "th") and self._table_depth == 1 and self._row is not None:
            self._cell = []
            self._span = (_int(attrs.get("rowspan")), _int(attrs.get("colspan")))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag in self._BLOCKS and self._table_depth == 0:
            self._flush_loose()

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = "".join(self._cell).replace("\xa0", " ").strip()
            r = len(self._table_rows)
            while (r, len(self._row)) in self._pending:
                self._row.append(self._pending.pop((r, len(self._row))))
            c0 = len(self._row)
            rowspan, colspan = self._span
            self._budget -= rowspan * colspan
            if self._budget < 0:
                raise SpanLimitError(
                    f"row {r + 1} of a table: a cell spanning {rowspan:,} rows x {colspan:,} "
                    "columns takes the page past the limit of cells for a statistical table "
                    "(refused unread)"
                )
            for k in range(colspan):
                self._row.append(text if k == 0 else "")
                for dr in range(1, rowspan):
                    self._pending[(r + dr, c0 + k)] = ""
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table_depth == 1:
            r = len(self._table_rows)
            while (r, len(self._row)) in self._pending:
                self._row.append(self._pending.pop((r, len(self._row))))
            self._table_rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table_depth:
            self._table_depth -= 1
            if self._table_depth == 0:
                self.rows.extend(self._table_rows)
        elif tag in self._BLOCKS and self._table_depth == 0:
            self._flush_loose()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._table_depth == 0 and not self._in_head:
            self._loose.append(data)

    def _flush_loose(self) -> None:
        text = " ".join("".join(self._loose).split())
        if text:
            self.rows.append([text])
        self._loose = []


def _int(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def html_grids(raw: bytes, max_cells: int) -> dict[str, Grid]:
    """Return the tables of an HTML page as one grid in a sheet named ``'html'``.

    The page is decoded as UTF-8, else as GB18030 (the other encoding such pages use);
    every row is padded to the widest row, cells as text. Spans are counted as they
    expand: past ``max_cells`` cells, or a padded grid past it, :class:`SpanLimitError`.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    parser = _TableParser(max_cells)
    parser.feed(text)
    parser.close()
    width = max((len(r) for r in parser.rows), default=0)
    if width * len(parser.rows) > max_cells:
        raise SpanLimitError(
            f"the page's tables span {len(parser.rows):,} rows x {width:,} columns, over "
            f"the limit of {max_cells:,} cells for a statistical table (refused unread)"
        )
    return {"html": [row + [""] * (width - len(row)) for row in parser.rows]}
