"""The build manifest: what each step read and wrote the last time it ran.

A step is up to date when every input it declared (or was seen to read) has the
digest recorded at its last run, and every output it wrote is still there with
the digest it had. Inputs are named ``file:<path>``, ``tree:<folder>`` (every
file below it), ``dir:<folder>`` (the names in it), ``module:<name>`` (the
module's source) or ``value:<name>`` (a digest the step computes itself, such as
the data a figure draws). Paths are relative to the project root.

The manifest lives in ``.cache/build/manifest.json`` (git-ignored) and is
replaced atomically after each step, so a build killed in the middle of a step
leaves that step to be redone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lnanalysis.core.digest import MISSING, file_digest, listing_digest, module_closure, module_file
from lnanalysis.core.io import write_atomic
from lnanalysis.core.paths import CACHE_DIR, ROOT

MANIFEST = CACHE_DIR / "build" / "manifest.json"
FORMAT = 1


def rel(path: Path, root: Path = ROOT) -> str:
    """Name a path relative to the project root when it lies inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _abs(name: str, root: Path) -> Path:
    path = Path(name)
    return path if path.is_absolute() else root / path


def tree_files(folder: Path) -> list[Path]:
    """Every file below ``folder`` (bytecode and hidden files left out), in a stable order."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


@dataclass
class Inputs:
    """The inputs of one step, as names; :meth:`digests` reads them."""

    names: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)

    def files(self, paths: Iterable[Path]) -> Inputs:
        """Add files (their bytes count)."""
        self.names.update(f"file:{rel(p)}" for p in paths)
        return self

    def tree(self, folder: Path) -> Inputs:
        """Add every file below ``folder`` and the names in it."""
        self.names.add(f"tree:{rel(folder)}")
        return self

    def listing(self, folder: Path) -> Inputs:
        """Add the names in ``folder`` (not their content)."""
        self.names.add(f"dir:{rel(folder)}")
        return self

    def code(self, entries: Iterable[str]) -> Inputs:
        """Add the package modules ``entries`` import, directly or indirectly (static scan)."""
        self.names.update(f"module:{m}" for m in module_closure(list(entries)))
        return self

    def modules(self, names: Iterable[str]) -> Inputs:
        """Package modules seen imported (no scan: the record is already complete)."""
        self.names.update(f"module:{m}" for m in names if module_file(m) is not None)
        return self

    def value(self, name: str, digest: str) -> Inputs:
        """Add a digest the step computed itself."""
        self.values[f"value:{name}"] = digest
        return self

    def digests(self, root: Path = ROOT) -> dict[str, str]:
        """Read every input now; return its digest by name."""
        out = dict(self.values)
        for name in sorted(self.names):
            kind, _, what = name.partition(":")
            if kind == "file":
                out[name] = file_digest(_abs(what, root))
            elif kind == "dir":
                out[name] = listing_digest(_abs(what, root))
            elif kind == "module":
                source = module_file(what)
                out[name] = file_digest(source) if source else MISSING
            elif kind == "tree":
                folder = _abs(what, root)
                for path in tree_files(folder):
                    out[f"file:{rel(path, root)}"] = file_digest(path)
                out[name] = listing_digest(folder)
        return out


@dataclass
class Manifest:
    """Records of the last run of every step, read from and saved to ``path``."""

    path: Path = MANIFEST
    root: Path = ROOT
    steps: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = MANIFEST, root: Path = ROOT) -> Manifest:
        """Read the manifest; one that is missing or unreadable counts as empty."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path, root)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls(path, root)
        return cls(path, root, dict(data.get("steps", {})))

    def stale(self, step: str, inputs: dict[str, str]) -> str | None:
        """Why ``step`` must run (None when it is up to date)."""
        record = self.steps.get(step)
        if record is None:
            return "no record of a previous run"
        changed = [
            k
            for k in sorted(set(inputs) | set(record["inputs"]))
            if inputs.get(k) != record["inputs"].get(k)
        ]
        if changed:
            more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
            return f"{_describe(changed[0], inputs, record['inputs'])}{more}"
        for name, digest in record["outputs"].items():
            now = file_digest(_abs(name, self.root))
            if now != digest:
                return f"output {name} {'is missing' if now == MISSING else 'was changed'}"
        return None

    def forget(self, step: str) -> None:
        """Drop the record of ``step`` (it is running, or its outputs are gone)."""
        self.steps.pop(step, None)

    def record(self, step: str, inputs: dict[str, str], outputs: Iterable[Path]) -> None:
        """Record a run of ``step``: its inputs' digests and its outputs' digests now."""
        self.steps[step] = {
            "inputs": inputs,
            "outputs": {rel(p, self.root): file_digest(Path(p)) for p in sorted(set(outputs))},
        }

    def save(self) -> None:
        """Write the manifest atomically."""
        data = {"format": FORMAT, "steps": dict(sorted(self.steps.items()))}
        text = json.dumps(data, indent=1, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, lambda p: p.write_text(text, encoding="utf-8"))


def _describe(name: str, now: dict[str, str], before: dict[str, str]) -> str:
    what = name.partition(":")[2]
    if name not in before:
        return f"new input {what}"
    if name not in now:
        return f"{what} no longer read"
    if now[name] == MISSING:
        return f"{what} is missing"
    return f"{what} changed"
