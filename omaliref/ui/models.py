"""Qt item models over domain values. They present; they never compute billing."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from omaliref.domain.calculator import ClaimLine
from omaliref.domain.checklist import AppliedItem
from omaliref.domain.claim_forms import fl43, item_19, item_24a, keyed, missing_ndc_unit, x12_gap, x12_segments
from omaliref.domain.search import SearchHit
from omaliref.domain.vocab import DRUG_REVENUE_CODE, FORM_FOR_SETTING, Setting

Index = QModelIndex | QPersistentModelIndex
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_LABEL = {"code": "CODE", "modifier": "MODIFIER", "product": "NDC", "topic": "TOPIC"}
# Severity colours come with a text marker so they also read in greyscale and for colour-blind users.
SEVERITY_STYLE = {
    "blocker": ("BLOCKER", QColor("#8b0000"), QColor("#fde2e2")),
    "high": ("HIGH", QColor("#7a4b00"), QColor("#fff0cc")),
    "advisory": ("advisory", QColor("#2f3f4f"), QColor("#e8eef4")),
}


class ResultsModel(QAbstractListModel):
    """Search hits, best first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            alert = "  ⚠ look-alike" if hit.corrections else ""
            return f"{KIND_LABEL[hit.entry.kind]:<9} {hit.entry.title}{alert}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.entry.summary}\n\nMatched: {'; '.join(hit.reasons)}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.entry.kind} {hit.entry.title}" + (" with look-alike alert" if hit.corrections else "")
        if role == HIT_ROLE:
            return hit
        return None


# The charge and the diagnosis pointer are not known here: the header, which the copy carries too, says so.
X12_HEADER = "837 service line, Loop 2410 (CHARGE until a charge is set, diagnosis pointer 1: placeholders)"


class ClaimLinesModel(QAbstractTableModel):
    """The claim lines a coder keys, in the order they go on the claim, as the chosen form shows them."""

    VIEWS: ClassVar[dict[str, tuple[str, ...]]] = {
        "fields": ("Code", "Modifiers", "Units", "NDC (N4)", "NDC unit", "NDC qty", "Note (item 19)"),
        "cms1500": ("Code", "Modifiers", "Units", "Item 24A (shaded)", "Item 19"),
        "ub04": ("Rev. code", "HCPCS", "Modifiers", "Units", "FL43"),
        "x12": ("Code", "Modifiers", "Units", X12_HEADER),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[ClaimLine] = []
        self.stale = False
        self.view = "fields"
        self.setting: Setting = "office"
        self.gap = 1
        self.box: str = "24a"
        self.quantity_width: int | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        headers = self.VIEWS[self.view]
        headers = headers[:-1] if self._no_item_19 else headers
        return headers + ("Charge",) if self._token_charge else headers

    @property
    def _token_charge(self) -> bool:
        """A drug the practice did not buy is billed at a token charge: the fields view shows it to key."""
        return self.view == "fields" and any(line.fixed_charge is not None for line in self._lines)

    @property
    def _no_item_19(self) -> bool:
        """A hospital (UB-04) case has no item 19: its fields view leaves the note column out."""
        return self.view == "fields" and FORM_FOR_SETTING[self.setting] == "ub04"

    def set_lines(
        self,
        lines: Sequence[ClaimLine],
        setting: Setting = "office",
        gap: int = 1,
        box: str = "24a",
        quantity_width: int | None = None,
    ) -> None:
        self.beginResetModel()
        self._lines, self.setting, self.gap = list(lines), setting, gap
        self.box, self.quantity_width = box, quantity_width  # the payer's paper layout (claim_forms.cms1500_layout)
        self.stale = False
        self.endResetModel()

    def set_view(self, view: str) -> None:
        self.beginResetModel()
        self.view = view
        self.endResetModel()

    def set_stale(self, stale: bool) -> None:
        if stale != self.stale and self._lines:
            self.stale = stale
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, len(self.headers) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cells(line)[column]
        if role == Qt.ItemDataRole.FontRole and self.headers[column] in ("Code", "HCPCS", "Modifiers", "Units"):
            font = QFont()
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.35)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and self.stale:
            return QBrush(QColor("#8a8a8a"))
        if role == Qt.ItemDataRole.TextAlignmentRole and self.headers[column] == "Units":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return line.keyed_text() + (f"\n{line.note}" if line.note else "")
        return None

    def cells(self, line: ClaimLine) -> tuple[str, ...]:
        """The row as shown in the current view (what Copy claim lines copies)."""
        k = keyed(line)
        if self.view == "cms1500":
            shaded = item_24a(line, self.gap, self.box, self.quantity_width)
            absent = "(NDC in item 19)" if self.box == "19" else missing_ndc_unit(line.ndc)
            return k.code, k.modifiers, str(k.units), shaded or absent, item_19(line, self.box)
        if self.view == "ub04":
            return DRUG_REVENUE_CODE, k.code, k.modifiers, str(k.units), fl43(line) or missing_ndc_unit(line.ndc)
        if self.view == "x12":
            x12 = " ".join((*x12_segments(line, self.setting), x12_gap(line))).strip()
            return k.code, k.modifiers, str(k.units), x12
        every: tuple[str, ...] = (k.code, k.modifiers, str(k.units), k.ndc, k.ndc_unit, k.ndc_quantity, k.note)
        fields = every[:-1] if self._no_item_19 else every
        if not self._token_charge:
            return fields
        charge = f"${line.fixed_charge}" + (" (also non-covered)" if line.non_covered else "")
        return (*fields, charge if line.fixed_charge is not None else "")

    def tsv(self) -> str:
        """The table as shown: a header row, then one claim line per row, fields separated by tabs."""
        return "\n".join(["\t".join(self.headers), *("\t".join(self.cells(line)) for line in self._lines)])


class ChecklistModel(QAbstractListModel):
    """Applicable checklist items with tick boxes; ticking emits ticks_changed with the ticked ids."""

    ticks_changed = Signal(object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[AppliedItem] = []
        self._ticked: set[str] = set()

    def set_items(self, items: Sequence[AppliedItem], ticked: Collection[str]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._ticked = set(ticked)
        self.endResetModel()

    @property
    def ticked(self) -> frozenset[str]:
        return frozenset(self._ticked)

    def item(self, row: int) -> AppliedItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        applied = self._items[index.row()]
        marker, fg, bg = SEVERITY_STYLE[applied.severity]
        if role == Qt.ItemDataRole.DisplayRole:
            prefix = f"{applied.condition.upper()}: " if applied.condition else ""
            # a tick in words too: in dark and high-contrast palettes both boxes drew as near-black squares
            done = "✔ DONE — " if applied.item.id in self._ticked else ""
            return f"{done}[{marker}] {prefix}{applied.item.text}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if applied.item.id in self._ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            raised = f"\nRaised by: {applied.escalated_by}" if applied.escalated_by else ""
            return f"Why: {applied.item.why}{raised}\nSources: {', '.join(applied.item.provenance.sources)}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(fg)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(bg)
        if role == Qt.ItemDataRole.FontRole and applied.severity == "blocker":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "confirmed" if applied.item.id in self._ticked else "open"
            return f"{applied.severity} {state}: {applied.item.text}"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not 0 <= index.row() < len(self._items):
            return False
        item_id = self._items[index.row()].item.id
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        if checked:
            self._ticked.add(item_id)
        else:
            self._ticked.discard(item_id)
        self.dataChanged.emit(index, index)  # the text says DONE too, not only the box
        self.ticks_changed.emit(self.ticked)
        return True
