"""Content digests of files, folder listings and package modules, for the build manifest."""

from __future__ import annotations

import ast
import hashlib
import os
from functools import cache
from pathlib import Path

from lnanalysis.core.paths import PACKAGE_DIR

MISSING = "missing"
NOT_A_FILE = "not a file"
_memo: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """Return the sha256 of a file's bytes ("missing" when there is no such file)."""
    try:
        st = path.stat()
    except OSError:
        return MISSING
    if not path.is_file():
        return NOT_A_FILE
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _memo:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _memo[key] = digest.hexdigest()
    return _memo[key]


def listing_digest(folder: Path) -> str:
    """Return a digest of the names in a folder (its entries, not their content)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return MISSING
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def module_file(name: str) -> Path | None:
    """Return the source file of a package module (None when it is not one)."""
    rel = Path(*name.split(".")[1:])
    for candidate in (PACKAGE_DIR / rel / "__init__.py", PACKAGE_DIR / f"{rel}.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _direct_imports(name: str) -> frozenset[str]:
    """Return the package modules ``name`` imports anywhere in its source (functions included)."""
    source = module_file(name)
    if source is None:
        return frozenset()
    found = set()
    package = name if source.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    mods = set()
    for mod in found:
        if mod.split(".")[0] != "lnanalysis":
            continue
        # `import lnanalysis.a.b` runs the packages on the way
        parts = mod.split(".")
        mods.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(m for m in mods if module_file(m) is not None)


def module_closure(entries: list[str]) -> list[str]:
    """Return every package module that ``entries`` import, directly or indirectly.

    The scan is static and includes imports inside functions, so it may list a
    module that a given run does not use; it never misses one that it does.
    """
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_direct_imports(name))
    return sorted(m for m in seen if module_file(m) is not None)
