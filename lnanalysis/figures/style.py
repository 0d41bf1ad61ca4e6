"""Fonts, colours and labels of the briefing figures.

The Noto Sans SC font shipped in ``pylopdf-fonts-zh-cn`` is registered with
matplotlib and put first in ``font.sans-serif`` (DejaVu Sans second, for glyphs it
lacks), so Chinese renders without any system font.
"""

from __future__ import annotations

import re
import textwrap
from contextlib import contextmanager
from functools import cache

import matplotlib as mpl

from lnanalysis.core.config import load_yaml


@cache
def register_fonts() -> str:
    """Register the bundled CJK font with matplotlib once; return its family name."""
    from matplotlib import font_manager
    from pylopdf_fonts_zh_cn import sans_path

    font_manager.fontManager.addfont(str(sans_path()))
    return font_manager.FontProperties(fname=str(sans_path())).get_name()


@contextmanager
def figure_style():
    """Apply the briefing style (fonts, sizes, output settings) inside the block."""
    family = register_fonts()
    rc = {
        # Concrete family names (not the generic 'sans-serif'), so that a figure
        # drawn or saved after the block still finds the CJK font
        "font.family": [family, "DejaVu Sans"],
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "svg.fonttype": "path",
        "svg.hashsalt": "lnanalysis",
        "pdf.compression": 6,
        "font.size": 9,
    }
    with mpl.rc_context(rc):
        yield


def text(key: str, lang: str, **values) -> str:
    """Return the figure text ``key`` in ``lang``, with ``values`` filled in."""
    return load_yaml("figure_labels.yaml")["text"][key][lang].format(**values)


def status_colour(status: str) -> str:
    """Return the colour of a status (grey when it has none)."""
    cfg = load_yaml("figure_labels.yaml")
    return cfg["status_colours"].get(status, cfg["default_colour"])


_TOKEN = re.compile(r"[0-9A-Za-z.,%&+\-]+|.", re.S)


def wrap_label(label: str, width: int, lang: str) -> str:
    r"""Wrap a label onto lines of ``width`` characters, never cutting it short.

    Chinese has no spaces to break at, so it is wrapped by characters.

    >>> wrap_label("战略性新兴产业主营业务收入占比达到20%以上", 10, "zh")
    '战略性新兴产业主营业\n务收入占比达到20%\n以上'
    >>> wrap_label("完成目标的56.4%", 7, "zh")
    '完成目标的\n56.4%'
    >>> wrap_label("Strategic emerging industries reach 20%", 20, "en")
    'Strategic emerging\nindustries reach 20%'
    """
    label = str(label)
    if lang == "zh":
        # by characters, but a number or a Latin word (56.4%, R&D) stays on one line
        lines = [""]
        for token in _TOKEN.findall(label):
            if lines[-1] and len(lines[-1]) + len(token) > width:
                lines.append("")
            lines[-1] += token
        return "\n".join(lines) or label
    return "\n".join(textwrap.wrap(label, width, break_long_words=False)) or label
