"""HCPCS Level II drugs (billed per dose unit) and supplies, with the routes they are given by.

Units billed = ceil(dose / unit_amount): "ondansetron 4 mg IV" with J2405 (per 1 mg) -> 4 units.
"""

from core.datasets.concepts.model import Drug as G
from core.datasets.concepts.model import Supply as S

DRUGS: tuple[G, ...] = (
    G("ondansetron", "J2405", ("ondansetron", "Zofran"), 1, "mg", (4, 8), ("IV", "IM")),
    G("ketorolac", "J1885", ("ketorolac", "Toradol"), 15, "mg", (15, 30, 60), ("IV", "IM")),
    G("dexamethasone", "J1100", ("dexamethasone", "Decadron"), 1, "mg", (4, 10, 12), ("IV", "IM")),
    G("ceftriaxone", "J0696", ("ceftriaxone", "Rocephin"), 250, "mg", (250, 500, 1000, 2000), ("IM", "IV")),
    G("triamcinolone", "J3301", ("triamcinolone acetonide", "Kenalog"), 10, "mg", (40, 80), ("IA", "IM")),
    G("methylpred_40", "J1030", ("methylprednisolone acetate", "Depo-Medrol"), 40, "mg", (40,), ("IM", "IA")),
    G("methylpred_80", "J1040", ("methylprednisolone acetate", "Depo-Medrol"), 80, "mg", (80,), ("IM", "IA")),
    G("solumedrol_125", "J2930", ("methylprednisolone sodium succinate", "Solu-Medrol"), 125, "mg", (125,), ("IV",)),
    G("solumedrol_40", "J2920", ("methylprednisolone sodium succinate", "Solu-Medrol"), 40, "mg", (40,), ("IV", "IM")),
    G("diphenhydramine", "J1200", ("diphenhydramine", "Benadryl"), 50, "mg", (25, 50), ("IV", "IM")),
    G("promethazine", "J2550", ("promethazine", "Phenergan"), 50, "mg", (12.5, 25), ("IM", "IV")),
    G("hydromorphone", "J1170", ("hydromorphone", "Dilaudid"), 4, "mg", (0.5, 1, 2), ("IV",)),
    G("morphine", "J2270", ("morphine sulfate", "morphine"), 10, "mg", (2, 4, 6), ("IV",)),
    G("fentanyl", "J3010", ("fentanyl citrate", "fentanyl"), 100, "mcg", (50, 100), ("IV",)),
    G("midazolam", "J2250", ("midazolam", "Versed"), 1, "mg", (1, 2), ("IV",)),
    G("epinephrine", "J0171", ("epinephrine", "adrenalin"), 0.1, "mg", (0.3, 0.5), ("IM",)),
    G("normal_saline", "J7030", ("normal saline", "0.9% sodium chloride"), 1000, "ml", (1000, 2000), ("IVF",)),
    G("lactated_ringers", "J7120", ("lactated Ringer's", "LR"), 1000, "ml", (1000,), ("IVF",)),
    G("lorazepam", "J2060", ("lorazepam", "Ativan"), 2, "mg", (1, 2), ("IV",)),
    G("heparin", "J1644", ("heparin sodium", "heparin"), 1000, "units", (5000,), ("SC",)),
    G("enoxaparin", "J1650", ("enoxaparin", "Lovenox"), 10, "mg", (40, 80), ("SC",)),
    G("insulin", "J1815", ("regular insulin", "insulin"), 5, "units", (5, 10), ("SC",)),
    G("cyanocobalamin", "J3420", ("cyanocobalamin", "vitamin B12"), 1000, "mcg", (1000,), ("IM",)),
    G("medroxyprogesterone", "J1050", ("medroxyprogesterone acetate", "Depo-Provera"), 1, "mg", (150,), ("IM",)),
    G("penicillin_benzathine", "J0561", ("penicillin G benzathine", "Bicillin L-A"), 100000, "units", (1200000, 2400000), ("IM",)),
    G("prochlorperazine", "J0780", ("prochlorperazine", "Compazine"), 10, "mg", (10,), ("IV", "IM")),
    G("furosemide", "J1940", ("furosemide", "Lasix"), 20, "mg", (20, 40), ("IV",)),
    G("acetaminophen_iv", "J0131", ("IV acetaminophen", "Ofirmev"), 10, "mg", (1000,), ("IV",)),
    G("gentamicin", "J1580", ("gentamicin",), 80, "mg", (80,), ("IM", "IV")),
    G("diazepam", "J3360", ("diazepam", "Valium"), 5, "mg", (5, 10), ("IV",)),
    G("albuterol_neb", "J7613", ("albuterol nebulized", "albuterol unit dose"), 1, "mg", (2.5, 5), ("neb",)),
    G("duoneb", "J7620", ("albuterol-ipratropium (DuoNeb)", "DuoNeb"), 2.5, "mg", (2.5,), ("neb",)),
    G("ipratropium_neb", "J7644", ("ipratropium nebulized", "Atrovent neb"), 1, "mg", (0.5,), ("neb",)),
    G("magnesium", "J3475", ("magnesium sulfate",), 500, "mg", (2000,), ("IV",)),
    G("cefazolin", "J0690", ("cefazolin", "Ancef"), 500, "mg", (1000, 2000), ("IV",)),
    G("vancomycin", "J3370", ("vancomycin",), 500, "mg", (1000, 1250), ("IV",)),
    G("testosterone", "J1071", ("testosterone cypionate",), 1, "mg", (100, 200), ("IM",)),
    G("denosumab", "J0897", ("denosumab", "Prolia"), 1, "mg", (60,), ("SC",)),
    G("naloxone", "J2310", ("naloxone", "Narcan"), 1, "mg", (0.4, 2), ("IV", "IM")),
    G("haloperidol", "J1630", ("haloperidol", "Haldol"), 5, "mg", (5,), ("IM",)),
    G("botox", "J0585", ("onabotulinumtoxinA", "Botox"), 1, "units", (155,), ("IM",)),
    G("infliximab", "J1745", ("infliximab", "Remicade"), 10, "mg", (400,), ("IV",)),
    G("ferric_carboxymaltose", "J1439", ("ferric carboxymaltose", "Injectafer"), 1, "mg", (750,), ("IV",)),
    G("atropine", "J0461", ("atropine sulfate", "atropine"), 0.01, "mg", (0.5, 1), ("IV",)),
    G("levofloxacin", "J1956", ("levofloxacin IV", "Levaquin IV"), 250, "mg", (500, 750), ("IV",)),
    G("glucagon", "J1610", ("glucagon",), 1, "mg", (1,), ("IM",)),
    G("amiodarone", "J0282", ("amiodarone",), 30, "mg", (150,), ("IV",)),
    G("adenosine", "J0153", ("adenosine", "Adenocard"), 1, "mg", (6, 12), ("IV",)),
    G("lidocaine_iv", "J2001", ("IV lidocaine",), 10, "mg", (100,), ("IV",)),
    G("propofol", "J2704", ("propofol", "Diprivan"), 10, "mg", (100, 200), ("IV",)),
)

SUPPLIES: tuple[S, ...] = (
    S("crutches", "E0114", ("crutches dispensed", "fitted for adjustable underarm crutches"),
      ("ankle_sprain", "metatarsal_fracture", "knee_sprain")),
    S("knee_immobilizer", "L1830", ("knee immobilizer provided", "prefabricated knee immobilizer applied"),
      ("knee_sprain", "knee_contusion")),
    S("wrist_brace", "L3908", ("cock-up wrist brace dispensed", "prefabricated wrist splint provided"),
      ("carpal_tunnel",)),
    S("sling", "A4565", ("arm sling provided", "placed in a sling"), ("clavicle_fracture",)),
    S("walking_boot", "L4361", ("pneumatic walking boot dispensed", "CAM walker boot provided"),
      ("metatarsal_fracture", "ankle_sprain")),
    S("glucose_strips", "A4253", ("blood glucose test strips, 50 count",), ("t2dm", "t2dm_hyperglycemia", "t1dm")),
    S("glucometer", "E0607", ("home blood glucose monitor dispensed",), ("t2dm", "t2dm_hyperglycemia", "t1dm")),
    S("nebulizer_machine", "E0570", ("home nebulizer machine dispensed",), ("asthma_exacerbation", "copd_exacerbation")),
)

ROUTE_WORDS = {"IV": ("IV", "IV push", "intravenously"), "IM": ("IM", "intramuscular", "IM injection"),
               "SC": ("SC", "subcutaneous", "subQ"), "IA": ("intra-articular",), "neb": ("via nebulizer", "nebulized"),
               "IVF": ("IV bolus", "IV over 1 hour")}

# CPT administration code by route; None where administration is part of the procedure (joint injection)
ADMIN_CODE_BY_ROUTE = {"IV": "96374", "IM": "96372", "SC": "96372", "IVF": "96360", "neb": "94640", "IA": None}
ADDITIONAL_IV_PUSH = "96375"
