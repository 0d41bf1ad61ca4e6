"""Execute the briefing notebooks in place and export each to HTML.

Each notebook runs in a fresh ``python3`` kernel with ``notebooks/`` as its working
folder; the executed notebook replaces the old one atomically, so an interrupted
run leaves the previous version intact. Two notebooks run at a time. The HTML
copies (git-ignored) are written beside the notebooks.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from lnanalysis.core.errors import InputError
from lnanalysis.core.io import write_atomic
from lnanalysis.core.paths import NOTEBOOKS_DIR

# HTML copies sit beside the notebooks, so their links to ../figures/ resolve
HTML_DIR = NOTEBOOKS_DIR


class NotebookError(InputError):
    """A notebook cell failed; the previous executed copy is left in place."""


TIMEOUT = 600


def briefing_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Return the numbered notebooks of the briefing, in reading order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def execute_notebook(path: Path, html_dir: Path | None = HTML_DIR) -> float:
    """Execute one notebook in place (and export it to HTML); return the seconds taken."""
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
    write_atomic(path, lambda p: nbformat.write(nb, p))
    if html_dir is not None:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        write_atomic(html_dir / f"{path.stem}.html", lambda p: p.write_text(body, "utf-8"))
    return time.perf_counter() - t0


def execute_all(
    paths: list[Path] | None = None,
    log: Callable[[str], None] = print,
    workers: int = 2,
    html_dir: Path | None = HTML_DIR,
) -> dict[str, float]:
    """Execute the notebooks, ``workers`` at a time; log one line per finished notebook."""
    paths = briefing_notebooks() if paths is None else paths
    times: dict[str, float] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        futures = {pool.submit(execute_notebook, p, html_dir): p for p in paths}
        for n, future in enumerate(as_completed(futures), 1):
            path = futures[future]
            times[path.name] = future.result()
            log(f"notebook {n}/{len(paths)}: {path.name} ({times[path.name]:.1f}s)")
    times = {p.name: times[p.name] for p in paths}  # reading order
    return times
