"""omaliref needs no network: every CLI command and the GUI smoke test run with socket creation failing."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from omaliref.cli import main

COMMANDS = [
    ["search", "xolair", "--json"],
    ["search", "omalizumb"],
    ["show", "J2357", "--json"],
    ["show", "50242021501"],
    ["show", "jw"],
    ["show", "mue"],
    ["units", "J2357", "--dose", "375mg", "--json"],
    ["units", "J0490", "--dose", "735mg", "--package", "49401-0102-01", "--package", "49401-0101-01x3"],
    ["check", "J2357", "--dose", "150mg", "--units", "150", "--json"],
    ["dose", "omalizumab", "--indication", "asthma", "--ige", "150", "--weight", "95", "--age", "40"],
    ["checklist", "J2357", "--payer", "commercial", "--dose", "225mg", "--package", "50242-0040-62x2", "--json"],
]


@pytest.fixture
def no_sockets(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is not allowed in omaliref")

    for name in ("socket", "create_connection", "getaddrinfo", "socketpair"):
        monkeypatch.setattr(socket, name, refuse)
    return attempts


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_cli_commands_open_no_socket(argv, no_sockets, capsys):
    assert main(argv) == 0
    assert no_sockets == []


def test_gui_smoke_test_opens_no_socket(tmp_path):
    script = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    sys.stderr.write('SOCKET ATTEMPT\\n'); raise OSError('no network')\n"
        "for n in ('socket', 'create_connection', 'getaddrinfo', 'socketpair'): setattr(socket, n, refuse)\n"
        "from omaliref.cli import main\n"
        "raise SystemExit(main(['--smoke-test']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "OMALIREF_STATE_DIR": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr
    assert "SOCKET ATTEMPT" not in out.stderr
