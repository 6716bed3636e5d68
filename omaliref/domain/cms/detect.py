"""Recognizing a CMS file by its content (the name is only a hint): the ASP payment-limit preamble and header, the
crosswalk's title and `_YYYY_CODE` header, the MUE notice and header, the HCPCS record layout."""

from __future__ import annotations

import re

from omaliref.domain.cms.hcpcs import RECORD
from omaliref.domain.vocab import CmsKind


def kind_of_text(text: str) -> CmsKind | None:
    """Which CMS file this text is, from its first lines; None when it is none of them."""
    head = text[:20_000]
    lowered = head.lower()
    if "awp" in lowered[:400] and "crosswalk" in lowered[:400]:
        return None  # the AWP crosswalk CMS ships beside the ASP one: not what the calculator uses
    if "payment allowance limits for medicare part b drugs" in lowered or re.search(
        r"(?im)^\W*hcpcs code\W*,.*payment limit", head
    ):
        return "asp"
    if re.search(r"(?i)ndc\s*-\s*hcpcs\s+crosswalk", head[:2000]) or re.search(r"(?im)^\W*_[0-9]{4}_code\W*,", head):
        return "crosswalk"
    if "mue values" in lowered and "hcpcs/" in lowered:
        return "mue"
    records = [line for line in head.splitlines() if RECORD.match(line) and len(line.rstrip()) >= 90]
    if len(records) >= 3:
        return "hcpcs"
    return None
