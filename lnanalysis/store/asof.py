"""As-of replay: what was published by the end of a given year.

A row counts as known at the end of ``as_of`` when its publication date (the
source's own, or its family's usual lag) is on or before 31 December of that year.
Among the rows known then, the same preference rule picks the value of the time,
so preliminary figures of the time are used where the store has them.
"""

from __future__ import annotations

import pandas as pd

from lnanalysis.store.preferred import select_preferred


def known_by(obs: pd.DataFrame, as_of: int | None) -> pd.DataFrame:
    """Return the observations published by the end of ``as_of`` (all when None)."""
    if as_of is None:
        return obs
    cutoff = f"{int(as_of)}-12-31"
    return obs[(obs["published"].astype(str) <= cutoff) & (obs["year"] <= as_of)]


def vintages(
    obs: pd.DataFrame, years, today: pd.DataFrame | None = None
) -> dict[int | None, pd.DataFrame]:
    """Return the preferred table of today (key None) and of each year in ``years``.

    ``today`` is today's table when the caller has it (``data/processed/preferred.csv``).
    """
    out = {None: vintage(obs, None) if today is None else today}
    for year in years:
        if year is not None:
            out[year] = vintage(obs, year)
    return out


def vintage(obs: pd.DataFrame, as_of: int | None) -> pd.DataFrame:
    """Return the preferred table as it could have been built at the end of ``as_of``."""
    known = known_by(obs, as_of)
    cols = [c for c in known.columns if c not in ("preferred", "n_sources")]
    marked = select_preferred(known[cols])
    return marked[marked["preferred"]].drop(columns=["preferred"]).reset_index(drop=True)
