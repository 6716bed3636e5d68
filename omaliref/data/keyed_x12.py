"""Drug lines from an 837P or 837I file, read with pyx12 (the X12 maps of 005010X222A1 and X223A2), streamed.

Only the service lines are read: SV1 (837P) or SV2 (837I) with their DTP*472 date and Loop 2410 LIN/CTP. The
subscriber and patient loops (names, member ids, birth dates, addresses) and the free-text notes are passed over
and never reach an AuditLine; pyx12's own log lines, which may quote a segment, are dropped.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from omaliref.data.keyed_lines import LinesInput
from omaliref.domain.audit import AuditLine
from omaliref.domain.errors import InputError

if TYPE_CHECKING:
    from omaliref.domain.vocab import Setting

# GS08 (the implementation guide) -> the claim's kind and the setting its MUE table follows.
GUIDES: dict[str, tuple[str, Setting]] = {
    "005010X222A1": ("837P", "office"),
    "005010X223A2": ("837I", "hospital-outpatient"),
    "005010X223A1": ("837I", "hospital-outpatient"),
}


class _Rejoined(io.TextIOBase):
    """The stream with the line already read to recognise X12 put back in front (pyx12 reads by size)."""

    def __init__(self, head: str, rest: TextIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            out, self._head = self._head + self._rest.read(), ""
            return out
        out, self._head = self._head[:size], self._head[size:]
        return out + (self._rest.read(size - len(out)) if len(out) < size else "")


def read_x12(first: str, stream: TextIO, name: str) -> LinesInput:
    """An 837 as AuditLines: one per Loop 2400 service line, grouped by claim (the CLM's order in the file)."""
    try:
        import pyx12.error_handler
        import pyx12.params
        import pyx12.x12context
    except ImportError:  # pragma: no cover - a runtime dependency; said plainly if an install lacks it
        raise InputError(
            f"{name[:200]} is an 837 file, and reading 837 files needs pyx12 (pip install pyx12)."
        ) from None
    quiet = logging.getLogger("pyx12")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False  # pyx12's messages can quote segments: never on the console or in a log
    try:
        reader = pyx12.x12context.X12ContextReader(
            pyx12.params.params(), pyx12.error_handler.errh_null(), _Rejoined(first.lstrip("\ufeff"), stream)
        )
    except OSError:  # pyx12's own files (its X12 maps) missing: an install problem, said as such by the CLI
        raise
    except Exception as exc:  # pyx12 on a malformed header raises its own errors, and IndexError, ValueError …
        raise InputError(f"{name[:200]} is not a readable X12 file ({exc.__class__.__name__}).") from None
    found = LinesInput("837", iter(()))
    found.lines = _service_lines(reader, found, name)
    return found


def _service_lines(reader: Any, found: LinesInput, name: str) -> Iterator[AuditLine]:
    claim, claim_date, setting, ended = 0, "", "office", False
    nodes = reader.iter_segments("2400")
    while True:
        line = None
        try:
            node = next(nodes, None)
            if node is None:
                break
            kind = node.id
            if kind == "GS":
                guide = GUIDES.get(node.get_value("GS08") or "")
                if guide is None:
                    raise InputError(
                        f"{name[:200]} is not an 837P or 837I (implementation guide "
                        f"{(node.get_value('GS08') or '?')[:20]}): audit reads 837 claims."
                    )
                found.kind, setting = guide
            elif kind == "CLM":
                claim, claim_date = claim + 1, ""
            elif kind == "DTP" and node.get_value("DTP01") in ("472", "434"):  # claim-level service or statement dates
                claim_date = _first_day(node.get_value("DTP03"))
            elif kind == "2400":
                line = _line(node, claim, claim_date, setting)
            elif kind == "IEA":
                ended = True
        except (InputError, OSError):
            raise
        except Exception as exc:  # pyx12 on a malformed file raises its own errors, and IndexError, KeyError …
            raise InputError(
                f"{name[:200]} cannot be read as X12 past claim {claim}: {exc.__class__.__name__}."
            ) from None
        if line is not None:
            yield line
    if not ended:  # a cut-off transfer would otherwise look like a short, clean file
        raise InputError(f"{name[:200]} ends before its IEA trailer (after claim {claim}): the file is incomplete.")


def _line(node: Any, claim: int, claim_date: str, setting: str) -> AuditLine:
    """One Loop 2400: SV1 (837P) or SV2 (837I), its DTP*472 and its 2410 LIN/CTP."""
    professional = node.get_value("SV101-1") is not None
    procedure = "SV101" if professional else "SV202"
    units = node.get_value("SV104") if professional else node.get_value("SV205")
    modifiers = tuple(m for i in range(3, 7) if (m := node.get_value(f"{procedure}-{i}")))
    date = _first_day(node.get_value("DTP[472]03")) or claim_date
    return AuditLine(
        ref=f"claim {claim} line {node.get_value('LX01') or '?'}",
        code=node.get_value(f"{procedure}-2") or "",
        modifiers=modifiers,
        units=units or "",
        ndc=node.get_value("2410/LIN03") or "",
        ndc_qualifier=node.get_value("2410/LIN02") or "",
        ndc_unit=node.get_value("2410/CTP05-1") or "",
        ndc_quantity=node.get_value("2410/CTP04") or "",
        date=date,
        setting=setting,
        claim=str(claim),
    )


def _first_day(value: str | None) -> str:
    """D8 '20261201' or RD8 '20261201-20261203' -> '20261201'."""
    return (value or "").split("-")[0].strip()
