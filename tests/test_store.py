"""The indicator store: real build end to end, and every kind of bad row stops it."""

import datetime as dt

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook
from synthetic import RAW_HEADER, RAW_ROW, RAW_SOURCE

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

HEADER, GOOD, SRC = RAW_HEADER, RAW_ROW, RAW_SOURCE
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

    _raw(tmp_path, [_row(), _row()])
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"sources": [SRC]}), encoding="utf-8")
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
                tier_rank=2,
                source_tier="official_repost",
                value_raw="334.1",
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
                tier_rank=2,
                source_tier="official_repost",
                value_raw="363.8",
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
                tier_rank=2,
                source_tier="official_repost",
                value_raw="600",
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
                tier_rank=2,
                source_tier="official_repost",
                value_raw="600.4",
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
    assert (
        report.loc[2011, "values"]
        == "363.8 (final; nbs_rd_bulletin) | 334.1 (preliminary; ln_stat_bulletin)"
    )


def _fig(obs_id, value, *, raw=None, tier=2, status="final", bound="", url=None):
    """One SYNTHETIC observation of LN rd_expenditure 2015."""
    return dict(
        obs_id=obs_id,
        region="LN",
        indicator="rd_expenditure",
        year=2015,
        value=value,
        bound=bound,
        value_raw=raw if raw is not None else f"{value:g}",
        status=status,
        tier_rank=tier,
        source_tier={
            1: "official",
            2: "official_repost",
            3: "yearbook_transcription",
            4: "news",
            5: "secondary",
        }[tier],
        family_rank=2,
        published="2016-10-01",
        source_url=url or f"https://example.org/{obs_id}",
        source_family="cstsy",
    )


def test_a_better_tier_wins_between_figures_that_differ():
    obs = pd.DataFrame([_fig("yearbook", 363.4, tier=3), _fig("official", 360.0, tier=1)])
    marked = select_preferred(obs).set_index("obs_id")
    assert marked.loc["official", "preferred"] and not marked.loc["yearbook", "preferred"]
    assert conflicts_report(obs).iloc[0]["reason"] == "tier_rank: 1 over 3"


def test_an_equal_figure_with_more_digits_wins_and_is_no_conflict():
    # 29.49万 (rounded, official repost) and 294929 (exact, yearbook) are one figure
    obs = pd.DataFrame(
        [_fig("bulletin", 295000.0, raw="29.5", tier=2), _fig("yearbook", 294929.0, tier=3)]
    )
    marked = select_preferred(obs).set_index("obs_id")
    assert marked.loc["yearbook", "preferred"] and not marked.loc["bulletin", "preferred"]
    assert conflicts_report(obs).empty


def test_more_digits_on_a_secondary_page_do_not_displace_an_official_figure():
    obs = pd.DataFrame([_fig("official", 4375.0, tier=1), _fig("blog", 4374.6323, tier=5)])
    marked = select_preferred(obs).set_index("obs_id")
    assert marked.loc["official", "preferred"] and not marked.loc["blog", "preferred"]


def test_identical_copies_of_a_figure_are_counted_once_in_a_conflict():
    obs = pd.DataFrame(
        [
            _fig("a", 10298.4, tier=3, url="https://example.org/1"),
            _fig("b", 10298.4, tier=3, url="https://example.org/2"),
            _fig("c", 10240.0, tier=4, status="preliminary"),
        ]
    )
    row = conflicts_report(obs).iloc[0]
    assert row["values"] == "10298.4 ×2 (final; cstsy) | 10240 (preliminary; cstsy)"
    assert row["reason"] == "status: final over preliminary"
