"""Typed, frozen models of the reference configuration files.

Indicators, units, source families and tiers, breaks, region scopes, assessment
rules, labels, the column dictionary and the plan's exclusions: each model refuses
a key it does not know where the key set is fixed, and a value of the wrong type.
:func:`lnanalysis.core.config.load_yaml` validates each file against its model
(:data:`REFERENCE_MODELS`, registered in :mod:`lnanalysis.core.settings`) before
any caller reads it. Mappings keyed by free ids (indicator ids, label keys) check
their values, not their keys.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from lnanalysis.core.strict import Strict

# A colour of the figures, written '#rrggbb'
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]


class Words(Strict):
    """A text in both languages of the briefing."""

    en: str
    zh: str


# --------------------------------------------------------------------------------- assessment.yaml


class Band(Strict):
    """One band of a progress scheme: its status from ``min`` upwards (inclusive)."""

    min: float
    status: str


class Scheme(Strict):
    """A trend scheme: its assumed path and its bands, from the highest down to -inf."""

    path: Literal["compound", "linear"]
    # the page shows the last band as '< the one before it': at least two bands
    bands: tuple[Band, ...] = Field(min_length=2)


class OutcomeStatuses(Strict):
    """The statuses an outcome rule sets under each of the three schemes."""

    status_eurostat: str
    status_un: str
    status_china: str


class Outcomes(Strict):
    """The rules that come before the trend schemes: met, missed, achieved early."""

    met: OutcomeStatuses
    missed: OutcomeStatuses
    achieved: OutcomeStatuses


class AssessmentConfig(Strict):
    """config/assessment.yaml: the progress schemes, outcome rules and status labels."""

    eurostat: Scheme
    un_sdg: Scheme
    china_midterm: Scheme
    outcome: Outcomes
    baseline_rules: tuple[Literal["registry", "alternative", "next_available"], ...] = Field(
        min_length=1
    )
    labels: dict[str, Words]
    about_tolerance: float = Field(ge=0, lt=1)


# -------------------------------------------------------------------------------------- units.yaml


class Unit(Strict):
    """A unit: its dimension and its size in the dimension's base unit."""

    dimension: str
    factor: float = Field(gt=0)


class UnitsConfig(Strict):
    """config/units.yaml: the units, and the source spellings that alias them."""

    units: dict[str, Unit] = Field(min_length=1)
    aliases: dict[str, str]


# ---------------------------------------------------------------------------- source_families.yaml


class Publication(Strict):
    """When a family's figure for data year Y first appears: (Y + years_after, month)."""

    years_after: int = Field(ge=0)
    month: int = Field(ge=1, le=12)


class SourceFamily(Strict):
    """A kind of publication, matched by a regex on the row's URL and title."""

    id: str
    name_en: str
    name_zh: str
    match: str
    rank: int = Field(ge=1)
    publication: Publication


class StatusRule(Strict):
    """A rule giving a row's status: by indicator, by its note, or by its source title."""

    status: Literal["preliminary", "final", "revised"]
    indicators: tuple[str, ...] | None = None
    match: str | None = None
    title_match: str | None = None


class SourceFamiliesConfig(Strict):
    """config/source_families.yaml: source families, document years and status rules."""

    families: tuple[SourceFamily, ...] = Field(min_length=1)
    document_year: str
    status_ignore_segments: str
    status_rules: tuple[StatusRule, ...]


# ------------------------------------------------------------------------------- source_tiers.yaml


class SourceTier(Strict):
    """A quality tier of the copy a figure was read from (rank 1 = the official publisher)."""

    id: str
    rank: int = Field(ge=1)
    name_en: str
    name_zh: str
    description: str


class TierRule(Strict):
    """A tier rule: regexes on source_url and/or source_title (omitted: match anything)."""

    tier: str
    url: str | None = None
    title: str | None = None
    why: str


class SourceTiersConfig(Strict):
    """config/source_tiers.yaml: the quality tiers and the ordered rules that assign them."""

    tiers: tuple[SourceTier, ...] = Field(min_length=1)
    rules: tuple[TierRule, ...] = Field(min_length=1)


# ------------------------------------------------------------------------------------- breaks.yaml


class StructuralBreak(Strict):
    """A declared break in one region's series of one indicator, with its citation."""

    region: str
    indicator: str
    year: int
    kind: Literal["level_shift"]
    note: str
    source_title: str
    source_url: str


class BreaksConfig(Strict):
    """config/breaks.yaml: the structural breaks of the series (empty or null: none)."""

    breaks: tuple[StructuralBreak, ...] | None


# ------------------------------------------------------------------------------ region_scopes.yaml


class RegionScope(Strict):
    """The region codes of a lookup scope, by prefix or code, less excluded prefixes."""

    # The reader tests the presence of include_prefixes / include_codes: an explicit
    # empty list includes nothing, where an omitted one leaves the scope open.
    exclude_prefixes: tuple[str, ...] = ()
    include_prefixes: tuple[str, ...] = ()
    include_codes: tuple[str, ...] = ()


class RegionScopesConfig(Strict):
    """config/region_scopes.yaml: which region codes a table's labels may resolve to."""

    scopes: dict[str, RegionScope] = Field(min_length=1)


# ----------------------------------------------------------------------- qualitative_evidence.yaml


class QualitativeEvidence(Strict):
    """Recorded evidence for a qualitative target, with its citable source."""

    target: str
    year: int
    finding: Literal["met", "partly", "missed"]
    summary: str
    source_url: str
    source_title: str


class QualitativeEvidenceConfig(Strict):
    """config/qualitative_evidence.yaml: evidence for the plan's qualitative milestones."""

    evidence: tuple[QualitativeEvidence, ...] | None


# ------------------------------------------------------------------------ yearbook_crosscheck.yaml


class YearbookCheck(Strict):
    """A pairing of a yearbook table's row label with an indicator of the store."""

    table: str
    indicator_zh: str
    indicator: str


class YearbookCrosscheckConfig(Strict):
    """config/yearbook_crosscheck.yaml: yearbook cells compared with the store's values."""

    tolerance: float = Field(ge=0)
    checks: tuple[YearbookCheck, ...]


# ------------------------------------------------------------------------------------ columns.yaml


class ProcessedTable(Strict):
    """A processed table: the key of its rows, and how check-processed treats it."""

    key: tuple[str, ...] = Field(min_length=1)
    needs_yearbooks: bool = False
    since_last_build: bool = False


class ColumnEntry(Strict):
    """One column of a processed table: its type, fixed unit (if any) and meaning."""

    table: str
    column: str
    dtype: Literal["str", "int", "float", "bool", "pair"]
    unit: str | None = None
    description: str


class ColumnsConfig(Strict):
    """config/columns.yaml: the processed tables, their keys and the column dictionary."""

    tables: dict[str, ProcessedTable] = Field(min_length=1)
    columns: tuple[ColumnEntry, ...] = Field(min_length=1)


# ------------------------------------------------------------------------------ figure_labels.yaml


class FigureLabelsConfig(Strict):
    """config/figure_labels.yaml: the text of the figures in both languages, and colours."""

    text: dict[str, Words]
    status_colours: dict[str, Colour]
    default_colour: Colour


# --------------------------------------------------------------------------------- indicators.yaml


class IndicatorSpec(Strict):
    """One canonical indicator: names, unit, kind of quantity, theme and definition."""

    zh: str
    en: str
    unit: str
    measure: Literal["flow", "stock", "share", "ratio", "rate", "growth", "rank"]
    theme: str
    definition: str
    breaks: str | None = None
    formula: str | None = None


class IndicatorsConfig(Strict):
    """config/indicators.yaml: the indicator dictionary, by canonical id."""

    indicators: dict[str, IndicatorSpec] = Field(min_length=1)


# ---------------------------------------------------------------------------- plan_exclusions.yaml


class PlanExclusion(Strict):
    """A numeric token of the plan text that is not a target, in its verbatim context."""

    token: str = Field(min_length=1)
    context: str = Field(min_length=1)
    reason: str = Field(pattern=r"\S")


class PlanExclusionsConfig(Strict):
    """config/plan_exclusions.yaml: the numbers of the plan text that are not targets."""

    exclusions: tuple[PlanExclusion, ...]


# ------------------------------------------------------------------------------------ compiled.yaml


class CompiledFile(Strict):
    """A compiled CSV of official figures that import-raw carries, with its citation."""

    file: str = Field(pattern=r"^[\w.-]+\.csv$")
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")
    report: str = Field(min_length=1)


class CompiledConfig(Strict):
    """config/compiled.yaml: the compiled files of ../shared/data that import-raw carries."""

    files: tuple[CompiledFile, ...] = Field(min_length=1)


REFERENCE_MODELS: dict[str, type[Strict]] = {
    "assessment.yaml": AssessmentConfig,
    "units.yaml": UnitsConfig,
    "source_families.yaml": SourceFamiliesConfig,
    "source_tiers.yaml": SourceTiersConfig,
    "breaks.yaml": BreaksConfig,
    "region_scopes.yaml": RegionScopesConfig,
    "qualitative_evidence.yaml": QualitativeEvidenceConfig,
    "yearbook_crosscheck.yaml": YearbookCrosscheckConfig,
    "columns.yaml": ColumnsConfig,
    "figure_labels.yaml": FigureLabelsConfig,
    "indicators.yaml": IndicatorsConfig,
    "plan_exclusions.yaml": PlanExclusionsConfig,
    "compiled.yaml": CompiledConfig,
}
