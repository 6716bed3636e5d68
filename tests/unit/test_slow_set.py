"""The slow set of tests/conftest.py names tests that exist: a renamed test would otherwise drop out of it silently
and run in every fast loop, or a renamed case would."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SLOW

REPO = Path(__file__).resolve().parents[2]


def test_every_slow_entry_names_a_test_function():
    for node_id in SLOW:
        path, _, name = node_id.partition("::")
        tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
        functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert name.split("[", 1)[0] in functions, f"{node_id}: no such test in {path}"


def test_every_slow_case_is_collected_and_marked():  # slow (tests/conftest.py): collects the modules again
    files = sorted({node_id.partition("::")[0] for node_id in SLOW})
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "slow", *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    collected = {line.strip() for line in out.stdout.splitlines() if "::" in line}
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    for node_id in SLOW:
        assert any(c == node_id or c.startswith(node_id + "[") for c in collected), (node_id, out.stdout[-2000:])
