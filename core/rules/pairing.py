"""Procedure pairing: a drug given in the office is billed as its supply (the HCPCS J-code, in units of the
descriptor's dose; `core.rules.drugs`) with the service that gave it (CPT 96372 for an IM/SC injection, 96374
IV push, 96365 IV infusion), and a vaccine product with its administration code (CPT 90471/90472, or for a
Medicare patient G0008 flu / G0009 pneumococcal / G0010 hepatitis B instead), with ICD-10-CM Z23 for the
immunization encounter (ICD-10-CM Official Guidelines I.C.21.c.2), not the disease the vaccine prevents; a
product code is billed only for a vaccine the note documents."""

from __future__ import annotations

import re
from dataclasses import replace

from core.rules.documentation import documented_keys, supported
from core.rules.drugs import given_drugs, only_taken_elsewhere, same_drug
from core.rules.em import patient_family
from core.rules.models import Context, Rule
from core.rules.narrative import patient_age, short_quote, spans_several_encounters
from core.text import SPACED_DASH, affirmed, split_sentences

DRUG_GUIDELINE = ("CPT drug administration (96360-96379): the administration is reported with the drug supply code "
                  "(HCPCS Level II J-code, units per its descriptor)")
VACCINE_GUIDELINE = ("CPT immunization administration (90460-90474) and CMS G0008-G0010 (Medicare Claims "
                     "Processing Manual ch. 18); "
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


# vaccine CPT product codes by the vaccine they give, with the names a note uses for it
_FLU = (*(str(c) for c in range(90653, 90669)), "90672", "90673", "90674", "90682", "90685", "90686", "90687",
        "90688", "90689", "90694", "90756")
VACCINES: dict[str, tuple[tuple[str, ...], str]] = {
    "flu": (_FLU, r"\binfluenza\b|\bflu\b|\bflu[- ]?shot|Fluzone|Flublok|Fluad|Flucelvax|FluMist|Afluria|Fluarix"),
    "pneumococcal": (("90669", "90670", "90671", "90677", "90684", "90732"),
                     r"pneumococcal|\bpneumonia (vaccine|shot)|\bPCV\d*\b|\bPPSV\d*\b|Prevnar|Pneumovax|Vaxneuvance"
                     r"|Capvaxive"),
    "hepatitis_b": (("90739", "90740", "90743", "90744", "90746", "90747", "90759"),
                    r"hepatitis B|\bhep ?B\b|Engerix|Heplisav|Recombivax|PreHevbrio"),
    "hepatitis_a": (("90632", "90633", "90634"), r"hepatitis A\b|\bhep ?A\b|Havrix|Vaqta"),
    "tetanus": (("90714", "90715"), r"\bTdap\b|\bTd\b|tetanus|Boostrix|Adacel|Tenivac"),
    "zoster": (("90750",), r"zoster|shingles|Shingrix"),
    "hpv": (("90649", "90650", "90651"), r"\bHPV\b|papilloma|Gardasil"),
    "mmr": (("90707", "90710"), r"\bMMRV?\b|measles|ProQuad"),
    "varicella": (("90716",), r"varicella|chicken ?pox|Varivax"),
    "meningococcal": (("90619", "90620", "90621", "90623", "90733", "90734"),
                      r"mening|\bMenACWY|\bMenB\b|Menveo|MenQuadfi|Bexsero|Trumenba|Penbraya"),
    "rsv": (("90678", "90679", "90683"), r"\bRSV\b|respiratory syncytial|Arexvy|Abrysvo|mResvia"),
    "rotavirus": (("90680", "90681"), r"rotavirus|RotaTeq|Rotarix"),
    "typhoid": (("90690", "90691"), r"typhoid"),
    "rabies": (("90675", "90676"), r"rabies"),
}
_KINDS = {code: kind for kind, (codes, _) in VACCINES.items() for code in codes}


def vaccine_kind(code: str) -> str | None:
    """The vaccine a CPT product code gives ('flu', 'pneumococcal', ...), 'other' for a product not in
    VACCINES (a combination vaccine), None for a code that is no vaccine product."""
    if not ("90476" <= code <= "90759"):
        return None
    return _KINDS.get(code, "other")


_LOCAL_ANESTHETIC_RE = re.compile(r"\b(lidocaine|xylocaine|bupivacaine|marcaine|ropivacaine|mepivacaine)\b", re.I)


def _local_anesthetic(drug) -> bool:
    """A local anesthetic injected with a procedure (a joint injection, a repair) is part of the procedure: its
    J-code is not billed (J2001 is lidocaine given IV)."""
    return bool(_LOCAL_ANESTHETIC_RE.search(drug.sentence)) and drug.code in ("J2001", "J0670", "J2795", "J0665") and not re.search(
        r"\b(iv|intravenous\w*|infusion|drip)\b", drug.sentence, re.I)


def _supplies(ctx: Context) -> list:
    """The J-code of each drug the note says was given here that the answer lacks (the supply is billed with
    its administration; the units are the documented dose over the descriptor's amount). Not on a narrative
    that spans several encounters (a hospital course): which drug was given at the billed encounter is unknown."""
    if spans_several_encounters(ctx.narrative):
        return []
    coded = [c for c in ctx.codes.get("hcpcs", []) if is_injectable_drug(c)]
    edits = []
    for drug in given_drugs(ctx.narrative, ctx.codeset):
        if any(same_drug(ctx.codeset, drug.code, c) for c in coded) or _local_anesthetic(drug):
            continue
        units = f", {drug.units} unit{'s' if drug.units != 1 else ''} of {ctx.codeset.units.get(drug.code)}" \
            if drug.units else ""
        edits.append(DRUG_RULE.edit("add", "hcpcs", drug.code, f"the note says the drug was given here "
                                    f"('{drug.sentence}'): its supply code is {drug.code}{units}"))
        coded.append(drug.code)
    return edits


def _facility_drugs(ctx: Context) -> list:
    """On the ED's own note the physician's claim bills neither the drugs nor their administration: the hospital
    supplies them and reports them on its facility claim (CMS: drug administration codes 96360-96379 are not
    payable to physicians in a facility setting). Coded ones are dropped."""
    reason = "the ED's note: the hospital bills the drug and its administration on its facility claim, not the physician"
    return ([DRUG_RULE.edit("drop", "hcpcs", c, f"{reason} ({c})") for c in ctx.codes.get("hcpcs", []) if is_injectable_drug(c)]
            + [DRUG_RULE.edit("drop", "cpt", c, f"{reason} ({c})") for c in ctx.codes.get("cpt", []) if c in DRUG_ADMIN])


# a nebulizer treatment given here (94640) and the inhalation solution it gave (HCPCS J76xx), by the note's words
NEBULIZER_DRUGS: tuple[tuple[str, str], ...] = (
    (r"\bduo-?neb\b|\balbuterol\b[^.;]{0,40}\bipratropium\b|\bipratropium\b[^.;]{0,40}\balbuterol\b", "J7620"),
    (r"\blevalbuterol\b|\bxopenex\b", "J7614"), (r"\balbuterol\b", "J7613"), (r"\bipratropium\b|\batrovent\b", "J7644"),
    (r"\bbudesonide\b|\bpulmicort\b", "J7626"),
)
_NEB_RE = re.compile(r"\bneb(?:ulizer|ulized|ulization|s)?\b|\bduo-?neb\b", re.I)
_NEB_GIVEN_RE = re.compile(r"\b(?:given|administered|x ?\d|in (?:clinic|office)|here|treatments?|tx|->|reassess\w*)\b",
                           re.I)
_NEB_AT_HOME_RE = re.compile(r"\b(?:home|prn|rx|prescri\w*|q ?\d+ ?h|continue|MDI|HFA|inhaler|machine|supplies)\b", re.I)


def _nebulizer(ctx: Context) -> list:
    """A nebulizer treatment the office gave ('albuterol 2.5 mg via nebulizer x1 -> wheeze improved'): the
    inhalation drug's J-code and the treatment 94640, each added when the answer lacks it."""
    for sentence in split_sentences(ctx.narrative, keep_labels=True):
        if not (_NEB_RE.search(sentence) and _NEB_GIVEN_RE.search(sentence)) or _NEB_AT_HOME_RE.search(sentence):
            continue
        drug = next((code for pattern, code in NEBULIZER_DRUGS if re.search(pattern, sentence, re.I)), None)
        if drug is None or not affirmed(sentence, _NEB_RE.pattern):
            continue
        quote = short_quote(sentence)
        edits = []
        if not any(c.startswith("J76") for c in ctx.codes.get("hcpcs", [])) and ctx.codeset.is_valid(drug, "hcpcs"):
            edits.append(DRUG_RULE.edit("add", "hcpcs", drug, f"the note gives a nebulizer treatment ('{quote}'): the "
                                        f"inhalation solution is {drug} ({ctx.codeset.describe(drug).split(',')[0]})"))
        if "94640" not in ctx.codes.get("cpt", []):
            edits.append(DRUG_RULE.edit("add", "cpt", "94640", f"the note gives a nebulizer treatment ('{quote}'): "
                                        "its administration is 94640"))
        return edits
    return []


def _propose_drug(ctx: Context) -> list:
    if patient_family(ctx.narrative, list(ctx.codes.get("cpt", []))) == "ed":
        return _facility_drugs(ctx)
    return _injected(ctx) + _nebulizer(ctx)


_PROCEDURE_RE = re.compile(r"\binject\w*|\bprocedure\b|\baspirat\w*|\barthrocentesis\b|\bblock\b", re.I)


def _not_given_here(ctx: Context) -> list:
    """A drug J-code whose drug the note names only as taken, prescribed or planned, never as given here, in a
    note with no injection procedure (a joint injection's drug is named in the procedure's own lines)."""
    if (spans_several_encounters(ctx.narrative) or _PROCEDURE_RE.search(ctx.narrative)
            or any(c.startswith(INJECTION_PROCEDURES) for c in ctx.codes.get("cpt", []))):
        return []
    edits = []
    for code in ctx.codes.get("hcpcs", []):
        naming = only_taken_elsewhere(ctx.narrative, ctx.codeset, code) if is_injectable_drug(code) else None
        if naming:
            edits.append(DRUG_RULE.edit("drop", "hcpcs", code, f"the note names the drug only as taken or prescribed, "
                                        f"not given here ('{short_quote(naming[0])}'): its supply code {code} is not billed"))
    return edits


def _injected(ctx: Context) -> list:
    gone = _not_given_here(ctx)
    if gone:
        dropped = {e.code for e in gone}
        ctx = replace(ctx, codes={**ctx.codes, "hcpcs": [c for c in ctx.codes.get("hcpcs", []) if c not in dropped]})
    return gone + _injected_drugs(ctx)


# a joint, bursa or tendon sheath injection or aspiration done at the visit -> its procedure code: (the site's
# words, code landmark-guided, code with ultrasound guidance); most specific first (CPT 20550, 20600-20611)
JOINT_PROCEDURES: tuple[tuple[str, str, str], ...] = (
    (r"\btendon sheath\b|\btrigger finger\b|\bde ?quervain|\bflexor (?:tendon )?sheath\b", "20550", "20550"),
    (r"\b(?:finger|toe|thumb|digit)s?\b|\b(?:mcp|pip|dip|mtp|cmc|ip)\b(?: joint)?", "20600", "20604"),
    (r"\bwrist\b|\belbow\b|\bankle\b|\bolecranon\b|\bac joint\b|\bacromioclavicular\b|\btmj\b", "20605", "20606"),
    (r"\bknee\b|\bshoulder\b|\bhip\b|\bsubacromial\b|\bglenohumeral\b|\btrochanteric\b|\bpes anserine\b", "20610", "20611"),
)
JOINT_CODES = frozenset({"20550", "20551", "20552", "20553", "20600", "20604", "20605", "20606", "20610", "20611"})
_ANY_INJECTION_RE = re.compile(r"\binject\w*|\baspirat\w*|\barthrocentesis\b|\btapped\b|\bjoint tap\b|\btrigger point\b|"
                               r"\bsteroid shot\b|\bcortisone shot\b|\bdrain\w*", re.I)
_JOINT_DONE_RE = re.compile(r"\binjected\b|\baspirated\b|\barthrocentesis\b|\b(?:injection|aspiration) (?:performed|given|done|today)\b|"
                            r"^\W*procedure\W+[^.;]*\b(?:injection|aspiration)\b|"
                            r"\b(?:knee|shoulder|hip|joint|bursa|sheath|subacromial)\b[^.;]{0,20}\binjection\b(?=[^.;]*\b(?:consent|"
                            r"prepped|sterile|time-?out|tolerated)\b)", re.I)
_JOINT_LATER_RE = re.compile(r"\bwill\b|\bconsider\w*|\boffer\w*|\bprefers?\b|\bnext (?:visit|time)\b|\bdeclin\w*|\bif\b|\bprevious\w*|"
                             r"\blast (?:inj\w*|visit|time)|\bago\b|\bprior\b|\bno sooner\b", re.I)
_US_GUIDED_RE = re.compile(r"\b(?:ultrasound|us|sono\w*)[- ]guid\w*|\bunder (?:ultrasound|us)\b|\bwith (?:ultrasound|us) guidance\b", re.I)
_NO_US_RE = re.compile(r"\bno (?:us|ultrasound)\b|\blandmark[- ]guided\b|\bwithout (?:ultrasound|us)\b", re.I)


def _joint_procedure(ctx: Context) -> list:
    """An injection or aspiration of a joint, bursa or tendon sheath the note says was done gets its procedure code
    when the answer holds none: by the site's size (small 20600, intermediate 20605, major 20610; tendon sheath
    20550), with ultrasound guidance when documented (20604, 20606, 20611). Not in the ED's own note."""
    cpt = ctx.codes.get("cpt", [])
    joint = [c for c in cpt if c in JOINT_CODES]
    if joint and not _ANY_INJECTION_RE.search(ctx.narrative):
        return [DRUG_RULE.edit("drop", "cpt", c, f"the note names no injection, aspiration or arthrocentesis: {c} "
                               f"({ctx.codeset.describe(c)}) is not billed") for c in joint]
    if any(c.startswith(INJECTION_PROCEDURES) or c in ("20604", "20606", "20611") for c in cpt):
        return []
    sentences = split_sentences(ctx.narrative, keep_labels=True)
    for i, sentence in enumerate(sentences):
        if not _JOINT_DONE_RE.search(sentence) or _JOINT_LATER_RE.search(sentence) or not affirmed(sentence, _JOINT_DONE_RE.pattern):
            continue
        site = None
        for before in reversed(sentences[max(0, i - 8):i + 1]):  # the nearest site named, the procedure's lines first
            site = next(((plain, guided) for pattern, plain, guided in JOINT_PROCEDURES if re.search(pattern, before, re.I)), None)
            if site:
                break
        if site is None:
            continue
        guided = bool(_US_GUIDED_RE.search(ctx.narrative)) and not _NO_US_RE.search(ctx.narrative)
        code = site[1] if guided else site[0]
        return [DRUG_RULE.edit("add", "cpt", code, f"the note documents the injection or aspiration done here "
                               f"('{short_quote(sentence)}'): {code} ({ctx.codeset.describe(code)})")]
    return []


def _injected_drugs(ctx: Context) -> list:
    procedure = _joint_procedure(ctx)
    if procedure:
        ctx = replace(ctx, codes={**ctx.codes, "cpt": [*ctx.codes.get("cpt", []), procedure[0].code]})
    return procedure + _injected_or_administered(ctx)


def _injected_or_administered(ctx: Context) -> list:
    supplies = _supplies(ctx)
    drugs = [c for c in ctx.codes.get("hcpcs", []) if is_injectable_drug(c)] + [e.code for e in supplies]
    cpt = ctx.codes.get("cpt", [])
    vaccine_admin = [c for c in cpt + ctx.codes.get("hcpcs", []) if c in VACCINE_ADMIN_CPT or c in MEDICARE_ADMIN.values()]
    if not drugs and vaccine_admin:  # a vaccine's injection is its own administration code, not a drug's
        return [DRUG_RULE.edit("drop", "cpt", code, f"no drug is documented as given: the injection was the "
                               f"vaccine's, reported with {vaccine_admin[0]}, so {code} is not coded")
                for code in cpt if code in DRUG_ADMIN]
    if not drugs or any(c in DRUG_ADMIN or c.startswith(INJECTION_PROCEDURES) for c in cpt):
        return supplies
    for pattern, admin, what in ROUTES:
        if affirmed(ctx.narrative, pattern):
            return supplies + [DRUG_RULE.edit("add", "cpt", admin, f"{drugs[0]} was given as {what}: the "
                                              f"administration {admin} is billed with the drug")]
    return supplies


# vaccine products named unambiguously in a note -> CPT product code
PRODUCTS: tuple[tuple[str, str], ...] = (
    (r"\bTdap\b", "90715"), (r"\bPCV20\b|\b20-valent pneumococcal conjugate", "90677"),
    (r"\brecombinant zoster\b|\bShingrix\b", "90750"), (r"\bhigh-dose influenza\b|\bFluzone High-Dose\b", "90662"),
    (r"\bquadrivalent\b[^.]{0,30}\bpreservative[- ]free\b", "90686"),
    (r"\b(?:IIV3|trivalent)\b[^.]{0,40}\bpreservative[- ]free\b|\bpreservative[- ]free\b[^.]{0,40}\b(?:IIV3|trivalent)\b",
     "90656"),
    (r"\badjuvanted (?:inactivated )?influenza\b|\bFluad\b", "90653"), (r"\bRIV4\b|\bFlublok\b", "90682"),
    (r"\bccIIV4\b|\bFlucelvax\b", "90674"), (r"\bPCV15\b|\bVaxneuvance\b", "90671"),
    (r"\bPPSV23\b|\bPneumovax\b", "90732"), (r"\bMenACWY\b|\bMenveo\b|\bMenactra\b|\bMenQuadfi\b", "90734"),
    (r"\bHPV-?9\b|\b9vHPV\b|\bGardasil[- ]?9\b", "90651"), (r"\bMMRV\b|\bProQuad\b", "90710"),
    (r"\bMMR\b(?!V)", "90707"), (r"\bvaricella vaccine\b|\bVarivax\b", "90716"), (r"\bDTaP\b(?![- ]?(?:IPV|HepB))", "90700"),
    (r"\bIPV\b(?<!DTaP-IPV)", "90713"), (r"\bRotarix\b|\bRV1\b", "90681"), (r"\bRotaTeq\b|\bRV5\b", "90680"),
    (r"\bArexvy\b", "90679"), (r"\bAbrysvo\b", "90678"),
    (r"\bpneumococcal conjugate\b[^.;]{0,15}\b20-valent\b|\bPrevnar ?20\b", "90677"),
    (r"\bIIV3\b(?![^.;]{0,40}\bmulti-?dose\b)", "90656"),  # IIV3 0.5 mL: the single-dose (preservative-free) product
)
# products a vaccine list names by the vaccine alone ('varicella (SC)', 'hepatitis A pediatric dose 1'), read only
# when the note names that vaccine as a vaccine (_named_vaccines): (pattern, kind, code under 19, code from 19)
NAMED_PRODUCTS: tuple[tuple[str, str, str, str], ...] = (
    (r"\bvaricella\b(?![- ]zoster| infection| titer| immun)", "varicella", "90716", "90716"),
    (r"\bhep(?:atitis)?[- ]?A\b(?![- ]?(?:b|ab|antibod|igm|igg|titer|infection))|\bHavrix\b|\bVaqta\b", "hepatitis_a",
     "90633", "90632"),
)


def _documented_products(ctx: Context) -> list[str]:
    """Vaccine products the note names and the answer lacks, when an immunization is coded (Z23, a product or
    an administration code)."""
    coded = set(ctx.codes.get("cpt", [])) | set(ctx.codes.get("hcpcs", []))
    given = ctx.has("icd10cm", "Z23") or any(vaccine_kind(c) for c in coded) or bool(
        coded & (VACCINE_ADMIN_CPT | set(MEDICARE_ADMIN.values())))
    if not given:
        return []
    missing = _not_given_kinds(ctx.narrative)  # 'Declined Tdap' names no product given
    found = [code for pattern, code in PRODUCTS if code not in coded and given_today(ctx.narrative, pattern)
             and vaccine_kind(code) not in missing]
    named, age = _named_vaccines(ctx.narrative), patient_age(ctx.narrative)
    for pattern, kind, child, adult in NAMED_PRODUCTS:
        code = child if age is not None and age < 19 else adult
        if (kind in named and kind not in missing and not any(vaccine_kind(c) == kind for c in coded | set(found))
                and given_today(ctx.narrative, pattern)):
            found.append(code)
    return list(dict.fromkeys(found))


_CLAUSE_RE = re.compile(rf"[;,]|{SPACED_DASH}")
_PAST_DOSE_RE = re.compile(r"\b(?:received|had|got|prior|at age \d+)\b", re.I)
_TODAY_RE = re.compile(r"\btoday\b|\bthis visit\b|\bnow\b", re.I)


def given_today(narrative: str, pattern: str) -> bool:
    """Whether a clause names the vaccine product (`pattern`) as given at this visit: affirmed, and not told as a
    past or outside dose ('received PPSV23 at age 66; PCV20 0.5 mL IM given today' gives PCV20 only) unless the
    clause says it was given today."""
    for sentence in split_sentences(narrative, keep_labels=True):
        bounds = [0] + [m.end() for m in _CLAUSE_RE.finditer(sentence)] + [len(sentence) + 1]
        for match in re.finditer(pattern, sentence, re.I):
            start = max(b for b in bounds if b <= match.start())
            end = min(b for b in bounds if b > match.start())
            clause = sentence[start:max(end, match.end())]  # the clause the product's name begins in
            if not affirmed(clause, pattern):
                continue
            if (_NOT_GIVEN_RE.search(clause) or _PAST_DOSE_RE.search(clause)) and not (
                    _says_given(clause) or _TODAY_RE.search(clause)):
                continue
            return True
    return False


def _medicare(ctx: Context) -> bool:
    return bool(affirmed(ctx.narrative, r"\bmedicare\b"))


# what says a vaccine is meant, not the disease of the same name ("Roommate had flu" names no flu vaccine)
_VACCINE_CUE_RE = re.compile(r"\bvaccin\w*|\bimmuni[sz]\w*|\bshots?\b|\bgiven\b|\badministered\b|\bdeltoid\b|"
                             r"\bthigh\b|\b[RL] arm\b|\b(?:IM|SC|SQ|subq)\b|\bsubcutaneous|\bintramuscular|\bdose\b|"
                             r"\bbooster\b|\bVIS\b", re.I)
_ANY_VACCINE_RE = re.compile(r"\bvaccin\w*|\bimmuni[sz]\w*", re.I)


def _named_vaccines(narrative: str) -> set[str]:
    """The vaccines the note names as vaccines: an affirmed mention in a sentence that says a vaccine or a dose is
    meant ('Tdap IM L deltoid'), or in a short list item under such a line ('Immunizations today:', 'MMR',
    'Varicella')."""
    sentences = split_sentences(narrative, keep_labels=True)
    named = set()
    for kind, (_, pattern) in VACCINES.items():
        for i, sentence in enumerate(sentences):
            context, j = sentence, i - 1
            if j >= 0 and sentences[j].rstrip().endswith((":", ";")):  # the heading or item before ("...: DTaP;")
                context = sentences[j] + " " + context
            while len(sentence.split()) <= 4 and j >= 0 and len(sentences[j].split()) <= 6:  # a list's items
                context, j = sentences[j] + " " + context, j - 1
            if re.search(pattern, sentence, re.I) and affirmed(sentence, pattern) and _VACCINE_CUE_RE.search(context):
                named.add(kind)
                break
    return named


def _undocumented_products(ctx: Context) -> list:
    """Vaccine products the note does not document: a product of a vaccine it never names as a vaccine (the
    disease of the same name is not one: "influenza A positive", "no flu shot this season"), or another product
    of a vaccine whose product it names (a product code is billed for the vaccine given, not a neighbour of it).
    A note that names no vaccine but speaks of vaccines or immunizations ("vaccines given per schedule") is
    left as coded."""
    named = _named_vaccines(ctx.narrative)
    exact = {code: vaccine_kind(code) for pattern, code in PRODUCTS if given_today(ctx.narrative, pattern)}
    vague = not named and bool(affirmed(ctx.narrative, _ANY_VACCINE_RE.pattern))
    edits = []
    for code in ctx.codes.get("cpt", []):
        kind = vaccine_kind(code)
        if vague or kind in (None, "other") or code in exact:
            continue
        if kind not in named:
            edits.append(VACCINE_RULE.edit("drop", "cpt", code, f"the note names no {_words(kind)} vaccine: its product "
                                           f"code {code} is not billed"))
        elif kind in exact.values():
            product = next(c for c, k in exact.items() if k == kind)
            edits.append(VACCINE_RULE.edit("drop", "cpt", code, f"the note names the {_words(kind)} vaccine given "
                                           f"({product}): {code} is another product"))
    return edits


# vaccines of more than one component (toxoids, antigens): 90461 for each component after the first
MULTI_COMPONENT = frozenset({"90696", "90697", "90698", "90700", "90702", "90707", "90710", "90714", "90715", "90723",
                             "90748"})
_TODDLER_RE = re.compile(r"\btoddler\b|\b\d{1,2}[- ]?(?:mo|months?)\b(?! ago)", re.I)
_COUNSEL_RE = re.compile(r"\bcounsel(?:ed|ing|led|ling)?\b", re.I)


def _counseled_child(ctx: Context) -> bool:
    """A patient under 19 whose vaccines the physician or QHP counseled on: CPT 90460/90461, not 90471/90472."""
    age = patient_age(ctx.narrative)
    child = age < 19 if age is not None else bool(_TODDLER_RE.search(ctx.narrative))
    return child and bool(_COUNSEL_RE.search(ctx.narrative))


def _child_administration(ctx: Context, vaccines: list[tuple[str, str]], present: list[str]) -> list:
    wanted = ["90460"] + (["90461"] if any(c in MULTI_COMPONENT for c, _ in vaccines) else [])
    reason = "a patient under 19 counseled on the vaccines: their administration is 90460 (+90461 for further components)"
    return ([VACCINE_RULE.edit("drop", "cpt", c, f"{reason}, not {c}") for c in present if c not in ("90460", "90461")]
            + [VACCINE_RULE.edit("add", "cpt", c, reason) for c in wanted if c not in present])


def _administration(ctx: Context, vaccines: list[tuple[str, str]]) -> list:
    """The administration codes the vaccines call for: a child counseled on them, 90460/90461; Medicare pays
    flu, pneumococcal and hepatitis B administration by G0008/G0009/G0010 (not 90471/90472); every other vaccine
    by 90471, 90472 for each further one. Codes an answer has are kept unless a Medicare G-code takes their place."""
    present = [c for c in ctx.codes.get("cpt", []) if c in VACCINE_ADMIN_CPT]
    if _counseled_child(ctx):
        return _child_administration(ctx, vaccines, present)
    has_g = set(ctx.codes.get("hcpcs", [])) & set(MEDICARE_ADMIN.values())
    medicare = [k for _, k in vaccines if k in MEDICARE_ADMIN] if _medicare(ctx) else []
    others = len(vaccines) - len(medicare)
    if (present or has_g) and not medicare:
        if others > 1 and "90471" in present and "90472" not in present:
            return [VACCINE_RULE.edit("add", "cpt", "90472", "90472 for each vaccine after the first (90471)")]
        return []
    wanted_cpt = (["90471"] if others else []) + (["90472"] if others > 1 else [])
    spare = [c for c in present if c in ("90471", "90472") and c not in wanted_cpt]
    edits = [VACCINE_RULE.edit("drop", "cpt", c, "Medicare pays the administration of flu, pneumococcal and "
                               "hepatitis B vaccines by G0008/G0009/G0010, not by a CPT administration code")
             for c in spare]
    for kind in dict.fromkeys(medicare):
        if MEDICARE_ADMIN[kind] not in has_g:
            edits.append(VACCINE_RULE.edit("add", "hcpcs", MEDICARE_ADMIN[kind], f"a Medicare patient got a {_words(kind)} "
                                           f"vaccine: its administration is {MEDICARE_ADMIN[kind]}"))
    if not present:
        reasons = {"90471": "a vaccine product is billed with its administration: 90471 for the first",
                   "90472": "90472 for each further vaccine"}
        edits += [VACCINE_RULE.edit("add", "cpt", c, reasons[c]) for c in wanted_cpt]
    return edits


# a vaccine named in a note: up to four words before 'vaccine' (and a parenthesis after it)
_VACCINE_NAME_RE = re.compile(r"(?:[\w-]+\s+){0,4}(?:vaccines?|vaccinations?|immuni[sz]ations?|booster|shot)\b"
                              r"(?:\s*\([^)]*\))?", re.I)


def _vaccine_diseases(ctx: Context) -> list:
    """Diagnoses the note names only as a vaccine given (influenza for a flu shot, zoster for Shingrix): the
    immunization is Z23, the disease it prevents is not a diagnosis of the encounter."""
    without = documented_keys(_VACCINE_NAME_RE.sub(" ", ctx.narrative))
    full = documented_keys(ctx.narrative)
    return [VACCINE_RULE.edit("drop", "icd10cm", code, f"the note names {ctx.codeset.describe(code).lower()} only "
                              f"as the vaccine given: {code} is not coded (the encounter is Z23)")
            for code in ctx.diagnoses() if supported(ctx.codeset, code, full)
            and not supported(ctx.codeset, code, without)]


def _words(kind: str) -> str:
    """A vaccine kind as a reason says it ('hepatitis_b' -> 'hepatitis b')."""
    return kind.replace("_", " ")


def _undocumented_immunization(ctx: Context) -> list:
    """With no vaccine product left, on a note that names no vaccine as given (_named_vaccines) and affirms no vaccine
    or immunization: nothing was given, so neither Z23 (encounter for immunization, I.C.21.c.2) nor a vaccine
    administration code is coded. A vaccine named only to deny it ('No flu shot this year') or a disease going
    around ('lots of flu at the school') is no immunization of this encounter."""
    if _named_vaccines(ctx.narrative) or affirmed(ctx.narrative, _ANY_VACCINE_RE.pattern):
        return []
    edits = [VACCINE_RULE.edit("drop", "icd10cm", "Z23", "the note names no vaccine given: Z23 (encounter for "
                               "immunization) is not coded")] if ctx.has("icd10cm", "Z23") else []
    reason = "the note names no vaccine given: the administration {} is not coded"
    return (edits + [VACCINE_RULE.edit("drop", "cpt", c, reason.format(c)) for c in ctx.codes.get("cpt", [])
                     if c in VACCINE_ADMIN_CPT]
            + [VACCINE_RULE.edit("drop", "hcpcs", c, reason.format(c)) for c in ctx.codes.get("hcpcs", [])
               if c in MEDICARE_ADMIN.values()])


# a vaccine the patient did not get at this encounter: declined, deferred, or given elsewhere or before
_NOT_GIVEN_RE = re.compile(r"\b(declin\w*|refus\w*|defer\w*|postpon\w*|not (given|administered|done)|"
                           r"(at )?(the |a )?pharmacy|elsewhere|previously|last (week|month|year)|ago|complete[d]?|utd|"
                           r"at (his |her |their )?(work|job|employer|school)|workplace|employer|occupational health|"
                           r"health department|"
                           r"up to date|current|already|plans? to|will get|recommended|due|next (visit|year)|(19|20)\d\d)\b"
                           r"|\b\d{1,2}/(19|20)\d\d\b", re.I)
_GIVEN_RE = re.compile(r"(?<!not )\b(given|administered|injected)\b", re.I)
_NO_BEFORE_RE = re.compile(r"\b(no|not|none|never)\b[^.;,]*$", re.I)


def _says_given(sentence: str) -> bool:
    """A 'given', 'administered' or 'injected' no negation before it in its clause denies ('no vaccine given
    today' gives none)."""
    return any(not _NO_BEFORE_RE.search(sentence[max(0, m.start() - 30):m.start()]) for m in _GIVEN_RE.finditer(sentence))


def _not_given_kinds(narrative: str) -> set[str]:
    """Vaccines every sentence naming which says it was not given here ('declined the flu shot', 'received
    Shingrix at the pharmacy last month'): their product, administration and Z23 are not coded."""
    kinds = set()
    sentences = split_sentences(narrative, keep_labels=True)
    for kind, (_, pattern) in VACCINES.items():
        naming = [s for s in sentences if re.search(pattern, s, re.I)]
        if naming and all(_NOT_GIVEN_RE.search(s) and not _says_given(s) for s in naming):
            kinds.add(kind)
    return kinds


def _not_given(ctx: Context) -> list:
    """Drop the products of vaccines the note says were not given here; with no vaccine left, their
    administration codes and Z23 too."""
    missing = _not_given_kinds(ctx.narrative)
    products = [c for c in ctx.codes.get("cpt", []) if vaccine_kind(c) in missing]
    if not products:
        return []
    edits = [VACCINE_RULE.edit("drop", "cpt", c, f"the note says the {_words(vaccine_kind(c))} vaccine was not given "
                               f"at this encounter: its product code {c} is not billed") for c in products]
    named_given = {kind for kind, (_, pattern) in VACCINES.items() if kind not in missing and affirmed(ctx.narrative, pattern)}
    if any(vaccine_kind(c) and c not in products for c in ctx.codes.get("cpt", [])) or named_given:
        return edits  # another vaccine was given: its administration and Z23 stay
    reason = "no vaccine was given at this encounter: {} is not coded"
    edits += [VACCINE_RULE.edit("drop", "cpt", c, reason.format(c)) for c in ctx.codes.get("cpt", [])
              if c in VACCINE_ADMIN_CPT]
    edits += [VACCINE_RULE.edit("drop", "hcpcs", c, reason.format(c)) for c in ctx.codes.get("hcpcs", [])
              if c in MEDICARE_ADMIN.values()]
    if ctx.has("icd10cm", "Z23"):
        edits.append(VACCINE_RULE.edit("drop", "icd10cm", "Z23", reason.format("Z23 (encounter for immunization)")))
    return edits


def _propose_vaccine(ctx: Context) -> list:
    declined = _not_given(ctx)
    if declined:  # what is left is read on: another vaccine given at the same visit is coded too
        gone = {(e.system, e.code) for e in declined}
        ctx = replace(ctx, codes={system: [c for c in codes if (system, c) not in gone]
                                  for system, codes in ctx.codes.items()})
    return declined + _given_vaccines(ctx)


def _given_vaccines(ctx: Context) -> list:
    dropped = _undocumented_products(ctx)
    added = _documented_products(ctx)
    products = [VACCINE_RULE.edit("add", "cpt", code, f"the note names the vaccine given: its product code {code} "
                                  "is billed with the administration") for code in added]
    gone = {e.code for e in dropped}
    vaccines = [(c, vaccine_kind(c)) for c in [*ctx.codes.get("cpt", []), *added] if vaccine_kind(c) and c not in gone]
    if not vaccines:
        return dropped + _undocumented_immunization(ctx)
    edits = dropped + products + _vaccine_diseases(ctx) + ([] if ctx.has("icd10cm", "Z23") else [VACCINE_RULE.edit(
        "add", "icd10cm", "Z23", "a vaccine was given: Z23 (encounter for immunization) is coded")])
    return edits + _administration(ctx, vaccines)


DRUG_RULE = Rule("drug_administration", DRUG_GUIDELINE,
                 "a drug J-code goes with its administration code; a drug given here gets its J-code",
                 _propose_drug)
VACCINE_RULE = Rule("vaccine_administration", VACCINE_GUIDELINE,
                    "a vaccine product goes with its administration code and Z23", _propose_vaccine)
