"""Instant search over the catalog: codes, modifiers, NDCs, names and topic words, typo-tolerant.

Built once into an inverted index; a query is a few dictionary look-ups plus a deletion-neighbourhood look-up
for typos (SymSpell-style), so latency stays flat as the pack grows to the full HCPCS set.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from omaliref.domain.model import Catalog, Correction, ndc11_candidates, normalize_code

KIND_ORDER = {"code": 0, "modifier": 1, "product": 2, "topic": 3}
# Weights: an exact id beats any name, a name beats body text; a prefix or typo scores below its exact form.
KEY, NAME, TEXT = 1000, 300, 40
PREFIX_FACTOR, TYPO_FACTOR = 0.6, 0.5
_CONFIDENCE_PENALTY = {"high": 0.0, "medium": 2.0, "low": 5.0}
MAX_QUERY = 200  # characters; longer input is cut, not rejected (pasted text)
MAX_TERMS = 8
SHORT_PREFIX = 3  # terms shorter than this expand as prefixes over ids and names only
MAX_PREFIX_TOKENS = 400
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")


@dataclass(frozen=True)
class SearchEntry:
    id: str
    kind: str
    title: str
    summary: str
    code: str  # the code this entry belongs to ('' for modifiers and general topics)
    keys: tuple[str, ...]
    names: tuple[str, ...]
    text: str
    bias: float = 0.0  # breaks ties: current, well-documented entries before historical or unverified ones


@dataclass(frozen=True)
class SearchHit:
    entry: SearchEntry
    score: float
    reasons: tuple[str, ...]
    corrections: tuple[Correction, ...]  # look-alike corrections that apply given what the coder typed

    @property
    def alerts(self) -> tuple[str, ...]:
        """The corrections as the public JSON and the CLI print them."""
        return tuple(f"Look-alike: {c.right}" for c in self.corrections)


def fold(text: str) -> str:
    """Lower-case, strip accents and compatibility forms so 'Xolair®' and 'xolair' meet."""
    if text.isascii():  # nearly every CMS descriptor: nothing to decompose (a quarter of a 10k-code index build)
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def tokens(text: str) -> list[str]:
    out = []
    for token in _TOKEN.findall(fold(text)):
        out.append(token)
        if "-" in token or "/" in token:
            out.extend(p for p in re.split(r"[-/]", token) if p)
            out.append(re.sub(r"[-/]", "", token))
    return out


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


def _osa(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, giving up (limit + 1) once it cannot stay within limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def entries_from_catalog(catalog: Catalog) -> list[SearchEntry]:
    entries: list[SearchEntry] = []
    keys: tuple[str, ...]
    for code in catalog.codes.values():
        keys = (code.code.lower(),)
        names = (code.drug, *code.brands)
        text = " ".join((code.descriptor, code.summary, *code.notes, *code.lookalikes, code.status))
        bias = (-100.0 if code.effective_to else 0.0) - _CONFIDENCE_PENALTY[code.provenance.confidence]
        entries.append(
            SearchEntry(
                code.code, "code", f"{code.code} — {code.descriptor}", code.summary, code.code, keys, names, text, bias
            )
        )
    for mod in catalog.modifiers.values():
        keys = (mod.code.lower(), *(a.lower() for a in mod.aliases))
        text = " ".join(
            (mod.descriptor, mod.short_descriptor, mod.meaning, mod.required_note, mod.status_note, *mod.common_errors)
        )
        entries.append(
            SearchEntry(
                mod.code, "modifier", f"Modifier {mod.code} — {mod.descriptor}", mod.meaning, "", keys, (), text
            )
        )
    for product in catalog.products.values():
        code = catalog.codes[product.code]
        digits = product.ndc11
        listed = "".join(ch for ch in product.listed_ndc if ch.isdigit())
        keys = tuple(dict.fromkeys((digits, listed)))
        names = (product.brand, code.drug)
        text = " ".join(
            (product.presentation, product.form, product.marketing_status, product.status_note, *product.notes)
        )
        amount = product.container_amount
        title = f"{product.ndc} — {product.brand} {amount} ({product.code})"
        summary = (
            f"{product.presentation}; {int(amount.to(code.billing_unit.unit).amount / code.billing_unit.amount)}"
            f" {product.code} units per container"
        )
        bias = -20.0 - (0.0 if product.auto_select else 10.0) - _CONFIDENCE_PENALTY[product.provenance.confidence]
        entries.append(SearchEntry(product.ndc, "product", title, summary, product.code, keys, names, text, bias))
    for topic in catalog.topics.values():
        names = (topic.title, *topic.keywords)
        entries.append(
            SearchEntry(
                topic.id,
                "topic",
                topic.title,
                topic.body.split("\n")[0][:160],
                topic.code,
                (topic.id,),
                names,
                topic.body,
            )
        )
    return entries


class SearchIndex:
    """An inverted index over search entries; build once, query many times."""

    def __init__(self, entries: Sequence[SearchEntry], corrections: Sequence[Correction] = ()) -> None:
        self.entries = list(entries)
        self.corrections = tuple(corrections)
        # token -> {entry index: best weight}
        self._postings: dict[str, dict[int, int]] = defaultdict(dict)
        for index, entry in enumerate(self.entries):
            for weight, texts in ((KEY, entry.keys), (NAME, entry.names), (TEXT, (entry.text,))):
                for text in texts:
                    toks = [text] if weight == KEY else tokens(text)
                    for token in toks:
                        if weight == TEXT and len(token) < 2:
                            continue  # '5' or 'a' in body text matches half the pack and tells nothing
                        posting = self._postings[token]
                        if posting.get(index, 0) < weight:
                            posting[index] = weight
        self._vocab = sorted(self._postings)
        # one- and two-letter prefixes expand over ids and names only: over body text they match most of a
        # large pack and cost more than they tell
        self._name_vocab = sorted(t for t, p in self._postings.items() if max(p.values()) >= NAME)
        # typo look-up only over keys and names: body text typos are not worth the noise
        self._deletes: dict[str, set[str]] = defaultdict(set)
        for token, posting in self._postings.items():
            if len(token) >= 4 and max(posting.values()) >= NAME and not token.isdigit():
                for variant in _deletes(token):
                    self._deletes[variant].add(token)
        self._digit_keys: dict[str, list[int]] = defaultdict(list)  # '2357' -> entries keyed 'j2357'
        for index, entry in enumerate(self.entries):
            if entry.kind == "code":
                self._digit_keys[entry.keys[0][1:]].append(index)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> SearchIndex:
        return cls(entries_from_catalog(catalog), catalog.corrections)

    def _term_matches(self, term: str) -> dict[int, tuple[float, str]]:
        """entry index -> (score, reason) for one query term."""
        found: dict[int, tuple[float, str]] = {}

        def offer(index: int, score: float, reason: str) -> None:
            if index not in found or found[index][0] < score:
                found[index] = (score, reason)

        for index, weight in self._postings.get(term, {}).items():
            offer(index, weight, _reason(weight, term, exact=True))
        code_like = normalize_code(term).lower()
        if code_like != term:
            for index, weight in self._postings.get(code_like, {}).items():
                offer(index, weight, _reason(weight, code_like, exact=True))
        if term.isdigit():
            for index in self._digit_keys.get(term, ()):
                offer(index, KEY * 0.9, f"code number {term}")
            for candidate in ndc11_candidates(term):
                if candidate != term:  # a 10-digit NDC typed without dashes: its 11-digit forms
                    for index, weight in self._postings.get(candidate, {}).items():
                        offer(index, weight, f"NDC {candidate}" if weight == KEY else f"text has '{candidate}'")
        # prefixes as you type
        vocab = self._vocab if len(term) >= SHORT_PREFIX else self._name_vocab
        start = bisect.bisect_left(vocab, term)
        for token in vocab[start : start + MAX_PREFIX_TOKENS]:
            if not token.startswith(term):
                break
            if token == term:
                continue
            for index, weight in self._postings[token].items():
                if len(term) < SHORT_PREFIX and weight < NAME:
                    continue
                offer(index, weight * PREFIX_FACTOR, _reason(weight, token, exact=False))
        if len(term) >= 4 and not term.isdigit():
            limit = 1 if len(term) < 8 else 2
            candidates: set[str] = set()
            for variant in _deletes(term):
                candidates |= self._deletes.get(variant, set())
            for token in candidates:
                if token == term or token.startswith(term):
                    continue
                if _osa(term, token, limit) <= limit:
                    for index, weight in self._postings[token].items():
                        offer(index, weight * TYPO_FACTOR, f"close to '{token}'")
        return found

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        terms = _query_terms(query)
        if not terms:
            return []
        per_term = [self._term_matches(t) for t in terms]
        scores: dict[int, float] = defaultdict(float)
        reasons: dict[int, list[str]] = defaultdict(list)
        matched: dict[int, int] = defaultdict(int)
        for matches in per_term:
            for index, (score, reason) in matches.items():
                if index not in scores:
                    scores[index] = self.entries[index].bias
                scores[index] += score
                reasons[index].append(reason)
                matched[index] += 1
        full = [i for i in scores if matched[i] == len(terms)]
        # all terms must match; when none does, fall back to the entries that match most terms
        pool = full or [i for i in scores if matched[i] == max(matched.values(), default=0)]
        ranked = heapq.nsmallest(
            max(limit, 0), pool, key=lambda i: (-scores[i], KIND_ORDER[self.entries[i].kind], self.entries[i].id)
        )
        hits = []
        folded_query = fold(query[:MAX_QUERY])
        for index in ranked[: max(limit, 0)]:
            entry = self.entries[index]
            hits.append(
                SearchHit(
                    entry,
                    scores[index],
                    tuple(dict.fromkeys(reasons[index])),
                    tuple(self.corrections_for(entry.code, folded_query, terms)),
                )
            )
        return hits

    def corrections_for(self, code: str, folded_query: str, terms: Iterable[str]) -> list[Correction]:
        """Look-alike corrections that apply to a code given what the coder typed."""
        if not code:
            return []
        term_set = set(terms)
        out = []
        for correction in self.corrections:
            if code not in correction.codes:
                continue
            if correction.always_show or any(t in folded_query or t in term_set for t in correction.terms):
                out.append(correction)
        return out


def _reason(weight: int, token: str, *, exact: bool) -> str:
    field = {KEY: "id", NAME: "name", TEXT: "text"}[weight]
    return (
        f"{field} {'=' if exact else 'starts'} '{token}'"
        if field != "text"
        else (f"text has '{token}'" if exact else f"text word '{token}'")
    )


def _query_terms(query: str) -> list[str]:
    query = query[:MAX_QUERY]
    out = []
    for raw in fold(query).split():
        compact = re.sub(r"[^a-z0-9]", "", raw)
        if not compact:
            continue
        # an NDC or code typed with dashes stays one term: 50242-0215-01, j-2357
        if re.fullmatch(r"[\d-]+", raw) and len(compact) >= 10:
            out.append(compact)
            continue
        if re.fullmatch(r"[a-z]-?\d{4}", raw):
            out.append(compact)
            continue
        out.extend(t for t in re.split(r"[^a-z0-9]+", raw) if t)
    return list(dict.fromkeys(out))[:MAX_TERMS]
