"""Guards that keep nbval meaningful: executed notebooks, a python3 kernel, real outputs."""

from __future__ import annotations

import configparser
import re

import nbformat
import pytest

from lnanalysis.core.paths import NOTEBOOKS_DIR
from lnanalysis.pipeline.notebooks import briefing_notebooks

NOTEBOOKS = briefing_notebooks()


def test_the_briefing_has_its_notebooks_in_reading_order():
    names = [p.stem for p in NOTEBOOKS]
    assert len(names) == 13
    assert names[0] == "00_data_inventory" and names[-1] == "12_explore"
    assert [int(n[:2]) for n in names] == list(range(13))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_with_python3_and_has_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    # A stripped notebook passes nbval while comparing nothing: every cell must have run
    assert all(c.execution_count is not None for c in code)
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    with_text = [
        c
        for c in code
        if any(o.output_type == "stream" or "text/plain" in o.get("data", {}) for o in c.outputs)
    ]
    assert len(with_text) >= 1


def test_key_numbers_are_in_the_checked_outputs():
    """The R&D notebook's outputs carry the projection and status nbval compares."""
    nb = nbformat.read(NOTEBOOKS_DIR / "01_rd_investment.ipynb", as_version=4)
    text = "\n".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert re.search(r"trend pointed to \d+ \(80% band \d+–\d+\)", text)
    assert "limited progress" in text and "Outcome: missed" in text


def test_sanitizer_leaves_numbers_alone():
    cfg = configparser.ConfigParser()
    cfg.read(NOTEBOOKS_DIR / "nbval_sanitize.cfg")
    sample = "projected 468 (80% band 320–684) in 2020; p_meet 0.07; 0x7f3a2b1c9d40"
    out = sample
    for section in cfg.sections():
        out = re.sub(cfg[section]["regex"], cfg[section]["replace"], out)
    assert out == "projected 468 (80% band 320–684) in 2020; p_meet 0.07; 0xADDRESS"


def test_explore_notebook_has_a_papermill_parameters_cell():
    nb = nbformat.read(NOTEBOOKS_DIR / "12_explore.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("region", "indicator", "as_of", "models", "target_value", "target_year"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.M)


def test_notebooks_use_only_the_declared_public_api():
    import lnanalysis

    for path in briefing_notebooks():
        cells = nbformat.read(path, as_version=4).cells
        for cell in (c for c in cells if c.cell_type == "code"):
            for line in re.findall(r"^(?:from|import) lnanalysis.*$", cell.source, re.M):
                assert line.startswith("from lnanalysis import "), (path.name, line)
                names = [n.strip() for n in line.removeprefix("from lnanalysis import ").split(",")]
                assert set(names) <= set(lnanalysis.__all__), (path.name, names)
                assert all(getattr(lnanalysis, n) is not None for n in names)


def test_display_tables_show_whole_numbers_and_a_dash_for_missing():
    import pandas as pd

    from lnanalysis.report.briefs import number, tidy

    frame = pd.DataFrame(
        {
            "year": [2020.0, None],
            "value": [549.005, 10.98],
            "rank": [15.0, 3.0],
            "n": [12000.0, 4.0],
        }
    )
    out = tidy(frame.assign(note=["a", ""]))
    assert list(out["year"]) == ["2020", "—"] and list(out["rank"]) == ["15", "3"]
    assert list(out["n"]) == ["12,000", "4"] and list(out["note"]) == ["a", "—"]
    assert out["value"].tolist() == [549.005, 10.98]  # fractions stay numbers
    assert tidy(pd.DataFrame({"p": [0.144, None]}))["p"].tolist() == ["0.14", "—"]
    assert number(float("nan")) == number(pd.NA) == "—"
