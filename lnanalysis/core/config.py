"""Read the data-like configuration held as YAML and CSV in ``lnanalysis/config``.

YAML is read strictly: a key repeated inside one mapping, a tab used for
indentation, a Python tag or text that is not UTF-8 stops with an
:class:`~lnanalysis.core.errors.InputError` naming the file and the line, never
with a parser traceback and never by silently keeping the last value.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lnanalysis.core.errors import InputError
from lnanalysis.core.paths import CONFIG_DIR
from lnanalysis.core.textfile import decode_utf8


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} repeated (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file strictly; raise InputError naming the file and line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None
    text = decode_utf8(raw, path)
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise InputError(f"{where}invalid YAML: {problem}", file=path) from None


@cache
def load_yaml(name: str) -> Any:
    """Return the parsed YAML file ``config/<name>`` (cached; do not mutate)."""
    return read_yaml(CONFIG_DIR / name)


@cache
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """Return the rows of ``config/<name>`` as dicts (cached)."""
    with open(CONFIG_DIR / name, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def config_path(name: str) -> Path:
    """Return the path of a configuration file."""
    return CONFIG_DIR / name
