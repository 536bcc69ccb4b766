"""Integral signs and symptoms (ICD-10-CM Official Guidelines, Sections I.B.5 and I.C.18.a-b): a sign or
symptom that routinely goes with a confirmed diagnosis is not coded in addition to it."""

from __future__ import annotations

from core.rules.models import Context, Rule
from core.rules.notes import requested_by
from core.rules.specificity import described_side

GUIDELINE = "ICD-10-CM Official Guidelines I.B.5 and I.C.18.b (integral signs and symptoms)"

# diagnosis code prefix -> (a short name for the reason, symptom code prefixes integral to it)
INTEGRAL: dict[str, tuple[str, tuple[str, ...]]] = {
    "J20": ("acute bronchitis", ("R05", "R06.2", "R09.3")),
    "J40": ("bronchitis", ("R05", "R06.2")),
    "J06": ("an upper respiratory infection", ("R05", "R09.81", "R07.0", "R50.9", "R09.89")),
    "J00": ("the common cold", ("R05", "R09.81", "R07.0")),
    "J02": ("pharyngitis", ("R07.0", "R50.9")),
    "J03": ("tonsillitis", ("R07.0", "R50.9")),
    "J01": ("acute sinusitis", ("R09.81", "R51", "R09.89")),
    "J09": ("influenza", ("R05", "R50.9", "M79.1", "R52")),
    "J10": ("influenza", ("R05", "R50.9", "M79.1", "R52")),
    "J11": ("influenza", ("R05", "R50.9", "M79.1", "R52")),
    "U07.1": ("COVID-19", ("R05", "R50.9", "M79.1", "R43", "R06.0")),
    "J12": ("pneumonia", ("R05", "R50.9", "R06.0", "R07.1", "R07.81")),
    "J13": ("pneumonia", ("R05", "R50.9", "R06.0", "R07.1", "R07.81")),
    "J15": ("pneumonia", ("R05", "R50.9", "R06.0", "R07.1", "R07.81")),
    "J18": ("pneumonia", ("R05", "R50.9", "R06.0", "R07.1", "R07.81")),
    "J45": ("asthma", ("R06.2", "R06.0", "R05")),
    "J44": ("COPD", ("R06.0", "R06.2", "R05")),
    "A08": ("viral gastroenteritis", ("R11", "R19.7", "R10.9", "R10.84")),
    "A09": ("infectious gastroenteritis", ("R11", "R19.7", "R10.9", "R10.84")),
    "K52.9": ("gastroenteritis", ("R11", "R19.7", "R10.9", "R10.84")),
    "K35": ("acute appendicitis", ("R10", "R11", "R50.9")),
    "K80": ("gallstone disease", ("R10", "R11")),
    "K21": ("reflux disease", ("R12",)),
    "N39.0": ("a urinary tract infection", ("R30.0", "R35.0", "R39.15", "R82.71")),
    "N30": ("cystitis", ("R30.0", "R35.0", "R39.15")),
    "N20": ("a urinary stone", ("R10", "R11")),
    "N10": ("acute pyelonephritis", ("R50", "R30.0", "R35.0", "R39.15", "R10", "R11", "R68.83", "R31")),
    "N30.01": ("cystitis with hematuria", ("R31",)),
    "N30.91": ("cystitis with hematuria", ("R31",)),
    "K81": ("cholecystitis", ("R10", "R11", "R50")),
    "K80.0": ("gallstones with cholecystitis", ("R10", "R11", "R50")),
    "K80.1": ("gallstones with cholecystitis", ("R10", "R11", "R50")),
    "L02": ("a cutaneous abscess", ("R22", "L53.9", "R60.0", "R50.9", "L08.9")),
    "H65": ("otitis media", ("H92.0", "R50.9")),
    "H66": ("otitis media", ("H92.0", "R50.9")),
    "H60": ("otitis externa", ("H92.0",)),
    "G43": ("migraine", ("R51", "R11")),
    "I21": ("acute myocardial infarction", ("R07",)),
    "L03": ("cellulitis", ("R22", "L53.9", "R60.0", "R50.9")),
    "E11.65": ("diabetes with hyperglycemia", ("R73",)),
    "E10.65": ("diabetes with hyperglycemia", ("R73",)),
}


# Pain of a region (joint pain M25.5-, limb pain M79.6-, neck and back pain M54.2/M54.5-/M54.6/M54.9) -> the injury
# blocks of that region and its neighbours (S00-S99 by tens; a distal radius fracture S52 is wrist pain, an ankle
# fracture S82.5/S82.6 ankle pain): pain where the injury is goes with the injury and is not coded beside it.
_REGION_PAIN: dict[str, tuple[int, ...]] = {
    "M25.51": (4,), "M25.52": (5,), "M25.53": (5, 6), "M25.54": (6,), "M25.55": (7, 3), "M25.56": (8, 7),
    "M25.57": (8, 9), "M79.62": (4,), "M79.63": (5,), "M79.64": (6,), "M79.65": (7,), "M79.66": (8,),
    "M79.67": (9,), "M54.2": (1,), "M54.5": (3,), "M54.6": (2,), "M54.9": (2, 3),
}


def _injury_region(code: str) -> int | None:
    """The tens block (0 head ... 9 ankle and foot) of an injury code S00-S99, or None."""
    return int(code[1]) if len(code) >= 3 and code[0] == "S" and code[1:3].isdigit() else None


def pain_of_injury(codeset, symptom: str, icd: list[str]) -> str | None:
    """The coded injury of the region `symptom` (a region's pain) is pain of, on the same side or a side not
    said, or None."""
    regions = next((r for prefix, r in _REGION_PAIN.items() if symptom.startswith(prefix)), None)
    if regions is None:
        return None
    pain_side = described_side(codeset.describe(symptom))
    for code in icd:
        if _injury_region(code) in regions:
            side = described_side(codeset.describe(code))
            if pain_side is None or side is None or side == pain_side:
                return code
    return None


def integral_to(diagnosis: str, symptom: str) -> str | None:
    """The name of the diagnosis `symptom` is integral to, or None."""
    for prefix, (name, symptoms) in INTEGRAL.items():
        if diagnosis.startswith(prefix) and any(symptom.startswith(s) for s in symptoms):
            return name
    return None


def _propose(ctx: Context) -> list:
    edits, icd = [], ctx.icd()
    for symptom in icd:
        for diagnosis in icd:
            name = (integral_to(diagnosis, symptom) if diagnosis != symptom
                    and not requested_by(ctx.codeset, diagnosis, symptom) else None)
            if name:
                label = ctx.codeset.describe(symptom).split(",")[0].lower() or symptom
                edits.append(RULE.edit("drop", "icd10cm", symptom,
                                       f"{label} is integral to {name} ({diagnosis}): not coded"))
                break
        else:
            injury = pain_of_injury(ctx.codeset, symptom, icd)
            if injury:
                label = ctx.codeset.describe(symptom).lower()
                edits.append(RULE.edit("drop", "icd10cm", symptom, f"{label} is the pain of the injury coded there "
                                       f"({injury}: {ctx.codeset.describe(injury).lower()}): not coded beside it"))
    return edits


RULE = Rule("integral_symptom", GUIDELINE, "symptoms routinely part of a coded, confirmed diagnosis", _propose, one_encounter=True)
