"""Execute the briefing notebooks and export each to HTML.

Each notebook runs in a fresh ``python3`` kernel with ``notebooks/`` as its working
folder. The committed notebook is the reference that ``make test`` (nbval) checks,
so it is never refreshed silently: when the new outputs differ from the committed
ones, the new run is kept in ``.cache/notebooks/`` and the differences are
reported as committed -> now; ``accept=True`` (``make briefing ACCEPT=1``) replaces
the committed notebook. Replacement is atomic. Two notebooks run at a time. The
HTML copies (git-ignored) of the new run are written beside the notebooks.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from lnanalysis.core.errors import InputError
from lnanalysis.core.io import write_atomic
from lnanalysis.core.paths import CACHE_DIR, NOTEBOOKS_DIR
from lnanalysis.core.processes import die_with_parent
from lnanalysis.pipeline.nbdiff import CellChange, describe, diff_outputs, has_outputs

# New runs whose outputs differ from the committed notebook wait here for review
PENDING_DIR = CACHE_DIR / "notebooks"

# HTML copies sit beside the notebooks, so their links to ../figures/ resolve
HTML_DIR = NOTEBOOKS_DIR


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


def execute_notebook(
    path: Path, html_dir: Path | None = HTML_DIR, accept: bool = False
) -> NotebookRun:
    """Execute one notebook; replace the committed copy if its outputs agree or ``accept``."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    t0 = time.perf_counter()
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
    if html_dir is not None:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        write_atomic(html_dir / f"{path.stem}.html", lambda p: p.write_text(body, "utf-8"))
    return NotebookRun(time.perf_counter() - t0, changes, replace, pending)


def execute_all(
    paths: list[Path] | None = None,
    log: Callable[[str], None] = print,
    workers: int = 2,
    html_dir: Path | None = HTML_DIR,
    accept: bool = False,
) -> dict[str, NotebookRun]:
    """Execute the notebooks, ``workers`` at a time; log one line per finished notebook."""
    paths = briefing_notebooks() if paths is None else paths
    runs: dict[str, NotebookRun] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=die_with_parent) as pool:
        futures = {pool.submit(execute_notebook, p, html_dir, accept): p for p in paths}
        for n, future in enumerate(as_completed(futures), 1):
            path = futures[future]
            run = runs[path.name] = future.result()
            log(f"notebook {n}/{len(paths)}: {path.name} ({run.seconds:.1f}s)")
            if run.changes:
                what = "accepted" if run.replaced else f"kept in {run.pending.parent.name}/"
                log(
                    f"  {len(run.changes)} output lines differ from the committed notebook ({what})"
                )
                for line in describe(list(run.changes)):
                    log(line)
    return {p.name: runs[p.name] for p in paths}  # reading order
