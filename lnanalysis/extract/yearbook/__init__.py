"""Read statistical-yearbook spreadsheets into tidy, cell-traceable tables.

``read_yearbook(path)`` finds the file's layout map (``config/yearbook_layouts.yaml``)
by its sha256 or file name, reads every block of the table and returns one row per
value cell with its region code, indicator, year, unit and cell address.
"""

from lnanalysis.extract.yearbook.reader import YearbookTable, read_yearbook

__all__ = ["YearbookTable", "read_yearbook"]
