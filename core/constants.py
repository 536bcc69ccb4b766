"""Constants shared by several layers, each defined here once (tests/test_constants.py fails when one is
defined again elsewhere). Imports nothing from core, so every layer may import it."""

from __future__ import annotations

# The code systems, in the order answers, tables and reports list them.
SYSTEMS: tuple[str, ...] = ("icd10cm", "cpt", "hcpcs")

# Names a person or a model may give a system (answer keys, "dx:E11.9" prefixes, --system), written as
# `system_of` folds them: lower case, without '-', '_' and spaces.
SYSTEM_ALIASES: dict[str, str] = {
    "icd10cm": "icd10cm", "icd10": "icd10cm", "icd": "icd10cm", "diagnoses": "icd10cm", "diagnosis": "icd10cm",
    "dx": "icd10cm",
    "cpt": "cpt", "cpt4": "cpt", "procedures": "cpt", "procedure": "cpt",
    "hcpcs": "hcpcs", "hcpcs2": "hcpcs", "supplies": "hcpcs", "drugs": "hcpcs",
}

# The longest narrative THCE takes, everywhere: the pipeline refuses longer ones (the model's context is
# small), so the web form, the review store and the stage-file checks hold to the same limit; a longer
# narrative could never be coded, reviewed or learned from.
MAX_NARRATIVE_CHARS = 20_000

# Retrieval candidates per system handed to the pipeline and to training prompts (the prompt shows at most
# core.prompts.PROMPT_CANDIDATES of them).
CANDIDATES_PER_SYSTEM = 8

# A reasoning line quotes at most this many words of the narrative; a longer quote is cut and ends with the mark
# (the training data writes it so, core.datasets.reasoning; decoding holds the model to it, core.inference.style).
QUOTE_WORDS = 12
SHORTENED_QUOTE_MARK = " ..."


def system_of(name: str) -> str | None:
    """The system a name stands for ('ICD-10-CM', 'dx', 'Procedures' ...), or None."""
    return SYSTEM_ALIASES.get(str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", ""))
