"""The API keeps its contract: the OpenAPI document, checked by Schemathesis.

Every operation of ``/openapi.json`` is called with generated requests, valid and
invalid, as an administrator and as a player (bearer tokens), and every answer
is checked: no server error, a documented status, a body matching its declared
model and content type, ``Allow`` on 405, valid requests accepted (except the
refusals ``schemathesis.toml`` explains). Bounded: a few examples per operation.

The calls may revoke the very token they use, or delete its account (an admin
may delete other admins): before each call the contract account and its token
are put back, so every operation is exercised signed in.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from pygotchi.server.app import create_app
from pygotchi.server.auth import sha256_hex
from pygotchi.store.models import ApiToken, User
from tests.conftest import REPO
from tests.server.conftest import ECHO_DEMO, settings_for
from tests.server.helpers import LiveServer, set_up_admin

CONTRACT_ID = 1_000_000_000  # far from the small ids generated requests name
TOKEN = "pgt_contract-test-token-0123456789abcdefghijklmnopqrstu"


def _restore_account(server: LiveServer, role: str) -> None:
    """The contract account, its role and its token, as they were at the start."""
    with server.services.db.session() as s:
        s.merge(User(id=CONTRACT_ID, username="contract", username_key="contract",
                     password_hash="-", role=role))
        s.flush()
        s.merge(ApiToken(id=CONTRACT_ID, user_id=CONTRACT_ID, name="contract",
                         token_hash=sha256_hex(TOKEN)))
        s.commit()


@pytest.fixture(scope="module", params=["admin", "player"])
def contract(request, tmp_path_factory) -> Iterator[tuple[LiveServer, str]]:
    data = tmp_path_factory.mktemp(f"contract-{request.param}")
    app = create_app(settings_for(data, ir_fake=True), demo=ECHO_DEMO)
    with LiveServer(app) as server:
        admin = set_up_admin(server)  # another admin: the contract one may be deleted
        _restore_account(server, request.param)
        with server.client() as c:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            assert c.post("/api/pets", json={"name": "Echo", "rom": "demo"},
                          headers=auth).status_code == 201
        yield server, request.param
        admin.close()


@pytest.fixture(scope="module")
def api_schema(contract):
    server, _ = contract
    config = schemathesis.Config.from_path(REPO / "schemathesis.toml")
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case, contract):
    server, role = contract
    _restore_account(server, role)
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("PATCH", "/api/pets/{pet}", {"paused": "yes"}, "paused"),
    ("PATCH", "/api/pets/{pet}", {"paused": 1}, "paused"),
    ("POST", "/api/pets/{pet}/buttons", {"button": "A", "ms": "150"}, "ms"),
    ("POST", "/api/pets/{pet}/reset", {"confirm": "true"}, "confirm"),
    ("POST", "/api/pets", {"name": 5, "rom": "demo"}, "name"),
    ("POST", "/api/tokens", {"name": ["t"]}, "name"),
    ("POST", "/api/ir/edit", {"frame": "0E" + " 00" * 19, "fix_checksum": "no"},
     "fix_checksum"),
    ("POST", "/api/ir/sessions", {"mode": "snoop", "port": "fake", "repeat": "2"}, "repeat"),
])
def test_request_bodies_have_strict_types(world, method, path, body, field):
    """A string is not a boolean or a number: ``{"paused": "yes"}`` is refused, not True."""
    pet = world.owner.new_pet("Strict")
    r = world.owner.call(method, path.format(pet=pet["id"]), json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid" and field in r.json()["message"]
    got = world.owner.call("GET", f"/api/pets/{pet['id']}").json()
    assert got["status"] == "running" and got["emulated_seconds"] >= 0
    world.owner.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes")
