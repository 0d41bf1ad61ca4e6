"""Progress metrics and statuses against hand-computed values; as-of replay."""

import math

import pandas as pd
import pytest

from lnanalysis.store.asof import known_by, vintage
from lnanalysis.targets.assess import assess_target
from lnanalysis.targets.metrics import china_status, eurostat_status, progress_metrics, un_status
from lnanalysis.targets.registry import load_registry


def test_hand_computed_metrics():
    # x0=100 (2015), xt=121 (2017), T=200 (2020)
    m = progress_metrics(100, 2015, 121, 2017, 200, 2020)
    g_a = 0.1  # 121/100 = 1.1^2
    g_r = 2 ** (1 / 5) - 1
    assert m["g_a"] == pytest.approx(g_a)
    assert m["g_r"] == pytest.approx(g_r)
    assert m["R"] == pytest.approx(g_a / g_r)
    assert m["g_needed"] == pytest.approx((200 / 121) ** (1 / 3) - 1)
    v_hat = 121 * 1.1**3
    assert m["v_hat"] == pytest.approx(v_hat)
    assert m["P"] == pytest.approx((v_hat - 100) / 100)
    assert m["years_ahead_compound"] == pytest.approx(
        2015 + math.log(1.21) / math.log(1 + g_r) - 2017
    )
    assert m["years_ahead_linear"] == pytest.approx(2015 + 21 / 20 - 2017)


@pytest.mark.parametrize(
    "ratio,status",
    [
        (1.2, "on_track"),
        (0.95, "on_track"),
        (0.9499, "acceleration_needed"),
        (0.6, "acceleration_needed"),
        (0.5999, "limited_progress"),
        (0.0, "limited_progress"),
        (-0.1, "moving_away"),
        (float("nan"), "insufficient_data"),
    ],
)
def test_eurostat_bands_including_boundaries(ratio, status):
    assert eurostat_status(ratio) == status


@pytest.mark.parametrize(
    "p,status",
    [
        (0.95, "on_track"),
        (0.5, "acceleration_needed"),
        (0.10, "acceleration_needed"),
        (0.0999, "stagnation_or_regression"),
    ],
)
def test_un_bands(p, status):
    assert un_status(p) == status


@pytest.mark.parametrize(
    "q,status", [(1.2, "faster_than_expected"), (1.0, "broadly_as_expected"), (0.5, "lagging")]
)
def test_china_midterm_bands(q, status):
    assert china_status(q) == status


def test_moving_away_case():
    m = progress_metrics(100, 2015, 90, 2017, 200, 2020)
    assert m["R"] < 0 and eurostat_status(m["R"]) == "moving_away"
    assert un_status(m["P"]) == "stagnation_or_regression"


def _pref(values, indicator="rd_expenditure", bounds=None, published=None):
    rows = []  # SYNTHETIC preferred table
    for i, (year, value) in enumerate(sorted(values.items())):
        rows.append(
            dict(
                obs_id=f"s:{i}",
                region="LN",
                indicator=indicator,
                year=year,
                value=float(value),
                bound=(bounds or {}).get(year, ""),
                value_raw=f"{value:g}",
                status="final",
                family_rank=1,
                tier_rank=1,
                source_url="u",
                published=(published or {}).get(year, f"{year + 1}-10-01"),
            )
        )
    return pd.DataFrame(rows)


def test_missed_doubling_gets_hand_computed_verdicts():
    t = load_registry().get("rd_expenditure_doubling")
    pref = _pref({2015: 100, 2016: 105, 2017: 110, 2018: 116, 2019: 121, 2020: 127})
    rec = assess_target(t, pref, actual_pref=pref, as_of=2019)
    assert rec["target_value"] == pytest.approx(200)
    assert rec["R"] == pytest.approx((1.21 ** (1 / 4) - 1) / (2 ** (1 / 5) - 1))
    assert rec["status_eurostat"] == "limited_progress"
    assert rec["ex_post"] == "missed"


def test_once_the_target_year_has_a_value_every_scheme_reads_met_or_missed():
    t = load_registry().get("rd_expenditure_doubling")
    pref = _pref({2015: 100, 2016: 105, 2017: 110, 2018: 116, 2019: 121, 2020: 127})
    rec = assess_target(t, pref, actual_pref=pref)
    assert {rec[f"status_{s}"] for s in ("eurostat", "un", "china")} == {"missed"}
    assert rec["pct_of_target"] == pytest.approx(63.5)
    # the trend that led there is still reported beside the outcome
    assert rec["R"] == pytest.approx((1.27 ** (1 / 5) - 1) / (2 ** (1 / 5) - 1))


def test_a_target_met_in_its_year_reads_met_with_the_year_first_met():
    t = load_registry().get("sci_literacy_10_8pct")
    pref = _pref({2010: 3.8, 2018: 11.0, 2020: 10.9}, indicator="sci_literacy")
    rec = assess_target(t, pref)
    assert rec["status_eurostat"] == "met" and rec["met_year"] == 2018
    assert rec["baseline_year"] == 2010 and rec["baseline_rule"] == "alternative"


def test_a_missing_baseline_takes_the_next_year_flagged():
    t = load_registry().get("invention_patents_per_10k_7_36")
    pref = _pref({2016: 6.4, 2017: 6.9}, indicator="invention_patents_per_10k")
    rec = assess_target(t, pref, as_of=2018)
    assert (rec["baseline_year"], rec["baseline_rule"]) == (2016, "next_available")
    assert "next available year 2016" in rec["reason"]
    assert rec["status_eurostat"] not in {"baseline_missing", "no_data"}


def test_a_registered_proxy_stands_in_labelled_where_the_own_series_cannot():
    t = load_registry().get("tech_contract_turnover_800yi")
    own = _pref({2011: 159.7, 2016: 340.8}, indicator="tech_contract_turnover")
    proxy = _pref(
        {2014: 217.5, 2015: 267.5, 2016: 323.2, 2017: 385.8},
        indicator="tech_contract_turnover_seller",
    )
    rec = assess_target(t, pd.concat([own, proxy], ignore_index=True), as_of=2018)
    assert rec["proxy"] and rec["series"] == "tech_contract_turnover_seller"
    assert rec["indicator"] == "tech_contract_turnover" and "proxy" in rec["reason"]
    assert rec["baseline_year"] == 2015 and rec["latest_year"] == 2017


def test_a_proxy_in_another_unit_is_never_assessed_against_the_target():
    t = load_registry().get("sei_revenue_share_20pct")
    proxy = _pref({2015: 1000.0, 2017: 1200.0}, indicator="hightech_mfg_revenue")
    rec = assess_target(t, proxy, as_of=2018)
    assert rec["status_eurostat"] == "no_data" and not rec["proxy"]
    assert "not assessed (its unit differs)" in rec["reason"]


def test_target_met_early_reports_already_met():
    t = load_registry().get("invention_patents_per_10k_7_36")
    pref = _pref(
        {2015: 6.0, 2016: 6.4, 2017: 7.5, 2018: 8.2}, indicator="invention_patents_per_10k"
    )
    rec = assess_target(t, pref)
    assert rec["met_year"] == 2017
    assert rec["status_eurostat"] == "achieved" and rec["status_china"] == "achieved_early"


def test_a_bound_above_the_target_counts_as_met():
    t = load_registry().get("translational_medicine_centres_30")
    pref = _pref({2014: 30}, indicator="translational_medicine_centres_prov", bounds={2014: ">"})
    assert assess_target(t, pref)["status_eurostat"] == "achieved"


def test_target_with_no_data_gets_an_explicit_status_and_reason():
    t = load_registry().get("sei_revenue_share_20pct")
    rec = assess_target(t, _pref({2015: 1.0}))
    assert rec["status_eurostat"] == "no_data"
    assert rec["reason"].startswith(
        "no public statistical series; proxy hightech_mfg_revenue not assessed"
    )


def test_as_of_replay_never_sees_later_data():
    obs = _pref(
        {y: 100 + y - 2010 for y in range(2010, 2021)}, published={2016: "2016-03-01"}
    )  # a row dated inside its own year
    for as_of in (2014, 2016, 2018):
        seen = known_by(obs, as_of)
        assert seen["year"].max() <= as_of
        assert (seen["published"] <= f"{as_of}-12-31").all()
    v = vintage(obs, 2017)
    assert v["year"].max() == 2016  # 2017 data published in 2018


def test_as_of_projection_uses_only_its_vintage():
    t = load_registry().get("rd_expenditure_doubling")
    values = {y: 100 * 1.1 ** (y - 2010) for y in range(2010, 2021)}
    pref_all = _pref(values)
    then = vintage(pref_all, 2017)
    rec = assess_target(t, then, actual_pref=pref_all, as_of=2017)
    assert rec["latest_year"] == 2016
    assert rec["projected"] == pytest.approx(100 * 1.1**10, rel=0.1)
    assert rec["projected_lo80"] < rec["projected"] < rec["projected_hi80"]
    assert rec["actual_value"] == pytest.approx(values[2020])


def test_scorecard_cli_writes_one_row_per_target_as_csv(capsys):
    from lnanalysis.cli import main

    assert main(["scorecard", "--as-of", "2018", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(__import__("io").StringIO(out))
    assert len(frame) == len(load_registry())
    row = frame.set_index("target_id").loc["rd_expenditure_doubling"]
    assert row["latest_year"] == 2017 and row["ex_post"] == "missed"


def test_excel_export_escapes_formula_like_text(tmp_path):
    from openpyxl import load_workbook

    from lnanalysis.core.io import write_xlsx

    path = write_xlsx(
        {"s": pd.DataFrame({"a": ["=1+1", "+x", "-y", "@z", "ok"]})}, tmp_path / "x.xlsx"
    )
    cells = [c.value for c in load_workbook(path)["s"]["A"][1:]]
    assert cells == ["'=1+1", "'+x", "'-y", "'@z", "ok"]


def test_only_values_after_the_target_year_give_no_data_under_every_scheme():
    # SYNTHETIC: a stock count whose only published value (2024) comes after 2020
    t = load_registry().get("university_science_parks_20")
    pref = pd.DataFrame(
        [{"region": "LN", "indicator": t.indicator, "year": 2024, "value": 25.0, "bound": ""}]
    )
    rec = assess_target(t, pref)
    assert (rec["status_eurostat"], rec["status_un"], rec["status_china"]) == ("no_data",) * 3
    assert "no value on or before 2020" in rec["reason"]


def test_the_base_rate_counts_provincial_windows_that_grew_as_fast():
    from lnanalysis.reference.regions import provinces
    from lnanalysis.targets.reference_class import base_rate

    # SYNTHETIC panel: half the provinces grow 20% a year, the other half 5%
    rows = []
    for i, region in enumerate(provinces()):
        rate = 0.20 if i % 2 == 0 else 0.05
        for year in range(2010, 2016):
            rows.append(
                dict(
                    indicator="x",
                    region=region,
                    year=year,
                    bound="",
                    value=1.1 * (1 + rate) ** (year - 2010),
                )
            )
    panel = pd.DataFrame(rows)
    share, n = base_rate(panel, "x", 1.1**3, 3)  # needs 10% a year for 3 years
    fast = sum(1 for i in range(len(provinces())) if i % 2 == 0)
    assert n == len(provinces()) * 3  # 2010-2013, 2011-2014, 2012-2015
    assert share == pytest.approx(fast / len(provinces()))


def test_an_assessment_row_holds_plain_values_and_its_projection_stands_apart():
    from lnanalysis.trend.projection import Projection

    t = load_registry().get("rd_expenditure_doubling")
    # SYNTHETIC series with room for a projection to 2020
    pref = _pref({2012: 80, 2013: 86, 2014: 92, 2015: 100, 2016: 105, 2017: 110})
    rec = assess_target(t, pref, as_of=2017)
    assert isinstance(rec.projection, Projection)
    assert "projection" not in rec  # the row: numbers, text and flags only
    plain = (str, int, float, bool, type(None))
    assert all(isinstance(v, plain) for v in rec.row.values()), {
        k: type(v) for k, v in rec.row.items() if not isinstance(v, plain)
    }
    assert rec["projected"] == pytest.approx(rec.projection.at(2020)["value"])
