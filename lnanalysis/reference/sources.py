"""Classify a value row: its source family, status and publication date.

The rules are data (``config/source_families.yaml``); this module only applies them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from lnanalysis.core.config import load_yaml

_ISO_DATE = re.compile(r"\b((?:19|20)\d{2})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?\b")


@dataclass(frozen=True)
class Family:
    """A source family with its preference rank and publication timing."""

    id: str
    name_en: str
    pattern: re.Pattern
    rank: int
    years_after: int
    month: int


@cache
def families() -> tuple[Family, ...]:
    """Return the source families in matching order."""
    return tuple(
        Family(
            id=f["id"],
            name_en=f["name_en"],
            pattern=re.compile(f["match"], re.IGNORECASE),
            rank=int(f["rank"]),
            years_after=int(f["publication"]["years_after"]),
            month=int(f["publication"]["month"]),
        )
        for f in load_yaml("source_families.yaml")["families"]
    )


@cache
def family_by_id(family_id: str) -> Family:
    """Return a family by id."""
    for fam in families():
        if fam.id == family_id:
            return fam
    raise KeyError(family_id)


def classify_family(source_url: str, source_title: str) -> Family:
    """Return the first family whose pattern matches the row's URL or title."""
    text = f"{source_url} {source_title}"
    for fam in families():
        if fam.pattern.search(text):
            return fam
    raise LookupError("source_families.yaml needs a catch-all family")


def classify_status(indicator: str, note: str, title: str = "") -> tuple[str, str]:
    """Return (status, basis): basis is 'stated' when a rule matched, else 'default'.

    >>> classify_status("rd_expenditure", "preliminary bulletin figure; CONFLICT: final 363.8")
    ('preliminary', 'stated')
    >>> classify_status("rd_intensity", "as printed; denominator = preliminary GDP")
    ('final', 'default')
    """
    cfg = load_yaml("source_families.yaml")
    ignore = re.compile(cfg["status_ignore_segments"])
    segments = [s for s in (note or "").split(";") if s.strip() and not ignore.search(s)]
    for rule in cfg["status_rules"]:
        if indicator in rule.get("indicators", ()):
            return rule["status"], "indicator rule"
        if "match" in rule and any(re.search(rule["match"], s, re.I) for s in segments):
            return rule["status"], "stated"
        if "title_match" in rule and re.search(rule["title_match"], title or "", re.I):
            return rule["status"], "stated in title"
    return "final", "default"


def publication_date(year: int, family: Family, source_title: str) -> tuple[dt.date, str]:
    """Return when a figure for data ``year`` was published, and how that was found.

    An ISO date in the source title (``2020-06-09`` or ``2020-06``) is used when it is
    not before the data year; then the year of a cited document number (``〔2016〕``),
    at its year end; otherwise the family's usual lag applies.

    >>> fam = family_by_id("cnipa")
    >>> publication_date(2014, fam, "辽宁省知识产权“十三五”规划 (辽政办发〔2016〕76号)")
    (datetime.date(2016, 12, 31), 'document year (day unknown: year end)')
    """
    for m in _ISO_DATE.finditer(source_title or ""):
        y, mth, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        date = dt.date(y, mth, day)
        if y >= year:
            return date, "row"
    doc = re.search(load_yaml("source_families.yaml")["document_year"], source_title or "")
    if doc and int(doc.group(1)) >= year:
        return dt.date(int(doc.group(1)), 12, 31), "document year (day unknown: year end)"
    return dt.date(year + family.years_after, family.month, 1), "family lag"
