"""Read the backtest scores: which model forecasts each series best, in plain words."""

from __future__ import annotations

import pandas as pd

# A model "clearly wins" when its mean MASE is this much below the combination's
CLEAR_MARGIN = 0.10
MIN_CASES = 30


def best_models(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean MASE over horizons (with enough cases) per indicator and model, and a reading.

    The reading says whether the default equal-weight combination is justified for the
    indicator, or whether a single model clearly does better.
    """
    ok = scores[scores["n"] >= MIN_CASES]
    mean = ok.groupby(["indicator", "model"])["mase"].mean().unstack("model")
    rows = []
    for ind, row in mean.iterrows():
        best = row.drop("combination").idxmin()
        comb = row["combination"]
        if comb <= row[best]:
            reading = (
                f"{ind}: the combination (mean MASE {comb:.2f}) beats every single model "
                f"(best: {best}, {row[best]:.2f}), so the default is justified."
            )
        elif row[best] < comb * (1 - CLEAR_MARGIN):
            reading = (
                f"{ind}: {best} clearly beats the combination (mean MASE {row[best]:.2f} "
                f"against {comb:.2f}); the projections still use the combination, so treat "
                f"its central path with caution for this series."
            )
        else:
            reading = (
                f"{ind}: the combination (mean MASE {comb:.2f}) is within "
                f"{CLEAR_MARGIN:.0%} of the best single model ({best}, {row[best]:.2f}), "
                f"so the default is justified."
            )
        rows.append(
            {
                "indicator": ind,
                "best_model": best,
                "mase_best": row[best],
                "mase_combination": comb,
                "reading": reading,
            }
        )
    return pd.DataFrame(rows)


def skill_readings(binary: pd.DataFrame) -> list[str]:
    """One sentence per indicator on the skill of P(meet) against the base rate.

    ``binary`` is ``backtest_binary.csv``: Brier skill 0 means no better than always
    forecasting the share of targets met; below 0, worse.
    """
    lines = []
    for ind, g in binary[binary["n"] >= MIN_CASES].groupby("indicator", sort=True):
        lo, hi = g["brier_skill"].min(), g["brier_skill"].max()
        base_lo, base_hi = g["met_rate"].min(), g["met_rate"].max()
        p_lo, p_hi = g["mean_p_meet"].min(), g["mean_p_meet"].max()
        if hi <= 0.05:
            verdict = "no skill over the base rate: read P(meet) as a rough indication only"
        elif lo >= 0.2:
            verdict = "clear skill over the base rate"
        else:
            verdict = "little and uneven skill over the base rate"
        lines.append(
            f"{ind}: Brier skill {lo:+.2f} to {hi:+.2f} across horizons — {verdict}. "
            f"Targets at the doubling pace were met in {base_lo:.0%}–{base_hi:.0%} of cases, "
            f"while the mean P(meet) was {p_lo:.0%}–{p_hi:.0%}."
        )
    return lines
