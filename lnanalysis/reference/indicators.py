"""The indicator dictionary (``config/indicators.yaml``) as typed records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from lnanalysis.core.config import load_csv, load_yaml
from lnanalysis.core.errors import UnknownIndicatorError
from lnanalysis.reference.units import canonical_unit

COUNT_DIMENSIONS = {
    "count_items",
    "count_contracts",
    "count_units",
    "count_persons",
    "count_events",
}


@dataclass(frozen=True)
class Indicator:
    """One indicator: names, unit, measure and known breaks."""

    id: str
    zh: str
    en: str
    unit: str
    measure: str
    theme: str
    definition: str
    breaks: str = ""
    formula: str = ""

    @property
    def is_share(self) -> bool:
        """True for percentages of a whole, bounded to 0-100."""
        return self.measure == "share"

    @property
    def is_count(self) -> bool:
        """True for counts, which cannot be negative."""
        units = load_yaml("units.yaml")["units"]
        return units[self.unit]["dimension"] in COUNT_DIMENSIONS

    @property
    def is_nonnegative(self) -> bool:
        """True for counts, and for amounts of money spent, earned or produced."""
        units = load_yaml("units.yaml")["units"]
        money = units[self.unit]["dimension"] == "money_cny" and self.measure in ("flow", "stock")
        return self.is_count or money


@cache
def indicators() -> dict[str, Indicator]:
    """Return every indicator of the dictionary by id."""
    out = {}
    for key, spec in load_yaml("indicators.yaml")["indicators"].items():
        out[key] = Indicator(
            id=key,
            zh=spec["zh"],
            en=spec["en"],
            unit=canonical_unit(spec["unit"]),
            measure=spec["measure"],
            theme=spec["theme"],
            definition=spec["definition"],
            breaks=str(spec.get("breaks", "") or ""),
            formula=str(spec.get("formula", "") or ""),
        )
    return out


def get_indicator(indicator_id: str, **where) -> Indicator:
    """Return one indicator or raise UnknownIndicatorError with the location given."""
    try:
        return indicators()[indicator_id]
    except KeyError:
        raise UnknownIndicatorError(
            f"unknown indicator {indicator_id!r}; add it to config/indicators.yaml", **where
        ) from None


@cache
def _map() -> dict[tuple[str, str, str], str]:
    return {
        (r["source"], r["indicator_src"], r["label_src"]): r["indicator"]
        for r in load_csv("indicator_map.csv")
    }


def map_indicator(source: str, indicator_src: str, label: str, **where) -> Indicator:
    """Map a source's indicator id and label to a canonical indicator (explicit map first)."""
    table = _map()
    target = table.get((source, indicator_src, label)) or table.get((source, indicator_src, "*"))
    return get_indicator(target or indicator_src, **where)


def dictionary_frame() -> pd.DataFrame:
    """Return the indicator dictionary as a table (for data/processed and the docs)."""
    rows = [vars(ind) for ind in indicators().values()]
    return pd.DataFrame(rows).sort_values("id", kind="stable").reset_index(drop=True)
