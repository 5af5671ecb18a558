"""Put this checkout first on ``sys.path`` and ``PYTHONPATH``.

Every benchmark imports this before pygotchi, so it measures the code in the
checkout it sits in (and so do the subprocesses it starts, which inherit
``PYTHONPATH``), not whichever checkout an editable install points at.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

if sys.path[:1] != [str(REPO)]:
    sys.path.insert(0, str(REPO))
_rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(REPO)]
os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), *_rest])
