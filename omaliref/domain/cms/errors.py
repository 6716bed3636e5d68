"""What a CMS parser refuses: a whole file that does not match its layout, or one value of a row that does."""

from __future__ import annotations

from omaliref.domain.errors import OmalirefError


class FileFormatError(OmalirefError):
    """A CMS file that does not match its layout: which file, which line, what was expected."""

    def __init__(self, file: str, line: int, expected: str) -> None:
        self.file, self.line, self.expected = file, line, expected
        super().__init__(f"{file}, line {line}: expected {expected}.")  # a whole sentence, never a bare fragment


class QuarterUnknown(FileFormatError):
    """Nothing in the file says which quarter it is for: the import must be told (--quarter)."""

    def __init__(self, file: str) -> None:
        super().__init__(
            file,
            0,
            "a quarter: nothing in the file says which quarter it is for — give it, e.g. "
            "--quarter 2027Q1 (or the Quarter field of the import dialog)",
        )


class CellError(ValueError):
    """One value of a row that fits the layout cannot be used; the row is skipped and reported."""
