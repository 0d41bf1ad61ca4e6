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

# A whole SYNTHETIC plan for Jilin: its text, its sidecar and its registry file.
# The plan does not exist; the text says so in its first line.
PLAN_ID = "jl_synthetic_2016"
PLAN_TEXT = (
    "SYNTHETIC 测试用虚构规划文本，并非真实文件。\n"
    "一、主要目标\n"
    "到2020年，全省研发经费投入强度达到1.5%，研发经费投入总额比2015年翻一番。\n"
)
PLAN_META = {
    "title": "SYNTHETIC plan text for tests (not a real document)",
    "publisher": "none (synthetic)",
    "issued": "2016-01-01",
    "url": "",
    "url_note": "Synthetic test material; it has no address.",
    "access_date": "2026-12-04",
}


def plan_registry(region: str = "吉林") -> dict:
    """Return the SYNTHETIC plan's registry (region given by name, as a user may)."""
    common = {
        "clause": "一",
        "clause_title_zh": "主要目标",
        "theme": "rd_investment",
        "target_year": 2020,
        "period": None,
        "milestones": [],
        "public_series": True,
        "proxy": None,
        "parent": None,
        "notes": "SYNTHETIC target of a synthetic plan.",
    }
    intensity = common | {
        "id": "jl_synthetic_rd_intensity_1_5pct",
        "quote": "全省研发经费投入强度达到1.5%",
        "label_zh": "研发经费投入强度达到1.5%",
        "name_en": "SYNTHETIC: R&D intensity reaches 1.5%",
        "kind": "level",
        "indicator": "rd_intensity",
        "unit": "%",
        "comparator": ">=",
        "target_value": 1.5,
        "baseline": {"year": 2015, "reason": "plan base year"},
        "path": "linear",
    }
    doubling = common | {
        "id": "jl_synthetic_rd_doubling",
        "quote": "研发经费投入总额比2015年翻一番",
        "label_zh": "研发经费投入总额比2015年翻一番",
        "name_en": "SYNTHETIC: R&D expenditure doubles on 2015",
        "kind": "growth_multiple",
        "indicator": "rd_expenditure",
        "unit": "亿元",
        "comparator": ">=",
        "target_value": 2.0,
        "baseline": {"year": 2015, "reason": "named by the plan"},
        "path": "compound",
    }
    plan = {
        "id": PLAN_ID,
        "title_zh": "吉林省合成测试规划",
        "title_en": "SYNTHETIC Jilin test plan",
        "issuer": "SYNTHETIC",
        "issued": "2016-01-01",
        "base_year": 2015,
        "source_file": f"data/raw/plans/{PLAN_ID}.txt",
        "region": region,
    }
    return {"plan": plan, "targets": [intensity, doubling]}
