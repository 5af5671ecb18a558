"""PostgreSQL specifics: migrations, the migration lock, and what processes share.

These run on the machine's PostgreSQL (PYGOTCHI_TEST_DATABASE_URL, else
127.0.0.1:5432 database ``test``) whatever database the rest of the suite uses,
and skip, saying why, where there is none.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
