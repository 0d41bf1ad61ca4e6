"""Integrity: atomic outputs survive an interrupted build, values trace to raw cells, data diff."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from rawfiles import raw_rows

from lnanalysis.core import io
from lnanalysis.core.paths import PROCESSED_DIR, RAW_DIR
from lnanalysis.pipeline import data as build
from lnanalysis.store.diff import diff_preferred, summary

pytestmark = pytest.mark.integration


@pytest.fixture
def processed_copy(tmp_path):
    out = tmp_path / "processed"
    shutil.copytree(PROCESSED_DIR, out)
    return out


def test_an_interrupted_build_leaves_the_previous_outputs_intact(processed_copy, monkeypatch):
    # Stand-ins for the previous build's outputs, so every table the build writes differs
    for p in processed_copy.iterdir():
        p.write_bytes(f"previous build of {p.name}\n".encode())
    before = {p.name: p.read_bytes() for p in processed_copy.iterdir()}
    real_writer = io.csv_writer
    made = []

    def writer(frame, **kw):
        write = real_writer(frame, **kw)
        made.append(write)
        if len(made) < 3:
            return write

        def half_then_stop(path):
            write(path)  # the third table is fully staged, then the build is interrupted
            raise KeyboardInterrupt

        return half_then_stop

    monkeypatch.setattr(build, "csv_writer", writer)
    with pytest.raises(KeyboardInterrupt):
        build.build_data(out_dir=processed_copy)
    after = {p.name: p.read_bytes() for p in processed_copy.iterdir()}
    assert set(after) == set(before), "a staged file was left behind or an output vanished"
    assert after == before, "the previous outputs were not left intact"
    # and an uninterrupted build then replaces them all
    monkeypatch.setattr(build, "csv_writer", real_writer)
    build.build_data(out_dir=processed_copy)
    rebuilt = {p.name: p.read_bytes() for p in processed_copy.iterdir()}
    # (data_diff.csv is not committed: a clean clone has no previous one)
    assert all(rebuilt[f"{t}.csv"] != before.get(f"{t}.csv") for t in _BUILD_TABLES)


_BUILD_TABLES = {
    "observations",
    "preferred",
    "conflicts",
    "derived_vs_official",
    "indicator_dictionary",
    "targets",
    "sources",
    "data_dictionary",
    "data_diff",
}


def test_every_preferred_value_traces_to_its_raw_cell():
    pref = pd.read_csv(PROCESSED_DIR / "preferred.csv", dtype=str, keep_default_na=False)
    raw = pref[pref["source_file"] != "derived"]
    sheets = {}
    for row in raw.itertuples(index=False):
        key = (row.source_file, row.source_sheet)
        if key not in sheets:
            sheets[key] = raw_rows(RAW_DIR / row.source_file, row.source_sheet)
        cells = sheets[key][int(row.source_row) - 1]
        assert row.value_raw in [str(c) for c in cells], (row.obs_id, row.value_raw)
    assert len(raw) > 2000


def test_data_diff_lists_changed_appeared_and_disappeared_values():
    old = pd.DataFrame(
        {
            "region": ["LN", "LN", "JL"],
            "indicator": ["x", "x", "x"],
            "year": [2019, 2020, 2020],
            "value": [1.0, 2.0, 5.0],
            "bound": ["", "", ""],
            "source_url": ["u", "u", "u"],
        }
    )
    new = old.iloc[[0, 1]].copy()
    new.loc[1, "value"] = 2.5
    new = pd.concat(
        [
            new,
            pd.DataFrame(
                [
                    {
                        "region": "HL",
                        "indicator": "x",
                        "year": 2020,
                        "value": 7.0,
                        "bound": "",
                        "source_url": "v",
                    }
                ]
            ),
        ]
    )
    diff = diff_preferred(old, new)
    by_region = diff.set_index("region")
    assert by_region.at["LN", "change"] == "changed" and by_region.at["LN", "new_value"] == 2.5
    assert by_region.at["JL", "change"] == "disappeared"
    assert by_region.at["HL", "change"] == "appeared"
    lines = summary(diff)
    assert lines[0] == "data diff: 1 appeared, 1 changed, 1 disappeared"
    assert "  changed     LN x 2020: 2.0 -> 2.5" in lines
    assert diff_preferred(old, old).empty


def test_a_failed_set_of_writes_leaves_no_file_and_no_folder_it_made(tmp_path):
    """One writer fails: the staged copies go, and so do the folders made for them."""
    from lnanalysis.core.io import write_all_atomic

    kept = tmp_path / "kept"
    kept.mkdir()

    def broken(path):
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_all_atomic(
            {
                kept / "a.csv": lambda p: p.write_text("a"),
                tmp_path / "new" / "deeper" / "b.csv": broken,
            }
        )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["kept"]
