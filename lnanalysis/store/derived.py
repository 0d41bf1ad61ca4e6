"""Derived indicators computed from preferred values, with the formula on every row."""

from __future__ import annotations

import pandas as pd

from lnanalysis.core.config import load_yaml
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.store.observations import exact_rows

STATUS_ORDER = {"preliminary": 0, "revised": 1, "final": 2}


def _pick(pref: pd.DataFrame, region: str, indicator: str) -> pd.DataFrame:
    return exact_rows(pref, indicator, region).set_index("year")


def derive(pref: pd.DataFrame) -> pd.DataFrame:
    """Return derived observation rows from the preferred table (one per region and year).

    A fallback denominator (e.g. the census count where no year-end population is
    published) is used only where the configuration names it, and the row says so.
    """
    rows = []
    for spec in load_yaml("derived.yaml")["derived"]:
        ind = get_indicator(spec["id"])
        for region in spec["regions"]:
            num = _pick(pref, region, spec["numerator"])
            den = _pick(pref, region, spec["denominator"])
            fallback = spec.get("denominator_fallback")
            den_fb = _pick(pref, region, fallback) if fallback else den.iloc[0:0]
            for year in sorted(num.index):
                used, den_id = None, spec["denominator"]
                if year in den.index:
                    used = den.loc[year]
                elif year in den_fb.index:
                    used, den_id = den_fb.loc[year], fallback
                if used is None:
                    continue
                n = num.loc[year]
                value = float(n["value"]) / float(used["value"]) * float(spec["scale"])
                status = min((n["status"], used["status"]), key=STATUS_ORDER.get)
                weakest = n if n["tier_rank"] >= used["tier_rank"] else used
                rows.append(
                    {
                        "obs_id": f"derived:{spec['id']}:{region}:{year}",
                        "region": region,
                        "region_label": region,
                        "indicator": ind.id,
                        "indicator_label": ind.zh,
                        "year": int(year),
                        "value": value,
                        "bound": "",
                        "value_raw": f"{value:.6g}",
                        "unit": ind.unit,
                        "unit_raw": ind.unit,
                        "conversion": f"{spec['numerator']} / {den_id} × {spec['scale']:g}",
                        "status": status,
                        "status_basis": "derived",
                        "source_family": "derived",
                        "family_rank": 9,
                        "source_tier": weakest["source_tier"],
                        "tier_rank": int(weakest["tier_rank"]),
                        "published": max(n["published"], used["published"]),
                        "published_basis": "later input",
                        "source_url": f"{n['source_url']} ; {used['source_url']}",
                        "source_title": (
                            f"Derived by lnanalysis from {n['obs_id']} and {used['obs_id']}"
                        ),
                        "source_file": "derived",
                        "source_sheet": "",
                        "source_row": 1,
                        "source_cell": "",
                        "note": f"formula: {ind.formula or spec['numerator'] + ' / ' + den_id}"
                        + (
                            ""
                            if den_id == spec["denominator"]
                            else f"; denominator {den_id} used: no {spec['denominator']} for {year}"
                        ),
                    }
                )
    return pd.DataFrame(rows)


def compare_derived(pref: pd.DataFrame) -> pd.DataFrame:
    """Return derived against official values wherever both exist."""
    rows = []
    for spec in load_yaml("derived.yaml")["derived"]:
        for region in spec["regions"]:
            d = _pick(pref, region, spec["id"])
            o = _pick(pref, region, spec["compare_with"])
            for year in sorted(set(d.index) & set(o.index)):
                dv, ov = float(d.loc[year, "value"]), float(o.loc[year, "value"])
                rows.append(
                    {
                        "region": region,
                        "year": int(year),
                        "derived_indicator": spec["id"],
                        "official_indicator": spec["compare_with"],
                        "derived": round(dv, 4),
                        "official": ov,
                        "difference": round(dv - ov, 4),
                        "relative_difference_pct": round(100 * (dv - ov) / ov, 2),
                        "derived_inputs": d.loc[year, "conversion"],
                        "official_source_url": o.loc[year, "source_url"],
                    }
                )
    return pd.DataFrame(rows)
