"""Source quality tiers: how close a row's copy of a figure is to its official publisher.

The tiers and the ordered rules that assign them are data
(``config/source_tiers.yaml``); the first rule whose ``url`` and ``title`` patterns
both match a row decides. Tier ranks run from 1 (the official publisher's own page)
to 5 (other secondary sources).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lnanalysis.core.config import load_yaml
from lnanalysis.core.errors import InputError


@dataclass(frozen=True)
class Tier:
    """One quality tier."""

    id: str
    rank: int
    name_en: str
    name_zh: str


@cache
def tiers() -> dict[str, Tier]:
    """Return the tiers by id."""
    out = {}
    for t in load_yaml("source_tiers.yaml")["tiers"]:
        out[t["id"]] = Tier(t["id"], int(t["rank"]), t["name_en"], t["name_zh"])
    return out


@cache
def _rules() -> tuple[tuple[Tier, re.Pattern | None, re.Pattern | None], ...]:
    rules = []
    for i, rule in enumerate(load_yaml("source_tiers.yaml")["rules"], 1):
        if rule["tier"] not in tiers():
            raise InputError(
                f"rule {i} names unknown tier {rule['tier']!r}", file="source_tiers.yaml"
            )
        url, title = rule.get("url"), rule.get("title")
        rules.append(
            (
                tiers()[rule["tier"]],
                re.compile(url) if url else None,
                re.compile(title) if title else None,
            )
        )
    if rules[-1][1] is not None or rules[-1][2] is not None:
        raise InputError(
            "the last rule must match every row (no url, no title)", file="source_tiers.yaml"
        )
    return tuple(rules)


def classify_tier(source_url: str, source_title: str) -> Tier:
    """Return the tier of the first rule matching the row's URL and title.

    >>> classify_tier("https://tjj.ln.gov.cn/x.html", "辽宁省统计公报").id
    'official'
    >>> classify_tier("https://github.com/a/b/blob/c/app.component.ts", "dashboard").id
    'secondary'
    """
    for tier, url, title in _rules():
        if (url is None or url.search(source_url)) and (
            title is None or title.search(source_title)
        ):
            return tier
    raise AssertionError("the catch-all rule matches every row")
