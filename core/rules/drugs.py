"""Drugs given in the office or ED and their HCPCS Level II supply codes: which J-code names the drug a note
says was given, and how many billing units the documented dose is (HCPCS descriptors state the amount one
unit stands for: "Injection, ketorolac tromethamine, per 15 mg" -> 60 mg is 4 units).

The drug names come from the loaded code set's own descriptors, so a code added to the HCPCS set (or the full
CMS file) is found without a list here; `BRANDS` only maps common brand names to the generic name."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from core.text import affirmed, split_sentences

# brand name (lower case) -> the generic name the HCPCS descriptor uses
BRANDS = {
    "depo-provera": "medroxyprogesterone", "depo-subq provera": "medroxyprogesterone",
    "depo-testosterone": "testosterone cypionate", "toradol": "ketorolac", "rocephin": "ceftriaxone",
    "kenalog": "triamcinolone", "depo-medrol": "methylprednisolone acetate",
    "solu-medrol": "methylprednisolone sodium succinate", "solu-cortef": "hydrocortisone sodium succinate",
    "decadron": "dexamethasone", "zofran": "ondansetron", "phenergan": "promethazine",
    "benadryl": "diphenhydramine", "reglan": "metoclopramide", "compazine": "prochlorperazine",
    "lasix": "furosemide", "ativan": "lorazepam", "valium": "diazepam", "haldol": "haloperidol",
    "narcan": "naloxone", "dilaudid": "hydromorphone", "prolia": "denosumab", "lupron": "leuprolide",
    "lovenox": "enoxaparin", "vistaril": "hydroxyzine", "b12": "cyanocobalamin", "vitamin b12": "cyanocobalamin",
    "vitamin b-12": "cyanocobalamin", "epipen": "epinephrine",
}
# words of a descriptor that do not name the drug (salts, forms, routes, qualifiers)
_NOT_NAMES = frozenset(
    "injection injections acetate cypionate enanthate undecanoate decanoate sodium disodium succinate phosphate "
    "hydrochloride sulfate methylsulfate tromethamine citrate maleate pamoate palmitate lauroxil acetonide "
    "valerate chloride procaine aqueous benzathine potassium otherwise specified excludes biosimilar "
    "biosimilars intravenous intramuscular subcutaneous infusion depot form extended release long acting "
    "preservative free formulation microsphere liquid lyophilized non human recombinant immune globulin "
    "vitamin units micrograms microgram minidose full dose solvent detergent complex alfa lock flush "
    "for use with administration through pump dme dose doses".split())
_FILLER = frozenset("injection for per up to not otherwise specified use with".split())
_DOSE_RE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(mg|mcg|micrograms?|g|grams?|units?|ml|cc|meq|iu)\b", re.I)
_UNIT_WORDS = {"micrograms": "mcg", "microgram": "mcg", "grams": "g", "gram": "g", "unit": "units", "cc": "ml"}
# a sentence that gives the drug now (not a prescription, a home medication, an allergy or a plan)
GIVEN_RE = (r"\b(given|administered|injected|injection|IM|IV|intramuscular(ly)?|intravenous(ly)?|"
            r"subcutaneous(ly)?|SC|SQ|subq|IV push|infused|infusion)\b")
# A vaccine is billed by its CPT product code (vaccine_administration), never by a drug J-code: 'Given
# tetanus-diphtheria-pertussis booster' is Tdap 90715, not tetanus immune globulin J1670.
# a sentence about vaccines (by the word, or by a vaccine's name: "MMR SC, varicella SC, hepatitis A IM") gives no
# drug: "hepatitis A" there is no hepatitis B immune globulin
_VACCINE_RE = re.compile(r"\b(vaccin\w*|booster|toxoid|immuni[sz]\w*|shot|Tdap|DTaP|Td|MMRV?|IPV|Hib|PCV\d*|PPSV\d*|"
                         r"HPV(-?9)?|MenACWY|MenB|Menveo|Gardasil|Shingrix|Prevnar|Pneumovax|Boostrix|Adacel|varicella|"
                         r"Varivax|rotavirus|RotaTeq|Rotarix|hep(atitis)? ?[AB]\b(?! immune)|Havrix|Engerix|Heplisav|"
                         r"Fluzone|Fluad|Flublok|Flucelvax|FluMist|IIV\d?|RIV\d?|RSV vaccine|Arexvy|Abrysvo)\b", re.IGNORECASE)
_NOT_GIVEN_RE = re.compile(r"\b(prescri\w*|refill\w*|continues?|at home|takes|taking|allerg\w*|declined|refused|"
                           r"will (give|start|receive)|plan(ned|s)? to|next (visit|dose|injection)|due (for|in)|"
                           r"yesterday|last (week|month|visit)|previously|by mouth|orally|PO|oral|tablets?|caps?|capsules?|"
                           r"(her|his|their|own) (own )?(supply|meds?|medications?|bottle)|from home|brought from|"
                           r"ODT|nebuli[sz]\w*|inhal\w*|topical\w*|daily|per day|(second|third|fourth|fifth) day)\b"
                           r"|\b(every|q) ?\d+ ?(h|hours?)\b|/ ?\d* ?h\b", re.I)  # a regimen, not one dose given here


@dataclass(frozen=True)
class DrugCode:
    code: str
    names: frozenset[str]  # the words that name the drug
    words: frozenset[str]  # every word of the descriptor (salts and qualifiers too)
    unit: str | None  # the amount one billing unit stands for, e.g. "15 mg", "up to 50 mg"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z0-9]+", text.lower().replace("-", " "))


@lru_cache(maxsize=4)
def drug_codes(codeset) -> tuple[DrugCode, ...]:
    """The injectable-drug HCPCS codes (J0120-J3591) of `codeset` with the words that name each drug."""
    found = []
    for code in codeset.codes("hcpcs"):
        if not ("J0120" <= code <= "J3591"):
            continue
        description = _DOSE_RE.sub(" ", codeset.describe(code))
        words = _words(description)
        names = frozenset(w for w in words if len(w) >= 5 and w not in _NOT_NAMES and not w.isdigit())
        if names:
            found.append(DrugCode(code, names, frozenset(words), codeset.units.get(code)))
    return tuple(found)


def _with_generics(sentence: str) -> str:
    lowered = sentence.lower()
    for brand, generic in BRANDS.items():
        lowered = re.sub(rf"\b{re.escape(brand)}\b", f"{brand} {generic}", lowered)
    return lowered


def _dose(sentence: str) -> tuple[float, str] | None:
    match = _DOSE_RE.search(sentence)
    if not match:
        return None
    unit = match.group(2).lower()
    return float(match.group(1).replace(",", "")), _UNIT_WORDS.get(unit, unit)


def _unit_amount(unit: str | None) -> tuple[float, str, bool] | None:
    """(amount, unit, 'up to') of a billing unit such as '15 mg' or 'up to 50 mg'."""
    match = _DOSE_RE.search(unit or "")
    if not match:
        return None
    word = match.group(2).lower()
    return float(match.group(1).replace(",", "")), _UNIT_WORDS.get(word, word), "up to" in unit.lower()


def billing_units(dose: tuple[float, str] | None, unit: str | None) -> int | None:
    """How many units of the code the dose is (a part of a unit counts as one), or None when unknown."""
    amount = _unit_amount(unit)
    if dose is None or amount is None or dose[1] != amount[1] or amount[0] <= 0:
        return None
    return max(1, math.ceil(dose[0] / amount[0] - 1e-9))


def _pick(candidates: list[DrugCode], sentence_words: set[str], dose) -> DrugCode | None:
    """One code among several that name the same drug: the one whose distinguishing words (salt, form) the
    sentence names, else the one with none ('not otherwise specified'); among doses, the smallest 'up to'
    amount that holds the given dose."""
    if len(candidates) > 1:
        shared = frozenset.intersection(*(c.words for c in candidates))
        own = {c.code: c.words - shared - _FILLER for c in candidates}
        named = [c for c in candidates if own[c.code] and own[c.code] <= sentence_words]
        candidates = named or [c for c in candidates if not own[c.code] or {"otherwise", "specified"} <= c.words]
    amounts = [_unit_amount(c.unit) for c in candidates]
    if len(candidates) > 1 and dose is not None and all(a and a[2] and a[1] == dose[1] for a in amounts):
        fitting = [(a[0], c) for a, c in zip(amounts, candidates, strict=True) if a[0] >= dose[0]]
        candidates = [min(fitting, key=lambda pair: pair[0])[1]] if fitting else candidates
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True)
class GivenDrug:
    code: str
    sentence: str
    units: int | None


def given_drugs(narrative: str, codeset) -> list[GivenDrug]:
    """The drugs a note says were given at this encounter, each with the one J-code that names it (drugs
    whose code is ambiguous are left out)."""
    found: dict[str, GivenDrug] = {}
    table = drug_codes(codeset)
    for sentence in split_sentences(narrative):  # a break only before white space: '0.3 mg' stays whole
        if not affirmed(sentence, GIVEN_RE) or _NOT_GIVEN_RE.search(sentence) or _VACCINE_RE.search(sentence):
            continue
        text = _with_generics(sentence)
        sentence_words = set(_words(text))
        by_name: dict[str, list[DrugCode]] = {}
        for drug in table:
            for name in drug.names & sentence_words:
                if affirmed(text, rf"\b{name}\b"):
                    by_name.setdefault(name, []).append(drug)
        for name, candidates in by_name.items():
            dose = _dose(text[text.find(name):])
            chosen = _pick(candidates, sentence_words, dose)
            if chosen and chosen.code not in found:
                found[chosen.code] = GivenDrug(chosen.code, sentence, billing_units(dose, chosen.unit))
    return list(found.values())


def only_taken_elsewhere(narrative: str, codeset, code: str) -> list[str] | None:
    """The sentences naming the drug of a J-code when none of them gives it here by injection (no route or
    administration word: 'furosemide 40 mg daily', 'increase furosemide to 40 mg BID'; or a dose given by mouth);
    None when one does, when the note never names the drug, or when the code's drug is not in the table."""
    names = next((d.names for d in drug_codes(codeset) if d.code == code), None)
    if not names:
        return None
    naming = [s for s in split_sentences(narrative) if names & set(_words(_with_generics(s)))]
    if not naming or any(affirmed(s, GIVEN_RE) and not _VACCINE_RE.search(s) and not _BY_MOUTH_RE.search(s)
                         for s in naming):
        return None
    return naming


# a dose given here by mouth ('dexamethasone 8.4 mg PO (tablets crushed in applesauce) given in clinic') is no
# injection: the injectable drug's J-code is not billed
_BY_MOUTH_RE = re.compile(r"\b(?:PO|p\.o\.|by mouth|orally|oral|tablets?|crushed|chewable|elixir|suspension|syrup)\b", re.I)


def same_drug(codeset, code: str, other: str) -> bool:
    """Whether two J-codes name the same drug (e.g. J2920 and J2930, methylprednisolone)."""
    names = {d.code: d.names for d in drug_codes(codeset)}
    return bool(names.get(code, frozenset()) & names.get(other, frozenset()))
