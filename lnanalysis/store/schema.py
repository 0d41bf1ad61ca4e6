"""Pandera schemas that every processed table is validated against before writing.

The schemas are generated from the one column dictionary, ``config/columns.yaml``:
each table must hold exactly its documented columns, each of its documented type,
with its key columns filled and unique together. The observation table has further
checks of its own (known regions and indicators, units as in the dictionary).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from lnanalysis.core.config import load_yaml
from lnanalysis.core.errors import InputError
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


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _all(kind):
    """Return a check that every filled value of a column is of ``kind``."""
    return lambda s: bool(s.dropna().map(lambda v: isinstance(v, kind)).all())


# How each dictionary type is checked: text and yes/no values one by one (a missing
# one allowed outside the key); numbers by the column's type (booleans are not numbers)
_KINDS = {
    "str": _all(str),
    "bool": _all((bool, np.bool_)),
    "int": lambda s: s.isna().all() or (_numeric(s) and pd.api.types.is_integer_dtype(s)),
    "float": lambda s: s.isna().all() or _numeric(s),
    # a (first, last) pair: a tuple in memory, written as its text "(a, b)"
    "pair": _all((tuple, str)),
}


class SchemaMismatchError(InputError):
    """A processed table does not match its entry in the column dictionary."""


def family(stem: str) -> str:
    """Return the dictionary's name of a table (the scorecards share one: 'scorecard')."""
    return "scorecard" if stem.startswith("scorecard_") else stem


@cache
def table_schema(stem: str) -> pa.DataFrameSchema:
    """Return the schema of the processed table ``stem``, built from config/columns.yaml."""
    cfg = load_yaml("columns.yaml")
    key = cfg["tables"][stem]["key"]
    columns = {}
    for entry in cfg["columns"]:
        if entry["table"] != family(stem):
            continue
        dtype = entry["dtype"]
        if dtype not in _KINDS:
            raise InputError(
                f"table {entry['table']}, column {entry['column']}: dtype {dtype!r} is not "
                f"one of {', '.join(_KINDS)}",
                file="lnanalysis/config/columns.yaml",
            )
        check = pa.Check(_KINDS[dtype], element_wise=False, error=f"values are not {dtype}")
        columns[entry["column"]] = pa.Column(
            checks=[check], nullable=entry["column"] not in key, required=True
        )
    return pa.DataFrameSchema(columns, strict=True, unique=key, name=stem)


def check_table(stem: str, frame: pd.DataFrame) -> None:
    """Raise :class:`SchemaMismatchError` naming the table, column and what is wrong."""
    try:
        table_schema(stem).validate(frame, lazy=True)
    except (SchemaError, SchemaErrors) as exc:
        cases = getattr(exc, "failure_cases", None)
        what = _first_failure(cases) if cases is not None and len(cases) else str(exc)
        raise SchemaMismatchError(
            f"does not match config/columns.yaml ({what.splitlines()[0]})",
            file=f"data/processed/{stem}.csv",
        ) from None


def _first_failure(cases: pd.DataFrame) -> str:
    """Return the first failure of a validation in words."""
    case = cases.iloc[0]
    column, check, value = case.get("column"), str(case.get("check")), case.get("failure_case")
    words = {
        "column_in_schema": f"column {value!r} is not in the dictionary",
        "column_in_dataframe": f"column {value!r} of the dictionary is missing",
        "multiple_fields_uniqueness": "its key columns are not unique together",
        "not_nullable": f"{column}: a key column has an empty value",
    }
    return words.get(check, f"{column}: {check}")


def check_tables(tables: dict[str, pd.DataFrame]) -> None:
    """Check every table (by file stem) against the column dictionary before it is written.

    A table with no rows and no columns (nothing to report) first gets its documented
    columns, so that its file still has a header.
    """
    for stem, frame in tables.items():
        if frame.empty and len(frame.columns) == 0:
            tables[stem] = frame = pd.DataFrame(columns=list(table_schema(stem).columns))
        check_table(stem, frame)
