"""Integral signs and symptoms (ICD-10-CM Official Guidelines, Sections I.B.5 and I.C.18.a-b): a sign or
symptom that routinely goes with a confirmed diagnosis is not coded in addition to it."""

from __future__ import annotations

from core.rules.models import Context, Rule
from core.rules.notes import requested_by

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
    "J12": ("pneumonia", ("R05", "R50.9", "R06.0")),
    "J13": ("pneumonia", ("R05", "R50.9", "R06.0")),
    "J15": ("pneumonia", ("R05", "R50.9", "R06.0")),
    "J18": ("pneumonia", ("R05", "R50.9", "R06.0")),
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
    return edits


RULE = Rule("integral_symptom", GUIDELINE, "symptoms routinely part of a coded, confirmed diagnosis", _propose, one_encounter=True)
