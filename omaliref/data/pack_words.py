"""The pack's own closed words (source kinds, checklist condition words) and what each closed word of the schema
means: the editors' guide lists the meanings next to the words, which come from domain/vocab.py."""

from __future__ import annotations

from collections.abc import Mapping

from omaliref.domain.checklist import ESCALATIONS
from omaliref.domain.vocab import INDICATIONS, PAYER_KINDS, SETTINGS, SUPPLIERS

# Who published a source. A copy hosted by someone else keeps its publisher's kind and says so in its title
# ("copy hosted by …"); the kind is never the host's.
SOURCE_KINDS = (
    "cms",
    "mac",
    "fda",
    "manufacturer",
    "medicaid-agency",
    "payer",
    "compendium",
    "trade-press",
    "professional-society",
    "standards-body",
    "third-party",
)


# The closed words a checklist condition may use (checked at load, so a typo never silently hides an item).
CONDITION_WORDS: dict[str, tuple[str, ...]] = {
    "payers": PAYER_KINDS,
    "supplied_by": SUPPLIERS,
    "settings": SETTINGS,
    "indications": INDICATIONS,
    "escalate_on": tuple(ESCALATIONS),
}


# What each closed word of the pack means, for the guide; the words themselves are vocab's (checked below).
CATEGORY_MEANINGS = {
    "drug": "a drug with a fixed billing unit: the calculator works with it",
    "device": "a device or supply, e.g. a stent: not calculated",
    "fallback": "an unclassified drug or biologic code, e.g. J3490: the payer's instruction gives the unit",
}
STATUS_MEANINGS = {
    "active": "in use",
    "ended": "ended on effective_to",
    "replaced": "ended on effective_to, and replaced_by names the codes to bill instead",
}
FORM_MEANINGS = {
    "vial": "a vial",
    "prefilled-syringe": "a prefilled syringe",
    "autoinjector": "an autoinjector pen",
    "implant": "an implant, placed whole",
    "unmapped": "what the package code stands for is not established: a carton, an inner NDC, an institutional pack",
}
MARKETING_MEANINGS = {
    "listed": "listed by the FDA, in openFDA or DailyMed",
    "not verified": "whether it is still marketed is not verified, and status_note says why",
}


def meanings_of(meanings: Mapping[str, str], words: tuple[str, ...], *left_out: str) -> Mapping[str, str]:
    """The meanings of a vocabulary's words in its own order; the words the pack may not use are left out."""
    expected = [w for w in words if w not in left_out]
    assert set(meanings) == set(expected), f"give the meaning of exactly {expected}"
    return {w: meanings[w] for w in expected}


# How a payer profile writes one rule field (the guide says it with [[payer]]).
RULE_DOC = (
    ' A rule field is { value = …, source = "<id>", quote = "…" (or locator = "…"), checked = YYYY-MM-DD } '
    "(the payer's rule), { value = …, default = true, why = \"…\" } (the app's choice), or an array of such tables "
    "bounded by effective_from / effective_to (dates) and form (cms1500 or ub04); an organization's file may also "
    "give a bare value. Left out: the app's default."
)
