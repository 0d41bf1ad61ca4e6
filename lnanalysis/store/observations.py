"""The indicator store: every sourced value as one tidy, validated table.

``build_observations`` reads the raw files named in ``data/raw/sources.yaml``,
verifies their checksums, maps regions, indicators and units through the
dictionaries, and stops on the first bad row with an error naming the file,
sheet and row. ``load_observations`` and ``load_preferred`` read the processed
outputs that ``make briefing`` writes.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pandas as pd

from lnanalysis.core.config import load_csv, load_yaml, read_yaml
from lnanalysis.core.errors import (
    DuplicateRowError,
    InputError,
    MissingSourceError,
    PlausibilityError,
    UnknownIndicatorError,
)
from lnanalysis.core.parse import parse_number, parse_year
from lnanalysis.core.paths import PROCESSED_DIR, RAW_DIR
from lnanalysis.core.textfile import read_csv_rows
from lnanalysis.extract.provenance import verify
from lnanalysis.reference.indicators import map_indicator
from lnanalysis.reference.regions import region_code
from lnanalysis.reference.sources import classify_family, classify_status, publication_date
from lnanalysis.reference.tiers import classify_tier, tiers
from lnanalysis.reference.units import convert

STATUSES = ("preliminary", "final", "revised")
OBS_COLUMNS = [
    "obs_id",
    "region",
    "region_label",
    "indicator",
    "indicator_label",
    "year",
    "value",
    "bound",
    "value_raw",
    "unit",
    "unit_raw",
    "conversion",
    "status",
    "status_basis",
    "source_family",
    "family_rank",
    "source_tier",
    "tier_rank",
    "published",
    "published_basis",
    "source_url",
    "source_title",
    "source_file",
    "source_sheet",
    "source_row",
    "source_cell",
    "note",
]


def load_sources(raw_dir: Path = RAW_DIR) -> list[dict]:
    """Return the raw source specifications of ``<raw_dir>/sources.yaml`` in build order."""
    path = raw_dir / "sources.yaml"
    doc = read_yaml(path)
    sources = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(sources, list) or not sources:
        raise InputError("no 'sources:' list", file=path)
    for n, src in enumerate(sources, 1):
        _check_source(src, n, path)
    ids = [s.get("id") for s in sources]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"source ids repeated: {dup}", file=path)
    return sources


SOURCE_FORMATS = ("xlsx", "csv")
SOURCE_FIELDS = ("indicator", "label", "year", "value", "unit", "source_url", "source_title")


def _check_source(src, n: int, path: Path) -> None:
    """Refuse a sources.yaml entry that the build could not read, naming it."""
    if not isinstance(src, dict):
        raise InputError(f"entry {n} of 'sources:' is not a mapping of keys", file=path)
    name = f"source {src.get('id', n)!r}"
    for key in ("id", "path", "region_column", "columns"):
        if not src.get(key):
            raise InputError(f"{name}: '{key}' is missing", file=path)
    fmt = src.get("format", "xlsx")
    if fmt not in SOURCE_FORMATS:
        raise InputError(f"{name}: format {fmt!r} is not one of {SOURCE_FORMATS}", file=path)
    if fmt == "xlsx" and not src.get("sheet"):
        raise InputError(f"{name}: an xlsx source needs its 'sheet'", file=path)
    cols = src["columns"]
    if not isinstance(cols, dict):
        raise InputError(f"{name}: 'columns' must map fields to column names", file=path)
    missing = [f for f in SOURCE_FIELDS if not cols.get(f)]
    if missing:
        raise InputError(f"{name}: 'columns' lacks {', '.join(missing)}", file=path)


def _read_table(path: Path, src: dict) -> tuple[pd.DataFrame, str]:
    """Return the file's rows as text and the sheet name cited in provenance."""
    if src.get("format", "xlsx") == "csv":
        header, rows = read_csv_rows(path)
        return pd.DataFrame(rows, columns=header, dtype=str), ""
    return _read_sheet(path, src["sheet"]), src["sheet"]


def _read_sheet(path: Path, sheet: str) -> pd.DataFrame:
    try:
        return pd.read_excel(
            path, sheet_name=sheet, dtype=str, engine="calamine", keep_default_na=False
        )
    except ValueError as exc:
        raise InputError(f"cannot read sheet: {exc}", file=path, sheet=sheet) from exc


@cache
def _unaddressed() -> dict[tuple[str, int], str]:
    return {
        (r["source"], int(r["row"])): r["reason"] for r in load_csv("citations_without_url.csv")
    }


# A source URL that a browser or spreadsheet would run rather than open
_ACTIVE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)


def _row_to_record(src: dict, rel: str, sheet: str, rownum: int, row: dict, today: dt.date):
    cols = src["columns"]
    where = {"file": rel, "sheet": sheet or None, "row": rownum}
    url = row[cols["source_url"]].strip()
    title = row[cols["source_title"]].strip()
    if not title or (not url and (src["id"], rownum) not in _unaddressed()):
        raise MissingSourceError("value row has no source URL or title", **where)
    if _ACTIVE_SCHEME.match(url):
        raise InputError(
            f"source URL {url[:60]!r} would run code when opened; cite a web page", **where
        )
    region_label = row[src["region_column"]]
    region = region_code(region_label, **where)
    label = row[cols["label"]]
    ind = map_indicator(src["id"], row[cols["indicator"]], label, **where)
    year = parse_year(row[cols["year"]], where=where)
    if year > today.year:
        raise PlausibilityError(f"year {year} is in the future", **where)
    raw_value = row[cols["value"]]
    parsed = parse_number(raw_value, where=where)
    if parsed.marker:
        raise InputError(f"value row with no value ({parsed.marker!r})", **where)
    unit_raw = row[cols["unit"]]
    try:
        value, conversion = convert(parsed.value, unit_raw, ind.unit)
    except InputError as exc:
        raise type(exc)(exc.reason + f" (indicator {ind.id} is in {ind.unit})", **where) from None
    if ind.is_share and not 0 <= value <= 100:
        raise PlausibilityError(f"share {value} outside 0-100 for {ind.id}", **where)
    if ind.is_nonnegative and value < 0:  # counts, and money spent, earned or produced
        what = "count" if ind.is_count else "amount"
        raise PlausibilityError(f"negative {what} {value} {ind.unit} for {ind.id}", **where)
    note = row[cols["note"]].strip() if "note" in cols else ""
    family = classify_family(url, title)
    tier = _stated_tier(row, cols, where) or classify_tier(url, title)
    status, basis = _stated_status(row, cols, where) or classify_status(ind.id, note, title)
    published, pub_basis = _stated_date(row, cols, year, where) or publication_date(
        year, family, title
    )
    return {
        "obs_id": f"{src['id']}:{rownum}",
        "region": region,
        "region_label": region_label,
        "indicator": ind.id,
        "indicator_label": label,
        "year": year,
        "value": value,
        "bound": parsed.bound,
        "value_raw": str(raw_value),
        "unit": ind.unit,
        "unit_raw": unit_raw,
        "conversion": conversion,
        "status": status,
        "status_basis": basis,
        "source_family": family.id,
        "family_rank": family.rank,
        "source_tier": tier.id,
        "tier_rank": tier.rank,
        "published": published.isoformat(),
        "published_basis": pub_basis,
        "source_url": url,
        "source_title": title,
        "source_file": rel,
        "source_sheet": sheet,
        "source_row": rownum,
        "source_cell": row[cols["cell"]].strip() if "cell" in cols else "",
        "note": note,
    }


def _stated_status(row: dict, cols: dict, where: dict) -> tuple[str, str] | None:
    if "status" not in cols or not row[cols["status"]].strip():
        return None
    status = row[cols["status"]].strip()
    if status not in STATUSES:
        raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}", **where)
    return status, "stated in the row"


def _stated_tier(row: dict, cols: dict, where: dict):
    if "tier" not in cols or not row[cols["tier"]].strip():
        return None
    tier = row[cols["tier"]].strip()
    if tier not in tiers():
        raise InputError(f"tier {tier!r} is not one of {', '.join(tiers())}", **where)
    return tiers()[tier]


def _stated_date(row: dict, cols: dict, year: int, where: dict):
    if "published" not in cols or not row[cols["published"]].strip():
        return None
    text = row[cols["published"]].strip()
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"published {text!r} is not an ISO date (YYYY-MM-DD)", **where) from None
    if date.year < year:
        raise PlausibilityError(f"published {text} before the data year {year}", **where)
    return date, "row"


def read_source(src: dict, raw_dir: Path = RAW_DIR, today: dt.date | None = None) -> pd.DataFrame:
    """Read one raw source into observation rows; raise on the first bad row."""
    path = raw_dir / src["path"]
    verify(path)
    rel = str(Path(src["path"]))
    frame, sheet = _read_table(path, src)
    needed = {src["region_column"], *src["columns"].values()}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise InputError(f"missing columns {missing}", file=rel, sheet=sheet or None, row=1)
    today = today or dt.date.today()
    records = [
        _row_to_record(src, rel, sheet, i + 2, row, today)
        for i, row in enumerate(frame.to_dict("records"))
    ]
    return pd.DataFrame.from_records(records, columns=OBS_COLUMNS)


def check_duplicates(obs: pd.DataFrame) -> None:
    """Raise DuplicateRowError when a (region, indicator, year, source) key repeats."""
    key = ["region", "indicator", "year", "source_url", "source_title", "value_raw"]
    dup = obs[obs.duplicated(key, keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        others = ", ".join(
            f"{f} row {r}" for f, r in zip(dup["source_file"], dup["source_row"], strict=True)
        )
        raise DuplicateRowError(
            f"duplicate row for {first.region} {first.indicator} {first.year} from the same "
            f"source ({others})",
            file=first.source_file,
            sheet=first.source_sheet,
            row=int(first.source_row),
        )


UNIT_SLIP_TOLERANCE = 0.05


def unit_slip_ratios() -> list[float]:
    """Ratios between two units of one dimension (config/units.yaml) of 1,000 or more.

    Two sources of one figure whose values differ by such a ratio (万元 vs 亿元, 件 vs
    万件) almost surely disagree on the unit, not on the figure.
    """
    units = load_yaml("units.yaml")["units"]
    pairs = [(u["dimension"], float(u["factor"])) for u in units.values()]
    ratios = {fa / fb for da, fa in pairs for db, fb in pairs if da == db and fa / fb >= 1000}
    return sorted(ratios)


def check_unit_slips(obs: pd.DataFrame) -> None:
    """Raise PlausibilityError when two sources of one figure differ by a unit factor.

    A value 10,000 (or 10^8) times another source's value for the same region,
    indicator and year is almost surely in the wrong unit (万元 data labelled 亿元).
    """
    exact = obs[is_exact(obs)]
    ratios = unit_slip_ratios()
    for _key, grp in exact.groupby(["region", "indicator", "year"], sort=False):
        if len(grp) < 2:
            continue
        lo, hi = grp["value"].idxmin(), grp["value"].idxmax()
        small, large = grp.at[lo, "value"], grp.at[hi, "value"]
        if small <= 0:
            continue
        ratio = large / small
        for factor in ratios:
            if abs(ratio / factor - 1) <= UNIT_SLIP_TOLERANCE:
                odd = grp.loc[hi]
                raise PlausibilityError(
                    f"{odd['region']} {odd['indicator']} {odd['year']}: {large:g} is {ratio:,.0f}"
                    f" times {small:g} from {grp.at[lo, 'source_file']} row "
                    f"{grp.at[lo, 'source_row']}; a unit slip (e.g. 万元 labelled 亿元)?",
                    file=odd["source_file"],
                    sheet=odd["source_sheet"],
                    row=int(odd["source_row"]),
                )


def build_observations(raw_dir: Path = RAW_DIR, today: dt.date | None = None) -> pd.DataFrame:
    """Read every configured raw source and return the validated observation table."""
    from lnanalysis.store.schema import validate_observations

    frames = [read_source(src, raw_dir, today) for src in load_sources(raw_dir)]
    obs = pd.concat(frames, ignore_index=True)
    check_duplicates(obs)
    check_unit_slips(obs)
    obs = obs.sort_values(["region", "indicator", "year", "obs_id"], kind="stable")
    return validate_observations(obs.reset_index(drop=True))


def load_observations(processed_dir: Path = PROCESSED_DIR) -> pd.DataFrame:
    """Return ``data/processed/observations.csv`` (every sourced value, nothing dropped)."""
    return _load(processed_dir / "observations.csv")


def load_preferred(processed_dir: Path = PROCESSED_DIR) -> pd.DataFrame:
    """Return ``data/processed/preferred.csv``: one chosen value per region, indicator, year."""
    return _load(processed_dir / "preferred.csv")


def _load(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; run `make briefing` (or `make data`) first")
    return pd.read_csv(
        path, dtype={"bound": str, "note": str}, keep_default_na=False, na_values={"value": [""]}
    )


def is_exact(table: pd.DataFrame) -> pd.Series:
    """Return True for rows holding an exact figure, False for bounds such as '>600'."""
    return table["bound"].fillna("") == ""


def exact_rows(table: pd.DataFrame, indicator: str, region: str | None = None) -> pd.DataFrame:
    """Rows of one indicator (and region) that are exact figures, not bounds like '>600'."""
    sel = table[(table["indicator"] == indicator) & is_exact(table)]
    return sel if region is None else sel[sel["region"] == region]


def preferred_series(
    indicator: str,
    region: str = "LN",
    *,
    preferred: pd.DataFrame | None = None,
    exact_only: bool = True,
) -> pd.Series:
    """Return the preferred values of one indicator in one region as a year-indexed series.

    Bounds such as '>600' are left out unless ``exact_only`` is False. A year with no
    sourced value is absent (never interpolated).

    Raises
    ------
    UnknownIndicatorError
        If the indicator has no value at all in that region.
    """
    table = load_preferred() if preferred is None else preferred
    if exact_only:
        sel = exact_rows(table, indicator, region)
    else:
        sel = table[(table["indicator"] == indicator) & (table["region"] == region)]
    if sel.empty:
        raise UnknownIndicatorError(f"no preferred values for {indicator!r} in region {region!r}")
    series = sel.set_index("year")["value"].astype(float).sort_index()
    series.name = indicator
    return series
