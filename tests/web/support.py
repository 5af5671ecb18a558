"""Shared bits of the browser tests: where Chromium is and how it is started."""

from __future__ import annotations

import os
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
