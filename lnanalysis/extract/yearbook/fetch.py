"""Fetch the yearbook tables of the manifest into the git-ignored cache, checking sha256.

The manifest is config/yearbook_manifest.csv: each table's file path, public URL and
sha256 (:mod:`~lnanalysis.extract.yearbook.manifest`). ``LNANALYSIS_YEARBOOK_MIRROR``
points the fetch at a local mirror (a folder laid out like the manifest's paths, e.g.
``../shared/real-spreadsheets``) or at another base URL. Files already in the cache
with the right checksum are not fetched again.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from lnanalysis.core.errors import ChecksumError, InputError
from lnanalysis.core.paths import shared_dir, yearbook_cache_dir
from lnanalysis.core.progress import log
from lnanalysis.extract.yearbook.manifest import KnownTable, manifest, sha256_of
from lnanalysis.extract.yearbook.workbook import read_bounded


def _source(table: KnownTable, mirror: str | None) -> str:
    if not mirror:
        return table.url
    if "://" in mirror:
        return mirror.rstrip("/") + "/" + table.file
    return str(Path(mirror) / table.file)


# No yearbook table of the manifest is larger than this; a larger answer is refused
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 60


def _download(url: str, target: Path) -> None:
    """Stream ``url`` to ``target`` up to MAX_DOWNLOAD_BYTES; one-line errors, never a traceback."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as resp, target.open("wb") as out:
            total = 0
            while block := resp.read(1 << 16):
                total += len(block)
                if total > MAX_DOWNLOAD_BYTES:
                    raise InputError(
                        f"answer larger than {MAX_DOWNLOAD_BYTES / 1e6:.0f} MB: refused", file=url
                    )
                out.write(block)
    except urllib.error.HTTPError as exc:
        reason = _one_line(exc.reason)
        raise InputError(f"cannot fetch: HTTP {exc.code} {reason}", file=url) from None
    except urllib.error.URLError as exc:
        raise InputError(f"cannot fetch: {_one_line(exc.reason)}", file=url) from None
    except http.client.HTTPException as exc:  # an answer that is not HTTP, cut short, ...
        what = type(exc).__name__
        raise InputError(f"cannot fetch: not a valid HTTP answer ({what})", file=url) from None
    except ValueError as exc:  # a malformed URL, e.g. an unclosed IPv6 bracket
        raise InputError(f"cannot fetch: malformed URL ({_one_line(exc)})", file=url) from None
    except (TimeoutError, OSError) as exc:
        raise InputError(f"cannot fetch: {_one_line(exc)}", file=url) from None


def _one_line(reason) -> str:
    """Return an error's reason on one line (urllib's redirect message spans three)."""
    return " ".join(str(reason).split())


def fetch_one(table: KnownTable, cache: Path, mirror: str | None = None) -> tuple[Path, str]:
    """Fetch one table into ``cache``; return its path and 'cached' or where it came from."""
    target = cache / table.file
    if target.exists() and sha256_of(target) == table.sha256:
        return target, "cached"
    source = _source(table, mirror)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        if "://" in source:
            _download(source, tmp_path)
        else:
            tmp_path.write_bytes(read_bounded(Path(source)))
        got = sha256_of(tmp_path)
        if got != table.sha256:
            raise ChecksumError(
                f"sha256 {got} does not match the manifest's {table.sha256}", file=source
            )
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return target, source


def fetch_all(
    cache: Path | None = None, mirror: str | None = None, log: Callable[[str], None] = log
) -> list[Path]:
    """Fetch every table of the manifest; return the cached paths."""
    cache = cache or yearbook_cache_dir()
    mirror = mirror if mirror is not None else os.environ.get("LNANALYSIS_YEARBOOK_MIRROR")
    known = list(manifest().values())
    out = []
    for i, table in enumerate(known, 1):
        path, how = fetch_one(table, cache, mirror)
        log(f"[{i}/{len(known)}] {table.file}: {how}")
        out.append(path)
    return out


def yearbook_dir() -> Path | None:
    """Return where the yearbook tables are: the intact, complete cache, else the shared copy.

    Every cached file is checked against the manifest's sha256 before it is used: a
    changed copy is never credited to the official file.
    """
    cache = yearbook_cache_dir()
    known = list(manifest().values())
    complete = all((cache / table.file).is_file() for table in known)
    if complete and all(sha256_of(cache / table.file) == table.sha256 for table in known):
        return cache
    shared = shared_dir() / "real-spreadsheets"
    return shared if shared.exists() else None
