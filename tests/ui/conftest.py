from __future__ import annotations

import pytest

from omaliref.app import build_window
from tests.conftest import TODAY


@pytest.fixture
def make_window(qtbot, isolated_state):
    """Factory: a real main window on isolated state, registered with qtbot and shown."""

    def make():
        window = build_window(str(isolated_state), today=TODAY)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()
