"""The target registry covers every numeric statement of the plan, and rejects bad entries."""

import re

import pytest
import yaml
from synthetic import PLAN_ID, PLAN_TEXT, plan_registry

from lnanalysis.core.errors import RegistryError
from lnanalysis.core.paths import CONFIG_DIR, ROOT, shared_dir
from lnanalysis.core.settings import MODELS
from lnanalysis.extract.provenance import md5_of
from lnanalysis.targets.registry import load_plans, load_registry

PLAN = ROOT / load_registry().plan["source_file"]
TOKEN = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?|翻一番|百场|千名|万名|百千万")


@pytest.fixture(scope="module")
def plan_text():
    return PLAN.read_text(encoding="utf-8")


def _spans(text, snippet):
    start = text.find(snippet)
    while start != -1:
        yield start, start + len(snippet)
        start = text.find(snippet, start + 1)


def test_the_plan_text_matches_its_sidecar():
    meta = yaml.safe_load(PLAN.with_name(PLAN.name + ".meta.yaml").read_text(encoding="utf-8"))
    assert md5_of(PLAN) == meta["md5"] and PLAN.stat().st_size == meta["bytes"]


@pytest.mark.requires_shared
def test_the_plan_text_is_the_shared_seed_unchanged():
    seed = shared_dir() / "seed" / "liaoning_st_innovation_plan_2015.txt"
    assert PLAN.read_bytes() == seed.read_bytes()


def test_every_quote_is_verbatim_plan_text(plan_text):
    for t in load_registry():
        assert t.quote in plan_text, t.id
        assert t.label_zh in plan_text, t.id


def test_every_numeric_statement_is_registered_or_excluded_with_a_reason(plan_text):
    covered = []
    for t in load_registry():
        covered += list(_spans(plan_text, t.quote))
    exclusions = yaml.safe_load((CONFIG_DIR / "plan_exclusions.yaml").read_text())["exclusions"]
    for ex in exclusions:
        assert ex["reason"].strip(), ex
        spans = list(_spans(plan_text, ex["context"]))
        assert spans, f"exclusion context not in plan: {ex['context']!r}"
        covered += spans
    uncovered = [
        (m.group(), plan_text[max(0, m.start() - 15) : m.end() + 15])
        for m in TOKEN.finditer(plan_text)
        if not any(a <= m.start() and m.end() <= b for a, b in covered)
    ]
    assert not uncovered, f"numeric statements neither registered nor excluded: {uncovered}"


def test_headline_targets_are_registered_with_their_values():
    reg = load_registry()
    expected = {
        "rd_expenditure_doubling": ("rd_expenditure", 2.0, "growth_multiple"),
        "invention_patents_per_10k_7_36": ("invention_patents_per_10k", 7.36, "level"),
        "tech_contract_turnover_800yi": ("tech_contract_turnover", 800.0, "level"),
        "sei_revenue_share_20pct": ("sei_revenue_share", 20.0, "share"),
    }
    for tid, (ind, value, kind) in expected.items():
        t = reg.get(tid)
        assert (t.indicator, t.target_value, t.kind, t.target_year) == (ind, value, kind, 2020)
    doubling = reg.get("rd_expenditure_doubling")
    assert (doubling.baseline_year, doubling.baseline_alternative) == (2015, 2014)
    assert doubling.baseline_reason


def test_registry_counts_every_kind_the_plan_uses():
    kinds = {t.kind for t in load_registry()}
    assert kinds == {
        "level",
        "growth_multiple",
        "share",
        "stock_count",
        "cumulative_count",
        "annual_flow",
        "qualitative",
    }
    assert len(load_registry()) >= 30


def _write(tmp_path, **override):
    doc = yaml.safe_load((CONFIG_DIR / "targets.yaml").read_text())
    doc["targets"] = [dict(doc["targets"][1], **override)]
    path = tmp_path / "bad_targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return path


def test_unknown_indicator_in_registry_is_an_error_naming_the_target(tmp_path):
    with pytest.raises(RegistryError, match=r"rd_expenditure_doubling.*unknown indicator 'nope'"):
        load_registry(_write(tmp_path, indicator="nope"))


def test_target_year_before_baseline_is_an_error(tmp_path):
    with pytest.raises(RegistryError, match="baseline year 2015 is not before target year 2014"):
        load_registry(_write(tmp_path, target_year=2014))


def test_duplicate_target_ids_are_an_error(tmp_path):
    doc = yaml.safe_load((CONFIG_DIR / "targets.yaml").read_text())
    doc["targets"] = [doc["targets"][1], doc["targets"][1]]
    path = tmp_path / "dupe.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    with pytest.raises(RegistryError, match="duplicate target ids"):
        load_registry(path)


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            "figures.yaml",
            ("formats: [png, svg, pdf]", "formats: [png, svg, pdf]\nfromats: [png]"),
            r"fromats: Extra inputs are not permitted",
        ),
        (
            "figures.yaml",
            ("formats: [png, svg, pdf]", "formats: [png, gif]"),
            r"formats\.1: Input should be 'png', 'svg' or 'pdf'",
        ),
        (
            "backtest.yaml",
            ("min_points: 5", "min_points: five"),
            r"min_points: Input should be a valid integer",
        ),
        (
            "backtest.yaml",
            ("{required_growth: 0.148698355}", "{required_growth: -0.1}"),
            r"indicators\.rd_expenditure\.required_growth: Input should be greater than 0",
        ),
        (
            "notebooks.yaml",
            ("run_first:", "run_frist:"),
            r"run_frist: Extra inputs are not permitted",
        ),
        (
            "replay.yaml",
            ("years: [2017, 2018]", "years: []"),
            r"years: Tuple should have at least 1",
        ),
        (
            "preference.yaml",
            ("  - key: status", "  - key: statuz"),
            r"order\.1\.key: Input should be",
        ),
        (
            "derived.yaml",
            ("scale: 1.0", "scale: 0"),
            r"derived\.0\.scale: Input should be greater than 0",
        ),
        (
            "indicators.yaml",
            ("    measure: flow", "    measure: flwo"),
            r"indicators\.\w+\.measure: Input should be",
        ),
        (
            "units.yaml",
            ("{dimension: money_cny, factor: 1.0e4}", "{dimension: money_cny, factr: 1.0e4}"),
            r"units\.万元\.factor: Field required",
        ),
        (
            "figure_labels.yaml",
            ('default_colour: "#bdbdbd"', 'default_colour: "grey"'),
            r"default_colour: String should match pattern",
        ),
        (
            "columns.yaml",
            ("column: value, dtype: float,", "column: value, dtype: double,"),
            r"columns\.\d+\.dtype: Input should be",
        ),
    ],
)
def test_a_typed_config_file_refuses_unknown_keys_and_wrong_types(
    name, edit, message, edited_config
):
    """SYNTHETIC edits of a scratch copy of the package's config."""
    from lnanalysis.core.config import load_yaml
    from lnanalysis.core.errors import InputError

    edited_config(name, *edit)
    with pytest.raises(InputError, match=rf"config/{name}: {message}"):
        load_yaml(name)


# --- further plans (SYNTHETIC plan of tests/synthetic.py) ---------------------


def _plan_file(tmp_path, registry: dict, text: str = PLAN_TEXT):
    plan_text = tmp_path / f"{PLAN_ID}.txt"
    plan_text.write_text(text, encoding="utf-8")
    registry["plan"]["source_file"] = str(plan_text)  # absolute: outside the project
    path = tmp_path / f"{PLAN_ID}.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def test_a_further_plan_merges_after_the_first_with_its_own_region(tmp_path):
    merged = load_plans([CONFIG_DIR / "targets.yaml", _plan_file(tmp_path, plan_registry())])
    first = load_registry(CONFIG_DIR / "targets.yaml")
    assert list(merged.plans) == [first.plan["id"], PLAN_ID]
    assert merged.targets[: len(first)] == first.targets
    ours = [t for t in merged if t.plan == PLAN_ID]
    assert [t.region for t in ours] == ["JL", "JL"]  # 吉林 resolved to its code
    assert {t.region for t in first} == {"LN"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["targets"][0].update(quote="研发经费投入强度达到2%"), "not verbatim text"),
        (lambda r: r["targets"][1].update(label_zh="翻两番"), "its label_zh '翻两番'"),
        (lambda r: r["plan"].update(region="Jilinn"), "did you mean 'JL'"),
        (lambda r: r["plan"].update(regoin="JL"), "unknown plan key(s) ['regoin']"),
        (lambda r: r["plan"].pop("region"), "the plan block lacks ['region']"),
    ],
)
def test_a_bad_further_plan_is_refused_naming_its_file(tmp_path, edit, message):
    registry = plan_registry()
    edit(registry)
    with pytest.raises(RegistryError, match=re.escape(message)) as err:
        load_plans([CONFIG_DIR / "targets.yaml", _plan_file(tmp_path, registry)])
    assert f"{PLAN_ID}.yaml" in str(err.value)


def test_a_missing_plan_text_is_named(tmp_path):
    path = _plan_file(tmp_path, plan_registry())
    (tmp_path / f"{PLAN_ID}.txt").unlink()
    with pytest.raises(RegistryError, match=r"the plan text .* cannot be read"):
        load_plans([path])


def test_two_plans_cannot_share_a_target_id(tmp_path):
    registry = plan_registry()
    registry["targets"][0]["id"] = "rd_expenditure_doubling"  # the first plan's
    with pytest.raises(RegistryError, match=r"also a target of targets\.yaml"):
        load_plans([CONFIG_DIR / "targets.yaml", _plan_file(tmp_path, registry)])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_typed_config_file_is_valid_and_refuses_a_misspelled_key(name):
    """The shipped file passes its model; the same file with a SYNTHETIC typo'd key does not."""
    from lnanalysis.core.config import read_yaml
    from lnanalysis.core.errors import InputError
    from lnanalysis.core.settings import validate

    doc = read_yaml(CONFIG_DIR / name)
    validate(name, doc, name)
    with pytest.raises(InputError, match=rf"{name}: zzz_typo: Extra inputs are not permitted"):
        validate(name, {**doc, "zzz_typo": 1}, name)


def test_every_finding_a_record_may_give_has_a_label_and_a_colour():
    from typing import get_args

    from lnanalysis.core.config import load_yaml
    from lnanalysis.core.config_models import QualitativeEvidence

    findings = get_args(QualitativeEvidence.model_fields["finding"].annotation)
    assert findings  # met, partly, missed
    labels = load_yaml("assessment.yaml")["labels"]
    colours = load_yaml("figure_labels.yaml")["status_colours"]
    for finding in findings:
        assert {"en", "zh"} <= set(labels[finding]), finding
        assert finding in colours, finding
