"""Backups of a running server, restored into a new data directory (real processes).

The backup is taken while two pets run and checkpoint; the server started on
the restored directory has both pets, the same accounts and keys, and each pet
catches up from the moment of the backup.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx
import pytest

from tests.deploy.support import ServerProcess
from tests.server.helpers import wait_for

pytestmark = pytest.mark.sqlite_only("backup and restore copy SQLite data directories "
                                     "(PostgreSQL is backed up with pg_dump)")

PASSWORD = "correct horse battery"
TPS = 32768


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pygotchi", *args], input=stdin,
                          capture_output=True, timeout=120)


def pet_rows(db: Path) -> dict[str, tuple[int, float]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0]: (r[1], r[2]) for r in
                conn.execute("SELECT id, state_tick, state_at FROM pets")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """A server with an administrator and two pets that have checkpointed."""
    tmp = tmp_path_factory.mktemp("backup")
    server = ServerProcess(tmp / "data", tmp / "server.log", checkpoint_interval="1")
    client = httpx.Client(base_url=server.url, timeout=30)
    r = client.post("/api/setup", json={"username": "admin", "password": PASSWORD,
                                        "setup_code": server.events("setup_code")[-1]["code"]})
    assert r.status_code == 201, r.text
    csrf = r.json()["csrf_token"]
    pets = {}
    for name in ("Sprout", "Bud"):
        r = client.post("/api/pets", json={"name": name, "rom": "demo"},
                        headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201, r.text
        pets[r.json()["id"]] = name
    db = tmp / "data" / "pygotchi.db"
    wait_for(lambda: all(tick > 0 for tick, _ in pet_rows(db).values()) and
             len(pet_rows(db)) == 2, what="the pets' first checkpoints")
    yield tmp, server, pets
    client.close()
    server.stop()


def test_backup_while_running_and_restore(running):
    tmp, server, pets = running
    archive = tmp / "pets.tar.gz"
    done = cli("backup", str(archive), "--data-dir", str(tmp / "data"))
    assert done.returncode == 0, done.stderr.decode()
    assert b"backed up 2 pets, 1 users, 1 ROMs" in done.stderr
    assert archive.stat().st_mode & 0o077 == 0  # it holds the keys
    assert httpx.get(f"{server.url}/healthz").json()["pets_running"] == 2  # undisturbed

    restored = tmp / "restored"
    done = cli("restore", str(archive), "--data-dir", str(restored))
    assert done.returncode == 0, done.stderr.decode()
    assert b"restored 2 pets" in done.stdout
    assert (restored / "secret.key").read_bytes() == (tmp / "data" / "secret.key").read_bytes()
    at_backup = pet_rows(restored / "pygotchi.db")
    assert set(at_backup) == set(pets)

    again = ServerProcess(restored, tmp / "restored.log")
    try:
        with httpx.Client(base_url=again.url, timeout=30) as c:
            r = c.post("/api/session", json={"username": "admin", "password": PASSWORD})
            assert r.status_code == 200, r.text
            listed = {p["id"]: p["name"] for p in c.get("/api/pets").json()}
            assert listed == pets

            def caught_up() -> bool:
                now = time.time()
                for p in c.get("/api/pets").json():
                    tick, state_at = at_backup[p["id"]]
                    # emulated time since the backup's moment covers the wall time since then
                    if p["emulated_seconds"] < tick / TPS + (now - state_at) - 5:
                        return False
                return True

            wait_for(caught_up, timeout=60, interval=0.2, what="the pets to catch up")
    finally:
        again.stop()


def test_backup_to_stdout_and_restore_from_stdin(running, tmp_path):
    tmp, _, pets = running
    done = cli("backup", "-", "--data-dir", str(tmp / "data"))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout[:2] == b"\x1f\x8b"  # gzip
    back = cli("restore", "-", "--data-dir", str(tmp_path / "r"), stdin=done.stdout)
    assert back.returncode == 0, back.stderr.decode()
    assert set(pet_rows(tmp_path / "r" / "pygotchi.db")) == set(pets)


def test_restore_refuses_a_non_empty_directory_unless_forced(running, tmp_path):
    tmp, _, pets = running
    archive = tmp_path / "b.tar.gz"
    assert cli("backup", str(archive), "--data-dir", str(tmp / "data")).returncode == 0
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    done = cli("restore", str(archive), "--data-dir", str(target))
    assert done.returncode == 2
    assert b"is not empty" in done.stderr and b"Traceback" not in done.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]

    done = cli("restore", str(archive), "--data-dir", str(target), "--force")
    assert done.returncode == 0, done.stderr.decode()
    aside = next(target.glob("before-restore-*"))
    assert (aside / "notes.txt").read_text() == "mine"
    assert set(pet_rows(target / "pygotchi.db")) == set(pets)


@pytest.fixture(scope="module")
def good(running) -> dict[str, bytes]:
    """The members of one backup of the running server, to damage in different ways."""
    tmp, _, _ = running
    archive = tmp / "good.tar.gz"
    assert cli("backup", str(archive), "--data-dir", str(tmp / "data")).returncode == 0
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def pack(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def future_schema(members: dict[str, bytes], tmp: Path) -> dict[str, bytes]:
    """The database marked with a schema revision this pygotchi does not know, and a
    manifest that agrees with it (else the checksum would refuse it first)."""
    path = tmp / "db"
    path.write_bytes(members["pygotchi.db"])
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
    db = path.read_bytes()
    manifest = json.loads(members["manifest.json"])
    manifest["files"]["pygotchi.db"] = {"size": len(db), "sha256": hashlib.sha256(db).hexdigest()}
    return {**members, "manifest.json": json.dumps(manifest).encode(), "pygotchi.db": db}


@pytest.mark.parametrize("damage, words", [
    ("truncated", b"damaged or cut short"),
    ("not-a-backup", b"not a pygotchi backup"),
    ("flipped-byte", b"does not match its checksum"),
    ("extra-file", b"unexpected entry"),
    ("missing-rom", b"incomplete"),
    ("newer-schema", b"made by a newer pygotchi"),
])
def test_a_bad_archive_is_refused_and_leaves_nothing(good, tmp_path, damage, words):
    db = good["pygotchi.db"]
    if damage == "truncated":
        data = pack(good)[: len(pack(good)) // 2]
    elif damage == "not-a-backup":
        data = gzip.compress(b"hello")
    elif damage == "flipped-byte":
        data = pack({**good, "pygotchi.db": db[:-1] + bytes([db[-1] ^ 1])})
    elif damage == "extra-file":
        data = pack({**good, "../../etc/evil": b"x"})
    elif damage == "missing-rom":
        data = pack({k: v for k, v in good.items() if not k.startswith("roms/")})
    else:
        data = pack(future_schema(good, tmp_path))
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(data)
    target = tmp_path / "target"
    done = cli("restore", str(bad), "--data-dir", str(target))
    assert done.returncode == 2, done.stderr.decode()
    assert words in done.stderr and b"Traceback" not in done.stderr
    assert not target.exists()


def test_backup_refuses_to_overwrite_or_to_copy_nothing(running, tmp_path):
    tmp, _, _ = running
    existing = tmp_path / "exists.tar.gz"
    existing.write_bytes(b"precious")
    done = cli("backup", str(existing), "--data-dir", str(tmp / "data"))
    assert done.returncode == 2 and b"exists already" in done.stderr
    assert existing.read_bytes() == b"precious"
    done = cli("backup", str(tmp_path / "x.tar.gz"), "--data-dir", str(tmp_path / "empty"))
    assert done.returncode == 2 and b"no pygotchi database" in done.stderr
    assert not (tmp_path / "x.tar.gz").exists()
    assert not list(tmp_path.glob(".x.tar.gz.*"))
