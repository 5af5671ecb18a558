"""Real server processes for tests: ``python -m pygotchi`` on a free port, logging JSON
lines to a file, stopped by a signal. Shared by the crash, backup, deployment and
cluster tests (one harness, not one per test file)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.server.helpers import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One server. ``env`` entries become ``PYGOTCHI_<NAME>`` settings; ``args`` are
    extra command-line options. Waits until /healthz answers."""

    def __init__(self, data: Path, log: Path, *, args: tuple[str, ...] = (),
                 start_timeout: float = 60, **env: str) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = open(log, "ab")  # noqa: SIM115
        full_env = {**os.environ, "PYGOTCHI_LOG_FORMAT": "json",
                    **{f"PYGOTCHI_{k.upper()}": v for k, v in env.items()}}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pygotchi", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(data), *args], env=full_env, stdout=self.log,
            stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=self.url, timeout=30)

        def up() -> bool:
            assert self.proc.poll() is None, \
                f"server exited: {log.read_text(errors='replace')[-3000:]}"
            try:
                return httpx.get(f"{self.url}/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, timeout=start_timeout, interval=0.05, what="the server to start")

    def events(self, name: str) -> list[dict]:
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("event") == name:
                out.append(record)
        return out

    def new_requests(self, path: str, seen: int) -> list[dict]:
        """Request log lines for ``path`` past the first ``seen``, waiting for them: the
        server writes a request's line after its answer has gone out."""
        return wait_for(
            lambda: [e for e in self.events("request") if e["path"] == path][seen:],
            what=f"a request log line for {path}")

    def send(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)
        self.client.close()
        self.log.close()
        return code

    def kill(self) -> None:
        """Whatever state it is in (stopped, frozen), end it: for test clean-up."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.client.close()
        self.log.close()
