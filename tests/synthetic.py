"""SYNTHETIC material shared by the test modules; none of it is real data.

A raw value row with its header and the source spec that reads it, and one block of
a yearbook layout map (a title, a unit row, one header row and region rows).
"""

RAW_HEADER = ["region", "indicator", "indicator_zh", "year", "value", "unit"]
RAW_HEADER += ["source_url", "source_title", "note"]
RAW_ROW = ["Liaoning", "rd_expenditure", "R&D经费", "2015", "363.4", "亿元"]
RAW_ROW += ["https://example.org/a", "SYNTHETIC test source", "final"]
RAW_SOURCE = {
    "id": "synthetic",
    "path": "syn.xlsx",
    "sheet": "data",
    "region_column": "region",
    "columns": {
        "indicator": "indicator",
        "label": "indicator_zh",
        "year": "year",
        "value": "value",
        "unit": "unit",
        "source_url": "source_url",
        "source_title": "source_title",
        "note": "note",
    },
}

YEARBOOK_BLOCK = {
    "sheet": "1",
    "title": "A1",
    "unit": "A2",
    "header": [3, 3],
    "data": [4, 5],
    "label": "A",
    "label_en": "B",
    "columns": "C:C",
    "year": "title",
    "expect": {"C": "经费"},
}
