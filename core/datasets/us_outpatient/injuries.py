"""ED, urgent care and orthopedic injury cases: external cause, 7th character, laterality, E/M, imaging,
splints, repairs and orthoses."""

from __future__ import annotations

import random
import re

from core.datasets.us_outpatient.common import (
    VIEW_COUNT_CODES,
    ed_em,
    family,
    fields,
    office_em,
    patient,
    side_code,
)

# (injury text, (right, left) ICD codes, imaging (text, CPT), treatment (text, CPT/HCPCS codes), mechanisms)
FALLS = ("ice", "stairs", "ladder", "trip")
INJURIES = (
    (
        "a distal radius fracture of the {side} wrist",
        ("S52.501A", "S52.502A"),
        ("X-ray of the wrist, three views, confirms a nondisplaced distal radius fracture.", "73110"),
        ("A short arm splint was applied.", ("29125",)),
        FALLS,
    ),
    (
        "a sprain of the {side} ankle",
        ("S93.401A", "S93.402A"),
        ("Ankle x-rays, three views, show no fracture.", "73610"),
        ("Dispensed a prefabricated ankle support and a pair of crutches.", ("L1906", "E0114")),
        FALLS,
    ),
    (
        "a contusion of the {side} knee",
        ("S80.01XA", "S80.02XA"),
        ("Knee x-ray, two views, negative for fracture.", "73560"),
        None,
        FALLS,
    ),
    (
        "a fracture of the {side} clavicle",
        ("S42.001A", "S42.002A"),
        ("Clavicle x-ray shows a midshaft fracture.", "73000"),
        ("Fitted with a figure-of-eight clavicle brace.", ("L3650",)),
        ("ladder", "stairs"),
    ),
    (
        "a fracture of the {side} index finger",
        ("S62.600A", "S62.601A"),
        ("Finger x-rays, two views, confirm a proximal phalanx fracture.", "73140"),
        ("A static finger splint was applied.", ("29130",)),
        ("trip", "stairs"),
    ),
    (
        "a 4 cm laceration of the {side} hand",
        ("S61.411A", "S61.412A"),
        None,
        ("Simple repair of the 4 cm laceration with sutures.", ("12002",)),
        ("knife", "glass"),
    ),
    (
        "a dog bite of the {side} forearm",
        ("S51.851A", "S51.852A"),
        None,
        ("Wound irrigated and left open.", ()),
        ("dog",),
    ),
)
MECHANISM_TEXT = {
    "ice": ("slipped on ice in {their} driveway and fell", "W00.0XX"),
    "stairs": ("fell down the stairs at home", "W10.9XX"),
    "ladder": ("fell from a ladder while cleaning gutters", "W11.XXX"),
    "trip": ("tripped over a rug and fell", "W01.0XX"),
    "knife": ("cut {their} hand with a kitchen knife while cooking", "W26.0XX"),
    "glass": ("cut {their} hand on broken glass while washing dishes", "W25.XXX"),
    "dog": ("was bitten by a neighbor's dog this morning", "W54.0XX"),
}


def _mechanism(rng: random.Random, injury, p) -> tuple[str, str]:
    text, code = MECHANISM_TEXT[rng.choice(injury[4])]
    return text.format(their=p.their), code


@family
def acute_injury_cases(rng: random.Random, i: int) -> dict:
    injury = INJURIES[i % len(INJURIES)]
    p, side = patient(rng, 8, 85), rng.choice(["right", "left"])
    how, cause = _mechanism(rng, injury, p)
    setting = rng.choice(["ed", "urgent_care"])
    if setting == "ed":
        em_text, em = ed_em(rng, rng.choice([1, 2]))
        opening = f"{p.intro().capitalize()} presents to the emergency department after {p.they} {how}."
    else:
        em_text, em = office_em(rng, "new", rng.choice([1, 2]), p, setting)
        opening = f"{p.intro().capitalize()} walks in to urgent care after {p.they} {how}."
    imaging, treatment = injury[2], injury[3]
    text = (
        f"{opening} {em_text} Exam: tenderness and swelling. {imaging[0] if imaging else ''} "
        f"Diagnosis: {injury[0].format(side=side)}. {treatment[0] if treatment else ''} "
        "Follow up with orthopedics in one week."
    )
    procedures = ([imaging[1]] if imaging else []) + list(treatment[1] if treatment else ())
    supplies = ["dme_supplied"] if any(c[0] in "EL" for c in procedures) else []
    views = ["radiology_views"] if imaging and imaging[1] in VIEW_COUNT_CODES and "views" in imaging[0] else []
    return fields(
        text,
        setting,
        ["external_cause", "laterality", "em_level", *supplies, *views],
        icd=[side_code(injury[1], side), cause + "A"],
        cpt=[em, *[c for c in procedures if c[0].isdigit()]],
        hcpcs=[c for c in procedures if not c[0].isdigit()],
    )


_IMAGING_RE = re.compile(r"(?P<what>.*?x-rays?(?: of the \w+)?)(?P<views>, \w+ views?,)?", re.IGNORECASE)


def followup_imaging(sentence: str) -> str:
    """The follow-up's repeat of the first visit's x-ray, with its number of views (what the x-ray code's level
    depends on): 'Ankle x-rays, three views, show no fracture.' -> 'Ankle x-rays, three views, repeated today.'"""
    match = _IMAGING_RE.match(sentence)
    return f"{match['what']}{match['views'] or ''} repeated today."


@family
def followup_cases(rng: random.Random, i: int) -> dict:
    """Orthopedic follow-up of an injury: 7th character D on the injury and its external cause."""
    injury = INJURIES[(i * 3) % 5]  # fractures and sprains
    p, side = patient(rng, 12, 85), rng.choice(["right", "left"])
    how, cause = _mechanism(rng, injury, p)
    em_text, em = office_em(rng, "established", rng.choice([0, 1, 2]), p, "orthopedics")
    weeks = rng.randint(2, 6)
    text = (
        f"{p.intro().capitalize()} is here for follow-up of {injury[0].format(side=side)} sustained "
        f"{weeks} weeks ago when {p.they} {how}. {em_text} Healing as expected. "
        f"{followup_imaging(injury[2][0]) if injury[2] else ''} Continue current care."
    )
    injury_code = side_code(injury[1], side)[:-1] + "D"
    imaging = injury[2]
    views = ["radiology_views"] if imaging and imaging[1] in VIEW_COUNT_CODES and "views" in imaging[0] else []
    return fields(
        text,
        "orthopedics",
        ["seventh_character", "external_cause", "laterality", "em_level", *views],
        icd=[injury_code, cause + "D"],
        cpt=[em] + ([injury[2][1]] if injury[2] else []),
    )


CHRONIC_ORTHO = (  # (text with {side}, (right, left) codes, CPT, HCPCS, whether an E/M is billed)
    (
        "primary osteoarthritis of the {side} knee; triamcinolone 40 mg injected into the {side} knee joint",
        ("M17.11", "M17.12"),
        ("20610",),
        ("J3301",),
        False,
    ),
    (
        "carpal tunnel syndrome of the {side} wrist; a prefabricated cock-up wrist splint was dispensed",
        ("G56.01", "G56.02"),
        (),
        ("L3908",),
        True,
    ),
    (
        "pain in the {side} shoulder without injury; shoulder x-ray, two views, is unremarkable",
        ("M25.511", "M25.512"),
        ("73030",),
        (),
        True,
    ),
    ("acute otitis media of the {side} ear with ear pain and fever", ("H66.91", "H66.92"), (), (), True),
    (
        "impacted cerumen of the {side} ear, removed with a curette",
        ("H61.21", "H61.22"),
        ("69210",),
        (),
        True,
    ),
)


@family
def sided_condition_cases(rng: random.Random, i: int) -> dict:
    text_, codes, cpt, hcpcs, with_em = CHRONIC_ORTHO[i % len(CHRONIC_ORTHO)]
    p, side = patient(rng, 20, 84), rng.choice(["right", "left"])
    setting = "orthopedics" if i % len(CHRONIC_ORTHO) < 3 else "primary_care"
    em_text, em = office_em(rng, rng.choice(["new", "established"]), rng.choice([1, 2]), p, setting)
    rules = (
        ["laterality"]
        + (["em_level"] if with_em else [])
        + (["integral_symptom"] if "otitis" in text_ else [])
        + (["dme_supplied"] if any(c[0] in "EL" for c in hcpcs) else [])
    )
    text = (
        f"{p.intro().capitalize()} seen for {text_.format(side=side)}. "
        f"{em_text if with_em else 'Procedure visit only.'}"
    )
    return fields(
        text,
        setting,
        rules,
        icd=[side_code(codes, side)],
        cpt=([em] if with_em else []) + list(cpt),
        hcpcs=hcpcs,
    )
