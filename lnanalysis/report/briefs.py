"""Small helpers the notebooks call: display settings, figure display, compact tables.

Notebooks stay short: they load, call these and the package's analysis functions,
show the result and explain it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lnanalysis.core.formats import sig
from lnanalysis.core.numbers import format_number
from lnanalysis.core.paths import FIGURES_DIR
from lnanalysis.store.observations import exact_rows
from lnanalysis.targets.metrics import ACHIEVED, label
from lnanalysis.targets.registry import load_registry
from lnanalysis.targets.scorecard import load_scorecard

PRECISION = 2


def setup() -> None:
    """Display settings shared by every notebook (the precision nbval compares)."""
    pd.set_option("display.precision", PRECISION)
    pd.set_option("display.max_rows", 80)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.float_format", number)


MISSING = "—"


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy for display: whole numbers without decimals, missing cells as a dash.

    A column whose values are all whole numbers (years, ranks, counts) loses its
    decimals; every missing cell shows the dash.
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_float_dtype(values) or str(values.dtype) == "Int64":
            known = values.dropna()
            if len(known) and (known == known.round()).all():
                out[col] = [
                    MISSING if pd.isna(v) else f"{int(v):,}" if abs(v) >= 10000 else str(int(v))
                    for v in values
                ]
            elif values.isna().any():  # pandas prints NaN itself: format the column here
                out[col] = values.map(number)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            out[col] = values.map(
                lambda v: (
                    MISSING
                    if v is None or v is pd.NA or v == "" or (isinstance(v, float) and v != v)
                    else v
                )
            )
    return out


def number(x: float) -> str:
    """Format a number for tables (see :mod:`lnanalysis.core.numbers`); '—' when missing."""
    return format_number(x, in_column=True) or MISSING


def show(stem: str, lang: str = "en"):
    """Display a briefing figure by linking figures/<lang>/<stem>.png (not embedding it).

    The link is relative to notebooks/, where the notebooks and their HTML copies
    live, so the notebooks stay small and always show the figure of the last build.
    """
    from IPython.display import Markdown

    path = FIGURES_DIR / lang / f"{stem}.png"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; run `make briefing` first")
    return Markdown(f"![{stem}](../figures/{lang}/{stem}.png)")


def scorecard_file(as_of: int | None = None) -> pd.DataFrame:
    """Read the scorecard the briefing build wrote (today, or as of a replay year)."""
    return load_scorecard(as_of)


def verdicts(card: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Compact scorecard: statuses in words, key numbers rounded to 3 significant digits.

    With targets of more than one plan, a ``plan`` column names each row's plan and region.
    """
    out = pd.DataFrame(
        {
            "target": (card["label_zh"] if lang == "zh" else card["target_id"])
            + card["proxy"]
            .fillna(False)
            .astype(bool)
            .map(lambda p: f" ({label('proxy', lang)})" if p else ""),
            "latest": card["latest_value"].map(sig),
            "year": card["latest_year"].astype("Int64"),
            "target_value": card["target_value"].map(sig),
            "projected_2020": card["projected"].map(sig),
            "cagr_2020": card["v_hat"].map(sig),
            "band80": [
                "" if pd.isna(lo) else f"{sig(lo)}–{sig(hi)}"
                for lo, hi in zip(card["projected_lo80"], card["projected_hi80"], strict=True)
            ],
            "p_meet": card["p_meet"].round(2),
            "eurostat": card["status_eurostat"].map(lambda s: label(s, lang)),
            "un_sdg": card["status_un"].map(lambda s: label(s, lang)),
            "china": card["status_china"].map(lambda s: label(s, lang)),
            "outcome_2020": card["ex_post"].fillna("unknown").map(lambda s: label(s, lang)),
        }
    )
    if card["plan"].nunique() > 1:
        # Several plans: say whose target each row is, and in which region it is judged
        out.insert(1, "plan", card["plan"] + " (" + card["region"] + ")")
    return tidy(out)


def theme_card(theme: str, as_of: int | None = None) -> pd.DataFrame:
    """Return the scorecard rows of one theme of the plan."""
    ids = [t.id for t in load_registry() if t.theme == theme]
    card = scorecard_file(as_of)
    return card[card["target_id"].isin(ids)].reset_index(drop=True)


def series_table(pref: pd.DataFrame, indicator: str, region: str = "LN") -> pd.DataFrame:
    """Return a region's preferred values of one indicator, with status and source."""
    rows = exact_rows(pref, indicator, region).sort_values("year")
    return tidy(rows[["year", "value", "unit", "status", "source_title"]].reset_index(drop=True))


def verdict(traj) -> str:
    """One plain-English sentence on where the target was heading and where it landed."""
    a = traj.assessment
    name = traj.target.name_en
    when = "today" if traj.as_of is None else f"at the end of {traj.as_of}"
    if a.get("latest_value") is None or pd.isna(a.get("latest_value")):
        return f"{name}: no published value for this series {when}, so no verdict."
    parts = [
        f"{name} ({traj.indicator}): latest value {sig(a['latest_value'])}"
        f" ({a['latest_year']}) as known {when}"
    ]
    if traj.threshold is not None:
        parts.append(f"against a target of {sig(traj.threshold)} by {traj.target.target_year}")
    if a.get("proxy"):
        parts.append(f"(on the proxy series {a.get('series')})")
    status = a.get("status_eurostat")
    if status in ("met", "missed"):
        parts.append(
            f"— the target year is reached: {label(status)}, at "
            f"{a.get('pct_of_target', np.nan):.1f}% of the target"
        )
        if not pd.isna(a.get("met_year", np.nan)):
            parts.append(f"(first met in {int(a['met_year'])})")
    elif status in ACHIEVED:
        parts.append(f"— already met in {a.get('met_year')}")
    elif traj.projection is not None and not pd.isna(a.get("p_meet", np.nan)):
        end = traj.projection.iloc[-1]
        uncalibrated = "uncalibrated" in str(a.get("projection_flags") or "")
        parts.append(
            f"— the trend pointed to {sig(end['value'])} (80% band {sig(end['lo80'])}–"
            f"{sig(end['hi80'])}{', uncalibrated' if uncalibrated else ''}), a "
            f"{a['p_meet']:.0%} chance of meeting it"
        )
        if not pd.isna(a.get("base_rate", np.nan)):
            parts.append(
                f"(of {int(a['base_rate_windows'])} provincial windows as long, "
                f"{a['base_rate']:.0%} grew this fast)"
            )
        if not pd.isna(a.get("v_hat", np.nan)):
            parts.append(f"; the pace since the baseline alone pointed to {sig(a['v_hat'])}")
        parts.append(f"; status: {label(status)}")
    else:
        parts.append(f"— status: {label(status or 'no_data')}")
    outcome = a.get("ex_post")
    if outcome in ("met", "missed") and traj.target.target_year <= 2020:
        parts.append(
            f". Outcome: {outcome} ({sig(a.get('actual_value'))} in {traj.target.target_year})."
        )
    else:
        parts.append(".")
    return " ".join(parts).replace(" .", ".").replace(" ;", ";")


def key_numbers(traj) -> pd.Series:
    """Return the numbers a briefing quotes for one trajectory, rounded."""
    a = traj.assessment
    proj = traj.projection
    end = None if proj is None else proj.iloc[-1]
    return pd.Series(
        {
            "as_of": traj.as_of or "today",
            "series": traj.indicator,
            "baseline": None
            if traj.baseline is None
            else f"{traj.baseline[1]:.4g} ({traj.baseline[0]})",
            "latest": sig(a.get("latest_value"))
            + (f" ({a['latest_year']})" if a.get("latest_year") else ""),
            "target": sig(traj.threshold),
            "projected": "" if end is None else sig(end["value"]),
            "cagr_reading": "" if pd.isna(a.get("v_hat", np.nan)) else sig(a["v_hat"]),
            "band80": "" if end is None else f"{sig(end['lo80'])}–{sig(end['hi80'])}",
            "band95": "" if end is None else f"{sig(end['lo95'])}–{sig(end['hi95'])}",
            "p_meet": "" if pd.isna(a.get("p_meet", np.nan)) else f"{a['p_meet']:.2f}",
            "R": "" if pd.isna(a.get("R", np.nan)) else f"{a['R']:.2f}",
            "eurostat": label(a.get("status_eurostat", "no_data")),
            "un_sdg": label(a.get("status_un", "no_data")),
            "china": label(a.get("status_china", "no_data")),
            "outcome_2020": label(a.get("ex_post", "unknown")),
            "actual_2020": sig(a.get("actual_value")),
        }
    )
