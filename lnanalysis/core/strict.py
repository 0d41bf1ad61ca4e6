"""The base of every typed config model: frozen, and no key it does not know."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A frozen model that refuses unknown keys (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
