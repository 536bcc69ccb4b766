"""Procedure pairing: a drug given in the office is billed with the service that gave it (CPT 96372 for an
IM/SC injection, 96374 IV push, 96365 IV infusion), and a vaccine product with its administration code
(CPT 90471/90472, or Medicare G0008 flu / G0009 pneumococcal / G0010 hepatitis B), with ICD-10-CM Z23 for the
immunization encounter (ICD-10-CM Official Guidelines I.C.21.c.2)."""

from __future__ import annotations

from core.rules.models import Context, Rule
from core.text import affirmed

DRUG_GUIDELINE = "CPT drug administration (96360-96379): the administration is reported with the drug supply code"
VACCINE_GUIDELINE = ("CPT immunization administration (90460-90474) and CMS G0008-G0010; "
                     "ICD-10-CM Official Guidelines I.C.21.c.2 (Z23)")

ROUTES: tuple[tuple[str, str, str], ...] = (
    (r"\bIV push\b|\bintravenous push\b|\bslow IV\b", "96374", "an IV push"),
    (r"\bIV infusion\b|\binfused over\b|\binfusion over\b|\bIV drip\b", "96365", "an IV infusion"),
    (r"\b(IM|intramuscular(ly)?|subcutaneous(ly)?|SC|SQ|subq|sub-q|into the (deltoid|gluteus|buttock|thigh))\b",
     "96372", "an intramuscular or subcutaneous injection"),
)
DRUG_ADMIN = frozenset({"96372", "96373", "96374", "96375", "96365", "96366", "96367", "96360", "96361"})
# procedures that include giving the drug (joint, tendon and nerve injections): no separate administration
INJECTION_PROCEDURES = ("2055", "2060", "2061", "6440", "6441", "6444", "6445", "6447", "6448", "6449", "6232")
VACCINE_ADMIN_CPT = frozenset({"90460", "90461", "90471", "90472", "90473", "90474", "90480"})
MEDICARE_ADMIN = {"flu": "G0008", "pneumococcal": "G0009", "hepatitis_b": "G0010"}


def is_injectable_drug(code: str) -> bool:
    return "J0120" <= code <= "J3591"  # injectable drugs (chemotherapy J9xxx has its own administration codes)


def vaccine_kind(code: str) -> str | None:
    if not ("90476" <= code <= "90759"):
        return None
    if code in ("90670", "90671", "90677", "90732"):
        return "pneumococcal"
    if "90739" <= code <= "90747":
        return "hepatitis_b"
    return "flu" if ("90653" <= code <= "90689" or code in ("90694", "90756")) else "other"


def _propose_drug(ctx: Context) -> list:
    drugs = [c for c in ctx.codes.get("hcpcs", []) if is_injectable_drug(c)]
    cpt = ctx.codes.get("cpt", [])
    if not drugs or any(c in DRUG_ADMIN or c.startswith(INJECTION_PROCEDURES) for c in cpt):
        return []
    for pattern, admin, what in ROUTES:
        if affirmed(ctx.narrative, pattern):
            return [DRUG_RULE.edit("add", "cpt", admin, f"{drugs[0]} was given as {what}: the administration "
                                   f"{admin} is billed with the drug")]
    return []


# vaccine products named unambiguously in a note -> CPT product code
PRODUCTS: tuple[tuple[str, str], ...] = (
    (r"\bTdap\b", "90715"), (r"\bPCV20\b|\b20-valent pneumococcal conjugate", "90677"),
    (r"\brecombinant zoster\b|\bShingrix\b", "90750"), (r"\bhigh-dose influenza\b|\bFluzone High-Dose\b", "90662"),
    (r"\bquadrivalent\b[^.]{0,30}\bpreservative[- ]free\b", "90686"),
)


def _documented_products(ctx: Context) -> list[str]:
    """Vaccine products the note names and the answer lacks, when an immunization is coded (Z23, a product or
    an administration code)."""
    coded = set(ctx.codes.get("cpt", [])) | set(ctx.codes.get("hcpcs", []))
    given = ctx.has("icd10cm", "Z23") or any(vaccine_kind(c) for c in coded) or bool(
        coded & (VACCINE_ADMIN_CPT | set(MEDICARE_ADMIN.values())))
    if not given:
        return []
    return [code for pattern, code in PRODUCTS if code not in coded and affirmed(ctx.narrative, pattern)]


def _medicare(ctx: Context) -> bool:
    return bool(affirmed(ctx.narrative, r"\bmedicare\b"))


def _propose_vaccine(ctx: Context) -> list:
    added = _documented_products(ctx)
    products = [VACCINE_RULE.edit("add", "cpt", code, f"the note names the vaccine given: its product code {code} "
                                  "is billed with the administration") for code in added]
    vaccines = [(c, vaccine_kind(c)) for c in [*ctx.codes.get("cpt", []), *added] if vaccine_kind(c)]
    if not vaccines:
        return []
    edits = products + ([] if ctx.has("icd10cm", "Z23") else [VACCINE_RULE.edit(
        "add", "icd10cm", "Z23", "a vaccine was given: Z23 (encounter for immunization) is coded")])
    given = set(ctx.codes.get("cpt", [])) | set(ctx.codes.get("hcpcs", []))
    if given & (VACCINE_ADMIN_CPT | set(MEDICARE_ADMIN.values())):
        return edits
    medicare = [k for _, k in vaccines if k in MEDICARE_ADMIN] if _medicare(ctx) else []
    for kind in dict.fromkeys(medicare):
        edits.append(VACCINE_RULE.edit("add", "hcpcs", MEDICARE_ADMIN[kind], f"a Medicare patient got a {kind} "
                                       f"vaccine: its administration is {MEDICARE_ADMIN[kind]}"))
    others = len(vaccines) - len(medicare)
    if others:
        edits.append(VACCINE_RULE.edit("add", "cpt", "90471", "a vaccine product is billed with its "
                                       "administration: 90471 for the first"))
    if others > 1:
        edits.append(VACCINE_RULE.edit("add", "cpt", "90472", "90472 for each further vaccine"))
    return edits


DRUG_RULE = Rule("drug_administration", DRUG_GUIDELINE, "a drug J-code goes with its administration code",
                 _propose_drug)
VACCINE_RULE = Rule("vaccine_administration", VACCINE_GUIDELINE,
                    "a vaccine product goes with its administration code and Z23", _propose_vaccine)
