"""One-glance scorecard chart: every registered target, coloured by status."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lnanalysis.core.formats import sig
from lnanalysis.figures.style import figure_style, status_colour, text, wrap_label
from lnanalysis.targets.metrics import label
from lnanalysis.targets.registry import plan_title


def _value(v, unit) -> str:
    if v is None or pd.isna(v):
        return "—"
    return sig(v) + ("" if unit is None or pd.isna(unit) else f" {unit}")


# Height of one target's row: room for a label wrapped onto two lines
ROW_INCHES = 0.30


def scorecard_figure(
    card: pd.DataFrame, lang: str, as_of: int | None = None, plan: dict | None = None
) -> Figure:
    """Draw the scorecard table ``card`` (from :func:`lnanalysis.targets.scorecard.scorecard`).

    ``plan`` (a registry's plan block) titles the chart by the plan's own name;
    without it the chart carries the first plan's title label.
    """
    n = len(card)
    cols = [
        ("col_target", 0.0, 0.46),
        ("col_status", 0.46, 0.2),
        ("col_latest", 0.66, 0.12),
        ("col_goal", 0.78, 0.11),
        ("col_outcome", 0.89, 0.11),
    ]
    with figure_style():
        fig = plt.figure(figsize=(9.5, ROW_INCHES * n + 1.2))
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.98 - 0.9 / (ROW_INCHES * n + 1.2)))
        ax.set_xlim(0, 1)
        ax.set_ylim(n, -1)
        ax.axis("off")
        for key, x, _width in cols:
            ax.text(x + 0.005, -0.5, text(key, lang), fontsize=8, va="center", color="#222222")
        for i, row in enumerate(card.itertuples(index=False)):
            name = row.label_zh if lang == "zh" else row.name_en
            if getattr(row, "proxy", False) is True:
                name = f"{name} ({text('proxy_tag', lang)})"
            width = 40 if lang == "zh" else 92
            ax.text(0.005, i + 0.5, wrap_label(name, width, lang), fontsize=6.5, va="center")
            status = row.status_eurostat
            ax.add_patch(Rectangle((0.46, i + 0.1), 0.195, 0.8, color=status_colour(status)))
            ax.text(0.465, i + 0.5, label(status, lang), fontsize=7, va="center")
            latest = _value(row.latest_value, row.unit)
            if not pd.isna(row.latest_year):
                latest += f" ({int(row.latest_year)})"
            ax.text(0.665, i + 0.5, latest, fontsize=6.5, va="center")
            ax.text(0.785, i + 0.5, _value(row.target_value, row.unit), fontsize=6.5, va="center")
            outcome = row.ex_post if isinstance(row.ex_post, str) else "unknown"
            ax.add_patch(Rectangle((0.89, i + 0.1), 0.105, 0.8, color=status_colour(outcome)))
            ax.text(0.895, i + 0.5, label(outcome, lang), fontsize=7, va="center")
        sub = (
            text("scorecard_now", lang)
            if as_of is None
            else text("scorecard_as_of", lang, as_of=as_of)
        )
        title = text("scorecard_title", lang)
        if plan is not None:
            title = text("plan_scorecard_title", lang, plan=plan_title(plan, lang))
        fig.suptitle(f"{title}\n{sub}", x=0.01, ha="left", fontsize=10, y=0.995)
    return fig
