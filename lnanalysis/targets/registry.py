"""The plans' target registries as typed, validated records.

The first plan's registry is ``config/targets.yaml``; every further plan is one
file under ``config/plans/`` with the same layout: a ``plan:`` block (its id,
titles, issuer, date of issue, base year, the region it governs and its text
under ``data/raw/plans/``) and a ``targets:`` list. Every quote and short label
must be verbatim text of its own plan.

>>> reg = load_registry()
>>> t = reg.get("tech_contract_turnover_800yi")
>>> (t.indicator, t.target_value, t.target_year)
('tech_contract_turnover', 800.0, 2020)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd

from lnanalysis.core.config import read_yaml
from lnanalysis.core.errors import (
    InputError,
    LnAnalysisError,
    RegistryError,
    UnknownIndicatorError,
)
from lnanalysis.core.paths import CONFIG_DIR, ROOT
from lnanalysis.reference.indicators import get_indicator
from lnanalysis.reference.units import conversion_factor

Kind = Literal[
    "level",
    "growth_multiple",
    "share",
    "stock_count",
    "cumulative_count",
    "annual_flow",
    "qualitative",
]
KINDS = set(Kind.__args__)
COMPARATORS = {">=", ">", "about", "range", "==", "none"}
PATHS = {"compound", "linear", "none"}
TARGET_KEYS = {
    "id", "clause", "clause_title_zh", "quote", "label_zh", "name_en", "theme", "kind",
    "indicator", "unit", "comparator", "target_value", "target_range", "target_year", "period",
    "baseline", "path", "milestones", "public_series", "proxy", "proxy_reason", "parent", "notes",
}  # fmt: skip
BASELINE_KEYS = {"year", "alternative_year", "reason"}
PLAN_KEYS = {"id", "title_zh", "issuer", "issued", "base_year", "source_file", "region"}
PLAN_OPTIONAL = {"title_en", "issuer_en"}
PLANS_DIR = "plans"


@dataclass(frozen=True)
class Milestone:
    """A dated checkpoint on the way to a target (e.g. 十三五中期 = 2018)."""

    year: int
    label_zh: str
    label_en: str
    value: float | None = None


@dataclass(frozen=True)
class Target:
    """One quantified (or dated qualitative) target of the plan."""

    id: str
    clause: str
    clause_title_zh: str
    quote: str
    label_zh: str
    name_en: str
    theme: str
    kind: Kind
    indicator: str | None
    unit: str | None
    comparator: str
    target_value: float | None
    target_range: tuple[float, float] | None
    target_year: int
    period: tuple[int, int] | None
    baseline_year: int | None
    baseline_alternative: int | None
    baseline_reason: str
    path: str
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)
    public_series: bool = False
    proxy: str | None = None
    proxy_reason: str = ""
    parent: str | None = None
    notes: str = ""
    plan: str = ""
    region: str | None = None

    @property
    def is_quantified(self) -> bool:
        """False for qualitative milestones."""
        return self.kind != "qualitative"

    def judged_in(self, region: str | None = None) -> str:
        """Return the region whose values judge the target: ``region``, else its plan's."""
        if region is None and self.region is None:
            raise LnAnalysisError(f"{self.id}: no region given and the target names none")
        return region or self.region

    def threshold(self) -> float | None:
        """Return the value that counts as met: the lower end of a range, else the target."""
        if self.target_range is not None:
            return float(self.target_range[0])
        return self.target_value


@dataclass(frozen=True)
class Registry:
    """The targets of one plan or of several, each plan's in its own order.

    ``plan`` is the first plan's block; ``plans`` holds every plan's block by id.
    """

    plan: dict
    targets: tuple[Target, ...]
    plans: dict = field(default_factory=dict)

    def get(self, target_id: str) -> Target:
        """Return a target by id (KeyError names the id)."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"no target {target_id!r} in the registry")

    def __iter__(self):
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)

    def frame(self) -> pd.DataFrame:
        """Return the registry as a table, one row per target."""
        rows = []
        for t in self.targets:
            row = {k: v for k, v in vars(t).items() if k != "milestones"}
            row["milestones"] = "; ".join(f"{m.year} {m.label_zh}" for m in t.milestones)
            rows.append(row)
        return pd.DataFrame(rows)


def _target(spec: dict, where: dict, plan: dict) -> Target:
    try:
        return _parse_target(spec, where, plan)
    except KeyError as exc:
        raise RegistryError(
            f"the required key {exc.args[0]!r} is missing", **dict(where, row=_row(spec))
        ) from None
    except (TypeError, ValueError, IndexError) as exc:
        bad = _first_bad(spec)
        raise RegistryError(
            f"{bad or 'a value'} cannot be read as a number or year pair ({exc})",
            **dict(where, row=_row(spec)),
        ) from None


def _row(spec: dict) -> str:
    return f"target {spec.get('id')}"


def _first_bad(spec: dict) -> str | None:
    """Name the first numeric key whose value is not a number (or pair of numbers)."""
    for key in ("target_value", "target_year"):
        value = spec.get(key)
        if value is not None and not isinstance(value, int | float):
            return f"{key} {value!r}"
    for key in ("target_range", "period"):
        value = spec.get(key)
        if value is not None and not (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) for v in value)
        ):
            return f"{key} {value!r} (two numbers expected)"
    return None


def _parse_target(spec: dict, where: dict, plan: dict) -> Target:
    unknown = sorted(set(spec) - TARGET_KEYS)
    if unknown:
        raise RegistryError(
            f"unknown key(s) {unknown} (a typo?); known keys: {', '.join(sorted(TARGET_KEYS))}",
            **dict(where, row=f"target {spec.get('id')}"),
        )
    base = spec.get("baseline") or {}
    if set(base) - BASELINE_KEYS:
        raise RegistryError(
            f"unknown baseline key(s) {sorted(set(base) - BASELINE_KEYS)}",
            **dict(where, row=f"target {spec.get('id')}"),
        )
    rng = spec.get("target_range")
    period = spec.get("period")
    if (rng is not None and len(rng) != 2) or (period is not None and len(period) != 2):
        raise ValueError("a range needs two ends")
    return Target(
        id=spec["id"],
        clause=str(spec["clause"]),
        clause_title_zh=spec["clause_title_zh"],
        quote=spec["quote"],
        label_zh=spec["label_zh"],
        name_en=spec["name_en"],
        theme=spec["theme"],
        kind=spec["kind"],
        indicator=spec.get("indicator"),
        unit=spec.get("unit"),
        comparator=str(spec["comparator"]),
        target_value=None if spec.get("target_value") is None else float(spec["target_value"]),
        target_range=None if rng is None else (float(rng[0]), float(rng[1])),
        target_year=int(spec["target_year"]),
        period=None if period is None else (int(period[0]), int(period[1])),
        baseline_year=base.get("year"),
        baseline_alternative=base.get("alternative_year"),
        baseline_reason=str(base.get("reason", "")),
        path=str(spec["path"]),
        milestones=tuple(
            Milestone(int(m["year"]), m["label_zh"], m["label_en"], m.get("value"))
            for m in spec.get("milestones") or ()
        ),
        public_series=bool(spec.get("public_series")),
        proxy=spec.get("proxy"),
        proxy_reason=str(spec.get("proxy_reason", "")),
        parent=spec.get("parent"),
        notes=str(spec.get("notes", "")),
        plan=str(plan["id"]),
        region=str(plan["region"]),
    )


def validate_target(t: Target, ids: set[str], where: dict) -> None:
    """Raise RegistryError for an inconsistent target."""
    w = dict(where, row=f"target {t.id}")
    if t.kind not in KINDS:
        raise RegistryError(f"unknown kind {t.kind!r}", **w)
    if t.comparator not in COMPARATORS:
        raise RegistryError(f"unknown comparator {t.comparator!r}", **w)
    if t.path not in PATHS:
        raise RegistryError(f"unknown path {t.path!r}", **w)
    if t.is_quantified:
        if t.indicator is None:
            raise RegistryError("a quantified target needs an indicator", **w)
        try:
            ind = get_indicator(t.indicator)
        except UnknownIndicatorError:
            raise RegistryError(f"unknown indicator {t.indicator!r}", **w) from None
        if t.unit is not None:
            try:
                conversion_factor(t.unit, ind.unit)
            except InputError as exc:
                raise RegistryError(exc.reason, **w) from None
        if t.comparator == "range" and t.target_range is None:
            raise RegistryError("comparator 'range' needs target_range", **w)
        if t.comparator != "range" and t.target_value is None:
            raise RegistryError("a quantified target needs target_value", **w)
        values = [t.target_value] if t.target_range is None else list(t.target_range)
        if not all(math.isfinite(v) for v in values):
            raise RegistryError(f"a target must be a finite number, not {values}", **w)
        if t.kind == "growth_multiple" and not t.target_value > 0:
            raise RegistryError(f"a growth multiple must be positive, not {t.target_value}", **w)
        if ind.is_share and not all(0 <= v <= 100 for v in values):
            raise RegistryError(f"a share target must lie within 0-100, not {values}", **w)
        if ind.is_count and not all(v > 0 for v in values):
            raise RegistryError(f"a count target must be positive, not {values}", **w)
    if t.baseline_year is not None and t.baseline_year >= t.target_year:
        raise RegistryError(
            f"baseline year {t.baseline_year} is not before target year {t.target_year}", **w
        )
    if t.period is not None and not t.period[0] <= t.period[1] <= t.target_year:
        raise RegistryError(f"period {t.period} does not end by {t.target_year}", **w)
    if t.kind == "growth_multiple" and t.baseline_year is None:
        raise RegistryError("a growth target needs a baseline year", **w)
    for ref in (t.parent,):
        if ref is not None and ref not in ids:
            raise RegistryError(f"parent {ref!r} is not a target", **w)
    if t.proxy is not None:
        try:
            get_indicator(t.proxy)
        except UnknownIndicatorError:
            raise RegistryError(f"unknown proxy indicator {t.proxy!r}", **w) from None
        if not t.proxy_reason:
            raise RegistryError("a proxy needs a proxy_reason saying why it may stand in", **w)


def plan_title(plan: dict, lang: str) -> str:
    """Return a plan block's title in ``lang`` ('zh', or 'en' falling back to Chinese)."""
    return plan["title_zh"] if lang == "zh" else plan.get("title_en", plan["title_zh"])


def plan_files(config_dir: Path = CONFIG_DIR) -> list[Path]:
    """Return the registry files: ``targets.yaml``, then ``plans/*.yaml`` by name."""
    return [config_dir / "targets.yaml", *sorted((config_dir / PLANS_DIR).glob("*.yaml"))]


def load_registry(path: Path | None = None) -> Registry:
    """Read and validate one registry file, or (default) every plan's, merged.

    Raises
    ------
    RegistryError
        Naming the file and target when an entry is inconsistent or duplicated,
        when a quote is not verbatim text of its plan, or when two plans share a
        target id or a plan id.
    """
    if path is not None:
        return _load(str(path))
    return load_plans(plan_files())


def load_plans(paths) -> Registry:
    """Merge the registries of several plans, in the order given (the first is the first plan).

    Target ids and plan ids must be unique across the files.
    """
    return _merged(tuple(str(p) for p in paths))


@cache
def _merged(paths: tuple[str, ...]) -> Registry:
    parts = [_load(p) for p in paths]
    seen: dict[str, str] = {}
    plans: dict[str, dict] = {}
    for path, part in zip(paths, parts, strict=True):
        name = Path(path).name
        if part.plan["id"] in plans:
            raise RegistryError(
                f"plan id {part.plan['id']!r} is also the id of another plan's file", file=name
            )
        plans[part.plan["id"]] = part.plan
        for t in part:
            if t.id in seen:
                raise RegistryError(
                    f"target id {t.id!r} is also a target of {seen[t.id]} (ids are shared "
                    "by all plans: give it another)",
                    file=name,
                    row=f"target {t.id}",
                )
            seen[t.id] = name
    targets = tuple(t for part in parts for t in part)
    return Registry(plan=parts[0].plan, targets=targets, plans=plans)


def _plan(doc: dict, where: dict) -> dict:
    """Check the ``plan:`` block; its region becomes a region code."""
    from lnanalysis.reference.lookup import find_region

    plan = doc.get("plan")
    if not isinstance(plan, dict):
        raise RegistryError("no 'plan:' mapping", **where)
    missing = sorted(PLAN_KEYS - set(plan))
    unknown = sorted(set(plan) - PLAN_KEYS - PLAN_OPTIONAL)
    if missing:
        raise RegistryError(f"the plan block lacks {missing}", **dict(where, row="plan"))
    if unknown:
        known = ", ".join(sorted(PLAN_KEYS | PLAN_OPTIONAL))
        raise RegistryError(
            f"unknown plan key(s) {unknown} (a typo?); known keys: {known}",
            **dict(where, row="plan"),
        )
    try:
        region = find_region(str(plan["region"]))
    except InputError as exc:
        raise RegistryError(exc.reason, **dict(where, row="plan")) from None
    return dict(plan, region=region)


def _plan_text(plan: dict, where: dict) -> str:
    path = ROOT / str(plan["source_file"])
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(
            f"the plan text {plan['source_file']} cannot be read ({exc.__class__.__name__}); "
            "put the plan's UTF-8 text there",
            **dict(where, row="plan"),
        ) from None


def _check_quotes(targets: tuple[Target, ...], text: str, plan: dict, where: dict) -> None:
    for t in targets:
        for key in ("quote", "label_zh"):
            if getattr(t, key) not in text:
                raise RegistryError(
                    f"its {key} {getattr(t, key)!r} is not verbatim text of {plan['source_file']}",
                    **dict(where, row=f"target {t.id}"),
                )


@cache
def _load(path: str) -> Registry:
    doc = read_yaml(Path(path))
    where = {"file": Path(path).name}
    if not isinstance(doc, dict) or not isinstance(doc.get("targets"), list):
        raise RegistryError("no 'targets:' list", **where)
    for n, spec in enumerate(doc["targets"], 1):
        if not isinstance(spec, dict):
            raise RegistryError(f"entry {n} of 'targets:' is not a mapping of keys", **where)
    plan = _plan(doc, where)
    targets = tuple(_target(spec, where, plan) for spec in doc["targets"])
    ids = [t.id for t in targets]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RegistryError(f"duplicate target ids {dupes}", **where)
    for t in targets:
        validate_target(t, set(ids), where)
    _check_quotes(targets, _plan_text(plan, where), plan, where)
    return Registry(plan=plan, targets=targets, plans={plan["id"]: plan})
