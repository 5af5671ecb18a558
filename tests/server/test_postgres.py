"""PostgreSQL specifics: migrations, the migration lock, and what processes share.

These run on the machine's PostgreSQL (PYGOTCHI_TEST_DATABASE_URL, else
127.0.0.1:5432 database ``test``) whatever database the rest of the suite uses,
and skip, saying why, where there is none.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pygotchi.server.app import create_app
from pygotchi.store import Database
from pygotchi.store.migrate import alembic_config, current_revision, head_revision
from pygotchi.store.models import Base
from tests.server.databases import PostgresDatabases, postgres_for_tests

URL, WHY_NOT = postgres_for_tests()
pytestmark = pytest.mark.skipif(URL is None, reason=f"needs PostgreSQL: {WHY_NOT}")


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresDatabases]:
    pool = PostgresDatabases(URL)
    yield pool
    pool.drop_all()


def test_migrations_build_exactly_the_models_and_go_back(pg):
    db = Database(pg.empty())
    db.migrate()
    db.migrate()  # running again changes nothing
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []
    cfg = alembic_config(db.engine)
    with db.engine.begin() as conn:  # every downgrade works on PostgreSQL too
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert current_revision(db.engine) is None
    db.migrate()
    assert current_revision(db.engine) == head_revision()
    db.close()


def _cli(*args: str, url: str, data_dir) -> subprocess.Popen:
    env = {**os.environ, "PYGOTCHI_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-m", "pygotchi", *args, "--data-dir",
                             str(data_dir)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_migrations_started_together_do_not_race(pg, tmp_path):
    """Four `migrate` at once on an empty database: one upgrades, the others wait for it."""
    url = pg.empty()
    procs = [_cli("migrate", url=url, data_dir=tmp_path / f"d{i}") for i in range(4)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 4, results
    outs = sorted(out for _, out, _ in results)
    assert sum("was upgraded from revision (empty)" in o for o in outs) == 1, outs
    assert sum("up to date" in o for o in outs) == 3, outs
    db = Database(url)
    assert current_revision(db.engine) == head_revision()
    db.close()


def test_a_bad_or_unreachable_database_is_a_one_line_error(tmp_path):
    for url, said in (("postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
                       "cannot reach the database"),
                      ("mysql://root@localhost/pets", "pygotchi runs on postgresql+psycopg")):
        p = _cli("migrate", url=url, data_dir=tmp_path)
        code = p.wait(timeout=60)
        out, err = p.communicate()
        assert code == 2 and said in err and err.count("\n") == 1, err
        assert "Traceback" not in err


# --- two servers on one database see the same state -------------------------------------

@pytest.fixture
def two_nodes(pg, tmp_path):
    """Two apps (two data directories, nothing shared on disk) on one fresh PostgreSQL
    database, started together: they migrate it under the lock and agree on its keys."""
    from tests.server.conftest import ECHO_DEMO, settings_for
    from tests.server.helpers import LiveServer

    url = pg.empty()
    apps = [create_app(settings_for(tmp_path / f"node{i}", database_url=url,
                                    forwarded_allow_ips="127.0.0.1"), demo=ECHO_DEMO)
            for i in range(2)]
    servers = [LiveServer(app) for app in apps]
    starting = [threading.Thread(target=s.__enter__) for s in servers]
    for t in starting:
        t.start()
    for t in starting:
        t.join(timeout=120)
    assert all(s.server.started for s in servers)
    yield servers
    for s in servers:
        s.__exit__(None, None, None)


def test_setup_code_keys_and_roms_are_the_databases(two_nodes):
    from tests.server.helpers import PASSWORD, echo_rom, other_rom, set_up_admin, sign_in

    a, b = two_nodes
    code = a.services.setup_code
    assert code and b.services.setup_code == code  # both printed the same code
    assert a.services.auth.secret == b.services.auth.secret
    assert a.services.alerts.keys.public_key == b.services.alerts.keys.public_key
    admin = set_up_admin(a)
    with b.client() as c:  # used up on a: b refuses it too
        r = c.post("/api/setup", json={"username": "eve", "password": PASSWORD,
                                       "setup_code": code})
        assert r.status_code == 409 and r.json()["error"] == "already_set_up"
    # a ROM uploaded through a runs on b: its bytes are in the database, not on a's disk
    r = admin.call("POST", "/api/roms", files={"file": ("other.bin", other_rom())})
    assert r.status_code == 201, r.text
    sha = r.json()["id"]
    assert not list((a.app.state.settings.data_dir / "roms").glob("*.bin"))
    admin_b = sign_in(b, "admin")
    assert sha in [rom["id"] for rom in admin_b.call("GET", "/api/roms").json()]
    assert b.services.rom_files.read(sha) == other_rom()
    pet = admin_b.new_pet("OnB", rom=sha)
    assert pet["rom"]["id"] == sha if isinstance(pet.get("rom"), dict) else True
    assert b.services.rom_files.read(b.services.demo_sha) == echo_rom()
    # a CSRF token made by a is good on b (one secret): the same browser session works
    r = admin.browser.post(f"{b.url}/api/tokens", json={"name": "via-b"},
                           headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 201, r.text
    admin.close()
    admin_b.close()


def test_the_sign_in_throttle_counts_across_servers(two_nodes):
    from tests.server.helpers import PASSWORD, add_player, set_up_admin

    a, b = two_nodes
    admin = set_up_admin(a)
    add_player(admin, "victim").close()
    guesser = "198.51.100.7"
    statuses = []
    for i in range(6):  # five wrong guesses spread over the two servers
        node = (a, b)[i % 2]
        with node.client() as c:
            statuses.append(c.post("/api/session", json={"username": "victim",
                                                         "password": "guess guess"},
                                   headers={"X-Forwarded-For": guesser}).status_code)
    assert statuses == [401] * 5 + [429]
    for node in (a, b):  # that pair waits on both, the owner elsewhere does not
        with node.client() as c:
            r = c.post("/api/session", json={"username": "victim", "password": PASSWORD},
                       headers={"X-Forwarded-For": guesser})
            assert r.status_code == 429 and r.json()["error"] == "rate_limited"
            r = c.post("/api/session", json={"username": "victim", "password": PASSWORD},
                       headers={"X-Forwarded-For": "203.0.113.20"})
            assert r.status_code == 200
    admin.close()


def test_parallel_guesses_on_two_servers_cannot_slip_past_the_limit(two_nodes):
    """Ten wrong passwords at once, half on each server: only per_pair (5) are checked."""
    from tests.server.helpers import add_player, set_up_admin

    a, b = two_nodes
    admin = set_up_admin(a)
    add_player(admin, "victim").close()
    statuses: list[int] = []
    barrier = threading.Barrier(10)

    def guess(node) -> None:
        with node.client() as c:
            barrier.wait()
            statuses.append(c.post("/api/session", json={"username": "victim",
                                                         "password": "guess guess"},
                                   headers={"X-Forwarded-For": "198.51.100.9"}).status_code)

    threads = [threading.Thread(target=guess, args=((a, b)[i % 2],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [401] * 5 + [429] * 5
    admin.close()


def test_servers_started_together_share_one_first_run(pg, tmp_path):
    """Two real server processes started at once on an empty database: they migrate it
    without racing, print the same setup code, and of two people using it at the same
    moment, one becomes the administrator and the other is told it is done."""
    from tests.processes import ServerProcess
    from tests.server.helpers import PASSWORD

    url = pg.empty()
    servers: list[ServerProcess] = []
    starting = [threading.Thread(target=lambda i=i: servers.append(
        ServerProcess(tmp_path / f"node{i}", tmp_path / f"node{i}.log", database_url=url)))
        for i in range(2)]
    for t in starting:
        t.start()
    for t in starting:
        t.join(timeout=120)
    try:
        assert len(servers) == 2
        codes = {server.events("setup_code")[-1]["code"] for server in servers}
        assert len(codes) == 1
        (code,) = codes
        results: dict[str, int] = {}
        barrier = threading.Barrier(2)

        def claim(server, name: str) -> None:
            barrier.wait()
            results[name] = server.client.post("/api/setup", json={
                "username": name, "password": PASSWORD, "setup_code": code}).status_code

        threads = [threading.Thread(target=claim, args=(server, name))
                   for server, name in zip(servers, ("alice", "bob"), strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(results.values()) == [201, 409], results
        db = Database(url)
        with db.session() as s:
            from pygotchi.store import users as user_store

            assert user_store.count_users(s) == 1
        db.close()
    finally:
        for server in servers:
            server.stop(signal.SIGTERM)
