"""Exceptions raised on bad input. Each names where the problem is."""

from __future__ import annotations


class LnAnalysisError(Exception):
    """Base class of every error lnanalysis raises on purpose."""


class InputError(LnAnalysisError):
    """Bad input, located by file, sheet and row or cell.

    Parameters
    ----------
    message : str
        What is wrong.
    file, sheet, row, cell : optional
        Where it is. ``row`` is the 1-based spreadsheet row; ``cell`` an A1 address.
    """

    def __init__(self, message: str, *, file=None, sheet=None, row=None, cell=None):
        self.file, self.sheet, self.row, self.cell = file, sheet, row, cell
        self.reason = message
        super().__init__(f"{self.location()}: {message}" if self.location() else message)

    def location(self) -> str:
        """Return 'file, sheet S, row R, cell C' for the parts that are known."""
        parts = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        return ", ".join(parts)


class ChecksumError(InputError):
    """A raw file no longer matches the md5 or size in its provenance sidecar."""


class MissingSourceError(InputError):
    """A value row carries no source citation."""


class UnknownIndicatorError(InputError):
    """An indicator id that is not in the indicator dictionary."""


class UnknownUnitError(InputError):
    """A unit that is not in the unit table, or cannot convert to the indicator's unit."""


class UnknownRegionError(InputError):
    """A region label that the region dictionary does not know."""


class DuplicateRowError(InputError):
    """Two rows with the same region, indicator, year and source."""


class PlausibilityError(InputError):
    """A value that cannot be right: a share outside 0-100, a negative count, a future year."""


class ValueParseError(InputError):
    """A cell that should hold a number or a year but does not."""


class RegistryError(InputError):
    """An inconsistent target in the registry."""


class ModelError(LnAnalysisError):
    """A trend model cannot be fitted to the series it was given."""


class InsufficientDataError(ModelError):
    """Too few observations for the requested model or assessment."""


class WorkbookError(InputError):
    """A file that cannot be opened as a workbook: empty, truncated, corrupt or not one."""


class PasswordError(WorkbookError):
    """An encrypted workbook whose password is not the one given (or Excel's default)."""


class LayoutError(InputError):
    """A table whose layout cannot be inferred with confidence, or that does not match its map."""
