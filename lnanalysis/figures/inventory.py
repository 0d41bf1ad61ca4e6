"""Coverage heatmap: which years the store holds for each target's indicator."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from lnanalysis.figures.style import figure_style, text, wrap_label
from lnanalysis.reference.indicators import get_indicator


def coverage_figure(cov: pd.DataFrame, lang: str) -> Figure:
    """Draw the coverage table of :func:`lnanalysis.report.inventory.coverage`."""
    names = [get_indicator(i).zh if lang == "zh" else get_indicator(i).en for i in cov.index]
    with figure_style():
        fig, ax = plt.subplots(figsize=(8.5, 0.24 * len(cov) + 1.4), layout="constrained")
        ax.imshow(
            cov.to_numpy(),
            cmap=ListedColormap(["#ffffff", "#9ecae1", "#08519c"]),
            vmin=0,
            vmax=2,
            aspect="auto",
            interpolation="none",
        )
        width = 26 if lang == "zh" else 52
        ax.set_yticks(range(len(cov)), [wrap_label(n, width, lang) for n in names], fontsize=6)
        ax.set_xticks(range(len(cov.columns)), cov.columns, fontsize=7, rotation=90)
        ax.set_xticks([x - 0.5 for x in range(len(cov.columns))], minor=True)
        ax.set_yticks([y - 0.5 for y in range(len(cov))], minor=True)
        ax.grid(which="minor", color="#dddddd", lw=0.5)
        ax.grid(which="major", visible=False)
        ax.tick_params(which="minor", length=0)
        ax.set_title(text("coverage_title", lang), loc="left", fontsize=10)
        ax.set_xlabel(text("coverage_legend", lang), fontsize=7)
    return fig
