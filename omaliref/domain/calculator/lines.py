"""The claim lines: the dose split over its NDCs, the other NDCs' note, Medicare's paper layout."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from omaliref.domain.calculator.results import NDC_QUANTITY_PLACES, ClaimLine, ContainerUse, NdcPart, Units
from omaliref.domain.errors import InputError
from omaliref.domain.model import Code, Product
from omaliref.domain.notes import Notes, Warning_
from omaliref.domain.payer import PayerProfile
from omaliref.domain.quantities import Quantity, plain_amount
from omaliref.domain.vocab import ProductForm

DEVICE_FORMS: tuple[ProductForm, ...] = ("prefilled-syringe", "autoinjector")


def claim_ndc_unit(product: Product, profile: PayerProfile) -> tuple[str, Fraction]:
    """The NDC unit a payer wants for one container and one container's quantity in it: a prefilled syringe or
    autoinjector counts as 1 UN when the profile says so, else the package's own unit (ML for devices)."""
    if product.form in DEVICE_FORMS and profile.ndc_unit_devices == "UN" and product.ndc_unit:
        return "UN", Fraction(1)
    return product.ndc_unit, product.ndc_quantity


@dataclass(frozen=True)
class NdcGroup:
    """The containers of one NDC, what of the dose they gave and what of them was thrown away."""

    use: ContainerUse
    unit: str  # the NDC unit of measure on the claim
    quantity: Fraction  # NDC quantity of all its containers
    given: Fraction  # amount of the dose drawn from them (in the billing unit's unit)
    given_units: int
    discarded_units: int

    @property
    def labelled(self) -> Fraction:
        return self.use.product.container_amount.amount * self.use.count

    def part(self, amount: Fraction) -> NdcPart:
        """This NDC with the quantity for `amount` of its contents (the amount given, or the amount wasted)."""
        share = amount / self.labelled if self.labelled else Fraction(0)
        return NdcPart(self.use.product.ndc, self.unit, self.quantity * share, self.use.count)


def ndc_groups(
    containers: tuple[ContainerUse, ...], dose: Quantity, billing: Fraction, discarded: int, profile: PayerProfile
) -> tuple[NdcGroup, ...]:
    """Split the dose over the NDCs, largest containers first: administered units are rounded once for the dose
    (the last NDC drawn from takes the rounding), and the whole discarded units go to the NDCs they were left in."""
    groups = []
    remaining, jw_left = dose.amount, discarded
    for use in containers:
        product = use.product
        labelled = product.container_amount.to(dose.unit).amount * use.count
        given = min(labelled, remaining)
        remaining -= given
        given_units = -int(-given // billing)
        room = int(labelled / billing) - given_units
        wasted = min(int((labelled - given) // billing), room, jw_left)
        jw_left -= wasted
        unit, per_container = claim_ndc_unit(product, profile)
        groups.append(NdcGroup(use, unit, per_container * use.count, given, given_units, wasted))
    return tuple(groups)


def claim_lines(
    code: Code,
    containers: tuple[ContainerUse, ...],
    dose: Quantity,
    units: Units,
    emit_jw: bool,
    emit_jz: bool,
    extra: tuple[str, ...],
    profile: PayerProfile,
    leading: tuple[str, ...] = (),
) -> tuple[ClaimLine, ...]:
    """Rules ndc-line-per-ndc and jw-line-ndc: one line per NDC (or one line with a note, as the payer wants);
    units over all lines always equal the administered units plus the JW units."""
    groups = ndc_groups(containers, dose, code.billing_unit.amount, units.discarded if emit_jw else 0, profile)
    given = [g for g in groups if g.given_units]
    wasted = [g for g in groups if g.discarded_units]
    admin_mods = leading + (("JZ",) if emit_jz else ())
    if profile.multi_ndc == "single-line-note" or len(groups) == 1:
        first = given[0]
        lines = [
            ClaimLine(
                code.code,
                admin_mods + extra,
                units.administered,
                "administered",
                (first.part(first.given),),
                _other_ndcs(g.part(g.given) for g in given[1:]),
            )
        ]
        if wasted:
            lines.append(
                ClaimLine(
                    code.code,
                    leading + ("JW",) + extra,
                    sum(g.discarded_units for g in wasted),
                    "discarded",
                    (wasted[0].part(wasted[0].labelled - wasted[0].given),),
                    _other_ndcs(g.part(g.labelled - g.given) for g in wasted[1:]),
                )
            )
        return tuple(lines)
    kp_kq = profile.multi_ndc == "split-lines-kp-kq" and len(given) > 1
    lines = [
        ClaimLine(
            code.code,
            admin_mods + ((("KP",) if i == 0 else ("KQ",)) if kp_kq else ()) + extra,
            g.given_units,
            "administered",
            (g.part(g.given),),
        )
        for i, g in enumerate(given)
    ]
    lines += [
        ClaimLine(code.code, leading + ("JW",) + extra, g.discarded_units, "discarded", (g.part(g.labelled - g.given),))
        for g in wasted
    ]
    return tuple(lines)


NOTE_MAX = 80  # 837P NTE02 is at most 80 characters (TR3; pyx12 and linuxforhealth reject a longer one)


def _other_ndcs(parts: Iterable[NdcPart]) -> str:
    """The note a single-line payer wants for the other NDCs (CMS-1500 item 19 / 837P NTE02): the readable form when
    it fits in NTE02's 80 characters, else tighter forms of the same NDCs; refused when even the tightest does not."""
    shown = [
        (f"N4{p.ndc.replace('-', '')}", f"{p.ndc_unit}{plain_amount(p.ndc_quantity, NDC_QUANTITY_PLACES)}")
        for p in parts
    ]
    if not shown:
        return ""
    ladder = (
        "Also NDC " + "; ".join(f"{n} {q}" for n, q in shown),
        "; ".join(f"{n} {q}" for n, q in shown),
        " ".join(f"{n}{q}" for n, q in shown),
        " ".join(f"{n[2:]}{q}" for n, q in shown),
    )
    for note in ladder:
        if len(note) <= NOTE_MAX:
            return note
    raise InputError(
        f"{len(shown) + 1} NDCs do not fit one line's note ({NOTE_MAX} characters in the 837P NTE02): enter fewer "
        "NDCs per line, or choose a payer profile that splits lines.",
        field="containers",
    )


MEDICARE_PAPER_UNITS = ("UN", "F2", "GR", "ML")  # Claims Processing Manual ch. 26 item 24: ME is not among them
MEDICARE_PAPER_QUANTITY_WIDTH = 6  # "six bytes available for quantity" (positions 17-24 less the qualifier)


def medicare_paper(lines: tuple[ClaimLine, ...], profile: PayerProfile, form: str) -> Notes:
    """Medicare's CMS-1500 item 24A layout: ME is refused, and a quantity longer than six characters is shortened."""
    if profile.kind != "medicare" or form != "cms1500":
        return Notes()
    parts = [p for line in lines for p in line.ndc_parts]
    refused = sorted({p.ndc_unit for p in parts if p.ndc_unit and p.ndc_unit not in MEDICARE_PAPER_UNITS})
    if refused:
        raise InputError(
            f"Medicare's CMS-1500 layout takes the NDC unit UN, F2, GR or ML, not {', '.join(refused)}: give the "
            "quantity in one of those units.",
            field="containers",
        )
    width = MEDICARE_PAPER_QUANTITY_WIDTH
    long = sorted({p.ndc for p in parts if len(plain_amount(p.ndc_quantity, NDC_QUANTITY_PLACES)) > width})
    if not long:
        return Notes()
    return Notes(
        (
            Warning_(
                "warning",
                "Medicare's item 24A has six characters for the NDC quantity: the quantity of "
                + ", ".join(long)
                + " is rounded to fit on paper (the 837 keeps three decimals).",
                sources=("cms-iom-ch26-24",),
            ),
        )
    )
