"""Incremental rebuilds: a step reruns exactly when something it reads has changed.

Fast tier: the manifest's verdicts, the static scan of package imports, the read
trace, the per-indicator digest of the big tables, and the notebooks' declared
scopes. Slow tier (``make test-slow``, run by CI):

- each notebook's scope is complete: with every row outside it deleted, the
  notebook gives the same outputs;
- from a cold build, one raw value, one config file and one model module are
  changed in turn; after each, an incremental rebuild gives the same tree, byte
  for byte, as a full rebuild of a second copy with the same change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lnanalysis.core.digest import MISSING, module_closure
from lnanalysis.core.paths import ROOT
from lnanalysis.core.trace import project_reads, recording
from lnanalysis.pipeline.manifest import Inputs, Manifest
from lnanalysis.pipeline.notebooks import briefing_notebooks, scoped_digest, value_scopes

# --- fast tier ---------------------------------------------------------------


def test_a_step_is_stale_until_recorded_then_names_what_changed(tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("a\n1\n")
    manifest = Manifest(tmp_path / "m.json", root=tmp_path)
    inputs = Inputs().files([source])
    assert manifest.stale("step", inputs.digests(tmp_path)) == "no record of a previous run"
    output.write_text("done")
    manifest.record("step", inputs.digests(tmp_path), [output])
    manifest.save()
    again = Manifest.load(tmp_path / "m.json", root=tmp_path)
    assert again.stale("step", inputs.digests(tmp_path)) is None
    source.write_text("a\n2\n")
    assert again.stale("step", inputs.digests(tmp_path)) == f"{source} changed"
    source.write_text("a\n1\n")
    output.write_text("edited by hand")
    assert again.stale("step", inputs.digests(tmp_path)) == "output out.csv was changed"
    output.unlink()
    assert again.stale("step", inputs.digests(tmp_path)) == "output out.csv is missing"


def test_a_file_added_to_a_tree_input_is_a_new_input(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("1")
    manifest = Manifest(tmp_path / "m.json", root=tmp_path)
    inputs = Inputs().tree(tmp_path / "raw")
    manifest.record("data", inputs.digests(tmp_path), [])
    (tmp_path / "raw" / "b.csv").write_text("2")
    assert manifest.stale("data", inputs.digests(tmp_path)).startswith("new input raw/b.csv")


def test_an_unreadable_manifest_counts_as_empty(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(b"\x00{torn")
    assert Manifest.load(path).steps == {}


def test_the_module_scan_follows_imports_inside_functions_and_indirect_ones():
    closure = module_closure(["lnanalysis.pipeline.build"])
    # imported inside a function of build.py
    assert "lnanalysis.pipeline.data" in closure
    # imported by data.py's imports, not by build.py
    assert "lnanalysis.store.preferred" in closure
    # the figures never feed the data step
    assert "lnanalysis.figures.trajectory" not in module_closure(["lnanalysis.pipeline.data"])


def test_a_trace_records_reads_but_not_writes(tmp_path):
    read, written = tmp_path / "read.txt", tmp_path / "written.txt"
    read.write_text("x")
    with recording() as reads:
        read.read_text()
        written.write_text("y")
        list(tmp_path.glob("*.txt"))
    kept = project_reads(reads, [tmp_path])
    assert str(read) in kept["files"] and str(written) not in kept["files"]
    assert str(tmp_path) in kept["dirs"]
    assert project_reads(reads, [tmp_path / "elsewhere"])["files"] == []


def test_a_kernel_trace_names_the_modules_of_the_packages_lazy_exports(tmp_path):
    """A figure module reached through ``from lnanalysis import trajectory_figure`` counts."""
    from lnanalysis.pipeline.notebooks import _kernel_reads

    trace = tmp_path / "trace.jsonl"
    code = "from lnanalysis import trajectory_figure, explore"
    env = {**os.environ, "LNANALYSIS_TRACE": str(trace), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT / "notebooks")
    modules = _kernel_reads(trace, ROOT / "notebooks")["modules"]
    assert {"lnanalysis.figures.trajectory", "lnanalysis.pipeline.explore"} <= set(modules)
    assert "lnanalysis.figures" in modules  # the package's __init__ too


def test_the_scoped_digest_counts_only_the_rows_of_the_scope(tmp_path):
    # SYNTHETIC rows
    table = pd.DataFrame(
        {"indicator": ["a", "a", "b"], "year": [2019, 2020, 2020], "value": [1.0, 2.0, 3.0]}
    )
    path = tmp_path / "t.csv"

    def digest(frame):
        frame.to_csv(path, index=False)
        return scoped_digest(path, ["a"])

    base = digest(table)
    assert digest(table.assign(value=[1.0, 2.0, 9.0])) == base  # b's value
    assert digest(pd.concat([table, table.iloc[[2]].assign(year=2021)])) == base  # a b row
    assert digest(table.assign(value=[1.0, 2.5, 3.0])) != base  # a's value
    assert digest(table.assign(year=[2018, 2020, 2020])) != base  # a's key
    assert digest(pd.concat([table, table.iloc[[0]].assign(year=2021)])) != base  # an a row
    assert scoped_digest(tmp_path / "gone.csv", ["a"]) == MISSING


def test_every_scope_names_a_briefing_notebook_and_holds_the_backtest_panel():
    names = {p.stem for p in briefing_notebooks()}
    scopes = value_scopes()
    assert set(scopes) <= names
    # the inventory counts every row: it must not be scoped
    assert "00_data_inventory" not in scopes
    for scope in scopes.values():
        assert {"rd_expenditure", "tech_contract_turnover_seller"} <= set(scope)


def test_a_notebook_run_early_that_read_a_figure_stops_the_build():
    from lnanalysis.pipeline.nbpool import check_early
    from lnanalysis.pipeline.notebooks import NotebookError, NotebookRun

    path = ROOT / "notebooks" / "12_explore.ipynb"
    reads = {"files": ["data/processed/preferred.csv"], "dirs": [], "modules": []}
    check_early(path, NotebookRun(1.0, reads=reads))  # no figure: accepted
    reads["files"].append("figures/en/rd_doubling.png")
    with pytest.raises(NotebookError, match=r"12_explore\.ipynb: it read figures/en/rd_"):
        check_early(path, NotebookRun(1.0, reads=reads))


def test_the_schedule_names_briefing_notebooks_only(monkeypatch):
    from lnanalysis.core.errors import InputError
    from lnanalysis.core.settings import NotebooksConfig
    from lnanalysis.pipeline import nbpool

    early, first = nbpool.schedule()
    names = {p.stem for p in briefing_notebooks()}
    assert set(early) <= names and set(first) <= names
    typo = NotebooksConfig(value_scopes={}, run_first=("12_explpre",))
    monkeypatch.setattr(nbpool, "settings", lambda _name: typo)
    with pytest.raises(InputError, match=r"run_first: no briefing notebook named \['12_explpre'\]"):
        nbpool.schedule()


# --- slow tier ---------------------------------------------------------------

PARTS = ("lnanalysis", "data", "notebooks", "figures")


def _copy(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.html", "explore")
    for part in PARTS:
        shutil.copytree(ROOT / part, target / part, ignore=ignore)
    return target


def _env(project: Path) -> dict[str, str]:
    # No yearbook tables in either copy: the cross-check is skipped alike
    return {**os.environ, "PYTHONPATH": str(project), "LNANALYSIS_SHARED": str(project / "none")}


def _run(project: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "lnanalysis", *args],
        cwd=project,
        env=_env(project),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(value_scopes()))
def test_a_notebook_shows_nothing_from_rows_outside_its_scope(name, tmp_path_factory):
    project = tmp_path_factory.getbasetemp() / "scopes"
    if not project.exists():
        _copy(project)
    scope = value_scopes()[name]
    for table in ("observations.csv", "preferred.csv"):
        frame = pd.read_csv(ROOT / "data/processed" / table, dtype=str, keep_default_na=False)
        kept = frame[frame["indicator"].isin(scope)]
        assert 0 < len(kept) < len(frame)
        kept.to_csv(project / "data/processed" / table, index=False, lineterminator="\n")
    code = (
        "from pathlib import Path\n"
        "from lnanalysis.pipeline.notebooks import execute_notebook\n"
        "from lnanalysis.pipeline.nbdiff import describe\n"
        f"run = execute_notebook(Path('notebooks/{name}.ipynb'), html_dir=None)\n"
        "print('\\n'.join(describe(list(run.changes))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=_env(project),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", f"{name} shows rows outside its scope:\n{done.stdout}"


def _tree(project: Path) -> dict[str, bytes]:
    out = {}
    for part in ("data/processed", "figures", "notebooks", "report"):
        for path in sorted((project / part).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(project))] = path.read_bytes()
    return out


def _same(a: Path, b: Path) -> None:
    left, right = _tree(a), _tree(b)
    assert sorted(left) == sorted(right)
    differ = [name for name in left if left[name] != right[name]]
    assert not differ, f"incremental and full rebuilds differ in {differ[:10]}"


def _add_value(project: Path) -> None:
    _run(
        project,
        "add-value",
        "--region", "LN",
        "--indicator", "sci_literacy",
        "--year", "2021",
        "--value", "11.5",
        "--unit", "%",
        "--status", "preliminary",
        "--source-url", "https://example.org/synthetic-bulletin",
        "--source-title", "SYNTHETIC bulletin for the incremental-build test",
    )  # fmt: skip


def _edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CONFIG_EDIT = (
    "lnanalysis/config/figure_labels.yaml",
    'gap: {en: "no value in between"',
    'gap: {en: "no value in between (test edit)"',
)
MODEL_EDIT = (
    "lnanalysis/trend/models.py",
    '"theta": 4}',
    '"theta": 5}',
)


@pytest.mark.slow
def test_incremental_rebuilds_equal_full_rebuilds(tmp_path):
    inc, full = _copy(tmp_path / "inc"), tmp_path / "full"
    _run(inc, "build", "--accept-notebooks")  # cold: no manifest yet
    noop = _run(inc, "build")  # straight after a cold build: nothing to do
    assert "0 steps run" in noop, noop

    # 1. one raw value (a figure read in a bulletin)
    _add_value(inc)
    log = _run(inc, "build", "--accept-notebooks")
    assert "notebook 01_rd_investment: up to date" in log  # outside its scope
    assert "figure rd_doubling: up to date" in log
    shutil.copytree(inc / "data/raw", tmp_path / "raw-after-value")
    _copy(full)
    shutil.rmtree(full / "data/raw")
    shutil.copytree(tmp_path / "raw-after-value", full / "data/raw")
    _run(full, "build", "--accept-notebooks")
    _same(inc, full)

    # 2. one config file, 3. one model module: incremental here, --force there
    for rel, old, new in (CONFIG_EDIT, MODEL_EDIT):
        _edit(inc, rel, old, new)
        _edit(full, rel, old, new)
        log = _run(inc, "build", "--accept-notebooks")
        assert f"{rel} changed" in log or "changed" in log
        _run(full, "build", "--accept-notebooks", "--force")
        _same(inc, full)


def test_an_html_copy_embeds_the_figures_it_shows_and_names_them_as_inputs(tmp_path):
    from lnanalysis.pipeline.notebooks import embed_images

    (tmp_path / "figures/en").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    png = tmp_path / "figures/en/a.png"
    png.write_bytes(b"\x89PNG SYNTHETIC")
    body = '<img alt="a" src="../figures/en/a.png"/><img src="../figures/en/gone.png"/>'
    out, embedded = embed_images(body, tmp_path / "notebooks")
    assert 'src="data:image/png;base64,iVBORyBTWU5USEVUSUM="' in out
    assert 'src="../figures/en/gone.png"' in out  # a missing figure stays a link
    assert embedded == [png.resolve()]


@pytest.mark.slow
def test_drawing_reads_only_the_config_files_figures_yaml_declares(tmp_path):
    """A figure's key names the config files drawing reads; drawing must read no other."""
    code = """
import functools, gc, json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from lnanalysis.core.paths import CONFIG_DIR
from lnanalysis.core.trace import project_reads, recording
from lnanalysis.figures import render
from lnanalysis.pipeline.tables import calibrations
from lnanalysis.store.observations import load_observations, load_preferred
obs, pref = load_observations(), load_preferred()
jobs = render._jobs(obs, pref, calibrations(obs, pref))
for cached in gc.get_objects():  # forget every config already read: drawing must read it
    if isinstance(cached, functools._lru_cache_wrapper):
        cached.cache_clear()
with recording() as reads:
    for stem, func, data in jobs:
        for lang in ("zh", "en"):
            plt.close(func(*data, lang))
files = project_reads(reads, [CONFIG_DIR])["files"]
print(json.dumps(sorted(str(p).split("config/", 1)[1] for p in files)))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    read = set(json.loads(done.stdout.strip().splitlines()[-1]))
    from lnanalysis.core.settings import settings

    declared = set(settings("figures.yaml").drawing_reads)
    assert read, "the trace saw no config file read: the check would prove nothing"
    assert read <= declared, f"drawing reads {sorted(read - declared)}, not in drawing_reads"
