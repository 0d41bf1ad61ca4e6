"""Run the build's steps, each only when what it reads has changed since its last run.

A step names its inputs (:class:`~lnanalysis.pipeline.manifest.Inputs`) and
returns the files it wrote. The :class:`Runner` compares the inputs' digests with
the manifest, runs the step or says why not, and records the run. ``force``
runs every step (``make briefing FORCE=1``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lnanalysis.core.progress import log
from lnanalysis.pipeline.manifest import Inputs, Manifest


@dataclass
class Runner:
    """Decides which steps run, and records each run in the manifest."""

    manifest: Manifest = field(default_factory=Manifest.load)
    force: bool = False
    log: Callable[[str], None] = log
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def why(self, step: str, digests: dict[str, str]) -> str | None:
        """Why ``step`` must run; None when it is up to date (never None with ``force``)."""
        if self.force:
            return "full rebuild (FORCE)"
        return self.manifest.stale(step, digests)

    def up_to_date(self, step: str, quiet: bool = False) -> None:
        """Note that ``step`` is skipped (one line, unless ``quiet``)."""
        self.skipped.append(step)
        if not quiet:
            self.log(f"{step}: up to date")

    def done(self, step: str, digests: dict[str, str], outputs: Iterable[Path], **extra) -> None:
        """Record a finished run of ``step`` (its outputs' digests are taken now)."""
        self.ran.append(step)
        self.manifest.record(step, digests, outputs)
        self.manifest.steps[step].update(extra)
        self.manifest.save()

    def run(
        self, step: str, inputs: Inputs, action: Callable[[], Iterable[Path]], quiet: bool = False
    ) -> bool:
        """Run ``action`` unless ``step`` is up to date; return whether it ran."""
        digests = inputs.digests(self.manifest.root)
        reason = self.why(step, digests)
        if reason is None:
            self.up_to_date(step, quiet)
            return False
        self.log(f"{step}: {reason}")
        # A run killed half-way must not leave the old record standing
        self.manifest.forget(step)
        self.done(step, digests, list(action()))
        return True
