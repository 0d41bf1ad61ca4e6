"""Execute the briefing notebooks and export each to HTML.

Each notebook runs in a fresh ``python3`` kernel with ``notebooks/`` as its working
folder. The committed notebook is the reference that ``make test`` (nbval) checks,
so it is never refreshed silently: when the new outputs differ from the committed
ones, the new run is kept in ``.cache/notebooks/`` and the differences are
reported as committed -> now; ``accept=True`` (``make briefing ACCEPT=1``) replaces
the committed notebook. Replacement is atomic. Two notebooks run at a time. The
HTML copies (git-ignored) of the new run are written beside the notebooks, with
the figures they show embedded, so each copy is one file that can be sent on.

Each kernel is traced (:mod:`lnanalysis.core.trace`): the files it read and the
package modules it imported become the notebook's inputs in the build manifest,
so an unchanged notebook whose inputs are unchanged is not executed again. Of the
two big tables (observations, preferred), only the rows of the indicators the
notebook shows count (``config/notebooks.yaml``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lnanalysis.core.config import load_yaml
from lnanalysis.core.errors import InputError
from lnanalysis.core.io import write_atomic
from lnanalysis.core.paths import (
    CACHE_DIR,
    NOTEBOOKS_DIR,
    PACKAGE_DIR,
    ROOT,
    shared_dir,
    yearbook_cache_dir,
)
from lnanalysis.core.progress import log
from lnanalysis.core.trace import TRACE_ENV, project_reads, read_trace
from lnanalysis.pipeline.manifest import Inputs, rel
from lnanalysis.pipeline.nbdiff import CellChange, diff_outputs, has_outputs

# New runs whose outputs differ from the committed notebook wait here for review
PENDING_DIR = CACHE_DIR / "notebooks"

# HTML copies sit beside the notebooks, so their links to ../figures/ resolve
HTML_DIR = NOTEBOOKS_DIR
# What each kernel read, one line per read
TRACE_DIR = CACHE_DIR / "build" / "traces"
# Tables whose rows count per indicator (config/notebooks.yaml)
SCOPED_TABLES = ("data/processed/observations.csv", "data/processed/preferred.csv")


class NotebookError(InputError):
    """A notebook cell failed; the previous executed copy is left in place."""


TIMEOUT = 600


def briefing_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Return the numbered notebooks of the briefing, in reading order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


@dataclass(frozen=True)
class NotebookRun:
    """What executing one notebook did: its time, and how its outputs compare."""

    seconds: float
    changes: tuple[CellChange, ...] = ()
    replaced: bool = True
    pending: Path | None = None
    reads: dict[str, list[str]] | None = None


def execute_notebook(
    path: Path, html_dir: Path | None = HTML_DIR, accept: bool = False, trace: bool = False
) -> NotebookRun:
    """Execute one notebook; replace the committed copy if its outputs agree or ``accept``.

    With ``trace``, the run also returns what the kernel read (files, folders, modules).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    t0 = time.perf_counter()
    trace_file = TRACE_DIR / f"{path.stem}.jsonl"
    os.environ.pop(TRACE_ENV, None)
    if trace:
        trace_file.parent.mkdir(parents=True, exist_ok=True)
        trace_file.unlink(missing_ok=True)
        os.environ[TRACE_ENV] = str(trace_file)  # the kernel inherits it
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        # The kernel's own log (a TCP-transport notice) is not the notebook's output
        client.execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        name = getattr(exc, "ename", "error")
        value = getattr(exc, "evalue", str(exc).splitlines()[0])
        raise NotebookError(f"{name}: {value}", file=path) from None
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    # How printed text is split into messages depends on timing: merge it, so the
    # same run gives the same file
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    committed = nbformat.read(path, as_version=4)
    changes = tuple(diff_outputs(committed, nb)) if has_outputs(committed) else ()
    replace = accept or not changes
    pending = None
    if replace:
        write_atomic(path, lambda p: nbformat.write(nb, p))
        (PENDING_DIR / path.name).unlink(missing_ok=True)
    else:
        pending = PENDING_DIR / path.name
        pending.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(pending, lambda p: nbformat.write(nb, p))
    embedded: list[Path] = []
    if html_dir is not None:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        body, embedded = embed_images(body, path.parent)
        write_atomic(html_dir / f"{path.stem}.html", lambda p: p.write_text(body, "utf-8"))
    reads = _kernel_reads(trace_file, path.parent) if trace else None
    if reads is not None:  # the HTML copy holds these figures: they are inputs too
        reads["files"] = sorted({*reads["files"], *(rel(p) for p in embedded)})
    return NotebookRun(time.perf_counter() - t0, changes, replace, pending, reads)


_IMG = re.compile(r'(<img\b[^>]*?\bsrc=")(\.\./figures/[^"]+\.png)(")')


def warm_up() -> None:
    """Import what executing a notebook needs (a pool worker, ahead of its first notebook)."""
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401
    from nbconvert import HTMLExporter  # noqa: F401
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor  # noqa: F401


def embed_images(body: str, base: Path) -> tuple[str, list[Path]]:
    """Embed the figures an HTML copy links (``../figures/...png``) as data URIs.

    The HTML copy is then one file that can be sent on its own. Returns the new
    HTML and the figure files embedded. A missing figure stays a link.
    """
    embedded: list[Path] = []

    def inline(match: re.Match) -> str:
        figure = (base / match.group(2)).resolve()
        if not figure.is_file():
            return match.group(0)
        embedded.append(figure)
        data = base64.b64encode(figure.read_bytes()).decode("ascii")
        return f"{match.group(1)}data:image/png;base64,{data}{match.group(3)}"

    return _IMG.sub(inline, body), embedded


def _kernel_reads(trace_file: Path, cwd: Path) -> dict[str, list[str]]:
    roots = [ROOT, shared_dir(), yearbook_cache_dir()]
    raw = read_trace(trace_file)
    reads = project_reads(raw, [r for r in roots if r.exists()], cwd)
    # A module loaded by importlib.import_module (the package's lazy exports) raises no
    # import event; the kernel opening its source or bytecode still names it
    opened = (_module_of(Path(os.path.normpath(cwd / f))) for f in raw.files)
    reads["modules"] = sorted(set(reads["modules"]) | {m for m in opened if m})
    package = str(PACKAGE_DIR) + os.sep
    cache = str(CACHE_DIR) + os.sep
    # Package source counts through the modules (the config under it is data); a
    # cache holds results of other inputs, keyed on them, so it is no input itself
    reads["files"] = [
        rel(Path(f))
        for f in reads["files"]
        if not (f.startswith(package) and f.endswith((".py", ".pyc"))) and not f.startswith(cache)
    ]
    # The import system lists the package folders and the kernel's working folder
    reads["dirs"] = [
        rel(Path(d))
        for d in reads["dirs"]
        if not (d + os.sep).startswith(str(PACKAGE_DIR) + os.sep) and Path(d) != cwd.resolve()
    ]
    return reads


def _module_of(path: Path) -> str | None:
    """Return the package module whose source or bytecode ``path`` is, or None.

    >>> _module_of(PACKAGE_DIR / "figures" / "__pycache__" / "trajectory.cpython-311.pyc")
    'lnanalysis.figures.trajectory'
    >>> _module_of(PACKAGE_DIR / "figures" / "__init__.py"), _module_of(ROOT / "README.md")
    ('lnanalysis.figures', None)
    """
    try:
        parts = [p for p in path.relative_to(PACKAGE_DIR).parts if p != "__pycache__"]
    except ValueError:
        return None
    if not parts or not parts[-1].endswith((".py", ".pyc")):
        return None
    parts[-1] = parts[-1].split(".")[0]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE_DIR.name, *parts])


def cells_digest(path: Path) -> str:
    """Return a digest of what a notebook runs: its cells' sources and its kernel (not outputs)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    return hashlib.sha256(json.dumps([kernel, cells], ensure_ascii=False).encode()).hexdigest()


def value_scopes() -> dict[str, list[str]]:
    """Return the indicators whose values each notebook shows (config/notebooks.yaml).

    The backtest panel's indicators (config/backtest.yaml) are in every scope: their
    values set the band calibration of every projection.
    """
    from lnanalysis.reference.indicators import get_indicator

    panel = list(load_yaml("backtest.yaml")["indicators"])
    scopes = {}
    for name, listed in (load_yaml("notebooks.yaml")["value_scopes"] or {}).items():
        for ind in listed or []:
            # An unknown id is an error, not a silent gap in the scope
            get_indicator(ind, file="lnanalysis/config/notebooks.yaml", sheet=name)
        scopes[name] = sorted({*panel, *(listed or [])})
    return scopes


_scoped_memo: dict[tuple[str, tuple[str, ...]], str] = {}


def scoped_digest(path: Path, indicators: list[str]) -> str:
    """Return a digest of the rows of ``indicators`` in a table (every column counts).

    Adding, removing or changing a row of another indicator leaves it unchanged.
    """
    import pandas as pd

    from lnanalysis.core.digest import MISSING, file_digest

    whole = file_digest(path)
    key = (whole, tuple(sorted(indicators)))
    if whole == MISSING:
        return MISSING
    if key not in _scoped_memo:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows = frame[frame["indicator"].isin(indicators)]
        hashed = pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes()
        _scoped_memo[key] = hashlib.sha256(hashed + "|".join(frame.columns).encode()).hexdigest()
    return _scoped_memo[key]


def notebook_digests(path: Path, reads: dict[str, list[str]] | None) -> dict[str, str]:
    """Return the digests of a notebook's inputs: its cells, and what its last run read."""
    # The cells, and the code that executes them and writes the copies
    inputs = Inputs().value("cells", cells_digest(path)).code([__name__])
    scope = value_scopes().get(path.stem)
    if reads is not None:
        for name in reads["files"]:
            if scope is not None and name in SCOPED_TABLES:
                label = f"{name} (rows of {len(scope)} indicators)"
                inputs.value(label, scoped_digest(ROOT / name, scope))
            else:
                inputs.files([ROOT / name if not Path(name).is_absolute() else Path(name)])
        for name in reads["dirs"]:
            inputs.listing(ROOT / name if not Path(name).is_absolute() else Path(name))
        inputs.modules(reads["modules"])
    return inputs.digests()


def execute_all(
    paths: list[Path] | None = None,
    log: Callable[[str], None] = log,
    workers: int = 2,
    html_dir: Path | None = HTML_DIR,
    accept: bool = False,
    runner=None,
) -> dict[str, NotebookRun]:
    """Execute the notebooks, ``workers`` at a time; log one line per finished notebook.

    With a ``runner`` (:class:`lnanalysis.pipeline.steps.Runner`), a notebook whose
    inputs are unchanged since its last run is skipped (and absent from the result).
    """
    from lnanalysis.pipeline.nbpool import NotebookPool

    with NotebookPool(log, workers, html_dir, accept, runner) as pool:
        pool.submit(briefing_notebooks() if paths is None else paths)
        return pool.collect()
