"""Medical decision making read from a visit note that does not state its level (2021 AMA office/outpatient E/M
guidelines, the MDM table, as adopted by CMS; the 2023 ED guidelines use the same table).

MDM has three elements, each graded straightforward (0), low (1), moderate (2) or high (3); the level is the one
that two of the three meet or exceed:

- **Problems** addressed (the assessment's items): a self-limited or minor problem 0; an acute uncomplicated
  illness or injury, or one stable chronic illness, 1; a chronic illness with exacerbation, progression or side
  effects of treatment, two or more stable chronic illnesses, an acute illness with systemic symptoms, or an
  undiagnosed new problem with uncertain prognosis 2; a chronic illness with severe exacerbation, or an acute or
  chronic illness that poses a threat to life or bodily function, 3.
- **Data** reviewed and analyzed: category 1 counts each unique test ordered or reviewed, external notes
  reviewed and an independent historian; category 2 is an independent interpretation of a test; category 3 a
  discussion of management with an external physician. Limited (1): two of category 1, or a historian; moderate
  (2): three of category 1, or category 2, or category 3; extensive (3): two of the three categories.
- **Risk** of the management: over-the-counter drugs, physical therapy, rest 1; prescription drug management or
  a parenteral drug 2; a decision about hospitalization or emergency surgery, or drug therapy needing intensive
  monitoring for toxicity, 3.

This is an estimate from the note's words (cue lists below), shown with its three grades in the E/M edit's
reason so that a coder can check it; a level the note states (MDM or total time) always wins (core.rules.em)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASSESSMENT_RE = re.compile(r"(?im)^\W*(?:assessment(?:\s*(?:and|&|/)\s*plan)?|a\s*/\s*p|impression(?:\s*(?:and|&|/)\s*plan)?"
                            r"|dx|diagnos[ie]s|a|mdm)\s*:")
_PLAN_RE = re.compile(r"(?im)^\W*(?:plan|p|disposition|dispo)\s*:|^[ \t]*(?:plan|disposition|dispo)(?=[ \t]+\S|[ \t]*$)"
                      r"|(?-i:^[ \t]*P(?=[ \t]+[a-z]|[ \t]*$))")
# an assessment label written without a colon at the start of a line ('A/P', 'Dx acute cholecystitis')
_ASSESSMENT_BARE_RE = re.compile(r"(?im)^[ \t]*(?:a/p|a&p|assessment(?: and plan)?|impression|dx)(?=[ \t]+\S|[ \t]*$)"
                                 r"|(?-i:^[ \t]*A[ \t]*$|^[ \t]*A(?=[ \t]+(?:[A-Z]|\d[.)])))")
_ITEM_SPLIT_RE = re.compile(r"(?:^|\s)\d{1,2}[.)]\s+|\n+|;\s+")

# an illness or injury that threatens life or bodily function (in the assessment, even when it is only being ruled
# out: its work-up is what the problem costs)
_THREAT = (r"sepsis|septic|stemi|nstemi|myocardial infarction|\bmi\b|acute coronary|\bacs\b|unstable angina|pulmonary embol"
           r"|\bpe\b|stroke|\bcva\b(?! tender)|\btia\b|respiratory failure|hypoxi|ketoacidosis|\bdka\b|appendicitis|bowel obstruction"
           r"|\bsbo\b|gi bleed|hemorrhage|suicid|anaphyla|status asthmaticus|torsion|ectopic|meningitis|cauda equina"
           r"|hypertensive (?:emergency|urgency)|dissection|syncope|altered mental|overdose|fracture of (?:the )?(?:hip|femur)"
           r"|hip fracture|cholecystitis|pancreatitis|head injury with|loss of consciousness")
_SEVERE = r"severe exacerbation|acute on chronic|decompensat|crisis"
# chronic illnesses (a long-lasting condition a visit manages)
_CHRONIC = (r"diabet|\bdm\d?\b|\bt2dm\b|hypertension|\bhtn\b|hyperlipid|\bhld\b|dyslipid|cholesterol|copd|asthma|\bckd\b|kidney disease"
            r"|heart failure|\bchf\b|\bhfref\b|\bhfpef\b|atrial fib|\bafib\b|\ba-?fib\b|\bpaf\b|coronary|\bcad\b|hypothyroid|hyperthyroid"
            r"|depress|\bmdd\b|anxiety|\bgad\b|bipolar|schizo|adhd|osteoarthritis|\boa\b|rheumatoid|gout|gerd|reflux|obesity"
            r"|osteopor|osteopenia|migraine|epilep|seizure disorder|parkinson|dementia|neuropathy|anticoagulation|insomnia"
            r"|chronic|\bbph\b|psoriasis|eczema|hepatitis|\bhiv\b|sleep apnea|\bosa\b|glaucoma|anemia")
_WORSE = (r"exacerbation|flare|worse|worsening|uncontrolled|failed|refractory|(?<!not )intractable|severe|"
          r"inadequate response|little benefit|not responding|no response|not (?:at|to) goal|above goal|not controlled|poorly controlled|"
          r"suboptimal|progress|side effect|adverse|intoleran|elevated|rising|increas|adjust|titrat|not improv|relapse")
_STABLE = r"stable|controlled|at goal|well[- ]controlled|unchanged|in remission|doing well|no change"
# fever alone is part of many uncomplicated illnesses (strep, sinusitis, otitis): not a systemic illness by itself
_SYSTEMIC = r"systemic|dehydrat|rigors|pneumonia|cellulitis|bronchiolitis|pyelonephritis|diverticulitis|mononucleosis"
_UNDIAGNOSED = r"r/o|rule out|ruled out|possible|suspect|concern for|versus|\bvs\b|unclear|undetermined|work-?up|uncertain|mass|lump|nodule"
_MINOR = r"insect bite|cerumen|wart|common cold|abrasion|minor|self-limited|callus|skin tag|lice"

_TESTS = {  # a unique test (category 1: ordered or reviewed), by the words that name it
    "cbc": r"\bcbc\b|blood count", "bmp": r"\bbmp\b|basic metabolic", "cmp": r"\bcmp\b|comprehensive metabolic",
    "lipid": r"lipid|\bldl\b", "a1c": r"a1c", "tsh": r"\btsh\b|thyroid (?:panel|function)", "ua": r"\bua\b|urinalysis|urine dip",
    "urine culture": r"urine culture|\bucx\b", "culture": r"(?<!urine )culture", "strep": r"strep (?:test|antigen|swab)|rapid strep",
    "flu": r"influenza (?:a/b )?(?:test|antigen|swab|pcr)|flu (?:test|swab)|rapid influenza", "covid": r"covid(?:-19)? (?:test|antigen|pcr)|sars-cov-2",
    "troponin": r"troponin", "bnp": r"\bbnp\b", "d-dimer": r"d-?dimer", "inr": r"\binr\b|\bpt/inr\b", "lft": r"\blfts?\b|liver (?:function|enzymes)",
    "lipase": r"lipase", "psa": r"\bpsa\b", "vitamin d": r"vitamin d level|25-oh", "hcg": r"\bhcg\b|pregnancy test", "esr": r"\besr\b|\bcrp\b",
    "x-ray": r"x-?ray|\bxr\b|\bcxr\b|radiograph|films?\b", "ct": r"\bct\b|\bcta\b|computed tomography", "mri": r"\bmri\b",
    "ultrasound": r"(?<!no )ultrasound|sonogra|echo(?:cardiogram)?\b|\b(?:ruq|renal|pelvic|transvaginal|abdominal|doppler|"
                  r"venous|carotid|bedside|pocus|ob) us\b|\bus (?:of|abd\w*|pelvis|renal|ruq|guided)\b", "ecg": r"\becg\b|\bekg\b|electrocardiogram",
    "pft": r"\bpfts?\b|spirometry", "creatinine": r"creatinine|\bcr\b|egfr|renal (?:function|panel)",
    "hemoglobin": r"\bhgb\b|hemoglobin(?! a1c)", "iron": r"ferritin|\btsat\b|iron (?:studies|indices|panel)",
    "potassium": r"potassium|\bk \d", "b12": r"\bb12\b", "magnesium": r"magnesium", "dexa": r"\bdexa\b|bone density", "mammogram": r"mammogra", "colonoscopy": r"colonoscopy",
    "stress test": r"stress test", "holter": r"holter|event monitor", "viral load": r"viral load|\b(?:hcv|hiv|hbv) rna\b|genotype",
    "elastography": r"fibroscan|elastograph",
}
_HISTORIAN = r"\b(?:mom|mother|dad|father|parent|wife|husband|spouse|daughter|son|caregiver|family member|ems)\b[^.]{0,40}\b(?:report|state|provide|says|notes|gives)|history (?:obtained|provided|given) (?:from|by)|per (?:mom|mother|dad|father|parent|wife|husband|family|caregiver|ems)|here with (?:mom|mother|dad|father|parent)"
_EXTERNAL_NOTES = r"outside records|records from|external (?:records|notes)|notes from (?:the |her |his )?(?:ed|er|hospital|cardiolog|specialist)|reviewed (?:the )?(?:ed|er|hospital|discharge) (?:records|notes|summary)"
# an interpretation the physician does not bill ("my read" of an office x-ray is billed as the x-ray: not data)
_INTERPRETATION = r"independent(?:ly)? (?:interpret|review)|personally (?:reviewed|interpreted) the (?:images|films|ct|mri|scan)"
_DISCUSSION = r"discussed (?:the case )?with (?:dr\.?|cardiology|surgery|the surgeon|ortho|orthopedics|on-?call|radiology|neurology|the consultant|gi|urology|nephrology|hospitalist|poison control|his |her )"
_HIGH_RISK = (r"\badmi(?:t|ssion|tted)\b|hospitaliz|transfer(?:red)? to|\bicu\b|to the or\b|emergency surgery|\bdnr\b|hospice|"
              r"intensive monitoring|observation (?:admission|unit)|escalat\w* (?:of|to) (?:care|hospital|the icu|icu)")
_RX = (r"\brx\b|prescri|refill|\b(?:start|started|starting|begin|initiate|increase|increased|decrease|decreased|reduce|"
       r"titrate|switch|change|add|continue|continued|resume|stop|discontinue)\b[^.;\n]{0,40}\b\d+(?:\.\d+)? ?(?:mg|mcg|units?|g)\b"
       r"|\b\d+(?:\.\d+)? ?(?:mg|mcg)\b[^.;\n]{0,30}\b(?:bid|tid|qid|daily|qhs|q\d+h|weekly|x ?\d+ ?d)|\b(?:im|iv)\b[^.;\n]{0,25}\bgiven\b"
       r"|\bgiven\b[^.;\n]{0,25}\b(?:im|iv)\b|(?:ketorolac|ceftriaxone|dexamethasone|methylprednisolone|toradol)\b[^.;\n]{0,25}\b(?:im|iv)\b"
       # eye and ear drops, creams and ointments prescribed with their dosing ("1 gtt OU q4h x7 d")
       r"|\bgtts?\b[^.;\n]{0,20}\b(?:ou|od|os|au|ad|as|q\d+h|bid|tid|qid)\b"
       r"|\b(?:drops|ointment|cream)\b[^.;\n]{0,30}\b(?:bid|tid|qid|q\d+h|x ?\d+ ?d)\b")
_LOW_RISK = (r"\botc\b|over[- ]the[- ]counter|acetaminophen|ibuprofen|tylenol|motrin|naproxen|physical therapy|\bpt referral|"
             r"hand therapy|splint|sling|boot|crutch|cast\b|brace|immobiliz|supportive care|saline|rest\b|ice\b|fluids|home exercises?|exercise program|activity modification|return to (?:full )?activit\w*|"
             # a minor procedure decided on and done at the visit (minor surgery without risk factors: low risk)
             r"\brepair(?:ed)?\b|\bsutur|\bstaple[sd]?\b|\bi&d\b|incision and drainage|dermabond|steri-?strips")
# a decision about elective major surgery (moderate risk without risk factors)
_SURGERY = r"arthroplasty|\btka\b|\btha\b|replacement surgery|surgical (?:repair|fixation|options)|\borif\b|surgery schedul|schedul\w* (?:for )?surgery|proceed with (?:surgery|\w+ (?:repair|replacement))|operative (?:management|treatment)"
# prescription drugs by their stems, managed in the plan (started, continued, changed, refilled)
_DRUG = (r"\b\w+(?:pril|sartan|olol|dipine|statin|formin|gliptin|gliflozin|glutide|prazole|tidine|oxetine|traline|alopram|azepam|"
         r"zolam|cycline|cillin|mycin|floxacin|cef\w+|sone|olone|xaban|gatran|thiazide|semide|tropium|terol|sonide|lukast|thyroxine|"
         r"pentin|gabalin|triptan|afil|osin|steride|nidine|zodone|epine|pidem|apine|idone|tiapine|mide|vir)\b|\b(?:warfarin|insulin|"
         r"metoprolol|levothyroxine|apixaban|rivaroxaban|amoxicillin|prednisone|albuterol|montelukast|methylphenidate|sertraline|"
         r"bupropion|venlafaxine|duloxetine|trazodone|cyclobenzaprine|tramadol|hydrocodone|oxycodone|ondansetron|famotidine|"
         r"fluticasone|iron|ferrous)\b")
_MANAGED = (r"\b(?:continue[sd]?|refill\w*|start\w*|increase\w*|decrease\w*|reduce\w*|titrat\w*|switch\w*|add\w*|resume\w*|stop\w*|hold\w*|change\w*|rx)\b"
            r"|#\s?\d+\b|\bdisp(?:ense)?\b|\b(?:second|next|another) dose\b")
# a decision about hospitalization documented anywhere in the note ('observation admission for serial testing was
# considered and discussed with the patient'; the 2023 ED guidelines count a decision not to admit too)
_ADMISSION_DECISION = (r"\b(?:admission|admit(?:ting)?|hospitali[sz]\w*|observation)\b[^.;]{0,50}\b(?:considered|discussed|"
                       r"offered|recommended|declined|refused)\b|\b(?:considered|discussed|offered|recommended)\b[^.;]{0,30}"
                       r"\b(?:admission|admit(?:ting)?|hospitali[sz]\w*|observation (?:admission|stay|unit))\b")
_NO_ADMISSION = r"\bno (?:need|indication|reason) for (?:admi|hospital)|\bno (?:need for )?admi|not admi|declin\w* admi|not (?:requir\w*|need\w*) (?:admi|hospital)"
# a procedure done at this visit named after 's/p' ('Colles fracture - s/p closed reduction') is no past condition
_DONE_TODAY = r"\bs/p (?:closed |open )?(?:reduction|splint\w*|repair|i&d|incision|drainage|reduction and splint\w*)\b"
# an acute complicated injury: a displaced, angulated, comminuted or open fracture, one reduced, a dislocation (a
# nondisplaced, buckle or avulsion fracture splinted is an acute uncomplicated injury)
_COMPLICATED_INJURY = (r"\bdislocat|\bsubluxat|(?<!non)(?<!non-)\bdisplaced\b|\bangulat|\breduc(?:ed|tion)\b|\bcomminuted\b|"
                       r"\bopen fracture\b|\bcolles\b|\bsmith'?s fracture\b|\bhip fracture\b")


@dataclass(frozen=True)
class MdmEstimate:
    problems: int
    data: int
    risk: int

    @property
    def level(self) -> int:
        return sorted((self.problems, self.data, self.risk))[1]

    def describe(self) -> str:
        names = ("minimal", "low", "moderate", "high")
        return f"problems {names[self.problems]}, data {names[self.data]}, risk {names[self.risk]}"


def _assessment(narrative: str) -> str:
    """The assessment (and plan) section: from its first label to the end; the whole note when it has none."""
    match = _ASSESSMENT_RE.search(narrative) or _ASSESSMENT_BARE_RE.search(narrative)
    return narrative[match.end():] if match else narrative


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


_PAST = r"\bh/o\b|\bhx of\b|history of|\bs/p\b|status post|\bprior\b|\bremote\b"


def _problem_grade(item: str) -> tuple[int, bool]:
    """(grade, whether it is a stable chronic illness) of one assessment item."""
    if _has(_PAST, re.sub(_DONE_TODAY, " ", item, flags=re.I)) and not _has(_WORSE, item):
        return 1, False  # a past condition followed up: at most a stable one
    if _has(_THREAT, item) or _has(_SEVERE, item):
        return 3, False
    if _has(_COMPLICATED_INJURY, item):
        return 2, False  # an acute complicated injury (a fracture or dislocation to treat)
    chronic = _has(_CHRONIC, item)
    if chronic and _has(_WORSE, item):
        return 2, False
    if chronic:
        return 1, True
    if _has(_SYSTEMIC, item) or _has(_UNDIAGNOSED, item):
        return 2, False
    if _has(_MINOR, item):
        return 0, False
    return 1, False


# in the ED's note a fracture imaged and treated is an acute complicated injury (the ED's level 4): development, 3 of 3
# nondisplaced fractures of the ankle and ribs billed 99284; a child's torus, buckle or greenstick fracture
# splinted stays uncomplicated (3 of 3 billed 99283), and a fracture ruled out is none
_ED_FRACTURE = r"\bfx\b|\bfractures?\b"
_UNCOMPLICATED_FRACTURE = r"\btorus\b|\bbuckle\b|\bgreenstick\b|\bno (?:acute )?(?:fx|fracture)|\bfracture (?:was )?ruled out|\brule out\b|\br/o\b"


def problems_grade(narrative: str, ed: bool = False) -> int:
    items = [item.strip() for item in _ITEM_SPLIT_RE.split(_PLAN_RE.split(_assessment(narrative))[0])
             if len(item.strip()) > 2 and not re.search(r"not (?:addressed|managed|discussed) today", item, re.I)]
    grades = [_problem_grade(item) for item in items] or [(1, False)]
    if ed:
        grades += [(2, False) for item in items if _has(_ED_FRACTURE, item) and not _has(_UNCOMPLICATED_FRACTURE, item)]
    best = max(grade for grade, _ in grades)
    if sum(stable for _, stable in grades) >= 2:
        best = max(best, 2)
    return best


def data_grade(narrative: str) -> int:
    text = narrative.lower()
    tests = sum(1 for pattern in _TESTS.values() if re.search(pattern, text))
    category_1 = tests + _has(_EXTERNAL_NOTES, text) + _has(_HISTORIAN, text)
    categories = [category_1 >= 3, _has(_INTERPRETATION, text), _has(_DISCUSSION, text)]
    if sum(categories) >= 2:
        return 3
    if any(categories):
        return 2
    return 1 if category_1 >= 2 or _has(_HISTORIAN, text) else 0


def risk_grade(narrative: str) -> int:
    plan = _assessment(narrative)
    if (_has(_HIGH_RISK, plan) and not _has(_NO_ADMISSION, plan)) or (
            _has(_ADMISSION_DECISION, narrative) and not _has(_NO_ADMISSION, narrative)):
        return 3
    if _has(_RX, narrative) or _has(_SURGERY, plan) or any(
            _has(_DRUG, sentence) and _has(_MANAGED, sentence) for sentence in re.split(r"(?<=[.;])\s+|\n+", plan)):
        return 2
    return 1 if _has(_LOW_RISK, plan) else 0


def estimate_mdm(narrative: str, ed: bool = False) -> MdmEstimate:
    """The MDM the note's content supports; `ed`: the ED's own note (a fracture is a complicated injury there)."""
    return MdmEstimate(problems_grade(narrative, ed), data_grade(narrative), risk_grade(narrative))
