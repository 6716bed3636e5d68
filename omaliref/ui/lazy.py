"""The window's on-demand modules, in one declared table (napari's lazy_loader, typed): each loads on first use.

The dialogs, printing, the CMS import dialog and the screenshots are not needed for the first answer; every Qt class
they touch costs its enums on import (~0.1 ms each, #17). Instead of an import inside each method that opens one,
the window reaches them through this module: `lazy.dialogs.PreferencesDialog` imports `omaliref.ui.dialogs` then.
Type checkers see the real modules.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

ON_DEMAND = {  # attribute -> module: what loads only when the coder asks for it
    "dialogs": "omaliref.ui.dialogs",
    "cms_import_dialog": "omaliref.ui.cms_import_dialog",
    "check_lines": "omaliref.ui.check_lines",
    "audit": "omaliref.ui.audit",
    "screenshots": "omaliref.ui.screenshots",
    "as_html": "omaliref.report.as_html",
    "printing": "PySide6.QtPrintSupport",
}

if TYPE_CHECKING:
    from PySide6 import QtPrintSupport as printing

    from omaliref.report import as_html
    from omaliref.ui import audit, check_lines, cms_import_dialog, dialogs, screenshots

    __all__ = ["as_html", "audit", "check_lines", "cms_import_dialog", "dialogs", "printing", "screenshots"]


def __getattr__(name: str) -> Any:
    target = ON_DEMAND.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module: ModuleType = importlib.import_module(target)
    globals()[name] = module  # the next use is a plain attribute
    return module
