"""Compare the outputs of two executions of a notebook, cell by cell, as committed -> now.

Volatile text (memory addresses, kernel paths, clock times) is masked with the
same patterns nbval uses (``notebooks/nbval_sanitize.cfg``); everything else,
projections and statuses included, must match exactly.
"""

from __future__ import annotations

import configparser
import difflib
import re
from dataclasses import dataclass
from functools import cache

from lnanalysis.core.paths import NOTEBOOKS_DIR

SANITIZE_FILE = NOTEBOOKS_DIR / "nbval_sanitize.cfg"
# Output types compared as text; images are linked files, checked by the figure tests
TEXT_TYPES = ("text/plain", "text/markdown", "text/html")


@dataclass(frozen=True)
class CellChange:
    """One changed line of one cell's output."""

    cell: int
    old: str
    new: str


@cache
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    cfg = configparser.ConfigParser()
    cfg.read(SANITIZE_FILE, encoding="utf-8")
    return tuple((re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections())


def _sanitize(text: str) -> str:
    for pattern, repl in _patterns():
        text = pattern.sub(repl, text)
    return text


def output_lines(cell: dict) -> list[str]:
    """Return the text of a code cell's outputs, one list entry per line, sanitised."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(_join(out.get("text", "")))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
        else:
            data = out.get("data", {})
            kind = next((k for k in TEXT_TYPES if k in data), None)
            if kind is not None:
                parts.append(_join(data[kind]))
    return _sanitize("\n".join(parts)).splitlines()


def _join(text) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def diff_outputs(old_nb: dict, new_nb: dict) -> list[CellChange]:
    """Return every changed output line, pairing old and new lines where they align."""
    changes = []
    old_cells = [c for c in old_nb["cells"] if c.get("cell_type") == "code"]
    new_cells = [c for c in new_nb["cells"] if c.get("cell_type") == "code"]
    for i, (a, b) in enumerate(zip(old_cells, new_cells, strict=False), 1):
        old, new = output_lines(a), output_lines(b)
        if old == new:
            continue
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            olds, news = old[i1:i2], new[j1:j2]
            for k in range(max(len(olds), len(news))):
                changes.append(
                    CellChange(
                        i,
                        olds[k] if k < len(olds) else "",
                        news[k] if k < len(news) else "",
                    )
                )
    if len(old_cells) != len(new_cells):
        changes.append(
            CellChange(0, f"{len(old_cells)} code cells", f"{len(new_cells)} code cells")
        )
    return changes


def has_outputs(nb: dict) -> bool:
    """Tell whether any code cell carries an output (the notebook was executed)."""
    return any(c.get("outputs") for c in nb["cells"] if c.get("cell_type") == "code")


def describe(changes: list[CellChange], limit: int = 12) -> list[str]:
    """Printable lines ``cell N: old -> new`` (the committed text first)."""
    lines = [
        f"  code cell {c.cell}: {_squeeze(c.old)!r} -> {_squeeze(c.new)!r}" for c in changes[:limit]
    ]
    if len(changes) > limit:
        lines.append(f"  ... {len(changes) - limit} more changed lines")
    return lines


def _squeeze(text: str) -> str:
    """Collapse the padding of table columns so that a changed row reads on one line."""
    return " ".join(text.split())
