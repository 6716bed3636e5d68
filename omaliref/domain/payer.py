"""Payer profiles: how one payer wants the same case on its claim (line split, JW/JZ, 340B, units, form spacing).

Profiles are data (resources/payers.toml, and the organization's payers.toml); this module only defines the value
and the generic profile a case gets when nobody named one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from omaliref.domain.vocab import NGS_JURISDICTIONS, DeviceUnit, JwJzPolicy, MultiNdc, PayerKind

PROFILE_340B = ("JG", "TB", "U8", "UD", "none")


@dataclass(frozen=True)
class PayerProfile:
    id: str
    name: str
    kind: PayerKind
    multi_ndc: MultiNdc = "split-lines"
    jw_jz: JwJzPolicy = "medicare"
    modifier_340b: str = "none"  # the payer's 340B modifier: JG, TB, U8, UD or none
    ndc_unit_devices: DeviceUnit = "ML"  # prefilled syringes and autoinjectors
    ndc_required: bool = True
    cms1500_ndc_gap: int = 1
    max_units: Mapping[str, int] = field(default_factory=dict)
    prior_authorization: bool = False
    step_therapy: bool = False
    mac: str = ""  # Medicare: the MAC jurisdiction, e.g. "J6"
    sample: bool = False  # a published example, to confirm with the payer before relying on it
    sources: tuple[str, ...] = ()
    origin: str = "built-in"  # "built-in", or the file the profile came from
    note: str = ""

    @property
    def ngs(self) -> bool | None:
        """Is the MAC National Government Services? None when the profile does not say."""
        return (self.mac in NGS_JURISDICTIONS) if self.mac else None


def generic_profile(kind: PayerKind) -> PayerProfile:
    """What a case without a named profile gets: one line per NDC and the Medicare waste convention."""
    plan = kind in ("commercial", "medicare-advantage")  # plans with criteria lists, not fee-for-service programs
    return PayerProfile(id=kind, name=kind, kind=kind, prior_authorization=plan, step_therapy=plan)
