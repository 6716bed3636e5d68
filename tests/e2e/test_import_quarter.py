"""Issue 28: one command imports a whole quarter (a folder of downloads is accepted), in one transaction, with a
progress bar on a terminal that moves with the rows."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pty
import subprocess
import sys

import pytest

from omaliref.data.cms_import import import_paths
from omaliref.data.cms_store import CmsStore
from omaliref.domain.errors import ImportCancelled
from omaliref.report.progress_bar import TerminalBar
from tests.fixtures.cms import big_anweb, quarter_zips, write_zip


def run(state, *args, stderr=subprocess.PIPE):
    env = dict(os.environ, OMALIREF_STATE_DIR=str(state), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "omaliref", *args], stdout=subprocess.PIPE, stderr=stderr, env=env, timeout=120
    )


def test_a_folder_of_downloads_imports_its_cms_files_and_leaves_the_rest(tmp_path):
    folder = tmp_path / "downloads"
    quarter_zips(folder / "2027-01")
    (folder / "README.txt").write_text("Notes on this quarter's downloads.\n")
    write_zip(folder / "2027-01" / "unrelated.zip", {"notes.txt": "nothing from CMS"})
    out = run(tmp_path / "state", "import", str(folder), "--json")
    assert out.returncode == 0, out.stderr
    assert out.stderr == b""  # not a terminal: no bar in a pipe or a log
    imported = json.loads(out.stdout)["imported"]
    assert sorted(r["kind"] for r in imported) == ["asp", "crosswalk", "hcpcs", "mue"]
    assert {r["quarter"] for r in imported} == {"2027Q1"}


def test_a_folder_without_a_cms_file_is_one_sentence(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.txt").write_text("nothing here\n")
    out = run(tmp_path / "state", "import", str(tmp_path / "empty"))
    assert out.returncode == 2
    assert len(out.stderr.decode().strip().splitlines()) == 1 and "holds no CMS file" in out.stderr.decode()


def test_the_bar_is_drawn_on_a_terminal_and_ends_wiped(tmp_path):
    zips = quarter_zips(tmp_path / "q")
    leader, follower = pty.openpty()
    try:
        out = run(tmp_path / "state", "import", *map(str, zips), "--json", stderr=follower)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: everything written has been read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert out.returncode == 0
    assert len(json.loads(out.stdout)["imported"]) == 4  # stdout stays the JSON alone
    text = drawn.decode()
    assert "\r[" in text and "100% done" in text and "storing" in text
    assert text.endswith("\r\x1b[K")  # wiped: the next line starts clean


def test_progress_moves_with_the_rows_as_they_are_stored(tmp_path):
    path = write_zip(tmp_path / "big.zip", {"HCPC2027_OCT_ANWEB.txt": big_anweb(9_000)})
    calls = []
    store = CmsStore(tmp_path / "cms.sqlite3")
    (report,) = import_paths(
        store, [path], progress=lambda d, t, n: calls.append((d, t, n)), now=dt.datetime(2027, 1, 1)
    )
    store.close()
    storing = [d for d, _, n in calls if n.startswith("storing")]
    assert report.rows > 2000 * 3 and len(storing) >= report.rows // 2000  # one step per batch of rows, not per file
    assert storing == sorted(storing) and len(set(storing)) == len(storing)
    assert calls[-1][0] == calls[-1][1] and all(d <= t for d, t, _ in calls)


def test_a_quarter_is_stored_whole_or_not_at_all(tmp_path):
    """Cancel once three files' rows are written (while the fourth is stored) rolls all of them back: one
    transaction."""
    zips = quarter_zips(tmp_path / "q")
    store = CmsStore(tmp_path / "cms.sqlite3")
    stored: list[str] = []

    def progress(done, total, label):
        if label.startswith("storing") and label not in stored:
            stored.append(label)

    with pytest.raises(ImportCancelled):
        import_paths(store, zips, progress=progress, should_cancel=lambda: len(stored) >= 3)
    assert len(stored) == 3 and store.imports() == [] and store.quarters() == []
    store.close()


def test_terminal_bar_draws_each_change_once_and_fits_the_width():
    stream = io.StringIO()
    bar = TerminalBar(stream, columns=50)
    for done in (0, 0, 10, 55, 100):
        bar(done, 100, "storing a file with a very long name that goes on and on")
    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 4  # the repeated 0 % is not redrawn
    assert all(len(f.removesuffix("\x1b[K")) <= 49 for f in frames)
    assert frames[-1].startswith("[" + "#" * 30 + "] 100%")
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")
