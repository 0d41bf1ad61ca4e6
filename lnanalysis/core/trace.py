"""Record what a step of the build reads: project files, folders it lists, package modules.

An audit hook (:func:`sys.addaudithook`) sees every ``open``, ``os.listdir``,
``os.scandir`` and ``import`` of the process. While a :func:`recording` is
active, the reads under the watched folders are collected; files opened for
writing are not reads. A notebook kernel is traced the same way when
``LNANALYSIS_TRACE`` names a file: :mod:`lnanalysis` installs the hook on import
and appends one line per read to that file as it happens (see :func:`from_env`).

The recorded reads become the step's inputs in the build manifest
(:mod:`lnanalysis.pipeline.manifest`), in the way a compiler's dependency file
lists the headers a source actually included.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TRACE_ENV = "LNANALYSIS_TRACE"
_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "import"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
# Never inputs of a step: the environment, compiled bytecode, version control
_IGNORED_PARTS = {".venv", "__pycache__", ".git", ".ipynb_checkpoints"}


@dataclass
class Reads:
    """The files, folder listings and package modules one step read (paths as given)."""

    files: set[str] = field(default_factory=set)
    dirs: set[str] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)

    def add(self, kind: str, value: str) -> None:
        """Add one read of ``kind`` (files, dirs or modules)."""
        getattr(self, kind).add(value)


class _Hook:
    """The process-wide audit hook; feeds every active recording."""

    def __init__(self) -> None:
        self.active: list[Reads] = []
        self.sink = None  # a kernel's trace file
        self.busy = False

    def __call__(self, event: str, args: tuple) -> None:
        # Called for every audit event of the process: the common case returns at once
        if event not in _EVENTS or self.busy or not (self.active or self.sink):
            return
        kind, value = _classify(event, args)
        if kind is None:
            return
        self.busy = True  # writing the trace line opens nothing, but be safe
        try:
            for reads in self.active:
                reads.add(kind, value)
            if self.sink is not None:
                self.sink.write(json.dumps([kind, value]) + "\n")
                self.sink.flush()
        finally:
            self.busy = False


def _classify(event: str, args: tuple) -> tuple[str | None, str]:
    if event == "open":
        path, mode, flags = args
        if path is None or isinstance(path, int):
            return None, ""
        writes = any(c in mode for c in "wax+") if mode else bool(flags & _WRITE_FLAGS)
        return (None, "") if writes else ("files", os.fspath(path))
    if event in ("os.listdir", "os.scandir"):
        path = args[0]
        if path is None or isinstance(path, int) or _by_import_system():
            return None, ""
        return "dirs", os.fspath(path) or "."
    if event == "import":
        name = args[0]
        if name == "lnanalysis" or name.startswith("lnanalysis."):
            return "modules", name
    return None, ""


def _by_import_system() -> bool:
    """Whether the listing comes from the import system looking for a module."""
    frame = sys._getframe(3)  # the hook's caller's caller: past _classify and the hook
    for _ in range(4):
        if frame is None:
            return False
        if frame.f_globals.get("__name__", "").startswith("importlib"):
            return True
        frame = frame.f_back
    return False


_HOOK: _Hook | None = None


def _hook() -> _Hook:
    global _HOOK
    if _HOOK is None:
        _HOOK = _Hook()
        sys.addaudithook(_HOOK)
    return _HOOK


@contextmanager
def recording() -> Iterator[Reads]:
    """Collect what the code inside the block reads (recordings may nest)."""
    hook = _hook()
    reads = Reads()
    hook.active.append(reads)
    try:
        yield reads
    finally:
        hook.active.remove(reads)


def from_env() -> None:
    """Start tracing this process into the file named by ``LNANALYSIS_TRACE`` (if set)."""
    target = os.environ.get(TRACE_ENV)
    hook = _hook() if target else None
    if hook is None or hook.sink is not None:
        return
    hook.busy = True
    try:
        hook.sink = open(target, "a", encoding="utf-8")  # noqa: SIM115 (lives with the process)
    finally:
        hook.busy = False
    # Imported before the hook existed
    for name in sorted(n for n in sys.modules if n.split(".")[0] == "lnanalysis"):
        hook.sink.write(json.dumps(["modules", name]) + "\n")
    hook.sink.flush()


def read_trace(path: Path) -> Reads:
    """Return the reads a traced process appended to ``path``."""
    reads = Reads()
    for line in path.read_text(encoding="utf-8").splitlines():
        kind, value = json.loads(line)
        reads.add(kind, value)
    return reads


def project_reads(reads: Reads, roots: list[Path], cwd: Path | None = None) -> dict[str, list]:
    """Keep the reads under ``roots`` (absolute, resolved); modules are kept as names."""
    base = Path.cwd() if cwd is None else cwd
    roots = [r.resolve() for r in roots]

    def keep(raw: set[str]) -> list[str]:
        out = set()
        for value in raw:
            path = Path(os.path.normpath(base / value))
            if _IGNORED_PARTS & set(path.parts):
                continue
            if any(path == r or r in path.parents for r in roots):
                out.add(str(path))
        return sorted(out)

    return {"files": keep(reads.files), "dirs": keep(reads.dirs), "modules": sorted(reads.modules)}
