"""Pandera schemas that every processed table is validated against before writing."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from lnanalysis.reference.indicators import indicators
from lnanalysis.reference.regions import region_table

STATUSES = ["preliminary", "final", "revised"]


def observations_schema() -> pa.DataFrameSchema:
    """Return the schema of the tidy observation table."""
    return pa.DataFrameSchema(
        {
            "obs_id": pa.Column(str, unique=True),
            "region": pa.Column(str, pa.Check.isin(list(region_table().index))),
            "indicator": pa.Column(str, pa.Check.isin(list(indicators()))),
            "year": pa.Column(int, pa.Check.in_range(1949, 2100)),
            "value": pa.Column(float, nullable=False),
            "bound": pa.Column(str, pa.Check.isin(["", ">", "<", ">=", "<="])),
            "unit": pa.Column(str),
            "status": pa.Column(str, pa.Check.isin(STATUSES)),
            "source_family": pa.Column(str),
            "published": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
            "source_title": pa.Column(str, pa.Check.str_length(min_value=1)),
            "source_file": pa.Column(str),
            "source_row": pa.Column(int, pa.Check.ge(1)),
        },
        checks=[
            pa.Check(lambda df: _units_match(df), error="unit differs from the dictionary"),
        ],
        strict=False,
        coerce=True,
    )


def _units_match(df: pd.DataFrame) -> bool:
    expected = df["indicator"].map({k: v.unit for k, v in indicators().items()})
    return bool((expected == df["unit"]).all())


def validate_observations(df: pd.DataFrame) -> pd.DataFrame:
    """Validate and return the observation table (raises pandera.errors.SchemaError)."""
    return observations_schema().validate(df)
