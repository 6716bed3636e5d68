"""Domain errors: every one carries a sentence a coder can act on."""

from __future__ import annotations


class OmalirefError(Exception):
    """Base for errors the app reports to the user instead of crashing."""


class InputError(OmalirefError, ValueError):
    """The user typed something the domain cannot accept; the message says what is accepted."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class UnknownIdError(InputError):
    """An id (code, modifier, NDC, topic) that the data pack does not hold."""


class LookalikeError(InputError):
    """The input fits a look-alike code: the message points to the right one."""

    def __init__(self, message: str, *, points_to: str, field: str = "") -> None:
        super().__init__(message, field=field)
        self.points_to = points_to


class PackError(OmalirefError):
    """The data pack is invalid; names the file, record and field so an editor can fix it."""

    def __init__(self, file: str, record: str, field: str, problem: str) -> None:
        self.file, self.record, self.field, self.problem = file, record, field, problem
        where = f"{file}: {record}" + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {problem}")


class ImportCancelled(Exception):
    """The user cancelled a CMS import; its transaction was rolled back."""
