"""Provenance sidecars next to raw files, and their checksum verification.

Each raw file ``X`` has ``X.meta.yaml`` with publisher, title, URL, access date,
licence, md5 and size. The build refuses a raw file that no longer matches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from lnanalysis.core.config import read_yaml
from lnanalysis.core.errors import ChecksumError, InputError

REQUIRED_FIELDS = ("title", "publisher", "url", "access_date", "md5", "bytes")


def md5_of(path: Path) -> str:
    """Return the md5 hex digest of a file."""
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(path: Path) -> Path:
    """Return the sidecar path of a raw file."""
    return path.with_name(path.name + ".meta.yaml")


@dataclass(frozen=True)
class Origin:
    """Citation of a raw file, read from its sidecar."""

    title: str
    publisher: str
    url: str
    access_date: str
    md5: str
    bytes: int
    licence: str = ""
    description: str = ""


def read_sidecar(path: Path) -> Origin:
    """Read and check the sidecar of ``path``; raise InputError naming what is missing."""
    meta_path = sidecar_path(path)
    if not meta_path.exists():
        raise InputError("raw file has no provenance sidecar", file=path)
    meta = read_yaml(meta_path) or {}
    if not isinstance(meta, dict):
        raise InputError("a sidecar must be a mapping of fields", file=meta_path)
    missing = [f for f in REQUIRED_FIELDS if not meta.get(f)]
    if missing:
        raise InputError(f"sidecar lacks {', '.join(missing)}", file=meta_path)
    if not isinstance(meta["bytes"], int) or isinstance(meta["bytes"], bool):
        raise InputError(f"bytes {meta['bytes']!r} is not a whole number", file=meta_path)
    return Origin(
        title=str(meta["title"]),
        publisher=str(meta["publisher"]),
        url=str(meta["url"]),
        access_date=str(meta["access_date"]),
        md5=str(meta["md5"]),
        bytes=int(meta["bytes"]),
        licence=str(meta.get("licence", "")),
        description=str(meta.get("description", "")),
    )


def verify(path: Path) -> Origin:
    """Verify a raw file against its sidecar and return its citation.

    Raises
    ------
    ChecksumError
        If the size or md5 differ from the sidecar.
    """
    if not path.exists():
        raise InputError("raw file is missing", file=path)
    origin = read_sidecar(path)
    size = path.stat().st_size
    if size != origin.bytes:
        raise ChecksumError(
            f"size {size} differs from the sidecar's {origin.bytes}; raw files must not change",
            file=path,
        )
    actual = md5_of(path)
    if actual != origin.md5:
        raise ChecksumError(
            f"md5 {actual} differs from the sidecar's {origin.md5}; raw files must not change",
            file=path,
        )
    return origin


def sidecar_text(path: Path, **fields) -> str:
    """Return the sidecar of the raw file ``path``: ``fields`` with its md5 and size."""
    meta = dict(fields)
    meta["md5"] = md5_of(path)
    meta["bytes"] = path.stat().st_size
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)


def write_sidecar(path: Path, **fields) -> Path:
    """Write the sidecar of a new raw file, with its md5 and size filled in."""
    meta_path = sidecar_path(path)
    meta_path.write_text(sidecar_text(path, **fields), encoding="utf-8")
    return meta_path
