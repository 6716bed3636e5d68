"""Shared test set-up: offscreen Qt and user state isolated under tmp_path for every test."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from omaliref.data.pack_cache import shipped_catalog
from omaliref.domain.model import Catalog

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("OMALIREF_STATE_DIR", str(state))
    site = tmp_path / "empty-site-folder"  # an empty site folder: the machine's own site folders never reach a test
    site.mkdir()
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(site))
    return state


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return shipped_catalog()
