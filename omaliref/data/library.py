"""The Library: the curated data pack plus any imported CMS quarters, behind one door.

The CLI commands, the panes and the tests ask the Library; nothing else decides whether a fact is curated or
imported, opens the import database, or combines the two (STYLE.md §13: Anki's Collection is the model).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from omaliref.data import pack_cache  # its module attribute: one place a test (or a tool) points at another pack
from omaliref.data.library_quarters import ImportedQuarters
from omaliref.data.library_site import SiteAndFiles
from omaliref.data.pack_cache import shipped_index_for
from omaliref.data.payers import PROFILE_FOR_KIND, Profiles, load_profiles, organization_tiers
from omaliref.data.state import CMS_DB_NAME, StateDirs, set_aside
from omaliref.domain.calculator import LineCheck, check_line
from omaliref.domain.case import Case
from omaliref.domain.errors import UnknownIdError
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

if TYPE_CHECKING:  # the import database's code loads when there is a database (not on a first start)
    from omaliref.data.cms_store import CmsStore
    from omaliref.domain.pack_review import ReviewItem

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


class Library(ImportedQuarters, SiteAndFiles):
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
        self.database_problem: str | None = None
        self._data_version: int | None = None  # the store's PRAGMA data_version when this connection last looked
        self.on_reload: Callable[[str], None] | None = None  # told when another program's import was picked up
        self.cache_dir = self.database.parent / "cache"  # rebuildable files (what the store's last scan found)

    @classmethod
    def open(cls, state_dir: str | None = None) -> Library:
        """The shipped pack, and the import database if one was created (reading never creates it; a damaged one
        is set aside and the curated pack keeps working)."""
        database = cls.database_path(state_dir)
        dirs = StateDirs.resolve(state_dir)
        library = cls(pack_cache.shipped_catalog(), None, database, dirs.config)
        library.cache_dir = dirs.cache if dirs.cache is not None else dirs.data / "cache"
        library.store = library._open_reader()
        return library

    def _open_reader(self, *, check_values: bool = True) -> CmsStore | None:
        """A read-only connection to the import database, or None (with a notice) when it cannot be used."""
        if not self.database.exists() and not self.database.is_symlink():
            return None
        from omaliref.data.cms_store import CmsStore, StoreDamaged, StoreUnavailable

        self.database_problem = None
        try:
            store = CmsStore(self.database, readonly=True)
        except StoreUnavailable as exc:
            self.database_problem = (
                f"The imported CMS quarters cannot be used now: the import database {exc.reason}."
                " The curated data pack is used alone."
            )
        except StoreDamaged as exc:
            aside = set_aside(self.database, "damaged", ("-journal", "-wal", "-shm"))
            self.database_problem = (
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
        self.notices.append(self.database_problem)
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
        library = cls(pack_cache.shipped_catalog(), None, dirs.data / CMS_DB_NAME, dirs.config)
        library.store = library._open_reader()
        library.set_index(library.curated_index())
        library.read_organization()  # the profiles and the site settings, without waiting long on a share
        return library

    def load_profiles(self) -> Profiles:
        """Read the payer profiles now (the built-in ones and the organization's files)."""
        return self.profiles

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

        folder = self.site
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
            if self.database_problem is not None or not self.database.exists():
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

    def sync_site(self) -> Iterator[str]:
        """The notices a command says before it reads: the site settings file's typos (named, then ignored), then
        what importing the site folder's new CMS files said. A generator: each is said before the next step runs."""
        from omaliref.data.site_import import import_site

        yield from self.site.settings.notices()
        yield from import_site(self, self.site).notices

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
        return self.dated_catalog("").modifiers  # "": no code, every modifier's dates

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
            catalog = self.dated_catalog("")  # the modifiers' dates do not depend on a code: one catalog for all
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
            self._profiles = self.read_profiles()
        return self._profiles

    def read_profiles(self, organization: bool = True) -> Profiles:
        """The profiles as read now, not kept: the built-in ones, merged with the organization's files unless
        `organization` is False (a share that did not answer)."""
        built_in = {k: v for k, v in self.catalog.payer_profiles.items() if isinstance(v, PayerProfile)}
        site, user = organization_tiers(self.config_dir) if organization else ([], [])
        return load_profiles(built_in, [*site, *user], self.state_rows, site=site)

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
