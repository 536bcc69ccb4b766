"""Ground ambulance transport (CMS Medicare Benefit Policy Manual ch. 10, section 30.1.1, levels of service;
Medicare Claims Processing Manual ch. 15, section 20.2, mileage): a run report is billed with one base code for
the level of service the crew gave (basic or advanced life support, emergency or not, ALS level 2, specialty
care) and the loaded mileage, A0425, one unit per statute mile with the patient on board.

The services and supplies the crew gives on board are paid in the base rate (the ambulance fee schedule, 42 CFR
414.610), so a transport record bills no CPT code (a lab panel or an E/M level coded for a run report is dropped).

Only a transport record (a level of service and the loaded miles documented) is coded this way: a clinic or ED
note that says the patient "arrived by ambulance" is the provider's note, not the ambulance supplier's claim."""

from __future__ import annotations

import re

from core.rules.models import Context, Rule
from core.text import affirmed

GUIDELINE = ("CMS Medicare Benefit Policy Manual ch. 10 sec. 30.1.1 (ground ambulance levels of service) and "
             "Claims Processing Manual ch. 15 sec. 20.2 (loaded mileage, A0425 per statute mile)")

BASE_CODES = frozenset({"A0426", "A0427", "A0428", "A0429", "A0433", "A0434"})
MILEAGE = "A0425"
_TRANSPORT = r"\bambulance\b|\bEMS\b|\b(run|trip|transport) (report|record|sheet)\b|\btransport(ed)?\b"
_MILES_RE = re.compile(r"\b(loaded|transport|patient) (mileage|miles)\b[^.\d]{0,20}(\d+(?:\.\d+)?)"
                       r"|(\d+(?:\.\d+)?)\s*(loaded|statute|transport)?\s*miles\b", re.I)
_AIR = r"\b(air ambulance|helicopter|rotor|rotary[- ]wing|fixed[- ]wing|air transport|flight)\b"
_SCT = r"\bspecialty care transport\b|\bSCT\b|\bcritical care transport\b"
_ALS2 = r"\bALS ?(2|II|level 2)\b|\badvanced life support,? level 2\b"
_ALS = r"\bALS( ?(1|I))?\b|\badvanced life support\b|\bparamedic (level|unit|crew)\b"
_BLS = r"\bBLS\b|\bbasic life support\b"
_NON_EMERGENCY = r"\bnon-?emergen(t|cy)\b|\bscheduled (transport|transfer)\b|\broutine transport\b"
_EMERGENCY = (r"\bemergen(t|cy) (transport|response|run|call)\b|\b911\b|\blights and sirens\b|\bemergent\b"
              r"|\b(ALS( ?(1|I))?|BLS|life support)[ ,]+emergency\b")


def loaded_miles(narrative: str) -> float | None:
    """The loaded miles a transport record states ('Loaded mileage 9 statute miles', '12 loaded miles')."""
    for match in _MILES_RE.finditer(narrative):
        if affirmed(match.group(0), r"miles|mileage"):
            return float(match.group(3) or match.group(4))
    return None


def service_level(narrative: str) -> tuple[str, str] | None:
    """(base code, level in words) the record documents, or None when the level or urgency is not stated."""
    if affirmed(narrative, _SCT):
        return "A0434", "specialty care transport"
    if affirmed(narrative, _ALS2):
        return "A0433", "advanced life support, level 2"
    level = "ALS" if affirmed(narrative, _ALS) else "BLS" if affirmed(narrative, _BLS) else None
    if level is None:
        return None
    if affirmed(narrative, _NON_EMERGENCY):
        return ("A0426", "advanced life support, non-emergency") if level == "ALS" else (
            "A0428", "basic life support, non-emergency")
    if affirmed(narrative, _EMERGENCY):
        return ("A0427", "advanced life support, emergency") if level == "ALS" else (
            "A0429", "basic life support, emergency")
    return None


def _propose(ctx: Context) -> list:
    miles = loaded_miles(ctx.narrative)
    if miles is None or not affirmed(ctx.narrative, _TRANSPORT) or affirmed(ctx.narrative, _AIR):
        return []
    hcpcs = ctx.codes.get("hcpcs", [])
    edits = []
    level = service_level(ctx.narrative)
    coded = [c for c in hcpcs if c in BASE_CODES]
    if level:
        code, words = level
        reason = f"the transport record documents {words}: base code {code}"
        if not coded:
            edits.append(RULE.edit("add", "hcpcs", code, reason))
        elif code not in coded:
            edits.append(RULE.edit("replace", "hcpcs", coded[0], reason + f", not {coded[0]}", code))
        edits += [RULE.edit("drop", "hcpcs", c, "one base code per transport") for c in coded[1:] if c != code]
    if MILEAGE not in hcpcs and (coded or level):
        edits.append(RULE.edit("add", "hcpcs", MILEAGE, f"{miles:g} loaded miles are billed with the transport: "
                               f"{MILEAGE}, one unit per statute mile ({miles:g} units)"))
    if level:  # the supplier's claim: what the crew did on board is paid in the base rate, not by CPT codes
        edits += [RULE.edit("drop", "cpt", c, f"an ambulance transport is billed by its base code and mileage; the "
                            f"services and supplies on board are in the base rate: {c} is not billed")
                  for c in ctx.codes.get("cpt", [])]
    return edits


RULE = Rule("ambulance_transport", GUIDELINE,
            "a ground ambulance run is billed as its level of service plus loaded mileage", _propose)
