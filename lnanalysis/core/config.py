"""Read the data-like configuration held as YAML and CSV in ``lnanalysis/config``.

YAML is read strictly: a key repeated inside one mapping, a tab used for
indentation, a Python tag or text that is not UTF-8 stops with an
:class:`~lnanalysis.core.errors.InputError` naming the file and the line, never
with a parser traceback and never by silently keeping the last value.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lnanalysis.core.errors import InputError
from lnanalysis.core.paths import CONFIG_DIR
from lnanalysis.core.textfile import decode_utf8, read_bytes_bounded, read_csv_rows


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key must be a plain value, not a list or mapping",
                key_node.start_mark,
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} repeated (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


def _timestamp(loader: _StrictLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real date ({exc})", node.start_mark
        ) from None


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file strictly; raise InputError naming the file and line."""
    path = Path(path)
    text = decode_utf8(read_bytes_bounded(path), path)
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise InputError(f"{where}invalid YAML: {problem}", file=path) from None
    except (ValueError, TypeError) as exc:
        # A value YAML types but cannot build (2026-02-30), or a key that is a list
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(f"invalid YAML value: {reason}", file=path) from None


@cache
def load_yaml(name: str) -> Any:
    """Return the parsed YAML file ``config/<name>`` (cached; do not mutate).

    A file with a typed model (:mod:`lnanalysis.core.settings`) is validated first: an
    unknown key or a value of the wrong type stops with one line naming file and key.
    """
    from lnanalysis.core.settings import validate

    doc = read_yaml(CONFIG_DIR / name)
    validate(name, doc, CONFIG_DIR / name)
    return doc


@cache
def load_csv(name: str, required: tuple[str, ...] = ()) -> tuple[dict[str, str], ...]:
    """Return the rows of ``config/<name>`` as dicts (cached), read strictly as UTF-8.

    A column of ``required`` missing from the header stops with one line.
    """
    header, rows = read_csv_rows(CONFIG_DIR / name)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing columns {missing}", file=CONFIG_DIR / name, row=1)
    return tuple(dict(zip(header, row, strict=True)) for row in rows)


def config_section(name: str, key: str) -> Any:
    """Return ``load_yaml(name)[key]``, or stop naming the file when the key is missing."""
    doc = load_yaml(name)
    if not isinstance(doc, dict) or key not in doc:
        raise InputError(f"no '{key}:' mapping", file=CONFIG_DIR / name)
    return doc[key]


def config_path(name: str) -> Path:
    """Return the path of a configuration file."""
    return CONFIG_DIR / name
