"""The window's start: built in one step over an open Library, or, with an invalid pack, a dialog and no window."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from omaliref import app
from omaliref.data.pack import load_catalog
from omaliref.ui.main_window import MainWindow
from tests.fixtures.pack import pack_copy


def test_an_invalid_pack_is_an_error_dialog_before_any_window(qtbot, isolated_state, tmp_path, monkeypatch):
    root = pack_copy(tmp_path, "rules.toml", 'id = "jz-required"', 'id = "jz-mandatory"')
    monkeypatch.setattr("omaliref.data.pack_cache.shipped_catalog", lambda: load_catalog(root))
    built: list[MainWindow] = []
    real_init = MainWindow.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(MainWindow, "__init__", counted)
    said: list[str] = []

    def shown(box: QMessageBox) -> int:
        said.append(box.text())
        assert not built  # the dialog comes before any window
        return QMessageBox.StandardButton.Ok.value

    monkeypatch.setattr(QMessageBox, "exec", shown)
    assert app.run(state_dir=str(isolated_state)) == 3
    assert len(said) == 1 and "rules.toml" in said[0] and "cannot start" in said[0]
    assert not built  # and no window after it


def test_the_window_answers_as_soon_as_it_is_built(qtbot, isolated_state):
    """One construction: no shell, no placeholders; the first keystrokes are answered from the compiled pack."""
    window = app.build_window(str(isolated_state))
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.search_edit, "xolair")
    assert window.reference.current_id == "J2357"
    qtbot.keyClicks(window.calculator.dose_edit, "375mg")
    result = window.calculator.result
    assert result is not None and result.administered_units == 75
    assert window.export_action.isEnabled() and window.import_action.isEnabled()


def test_the_state_folders_are_resolved_once_and_passed_down(qtbot, isolated_state, monkeypatch):
    from omaliref.data.state import StateDirs

    dirs = StateDirs.resolve(str(isolated_state))
    monkeypatch.delenv("OMALIREF_STATE_DIR")
    window = app.build_window(dirs=dirs)
    qtbot.addWidget(window)
    assert window.store.dirs == dirs and window.library.database.parent == dirs.data
    assert window.library.config_dir == dirs.config
