"""``python -m pygotchi user ...`` and the serve command's settings."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pygotchi.cli import main
from tests.server.databases import database_url_for, on_postgres, open_database


def run(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    if "--data-dir" in argv:  # the suite's PostgreSQL database for that directory, if any
        url = database_url_for(Path(argv[argv.index("--data-dir") + 1]))
        if url:
            monkeypatch.setenv("PYGOTCHI_DATABASE_URL", url)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_user_add_list_passwd(tmp_path, monkeypatch, capsys):
    d = str(tmp_path / "data")
    code, out, _ = run(monkeypatch, capsys, "user", "add", "root", "--admin", "--password-stdin",
                       "--data-dir", d, stdin="a long password\n")
    assert code == 0 and "created admin root" in out
    code, out, _ = run(monkeypatch, capsys, "user", "--data-dir", d, "add", "kid",
                       "--password-stdin", stdin="another password\n")
    assert code == 0 and "created player kid" in out
    code, out, _ = run(monkeypatch, capsys, "user", "list", "--data-dir", d)
    assert code == 0
    assert [line.split("\t")[1:3] for line in out.splitlines()] == [["root", "admin"],
                                                                     ["kid", "player"]]
    code, out, _ = run(monkeypatch, capsys, "user", "passwd", "KID", "--password-stdin",
                       "--data-dir", d, stdin="changed password\n")
    assert code == 0 and "password of kid changed" in out

    from pygotchi.server.passwords import verify_password
    from pygotchi.store import users as user_store

    db = open_database(tmp_path / "data")
    with db.session() as s:
        assert verify_password(user_store.find_user(s, "kid").password_hash, "changed password")
    db.close()


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (("user", "add", "bad name!", "--password-stdin"), "a long password\n", "username"),
    (("user", "add", "shorty", "--password-stdin"), "short\n", "at least 8"),
    (("user", "passwd", "nobody", "--password-stdin"), "a long password\n", "no user"),
])
def test_user_mistakes_are_one_line_errors(tmp_path, monkeypatch, capsys, argv, stdin,
                                           message):
    code, _, err = run(monkeypatch, capsys, *argv, "--data-dir", str(tmp_path), stdin=stdin)
    assert code == 2 and message in err and err.count("\n") == 1 and err.startswith("error:")


def test_duplicate_user(tmp_path, monkeypatch, capsys):
    args = ("user", "add", "sam", "--password-stdin", "--data-dir", str(tmp_path))
    assert run(monkeypatch, capsys, *args, stdin="a long password\n")[0] == 0
    code, _, err = run(monkeypatch, capsys, *args, stdin="a long password\n")
    assert code == 2 and "already a user called 'sam'" in err


def test_empty_user_list_explains_what_to_do(tmp_path, monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "user", "list", "--data-dir", str(tmp_path))
    assert code == 0 and "user add" in out


def test_bad_settings_from_the_environment(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pygotchi", "--data-dir", str(tmp_path)],
                       env={**os.environ, "PYGOTCHI_PORT": "not-a-port"},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("error: bad setting port")


def test_settings_read_the_environment(monkeypatch, tmp_path):
    from pygotchi.server.settings import Settings

    monkeypatch.setenv("PYGOTCHI_PORT", "8123")
    monkeypatch.setenv("PYGOTCHI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PYGOTCHI_CHECKPOINT_INTERVAL", "2.5")
    s = Settings()
    assert (s.port, s.data_dir, s.checkpoint_interval) == (8123, tmp_path, 2.5)
    assert Settings(port=9000).port == 9000  # command-line options win
    monkeypatch.setenv("PYGOTCHI_CHECKPOINT_INTERVAL", "60")
    with pytest.raises(ValueError):
        Settings()  # a checkpoint at least every 10 seconds


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pygotchi", *args], capture_output=True,
                          text=True, timeout=60)


def test_port_in_use_is_a_one_line_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = _serve("--port", str(port), "--data-dir", str(tmp_path))
    assert r.returncode == 2 and r.stderr.startswith("error: cannot listen on 127.0.0.1:")
    assert r.stderr.count("\n") == 1


def test_unusable_data_dir_is_a_one_line_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    r = _serve("--port", "8000", "--data-dir", str(tmp_path / "file" / "data"))
    assert r.returncode == 2 and "is not writable" in r.stderr and r.stderr.count("\n") == 1


def test_migrate_upgrades_once_then_says_up_to_date(tmp_path, monkeypatch, capsys):
    from pygotchi.store.migrate import head_revision

    d = str(tmp_path / "data")
    code, out, _ = run(monkeypatch, capsys, "migrate", "--data-dir", d)
    assert code == 0 and head_revision() in out
    # (a PostgreSQL test database comes migrated already, from its template)
    assert ("up to date" if on_postgres() else "upgraded from revision (empty)") in out
    code, out, _ = run(monkeypatch, capsys, "migrate", "--data-dir", d)
    assert code == 0 and out.strip() == f"the database is up to date (revision {head_revision()})"
