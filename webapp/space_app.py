"""Hugging Face Space entry point. `thce deploy space` copies this file to the Space folder's root as `app.py`
(the Space's app_file), with MODEL set to the model the folder was built with (core.space.launcher_text). It
points THCE_MODEL at that model unless a Space variable (Settings -> Variables) sets it, then runs
webapp/app.py: the app reads its model from THCE_MODEL only, and a Space's front matter cannot set variables.
In the repository itself this file is not run."""

import os
import sys
from pathlib import Path

MODEL = "thce-smol"  # replaced by `thce deploy space`

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("THCE_MODEL", "").strip():
    os.environ["THCE_MODEL"] = str(ROOT / "data" / "models" / MODEL)

from webapp.app import demo, main  # noqa: E402,F401  (demo: the Blocks, for tools that look for it)

if __name__ == "__main__":
    main()
