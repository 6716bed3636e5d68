"""The Windows installer and the macOS recipe cannot run here (Linux): what can be checked on paper is checked.
The settings.toml the Inno Setup script writes for /SITEDIR is rebuilt from its Pascal and read by the app."""

from __future__ import annotations

import re
from pathlib import Path, PureWindowsPath

import pytest

from omaliref.data.site import parse_settings

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "packaging" / "windows" / "omaliref.iss"


def pascal_value(expression: str, folder: str) -> str:
    """Evaluate `'lit' + Folder + 'lit'` as Pascal does ('' is one quote inside a literal)."""
    out = []
    for token in re.findall(r"'(?:[^']|'')*'|Folder", expression):
        out.append(folder if token == "Folder" else token[1:-1].replace("''", "'"))
    return "".join(out)


def installer_settings(folder: str) -> str:
    text = ISS.read_text(encoding="utf-8")
    lines = dict(re.findall(r"Lines\[(\d)\] := (.+);", text))
    return "\r\n".join(pascal_value(lines[k], folder) for k in sorted(lines)) + "\r\n"


@pytest.mark.parametrize("folder", [r"\\fileserver\omaliref$\cms", r"D:\Données\omaliref — CMS", r"S:\cms"])
def test_the_settings_file_the_installer_writes_names_the_site_folder_as_given(folder):
    settings = parse_settings(installer_settings(folder), r"C:\ProgramData\omaliref\settings.toml")
    assert settings.problems == () and PureWindowsPath(settings.data_folder) == PureWindowsPath(folder)


def test_the_installer_is_per_machine_and_takes_the_site_folder_as_a_parameter():
    text = ISS.read_text(encoding="utf-8")
    assert "PrivilegesRequired=admin" in text and r"DefaultDirName={autopf}\omaliref" in text
    assert "{param:SITEDIR|}" in text
    assert r"{commonappdata}\omaliref\settings.toml" in text  # = platformdirs' site config folder on Windows
    assert "..\\..\\dist\\omaliref\\*" in text  # the one-folder build of packaging/omaliref.spec


def test_the_workflow_runs_the_test_command_and_builds_on_each_platform():
    workflow = (ROOT / ".github" / "workflows" / "build.yml").read_text(encoding="utf-8")
    for runner in ("ubuntu-", "windows-", "macos-"):
        assert f"runs-on: {runner}" in workflow
    assert "bash .ci/run" in workflow and workflow.count("python -m pytest -q") == 2
    assert "packaging\\omaliref.spec" in workflow and "packaging/macos/build-app.sh" in workflow
    assert "packaging\\windows\\omaliref.iss" in workflow
