"""The Library: the curated data pack plus any imported CMS quarters, behind one door.

The CLI commands, the panes and the tests ask the Library; nothing else decides whether a fact is curated or
imported, opens the import database, or combines the two (STYLE.md §13: Anki's Collection is the model).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from omaliref.data.pack_cache import shipped_catalog, shipped_index_for
from omaliref.data.payers import PROFILE_FOR_KIND, Profiles, load_profiles, organization_tiers
from omaliref.data.site import SiteSettings, load_settings, settings_path, unknown_profile
from omaliref.data.site import resolve as resolve_site
from omaliref.data.state import CMS_DB_NAME, Preferences, StateDirs, StateStore, set_aside
from omaliref.domain.calculator import LineCheck, check_line
from omaliref.domain.case import Case
from omaliref.domain.errors import InputError, UnknownIdError
from omaliref.domain.model import (
    Catalog,
    Code,
    Modifier,
    Product,
    Source,
    normalize_code,
    refuse_twelve_digit_ndc,
)
from omaliref.domain.outcome import Outcome, evaluate
from omaliref.domain.payer import PayerProfile, State340B
from omaliref.domain.quarter import Quarter
from omaliref.domain.records import Entry
from omaliref.domain.search import SearchEntry, SearchHit, SearchIndex, entries_from_catalog
from omaliref.domain.vocab import MODIFIERS_340B

if TYPE_CHECKING:  # the import database's code loads when there is a database (not on a first start)
    from omaliref.data.cms_store import CmsStore
    from omaliref.data.keyed_lines import LinesInput
    from omaliref.domain.audit import AuditLine, LineAudit
    from omaliref.domain.cms_facts import QuarterFacts
    from omaliref.domain.pack_review import ReviewItem
    from omaliref.domain.records import ImportRecord, ImportReport
    from omaliref.domain.vocab import Setting

Progress = Callable[[int, int, str], None]  # (done, total, what)
Operation = Literal["index", "site-import"]  # the work Library.run does off the GUI thread


@dataclass(frozen=True)
class Changes:
    """What a background operation changed, for the window to apply in one place: a new search index (built from
    the store as it was when the operation started), notices to show once, and whether the imported quarters
    changed (the window reopens its connection and indexes again then)."""

    operation: Operation | Literal["cms-import"]  # "cms-import": File → Import CMS files, run by its own dialog
    index: SearchIndex | None = None
    notices: tuple[str, ...] = ()
    quarters_changed: bool = False
    new_quarters: tuple[str, ...] = ()
    imported: tuple[str, ...] = ()  # the site files imported this time


class Library:
    """The curated pack and the imported CMS store (None when nothing was ever imported)."""

    def __init__(
        self,
        catalog: Catalog,
        store: CmsStore | None = None,
        database: Path | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.database = database or (store.path if store is not None else self.database_path())
        self.config_dir = config_dir or StateDirs.resolve().config
        self._index: SearchIndex | None = None
        self._profiles: Profiles | None = None
        self._catalogs: dict[tuple[str, str], Catalog] = {}  # (code, quarter) -> pack + that imported code
        self.notices: list[str] = []  # said once: a damaged import database set aside, a locked one skipped
        # why the import database that exists could not be read (None: read, or there is none); review, quarters
        # and changes refuse to answer from the curated pack alone then
        self.store_problem: str | None = None
        self._data_version: int | None = None  # the store's PRAGMA data_version when this connection last looked
        self.on_reload: Callable[[str], None] | None = None  # told when another program's import was picked up
        self.cache_dir = self.database.parent / "cache"  # rebuildable files (what the store's last scan found)

    @classmethod
    def open(cls, state_dir: str | None = None) -> Library:
        """The shipped pack, and the import database if one was created (reading never creates it; a damaged one
        is set aside and the curated pack keeps working)."""
        database = cls.database_path(state_dir)
        dirs = StateDirs.resolve(state_dir)
        library = cls(shipped_catalog(), None, database, dirs.config)
        library.cache_dir = dirs.cache if dirs.cache is not None else dirs.data / "cache"
        library.store = library._open_reader()
        return library

    def _open_reader(self, *, check_values: bool = True) -> CmsStore | None:
        """A read-only connection to the import database, or None (with a notice) when it cannot be used."""
        if not self.database.exists() and not self.database.is_symlink():
            return None
        from omaliref.data.cms_store import CmsStore, StoreDamaged, StoreUnavailable

        self.store_problem = None
        try:
            store = CmsStore(self.database, readonly=True)
        except StoreUnavailable as exc:
            self.store_problem = (
                f"The imported CMS quarters cannot be used now: the import database {exc.reason}."
                " The curated data pack is used alone."
            )
        except StoreDamaged as exc:
            aside = set_aside(self.database, "damaged", ("-journal", "-wal", "-shm"))
            self.store_problem = (
                f"The import database {exc.reason}; "
                + (f"it was moved aside as {aside.name}" if aside else "it could not be moved aside")
                + ". The curated data pack is used alone; import the CMS files again."
            )
        else:
            if check_values:  # a stored value a read leaves out: said once, with its table and quarter (#14)
                from omaliref.data.store_values import MEMO_NAME, left_out_remembered

                found = left_out_remembered(store, self.cache_dir / MEMO_NAME)
                self.notices += [n for n in found if n not in self.notices]
            return store
        self.notices.append(self.store_problem)
        return None

    def for_thread(self) -> Library:
        """The same library with its own database connection (SQLite connections stay on their thread)."""
        library = Library(self.catalog, None, self.database, self.config_dir)
        library.store = library._open_reader(check_values=False)  # this library's own notices are shown nowhere
        return library

    # -- start-up and background operations ----------------------------------------------------------------

    @classmethod
    def open_at_start(cls, dirs: StateDirs) -> Library:
        """The Library the window starts with, opened before PySide6 is imported (its import hook reads the source
        of every module imported after it): the compiled pack's index answers the first keystroke and the payer
        profiles are read; the imported quarters are indexed after the first paint (run("index"))."""
        library = cls(shipped_catalog(), None, dirs.data / CMS_DB_NAME, dirs.config)
        library.store = library._open_reader()
        library.set_index(library.curated_index())
        library.load_profiles()
        library.read_site_settings()
        return library

    def load_profiles(self) -> Profiles:
        """Read the payer profiles now (the built-in ones and the organization's files)."""
        return self.profiles

    def read_site_settings(self) -> SiteSettings:
        """Read the site settings now (once)."""
        return self.site_settings

    @cached_property
    def site_settings(self) -> SiteSettings:
        """The organization's defaults and locked keys (empty without a settings file; a typo is a notice)."""
        return load_settings(settings_path())

    def start_preferences(self, store: StateStore) -> Preferences:
        """The user's saved preferences under the site's: its defaults for a new user, its locked keys always."""
        return self.site_settings.apply(store.load(), saved=store.path.exists())

    def keep_locked(self, prefs: Preferences) -> Preferences:
        """Preferences as chosen, with every locked key set back to the organization's value."""
        return self.site_settings.apply(prefs, saved=True)

    def locked_preferences(self) -> dict[str, str]:
        """The keys the organization locked, with its values (the Preferences dialog shows them read-only)."""
        settings = self.site_settings
        return {k: v for k in settings.locked if (v := settings.locked_value(k)) is not None}

    def start_notices(self) -> list[str]:
        """What to say once the window shows: a broken payer file or database, then the site settings' problems."""
        settings = self.site_settings
        unknown = unknown_profile(settings, self.profiles.by_id)
        site_notices = [*settings.notices(), *([f"Site settings: {unknown}."] if unknown else [])]
        return [*self.profiles.notices, *self.notices, *site_notices]

    def run(self, operation: Operation, should_cancel: Callable[[], bool] = lambda: False) -> Changes:
        """Background work, on a thread of its own with its own connection: index the pack plus the imported codes
        ("index"), or import the site folder's new CMS files ("site-import"). Nothing is applied here; the window
        applies the Changes on its thread."""
        if operation == "index":
            worker = self.for_thread()
            try:
                return Changes("index", index=worker.build_index())
            finally:
                worker.close()
        from omaliref.data.site_import import import_site, site_files  # after the first paint: hashlib, the importer

        folder = resolve_site()
        result = site_files(folder)  # no connection unless there is something to look at
        if result.files:
            worker = self.for_thread()
            try:
                result = import_site(worker, folder, should_cancel=should_cancel, files=result.files)
            finally:
                worker.close()
        return Changes(
            "site-import",
            notices=tuple(result.notices),
            quarters_changed=result.changed,
            new_quarters=tuple(result.new_quarters),
            imported=tuple(result.imported),
        )

    def reopen(self) -> None:
        """Pick up what another connection (an import worker) wrote; the index is rebuilt on next use."""
        self.close()
        self.store = self._open_reader()
        self._index = None
        self._catalogs.clear()
        self._data_version = None

    def refresh_if_changed(self) -> bool:
        """Reload when another program (`omaliref import` in a terminal) changed the import database since this
        connection last read it, so an answer never mixes cached packages from before with facts from after (red
        team 2026-12 #6). One PRAGMA (or one stat when there was no database) per question."""
        if self.store is None:
            if self.store_problem is not None or not self.database.exists():
                return False
        else:
            try:
                version = self.store.data_version()
            except Exception:  # the connection went bad: reopen says why
                version = -1
            if self._data_version is None:
                self._data_version = version
            if version == self._data_version:
                return False
        said = len(self.notices)
        self.reopen()
        notice = " ".join(
            [
                "The imported CMS data changed (an import elsewhere, e.g. omaliref import); it was reloaded.",
                *self.notices[said:],
            ]
        )  # and what the reloaded data leaves out, or why it cannot be read
        self.notices.append(notice)
        if self.on_reload is not None:
            self.on_reload(notice)
        return True

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    @staticmethod
    def database_path(state_dir: str | None = None) -> Path:
        return StateDirs.resolve(state_dir).data / CMS_DB_NAME

    # -- search and look-up --------------------------------------------------------------------------------

    def search_entries(self) -> list[SearchEntry]:
        """Curated entries, then the newest imported quarter's codes and NDCs that the pack lacks."""
        from omaliref.data.cms_catalog import search_entries

        return entries_from_catalog(self.catalog) + search_entries(self.catalog, self.store)

    def build_index(self, entries: list[SearchEntry] | None = None) -> SearchIndex:
        """A search index over `entries` (default: all); pure, so it may be built off the GUI thread."""
        return SearchIndex(self.search_entries() if entries is None else entries, self.catalog.corrections)

    def curated_index(self) -> SearchIndex:
        """The index of the curated pack alone: for the shipped pack, the one compiled with it."""
        return shipped_index_for(self.catalog) or SearchIndex.from_catalog(self.catalog)

    def set_index(self, index: SearchIndex) -> None:
        self._index = index

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            self._index = self.build_index() if self.store is not None else self.curated_index()
        return self._index

    def search(self, query: str, limit: int) -> list[SearchHit]:
        self.refresh_if_changed()
        return self.index.search(query, limit)

    def catalog_for(self, code_text: str, day: dt.date) -> Catalog:
        """The pack, plus the imported code (and its crosswalk packages) of the quarter covering `day`. Kept per
        code and quarter until the next import: the calculator asks on every keystroke, the answer only changes
        when the database does."""
        self.refresh_if_changed()
        if self.store is None:
            return self.catalog
        from omaliref.data.cms_catalog import catalog_for, with_cms_dates

        key = (normalize_code(code_text), str(Quarter.of(day)))
        if key not in self._catalogs:
            if len(self._catalogs) > 256:  # codes typed over a long day: start afresh rather than grow
                self._catalogs.clear()
            found = catalog_for(self.catalog, self.store, code_text, day)
            self._catalogs[key] = with_cms_dates(found, self.store, key[0])
        return self._catalogs[key]

    def latest_catalog_for(self, code: str | None = None, *, ndc: str | None = None) -> Catalog:
        """The pack, plus one imported code (by code or by one of its NDCs) from the newest imported quarter."""
        self.refresh_if_changed()
        if self.store is None:
            return self.catalog
        from omaliref.data.cms_catalog import catalog_with_latest

        return catalog_with_latest(self.catalog, self.store, code, ndc=ndc)

    def packages_for(self, code: str, day: dt.date | None = None) -> tuple[Product, ...]:
        """The packages to offer for a code: curated, or the imported quarter's crosswalk packages."""
        if code in self.catalog.codes or self.store is None:
            return self.catalog.products_for(code)
        found = self.catalog_for(code, day) if day is not None else self.latest_catalog_for(code)
        return found.products_for(code)

    def dated_catalog(self, ident: str) -> Catalog:
        """The pack with the dates the newest imported HCPCS file states for this code and for every modifier (the
        pack itself before any import). Kept until the next import, like catalog_for: the reference pane and the
        340B box ask on every entry shown and every date typed."""
        self.refresh_if_changed()
        if self.store is None:
            return self.catalog
        from omaliref.data.cms_catalog import with_cms_dates

        key = (normalize_code(ident), "")  # "": no quarter, the dates only
        if key not in self._catalogs:
            if len(self._catalogs) > 256:
                self._catalogs.clear()
            self._catalogs[key] = with_cms_dates(self.catalog, self.store, key[0])
        return self._catalogs[key]

    def calculable_codes(self) -> tuple[Code, ...]:
        """The curated drug codes the calculator offers: J2357 first, then codes with packages in the pack, then the
        rest, each group by code (an imported code is reached from search)."""
        with_packages = {p.code for p in self.catalog.products.values()}
        codes = [c for c in self.catalog.codes.values() if c.category == "drug"]
        return tuple(sorted(codes, key=lambda c: (c.code != "J2357", c.code not in with_packages, c.code)))

    def dated_modifiers(self) -> Mapping[str, Modifier]:
        """Every modifier of the pack with the dates the newest imported HCPCS file states (the pack's before any
        import): the 340B box offers the ones in force on the date of service."""
        return self.dated_catalog(MODIFIERS_340B[0]).modifiers

    def rule_title(self, rule_id: str) -> str:
        """The title of a rule of the pack, as the calculator pane lists the rules a result applied."""
        return self.catalog.rule(rule_id).title

    def known_sources(self, ids: Iterable[str]) -> tuple[Source, ...]:
        """The pack's sources among `ids`, in their order (an organization's profile may cite ids the pack lacks:
        those are left out)."""
        return tuple(self.catalog.sources[i] for i in ids if i in self.catalog.sources)

    @property
    def has_imports(self) -> bool:
        """Whether an import database is open: what the window shows differs before the first import."""
        return self.store is not None

    def entry(self, ident: str, kind: str | None = None) -> Entry:
        """A code, modifier, NDC (any form) or topic id, curated or imported, with what the imported CMS files say
        of a curated one. `kind` looks only among codes, modifiers, products or topics (a search hit knows it)."""
        self.refresh_if_changed()
        text = ident.strip()
        key = normalize_code(text)
        for look in (kind,) if kind else ("code", "modifier", "topic", "product"):
            found = self._entry_of_kind(look, text, key)
            if found is not None:
                return found
        raise UnknownIdError(
            f"'{text[:40]}' is not a code, modifier, NDC or topic in the data pack; try 'omaliref search'."
        )

    def _entry_of_kind(self, kind: str, text: str, key: str) -> Entry | None:
        store = self.store
        if kind == "code":
            catalog = self.dated_catalog(key)
            imported = None
            if store is not None and len(key) == 5:
                from omaliref.data.cms_catalog import imported_view

                imported = imported_view(catalog, store, key)
            if key in catalog.codes:
                return Entry("code", key, catalog, catalog.codes[key], imported, review=self._review("code", key))
            if imported and store is not None:
                merged = self.latest_catalog_for(key)
                if key in merged.codes:
                    quarter = store.latest_code_quarter()
                    return Entry("code", key, merged, merged.codes[key], imported, True, quarter)
            return None
        if kind == "modifier":
            catalog = self.dated_catalog(key)
            modifier = catalog.modifier(key) if len(key) == 2 else None
            if modifier is None:
                return None
            return Entry("modifier", modifier.code, catalog, modifier, review=self._review("modifier", modifier.code))
        if kind == "topic":
            topic = self.catalog.topics.get(text.lower())
            return Entry("topic", text.lower(), self.catalog, topic) if topic is not None else None
        refuse_twelve_digit_ndc(text, "ndc")
        try:
            product = self.catalog.product(text)
            return Entry("product", product.ndc, self.catalog, product, review=self._review("product", product.ndc))
        except UnknownIdError:
            pass
        if store is not None:
            digits = "".join(ch for ch in text if ch.isdigit())
            merged = self.latest_catalog_for(ndc=digits)
            for product in merged.products.values():
                if product.ndc11 == digits:
                    return Entry("product", product.ndc, merged, product, imported_only=True)
        return None

    def _review(self, kind: str, ident: str) -> ReviewItem | None:
        """What the imported CMS files say about a curated record (None before any import)."""
        return self.review_of(kind, ident) if self.store is not None else None

    # -- payer profiles ------------------------------------------------------------------------------------

    @property
    def profiles(self) -> Profiles:
        """Built-in profiles merged with the organization's files (read once; a broken file is a notice)."""
        if self._profiles is None:
            built_in = {k: v for k, v in self.catalog.payer_profiles.items() if isinstance(v, PayerProfile)}
            site, user = organization_tiers(self.config_dir)
            self._profiles = load_profiles(built_in, [*site, *user], self.state_rows, site=site)
        return self._profiles

    @property
    def state_rows(self) -> tuple[State340B, ...]:
        """The built-in Medicaid 340B rows by state (an organization's profile naming a state uses them)."""
        return tuple(s for s in self.catalog.state_340b if isinstance(s, State340B))

    def profile(self, ident: str) -> PayerProfile:
        key = ident.strip().lower()
        found = self.profiles.by_id.get(key)
        if found is None:
            raise UnknownIdError(
                f"Payer profile '{ident.strip()[:40]}' is not known: use one of {', '.join(self.profiles.by_id)} "
                "(omaliref payers lists them).",
                field="payer",
            )
        return found

    def profile_for(self, payer: str = "", profile_id: str = "") -> PayerProfile:
        """--payer-profile ID, else the built-in profile that the payer kind (--payer) stands for."""
        if profile_id.strip():
            return self.profile(profile_id)
        from omaliref.domain.case import parse_payer

        return self.profile(PROFILE_FOR_KIND[parse_payer(payer or "medicare")])

    # -- cases ---------------------------------------------------------------------------------------------

    def evaluate(self, case: Case) -> Outcome:
        """The one evaluation path: the case's code from the pack or the quarter of its date of service, with that
        quarter's payment limit and the MUE of the case's setting."""
        catalog = self.catalog_for(case.code, case.date_of_service)
        catalog.code(case.code)  # an unknown code is refused before anything else is said about it
        if self.store is None:
            return evaluate(catalog, case, None)
        from omaliref.data.cms_catalog import quarter_facts

        return evaluate(catalog, case, quarter_facts(self.store, case.code, case.date_of_service, case.setting))

    def check_line(self, case: Case) -> LineCheck:
        return check_line(self.catalog_for(case.code, case.date_of_service), case)

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

    # -- for the command line ------------------------------------------------------------------------------

    def sync_site(self) -> Iterator[str]:
        """The notices a command says before it reads: the site settings file's typos (named, then ignored), then
        what importing the site folder's new CMS files said. A generator: each is said before the next step runs."""
        from omaliref.data import site
        from omaliref.data.site_import import import_site

        here = site.resolve()
        yield from here.settings.notices()
        yield from import_site(self, here).notices

    def case_defaults(self, *, payer: str, profile: str, setting: str, modifier_340b: str) -> dict[str, str]:
        """The command line's payer profile, setting and 340B modifier: what it says, else the site settings'
        default, else the app's. A site default profile that no profile has is refused, naming the settings file."""
        from omaliref.data import site

        settings = site.resolve().settings
        chosen = site.case_defaults(
            settings, payer=payer, profile=profile, setting=setting, modifier_340b=modifier_340b
        )
        from_site = chosen["payer_profile"] and not profile.strip()  # the organization's default profile
        if from_site and (problem := site.unknown_profile(settings, self.profiles.by_id)) is not None:
            raise InputError(f"The site settings {problem}.")
        return chosen

    @staticmethod
    def label_dose(
        indication: str, *, ige: Fraction | None, weight_kg: Fraction | None, age_years: Fraction | None
    ) -> DoseAnswer:
        """The label dose from the shipped pack's tables, without opening the library (no import database, no
        site folder): `omaliref dose` needs nothing else."""
        from omaliref.domain.dosing import label_dose

        return label_dose(shipped_catalog(), indication, ige=ige, weight_kg=weight_kg, age_years=age_years)

    @staticmethod
    def read_keyed_lines(stream: TextIO, name: str = "-") -> LinesInput:
        """Keyed drug lines (a CSV/TSV charge export, an 837, or a paste in the window) from a stream, read as
        they are iterated: `omaliref audit` and Check lines read them the same way."""
        from omaliref.data.keyed_lines import read_lines

        return read_lines(stream, name)

    @staticmethod
    def read_payer_text(path: Path) -> str:
        """The text of a payer file to check: a PackError when it is refused (not a regular file, too large),
        OSError or UnicodeDecodeError when it cannot be read as UTF-8."""
        from omaliref.data.payers import read_payer_text

        return read_payer_text(path)

    def check_payer_file(self, text: str, file: str) -> PayerFile:
        """Every profile of an organization's payer file, and every problem in it, against this pack's state rows."""
        from omaliref.data.payers import read_payer_file

        return read_payer_file(text, file, origin=file, states=self.state_rows)

    def check_site(self, folder: Path) -> SiteCheck:
        """A site folder checked for IT against the built-in profiles and state rows (nothing is imported)."""
        from omaliref.data.site_check import check_site

        return check_site(folder, dict(self.catalog.payer_profiles), self.state_rows)


if TYPE_CHECKING:  # for the command line's methods above
    from fractions import Fraction
    from typing import TextIO

    from omaliref.data.keyed_lines import LinesInput
    from omaliref.data.payers import PayerFile
    from omaliref.domain.dosing import DoseAnswer
    from omaliref.domain.records import SiteCheck
