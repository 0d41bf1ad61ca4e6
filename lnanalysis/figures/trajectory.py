"""Trajectory chart of one target: observed values, projection fan, required paths."""

from __future__ import annotations

import re
import textwrap
from itertools import pairwise

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from lnanalysis.core.numbers import format_number
from lnanalysis.figures.style import figure_style, text, wrap_label
from lnanalysis.reference.breaks import breaks_for
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.targets.trajectory import Trajectory

_DERIVED = "Derived by lnanalysis"
_DATA_YEAR = re.compile(r"\s*\(data year (\d{4})\)$")
OBSERVED = "#2166ac"
LATER = "#000000"
FAN = "#f4a582"
PATH = "#636363"
TARGET = "#b2182b"


def year_ranges(years: list[str]) -> str:
    """Write years compactly: ['2011', '2012', '2013', '2016'] -> '2011–2013, 2016'."""
    nums = sorted({int(y) for y in years})
    runs: list[list[int]] = []
    for y in nums:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def source_note(titles: list[str], lang: str, width: int = 120) -> str:
    """Return the footnote naming every source of the plotted values.

    Titles that differ only by their '(data year N)' suffix are merged into one
    entry listing the years.
    """
    merged: dict[str, list[str]] = {}
    derived = [t for t in titles if t.startswith(_DERIVED)]
    titles = [t for t in titles if not t.startswith(_DERIVED)]
    if derived:
        titles.append(text("derived_source", lang, n=len(derived)))
    for title in titles:
        m = _DATA_YEAR.search(title)
        base = _DATA_YEAR.sub("", title)
        merged.setdefault(base, [])
        if m:
            merged[base].append(m.group(1))
    parts = [f"{base} ({year_ranges(years)})" if years else base for base, years in merged.items()]
    body = "; ".join(parts)
    head = text("source", lang)
    sep = "：" if lang == "zh" else ": "
    wrap = width if lang == "en" else width // 2 + 10
    return "\n".join(textwrap.wrap(f"{head}{sep}{body}", wrap))


def _target_text(traj: Trajectory) -> str:
    """Return the target as the plan states it: a range shows both ends."""
    rng = traj.target.target_range
    return (
        f"{format_number(rng[0])}–{format_number(rng[1])}" if rng else format_number(traj.threshold)
    )


def _observed(ax, traj: Trajectory, lang: str) -> None:
    obs = traj.observed
    for status, filled in (("final", True), ("revised", True), ("preliminary", False)):
        part = obs[obs["status"] == status]
        if part.empty:
            continue
        ax.plot(
            part["year"],
            part["value"],
            "o",
            color=OBSERVED,
            markerfacecolor=OBSERVED if filled else "white",
            label=text(f"observed_{status}", lang),
            zorder=4,
        )
    _connect(ax, obs, lang)
    if len(traj.later):
        ax.plot(
            traj.later["year"],
            traj.later["value"],
            "D--",
            color=LATER,
            markerfacecolor="white",
            lw=0.8,
            label=text("later_actual", lang, as_of=traj.as_of),
            zorder=4,
        )


def _connect(ax, obs, lang: str) -> None:
    """Join consecutive years with a solid line; a gap of missing years only with a dotted one."""
    points = list(zip(obs["year"], obs["value"], strict=True))
    gap_label = text("gap", lang)
    for (y0, v0), (y1, v1) in pairwise(points):
        solid = y1 - y0 == 1
        ax.plot(
            [y0, y1],
            [v0, v1],
            "-" if solid else ":",
            color=OBSERVED,
            lw=1.2 if solid else 0.9,
            alpha=1 if solid else 0.6,
            zorder=3,
            label=None if solid else gap_label,
        )
        if not solid:
            gap_label = None  # one legend entry for every gap


def title_of(traj: Trajectory, lang: str) -> str:
    """Return the title: the target and its status (met or missed with the share, or the trend)."""
    from lnanalysis.targets.metrics import label as status_label

    a = traj.assessment
    name = traj.target.label_zh if lang == "zh" else traj.target.name_en
    status = a.get("status_eurostat")
    if not status:
        return name
    sep = "：" if lang == "zh" else ": "
    words = status_label(status, lang)
    pct = a.get("pct_of_target")
    if status in ("met", "missed") and pct == pct and pct is not None:
        year = traj.target.target_year
        detail = (
            f"（{year}年为目标的{pct:.1f}%）"
            if lang == "zh"
            else f" ({pct:.1f}% of the target in {year})"
        )
    elif traj.as_of is not None:
        detail = (
            f"（截至{traj.as_of}年底）" if lang == "zh" else f" (as known at end of {traj.as_of})"
        )
    else:
        detail = ""
    proxy = f" [{text('proxy_tag', lang)}]" if a.get("proxy") else ""
    return f"{name}{sep}{words}{detail}{proxy}"


def _readings(ax, traj: Trajectory, lang: str) -> None:
    """Write P(meet) and the base rate beside it in a small box on the chart."""
    a = traj.assessment
    lines = []
    p = a.get("p_meet")
    if p is not None and p == p and traj.projection is not None:
        lines.append(text("box_p_meet", lang, p=f"{p:.0%}"))
        base = a.get("base_rate")
        if base is not None and base == base:
            n = int(a.get("base_rate_windows") or 0)
            lines.append(text("box_base_rate", lang, p=f"{base:.0%}", n=n))
    if lines:
        ax.text(
            0.99,
            0.02,
            "\n".join(lines),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#bbbbbb", "lw": 0.6},
            zorder=6,
        )


def _projection(ax, traj: Trajectory, lang: str) -> None:
    proj = traj.projection
    if proj is None:
        return
    for level, alpha in ((95, 0.25), (80, 0.5)):
        ax.fill_between(
            proj["year"],
            proj[f"lo{level}"],
            proj[f"hi{level}"],
            color=FAN,
            alpha=alpha,
            lw=0,
            label=text(f"band{level}", lang),
        )
    ax.plot(
        proj["year"], proj["value"], "--", color="#d6604d", lw=1.5, label=text("projection", lang)
    )


def _required(ax, traj: Trajectory, lang: str) -> None:
    req = traj.required
    if req is not None:
        for path, style, width in (("compound", ":", 1.3), ("linear", "-.", 1.0)):
            ax.plot(
                req["year"],
                req[path],
                style,
                color=PATH,
                lw=width,
                label=text(f"required_{path}", lang),
            )
    if traj.threshold is not None:
        ax.plot(
            [traj.target.target_year],
            [traj.threshold],
            "*",
            color=TARGET,
            ms=13,
            label=text("target", lang, year=traj.target.target_year, value=_target_text(traj)),
            zorder=5,
        )
    for m in traj.target.milestones:
        ax.axvline(m.year, color=PATH, lw=0.6, alpha=0.6)
        ax.annotate(
            m.label_zh if lang == "zh" else m.label_en,
            (m.year, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=7,
            color=PATH,
        )
        if m.value is not None:
            ax.plot([m.year], [m.value], "^", color=TARGET, ms=7)


def _cagr(ax, traj: Trajectory, lang: str) -> None:
    """Mark where the pace since the baseline, continued, would end (the simple reading)."""
    a = traj.assessment
    v_hat = a.get("v_hat")
    if traj.projection is None or v_hat is None or v_hat != v_hat or traj.baseline is None:
        return
    ax.plot(
        [traj.target.target_year],
        [v_hat],
        "X",
        color=PATH,
        ms=8,
        label=text("cagr_reading", lang, year=traj.baseline[0], value=format_number(v_hat)),
        zorder=5,
    )


def _clip_fan(ax, traj: Trajectory, lang: str) -> None:
    """Keep the axis on the data: a 95% band far above everything else is cut and noted."""
    proj = traj.projection
    if proj is None:
        return
    shown = [*traj.observed["value"], *traj.later["value"], *proj["hi80"]]
    if traj.threshold is not None:
        shown.append(traj.threshold)
    top = max(shown) * 1.15
    if proj["hi95"].max() > top:
        ax.set_ylim(top=top)
        label = (
            f"95%区间上限达{format_number(proj['hi95'].max())}"
            if lang == "zh"
            else f"95% band reaches {format_number(proj['hi95'].max())}"
        )
        ax.annotate(
            label + " ↑",
            (proj["year"].iloc[-1], top),
            va="top",
            ha="right",
            fontsize=7,
            color="#d6604d",
        )


def trajectory_figure(traj: Trajectory, lang: str, region: str | None = None) -> Figure:
    """Draw the trajectory chart of ``traj`` in ``lang`` ('zh' or 'en').

    ``region``, a region's name, heads the title (the briefing gives it for targets
    judged on another region than the first plan's).
    """
    ind = get_indicator(traj.indicator)
    with figure_style():
        fig, ax = plt.subplots(figsize=(7.2, 4.6), layout="constrained")
        _projection(ax, traj, lang)
        _required(ax, traj, lang)
        _cagr(ax, traj, lang)
        _observed(ax, traj, lang)
        for brk in breaks_for(traj.region, traj.indicator):
            ax.axvline(brk.year - 0.5, color=TARGET, lw=0.8, ls=":")
            ax.annotate(
                text("break_line", lang, year=brk.year),
                (brk.year - 0.5, 0.02),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                color=TARGET,
                ha="right",
                rotation=90,
            )
        if traj.as_of is not None:
            ax.axvline(traj.as_of + 0.5, color="#999999", lw=0.8, ls="--")
            ax.annotate(
                text("as_of_line", lang, as_of=traj.as_of),
                (traj.as_of + 0.5, 0.02),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                color="#666666",
                ha="right",
                rotation=90,
            )
        title = title_of(traj, lang)
        if region is not None:
            title = text("region_title", lang, region=region, title=title)
        title = wrap_label(title, 34 if lang == "zh" else 70, lang)
        ax.set_title(title, loc="left", fontsize=10, pad=14 if traj.alternate_series else 6)
        name = ind.zh if lang == "zh" else ind.en
        ax.set_ylabel(f"{name} ({ind.unit})")
        ax.set_xlabel(text("year", lang))
        ax.xaxis.get_major_locator().set_params(integer=True)
        if traj.alternate_series:
            ax.annotate(
                text("proxy_note", lang, name=name),
                (0.0, 1.0),
                xycoords="axes fraction",
                va="bottom",
                fontsize=7,
                color=TARGET,
            )
        _clip_fan(ax, traj, lang)
        if ind.measure in ("flow", "stock"):
            ax.set_ylim(bottom=0)  # money and counts from zero
        _readings(ax, traj, lang)
        ax.legend(fontsize=7, loc="upper left", frameon=False)
        note = source_note(traj.sources, lang)
        if traj.projection is not None:
            note = text("projection_note", lang) + "\n" + note
        fig.get_layout_engine().set(h_pad=0.1)
        fig.text(0.01, -0.01, note, fontsize=6, va="top", ha="left", color="#444444")
    return fig
