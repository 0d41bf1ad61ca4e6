"""The committed outputs are a reference that a code change cannot silently move.

``check-processed`` rebuilds data/processed/ into a scratch folder and compares it
with the committed tables cell by cell; the notebook runner never replaces a
committed notebook whose outputs changed unless asked to.
"""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from lnanalysis.pipeline import notebooks as nbrun
from lnanalysis.pipeline.check import check_processed, compare_processed, report
from lnanalysis.pipeline.nbdiff import describe, diff_outputs
from lnanalysis.store.diff import diff_table

# --- the table diff, on SYNTHETIC tables --------------------------------------------------------


def test_diff_table_reports_changed_cells_and_rows_on_either_side():
    old = pd.DataFrame({"id": ["a", "b", "c"], "v": ["1.0", "2.0", "x"], "s": ["p", "q", "r"]})
    new = pd.DataFrame({"id": ["a", "b", "d"], "v": ["1.0", "2.5", "y"], "s": ["p", "Q", "r"]})
    diff = diff_table(old, new, ["id"])
    got = {(r.key, r.column, r.change, r.old, r.new) for r in diff.itertuples(index=False)}
    assert got == {
        ("id=b", "v", "changed", "2.0", "2.5"),
        ("id=b", "s", "changed", "q", "Q"),
        ("id=c", "(row)", "disappeared", "", ""),
        ("id=d", "(row)", "appeared", "", ""),
    }


def test_diff_table_ignores_last_digit_noise_but_not_a_real_change():
    old = pd.DataFrame({"k": ["1"], "v": ["0.123456789012345"]})
    assert diff_table(old, old.assign(v="0.123456789012346"), ["k"], rtol=1e-9).empty
    assert len(diff_table(old, old.assign(v="0.1234568"), ["k"], rtol=1e-9)) == 1


def test_diff_table_reports_a_new_column():
    old = pd.DataFrame({"k": ["1"], "v": ["1"]})
    diff = diff_table(old, old.assign(w="2"), ["k"])
    assert list(diff[["column", "change"]].itertuples(index=False, name=None)) == [
        ("w", "appeared")
    ]


# --- the committed data/processed/ against a rebuild -------------------------------------------


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("processed")
    diff = check_processed(scratch, log=lambda _: None)
    return scratch, diff


@pytest.mark.integration
def test_committed_processed_tables_equal_a_rebuild(rebuilt):
    _, diff = rebuilt
    assert diff.empty, "\n".join(report(diff))


@pytest.mark.integration
def test_a_changed_model_is_reported_cell_by_cell_old_to_new(rebuilt, tmp_path, monkeypatch):
    from lnanalysis.pipeline.tables import briefing_tables, write_briefing_tables
    from lnanalysis.store.observations import load_observations, load_preferred
    from lnanalysis.trend import projection

    scratch, _ = rebuilt
    original = projection.combine
    # A deliberate change: the combination's mean moves up by 5% on the log scale
    monkeypatch.setattr(projection, "combine", lambda f: (original(f)[0] + 0.05, original(f)[1]))
    tables, _ = briefing_tables(load_observations(scratch), load_preferred(scratch), lambda _: None)
    write_briefing_tables(tables, tmp_path)
    for stem in ("observations", "preferred"):  # the data step is unchanged
        (tmp_path / f"{stem}.csv").write_bytes((scratch / f"{stem}.csv").read_bytes())
    diff = compare_processed(scratch, tmp_path)
    moved = diff[(diff["table"] == "scorecard_as_of_2018") & (diff["column"] == "projected")]
    assert not moved.empty
    row = moved.iloc[0]
    assert float(row["new"]) == pytest.approx(float(row["old"]) * 1.0513, rel=1e-3)
    lines = report(diff)
    assert any(f"[{row['key']}] projected: {row['old']!r} -> {row['new']!r}" in x for x in lines)


# --- notebooks ------------------------------------------------------------------------------------


def _notebook(source: str, stored_text: str | None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    if stored_text is not None:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_text)]
        cell.execution_count = 1
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def test_output_diff_reads_committed_then_now_and_masks_addresses():
    old = _notebook("x", "projected 468 at 0x7f00aa11bb22\nstatus: missed\n")
    new = _notebook("x", "projected 470 at 0x7f00cc33dd44\nstatus: missed\n")
    changes = diff_outputs(json.loads(nbformat.writes(old)), json.loads(nbformat.writes(new)))
    assert [(c.cell, c.old, c.new) for c in changes] == [
        (1, "projected 468 at 0xADDRESS", "projected 470 at 0xADDRESS")
    ]
    assert describe(changes) == [
        "  code cell 1: 'projected 468 at 0xADDRESS' -> 'projected 470 at 0xADDRESS'"
    ]


@pytest.mark.integration
def test_a_notebook_whose_outputs_changed_is_kept_until_accepted(tmp_path, monkeypatch):
    monkeypatch.setattr(nbrun, "PENDING_DIR", tmp_path / "pending")
    path = tmp_path / "01_synthetic.ipynb"
    nbformat.write(_notebook("print(40 + 2)", "41\n"), path)
    before = path.read_bytes()
    run = nbrun.execute_notebook(path, html_dir=None)
    assert not run.replaced and path.read_bytes() == before
    assert [(c.old, c.new) for c in run.changes] == [("41", "42")]
    assert (tmp_path / "pending" / path.name).exists()
    run = nbrun.execute_notebook(path, html_dir=None, accept=True)
    assert (
        run.replaced
        and "42" in path.read_text()
        and not (tmp_path / "pending" / path.name).exists()
    )


@pytest.mark.integration
def test_the_scorecard_workbook_reads_in_words_with_formats_a_frozen_header_and_a_legend(tmp_path):
    import openpyxl

    from lnanalysis.report.workbook import write_scorecard_workbook
    from lnanalysis.targets.scorecard import load_scorecard

    path = write_scorecard_workbook(
        {"now": load_scorecard(None), "as_of_2018": load_scorecard(2018)}, tmp_path / "s.xlsx"
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["now", "as_of_2018", "codes", "legend"]
    sheet = book["as_of_2018"]
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    eurostat = header.index("欧盟统计局 Eurostat") + 1
    words = {sheet.cell(row=r, column=eurostat).value for r in range(2, sheet.max_row + 1)}
    assert "进展有限 / limited progress" in words and "limited_progress" not in words
    p_meet = header.index("达标概率 P(meet)") + 1
    cells = [sheet.cell(row=r, column=p_meet) for r in range(2, sheet.max_row + 1)]
    numbers = [c for c in cells if isinstance(c.value, float)]
    assert numbers and all(c.number_format == "0.0%" for c in numbers)
    assert sheet.column_dimensions["A"].width > 40
    legend = {r[0].value for r in book["legend"].iter_rows(min_row=2)}
    assert {"missed", "met", "limited_progress", "on_track"} <= legend
