"""One server process per SQLite data directory, enforced by an OS file lock.

Two servers on one SQLite database would both run every pet, and the last
checkpoint would win. ``serve`` (and ``migrate``, ``restore``, which change
the database under a server's feet) hold an exclusive ``flock`` on
``pygotchi.lock`` in the data directory for as long as they run; the kernel
drops it when the process ends, however it ends, so a crash never leaves a
stale lock behind. The file holds the holder's pid, for the message.
Commands that only read, or make one small transaction the server sees (``user
add``, ``backup``), do not take it. Several processes share pets only on
PostgreSQL, where none of this applies.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "pygotchi.lock"


class DataDirBusy(Exception):
    """Another process holds the data directory; the message says which and what to do."""


def _busy_message(data_dir: Path, pid: str) -> str:
    who = f"pygotchi server (pid {pid})" if pid else "pygotchi process"
    return (f"another {who} is using the data directory {data_dir}: SQLite allows one "
            "server process per data directory. Stop it first, or run several servers on "
            "PostgreSQL (PYGOTCHI_DATABASE_URL=postgresql+psycopg://...)")


class DataDirLock:
    def __init__(self, data_dir: Path, fd: int) -> None:
        self.data_dir = data_dir
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        """Hold the data directory for this process, or raise ``DataDirBusy``."""
        data_dir = Path(data_dir)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise DataDirBusy(_busy_message(data_dir.resolve(), pid)) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(data_dir, fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
