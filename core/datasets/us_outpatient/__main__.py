"""python -m core.datasets.us_outpatient [PATH]: (re)write the seeded US outpatient evaluation set."""

import sys
from pathlib import Path

from core.datasets.us_outpatient import write_us_outpatient

target = Path(sys.argv[1] if len(sys.argv) > 1 else "data/eval/us_outpatient.jsonl")
print(f"wrote {write_us_outpatient(target)} cases to {target}")
