"""What changed between two imported CMS quarters: a pure diff of the stored tables."""

from __future__ import annotations


def changes(
    old: dict[str, list[dict[str, object]]], new: dict[str, list[dict[str, object]]], codes: set[str] | None = None
) -> dict[str, list[dict[str, object]]]:
    """What changed between two quarters: tables as lists of row dicts (from the store), keyed by kind."""

    def keep(code: object) -> bool:
        return codes is None or code in codes

    def by(rows: list[dict[str, object]], *key: str) -> dict[tuple[object, ...], dict[str, object]]:
        return {tuple(r[k] for k in key): r for r in rows if keep(r["code"])}

    out: dict[str, list[dict[str, object]]] = {
        k: []
        for k in (
            "codes_added",
            "codes_terminated",
            "codes_removed",
            "descriptor_changes",
            "payment_limit_changes",
            "mue_changes",
            "ndcs_added",
            "ndcs_removed",
        )
    }
    o, n = by(old.get("hcpcs", []), "code", "is_modifier"), by(new.get("hcpcs", []), "code", "is_modifier")
    for key in sorted(n.keys() - o.keys(), key=str):
        out["codes_added"].append({"code": key[0], "descriptor": n[key]["long_description"]})
    for key in sorted(o.keys() - n.keys(), key=str):
        out["codes_removed"].append({"code": key[0], "descriptor": o[key]["long_description"]})
    for key in sorted(o.keys() & n.keys(), key=str):
        if n[key]["term_date"] and not o[key]["term_date"]:
            out["codes_terminated"].append(
                {"code": key[0], "termination_date": n[key]["term_date"], "replaced_by": n[key]["xref1"] or None}
            )
        if o[key]["long_description"] != n[key]["long_description"]:
            out["descriptor_changes"].append(
                {"code": key[0], "from": o[key]["long_description"], "to": n[key]["long_description"]}
            )
    o, n = by(old.get("asp", []), "code"), by(new.get("asp", []), "code")
    for key in sorted(o.keys() | n.keys(), key=str):
        before = o.get(key, {}).get("payment_limit")
        after = n.get(key, {}).get("payment_limit")
        if before != after:
            out["payment_limit_changes"].append({"code": key[0], "from": before, "to": after})
    o, n = by(old.get("mue", []), "setting", "code"), by(new.get("mue", []), "setting", "code")
    for key in sorted(o.keys() | n.keys(), key=str):
        before, after = o.get(key), n.get(key)
        if (before and (before["value"], before["mai"])) != (after and (after["value"], after["mai"])):
            out["mue_changes"].append(
                {
                    "setting": key[0],
                    "code": key[1],
                    "from": before and {"value": before["value"], "mai": before["mai"]},
                    "to": after and {"value": after["value"], "mai": after["mai"]},
                }
            )
    o, n = by(old.get("crosswalk", []), "code", "ndc_raw"), by(new.get("crosswalk", []), "code", "ndc_raw")
    for key in sorted(n.keys() - o.keys(), key=str):
        out["ndcs_added"].append({"code": key[0], "ndc": key[1], "drug_name": n[key]["drug_name"]})
    for key in sorted(o.keys() - n.keys(), key=str):
        out["ndcs_removed"].append({"code": key[0], "ndc": key[1], "drug_name": o[key]["drug_name"]})
    return out
