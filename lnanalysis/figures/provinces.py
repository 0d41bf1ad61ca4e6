"""Liaoning among the provinces: small multiples and the 2015->2020 doubling chart."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lnanalysis.core.config import load_yaml
from lnanalysis.figures.style import figure_style, text
from lnanalysis.figures.trajectory import source_note
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.reference.regions import provinces, region_table
from lnanalysis.store.observations import exact_rows

FOCUS = ("LN", "JL", "HL", "CN")


def family_note(rows: pd.DataFrame, lang: str) -> str:
    """Footnote for a many-source chart: the source families, and where each citation is."""
    key = "name_zh" if lang == "zh" else "name_en"
    names = {f["id"]: f[key] for f in load_yaml("source_families.yaml")["families"]}
    fams = [names.get(f, f) for f in dict.fromkeys(rows["source_family"].dropna())]
    sep = "；" if lang == "zh" else "; "
    body = text("family_note", lang, n=rows["source_title"].nunique(), families=sep.join(fams))
    return source_note([body], lang, 170)


def index_panel(pref: pd.DataFrame, indicator: str, base: int = 2015) -> pd.DataFrame:
    """Return values indexed to ``base`` = 100, one column per region (NaN where missing)."""
    wide = exact_rows(pref, indicator).pivot_table(index="year", columns="region", values="value")
    if base not in wide.index:
        raise KeyError(f"{indicator} has no values for the base year {base}")
    return wide.div(wide.loc[base]).mul(100)


def provinces_figure(pref: pd.DataFrame, indicator: str, lang: str, base: int = 2015) -> Figure:
    """Small multiples: Liaoning, Jilin, Heilongjiang and China against the 31-province spread."""
    ind = get_indicator(indicator)
    panel = index_panel(pref, indicator, base)
    prov = panel[[c for c in provinces() if c in panel.columns]]
    q25, q50, q75 = (prov.quantile(q, axis=1) for q in (0.25, 0.5, 0.75))
    names = region_table()
    with figure_style():
        fig, axes = plt.subplots(
            1, len(FOCUS), figsize=(10, 3.2), sharey=True, layout="constrained"
        )
        for ax, code in zip(axes, FOCUS, strict=True):
            ax.fill_between(
                panel.index,
                q25,
                q75,
                color="#bdbdbd",
                alpha=0.5,
                lw=0,
                label=text("provinces_band", lang),
            )
            ax.plot(panel.index, q50, color="#636363", lw=1, label=text("provinces_median", lang))
            if code in panel.columns:
                ax.plot(panel.index, panel[code], "o-", ms=3, color="#b2182b", lw=1.5)
            ax.axhline(100, color="#999999", lw=0.6)
            ax.set_title(names.at[code, "name_zh" if lang == "zh" else "name_en"], fontsize=9)
            ax.xaxis.get_major_locator().set_params(integer=True)
        axes[0].set_ylabel(text("index_note", lang, base=base))
        axes[0].legend(fontsize=6.5, frameon=False, loc="upper left")
        name = ind.zh if lang == "zh" else ind.en
        fig.suptitle(text("provinces_title", lang, indicator=name), x=0.01, ha="left", fontsize=10)
        fig.text(
            0.01,
            -0.02,
            family_note(exact_rows(pref, indicator), lang),
            fontsize=6,
            va="top",
            color="#444444",
        )
    return fig


def doubling_figure(context: pd.DataFrame, lang: str) -> Figure:
    """Bars of each province's 2015->2020 multiple, Liaoning highlighted, doubling marked."""
    table = context[context["region"] != "CN"].dropna(subset=["multiple"])
    table = table.sort_values("multiple", ascending=True)
    names = table["name_zh" if lang == "zh" else "name_en"]
    colours = np.where(
        table["region"] == "LN",
        "#b2182b",
        np.where(table["region"].isin(["JL", "HL"]), "#f4a582", "#92c5de"),
    )
    with figure_style():
        fig, ax = plt.subplots(figsize=(6.5, 7), layout="constrained")
        ax.barh(names, table["multiple"], color=colours)
        target = float(context["target_multiple"].iloc[0])
        ax.axvline(target, color="#333333", lw=1, ls="--", label=text("doubling_line", lang))
        ax.set_xlabel(text("doubling_axis", lang))
        ax.set_title(text("doubling_title", lang), loc="left", fontsize=10)
        ax.legend(frameon=False, fontsize=7, loc="lower right")
        ax.grid(axis="y", visible=False)
    return fig
