"""Every briefing figure draws in both languages with warnings as errors (a missing glyph fails)."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest

from lnanalysis.figures import LANGS
from lnanalysis.figures.render import _jobs, save_figure
from lnanalysis.figures.trajectory import source_note
from lnanalysis.store.observations import load_observations, load_preferred

JOBS = _jobs(load_observations(), load_preferred(), None)


@pytest.mark.parametrize("job", JOBS, ids=lambda j: j[0])
def test_figure_draws_in_both_languages_without_warnings(job):
    _stem, func, data = job
    for lang in LANGS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = func(*data, lang)
            fig.canvas.draw()  # lays out every text: a glyph missing from the fonts warns
        plt.close(fig)


@pytest.mark.parametrize("job", JOBS, ids=lambda j: j[0])
def test_no_label_is_cut_short_and_no_panel_is_empty(job):
    from matplotlib.text import Text

    _stem, func, data = job
    for lang in LANGS:
        fig = func(*data, lang)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert not [t.get_text() for t in texts if "…" in t.get_text()], "a label was shortened"
        for ax in fig.axes:
            drawn = ax.lines or ax.collections or ax.patches or ax.images or ax.texts
            assert drawn, f"{_stem} ({lang}): an empty panel"
        # every text has a real extent: nothing collapsed to nothing
        assert all(t.get_window_extent(renderer).width > 0 for t in texts)
        plt.close(fig)


def test_saved_in_three_formats_and_byte_identical_on_redraw(tmp_path):
    stem, func, data = JOBS[0]
    first = save_figure(func(*data, "zh"), stem, "zh", tmp_path / "a")
    second = save_figure(func(*data, "zh"), stem, "zh", tmp_path / "b")
    assert [p.suffix for p in first] == [".png", ".svg", ".pdf"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_source_note_merges_data_years_of_one_publication():
    titles = ["Bulletin X (data year 2011)", "Bulletin X (data year 2012)", "Other source"]
    assert source_note(titles, "en") == "Source: Bulletin X (2011–2012); Other source"


# The project's own English wording; citations may keep their publisher's language
ENGLISH_GLUE = ("Source:", "publications:", "citation", "derived by", "Secondary compilations")


@pytest.mark.parametrize("job", JOBS, ids=lambda j: j[0])
def test_a_chinese_figure_carries_no_english_wording_of_its_own(job):
    from matplotlib.text import Text

    stem, func, data = job
    fig = func(*data, "zh")
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible()]
    plt.close(fig)
    found = [g for g in ENGLISH_GLUE for t in texts if g in t]
    assert not found, f"{stem} (zh) says {found}"
