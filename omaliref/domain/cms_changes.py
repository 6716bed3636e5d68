"""What changed between two imported CMS quarters: a pure diff of their typed tables."""

from __future__ import annotations

from decimal import Decimal

from omaliref.domain.cms import QuarterTables
from omaliref.domain.cms_facts import money_text

CHANGE_KINDS = (
    "codes_added",
    "codes_terminated",
    "codes_removed",
    "descriptor_changes",
    "payment_limit_changes",
    "mue_changes",
    "ndcs_added",
    "ndcs_removed",
)


def _limit(value: Decimal | None) -> str | None:
    return money_text(value) if value is not None else None


def changes(
    old: QuarterTables, new: QuarterTables, codes: set[str] | None = None
) -> dict[str, list[dict[str, object]]]:
    """Per kind of change, the rows that differ (limited to `codes` when given), as the public JSON shows them."""

    def keep(code: str) -> bool:
        return codes is None or code in codes

    out: dict[str, list[dict[str, object]]] = {k: [] for k in CHANGE_KINDS}
    o_h = {(r.code, r.is_modifier): r for r in old.hcpcs if keep(r.code)}
    n_h = {(r.code, r.is_modifier): r for r in new.hcpcs if keep(r.code)}
    for key in sorted(n_h.keys() - o_h.keys()):
        out["codes_added"].append({"code": key[0], "descriptor": n_h[key].long_description})
    for key in sorted(o_h.keys() - n_h.keys()):
        out["codes_removed"].append({"code": key[0], "descriptor": o_h[key].long_description})
    for key in sorted(o_h.keys() & n_h.keys()):
        before, after = o_h[key], n_h[key]
        if after.term_date and not before.term_date:
            out["codes_terminated"].append(
                {"code": key[0], "termination_date": after.term_date.isoformat(), "replaced_by": after.xref1 or None}
            )
        if before.long_description != after.long_description:
            out["descriptor_changes"].append(
                {"code": key[0], "from": before.long_description, "to": after.long_description}
            )
    o_a = {r.code: r for r in old.asp if keep(r.code)}
    n_a = {r.code: r for r in new.asp if keep(r.code)}
    for code in sorted(o_a.keys() | n_a.keys()):
        was = o_a[code].payment_limit if code in o_a else None
        now = n_a[code].payment_limit if code in n_a else None
        if was != now:
            out["payment_limit_changes"].append({"code": code, "from": _limit(was), "to": _limit(now)})
    o_m = {(m.setting, m.row.code): m.row for m in old.mue if keep(m.row.code)}
    n_m = {(m.setting, m.row.code): m.row for m in new.mue if keep(m.row.code)}
    for mkey in sorted(o_m.keys() | n_m.keys()):
        b, a = o_m.get(mkey), n_m.get(mkey)
        if (b and (b.value, b.mai)) != (a and (a.value, a.mai)):
            out["mue_changes"].append(
                {
                    "setting": mkey[0],
                    "code": mkey[1],
                    "from": {"value": b.value, "mai": b.mai} if b else None,
                    "to": {"value": a.value, "mai": a.mai} if a else None,
                }
            )
    o_x = {(r.code, r.ndc_raw): r for r in old.crosswalk if keep(r.code)}
    n_x = {(r.code, r.ndc_raw): r for r in new.crosswalk if keep(r.code)}
    for xkey in sorted(n_x.keys() - o_x.keys()):
        out["ndcs_added"].append({"code": xkey[0], "ndc": xkey[1], "drug_name": n_x[xkey].drug_name})
    for xkey in sorted(o_x.keys() - n_x.keys()):
        out["ndcs_removed"].append({"code": xkey[0], "ndc": xkey[1], "drug_name": o_x[xkey].drug_name})
    return out
