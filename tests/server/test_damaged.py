"""A damaged pet costs only itself: the server starts and every other pet runs.

Each kind of damage found in the wild (an unreadable ``created_at`` or
``state_at``, a corrupt state, a missing ROM file) leaves that pet listed as
``unavailable`` with the reason, its actions answering 409 ``unavailable``.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from tests.server.helpers import set_up_admin, sign_in


@pytest.mark.sqlite_only("text in date and number columns is SQLite's kind of damage: "
                        "PostgreSQL's typed columns refuse it (the damaged state below is "
                        "tested on both)")
def test_one_bad_row_does_not_keep_the_server_from_starting(serve, caplog):
    first = serve()
    admin = set_up_admin(first)
    names = ("BadDate", "BadInstant", "BadState", "BadTick", "Fine")
    pets = {name: admin.new_pet(name)["id"] for name in names}
    first.__exit__(None, None, None)
    admin.close()
    damage = {"BadDate": "created_at = 'garbage'", "BadInstant": "state_at = 'soon'",
              "BadState": "state = x'00112233'", "BadTick": "state_tick = 'x'"}
    with first.services.db.engine.begin() as conn:
        for name, change in damage.items():
            conn.execute(text(f"UPDATE pets SET {change} WHERE id = :i"), {"i": pets[name]})

    caplog.set_level(logging.INFO, logger="pygotchi")
    second = serve()
    admin = sign_in(second, "admin")
    loaded = [r for r in caplog.records if r.getMessage() == "pets_loaded"][-1]
    assert loaded.fields["unavailable"] == 4
    listed = {p["name"]: p for p in admin.call("GET", "/api/pets").json()}
    assert set(listed) == set(names)
    assert listed["Fine"]["status"] == "running" and listed["Fine"]["error"] is None
    for name, why in (("BadDate", "database row could not be read"),
                      ("BadInstant", "state_at is not a number"),
                      ("BadState", "saved state is damaged"),
                      ("BadTick", "state_tick is not a number")):
        pet = listed[name]
        assert pet["status"] == "unavailable" and why in pet["error"], (name, pet["error"])
        url = f"/api/pets/{pets[name]}"
        got = admin.call("GET", url)
        assert got.status_code == 200 and got.json()["status"] == "unavailable"
        for method, path, body in (("POST", "/buttons", {"button": "A"}),
                                   ("GET", "/screen", None), ("GET", "/state", None),
                                   ("POST", "/reset", {"confirm": True})):
            r = admin.call(method, url + path, json=body)
            assert r.status_code == 409 and r.json()["error"] == "unavailable", (name, path)
            assert why in r.json()["message"]
    assert listed["BadDate"]["created_at"] is None
    r = admin.call("PATCH", f"/api/pets/{pets['BadDate']}", json={"name": "X"})
    assert r.status_code == 409 and r.json()["error"] == "unavailable"
    health = admin.call("GET", "/healthz").json()
    assert health["pets_unavailable"] == 4 and health["pets_running"] == 1
    # the owner can still let a broken pet go
    r = admin.call("DELETE", f"/api/pets/{pets['BadDate']}?confirm=yes")
    assert r.status_code == 204
    assert admin.call("GET", f"/api/pets/{pets['BadDate']}").status_code == 404
    assert admin.call("GET", f"/api/pets/{pets['Fine']}/screen").status_code == 200
    admin.close()


def test_a_damaged_state_costs_only_its_pet(serve, caplog):
    """The damage both databases can hold: a state blob that is not a pygotchi state."""
    first = serve()
    admin = set_up_admin(first)
    bad, fine = admin.new_pet("BadState")["id"], admin.new_pet("Fine")["id"]
    first.__exit__(None, None, None)
    admin.close()
    with first.services.db.engine.begin() as conn:
        conn.execute(text("UPDATE pets SET state = :s WHERE id = :i"),
                     {"s": b"\x00\x11\x22\x33", "i": bad})
    second = serve()
    admin = sign_in(second, "admin")
    listed = {p["id"]: p for p in admin.call("GET", "/api/pets").json()}
    assert listed[bad]["status"] == "unavailable"
    assert "saved state is damaged" in listed[bad]["error"]
    assert listed[fine]["status"] == "running"
    r = admin.call("POST", f"/api/pets/{bad}/buttons", json={"button": "A"})
    assert r.status_code == 409 and r.json()["error"] == "unavailable"
    assert admin.call("DELETE", f"/api/pets/{bad}?confirm=yes").status_code == 204
    admin.close()
