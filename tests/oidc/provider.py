"""Start the test OpenID provider (``provider.mjs``, the npm ``oidc-provider``) on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent
CLIENT_ID = "pygotchi"
CLIENT_SECRET = "test-client-secret-" + "x" * 20
USERS = {"alice": "alice-password", "bob": "bob-password"}  # alice has pygotchi-admin


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    major, minor = (int(x) for x in version.strip().lstrip("v").split(".")[:2])
    if (major, minor) < (20, 19):
        return f"oidc-provider needs Node.js 20.19 or later; this is {version.strip()}"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return "run `npm ci` in tests/oidc (CI does) to install oidc-provider"
    return None


@dataclass
class Provider:
    issuer: str
    proc: subprocess.Popen

    def tamper_next_token(self, mode: str) -> None:
        """Make the next ID token wrong in one way (see provider.mjs), re-signed for real."""
        httpx.post(f"{self.issuer}/test/tamper", json={"mode": mode}).raise_for_status()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_provider(public_url: str, roles_shape: str = "realm_access") -> Provider:
    """A provider whose client redirects to ``public_url``'s callback and home page."""
    if reason := missing():
        pytest.skip(reason)
    port = free_port()
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (read only if start-up fails)
    proc = subprocess.Popen(
        ["node", "--no-warnings", str(HERE / "provider.mjs"), str(port), CLIENT_ID,
         CLIENT_SECRET, f"{public_url}/auth/oidc/callback", f"{public_url}/", roles_shape],
        cwd=HERE, stdout=subprocess.PIPE, stderr=errors, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("ready "):
        proc.kill()
        proc.wait()
        errors.seek(0)
        raise RuntimeError(f"the test OpenID provider did not start: {line}"
                           f"{errors.read().decode(errors='replace')[-2000:]}")
    proc.stdout.close()  # nothing more is read: it prints one line
    errors.close()
    return Provider(line.split()[1], proc)


def oidc_settings(provider: Provider, public_url: str, **more) -> dict:
    return {"public_url": public_url, "auth_modes": "local,oidc",
            "oidc_issuer": provider.issuer, "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET, "oidc_name": "Test SSO", **more}
