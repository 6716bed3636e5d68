"""The Library's part for the organization's site folder and for files a command names: the site settings (defaults,
locked keys, notices), the site folder's CMS files before a command reads, payer files and site folders checked for
IT, keyed lines read for the audit. A mixin of `Library`, in its own module so each stays readable."""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from omaliref.data import pack_cache
from omaliref.data.site import Site, SiteSettings, unknown_profile
from omaliref.data.site import resolve as resolve_site
from omaliref.data.state import Preferences, StateStore
from omaliref.domain.errors import InputError

SITE_WAIT_S = 3.0  # a share that has not answered by then is not waited for at start (a local disk answers in ms)

if TYPE_CHECKING:
    from fractions import Fraction

    from omaliref.data.keyed_lines import LinesInput
    from omaliref.data.payers import PayerFile, Profiles
    from omaliref.domain.dosing import DoseAnswer
    from omaliref.domain.model import Catalog
    from omaliref.domain.payer import State340B
    from omaliref.domain.records import SiteCheck


class SiteAndFiles:
    """The site settings and the files a command names; the Library holds the profiles and notices."""

    catalog: Catalog
    notices: list[str]
    _profiles: Profiles | None

    if TYPE_CHECKING:  # given by Library

        def read_profiles(self, organization: bool = True) -> Profiles: ...

        @property
        def profiles(self) -> Profiles: ...

        @property
        def state_rows(self) -> tuple[State340B, ...]: ...

    def read_organization(self, wait: float = SITE_WAIT_S) -> None:
        """The site settings and the organization's payer files, read on a thread: a network share that hangs (a
        dropped VPN, a sleeping file server) blocks a read in the kernel, and must not hold the window. Unanswered
        within `wait` seconds, the app starts with the built-in profiles and no site settings and says so; the
        thread is left to finish on its own (it keeps nothing)."""
        found: list[tuple[Site, Profiles] | BaseException] = []
        answered = threading.Event()

        def read() -> None:
            try:
                found.append((resolve_site(), self.read_profiles()))
            except BaseException as exc:  # raised on the caller's thread, as an unthreaded read would
                found.append(exc)
            finally:
                answered.set()

        threading.Thread(target=read, name="organization-read", daemon=True).start()
        if answered.wait(wait):
            if isinstance(found[0], BaseException):
                raise found[0]
            site, profiles = found[0]
        else:
            site, profiles = Site(None, SiteSettings()), self.read_profiles(organization=False)
            self.notices.append(
                f"The site folder or an organization's payer file did not answer within {wait:g} s (a network "
                "share?): omaliref started with its built-in payer profiles and without the site settings. Restart "
                "it once the share answers."
            )
        self.__dict__["site"] = site  # what the cached `site` would have resolved (read here, never on the thread)
        self._profiles = profiles

    def read_site_settings(self) -> SiteSettings:
        """Read the site settings now (once)."""
        return self.site_settings

    @cached_property
    def site(self) -> Site:
        """The site folder and its settings file, resolved once for this Library: the window's start, a command's
        site import and its case defaults all read the same settings."""
        return resolve_site()

    @property
    def site_settings(self) -> SiteSettings:
        """The organization's defaults and locked keys (empty without a settings file; a typo is a notice)."""
        return self.site.settings

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

    # -- for the command line ------------------------------------------------------------------------------

    def case_defaults(self, *, payer: str, profile: str, setting: str, modifier_340b: str) -> dict[str, str]:
        """The command line's payer profile, setting and 340B modifier: what it says, else the site settings'
        default, else the app's. A site default profile that no profile has is refused, naming the settings file."""
        from omaliref.data import site

        settings = self.site_settings
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

        return label_dose(pack_cache.shipped_catalog(), indication, ige=ige, weight_kg=weight_kg, age_years=age_years)

    @staticmethod
    def dose_names() -> frozenset[str]:
        """The drug names `omaliref dose` accepts, lower case, from the shipped pack (no library opened)."""
        return pack_cache.shipped_catalog().dose_names()

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
