"""Fixtures for the browser tests: a real pygotchi server and Debian's Chromium.

The server runs as a subprocess (``python -m pygotchi``) on a free port with a
fresh data directory, exactly as a person would start it; the tests drive the
web app with Playwright's sync API. Playwright's own browser download does not
work here, so the tests use ``/usr/bin/chromium`` and are skipped, with the
reason shown, when it (or the playwright package) is missing.

``PYGOTCHI_WEB_TEST_URL`` points the tests at a server that is already running
instead (it must be freshly set up: the first test creates the administrator, with
the setup code from ``PYGOTCHI_WEB_TEST_SETUP_CODE``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.support import CHROMIUM, CHROMIUM_ARGS, SERVER_LOGS, require_browser

SERVER_START_TIMEOUT_S = 60.0




def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:
            return resp.status == 200 and json.load(resp).get("status") == "ok"
    except (OSError, urllib.error.URLError, ValueError):
        return False


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a freshly started pygotchi server (no users yet)."""
    external = os.environ.get("PYGOTCHI_WEB_TEST_URL")
    if external:
        yield external.rstrip("/")
        return
    data_dir = tmp_path_factory.mktemp("pygotchi-data")
    log_path = data_dir.parent / "server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "pygotchi", "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data_dir)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                cwd=str(data_dir.parent))
    SERVER_LOGS[url] = log_path
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"the server exited with status {proc.returncode}:\n"
                            f"{log_path.read_text(errors='replace')[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer /healthz within "
                            f"{SERVER_START_TIMEOUT_S:.0f} s:\n"
                            f"{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
