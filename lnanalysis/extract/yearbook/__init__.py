"""Read statistical-yearbook spreadsheets into tidy, cell-traceable tables.

``read_yearbook(path)`` infers the table's layout from its cells (settled, where needed,
by the overrides of its table family), reads every block of the table and returns one
row per value cell with its region code, indicator, year, unit and cell address. A file
of the fetch manifest (found by its sha256 or name) is cited by its published URL.
"""

from lnanalysis.extract.yearbook.reader import YearbookTable, read_yearbook

__all__ = ["YearbookTable", "read_yearbook"]
