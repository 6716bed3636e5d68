"""The command line reaches the data through the Library only (issue #26 item 1), and stays light for --version."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import omaliref.cli

CLI = Path(omaliref.cli.__file__).parent
ALLOWED = {"omaliref.data.library", "omaliref.data.state"}
# --version reads the pack's header alone: importing the Library loads the pure core, which would triple its time
EXCEPTIONS = {("parser.py", "omaliref.data.resources")}


def data_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            whole = node.module == "omaliref.data"  # from omaliref.data import site
            names = [f"{node.module}.{a.name}" for a in node.names] if whole else [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n for n in names if n.startswith("omaliref.data")}
    return found


def test_the_command_line_imports_from_data_only_the_library_and_the_state_folders():
    wrong = {
        (path.name, module)
        for path in CLI.glob("*.py")
        for module in data_imports(path)
        if module not in ALLOWED
        and not module.startswith(tuple(f"{a}." for a in ALLOWED))
        and (path.name, module) not in EXCEPTIONS
    }
    assert not wrong
    for path in CLI.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert (
            ".store" not in text.replace(".database_problem", "") and "cms_store" not in text and "_catalog" not in text
        )


def test_version_imports_neither_the_library_nor_the_pure_core():
    code = "import sys; from omaliref.cli import main\ntry: main(['--version'])\nexcept SystemExit: pass\nprint(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = out.splitlines()[-1]
    for module in ("omaliref.data.library", "omaliref.domain.calculator", "omaliref.domain.search", "PySide6"):
        assert f"'{module}'" not in loaded, module
