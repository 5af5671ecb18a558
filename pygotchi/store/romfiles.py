"""ROM images on disk, named by the sha256 of their canonical ``rom.bin`` bytes.

Files are the owner's only (0600, made so by ``mkstemp``; the folder 0700).
A file is written to a temporary name, flushed to disk and renamed into
place, so a crash never leaves a half-written ROM under a real name; writing a
ROM that is already there is a no-op (same name, same bytes).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_sha256(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return sha256


class RomFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, sha256: str) -> Path:
        return self.folder / f"{check_sha256(sha256)}.bin"

    def where(self, sha256: str) -> str:
        """Where the ROM is kept, for messages."""
        return f"the data directory (roms/{check_sha256(sha256)}.bin)"

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def write(self, data: bytes) -> str:
        """Store ``data`` under its sha256 (once) and return the sha256."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.is_file() and target.stat().st_size == len(data):
            return sha
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".incoming-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def read(self, sha256: str) -> bytes:
        data = self.path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OSError(f"ROM file {self.path(sha256)} is damaged (its sha256 does not match)")
        return data

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def sweep_incoming(self) -> None:
        """Remove temporary files left by a crash in the middle of a write."""
        if self.folder.is_dir():
            for leftover in self.folder.glob(".incoming-*.tmp"):
                leftover.unlink(missing_ok=True)
