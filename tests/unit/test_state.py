"""User state survives first runs, damage, locked folders and racing saves, and never stores anything else."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from omaliref.data.state import Preferences, StateDirs, StateStore, from_json


def store(root: Path) -> StateStore:
    return StateStore(StateDirs.resolve(root))


def test_first_run_without_files(tmp_path):
    s = store(tmp_path / "fresh")
    assert s.load() == Preferences() and not s.notices


def test_env_var_and_override_relocate_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("OMALIREF_STATE_DIR", str(tmp_path / "env"))
    assert StateDirs.resolve().config == tmp_path / "env" / "config"
    assert StateDirs.resolve(tmp_path / "flag").logs == tmp_path / "flag" / "logs"


def test_round_trip(tmp_path):
    s = store(tmp_path)
    prefs = Preferences(
        payer="commercial",
        setting="hospital-outpatient",
        modifier_340b="TB",
        window_geometry="AdnQywADAAA=",
        checklist_ticks=("prior-auth",),
    )
    assert s.save(prefs)
    assert store(tmp_path).load() == prefs


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"schema": 1, "preferences": {"payer": "x"}}',
        "",
        '{"schema": 1, "preferences": {"patient_name": "Doe"}}',
        "[1, 2]",
        '{"schema": 1, "preferences": {}, "checklist_ticks": ["Free text!"]}',
    ],
)
def test_damaged_file_is_kept_aside_and_defaults_used(tmp_path, content):
    s = store(tmp_path)
    s.path.parent.mkdir(parents=True)
    s.path.write_text(content)
    assert s.load() == Preferences()
    assert len(s.notices) == 1 and "kept aside" in s.notices[0]
    aside = list(s.path.parent.glob("state.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == content


def test_newer_schema_is_kept_aside(tmp_path):
    s = store(tmp_path)
    s.path.parent.mkdir(parents=True)
    s.path.write_text(json.dumps({"schema": 99, "preferences": {}}))
    assert s.load() == Preferences() and "newer" in s.notices[0]
    assert list(s.path.parent.glob("state.json.v99-*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unreadable_directory(tmp_path):
    s = store(tmp_path)
    s.save(Preferences(payer="medicaid"))
    s.dirs.config.chmod(0)
    try:
        fresh = store(tmp_path)
        assert fresh.load() == Preferences() and fresh.notices
        assert not fresh.save(Preferences(payer="commercial"))
    finally:
        s.dirs.config.chmod(0o755)
    assert store(tmp_path).load().payer == "medicaid"


def test_failed_write_keeps_last_good_file(tmp_path, monkeypatch):
    s = store(tmp_path)
    s.save(Preferences(payer="medicaid"))

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    assert not s.save(Preferences(payer="commercial"))
    assert "No space left" in s.notices[-1]
    monkeypatch.undo()
    assert store(tmp_path).load().payer == "medicaid"
    assert not list(s.dirs.config.glob(".state-*.tmp"))


def test_racing_saves_leave_one_valid_file(tmp_path):
    payers = ["medicare", "medicaid", "commercial"] * 20
    threads = [threading.Thread(target=store(tmp_path).save, args=(Preferences(payer=p),)) for p in payers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loaded = store(tmp_path)
    assert loaded.load().payer in payers and not loaded.notices
    assert not list(loaded.dirs.config.glob(".state-*.tmp"))


def test_only_whitelisted_values_can_be_saved(tmp_path):
    with pytest.raises(ValueError):
        Preferences().with_changes(payer="Jane Doe")
    with pytest.raises(ValueError):
        Preferences().with_changes(checklist_ticks=("MRN 123456",))
    with pytest.raises(ValueError):
        from_json({"schema": 1, "preferences": {"dob": "1970-01-01"}})
    s = store(tmp_path)
    s.save(Preferences(payer="commercial", checklist_ticks=("prior-auth",)))
    data = json.loads(s.path.read_text())
    assert set(data) == {"schema", "preferences", "checklist_ticks"}
    assert set(data["preferences"]) == {
        "payer",
        "setting",
        "modifier_340b",
        "payer_profile",
        "window_geometry",
        "pane_state",
    }


def test_locked_directory_simulated(tmp_path, monkeypatch):
    """Root ignores permissions, so the IT-locked folder is simulated at the OS-call level."""
    s = store(tmp_path)
    s.save(Preferences(payer="medicaid"))

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_text", denied)
    monkeypatch.setattr("tempfile.mkstemp", denied)
    locked = store(tmp_path)
    assert locked.load() == Preferences() and "could not be read" in locked.notices[0]
    assert not locked.save(Preferences(payer="commercial")) and "Permission denied" in locked.notices[1]
    monkeypatch.undo()
    assert store(tmp_path).load().payer == "medicaid"


def test_truncated_json_is_kept_aside(tmp_path):
    s = store(tmp_path)
    s.save(Preferences(payer="medicaid", checklist_ticks=("prior-auth",)))
    full = s.path.read_text()
    s.path.write_text(full[: len(full) // 2])
    fresh = store(tmp_path)
    assert fresh.load() == Preferences() and len(fresh.notices) == 1
    assert [p.read_text() for p in s.path.parent.glob("state.json.corrupt-*")] == [full[: len(full) // 2]]


def test_enospc_while_writing_the_temp_file(tmp_path, monkeypatch):
    s = store(tmp_path)
    s.save(Preferences(payer="medicaid"))
    real_fsync = os.fsync

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    assert not s.save(Preferences(payer="commercial"))
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert store(tmp_path).load().payer == "medicaid"
    assert not list(s.dirs.config.glob(".state-*.tmp"))


def test_killed_between_temp_write_and_replace(tmp_path):
    """A real process dies (os._exit) right before os.replace: the last good file survives and loads."""
    import subprocess
    import sys

    s = store(tmp_path)
    s.save(Preferences(payer="medicaid"))
    script = (
        "import os, sys; from pathlib import Path;"
        "from omaliref.data.state import Preferences, StateDirs, StateStore;"
        "os.replace = lambda *a: os._exit(9);"
        "StateStore(StateDirs.resolve(Path(sys.argv[1]))).save(Preferences(payer='commercial'))"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True)
    assert proc.returncode == 9
    leftovers = list(s.dirs.config.glob(".state-*.tmp"))
    assert len(leftovers) == 1  # the killed save's temp file
    after = store(tmp_path)
    assert after.load().payer == "medicaid" and not after.notices
    os.utime(leftovers[0], (0, 0))  # once it is stale, the next start cleans it up
    store(tmp_path).load()
    assert not leftovers[0].exists()
