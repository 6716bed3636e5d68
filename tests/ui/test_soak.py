"""Soak: 10,000 seeded random keystrokes into the search and calculator fields — no exception, no growth."""

from __future__ import annotations

import gc
import random
import tracemalloc

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

ALPHABET = "J2357 omalizumb xolair 0123456789 mg mcg units x-.,;" + "jwzgtb" + "ü٣"
SPECIAL = [
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Down,
    Qt.Key.Key_Up,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Return,
]


def random_typing(window, qtbot, rng):
    """A function that sends n random keystrokes (and pasted non-ASCII characters) to the three typed fields."""
    fields = [window.search_edit, window.calculator.dose_edit, window.calculator.containers_edit]

    def burst(n: int) -> None:
        for _ in range(n):
            field = rng.choice(fields)
            if rng.random() < 0.15:
                key = rng.choice(SPECIAL)
                if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Return) and field is not window.search_edit:
                    key = Qt.Key.Key_Backspace
                qtbot.keyClick(field, key)
            else:
                ch = rng.choice(ALPHABET)
                if ch.isascii():
                    qtbot.keyClick(field, ch)
                else:  # QTest types ASCII only; other characters arrive as pasted text
                    field.insert(ch)
            if len(field.text()) > 40:
                field.clear()

    return burst


def test_random_typing_soak(window, qtbot):  # slow (tests/conftest.py)
    burst = random_typing(window, qtbot, random.Random(20261127))
    widgets_before = len(QApplication.allWidgets())
    burst(2_000)  # warm-up: caches and lazily created objects settle
    gc.collect()
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    burst(8_000)
    gc.collect()
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(QApplication.allWidgets()) <= widgets_before + 5  # dialogs closed, no widget leak
    assert end - start < 2_000_000, f"Python heap grew by {(end - start) / 1e6:.1f} MB over 8,000 keystrokes"


def test_random_typing_briefly(window, qtbot):
    """The soak's first 200 keystrokes, for the fast set: no exception and no widget left behind (the heap is
    measured by the soak, after its warm-up)."""
    burst = random_typing(window, qtbot, random.Random(20261127))
    widgets_before = len(QApplication.allWidgets())
    burst(200)
    assert len(QApplication.allWidgets()) <= widgets_before + 5
