"""Typed, frozen models of the configuration files that steer the build.

Each model refuses a key it does not know (a typo must not pass silently) and a value
of the wrong type, with one line naming the file and the key. :func:`settings`
returns the validated, frozen model; :func:`lnanalysis.core.config.load_yaml`
validates these files the same way before any caller reads them.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, ValidationError

from lnanalysis.core.config_models import REFERENCE_MODELS
from lnanalysis.core.errors import InputError
from lnanalysis.core.strict import Strict as _Strict


class TrajectoryFigure(_Strict):
    """A trajectory figure: a target's series, optionally as of a year, another series or base."""

    stem: str
    target: str
    as_of: int | None = None
    indicator: str | None = None
    baseline_year: int | None = None


class ScorecardFigure(_Strict):
    """The scorecard chart, today's or as of a replay year."""

    stem: str
    as_of: int | None = None


class IndicatorFigure(_Strict):
    """A provincial chart of one indicator (levels, or the doubling context)."""

    stem: str
    indicator: str


class PlainFigure(_Strict):
    """A figure with no parameter (the data coverage)."""

    stem: str


class FiguresConfig(_Strict):
    """config/figures.yaml: the briefing figures and their file formats."""

    trajectories: tuple[TrajectoryFigure, ...]
    scorecards: tuple[ScorecardFigure, ...]
    provinces: tuple[IndicatorFigure, ...]
    doubling: tuple[IndicatorFigure, ...]
    coverage: tuple[PlainFigure, ...]
    formats: tuple[Literal["png", "svg", "pdf"], ...] = Field(min_length=1)
    drawing_reads: tuple[str, ...] = Field(min_length=1)


class BacktestIndicator(_Strict):
    """One indicator of the backtest panel."""

    required_growth: float | None = Field(default=None, gt=0)
    break_year: int | None = None


class BacktestConfig(_Strict):
    """config/backtest.yaml: the rolling-origin backtest over the provincial panel."""

    min_points: int = Field(ge=3)
    horizons: tuple[int, ...] = Field(min_length=1)
    regions: Literal["provinces_and_national"]
    indicators: dict[str, BacktestIndicator | None]
    min_cases: int = Field(ge=1)


class NotebooksConfig(_Strict):
    """config/notebooks.yaml: what each notebook shows, and how the pool runs them."""

    value_scopes: dict[str, tuple[str, ...] | None]
    without_figures: tuple[str, ...] = ()
    run_first: tuple[str, ...] = ()


class ReplaySeries(_Strict):
    """A series the mid-term replay follows: a target, optionally on another indicator."""

    target: str
    indicator: str | None = None


class ReplayConfig(_Strict):
    """config/replay.yaml: the replay years and the series replayed."""

    years: tuple[int, ...] = Field(min_length=1)
    series: tuple[ReplaySeries, ...] = Field(min_length=1)


class PreferenceKey(_Strict):
    """One key of the preference rule: an order of values, or a sort direction."""

    key: Literal["exact", "status", "tier_rank", "family_rank", "published", "source_url"]
    prefer: tuple[bool | str, ...] | None = None
    ascending: bool | None = None


class PreferenceConfig(_Strict):
    """config/preference.yaml: how one value is chosen among the sources of a figure."""

    order: tuple[PreferenceKey, ...] = Field(min_length=1)
    relative_tolerance: float = Field(ge=0)
    precise_max_tier_rank: int = Field(ge=1)


class DerivedSeries(_Strict):
    """A series computed from two others (numerator / denominator x scale)."""

    id: str
    numerator: str
    denominator: str
    scale: float = Field(gt=0)
    denominator_fallback: str | None = None
    regions: tuple[str, ...] = Field(min_length=1)
    compare_with: str | None = None


class DerivedConfig(_Strict):
    """config/derived.yaml: the derived series and the official series they are checked with."""

    derived: tuple[DerivedSeries, ...]


class FamilyOverride(_Strict):
    """What layout inference cannot know about every edition of one yearbook table family."""

    why: str = Field(min_length=1)
    region_set: Literal["provinces", "shanghai_districts", "cities", "countries"] | None = None
    table_zh: str | None = None
    table_en: str | None = None
    year: int | None = None
    units: dict[str, str] | None = None
    blocks: dict[int, dict[str, object]] | None = None


class YearbookOverrides(_Strict):
    """config/yearbook_overrides.yaml, or a researcher's file of the same form.

    Overrides by table family, keyed by the table's Chinese title as inference reads it.
    """

    families: dict[str, FamilyOverride]


MODELS: dict[str, type[_Strict]] = {
    "figures.yaml": FiguresConfig,
    "backtest.yaml": BacktestConfig,
    "notebooks.yaml": NotebooksConfig,
    "replay.yaml": ReplayConfig,
    "preference.yaml": PreferenceConfig,
    "derived.yaml": DerivedConfig,
    "yearbook_overrides.yaml": YearbookOverrides,
    **REFERENCE_MODELS,
}


def validate(name: str, doc: object, where: object) -> _Strict | None:
    """Return ``doc`` as the model of config file ``name`` (None if it has none), or raise.

    Raises
    ------
    InputError
        Naming the file, the key path and what is wrong with it.
    """
    model = MODELS.get(name)
    if model is None:
        return None
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(f"{key}: {first['msg']}", file=where) from None


@cache
def settings(name: str) -> _Strict:
    """Return the validated, frozen model of ``config/<name>`` (see :data:`MODELS`)."""
    from lnanalysis.core.config import load_yaml

    model = validate(name, load_yaml(name), name)
    if model is None:
        raise KeyError(f"no typed model for config/{name}; typed files: {', '.join(MODELS)}")
    return model
