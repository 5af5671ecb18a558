"""``python -m pygotchi serve`` (the default) and ``python -m pygotchi user ...``.

Heavy imports (FastAPI, uvicorn, SQLAlchemy) happen inside the commands, so
the emulator's tools do not pay for the web stack.
"""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from pathlib import Path


def _add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=argparse.SUPPRESS,
                   help="where the database and ROMs live "
                        "(PYGOTCHI_DATA_DIR, default ./pygotchi-data)")


def register(sub) -> None:
    p = sub.add_parser("serve", help="run the pygotchi server (the default command)")
    p.add_argument("--host", help="address to listen on (PYGOTCHI_HOST, default 127.0.0.1; "
                                  "0.0.0.0 to reach it from phones on your network)")
    p.add_argument("--port", type=int, help="port (PYGOTCHI_PORT, default 8000)")
    p.add_argument("--node-name", help="this process's name among the servers sharing a "
                                       "PostgreSQL database (PYGOTCHI_NODE_NAME, default "
                                       "host name and pid)")
    _add_server_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date (servers do "
                                       "this at start; run it first for a rolling upgrade)")
    _add_server_options(p)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("user", help="manage accounts from the shell")
    _add_server_options(p)
    users = p.add_subparsers(dest="user_command", metavar="ACTION")
    add = users.add_parser("add", help="create an account (prompts for its password)")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="make it an administrator")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of prompting")
    _add_server_options(add)
    add.set_defaults(func=cmd_user_add)
    lst = users.add_parser("list", help="list accounts")
    _add_server_options(lst)
    lst.set_defaults(func=cmd_user_list)
    pw = users.add_parser("passwd", help="set an account's password (signs it out everywhere)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true")
    _add_server_options(pw)
    pw.set_defaults(func=cmd_user_passwd)
    p.set_defaults(func=lambda args: _missing_action(p))

    p = sub.add_parser("cluster", help="the server processes sharing the pets: heartbeat, "
                                        "pets held, load")
    _add_server_options(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_cluster)

    p = sub.add_parser("backup", help="copy a (running) server's data into one archive")
    p.add_argument("file", help="the archive to write (.tar.gz; '-' for standard output)")
    _add_server_options(p)
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="bring a backup back into a data directory")
    p.add_argument("file", help="the archive (from `backup`; '-' for standard input)")
    _add_server_options(p)
    p.add_argument("--force", action="store_true",
                   help="restore into a non-empty directory, moving what is there aside")
    p.set_defaults(func=cmd_restore)


def _missing_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _settings(args: argparse.Namespace):
    from pydantic import ValidationError

    from pygotchi.cli import CliError
    from pygotchi.server.settings import Settings

    overrides = {k: v for k in ("host", "port", "data_dir", "node_name")
                 if (v := getattr(args, k, None)) is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise CliError(f"bad setting {where}: {err['msg']}") from None


def _listen(host: str, port: int) -> socket.socket:
    """Bind the port before anything else, so "already in use" is a one-line error."""
    from pygotchi.cli import CliError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                       "(choose another with --port)") from None
    sock.set_inheritable(True)
    return sock


def websocket_protocol() -> str:
    """uvicorn's sans-I/O websockets implementation where it has one (the older is deprecated)."""
    from uvicorn.config import WS_PROTOCOLS

    return "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "auto"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pygotchi.cli import CliError
    from pygotchi.server import logs
    from pygotchi.server.app import create_app

    settings = _settings(args)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        probe = settings.data_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CliError(f"the data directory {settings.data_dir} is not writable: "
                       f"{exc.strerror or exc}") from None
    data_lock = _hold_data_dir(settings)
    sock = _listen(settings.host, settings.port)
    logs.configure(settings.log_format, settings.log_level)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    logs.event("starting", url=f"http://{shown}:{settings.port}/",
               data_dir=str(settings.data_dir.resolve()))
    config = uvicorn.Config(
        # proxy_headers off: the app's own ClientAddress middleware decides which
        # X-Forwarded-* headers to believe (PYGOTCHI_FORWARDED_ALLOW_IPS), see clientaddr.py.
        create_app(settings, data_lock=data_lock), log_config=None, access_log=False,
        proxy_headers=False,
        ws=websocket_protocol(),
        ws_max_size=64 * 1024, ws_per_message_deflate=False,  # 70-byte frames: not worth it
        timeout_graceful_shutdown=5, server_header=False)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        return 1  # start-up failed; the log says why
    return 0


def _uses_sqlite(settings) -> bool:
    return settings.database_url is None or settings.database_url.startswith("sqlite")


def _hold_data_dir(settings):
    """SQLite: this process's hold on the data directory (None on PostgreSQL), or a
    one-line error naming the process that holds it."""
    from pygotchi.cli import CliError
    from pygotchi.store.datalock import DataDirBusy, DataDirLock

    if not _uses_sqlite(settings):
        return None
    try:
        return DataDirLock.acquire(settings.data_dir)
    except DataDirBusy as exc:
        raise CliError(str(exc)) from None


def _database(settings):
    """The settings' database, with a bad URL or an unreachable server as a one-line error."""
    from pygotchi.cli import CliError
    from pygotchi.store import Database
    from pygotchi.store.db import DatabaseUrlError

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Database.for_data_dir(settings.data_dir, settings.database_url)
    except DatabaseUrlError as exc:
        raise CliError(str(exc)) from None


def _migrate(db) -> tuple[str | None, str | None]:
    """(revision before, revision after); a database that cannot be reached is a CliError."""
    from sqlalchemy.exc import OperationalError

    from pygotchi.cli import CliError

    try:
        return db.migrate()
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise CliError(f"cannot reach the database: {reason}") from None


def _open_db(args: argparse.Namespace):
    """The database for a quick command (``user ...``) that may run beside the server.

    Its schema is only upgraded when it is not up to date, and then (SQLite)
    only if no server holds the data directory: never under a running server.
    """
    from pygotchi.store.migrate import current_revision, head_revision

    settings = _settings(args)
    db = _database(settings)
    if current_revision(db.engine) != head_revision():
        lock = _hold_data_dir(settings)
        try:
            _migrate(db)
        finally:
            if lock is not None:
                lock.release()
    return db


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    db = _database(settings)
    lock = _hold_data_dir(settings)  # SQLite: not while a server runs on it
    try:
        before, after = _migrate(db)
    finally:
        db.close()
        if lock is not None:
            lock.release()
    if before == after:
        print(f"the database is up to date (revision {after})")
    else:
        print(f"the database was upgraded from revision {before or '(empty)'} to {after}")
    return 0


def _read_password(args: argparse.Namespace, username: str = "") -> str:
    from pygotchi.cli import CliError
    from pygotchi.server.passwords import password_problem

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CliError("the two passwords differ")
    if problem := password_problem(password, username):
        raise CliError(problem)
    return password


def cmd_user_add(args: argparse.Namespace) -> int:
    from pygotchi.cli import CliError
    from pygotchi.server.passwords import hash_password, username_problem
    from pygotchi.store import users as user_store
    from pygotchi.store.models import ROLE_ADMIN, ROLE_PLAYER

    if problem := username_problem(args.name):
        raise CliError(problem)
    db = _open_db(args)
    password = _read_password(args, args.name)
    role = ROLE_ADMIN if args.admin else ROLE_PLAYER
    with db.session() as s:
        try:
            user = user_store.create_user(s, args.name, hash_password(password), role)
        except user_store.UsernameTaken:
            raise CliError(f"there is already a user called {args.name!r}") from None
        s.commit()
    print(f"created {role} {user.username} (id {user.id})")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from pygotchi.store import users as user_store

    db = _open_db(args)
    with db.session() as s:
        rows = user_store.list_users(s)
    if not rows:
        print("no users yet: `python -m pygotchi user add NAME --admin`, "
              "or open the web page to create the administrator")
    for u in rows:
        print(f"{u.id}\t{u.username}\t{u.role}\t{u.created_at:%Y-%m-%d}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from pygotchi.cli import CliError
    from pygotchi.server.passwords import hash_password
    from pygotchi.store import users as user_store

    db = _open_db(args)
    with db.session() as s:
        user = user_store.find_user(s, args.name)
        if user is None:
            raise CliError(f"there is no user called {args.name!r}")
        user.password_hash = hash_password(_read_password(args, user.username))
        user_store.delete_user_sessions(s, user.id)
        s.commit()
    print(f"password of {user.username} changed; their browser sessions were signed out")
    return 0


def _data_dir_only(args: argparse.Namespace):
    from pygotchi.cli import CliError

    settings = _settings(args)
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        raise CliError("backup and restore handle SQLite data directories; with "
                       "PostgreSQL, back up the database with pg_dump (the ROMs and keys "
                       "are in it)")
    return settings.data_dir


def cmd_backup(args: argparse.Namespace) -> int:
    from pygotchi.cli import CliError
    from pygotchi.store.backup import BackupError, backup_to_file, write_backup

    data_dir = _data_dir_only(args)
    try:
        if args.file == "-":
            if sys.stdout.isatty():
                raise CliError("the backup is binary: redirect it (backup - > FILE.tar.gz)")
            summary = write_backup(data_dir, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            summary = backup_to_file(data_dir, Path(args.file))
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"backed up {summary.pets} pets, {summary.users} users, {summary.roms} ROMs "
          f"({summary.created_at}){' to ' + summary.path if summary.path else ''}",
          file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    from pygotchi.cli import CliError
    from pygotchi.store.backup import BackupError, restore
    from pygotchi.store.datalock import LOCK_FILE

    data_dir = _data_dir_only(args)
    # Never under a running server (which keeps its lock file in the directory).
    lock = _hold_data_dir(_settings(args)) if (data_dir / LOCK_FILE).exists() else None
    try:
        if args.file == "-":
            with tempfile.NamedTemporaryFile(prefix="pygotchi-restore-", suffix=".tar.gz") as f:
                shutil.copyfileobj(sys.stdin.buffer, f)
                f.flush()
                summary = restore(Path(f.name), data_dir, force=args.force)
        else:
            if not Path(args.file).is_file():
                raise CliError(f"there is no file {args.file}")
            summary = restore(Path(args.file), data_dir, force=args.force)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    finally:
        if lock is not None:
            lock.release()
    print(f"restored {summary.pets} pets, {summary.users} users, {summary.roms} ROMs from the "
          f"backup of {summary.created_at} into {summary.path}; start the server: the pets "
          "catch up from that moment")
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    """Print the nodes as ``GET /api/cluster`` lists them, read from the database."""
    import json

    from pygotchi.server.cluster import report
    from pygotchi.store import cluster as cluster_store

    db = _open_db(args)
    try:
        with db.session() as s:
            if db.engine.dialect.name == "postgresql":
                data = report.report(s, None, _settings(args).lease_timeout)
            else:
                pets = cluster_store.count_pets(s)
                data = {"mode": "single", "node": None, "lease_timeout_s": None, "pets": pets,
                        "unclaimed": 0, "nodes": []}
    finally:
        db.close()
    if args.json:
        print(json.dumps(data, indent=2))
    elif data["mode"] == "single":
        print(f"one server process (SQLite) runs all {data['pets']} pets; a cluster needs "
              "PostgreSQL (PYGOTCHI_DATABASE_URL=postgresql+psycopg://...)")
    else:
        print(report.render(data))
    return 0
