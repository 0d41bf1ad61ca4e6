"""Progress lines through the standard ``logging`` module, logger ``lnanalysis``.

Library functions report progress with :func:`log` (level INFO) and warnings such as
a discarded cache with ``LOGGER.warning``; they print nothing themselves. The command
line and the build call :func:`show_progress`, which prints INFO lines to standard
output and warnings to standard error, each as ``[lnanalysis] <message>``. A program
or notebook that imports the package decides for itself what to show, with the usual
``logging`` configuration.
"""

from __future__ import annotations

import logging
import sys

LOGGER = logging.getLogger("lnanalysis")
FORMAT = "[lnanalysis] %(message)s"


def log(message: str) -> None:
    """Report one progress line (INFO on the ``lnanalysis`` logger)."""
    LOGGER.info(message)


class _Console(logging.StreamHandler):
    """A handler writing to whatever ``sys.stdout`` or ``sys.stderr`` is at the time."""

    def __init__(self, errors: bool) -> None:
        self._errors = errors
        super().__init__()

    @property
    def stream(self):
        return sys.stderr if self._errors else sys.stdout

    @stream.setter
    def stream(self, _value) -> None:  # the stream is looked up at each line
        pass


def show_progress() -> None:
    """Print the package's progress to stdout and its warnings to stderr (once)."""
    if any(isinstance(h, _Console) for h in LOGGER.handlers):
        return
    out, err = _Console(errors=False), _Console(errors=True)
    out.addFilter(lambda record: record.levelno < logging.WARNING)
    err.setLevel(logging.WARNING)
    for handler in (out, err):
        handler.setFormatter(logging.Formatter(FORMAT))
        LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
