"""Layout overrides by table family: what inference cannot know, for every edition.

A family is keyed by the table's Chinese title as inference reads it (table number,
year and whitespace left out), because table numbers move between editions (表1-7 one
year, 表1-8 the next) while the title stays. The package's overrides live in
``config/yearbook_overrides.yaml``; a researcher's own file of the same form is given
with ``read-yearbook FILE --overrides MINE.yaml`` and wins for the families it names.

>>> family_key("各地区 研究与试验发展(R&D) 经费")
'各地区研究与试验发展(R&D)经费'
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from lnanalysis.core.config import read_yaml
from lnanalysis.core.settings import FamilyOverride, settings, validate

_SPACE = re.compile(r"\s+")


def family_key(title: str) -> str:
    """Return the key of a table family: its title without whitespace."""
    return _SPACE.sub("", title)


@cache
def package_families() -> dict[str, FamilyOverride]:
    """Return the package's overrides by family key (config/yearbook_overrides.yaml; cached)."""
    return {family_key(k): v for k, v in settings("yearbook_overrides.yaml").families.items()}


def read_families(path: str | Path) -> dict[str, FamilyOverride]:
    """Return a researcher's overrides file by family key, checked like the package's.

    Raises
    ------
    InputError
        Naming the file and the key that is unknown or of the wrong type.
    """
    model = validate("yearbook_overrides.yaml", read_yaml(Path(path)), Path(path))
    return {family_key(k): v for k, v in model.families.items()}


def families(extra: str | Path | None = None) -> dict[str, FamilyOverride]:
    """Return the package's overrides, with those of the file ``extra`` over them."""
    out = dict(package_families())
    if extra is not None:
        out |= read_families(extra)
    return out


def override_for(title: str, known: dict[str, FamilyOverride]) -> dict:
    """Return the override keys of the family of ``title`` (empty when none is known)."""
    found = known.get(family_key(title)) if title else None
    return {} if found is None else found.model_dump(exclude_none=True, exclude={"why"})
