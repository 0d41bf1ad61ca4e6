"""Self-contained static web report of the scorecard, in Chinese and English.

Each page (``<out_dir>/<lang>/index.html``) is one HTML file: CSS, JavaScript and
figures (matplotlib SVGs, inlined with their ids prefixed) are embedded, so the page
opens from the file system without a server or network and can be sent as one file.
All text of the page comes from ``report_labels.yaml`` and the package's configs;
every value taken from the data is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd

from lnanalysis.core.numbers import format_number
from lnanalysis.targets.registry import plan_files, plan_title

ASSETS = Path(__file__).with_name("assets")
LABELS_FILE = Path(__file__).parents[1] / "config" / "report_labels.yaml"
SCHEMES = ("status_eurostat", "status_un", "status_china")
EMPTY_STATUSES = {"no_data", "no_evidence"}
REGION = "LN"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Headless on a closed network: no sandbox (root), no GPU, and no background connections
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


# --------------------------------------------------------------------------- helpers


def esc(value: object) -> str:
    """HTML-escape any value (quotes included); ``None``/NaN become ''."""
    return "" if _missing(value) else html.escape(str(value), quote=True)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _year(value: object) -> str | None:
    return None if _missing(value) else str(int(float(value)))


def _tidy(text: str) -> str:
    """Collapse the blanks an empty unit leaves in a sentence."""
    text = re.sub(r" {2,}", " ", text)
    return re.sub(r" +(?=[,.;:)。，；：（）])", "", text).strip()


def _safe_url(url: object) -> str | None:
    """Return the URL when it is http(s), else None (never a javascript: or file link)."""
    if _missing(url):
        return None
    url = str(url).strip()
    return url if re.match(r"^https?://", url, flags=re.IGNORECASE) else None


def _read_yaml(path: Path) -> dict:
    from lnanalysis.core.config import read_yaml

    return read_yaml(path)  # strict: repeated keys and syntax errors stop with one line


class Text:
    """Label lookup for one language.

    Parameters
    ----------
    labels : dict
        Parsed ``report_labels.yaml``.
    status_labels : dict
        ``labels`` of ``assessment.yaml`` (status id -> {zh, en}).
    lang : str
        ``zh`` or ``en``.
    """

    def __init__(self, labels: dict, status_labels: dict, lang: str):
        self.lang = lang
        self.strings = labels[lang]
        self.units = labels.get("units", {})
        self.reasons = labels.get("reasons", {})
        self.rules = labels.get("baseline_rules", {})
        self.status_labels = status_labels

    def __call__(self, key: str, **values: object) -> str:
        """Return the formatted, tidied and HTML-escaped string ``key``."""
        return esc(_tidy(self.raw(key, **values)))

    def raw(self, key: str, **values: object) -> str:
        """Return the formatted string ``key`` (not escaped); missing shows the no-value mark."""
        blank = self.strings["no_value"]
        return self.strings[key].format(
            **{k: blank if _missing(v) else v for k, v in values.items()}
        )

    def status(self, status: object) -> str:
        """Return a status code in words, in this page's language."""
        if _missing(status):
            return self.strings["no_value"]
        return self.status_labels.get(status, {}).get(self.lang, str(status))

    def unit(self, unit: object) -> str:
        """Return a unit as this page writes it."""
        if _missing(unit):
            return ""
        return self.units.get(unit, {}).get(self.lang, str(unit))

    def qty(self, value: object, unit: object) -> str | None:
        """Return a number with its unit, or None when missing."""
        number = format_number(value)
        if number is None:
            return None
        sep = "" if self.lang == "zh" or unit == "%" else " "
        return _tidy(f"{number}{sep}{self.unit(unit)}")

    def reason(self, reason: object) -> str:
        """Return a scorecard reason, translated where a translation is known."""
        if _missing(reason):
            return ""
        head = str(reason).split(";")[0].strip()
        for key, names in self.reasons.items():
            if head.startswith(key):
                return names.get(self.lang, head)
        return head

    def rule(self, rule: object) -> str:
        """Return a baseline rule in words."""
        if _missing(rule):
            return ""
        return self.rules.get(rule, {}).get(self.lang, str(rule))


# --------------------------------------------------------------------------- data


def load_inputs(
    processed_dir: Path,
    figures_dir: Path,
    config_dir: Path,
    notebooks_dir: Path | None,
    labels_path: Path,
) -> dict:
    """Read every table and config the report needs.

    Returns
    -------
    dict
        Scorecards (``now``, ``as_of`` by year), ``preferred`` (Liaoning rows),
        ``provinces``, ``backtest``, ``calibration``, ``indicators``, registry,
        assessment, figure config, labels and the notebook of each target.
    """
    processed_dir, config_dir = Path(processed_dir), Path(config_dir)
    as_of = {}
    for path in sorted(processed_dir.glob("scorecard_as_of_*.csv")):
        as_of[int(path.stem.rsplit("_", 1)[1])] = pd.read_csv(path)
    preferred = pd.read_csv(processed_dir / "preferred.csv")
    registry = _registries(config_dir)
    now = pd.read_csv(processed_dir / "scorecard_now.csv")
    fig_labels = _read_yaml(config_dir / "figure_labels.yaml")
    return {
        "now": now,
        "as_of": as_of,
        "preferred": preferred[preferred["region"].isin({REGION, *now["region"]})],
        "provinces": pd.read_csv(processed_dir / "provinces_context.csv"),
        "backtest": pd.read_csv(processed_dir / "backtest_scores.csv"),
        "calibration": pd.read_csv(processed_dir / "calibration.csv"),
        "indicators": pd.read_csv(processed_dir / "indicator_dictionary.csv").set_index("id"),
        "registry": registry,
        "assessment": _read_yaml(config_dir / "assessment.yaml"),
        "figures": _read_yaml(config_dir / "figures.yaml"),
        "colours": fig_labels.get("status_colours", {}),
        "default_colour": fig_labels.get("default_colour", "#bdbdbd"),
        "labels": _read_yaml(labels_path),
        "figures_dir": Path(figures_dir),
        "notebooks": _notebook_of_targets(notebooks_dir, [t["id"] for t in registry["targets"]]),
    }


def _registries(config_dir: Path) -> dict:
    """Every plan's registry: ``targets.yaml``, then ``plans/*.yaml`` by name.

    Returns the first plan's block as ``plan``, every plan block with its number of
    targets in ``plans``, and all targets in ``targets``.
    """
    docs = [_read_yaml(p) for p in plan_files(config_dir)]
    return {
        "plan": docs[0]["plan"],
        "plans": [dict(d["plan"], n=len(d["targets"])) for d in docs],
        "targets": [dict(t, plan=d["plan"]["id"]) for d in docs for t in d["targets"]],
    }


def _notebook_of_targets(notebooks_dir: Path | None, target_ids: list[str]) -> dict[str, Path]:
    """Map each target to the most specific notebook that mentions it.

    The notebook naming the fewest targets wins (a topic notebook over the scorecard
    or replay notebooks, which name them all).
    """
    if notebooks_dir is None or not Path(notebooks_dir).is_dir():
        return {}
    mentions = {}
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        mentions[path] = {t for t in target_ids if re.search(rf"\b{re.escape(t)}\b", text)}
    best = {}
    for target in target_ids:
        hits = [p for p, ids in mentions.items() if target in ids]
        if hits:
            best[target] = min(hits, key=lambda p: (len(mentions[p]), p.name))
    return best


def has_data(row: pd.Series) -> bool:
    """Tell whether the target has a value or a bound to show."""
    return not (_missing(row["latest_value"]) and _missing(row["latest_bound"]))


def target_sources(preferred: pd.DataFrame, row: pd.Series, used_only: bool = False) -> list[dict]:
    """Return the sources of the Liaoning values of a target's series, to its target year.

    Parameters
    ----------
    preferred : DataFrame
        Liaoning rows of preferred.csv.
    row : Series
        The target's scorecard row.
    used_only : bool
        Only the years the assessment used: baseline, latest, first met, and the
        year of a bound.

    Returns
    -------
    list of dict
        One entry per distinct source (``url`` may be None when not http), with the
        data years it gives, in year order.
    """
    rows = preferred[
        (preferred["indicator"] == row["series"])
        & (preferred["region"] == row["region"])
        & (preferred["year"] <= row["target_year"])
    ]
    if used_only:
        years = {
            row[c] for c in ("baseline_year", "latest_year", "met_year") if not _missing(row[c])
        }
        bound = re.search(
            r"\((\d{4})\)", "" if _missing(row["latest_bound"]) else str(row["latest_bound"])
        )
        years |= {int(bound.group(1))} if bound else set()
        rows = rows[rows["year"].isin(years)]
    out: dict[tuple, dict] = {}
    for rec in rows.sort_values("year").itertuples():
        key = (rec.source_url, rec.source_title)
        entry = out.setdefault(
            key, {"url": _safe_url(rec.source_url), "title": rec.source_title, "years": []}
        )
        entry["years"].append(int(rec.year))
    return list(out.values())


# --------------------------------------------------------------------------- figures


def inline_svg(path: Path, prefix: str, label: str) -> str:
    """Return a matplotlib SVG ready to inline in HTML.

    The XML prolog and metadata are dropped, every id (and ``url(#…)``/``href="#…"``
    reference) is prefixed so several figures can share a page, and the fixed size is
    replaced by CSS scaling on the viewBox.

    Parameters
    ----------
    path : Path
        The SVG file.
    prefix : str
        Prefix for the figure's ids (unique on the page).
    label : str
        Accessible name of the figure (escaped here).
    """
    text = path.read_text(encoding="utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    text = re.sub(r'(href=")#([^"]+)"', lambda m: f'{m.group(1)}#{prefix}-{m.group(2)}"', text)

    def opening(match: re.Match) -> str:
        attrs = re.sub(r'\s(width|height)="[^"]*"', "", match.group(1))
        return f'<svg{attrs} class="fig" role="img" aria-label="{esc(label)}">'

    return re.sub(r"<svg\b([^>]*)>", opening, text, count=1)


def figure_html(ctx: dict, lang: str, stem: str, caption: str) -> str:
    """``<figure>`` with the inlined SVG of ``stem``, or '' when the file is absent."""
    path = ctx["figures_dir"] / lang / f"{stem}.svg"
    if not path.is_file():
        return ""
    prefix = "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", stem)
    return (
        f'<figure id="fig-{esc(stem)}">{inline_svg(path, prefix, caption)}'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def variant_caption(ctx: dict, t: Text, spec: dict) -> str:
    """Caption of a figure variant from its figures.yaml entry (as_of, baseline, series)."""
    parts = []
    if "indicator" in spec:
        parts.append(t.raw("fig_indicator", name=indicator_name(ctx, spec["indicator"], t.lang)))
    if "baseline_year" in spec:
        parts.append(t.raw("fig_baseline", year=spec["baseline_year"]))
    if "as_of" in spec:
        parts.append(t.raw("fig_as_of", year=spec["as_of"]))
    return "; ".join(parts)


def indicator_name(ctx: dict, indicator: str, lang: str) -> str:
    """Return an indicator's name in the page's language."""
    table = ctx["indicators"]
    return str(table.loc[indicator, lang]) if indicator in table.index else indicator


# --------------------------------------------------------------------------- sections


def target_label(row: pd.Series, lang: str) -> str:
    """Return a target's label in the page's language."""
    return str(row["label_zh"] if lang == "zh" else row["name_en"])


def status_html(ctx: dict, t: Text, status: object, proxy: bool) -> str:
    """Return a status as an HTML badge, tagged when it comes from a proxy."""
    colour = ctx["colours"].get(status, ctx["default_colour"])
    tag = f' <span class="tag">{t("proxy_tag")}</span>' if proxy else ""
    return f'<span class="dot" style="background:{esc(colour)}"></span>{esc(t.status(status))}{tag}'


def source_links(sources: list[dict], compact: bool) -> str:
    """Links to sources: compact = years only (table), else year: title."""
    items = []
    for src in sources:
        years = ", ".join(str(y) for y in src["years"])
        text = years if compact else f"{years}: {src['title']}"
        if src["url"]:
            items.append(
                f'<a href="{esc(src["url"])}" title="{esc(src["title"])}" rel="noopener">'
                f"{esc(text)}</a>"
            )
        else:
            items.append(f'<span title="{esc(src["title"])}">{esc(text)}</span>')
    if compact:
        return " ".join(items)
    return '<ul class="sources">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def scorecard_section(ctx: dict, t: Text) -> str:
    """Sortable, filterable table of every registered target."""
    now = ctx["now"]
    statuses = sorted({s for col in SCHEMES for s in now[col].dropna()}, key=lambda s: t.status(s))
    options = "".join(f'<option value="{esc(s)}">{esc(t.status(s))}</option>' for s in statuses)
    columns = [
        ("col_label", "text"),
        ("col_id", "text"),
        ("col_eurostat", "text"),
        ("col_un", "text"),
        ("col_china", "text"),
        ("col_latest", "number"),
        ("col_target", "number"),
        ("col_outcome", "text"),
        ("col_sources", "text"),
    ]
    head = "".join(
        f'<th scope="col" data-type="{kind}"><button type="button">{t(key)}</button></th>'
        for key, kind in columns
    )
    body = []
    for _, row in now.iterrows():
        tid, label = row["target_id"], target_label(row, t.lang)
        anchor = f"t-{tid}" if has_data(row) else f"m-{tid}"
        latest = t.qty(row["latest_value"], row["unit"])
        latest = (
            f"{latest} ({_year(row['latest_year'])})"
            if latest
            else (row["latest_bound"] if not _missing(row["latest_bound"]) else t.raw("no_value"))
        )
        outcome = t.status(row["ex_post"])
        if not _missing(row["actual_value"]):
            outcome += f" ({t.qty(row['actual_value'], row['unit'])})"
        search = " ".join(
            [label, tid, t.status(row["ex_post"])] + [t.status(row[c]) for c in SCHEMES]
        )
        cells = [
            (f'<a href="#{esc(anchor)}">{esc(label)}</a>', None),
            (f"<code>{esc(tid)}</code>", None),
            *[(status_html(ctx, t, row[c], bool(row["proxy"])), None) for c in SCHEMES],
            (esc(latest), row["latest_value"]),
            (
                esc(t.qty(row["target_value"], row["unit"]) or t.raw("no_value")),
                row["target_value"],
            ),
            (esc(outcome), None),
            (
                source_links(target_sources(ctx["preferred"], row, used_only=True), compact=True),
                None,
            ),
        ]
        tds = "".join(
            f'<td data-label="{t(key)}"'
            + ("" if kind == "text" else f' data-sort="{"" if _missing(sort) else esc(sort)}"')
            + f">{content}</td>"
            for (content, sort), (key, kind) in zip(cells, columns, strict=True)
        )
        status_attr = " ".join(sorted({str(row[c]) for c in SCHEMES if not _missing(row[c])}))
        body.append(
            f'<tr id="row-{esc(tid)}" data-target-id="{esc(tid)}" data-status="{esc(status_attr)}"'
            f' data-search="{esc(search.lower())}">{tds}</tr>'
        )
    rows_template = json.dumps(t.raw("rows_shown", shown="{shown}", total="{total}"))
    return f"""
<section id="scorecard"><h2>{t("scorecard_title")}</h2>
<p class="hint no-print">{t("scorecard_hint")}</p>
<div class="controls no-print">
 <label>{t("filter_label")} <input type="search" id="filter" placeholder="{t("filter_placeholder")}"></label>
 <label>{t("status_filter_label")} <select id="status-filter"><option value="">{t("status_filter_all")}</option>{options}</select></label>
 <span id="rows-shown" aria-live="polite" data-template="{esc(rows_template)}"></span>
</div>
<table id="scorecard-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>
</section>"""


def verdict(t: Text, row: pd.Series) -> str:
    """One sentence judging the target from its scorecard row."""
    unit = t.unit(row["unit"])
    pct = row["pct_of_target"]
    common = {
        "year": int(row["target_year"]),
        "unit": unit,
        "target": format_number(row["target_value"]),
        "latest": format_number(row["latest_value"]),
        "latest_year": _year(row["latest_year"]),
        "met_year": _year(row["met_year"]),
        "actual": format_number(row["actual_value"]),
        "pct": None if _missing(pct) else f"{pct:.1f}",
    }
    status = row["status_eurostat"]
    if status in ("met", "missed"):
        text = t("verdict_" + status, **common)
    elif status == "achieved":
        bound = re.match(r"\s*([<>]=?\s*[\d.,]+)\s*(?:\((\d{4})\))?", str(row["latest_bound"]))
        text = t(
            "verdict_achieved" if common["latest"] else "verdict_bound",
            bound=bound.group(1) if bound else row["latest_bound"],
            bound_year=bound.group(2) if bound else None,
            **common,
        )
    elif status == "insufficient_data":
        text = t("verdict_insufficient", status=t.status(status))
    else:
        schemes = " / ".join(t.status(row[c]) for c in SCHEMES)
        text = t("verdict_trend", status=schemes, **common)
        if not _missing(row["projected"]):
            text += " " + t(
                "verdict_projection",
                projected=format_number(row["projected"]),
                lo=format_number(row["projected_lo80"]),
                hi=format_number(row["projected_hi80"]),
                p=format_number(100 * row["p_meet"]),
                **common,
            )
    if bool(row["proxy"]):
        text += " " + t("proxy_note", series=row["series"])
    return text


def key_numbers(t: Text, row: pd.Series) -> str:
    """Definition list of the row's available key figures."""
    unit = row["unit"]

    def with_year(value, year):
        q = t.qty(value, unit)
        return q and f"{q} ({_year(year)})"

    def pct(x):
        return None if _missing(x) else f"{100 * x:.1f}%"

    items = [
        ("k_baseline", with_year(row["baseline_value"], row["baseline_year"])),
        ("k_rule", t.rule(row["baseline_rule"]) or None),
        (
            "k_latest",
            with_year(row["latest_value"], row["latest_year"])
            or (None if _missing(row["latest_bound"]) else str(row["latest_bound"])),
        ),
        ("k_target", with_year(row["target_value"], row["target_year"])),
        ("k_outcome", t.qty(row["actual_value"], unit)),
        ("k_pct", None if _missing(row["pct_of_target"]) else f"{row['pct_of_target']:.1f}%"),
        ("k_growth", None if _missing(row["g_a"]) else f"{pct(row['g_a'])} / {pct(row['g_r'])}"),
        ("k_ratios", None if _missing(row["R"]) else f"{row['R']:.2f} / {row['P']:.2f}"),
        (
            "k_years_ahead",
            None
            if _missing(row["years_ahead_compound"])
            else f"{row['years_ahead_compound']:+.1f}",
        ),
        (
            "k_projection",
            None
            if _missing(row["projected"])
            else f"{t.qty(row['projected'], unit)} ({format_number(row['projected_lo80'])}–{format_number(row['projected_hi80'])})",
        ),
        ("k_p_meet", pct(row["p_meet"])),
    ]
    return (
        '<dl class="numbers">'
        + "".join(f"<div><dt>{t(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in items if v)
        + "</dl>"
    )


def trajectories_of(ctx: dict, target: str) -> tuple[dict | None, list[dict]]:
    """Return the main trajectory entry (no variant keys) and the other non-replay ones."""
    specs = [s for s in ctx["figures"].get("trajectories", []) if s["target"] == target]
    main = next((s for s in specs if set(s) == {"stem", "target"}), None)
    if main is None and (ctx["figures_dir"] / "en" / f"{target}.svg").is_file():
        main = {"stem": target, "target": target}  # drawn but not (yet) in figures.yaml
    variants = [s for s in specs if s is not main and "as_of" not in s]
    return main, variants


def notebook_links(ctx: dict, t: Text, target: str, page_dir: Path) -> str:
    """Return links to the notebook that treats the target (.ipynb and .html)."""
    path = ctx["notebooks"].get(target)
    if path is None:
        return ""
    links = []
    for candidate in (path, path.with_suffix(".html")):
        if candidate.is_file():
            rel = Path(os.path.relpath(candidate, page_dir)).as_posix()
            links.append(f'<a href="{esc(rel)}">{esc(candidate.name)}</a>')
    return f'<p class="notebook">{t("notebook")}: {" · ".join(links)}</p>'


def target_sections(ctx: dict, t: Text, page_dir: Path) -> str:
    """One section per target with data, then the list of targets without data."""
    parts, missing = [], []
    registry = {r["id"]: r for r in ctx["registry"]["targets"]}
    for _, row in ctx["now"].iterrows():
        tid, label = row["target_id"], target_label(row, t.lang)
        if not has_data(row):
            reason = t.status(row["status_eurostat"])
            detail = t.reason(row["reason"])
            missing.append(
                f'<li id="m-{esc(tid)}">{esc(label)} <code>{esc(tid)}</code> — '
                f"{esc(reason)}{'; ' + esc(detail) if detail else ''}</li>"
            )
            continue
        main, variants = trajectories_of(ctx, tid)
        # a bound alone plots no series: show no (empty) chart for it
        exact = not _missing(row["latest_value"])
        figure = figure_html(ctx, t.lang, main["stem"], label) if main and exact else ""
        if not figure:
            figure = f'<p class="no-figure">{t("figure_missing")}</p>'
        extra = "".join(
            figure_html(ctx, t.lang, s["stem"], f"{label} — {variant_caption(ctx, t, s)}")
            for s in variants
        )
        if extra:
            extra = f"<details><summary>{t('more_figures')}</summary>{extra}</details>"
        quote = registry.get(tid, {}).get("quote", "")
        parts.append(f"""
<section class="target" id="t-{esc(tid)}"><h3>{esc(label)} <code>{esc(tid)}</code></h3>
{plan_of(ctx, t, row)}<blockquote lang="zh-CN">{esc(quote)}</blockquote>
<p class="verdict">{verdict(t, row)}</p>
{figure}{extra}
<h4>{t("key_numbers")}</h4>{key_numbers(t, row)}
<h4>{t("sources")}</h4>{source_links(target_sources(ctx["preferred"], row), compact=False)}
{notebook_links(ctx, t, tid, page_dir)}
</section>""")
    return (
        f'<section id="targets"><h2>{t("targets_title")}</h2>{"".join(parts)}</section>'
        f'<section id="missing"><h2>{t("missing_title")}</h2><p>{t("missing_intro")}</p>'
        f'<ul class="missing">{"".join(missing)}</ul></section>'
    )


def plan_of(ctx: dict, t: Text, row: pd.Series) -> str:
    """Name the plan of a target that is not the first plan's; empty for the first plan's."""
    first = ctx["registry"]["plan"]["id"]
    if row["plan"] == first:
        return ""
    plan = next(p for p in ctx["registry"]["plans"] if p["id"] == row["plan"])
    return f'<p class="plan-of">{t("plan_of", plan=plan_title(plan, t.lang))}</p>'


def further_plans(ctx: dict, t: Text) -> str:
    """One line per plan after the first: its title, issuer, date, targets and region."""
    lines = []
    for plan in ctx["registry"]["plans"][1:]:
        regions = ctx["now"].loc[ctx["now"]["plan"] == plan["id"], "region"]
        lines.append(
            t(
                "further_plan",
                plan=plan_title(plan, t.lang),
                issuer=plan["issuer"] if t.lang == "zh" else plan.get("issuer_en", plan["issuer"]),
                issued=plan["issued"],
                n=plan["n"],
                region=regions.iloc[0] if len(regions) else plan["region"],
            )
        )
    return "".join(f"<p>{line}</p>" for line in lines)


def replay_section(ctx: dict, t: Text) -> str:
    """Statuses and projections as of each replay year against the outcome."""
    now = ctx["now"].set_index("target_id")
    years = sorted(ctx["as_of"])
    frames = {y: ctx["as_of"][y].set_index("target_id") for y in years}
    ids = [
        tid
        for tid in now.index
        if any(frames[y].loc[tid, "status_eurostat"] not in EMPTY_STATUSES for y in years)
    ]
    n_proj = sum(int(frames[y]["projected"].notna().sum()) for y in years)
    inside = sum(int((frames[y]["actual_in_80"].astype(str) == "True").sum()) for y in years)
    head = (
        f'<th scope="col">{t("col_label")}</th>'
        + "".join(f'<th scope="col">{t("col_as_of", year=y)}</th>' for y in years)
        + f'<th scope="col">{t("col_outcome")}</th>'
    )
    rows = []
    for tid in ids:
        label = target_label(now.loc[tid], t.lang)
        cells = []
        for y in years:
            r = frames[y].loc[tid]
            schemes = "<br>".join(
                f'<span class="scheme">{t(key)}:</span> {status_html(ctx, t, r[col], bool(r["proxy"]))}'
                for key, col in zip(("col_eurostat", "col_un", "col_china"), SCHEMES, strict=True)
            )
            if not _missing(r["projected"]):
                schemes += (
                    f'<br><span class="scheme">{t("col_projection")}:</span> '
                    f"{esc(t.qty(r['projected'], r['unit']))} "
                    f"({esc(format_number(r['projected_lo80']))}–{esc(format_number(r['projected_hi80']))}); "
                    f"{t('col_p_meet')} {100 * r['p_meet']:.0f}%"
                )
            cells.append(f'<td data-label="{t("col_as_of", year=y)}">{schemes}</td>')
        outcome = t.status(now.loc[tid, "ex_post"])
        if not _missing(now.loc[tid, "actual_value"]):
            outcome += f" ({t.qty(now.loc[tid, 'actual_value'], now.loc[tid, 'unit'])})"
        rows.append(
            f'<tr><th scope="row"><a href="#t-{esc(tid)}">{esc(label)}</a></th>{"".join(cells)}'
            f'<td data-label="{t("col_outcome")}">{esc(outcome)}</td></tr>'
        )
    specs = [s for s in ctx["figures"].get("trajectories", []) if "as_of" in s]
    figures = "".join(
        figure_html(
            ctx,
            t.lang,
            s["stem"],
            f"{target_label(now.loc[s['target']], t.lang)} — {variant_caption(ctx, t, s)}",
        )
        for s in specs
        if s["target"] in now.index
    )
    return f"""
<section id="replay"><h2>{t("replay_title")}</h2>
<p>{t("replay_intro", inside=inside, n_proj=n_proj)}</p>
<table class="replay"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<h3>{t("replay_figures")}</h3><div class="grid">{figures}</div></section>"""


def provinces_section(ctx: dict, t: Text) -> str:
    """Liaoning's 2015→2020 growth against the other provinces, from provinces_context."""
    table = ctx["provinces"]
    lines = []
    for indicator, group in table.groupby("indicator", sort=False):
        ln = group[group["region"] == REGION]
        cn = group[group["region"] == "CN"]
        if ln.empty:
            continue
        ln = ln.iloc[0]
        provinces = group[group["region"] != "CN"]
        lines.append(
            "<li>"
            + t(
                "provinces_line",
                indicator=indicator_name(ctx, indicator, t.lang),
                multiple=format_number(ln["multiple"]),
                rank_level=_year(ln["rank_level"]),
                rank_growth=_year(ln["rank_growth"]),
                reached=int((provinces["reached_target"].astype(str) == "True").sum()),
                cn_multiple=format_number(cn["multiple"].iloc[0]) if not cn.empty else None,
            )
            + "</li>"
        )
    stems = [s["stem"] for key in ("provinces", "doubling") for s in ctx["figures"].get(key, [])]
    specs = {s["stem"]: s for key in ("provinces", "doubling") for s in ctx["figures"].get(key, [])}
    figures = "".join(
        figure_html(ctx, t.lang, stem, indicator_name(ctx, specs[stem]["indicator"], t.lang))
        for stem in stems
    )
    return (
        f'<section id="provinces"><h2>{t("provinces_title")}</h2><ul>{"".join(lines)}</ul>'
        f"{figures}</section>"
    )


def full_model_calibration(calibration: pd.DataFrame) -> pd.DataFrame:
    """Calibration rows of the full model set of each indicator.

    ``calibration.csv`` may hold one row per combined model set (column ``models``,
    e.g. ``drift+ets+loglinear+theta``); the set with the most models is kept.
    """
    if "models" not in calibration:
        return calibration
    size = calibration["models"].fillna("").str.count(r"\+") + 1
    largest = size.groupby(calibration["indicator"]).transform("max")
    return calibration[size == largest]


def methods_section(ctx: dict, t: Text) -> str:
    """Short methods box: schemes, models and backtest, calibration, what is missing."""
    assessment, now = ctx["assessment"], ctx["now"]
    scheme_text = []
    for key, config in (
        ("scheme_eurostat", "eurostat"),
        ("scheme_un", "un_sdg"),
        ("scheme_china", "china_midterm"),
    ):
        bands = assessment[config]["bands"]
        parts = [f"{t.status(b['status'])} ≥{b['min']:g}" for b in bands if math.isfinite(b["min"])]
        parts.append(f"{t.status(bands[-1]['status'])} <{bands[-2]['min']:g}")
        scheme_text.append(f"{t.raw(key)}: {', '.join(parts)}")
    bt, cal = ctx["backtest"], full_model_calibration(ctx["calibration"])
    models = sorted(set(bt["model"]) - {"combination"})
    blank = t.raw("no_value")

    def num(x, spec):
        return blank if _missing(x) else format(x, spec)

    rows = []
    combination = bt[bt["model"] == "combination"].drop_duplicates(["indicator", "horizon"])
    for indicator, group in combination.groupby("indicator", sort=False):
        h5 = group[group["horizon"] == group["horizon"].max()].iloc[0]
        factors = cal[cal["indicator"] == indicator].sort_values("horizon")["factor"]
        rows.append(
            f"<tr><td>{esc(indicator_name(ctx, indicator, t.lang))}</td><td>{int(h5['n'])}</td>"
            f"<td>{num(h5['mase'], '.2f')}</td><td>{num(100 * h5['coverage_80'], '.0f')}%</td>"
            f"<td>{esc(', '.join(num(f, '.2f') for f in factors) or blank)}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{t(k)}</th>'
        for k in ("bt_indicator", "bt_n", "bt_mase", "bt_cov80", "bt_factor")
    )
    empty = now[now["status_eurostat"].isin(EMPTY_STATUSES)]
    reasons = empty["reason"].map(t.reason).value_counts()
    reason_text = "; ".join(f"{r} ({n})" for r, n in reasons.items())
    return f"""
<section id="methods" class="methods"><h2>{t("methods_title")}</h2>
<p>{t("methods_schemes", schemes="; ".join(scheme_text))}</p>
<p>{t("methods_models", models=", ".join(models), n_ind=bt["indicator"].nunique())}</p>
<table class="backtest"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<p>{
        t(
            "methods_missing",
            no_data=int((now["status_eurostat"] == "no_data").sum()),
            no_evidence=int((now["status_eurostat"] == "no_evidence").sum()),
            proxy=int(now["proxy"].astype(bool).sum()),
            reasons=reason_text,
        )
    }</p>
<p>{t("methods_sources")}</p></section>"""


# --------------------------------------------------------------------------- page


CSS = (ASSETS / "report.css").read_text(encoding="utf-8")

JS = (ASSETS / "report.js").read_text(encoding="utf-8")


def render_page(ctx: dict, lang: str, page_dir: Path) -> str:
    """Full HTML of the page in ``lang``."""
    t = Text(ctx["labels"], ctx["assessment"]["labels"], lang)
    now, plan = ctx["now"], ctx["registry"]["plan"]
    others = [code for code in ctx["labels"]["languages"] if code != lang]
    switch = "".join(
        f'<a class="lang-switch" id="lang-switch" hreflang="{esc(ctx["labels"][o]["html_lang"])}" '
        f'lang="{esc(ctx["labels"][o]["html_lang"])}" href="../{esc(o)}/index.html">{esc(ctx["labels"][o]["language_name"])}</a>'
        for o in others
    )
    with_data = int(now.apply(has_data, axis=1).sum())
    outcome = now["ex_post"].value_counts()
    summary = t(
        "summary_line",
        n=len(now),
        with_data=with_data,
        missing=len(now) - with_data,
        met=int(outcome.get("met", 0)),
        missed=int(outcome.get("missed", 0)),
        unknown=int(outcome.get("unknown", 0)),
    )
    nav = "".join(
        f'<li><a href="#{key}">{t(label)}</a></li>'
        for key, label in (
            ("summary", "summary_title"),
            ("scorecard", "scorecard_title"),
            ("targets", "targets_title"),
            ("missing", "missing_title"),
            ("replay", "replay_title"),
            ("provinces", "provinces_title"),
            ("methods", "methods_title"),
        )
    )
    subtitle = t(
        "subtitle",
        plan=plan["title_zh"],
        plan_en=plan.get("title_en", plan["title_zh"]),
        issuer=plan["issuer"],
        issuer_en=plan.get("issuer_en", "Liaoning Provincial Government"),
        issued=plan["issued"],
        n=ctx["registry"]["plans"][0]["n"],
    )
    return f"""<!DOCTYPE html>
<html lang="{esc(t.strings["html_lang"])}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t("title")}</title>
<style>{CSS}</style></head>
<body><header>{switch}<h1>{t("title")}</h1><p>{subtitle}</p>{further_plans(ctx, t)}
<nav aria-label="{t("nav_label")}"><ul>{nav}</ul></nav></header>
<main>
<section id="summary"><h2>{t("summary_title")}</h2><p>{summary}</p></section>
{scorecard_section(ctx, t)}
{target_sections(ctx, t, page_dir)}
{replay_section(ctx, t)}
{provinces_section(ctx, t)}
{methods_section(ctx, t)}
</main>
<footer><p>{t("generated", date=dt.date.today().isoformat())}</p><p>{t("print_note")}</p></footer>
<script>{JS}</script></body></html>
"""


def find_chromium(explicit: str | os.PathLike | None = None) -> str | None:
    """Path of a Chromium executable: ``explicit``, ``$CHROMIUM``, or one on PATH."""
    for candidate in (explicit, os.environ.get("CHROMIUM"), *CHROMIUM_CANDIDATES):
        if candidate:
            found = shutil.which(str(candidate))
            if found:
                return found
    return None


def print_pdf(html_path: Path, pdf_path: Path, chromium: str, timeout: float = 120) -> Path:
    """Print ``html_path`` to an A4 PDF with headless Chromium (no network, fresh profile)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lnreport-chromium-") as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf_path}",
                Path(html_path).resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    _fix_pdf_dates(pdf_path)
    return pdf_path


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)\d{14}")


def _fix_pdf_dates(pdf_path: Path) -> None:
    """Set the PDF's creation and modification dates to a fixed one (same length).

    The file is then identical from one build to the next; the digits are replaced
    one for one, so the cross-reference offsets stay valid.
    """
    data = Path(pdf_path).read_bytes()
    fixed = _PDF_DATE.sub(lambda m: m.group(1) + b"20000101000000", data)
    if fixed != data:
        Path(pdf_path).write_bytes(fixed)


def build_report(
    processed_dir: str | os.PathLike,
    figures_dir: str | os.PathLike,
    config_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    labels_path: str | os.PathLike | None = None,
    notebooks_dir: str | os.PathLike | None = None,
    pdf: bool = True,
    chromium: str | None = None,
) -> list[Path]:
    """Write the static report ``out_dir/<lang>/index.html`` (and a PDF of each page).

    Parameters
    ----------
    processed_dir : path
        ``data/processed`` (scorecards, preferred values, provinces, backtest, calibration).
    figures_dir : path
        ``figures`` with ``zh/`` and ``en/`` SVGs.
    config_dir : path
        ``lnanalysis/config`` (targets, assessment, figures, figure_labels).
    out_dir : path
        Output directory; created if needed.
    labels_path : path, optional
        Report labels; default ``<config_dir>/report_labels.yaml``, else the file
        beside this module.
    notebooks_dir : path, optional
        Notebooks to link; default ``<processed_dir>/../../notebooks``.
    pdf : bool
        Also print each page to ``out_dir/<lang>/report.pdf`` when Chromium is found.
    chromium : str, optional
        Chromium executable (default: ``$CHROMIUM`` or one on PATH).

    Returns
    -------
    list of Path
        The HTML pages, then the PDFs written.
    """
    processed_dir, out_dir = Path(processed_dir), Path(out_dir)
    if notebooks_dir is None:
        notebooks_dir = processed_dir.resolve().parents[1] / "notebooks"
    if labels_path is None:
        in_config = Path(config_dir) / LABELS_FILE.name
        labels_path = in_config if in_config.is_file() else LABELS_FILE
    ctx = load_inputs(
        processed_dir, Path(figures_dir), Path(config_dir), Path(notebooks_dir), Path(labels_path)
    )
    pages = []
    for lang in ctx["labels"]["languages"]:
        page_dir = (out_dir / lang).resolve()
        page_dir.mkdir(parents=True, exist_ok=True)
        path = page_dir / "index.html"
        path.write_text(render_page(ctx, lang, page_dir), encoding="utf-8")
        pages.append(path)
    executable = find_chromium(chromium) if pdf else None
    if not executable:
        return pages
    from concurrent.futures import ThreadPoolExecutor

    # One Chromium per language, side by side (each waits mostly on its own process)
    with ThreadPoolExecutor(len(pages)) as pool:
        pdfs = list(pool.map(lambda p: print_pdf(p, p.with_name("report.pdf"), executable), pages))
    return pages + pdfs
