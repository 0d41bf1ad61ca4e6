"""The indicator store: real build end to end, and every kind of bad row stops it."""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from lnanalysis.core.errors import (
    ChecksumError,
    DuplicateRowError,
    MissingSourceError,
    PlausibilityError,
    UnknownIndicatorError,
    UnknownUnitError,
)
from lnanalysis.extract.provenance import write_sidecar
from lnanalysis.store.observations import build_observations, read_source
from lnanalysis.store.preferred import conflicts_report, select_preferred

HEADER = [
    "region",
    "indicator",
    "indicator_zh",
    "year",
    "value",
    "unit",
    "source_url",
    "source_title",
    "note",
]
GOOD = [
    "Liaoning",
    "rd_expenditure",
    "R&D经费",
    "2015",
    "363.4",
    "亿元",
    "https://example.org/a",
    "SYNTHETIC test source",
    "final",
]
SRC = {
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
TODAY = dt.date(2026, 11, 28)


def _raw(tmp_path, rows):
    """Write a SYNTHETIC raw workbook with a valid sidecar."""
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path = tmp_path / "syn.xlsx"
    wb.save(path)
    write_sidecar(
        path,
        title="synthetic",
        publisher="tests",
        url="https://example.org",
        access_date="2026-11-28",
    )
    return path


def _row(**kw):
    row = dict(zip(HEADER, GOOD, strict=True))
    row.update(kw)
    return [row[h] for h in HEADER]


def test_good_rows_become_tidy_observations_with_conversions(tmp_path):
    _raw(tmp_path, [_row(), _row(year="2019", value="5084604", unit="万元")])
    obs = read_source(SRC, tmp_path, TODAY)
    assert list(obs["region"]) == ["LN", "LN"]
    assert obs.loc[1, "value"] == pytest.approx(508.4604)
    assert obs.loc[1, "conversion"] == "万元→亿元 ×0.0001"
    assert obs.loc[1, "value_raw"] == "5084604" and obs.loc[1, "source_row"] == 3


@pytest.mark.parametrize(
    "row,error,message",
    [
        (_row(source_url="", source_title=""), MissingSourceError, "no source"),
        (_row(indicator="rd_spending"), UnknownIndicatorError, "unknown indicator 'rd_spending'"),
        (_row(unit="千元"), UnknownUnitError, "unknown unit '千元'"),
        (_row(unit="%"), UnknownUnitError, "cannot convert"),
        (_row(indicator="sci_literacy", unit="%", value="104"), PlausibilityError, "share 104"),
        (
            _row(indicator="patents_granted", unit="件", value="-5"),
            PlausibilityError,
            "negative count",
        ),
        (_row(year="2031"), PlausibilityError, "future"),
    ],
)
def test_bad_rows_stop_the_build_naming_file_sheet_and_row(tmp_path, row, error, message):
    _raw(tmp_path, [_row(), row])
    with pytest.raises(error, match=message) as info:
        read_source(SRC, tmp_path, TODAY)
    assert "syn.xlsx, sheet 'data', row 3" in str(info.value)


def test_changed_raw_file_fails_its_checksum_and_is_not_modified(tmp_path):
    path = _raw(tmp_path, [_row()])
    with open(path, "ab") as fh:
        fh.write(b"\0")
    before = path.read_bytes()
    with pytest.raises(ChecksumError, match=r"syn\.xlsx"):
        read_source(SRC, tmp_path, TODAY)
    assert path.read_bytes() == before


def test_duplicate_rows_are_an_error(tmp_path, monkeypatch):
    from lnanalysis.store import observations as store

    _raw(tmp_path, [_row(), _row()])
    monkeypatch.setattr(store, "load_yaml", lambda name: {"sources": [SRC]})
    with pytest.raises(DuplicateRowError, match="LN rd_expenditure 2015"):
        build_observations(tmp_path, TODAY)


def test_preference_rule_prefers_final_and_exact_values_and_reports_the_conflict():
    obs = pd.DataFrame(
        [  # SYNTHETIC rows
            dict(
                obs_id="a",
                region="LN",
                indicator="rd_expenditure",
                year=2011,
                value=334.1,
                bound="",
                status="preliminary",
                family_rank=2,
                published="2012-03-01",
                source_url="u1",
                source_family="ln_stat_bulletin",
            ),
            dict(
                obs_id="b",
                region="LN",
                indicator="rd_expenditure",
                year=2011,
                value=363.8,
                bound="",
                status="final",
                family_rank=1,
                published="2012-10-01",
                source_url="u2",
                source_family="nbs_rd_bulletin",
            ),
            dict(
                obs_id="c",
                region="LN",
                indicator="rd_expenditure",
                year=2021,
                value=600.0,
                bound=">",
                status="final",
                family_rank=1,
                published="2022-03-01",
                source_url="u3",
                source_family="secondary",
            ),
            dict(
                obs_id="d",
                region="LN",
                indicator="rd_expenditure",
                year=2021,
                value=600.4,
                bound="",
                status="final",
                family_rank=4,
                published="2022-10-01",
                source_url="u4",
                source_family="nbs_rd_bulletin",
            ),
        ]
    )
    marked = select_preferred(obs)
    assert set(marked.loc[marked["preferred"], "obs_id"]) == {"b", "d"}
    assert len(marked) == 4  # nothing dropped
    report = conflicts_report(obs).set_index("year")
    assert report.loc[2011, "reason"] == "status: final over preliminary"
    assert report.loc[2021, "reason"].startswith("exact")
    assert bool(report.loc[2011, "differs"])
