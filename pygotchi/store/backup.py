"""Backups of a data directory, taken while the server runs, and their restoration.

A backup is a gzip-compressed tar archive holding:

* ``pygotchi.db``: the database, copied with SQLite's online backup API, so it
  is one consistent moment even while the server checkpoints pets (WAL mode
  lets the copy read while the server writes);
* ``roms/<sha256>.bin``: the ROM files that moment's database refers to (they
  are content-addressed and never change, so copying them after is safe);
* ``secret.key`` (and any other ``*.key`` file of the data directory): the keys;
* ``manifest.json``, listed first: format version, schema revision, time, and
  the size and sha256 of every other member.

Restoring checks everything (names, sizes, checksums, the database's own
integrity check, a schema this version can upgrade) in a scratch directory
inside the target before anything appears in the target itself, so a damaged
archive leaves the target as it was. The database is moved into place last:
a data directory without one is a new server, never a half-restored one.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pygotchi.store.datalock import LOCK_FILE

FORMAT = "pygotchi-backup"
VERSION = 1
DB_NAME = "pygotchi.db"
MANIFEST = "manifest.json"
_ROM = re.compile(r"roms/[0-9a-f]{64}\.bin")
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}\.key")
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for a person."""


@dataclass(frozen=True)
class Summary:
    path: str
    pets: int
    users: int
    roms: int
    revision: str | None
    created_at: str


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot(db_path: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API)."""
    try:
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the database {db_path}: {exc}") from None
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest, pages=1024, sleep=0.005)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the database: {exc}") from None
    finally:
        source.close()


def _facts(db_file: Path) -> dict:
    """Revision, counts and ROM hashes of a database file (a snapshot or a restored one)."""
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = {"alembic_version", "users", "pets", "roms"} - tables
        if missing:
            raise BackupError(f"the database is not pygotchi's (no {', '.join(sorted(missing))} "
                              "table)")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return {"revision": revision[0] if revision else None,
                "pets": conn.execute("SELECT count(*) FROM pets").fetchone()[0],
                "users": conn.execute("SELECT count(*) FROM users").fetchone()[0],
                "roms": [r[0] for r in conn.execute("SELECT sha256 FROM roms ORDER BY sha256")]}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the backup is damaged: {exc}") from None
    finally:
        conn.close()


# --- making a backup ---------------------------------------------------------------

def _members(data_dir: Path, scratch: Path) -> tuple[list[tuple[str, Path]], dict]:
    db_path = data_dir / DB_NAME
    if not db_path.is_file():
        raise BackupError(f"{data_dir} has no pygotchi database ({DB_NAME}): is this the "
                          "data directory? (--data-dir or PYGOTCHI_DATA_DIR)")
    snapshot = scratch / DB_NAME
    _snapshot(db_path, snapshot)
    facts = _facts(snapshot)
    members = [(DB_NAME, snapshot)]
    for sha in facts["roms"]:
        rom = data_dir / "roms" / f"{sha}.bin"
        if not rom.is_file():
            raise BackupError(f"the ROM file {rom} is missing: the database refers to it")
        members.append((f"roms/{sha}.bin", rom))
    for key in sorted(data_dir.glob("*.key")):
        if _KEY.fullmatch(key.name) and key.is_file():
            members.append((key.name, key))
    return members, facts


def write_backup(data_dir: Path, out: BinaryIO) -> Summary:
    """Write a backup of ``data_dir`` (in use or not) to the binary stream ``out``."""
    with tempfile.TemporaryDirectory(prefix="pygotchi-backup-") as tmp:
        members, facts = _members(Path(data_dir), Path(tmp))
        files = {}
        for name, path in members:
            files[name] = {"size": path.stat().st_size, "sha256": _sha256_file(path)}
        created = datetime.now(UTC).isoformat(timespec="seconds")
        from pygotchi import __version__

        manifest = {"format": FORMAT, "version": VERSION, "created_at": created,
                    "pygotchi": __version__, "revision": facts["revision"],
                    "pets": facts["pets"], "users": facts["users"], "files": files}
        blob = json.dumps(manifest, indent=2).encode()
        with tarfile.open(fileobj=out, mode="w|gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(blob), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(blob))
            for name, path in members:
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = files[name]["size"], int(time.time()), 0o600
                with open(path, "rb") as f:
                    tar.addfile(info, f)
    return Summary("", facts["pets"], facts["users"], len(facts["roms"]), facts["revision"],
                   created)


def backup_to_file(data_dir: Path, target: Path) -> Summary:
    """A backup written to ``target`` through a temporary file: complete, or not there."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            summary = write_backup(data_dir, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # it holds the keys
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Summary(str(target), summary.pets, summary.users, summary.roms, summary.revision,
                   summary.created_at)


# --- restoring ---------------------------------------------------------------------

def _allowed(name: str) -> bool:
    return name == DB_NAME or bool(_ROM.fullmatch(name)) or bool(_KEY.fullmatch(name))


def _extract(archive: Path, scratch: Path) -> dict:
    """Unpack and check every member into ``scratch``; the manifest."""
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive} is not a pygotchi backup (not a .tar.gz: {exc})") from None
    with tar:
        try:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile() \
                    or first.size > 1 << 20:
                raise BackupError("this archive is not a pygotchi backup (no manifest first)")
            f = tar.extractfile(first)
            try:
                manifest = json.loads(f.read() if f else b"")
            except ValueError:
                raise BackupError("the backup's manifest is not valid JSON") from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError("this archive is not a pygotchi backup")
            if manifest.get("version") != VERSION:
                raise BackupError(f"this backup has format version {manifest.get('version')}; "
                                  f"this pygotchi reads version {VERSION}")
            files = manifest.get("files")
            if not isinstance(files, dict) or DB_NAME not in files:
                raise BackupError("the backup's manifest lists no database")
            seen: set[str] = set()
            for member in _iter_members(tar):
                name = member.name
                if not member.isfile() or not _allowed(name) or name in seen \
                        or name not in files:
                    raise BackupError(f"the backup holds an unexpected entry {name[:100]!r}")
                expected = files[name]
                if member.size != expected.get("size"):
                    raise BackupError(f"{name} in the backup has the wrong size: it is damaged")
                target = scratch / name
                target.parent.mkdir(exist_ok=True)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                assert source is not None
                with open(target, "wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != expected.get("sha256"):
                    raise BackupError(f"{name} in the backup does not match its checksum: "
                                      "the archive is damaged")
                seen.add(name)
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            raise BackupError(f"the backup is damaged or cut short ({exc})") from None
    if missing := set(files) - seen:
        raise BackupError(f"the backup is incomplete: {', '.join(sorted(missing)[:3])} missing")
    return manifest


def _iter_members(tar: tarfile.TarFile) -> Iterable[tarfile.TarInfo]:
    while (member := tar.next()) is not None:
        yield member


def _check_database(scratch: Path) -> dict:
    db_file = scratch / DB_NAME
    conn = sqlite3.connect(db_file)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database in the backup is damaged: {exc}") from None
    finally:
        conn.close()
    if status != "ok":
        raise BackupError(f"the database in the backup is damaged: {status}")
    facts = _facts(db_file)
    from alembic.script import ScriptDirectory

    from pygotchi.store.migrate import alembic_config

    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if facts["revision"] not in known:
        raise BackupError(f"this backup was made by a newer pygotchi (schema "
                          f"{facts['revision']}): upgrade pygotchi, then restore")
    for sha in facts["roms"]:
        if not (scratch / "roms" / f"{sha}.bin").is_file():
            raise BackupError(f"the backup lacks the ROM file {sha[:12]}... its database uses")
    return facts


def restore(archive: Path, data_dir: Path, force: bool = False) -> Summary:
    """Bring a backup back into ``data_dir`` (empty or absent; ``force``: set old data aside).

    Stop the server that uses ``data_dir`` first.
    """
    data_dir = Path(data_dir)
    existing = [p for p in data_dir.iterdir()] if data_dir.is_dir() else []
    # The lock the restoring command holds stays where it is (store/datalock.py).
    existing = [p for p in existing
                if not p.name.startswith(".restoring-") and p.name != LOCK_FILE]
    if existing and not force:
        raise BackupError(f"{data_dir} is not empty: restore into a new directory, or add "
                          "--force to move what is there into a 'before-restore-...' folder")
    created = not data_dir.exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=data_dir, prefix=".restoring-"))
    done = False
    try:
        manifest = _extract(Path(archive), scratch)
        facts = _check_database(scratch)
        if existing:
            aside = data_dir / datetime.now(UTC).strftime("before-restore-%Y%m%dT%H%M%SZ")
            aside.mkdir()
            for path in existing:
                path.rename(aside / path.name)
        for path in sorted(scratch.iterdir(), key=lambda p: p.name == DB_NAME):
            path.rename(data_dir / path.name)  # the database last
        for key in data_dir.glob("*.key"):
            key.chmod(0o600)
        done = True
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if created and not done:
            shutil.rmtree(data_dir, ignore_errors=True)  # it did not exist before: leave none
    return Summary(str(data_dir), facts["pets"], facts["users"], len(facts["roms"]),
                   facts["revision"], str(manifest.get("created_at")))
