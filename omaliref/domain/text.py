"""Text from outside (imported CMS files) as one printable line: no control or bidi characters reach a terminal,
a copied claim or a report (red team 2026-12 #8)."""

from __future__ import annotations

import re

# C0 and C1 controls (TAB, CR, LF and ESC among them), the bidi marks, embeddings, overrides and isolates, and the
# line and paragraph separators: each run becomes one space, so one value stays one line and reads as written
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]+")


def one_line(text: str) -> str:
    """`text` with every run of control, bidi or line-separator characters replaced by one space."""
    return UNSAFE.sub(" ", text) if UNSAFE.search(text) else text
