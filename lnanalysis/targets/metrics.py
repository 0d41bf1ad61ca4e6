"""Progress metrics and the three status schemes, as pure functions.

Notation: baseline x0 in t0, latest xt in t, target T in tT.

>>> m = progress_metrics(x0=100, t0=2015, xt=150, t=2018, target=200, t_target=2020)
>>> round(m["g_a"], 4), round(m["g_r"], 4), round(m["R"], 3)
(0.1447, 0.1487, 0.973)
>>> eurostat_status(m["R"]), un_status(m["P"])
('on_track', 'on_track')
"""

from __future__ import annotations

import math

from lnanalysis.core.config import load_yaml

NAN = float("nan")


def cagr(x_from: float, x_to: float, years: float) -> float:
    """Compound annual growth rate; NaN when undefined (non-positive values, no time)."""
    if years <= 0 or x_from <= 0 or x_to <= 0:
        return NAN
    return (x_to / x_from) ** (1 / years) - 1


def progress_metrics(x0: float, t0: int, xt: float, t: int, target: float, t_target: int) -> dict:
    """Return g_a, g_r, R, g_needed, v_hat, P and years ahead (+) or behind (-) both paths."""
    g_a = cagr(x0, xt, t - t0)
    g_r = cagr(x0, target, t_target - t0)
    ratio = g_a / g_r if g_r and not math.isnan(g_r) and g_r != 0 else NAN
    g_needed = cagr(xt, target, t_target - t) if t < t_target else NAN
    v_hat = xt * (1 + g_a) ** (t_target - t) if not math.isnan(g_a) else NAN
    progress = (v_hat - x0) / (target - x0) if target != x0 else NAN
    ahead_c = NAN
    if g_r and not math.isnan(g_r) and g_r > 0 and xt > 0 and x0 > 0:
        ahead_c = t0 + math.log(xt / x0) / math.log(1 + g_r) - t
    slope = (target - x0) / (t_target - t0)
    ahead_l = t0 + (xt - x0) / slope - t if slope else NAN
    share_done = (xt - x0) / (target - x0) if target != x0 else NAN
    share_time = (t - t0) / (t_target - t0)
    return {
        "g_a": g_a,
        "g_r": g_r,
        "R": ratio,
        "g_needed": g_needed,
        "v_hat": v_hat,
        "P": progress,
        "years_ahead_compound": ahead_c,
        "years_ahead_linear": ahead_l,
        "progress_share": share_done,
        "time_share": share_time,
        "midterm_ratio": share_done / share_time if share_time > 0 else NAN,
    }


def _band(scheme: str, x: float) -> str:
    if x is None or math.isnan(x):
        return "insufficient_data"
    for band in load_yaml("assessment.yaml")[scheme]["bands"]:
        if x >= float(band["min"]):
            return band["status"]
    raise AssertionError("bands must end at -inf")


def eurostat_status(ratio: float) -> str:
    """Eurostat / Statistics Canada band of the growth ratio R."""
    return _band("eurostat", ratio)


def un_status(progress: float) -> str:
    """UN SDG 2023 band of the expected-progress ratio P."""
    return _band("un_sdg", progress)


def china_status(midterm_ratio: float) -> str:
    """China mid-term reading (时间过半任务过半) on the linear path."""
    return _band("china_midterm", midterm_ratio)


# Statuses that mean the target is already met
ACHIEVED = ("achieved", "achieved_early")


def label(status: str, lang: str = "en") -> str:
    """Return the English or Chinese label of a status."""
    return load_yaml("assessment.yaml")["labels"].get(status, {}).get(lang, status)


def meets(value: float, target_value: float, comparator: str, bound: str = "") -> bool:
    """Return True when ``value`` meets the target (bounds '>' count when at or above)."""
    if value is None or math.isnan(value):
        return False
    if comparator == "about":
        tol = float(load_yaml("assessment.yaml")["about_tolerance"])
        return value >= target_value * (1 - tol)
    if comparator == ">" and not bound:
        return value > target_value
    return value >= target_value
