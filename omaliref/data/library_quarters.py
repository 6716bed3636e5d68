"""The Library's answers about the imported CMS quarters: quarters, changes, review, the keyed-line audit and the
import itself. A part of `Library` (its mixin), kept in its own module so each stays readable; nothing outside
`omaliref.data.library` uses it directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from omaliref.domain.errors import InputError

if TYPE_CHECKING:
    from omaliref.data.cms_store import CmsStore
    from omaliref.domain.audit import AuditLine, LineAudit
    from omaliref.domain.cms_facts import QuarterFacts
    from omaliref.domain.model import Catalog
    from omaliref.domain.pack_review import ReviewItem
    from omaliref.domain.payer import PayerProfile
    from omaliref.domain.quarter import Quarter
    from omaliref.domain.records import ImportRecord, ImportReport
    from omaliref.domain.vocab import Setting

Progress = Callable[[int, int, str], None]  # (done, total, what)


class ImportedQuarters:
    """What the imported quarters say; the Library holds the store and the curated catalog."""

    catalog: Catalog
    store: CmsStore | None
    database: Path

    if TYPE_CHECKING:  # given by Library

        def profile_for(self, payer: str = "", profile_id: str = "") -> PayerProfile: ...

        def _open_reader(self, *, check_values: bool = True) -> CmsStore | None: ...

        def reopen(self) -> None: ...

        def catalog_for(self, code_text: str, day: dt.date) -> Catalog: ...

        def profile(self, ident: str) -> PayerProfile: ...

    # -- keyed lines (omaliref audit) ----------------------------------------------------------------------

    def facts_for(self, code: str, day: dt.date, setting: Setting) -> QuarterFacts | None:
        """The imported quarter's payment limit and MUE of the setting's table for a code (None: nothing imported)."""
        if self.store is None:
            return None
        from omaliref.data.cms_catalog import quarter_facts

        return quarter_facts(self.store, code, day, setting)

    def crosswalk_codes(self, ndc11: str, day: dt.date) -> tuple[str, str, tuple[str, ...]] | None:
        """(quarter, source id, the codes it lists the NDC under) from the imported NDC-HCPCS crosswalk of the
        quarter covering `day`; None when no imported crosswalk covers it."""
        if self.store is None:
            return None
        quarter = self.store.quarter_for(day)
        if quarter is None or not self.store.import_for(quarter, "crosswalk"):
            return None
        from omaliref.data.cms_catalog import source_id

        codes = tuple(dict.fromkeys(row.code for row in self.store.crosswalk_ndc(quarter, ndc11)))
        return quarter, source_id(quarter, "crosswalk"), codes

    def audit(
        self,
        lines: Iterable[AuditLine],
        profile: PayerProfile | None = None,
        setting: Setting = "office",
        acquired_340b: bool = False,
    ) -> Iterator[LineAudit]:
        """Findings for keyed drug lines, streamed in input order (see domain.audit); `acquired_340b`: every line
        is a 340B-acquired drug, so a line without the payer's 340B modifier is a finding."""
        from omaliref.domain.audit import Auditor

        return Auditor(self, profile or self.profile_for(), setting, acquired_340b).audit(lines)

    # -- imported quarters ---------------------------------------------------------------------------------

    def quarters(self) -> list[str]:
        return self.store.quarters() if self.store is not None else []

    def imports(self) -> list[ImportRecord]:
        return self.store.imports() if self.store is not None else []

    def changes(self, old: str, new: str, codes: set[str] | None) -> dict[str, list[dict[str, object]]]:
        from omaliref.domain.cms_changes import changes

        have = self.quarters()
        for q in (old, new):
            if q not in have:
                raise InputError(f"Quarter {q} is not imported (imported: {', '.join(have) or 'none'}).")
        assert self.store is not None
        return changes(self.store.tables(old), self.store.tables(new), codes)

    def review(self, quarter: str | None = None) -> list[ReviewItem]:
        """Every curated code, modifier, MUE value and package against an imported quarter: `quarter` when it holds
        the file needed, else the newest quarter that does (per file kind, so a code is read from an HCPCS file and
        a package from a crosswalk)."""
        have = self.quarters()
        if quarter is not None and quarter not in have:
            raise InputError(f"Quarter {quarter} is not imported (imported: {', '.join(have) or 'none'}).")
        catalog = self.catalog
        products = sorted(catalog.products.values(), key=lambda p: (p.code, p.ndc))
        return (
            [self.review_of("code", c, quarter) for c in sorted(catalog.codes)]
            + [self.review_of("modifier", m, quarter) for m in sorted(catalog.modifiers)]
            + [self.review_of("mue", c, quarter) for c in sorted(catalog.mues)]
            + [self.review_of("product", p.ndc, quarter) for p in products]
        )

    def review_of(self, kind: str, ident: str, quarter: str | None = None) -> ReviewItem:
        """One curated code, modifier, MUE value or package against the imported files (the reference pane's CMS
        line)."""
        from omaliref.data.cms_catalog import conflicts, source_id
        from omaliref.domain.cms_facts import MueLimit
        from omaliref.domain.pack_review import review_code, review_modifier, review_mue, review_package

        store = self.store
        file_kind = {"code": "hcpcs", "modifier": "hcpcs", "mue": "mue"}.get(kind, "crosswalk")
        holding = store.quarters_with(file_kind) if store is not None else []  # one query, oldest first
        q = quarter if quarter in holding else (holding[-1] if holding else None)
        source = source_id(q, file_kind) if q else ""
        if kind == "code":
            code = self.catalog.codes[ident]
            row = store.hcpcs(q, code.code) if store is not None and q else None
            found = conflicts(code, store, q) if store is not None and q and row else []
            return review_code(code, q, row, found, source)
        if kind == "modifier":
            modifier = self.catalog.modifiers[ident]
            mods = {m.code: m for m in store.hcpcs_modifiers(q)} if store is not None and q else {}
            return review_modifier(modifier, q, mods.get(ident), source)
        if kind == "mue":
            mues = store.mue(q, ident) if store is not None and q else []
            imported = [
                MueLimit(q, m.setting, m.row.value, m.row.mai, m.row.mai_text, m.row.rationale, "") for m in mues if q
            ]
            return review_mue(ident, self.catalog.mues[ident], imported, source_id(q, file_kind) if q else "")
        product = self.catalog.products[ident]
        rows = store.crosswalk_ndc(q, product.ndc11) if store is not None and q else []
        return review_package(product, self.catalog.codes[product.code], q, rows, source)

    def import_files(
        self,
        paths: Sequence[str | Path],
        *,
        progress: Progress | None = None,
        should_cancel: Callable[[], bool] = lambda: False,
        quarter: Quarter | None = None,
    ) -> list[ImportReport]:
        """Import CMS files (creating the database on first use); the index is rebuilt on next use."""
        from omaliref.data.cms_import import import_paths
        from omaliref.data.cms_store import CmsStore, StoreDamaged, StoreUnavailable

        if self.database.exists() and self.store is None:
            self.store = self._open_reader()  # a damaged database is set aside before writing a new one
        try:
            writer = CmsStore(self.database)
        except (StoreDamaged, StoreUnavailable) as exc:
            raise InputError(f"The import database {exc.reason}: nothing was imported.") from None
        try:
            reports = import_paths(writer, paths, progress=progress, should_cancel=should_cancel, quarter=quarter)
        finally:
            writer.close()
        self.reopen()
        return reports
