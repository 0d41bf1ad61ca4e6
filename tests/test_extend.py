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

from lnanalysis.core.errors import InputError, UnknownRegionError
from lnanalysis.core.paths import ROOT
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
    code = (
        "from lnanalysis.figures.render import trajectory_specs;"
        "from lnanalysis.targets.registry import load_registry;"
        "from lnanalysis.store.observations import load_preferred;"
        "print([s.stem for s in trajectory_specs(load_registry(), load_preferred())])"
    )
    env = {**os.environ, "PYTHONPATH": str(project)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True
    )
    assert "rd_intensity_2_5pct_synthetic" in out.stdout, out.stderr


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


def test_layout_maps_are_listed_and_a_typo_in_one_is_refused(project, tmp_path):
    listed = run(project, "list-layouts", "2013")
    assert listed.returncode == 0 and "rd_personnel_fte_2013" in listed.stdout
    assert run(project, "check-layouts").returncode == 0
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "tables:\n  mine:\n    file: x.xls\n    table_zh: t\n    blocks:\n"
        '      - {sheet: "1", header: [1, 2], data: [3, 4], label: A, columns: "B:C",'
        " year: title, unitz: A1}\n",
        encoding="utf-8",
    )
    result = run(project, "check-layouts", str(bad))
    assert result.returncode == 2 and "block 1: unknown key(s) ['unitz']" in result.stderr
