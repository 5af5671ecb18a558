"""Numbers from strangers stay in range: ids in paths and bodies, crafted state files,
and the uploads whose parsing must never stall the server.

An id at or above 2**63 (or negative) reached the database driver and overflowed:
500. A state file with a 64-bit field at or above 2**63 failed half-way through
loading: 500, with the pet's memory and registers already replaced.
"""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from pygotchi.server.api.deps import ID_LIMIT

BAD_IDS = [2**63, 2**64, 10**30, -1, 0, -(2**63) - 1]


def _int_path_params(doc: dict) -> list[tuple[str, str, str]]:
    """(method, path, parameter) for every integer path parameter in the contract."""
    found = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                types = [o.get("type") for o in schema.get("anyOf", [schema])]
                if param["in"] == "path" and "integer" in types:
                    found.append((method.upper(), path, param["name"]))
    return found


def test_every_integer_path_parameter_refuses_ids_out_of_range(world) -> None:
    """Walks every route of the OpenAPI document, so a new route with an integer id
    is covered too."""
    doc = world.anonymous().get("/openapi.json").json()
    routes = _int_path_params(doc)
    assert len(routes) >= 7  # IR items (4), users (2), tokens (1) at least
    failures = []
    for method, template, name in routes:
        for bad in BAD_IDS:
            path = template.replace("{" + name + "}", str(bad))
            path = re.sub(r"\{[^}]*\}", "1", path)  # any other parameter
            r = world.admin.call(method, path, json={})
            if r.status_code not in (404, 422):
                failures.append(f"{method} {path}: {r.status_code} {r.text[:80]}")
    assert not failures, "\n".join(failures)


def test_integer_ids_are_bounded_in_the_contract(world) -> None:
    """Every integer id a client sends (path, query or body) declares 1..2**63-1."""

    def bounded(schema: dict) -> bool:
        return (schema.get("minimum", -1) >= 0 and
                (schema.get("exclusiveMaximum", 2**64) <= ID_LIMIT
                 or schema.get("maximum", 2**64) < ID_LIMIT))

    doc = world.anonymous().get("/openapi.json").json()
    unbounded = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                if schema.get("type") == "integer" and param["name"].endswith("id") \
                        and not bounded(schema):
                    unbounded.append(f"{method.upper()} {path} {param['name']}")
    for name, schema in doc["components"]["schemas"].items():
        for prop, spec in schema.get("properties", {}).items():
            options = spec.get("anyOf", [spec])
            for option in options:
                if option.get("type") == "integer" and (prop == "id" or prop.endswith("_id")) \
                        and name.endswith(("In", "Change", "Request")) \
                        and not bounded(option):
                    unbounded.append(f"{name}.{prop}")
    assert not unbounded, unbounded


@pytest.mark.parametrize("bad", [2**63, -1])
def test_an_item_id_in_a_body_is_refused_out_of_range(world, bad: int) -> None:
    r = world.owner.call("POST", "/api/ir/sessions", json={"mode": "send", "item_id": bad})
    assert r.status_code == 422, r.text


# -- crafted state files ----------------------------------------------------------------------

HEADER_SIZE = 4 + 1 + 1 + 16 + 32 + 4
TICK_AT = HEADER_SIZE + 2 + 1 + 1 + 1 + 2 + 2 + 1 + 1  # after pc np a b x y sp f


def _with_tick(state: bytes, tick: int) -> bytes:
    data = bytearray(state)
    struct.pack_into("<Q", data, TICK_AT, tick)
    body = bytes(data[:-4])
    return body + struct.pack("<I", zlib.crc32(body))


@pytest.mark.parametrize("tick", [2**63, 2**64 - 1, 2**63 - 1000])
def test_a_crafted_state_is_a_422_and_the_pet_is_untouched(world, tick: int) -> None:
    owner = world.owner
    pet = owner.new_pet("Crafted")
    url = f"/api/pets/{pet['id']}"
    assert owner.call("PATCH", url, json={"paused": True}).status_code == 200
    before = owner.call("GET", f"{url}/state").content
    r = owner.call("PUT", f"{url}/state", files={"file": ("s.pgst", _with_tick(before, tick))})
    assert r.status_code == 422 and r.json()["error"] == "bad_state", r.text
    assert "tick count" in r.json()["message"]
    assert owner.call("GET", f"{url}/state").content == before
    assert owner.call("PATCH", url, json={"paused": False}).status_code == 200
    assert owner.call("GET", f"{url}/screen").status_code == 200


# -- large uploads ------------------------------------------------------------------------------

def test_a_large_adversarial_capture_gets_an_answer(world) -> None:
    """The 59 s request, at 900 KB: decoded in a worker thread, in linear time (the
    linearity itself is counted in tests/ir/test_linear.py), answered with a sentence."""
    data = b"\n" * 900_000 + b"a"
    r = world.other.call("POST", "/api/ir/decode", files={"file": ("x.txt", data)}, timeout=300)
    assert r.status_code == 200, r.text
    assert r.json()["frames"][0]["error"] == "'a' has an odd number of hex digits"
    r = world.other.call("POST", "/api/ir/import", files={"file": ("x.txt", data)}, timeout=300)
    assert r.status_code == 422, r.text


def test_deeply_nested_json_is_a_422(world) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    for path in ("/api/ir/decode", "/api/ir/import"):
        r = world.other.call("POST", path, content=body,
                             headers={"Content-Type": "application/json"})
        assert r.status_code == 422, r.text
    r = world.other.call("POST", "/api/ir/decode", json={"text": "{\"a\":" * 5000 + "1"
                                                          + "}" * 5000})
    assert r.status_code in (200, 422), r.text
