"""SQLite: one server process per data directory; the commands that may run beside it.

A real server process holds the data directory. A second ``serve``, ``migrate``
and ``restore`` are refused with one line naming it (exit status 2); ``backup``,
``user add``/``list`` and the offline tools still work while it runs; once it
has stopped, the directory is free again (the kernel drops the lock, even after
``kill -9``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.processes import ServerProcess, free_port

ENV = {k: v for k, v in os.environ.items() if k != "PYGOTCHI_DATABASE_URL"}


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pygotchi", *args], input=stdin, env=ENV,
                          capture_output=True, text=True, timeout=120)


def refused(r: subprocess.CompletedProcess, pid: int) -> bool:
    return (r.returncode == 2 and r.stderr.startswith("error: another pygotchi server")
            and f"(pid {pid})" in r.stderr and "PostgreSQL" in r.stderr
            and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr)


@pytest.mark.sqlite_only("the one-process lock is SQLite's: PostgreSQL is shared by design")
def test_one_server_per_sqlite_data_directory(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data, tmp_path / "server.log")
    pid = server.proc.pid
    d = ("--data-dir", str(data))
    try:
        second = cli("serve", "--port", str(free_port()), *d)
        assert refused(second, pid), second.stderr
        assert refused(cli("migrate", *d), pid)
        # what may run beside the server: a backup, a quick account change, reading
        archive = tmp_path / "b.tar.gz"
        assert cli("backup", str(archive), *d).returncode == 0
        added = cli("user", "add", "kim", "--admin", "--password-stdin", *d,
                    stdin="a long password\n")
        assert added.returncode == 0, added.stderr
        listed = cli("user", "list", *d)
        assert listed.returncode == 0 and "kim" in listed.stdout
        assert cli("info").returncode == 0  # offline tools never look at the data directory
        restored = cli("restore", str(archive), "--force", *d)
        assert refused(restored, pid), restored.stderr
        assert not list(data.glob("before-restore-*"))  # nothing was moved
        assert server.client.get("/healthz").status_code == 200
    finally:
        server.stop(signal.SIGKILL)
    # The lock went with the process, even killed: the directory is free again.
    migrated = cli("migrate", *d)
    assert migrated.returncode == 0 and "up to date" in migrated.stdout, migrated.stderr
