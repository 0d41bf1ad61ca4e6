"""Calibration is measured out of sample: a region's factor never uses its own cases."""

import numpy as np
import pandas as pd
import pytest

from lnanalysis.backtest import Z, loro_factors, pooled_factors


def test_leave_one_region_out_factor_ignores_the_regions_own_cases():
    # SYNTHETIC cases: region A has wild errors, B and C behave like N(0,1)
    rng = np.random.default_rng(0)
    rows = []
    for region, scale in (("A", 50.0), ("B", 1.0), ("C", 1.0)):
        for z in rng.normal(0, scale, 400):
            rows.append(dict(indicator="x", model="combination", horizon=1, region=region, z=z))
    cases = pd.DataFrame(rows)
    k = loro_factors(cases)
    k_a = k[cases["region"] == "A"].iloc[0]
    assert k_a == pytest.approx(1.0, abs=0.15)  # from B and C only
    assert k[cases["region"] == "B"].iloc[0] > 10  # A's wild errors widen the others
    pooled = pooled_factors(cases).set_index("indicator").loc["all", "factor"]
    assert pooled == pytest.approx(np.quantile(np.abs(cases["z"]), 0.8) / Z[80])
