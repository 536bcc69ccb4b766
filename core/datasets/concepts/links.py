"""Clinical links between concepts: which services, drugs, supplies and status codes fit a diagnosis.

Keys refer to the concept tables; the generator ignores keys whose concept was filtered out.
"""

from __future__ import annotations

# diagnosis key -> long-term drug status concepts (Z79.*) that may accompany it
STATUS_LINKS: dict[str, tuple[str, ...]] = {
    "t2dm": ("insulin_use", "oral_hypoglycemic_use"),
    "t2dm_hyperglycemia": ("insulin_use", "oral_hypoglycemic_use"),
    "t2dm_neuropathy": ("oral_hypoglycemic_use",),
    "t2dm_nephropathy": ("insulin_use",),
    "afib": ("anticoagulant_use",),
    "paroxysmal_afib": ("anticoagulant_use",),
    "cad": ("aspirin_use",),
    "old_mi": ("aspirin_use",),
}

# diagnosis group -> services (CPT keys) performed during the visit
SERVICES_BY_GROUP: dict[str, tuple[str, ...]] = {
    "cardio": ("ecg", "bmp", "lipid_panel", "bnp", "echo", "cmp"),
    "endocrine": ("a1c", "lipid_panel", "cmp", "tsh", "fingerstick_glucose", "vitamin_d", "venipuncture"),
    "blood": ("cbc_diff", "b12", "venipuncture"),
    "respiratory": ("cxr_2v", "pulse_ox", "spirometry"),
    "digestive": ("cmp", "lipase", "us_ruq", "hepatic_panel", "ct_abd_w"),
    "renal": ("bmp", "ua_auto", "ua_dipstick", "psa"),
    "neuro": ("ct_head", "mri_brain", "bmp"),
    "mental": ("depression_screen",),
    "msk": ("esr", "crp", "lumbar_xr"),
    "skin": (),
    "eye_ear": (),
    "infection": ("cbc_diff", "rapid_strep", "rapid_flu", "covid_pcr", "ua_dipstick", "urine_culture", "cxr_2v",
                  "blood_culture"),
    "neoplasm": ("cbc_diff", "cmp"),
    "symptom": ("cbc_diff", "bmp", "ua_dipstick", "ecg", "cxr_2v"),
    "injury": (),
}

# specific diagnosis key -> services that fit it better than the group default
SERVICES_BY_DIAGNOSIS: dict[str, tuple[str, ...]] = {
    "strep": ("rapid_strep",), "influenza": ("rapid_flu",), "covid": ("covid_pcr",),
    "uti": ("ua_dipstick", "urine_culture"), "cystitis": ("ua_dipstick",), "pyelonephritis": ("ua_auto", "urine_culture", "cbc_diff"),
    "pneumonia": ("cxr_2v", "cbc_diff"), "chest_pain": ("ecg", "troponin", "cxr_2v"), "nstemi": ("troponin", "ecg"),
    "pe": ("cta_chest", "troponin"), "dvt": ("venous_duplex",), "appendicitis": ("ct_abd_w", "cbc_diff"),
    "cholecystitis": ("us_ruq", "lipase"), "kidney_stone": ("ct_abd_wo", "ua_dipstick"), "renal_colic": ("ct_abd_wo",),
    "ankle_sprain": ("ankle_xr",), "distal_radius_fracture": ("wrist_xr",), "knee_sprain": ("knee_xr",),
    "knee_oa": ("knee_xr",), "concussion": ("ct_head",), "stroke": ("ct_head",), "tia": ("ct_head", "ecg"),
    "syncope": ("ecg", "fingerstick_glucose"), "palpitations": ("ecg", "tsh"), "prostate_cancer": ("psa",),
    "hyperthyroidism": ("tsh",), "hypothyroidism": ("tsh",), "anticoagulant_use": ("pt_inr",),
    "dehydration": ("bmp",), "hypokalemia": ("bmp",), "hyponatremia": ("bmp",), "chf": ("bnp", "cxr_2v"),
    "abdominal_pain": ("cbc_diff", "lipase", "ct_abd_w"), "rlq_pain": ("cbc_diff", "ct_abd_w"),
    "fever": ("cbc_diff", "blood_culture"), "cough": ("cxr_2v",), "sob": ("cxr_2v", "pulse_ox"),
}

# diagnosis key -> drugs administered during the visit
DRUGS_BY_DIAGNOSIS: dict[str, tuple[str, ...]] = {
    "nausea_vomiting": ("ondansetron", "promethazine", "prochlorperazine"),
    "viral_gastroenteritis": ("ondansetron", "normal_saline"),
    "dehydration": ("normal_saline", "lactated_ringers"),
    "renal_colic": ("ketorolac", "morphine", "ondansetron"), "kidney_stone": ("ketorolac", "hydromorphone"),
    "migraine": ("ketorolac", "prochlorperazine", "diphenhydramine"), "headache": ("ketorolac",),
    "low_back_pain": ("ketorolac", "methylpred_40"), "lumbar_strain": ("ketorolac",),
    "strep": ("penicillin_benzathine",), "pneumonia": ("ceftriaxone", "levofloxacin"),
    "pyelonephritis": ("ceftriaxone",), "uti": ("ceftriaxone",),
    "asthma_exacerbation": ("albuterol_neb", "duoneb", "dexamethasone", "solumedrol_125"),
    "copd_exacerbation": ("duoneb", "solumedrol_125", "ipratropium_neb"),
    "allergic_reaction": ("diphenhydramine", "solumedrol_125"), "urticaria": ("diphenhydramine", "dexamethasone"),
    "anaphylaxis": ("epinephrine", "diphenhydramine"), "b12_anemia": ("cyanocobalamin",),
    "iron_deficiency_anemia": ("ferric_carboxymaltose",), "osteoporosis": ("denosumab",),
    "chf": ("furosemide",), "hfref": ("furosemide",), "cellulitis_leg": ("cefazolin", "vancomycin"),
    "dvt": ("enoxaparin", "heparin"), "pe": ("heparin",), "t2dm_hyperglycemia": ("insulin",),
    "epilepsy": ("lorazepam",), "gout": ("methylpred_40",), "rheumatoid_arthritis": ("methylpred_80",),
    "sinusitis": ("ceftriaxone",), "bronchitis": ("dexamethasone",), "croup": ("dexamethasone",),
    "knee_oa": ("triamcinolone", "methylpred_40"), "shoulder_pain": ("triamcinolone",),
    "opioid_dependence": ("naloxone",), "atopic_dermatitis": ("triamcinolone",),
}

# diagnosis key -> counseling/screening services that go with it
COUNSELING_BY_DIAGNOSIS: dict[str, tuple[str, ...]] = {
    "nicotine_dependence": ("smoking_counseling",),
    "depression": ("depression_screen",), "mdd_recurrent": ("depression_screen",), "anxiety": ("depression_screen",),
}

VACCINES = ("flu_vaccine", "tdap", "ppsv23")
VACCINE_ADMIN = "vaccine_admin"
VACCINE_ADMIN_CODE = "90471"
IMMUNIZATION_DIAGNOSIS = "Z23"
