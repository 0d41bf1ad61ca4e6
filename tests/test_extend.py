"""Extension paths, run end to end on a scratch copy of the project through the CLI.

Each test copies the package and data/ into a temporary folder and runs
``python -m lnanalysis`` there, as a researcher would; nothing here touches the
real project. Values added here are SYNTHETIC and say so in their source title.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from synthetic import PLAN_ID, PLAN_META, PLAN_TEXT, plan_registry

from lnanalysis.core.errors import InputError, UnknownRegionError
from lnanalysis.core.paths import ROOT
from lnanalysis.extract.provenance import md5_of
from lnanalysis.extract.values import import_values
from lnanalysis.reference.lookup import find_indicator, find_region

pytestmark = pytest.mark.integration


@pytest.fixture
def project(tmp_path):
    """A scratch copy of the project: the package, data/raw and data/processed."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "lnanalysis", copy / "lnanalysis", ignore=ignore)
    shutil.copytree(ROOT / "data" / "raw", copy / "data" / "raw")
    shutil.copytree(ROOT / "data" / "processed", copy / "data" / "processed")
    return copy


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project), "LNANALYSIS_SHARED": str(project / "none")}
    return subprocess.run(
        [sys.executable, "-m", "lnanalysis", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_figure_read_in_a_bulletin_reaches_the_store_with_its_status(project):
    url = "https://example.org/synthetic-bulletin-2025"
    added = run(
        project,
        "add-value",
        "--region", "辽宁",
        "--indicator", "R&D经费",
        "--year", "2024",
        "--value", "701.5",
        "--unit", "万元",
        "--status", "preliminary",
        "--source-url", url,
        "--source-title", "SYNTHETIC test bulletin (2025-03-01)",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    sources = yaml.safe_load((project / "data/raw/sources.yaml").read_text(encoding="utf-8"))
    entry = sources["sources"][-1]
    assert entry["path"].startswith("additions/") and entry["format"] == "csv"
    assert (project / "data/raw" / (entry["path"] + ".meta.yaml")).exists()
    built = run(project, "build", "--data-only")
    assert built.returncode == 0, built.stderr
    obs = pd.read_csv(project / "data/processed/observations.csv", dtype=str, keep_default_na=False)
    row = obs[obs["source_url"] == url].iloc[0]
    assert (row["region"], row["indicator"], row["year"]) == ("LN", "rd_expenditure", "2024")
    assert float(row["value"]) == pytest.approx(0.07015)  # 701.5 万元 in 亿元
    assert row["status"] == "preliminary" and row["status_basis"] == "stated in the row"
    assert row["source_file"] == entry["path"] and row["source_row"] == "2"
    # the raw copy is the CSV as written, and the build did not touch it
    assert run(project, "build", "--data-only").returncode == 0


def test_a_bad_figure_is_refused_in_one_line_and_nothing_is_written(project):
    before = (project / "data/raw/sources.yaml").read_bytes()
    result = run(
        project,
        "add-value",
        "--region", "LN",
        "--indicator", "rd_expenditure",
        "--year", "2024",
        "--value", "701.5",
        "--unit", "斤",
        "--status", "final",
        "--source-url", "https://example.org/x",
        "--source-title", "SYNTHETIC",
    )  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "row 2: unknown unit '斤'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (project / "data/raw/sources.yaml").read_bytes() == before
    assert not (project / "data/raw/additions").exists() or not any(
        (project / "data/raw/additions").rglob("value_LN_*")
    )


def figure_stems(project: Path) -> list[str]:
    """The trajectory figures the scratch project would draw."""
    code = (
        "from lnanalysis.figures.render import trajectory_specs;"
        "from lnanalysis.targets.registry import load_registry;"
        "from lnanalysis.store.observations import load_preferred;"
        "print(*[s.stem for s in trajectory_specs(load_registry(), load_preferred())])"
    )
    env = {**os.environ, "PYTHONPATH": str(project)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_a_new_target_reaches_the_scorecard_and_gets_a_figure(project):
    path = project / "lnanalysis/config/targets.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    template = next(t for t in doc["targets"] if t["id"] == "sci_literacy_10_8pct")
    new = dict(template, id="rd_intensity_2_5pct_synthetic", indicator="rd_intensity")
    new |= {"name_en": "SYNTHETIC: R&D intensity reaches 2.5%", "kind": "level", "unit": "%"}
    new |= {"target_value": 2.5, "path": "compound"}
    doc["targets"].append(new)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    card = run(project, "scorecard", "--format", "csv")
    assert card.returncode == 0, card.stderr
    rows = pd.read_csv(io.StringIO(card.stdout)).set_index("target_id")
    assert rows.loc["rd_intensity_2_5pct_synthetic", "latest_value"] > 0
    assert "rd_intensity_2_5pct_synthetic" in figure_stems(project)


def add_plan(project: Path) -> None:
    """Add the SYNTHETIC Jilin plan as the README says: text, sidecar, registry file."""
    text = project / "data/raw/plans" / f"{PLAN_ID}.txt"
    text.write_text(PLAN_TEXT, encoding="utf-8")
    meta = PLAN_META | {"md5": md5_of(text), "bytes": text.stat().st_size}
    text.with_name(text.name + ".meta.yaml").write_text(
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    plans = project / "lnanalysis/config/plans"
    plans.mkdir(exist_ok=True)
    (plans / f"{PLAN_ID}.yaml").write_text(
        yaml.safe_dump(plan_registry(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _latest(pref: pd.DataFrame, region: str, indicator: str, by: int) -> pd.Series:
    rows = pref[(pref["region"] == region) & (pref["indicator"] == indicator)]
    rows = rows[rows["year"] <= by]
    return rows.loc[rows["year"].idxmax()]


def test_a_new_plan_is_listed_and_judged_on_its_own_region(project):
    before = run(project, "scorecard", "--format", "csv")
    add_plan(project)
    listed = run(project, "list-plans")
    assert listed.returncode == 0, listed.stderr
    assert PLAN_ID in listed.stdout and "config/plans/" in listed.stdout
    after = run(project, "scorecard", "--format", "csv")
    assert after.returncode == 0, after.stderr
    card = pd.read_csv(io.StringIO(after.stdout)).set_index("target_id")
    ours = card[card["plan"] == PLAN_ID]
    assert list(ours.index) == ["jl_synthetic_rd_intensity_1_5pct", "jl_synthetic_rd_doubling"]
    assert set(ours["region"]) == {"JL"}
    # judged on Jilin's values, not Liaoning's
    pref = pd.read_csv(project / "data/processed/preferred.csv")
    latest = _latest(pref, "JL", "rd_intensity", by=2020)  # the target year
    row = ours.loc["jl_synthetic_rd_intensity_1_5pct"]
    assert (row["latest_year"], row["latest_value"]) == (latest["year"], latest["value"])
    base = pref[(pref["region"] == "JL") & (pref["indicator"] == "rd_expenditure")]
    base = base.loc[base["year"] == 2015, "value"].item()
    assert ours.loc["jl_synthetic_rd_doubling", "baseline_value"] == pytest.approx(base)
    # the first plan's verdicts do not move
    old = pd.read_csv(io.StringIO(before.stdout)).set_index("target_id")
    first = card[card["plan"] == old["plan"].iloc[0]]
    pd.testing.assert_frame_equal(first, old)
    assert "jl_synthetic_rd_doubling" in figure_stems(project)


def test_a_bad_plan_is_refused_by_list_plans_in_one_line(project):
    add_plan(project)
    path = project / "lnanalysis/config/plans" / f"{PLAN_ID}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["targets"][0]["quote"] = "研发经费投入强度达到3%"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    done = run(project, "list-plans")
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert f"{PLAN_ID}.yaml" in done.stderr and "not verbatim text" in done.stderr


@pytest.mark.slow
def test_a_new_plan_reaches_the_scorecard_figures_notebooks_and_report(tmp_path):
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.html", "explore")
    for part in ("lnanalysis", "data", "notebooks", "figures"):
        shutil.copytree(ROOT / part, project / part, ignore=ignore)
    add_plan(project)
    built = run(project, "build", "--accept-notebooks")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    card = pd.read_csv(project / "data/processed/scorecard_now.csv")
    ours = card[card["plan"] == PLAN_ID]
    assert set(ours["region"]) == {"JL"} and len(ours) == 2
    targets = pd.read_csv(project / "data/processed/targets.csv")
    assert set(targets.loc[targets["plan"] == PLAN_ID, "region"]) == {"JL"}
    for lang in ("en", "zh"):
        for stem in ("jl_synthetic_rd_doubling", f"scorecard_{PLAN_ID}"):
            assert (project / "figures" / lang / f"{stem}.svg").is_file(), (lang, stem)
    notebook = (project / "notebooks/08_scorecard.ipynb").read_text(encoding="utf-8")
    assert "jl_synthetic_rd_doubling" in notebook and f"{PLAN_ID} (JL)" in notebook
    en = (project / "report/en/index.html").read_text(encoding="utf-8")
    zh = (project / "report/zh/index.html").read_text(encoding="utf-8")
    assert 'id="t-jl_synthetic_rd_doubling"' in en and "From SYNTHETIC Jilin test plan" in en
    assert "Also registered: SYNTHETIC Jilin test plan" in en
    assert "出自《吉林省合成测试规划》" in zh


def test_regions_and_indicators_are_found_by_any_name_with_suggestions(project):
    assert {find_region(x) for x in ("Liaoning", "辽宁", "辽宁省", "ln", " LN ")} == {"LN"}
    with pytest.raises(UnknownRegionError, match="did you mean 'LN'"):
        find_region("Liaonig")
    assert find_indicator("R&D expenditure") == "rd_expenditure"
    listed = run(project, "list-regions", "辽宁")
    assert listed.returncode == 0 and "Liaoning" in listed.stdout
    missed = run(project, "list-indicators", "rd_expendature")
    assert missed.returncode == 2 and "did you mean rd_expenditure" in missed.stderr


def test_import_values_checks_every_row_and_never_overwrites(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "sources.yaml").write_text(
        (ROOT / "data/raw/sources.yaml").read_text(encoding="utf-8").split("  - id:")[0]
        + "  - {id: placeholder, path: none.xlsx, sheet: data, region_column: region,\n"
        "     columns: {indicator: i, label: l, year: y, value: v, unit: u, source_url: s,\n"
        "               source_title: t}}\n",
        encoding="utf-8",
    )
    good = tmp_path / "figures.csv"
    header = "region,indicator,year,value,unit,status,tier,published,source_url,source_title,note\n"
    good.write_text(
        header + "LN,rd_expenditure,2024,701.5,亿元,final,official,2025-10-01,"
        "https://example.org/a,SYNTHETIC bulletin,=HYPERLINK(1)\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header + "LN,rd_expenditure,2024,1,亿元,final,,,https://e/x,T,\n"
        "LN,rd_expenditure,2023,1,亿元,draft,,,https://e/x,T,\n",
        encoding="utf-8",
    )
    meta = {"title": "SYNTHETIC", "publisher": "tests", "url": ""}
    with pytest.raises(InputError, match=r"bad\.csv, row 3: status 'draft' is not one of"):
        import_values(bad, version="2026-12-04", raw_dir=raw, **meta)
    assert not (raw / "additions").exists()
    path = import_values(good, version="2026-12-04", raw_dir=raw, **meta)
    assert path.read_bytes() == good.read_bytes()  # carried unchanged: a formula stays text
    with pytest.raises(InputError, match="never overwritten"):
        import_values(good, version="2026-12-04", raw_dir=raw, **meta)
    with pytest.raises(InputError, match="must be a date"):
        import_values(good, version="../../etc", raw_dir=raw, **meta)


def test_known_tables_are_listed_and_a_typo_in_a_layout_map_is_refused(project, tmp_path):
    listed = run(project, "list-yearbooks", "2013")
    assert listed.returncode == 0 and "rd_personnel_fte_2013" in listed.stdout
    assert "rd_personnel_fte_2010" not in listed.stdout
    assert run(project, "list-layouts", "2013").stdout == listed.stdout  # the former name
    by_title = run(project, "list-yearbooks", "专利申请授权")
    assert by_title.returncode == 0 and "patents_granted_2015" in by_title.stdout
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "tables:\n  mine:\n    file: x.xls\n    table_zh: t\n    blocks:\n"
        '      - {sheet: "1", header: [1, 2], data: [3, 4], label: A, columns: "B:C",'
        " year: title, unitz: A1}\n",
        encoding="utf-8",
    )
    result = run(project, "check-layouts", str(bad))
    assert result.returncode == 2 and "block 1: unknown key(s) ['unitz']" in result.stderr
