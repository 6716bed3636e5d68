"""Guard against a Qt binding that loses references to None/True/False (PySide6 6.12.0 does, found by the soak
test): on Python 3.11 those objects are not immortal, so every lost reference brings an abort closer."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    bare = Signal()
    with_object = Signal(object)


def _drift(fn, n=500):
    fn()
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(n):
        fn()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    return [a - b for a, b in zip(after, before, strict=False)]


def test_signal_emit_and_setters_keep_reference_counts(qtbot):
    emitter = _Emitter()
    emitter.bare.connect(lambda: None)
    emitter.with_object.connect(lambda value: None)
    label = QLabel()
    qtbot.addWidget(label)
    for name, fn in (
        ("emit()", emitter.bare.emit),
        ("emit(obj)", lambda: emitter.with_object.emit(1)),
        ("setText", lambda: label.setText("x")),
        ("hide", label.hide),
    ):
        drift = _drift(fn)
        # immortal objects (Python 3.12+) report huge, fixed counts; any steady loss shows as a negative drift
        assert min(drift) > -50, f"{name} loses references to None/True/False: {drift} over 500 calls"
