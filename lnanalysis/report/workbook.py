"""The scorecard as an Excel workbook people can use.

One readable sheet per scorecard (statuses in words in Chinese and English, numbers
formatted, a frozen header, a filter and sized columns), then every column as the
build writes it (``codes``), a ``legend`` of the statuses and schemes, and the
``sources`` of the data. Text that a spreadsheet would run as a formula is escaped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.core.io import _FIXED_DATE, escape_frame, write_atomic
from lnanalysis.targets.metrics import label

# (header, source column or callable, number format, width)
PERCENT, NUMBER, YEAR, TEXT = "0.0%", "#,##0.0##", "0", None


def _status(card: pd.DataFrame, column: str) -> pd.Series:
    return card[column].fillna("no_data").map(lambda s: f"{label(s, 'zh')} / {label(s, 'en')}")


def readable(card: pd.DataFrame) -> tuple[pd.DataFrame, list[str | None], list[int]]:
    """Return the readable sheet of a scorecard, with a number format and width per column."""
    band = [
        "" if pd.isna(lo) else f"{lo:,.4g} – {hi:,.4g}"
        for lo, hi in zip(card["projected_lo80"], card["projected_hi80"], strict=True)
    ]
    columns = [
        ("目标 Target", card["label_zh"] + " / " + card["name_en"], TEXT, 60),
        ("指标 Series", card["series"].fillna(""), TEXT, 28),
        ("替代 Proxy", card["proxy"].map(lambda p: "是 yes" if p is True else ""), TEXT, 8),
        ("单位 Unit", card["unit"].fillna(""), TEXT, 9),
        ("基期 Baseline year", card["baseline_year"], YEAR, 9),
        ("基期值 Baseline", card["baseline_value"], NUMBER, 11),
        ("目标值 Target value", card["target_value"], NUMBER, 11),
        ("目标年 Target year", card["target_year"], YEAR, 9),
        ("最新年 Latest year", card["latest_year"], YEAR, 9),
        ("最新值 Latest value", card["latest_value"], NUMBER, 11),
        ("占目标 % of target", card["pct_of_target"] / 100, PERCENT, 10),
        ("预测 Projected", card["projected"], NUMBER, 11),
        ("80%区间 80% band", pd.Series(band, index=card.index), TEXT, 18),
        ("达标概率 P(meet)", card["p_meet"], PERCENT, 10),
        ("基准率 Base rate", card["base_rate"], PERCENT, 10),
        ("按年均增速 Pace since baseline", card["v_hat"], NUMBER, 12),
        ("欧盟统计局 Eurostat", _status(card, "status_eurostat"), TEXT, 26),
        ("联合国 UN SDG", _status(card, "status_un"), TEXT, 26),
        ("时间过半 China", _status(card, "status_china"), TEXT, 24),
        ("结果 Outcome", _status(card, "ex_post"), TEXT, 16),
        ("说明 Reason", card["reason"].fillna(""), TEXT, 60),
    ]
    frame = pd.DataFrame({name: values for name, values, _, _ in columns})
    return frame, [fmt for *_, fmt, _ in columns], [w for *_, w in columns]


def legend() -> pd.DataFrame:
    """Every status code with its Chinese and English words, and the scheme it belongs to."""
    cfg = load_yaml("assessment.yaml")
    schemes = {
        band["status"]: name
        for name in ("eurostat", "un_sdg", "china_midterm")
        for band in cfg[name]["bands"]
    }
    rows = [
        {"code": code, "中文": words["zh"], "English": words["en"], "scheme": schemes.get(code, "")}
        for code, words in cfg["labels"].items()
    ]
    return pd.DataFrame(rows)


def write_scorecard_workbook(
    cards: dict[str, pd.DataFrame], target: Path, sources: pd.DataFrame | None = None
) -> Path:
    """Write the scorecards (by sheet name) to ``target`` atomically; return the path."""

    def _write(path: Path) -> None:
        with pd.ExcelWriter(path, engine="xlsxwriter") as xl:
            book = xl.book
            book.set_properties({"created": _FIXED_DATE})
            head = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
            for name, card in cards.items():
                frame, formats, widths = readable(card)
                escape_frame(frame).to_excel(xl, sheet_name=name[:31], index=False)
                sheet = xl.sheets[name[:31]]
                for col, (fmt, width) in enumerate(zip(formats, widths, strict=True)):
                    sheet.set_column(col, col, width)
                    sheet.write(0, col, frame.columns[col], head)
                    if fmt is None:
                        continue
                    cell = book.add_format({"num_format": fmt})
                    values = pd.to_numeric(frame.iloc[:, col], errors="coerce")
                    for row, value in enumerate(values, start=1):
                        if pd.notna(value):
                            sheet.write_number(row, col, float(value), cell)
                sheet.set_row(0, 30)
                sheet.freeze_panes(1, 1)
                sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
            first = next(iter(cards.values()))
            escape_frame(first).to_excel(xl, sheet_name="codes", index=False)
            xl.sheets["codes"].freeze_panes(1, 1)
            legend().to_excel(xl, sheet_name="legend", index=False)
            xl.sheets["legend"].set_column(0, 3, 24)
            if sources is not None:
                escape_frame(sources).to_excel(xl, sheet_name="sources", index=False)
                xl.sheets["sources"].set_column(0, len(sources.columns) - 1, 30)

    return write_atomic(target, _write)
