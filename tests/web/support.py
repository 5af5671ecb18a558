"""Shared bits of the browser tests: where Chromium is and how it is started."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PYGOTCHI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def require_browser() -> None:
    """Skip the calling test module, saying why, when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install "
                    "chromium); Playwright's own browser download is not used",
                    allow_module_level=True)
    pytest.importorskip("playwright.sync_api",
                        reason="browser tests need the playwright package "
                               "(pip install -e '.[test]')")


# Server logs by base URL (the conftest registers the server it starts), so a test can
# read the one-time setup code the way a person would: from the server's log.
SERVER_LOGS: dict[str, Path] = {}
_SETUP_CODE = re.compile(r"event=setup_code code=([A-Z0-9-]+)")


def setup_code(base: str) -> str:
    """The setup code the server at ``base`` printed when it started."""
    given = os.environ.get("PYGOTCHI_WEB_TEST_SETUP_CODE")
    if given:
        return given
    log = SERVER_LOGS[base]
    for _ in range(100):  # the log line may still be in a buffer for a moment
        found = _SETUP_CODE.findall(log.read_text(errors="replace"))
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no setup code in {log}")
