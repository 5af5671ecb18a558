"""The authorization matrix: every endpoint as anonymous, another player, the owner, an admin.

Each case runs twice for signed-in callers: from a browser (session cookie +
CSRF header) and from a script (API token). Owner-only resources answer 404 to
everyone else, exactly as for an id that does not exist.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.server.helpers import PASSWORD, User, other_rom, sign_in

ROLES = ("anonymous", "other", "owner", "admin")
_names = itertools.count()


@dataclass
class Case:
    method: str
    path: str  # {pet} {token} {user} {rom} are filled in per case
    expect: dict[str, int]  # role -> status
    body: Callable[[], dict] | None = None  # keyword arguments for the request
    needs: tuple[str, ...] = ()


def _expect(anon: int, other: int, owner: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (anon, other, owner, admin), strict=True))


PET = _expect(401, 404, 200, 404)
DEBUG = _expect(401, 404, 200, 200)
IR_HEX = "0E 00 DE 5A 28 00 0B 08 02 04 02 00 23 00 06 00 00 00 0A BC"  # SPEC.md §2.5 message 1
IR_VISIT = [IR_HEX, "0E 01 BF 22 2C 01 0E 01 A0 A0 00 64 22 00 00 00 00 00 0A FC",
            "0E 08 DE 5A 28 00 0B 08 02 04 03 00 00 00 00 00 00 00 00 92",
            "0E 09 BF 22 2C 01 0E 01 A0 A0 03 00 00 00 00 00 00 00 00 77"]
CASES = {
    "session": Case("GET", "/api/session", _expect(200, 200, 200, 200)),
    "tokens": Case("GET", "/api/tokens", _expect(401, 200, 200, 200)),
    "token_new": Case("POST", "/api/tokens", _expect(401, 201, 201, 201),
                      lambda: {"json": {"name": "matrix"}}),
    "token_revoke": Case("DELETE", "/api/tokens/{token}", _expect(401, 404, 204, 404),
                         needs=("token",)),
    "users": Case("GET", "/api/users", _expect(401, 403, 403, 200)),
    "user_new": Case("POST", "/api/users", _expect(401, 403, 403, 201),
                     lambda: {"json": {"username": f"new{next(_names)}",
                                       "password": PASSWORD}}),
    # for user endpoints the "owner" is the account itself
    "user_change": Case("PATCH", "/api/users/{user}", _expect(401, 403, 200, 200),
                        lambda: {"json": {"password": "another password",
                                          "current_password": PASSWORD}}, needs=("user",)),
    "user_delete": Case("DELETE", "/api/users/{user}", _expect(401, 403, 403, 204),
                        needs=("user",)),
    # one's own account: everyone signed in has one; sessions of others are not theirs
    "account_sessions": Case("GET", "/api/account/sessions", _expect(401, 200, 200, 200)),
    "account_session_end": Case("DELETE", "/api/account/sessions/{sid}",
                                _expect(401, 404, 204, 404), needs=("sid",)),
    "totp_status": Case("GET", "/api/account/totp", _expect(401, 200, 200, 200)),
    "totp_begin": Case("POST", "/api/account/totp", _expect(401, 201, 201, 201)),
    # (real codes are tested in test_account.py; here: who reaches the route at all)
    "totp_confirm": Case("POST", "/api/account/totp/confirm", _expect(401, 422, 422, 422),
                         lambda: {"json": {"code": "123"}}),
    "totp_disable": Case("POST", "/api/account/totp/disable", _expect(401, 409, 409, 409),
                         lambda: {"json": {"code": "123456"}}),
    "audit": Case("GET", "/api/audit", _expect(401, 403, 403, 200)),
    "cluster": Case("GET", "/api/cluster", _expect(401, 403, 403, 200)),
    "roms": Case("GET", "/api/roms", _expect(401, 200, 200, 200)),
    "rom_upload": Case("POST", "/api/roms", _expect(401, 403, 403, 201),
                       lambda: {"files": {"file": ("r.bin", other_rom())}}, needs=("no_rom",)),
    "rom_delete": Case("DELETE", "/api/roms/{rom}", _expect(401, 403, 403, 204),
                       needs=("rom",)),
    "health": Case("GET", "/healthz", _expect(200, 200, 200, 200)),
    "pets": Case("GET", "/api/pets", _expect(401, 200, 200, 200)),
    "pet_screens": Case("GET", "/api/pets/screens", _expect(401, 200, 200, 200)),
    "pet_new": Case("POST", "/api/pets", _expect(401, 201, 201, 201),
                    lambda: {"json": {"name": "m", "rom": "demo"}}),
    "pet": Case("GET", "/api/pets/{pet}", PET, needs=("pet",)),
    "pet_change": Case("PATCH", "/api/pets/{pet}", PET, lambda: {"json": {"name": "x"}},
                       needs=("pet",)),
    "pet_delete": Case("DELETE", "/api/pets/{pet}?confirm=yes", _expect(401, 404, 204, 404),
                       needs=("pet",)),
    "pet_reset": Case("POST", "/api/pets/{pet}/reset", PET, lambda: {"json": {"confirm": True}},
                      needs=("pet",)),
    "state_get": Case("GET", "/api/pets/{pet}/state", PET, needs=("pet",)),
    "state_tlst": Case("GET", "/api/pets/{pet}/state?format=tlst", PET, needs=("pet",)),
    "state_put": Case("PUT", "/api/pets/{pet}/state", PET, needs=("pet", "state")),
    # the owner's demo pet is not a P1 or P2: 422 not_supported
    "pet_clock": Case("POST", "/api/pets/{pet}/clock", _expect(401, 404, 422, 404),
                      lambda: {"json": {"hour": 9, "minute": 30}}, needs=("pet",)),
    "buttons": Case("POST", "/api/pets/{pet}/buttons", PET,
                    lambda: {"json": {"button": "A", "ms": 20}}, needs=("pet",)),
    "screen": Case("GET", "/api/pets/{pet}/screen", PET, needs=("pet",)),
    "screen_png": Case("GET", "/api/pets/{pet}/screen.png?scale=2", PET, needs=("pet",)),
    # IR lab: saved items and sessions are their owner's only, like pets; the tools
    # and the port list are for every signed-in user.
    "ir_items": Case("GET", "/api/ir/items", _expect(401, 200, 200, 200)),
    "ir_item_new": Case("POST", "/api/ir/items", _expect(401, 201, 201, 201),
                        lambda: {"json": {"name": "m", "frames": [IR_HEX, None, None, None]}}),
    "ir_item": Case("GET", "/api/ir/items/{item}", PET, needs=("item",)),
    "ir_item_change": Case("PATCH", "/api/ir/items/{item}", PET,
                           lambda: {"json": {"name": "renamed"}}, needs=("item",)),
    "ir_item_delete": Case("DELETE", "/api/ir/items/{item}", _expect(401, 404, 204, 404),
                           needs=("item",)),
    "ir_item_export": Case("GET", "/api/ir/items/{item}/export?format=tgir", PET,
                           needs=("item",)),
    # only the owner has a complete conversation to export
    "ir_export": Case("GET", "/api/ir/export", _expect(401, 409, 200, 409), needs=("item",)),
    "ir_import": Case("POST", "/api/ir/import", _expect(401, 201, 201, 201),
                      lambda: {"json": {"text": IR_HEX}}),
    "ir_decode": Case("POST", "/api/ir/decode", _expect(401, 200, 200, 200),
                      lambda: {"json": {"text": IR_HEX}}),
    "ir_encode": Case("POST", "/api/ir/encode", _expect(401, 200, 200, 200),
                      lambda: {"json": {"build": {"activity": {"kind": "gift"}}}}),
    "ir_edit": Case("POST", "/api/ir/edit", _expect(401, 200, 200, 200),
                    lambda: {"json": {"frame": IR_HEX, "flip": [3]}}),
    "ir_fields": Case("GET", "/api/ir/fields", _expect(401, 200, 200, 200)),
    "ir_ports": Case("GET", "/api/ir/ports", _expect(401, 200, 200, 200)),
    "ir_session_new": Case("POST", "/api/ir/sessions", _expect(401, 201, 201, 201),
                           lambda: {"json": {"mode": "send", "port": "fake",
                                             "frames": [IR_HEX]}}, needs=("fake_ir",)),
    "ir_session": Case("GET", "/api/ir/sessions/{session}", PET, needs=("session",)),
    # an administrator may stop anyone's session (nobody holds the transceiver hostage)
    "ir_session_cancel": Case("POST", "/api/ir/sessions/{session}/cancel",
                              _expect(401, 404, 200, 200), needs=("session",)),
    # Notifications: each user's own devices, channels and quiet hours; a pet's
    # alert choices and timeline are its owner's only.
    "push_key": Case("GET", "/api/push/key", _expect(401, 200, 200, 200)),
    "push_subs": Case("GET", "/api/push/subscriptions", _expect(401, 200, 200, 200)),
    "push_sub_new": Case("POST", "/api/push/subscriptions", _expect(401, 201, 201, 201),
                         lambda: {"json": _subscription()}, needs=("loopback",)),
    "push_sub_delete": Case("DELETE", "/api/push/subscriptions/{sub}",
                            _expect(401, 404, 204, 404), needs=("loopback", "sub")),
    "push_sub_test": Case("POST", "/api/push/subscriptions/{sub}/test",
                          _expect(401, 404, 200, 404), needs=("loopback", "sub")),
    "channels": Case("GET", "/api/push/channels", _expect(401, 200, 200, 200)),
    "channel_new": Case("POST", "/api/push/channels", _expect(401, 201, 201, 201),
                        lambda: {"json": {"url": "json://127.0.0.1:9/matrix"}},
                        needs=("loopback",)),
    "channel_delete": Case("DELETE", "/api/push/channels/{channel}",
                           _expect(401, 404, 204, 404), needs=("loopback", "channel")),
    # nothing listens on port 9: the owner is told the message did not go out
    "channel_test": Case("POST", "/api/push/channels/{channel}/test",
                         _expect(401, 404, 502, 404), needs=("loopback", "channel")),
    "push_settings": Case("GET", "/api/push/settings", _expect(401, 200, 200, 200)),
    "push_settings_put": Case("PUT", "/api/push/settings", _expect(401, 200, 200, 200),
                              lambda: {"json": {"quiet_from": "22:00", "quiet_to": "07:00",
                                                "time_zone": "Europe/Paris"}}),
    "pet_alerts": Case("GET", "/api/pets/{pet}/alerts", PET, needs=("pet",)),
    "pet_alerts_change": Case("PATCH", "/api/pets/{pet}/alerts", PET,
                              lambda: {"json": {"calls": False}}, needs=("pet",)),
    "timeline": Case("GET", "/api/pets/{pet}/timeline", PET, needs=("pet",)),
    "timeline_png": Case("GET", "/api/pets/{pet}/timeline/{event}.png", PET,
                         needs=("pet", "event")),
    # The debugger: the owner of a paused pet, and administrators on any pet (one session
    # per pet, which they share); other players see no pet at all.
    "debug_open": Case("POST", "/api/pets/{pet}/debug", DEBUG, needs=("pet", "paused")),
    "debug": Case("GET", "/api/pets/{pet}/debug", DEBUG, needs=("pet", "debug")),
    "debug_end": Case("DELETE", "/api/pets/{pet}/debug", DEBUG, needs=("pet", "debug")),
    "debug_command": Case("POST", "/api/pets/{pet}/debug/command", DEBUG,
                          lambda: {"json": {"action": "step", "count": 3}},
                          needs=("pet", "debug")),
    "debug_break": Case("PUT", "/api/pets/{pet}/debug/breakpoints/{address}", DEBUG,
                        needs=("pet", "debug")),
    "debug_break_delete": Case("DELETE", "/api/pets/{pet}/debug/breakpoints/{address}", DEBUG,
                               needs=("pet", "debug")),
    "debug_watch": Case("PUT", "/api/pets/{pet}/debug/watchpoints/{address}", DEBUG,
                        lambda: {"json": {"read": True, "write": False}},
                        needs=("pet", "debug")),
    "debug_watch_delete": Case("DELETE", "/api/pets/{pet}/debug/watchpoints/{address}", DEBUG,
                               needs=("pet", "debug")),
    "debug_register": Case("PUT", "/api/pets/{pet}/debug/registers/{name}", DEBUG,
                           lambda: {"json": {"value": 3}}, needs=("pet", "debug")),
    "debug_memory": Case("PUT", "/api/pets/{pet}/debug/memory/{address}", DEBUG,
                         lambda: {"json": {"value": 3}}, needs=("pet", "debug")),
    "debug_button": Case("PUT", "/api/pets/{pet}/debug/buttons/{button}", DEBUG,
                         lambda: {"json": {"pressed": True}}, needs=("pet", "debug")),
    "debug_disassembly": Case("GET", "/api/pets/{pet}/debug/disassembly?start=256", DEBUG,
                              needs=("pet", "debug")),
    "debug_label": Case("PUT", "/api/pets/{pet}/debug/labels/{address}", DEBUG,
                        lambda: {"json": {"name": "matrix"}}, needs=("pet", "debug")),
    "debug_label_delete": Case("DELETE", "/api/pets/{pet}/debug/labels/{address}", DEBUG,
                               needs=("pet", "debug")),
    # Restore points and forks: the pet's owner's only (admins too see no one else's);
    # the storage view and the players' switch are the administrators'.
    "restore_points": Case("GET", "/api/pets/{pet}/restore-points", PET, needs=("pet",)),
    "restore_point_new": Case("POST", "/api/pets/{pet}/restore-points",
                              _expect(401, 404, 201, 404), lambda: {"json": {"name": "m"}},
                              needs=("pet",)),
    "restore_point_png": Case("GET", "/api/pets/{pet}/restore-points/{point}/screen.png",
                              PET, needs=("pet", "point")),
    "restore_point_delete": Case("DELETE", "/api/pets/{pet}/restore-points/{point}",
                                 _expect(401, 404, 204, 404), needs=("pet", "point")),
    "restore_point_restore": Case("POST", "/api/pets/{pet}/restore-points/{point}/restore",
                                  PET, lambda: {"json": {"confirm": True}},
                                  needs=("pet", "point")),
    "pet_fork": Case("POST", "/api/pets/{pet}/fork", _expect(401, 404, 201, 404),
                     lambda: {"json": {"name": "Forked"}}, needs=("pet",)),
    "restore_storage": Case("GET", "/api/admin/restore-points", _expect(401, 403, 403, 200)),
    "restore_storage_change": Case("PATCH", "/api/admin/restore-points",
                                   _expect(401, 403, 403, 200),
                                   lambda: {"json": {"players_may_restore": True}}),
}
GHOSTS = {"pet": "AAAAAAAAAAAA", "item": "999999999", "session": "AAAAAAAAAAAA",
          "sub": "999999999", "channel": "999999999", "point": "999999999"}


def _subscription() -> dict:
    """A browser's PushSubscription JSON (the keys' form is checked, not their use)."""
    from tests.server.pushservice import Browser

    browser = Browser()
    return {"endpoint": f"http://127.0.0.1:9/push/m{next(_names)}",
            "keys": {"p256dh": browser.p256dh, "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}


def _finish_ir_session(user: User, session_id: str) -> None:
    """Sessions hold the one transceiver: let each end before the next case starts one."""
    after = 0
    for _ in range(100):  # each poll waits for a new event (not just any event) or the end
        body = user.call("GET", f"/api/ir/sessions/{session_id}?after={after}&wait=5").json()
        if body["status"] != "running":
            return
        after = body["next"]
    raise AssertionError("the IR session did not end")


def _callers(world) -> dict[str, User | None]:
    return {"anonymous": None, "other": world.other, "owner": world.owner, "admin": world.admin}


@pytest.mark.parametrize(("name", "role", "mode"), [
    (name, role, mode) for name in CASES for role in ROLES
    for mode in (("browser",) if role == "anonymous" else ("browser", "script"))])
def test_matrix(world, name, role, mode, monkeypatch):
    case = CASES[name]
    owner = world.owner
    fill: dict[str, object] = {}
    caller = _callers(world)[role]
    kwargs = case.body() if case.body else {}
    if "pet" in case.needs:
        fill["pet"] = owner.new_pet("Matrix")["id"]
    if "paused" in case.needs or "debug" in case.needs:
        owner.call("PATCH", f"/api/pets/{fill['pet']}", json={"paused": True})
        fill.update(address=0x104, name="A", button="A")
    if "debug" in case.needs:
        assert owner.call("POST", f"/api/pets/{fill['pet']}/debug").status_code == 200
    if "state" in case.needs:
        state = owner.call("GET", f"/api/pets/{fill['pet']}/state").content
        kwargs = {"files": {"file": ("s.pgst", state)}}
    if "token" in case.needs:
        fill["token"] = owner.call("POST", "/api/tokens", json={"name": "t"}).json()["id"]
    if "user" in case.needs:
        username = f"subject{next(_names)}"
        r = world.admin.call("POST", "/api/users",
                             json={"username": username, "password": PASSWORD})
        fill["user"] = r.json()["id"]
        if role == "owner":
            caller = sign_in(world.server, username)
    if "sid" in case.needs:  # another sign-in of the owner, to be ended
        extra = sign_in(world.server, owner.name)
        fill["sid"] = next(x["id"] for x in extra.call("GET", "/api/account/sessions").json()
                           if x["current"])
    if "rom" in case.needs:
        r = world.admin.call("POST", "/api/roms", files={"file": ("r.bin", other_rom())})
        fill["rom"] = r.json()["id"]
    if "item" in case.needs:
        r = owner.call("POST", "/api/ir/items", json={"name": "Matrix", "frames": IR_VISIT})
        fill["item"] = r.json()["id"]
    if "fake_ir" in case.needs or "session" in case.needs:
        # the matrix server has no transceiver: these cases use the lab's fake one
        monkeypatch.setattr(world.server.app.state.irlab.settings, "ir_fake", True)
    if "session" in case.needs:
        r = owner.call("POST", "/api/ir/sessions",
                       json={"mode": "send", "port": "fake", "frames": [IR_HEX]})
        fill["session"] = r.json()["id"]
        _finish_ir_session(owner, fill["session"])
    if "loopback" in case.needs:  # the world server allows no local push service by itself
        monkeypatch.setattr(world.server.services.alerts, "allowed", frozenset({"127.0.0.1"}))
    if "sub" in case.needs:
        r = owner.call("POST", "/api/push/subscriptions", json=_subscription())
        fill["sub"] = r.json()["id"]
    if "channel" in case.needs:
        r = owner.call("POST", "/api/push/channels", json={"url": "json://127.0.0.1:9/m"})
        fill["channel"] = r.json()["id"]
    if "event" in case.needs:
        from pygotchi.store.models import PetEvent

        with world.server.services.db.session() as s:
            row = PetEvent(pet_id=fill["pet"], kind="call", tick=1, at=1.0, data={},
                           frame=bytes(65))
            s.add(row)
            s.commit()
            fill["event"] = row.id
    if "point" in case.needs:
        r = owner.call("POST", f"/api/pets/{fill['pet']}/restore-points", json={"name": "m"})
        fill["point"] = r.json()["id"]
    if "no_rom" in case.needs:
        sha = hashlib.sha256(other_rom()).hexdigest()
        world.admin.call("DELETE", f"/api/roms/{sha}")
    path = case.path.format(**fill)
    if caller is None:
        with world.anonymous() as client:
            r = client.request(case.method, path, **kwargs)
    elif mode == "browser":
        r = caller.call(case.method, path, **kwargs)
    else:
        r = caller.script(case.method, path, **kwargs)
    assert r.status_code == case.expect[role], (name, role, mode, r.text)
    if r.status_code >= 400:
        body = r.json()
        assert set(body) == {"error", "message"} and body["message"]
    for key in (GHOSTS.keys() & fill.keys()) if r.status_code == 404 else ():
        # a foreign pet (IR item, IR session) looks exactly like one that does not exist
        missing = path.replace(str(fill[key]), GHOSTS[key])
        ghost = (caller.script if mode == "script" else caller.call)(case.method, missing,
                                                                     **kwargs)
        assert (ghost.status_code, ghost.json()) == (r.status_code, r.json())
    if caller is not None and caller.name.startswith("subject"):
        caller.close()
    if "pet" in fill:
        owner.call("DELETE", f"/api/pets/{fill['pet']}?confirm=yes")
    if name in ("pet_new", "pet_fork") and r.status_code == 201:
        caller.call("DELETE", f"/api/pets/{r.json()['id']}?confirm=yes")
    if "item" in fill:
        owner.call("DELETE", f"/api/ir/items/{fill['item']}")
    if "sub" in fill:
        owner.call("DELETE", f"/api/push/subscriptions/{fill['sub']}")
    if "channel" in fill:
        owner.call("DELETE", f"/api/push/channels/{fill['channel']}")
    if name in ("push_sub_new", "channel_new") and r.status_code == 201:
        kind = "subscriptions" if name == "push_sub_new" else "channels"
        caller.call("DELETE", f"/api/push/{kind}/{r.json()['id']}")
    if name in ("ir_item_new", "ir_import") and r.status_code == 201:
        for item in r.json().get("items", [r.json()]):
            caller.call("DELETE", f"/api/ir/items/{item['id']}")
    if name == "ir_session_new" and r.status_code == 201:
        _finish_ir_session(caller, r.json()["id"])


def test_matrix_covers_every_route(world):
    """A new route must be added to the matrix above."""
    # The OpenAPI document lists every route, also those of included routers (which
    # app.routes no longer flattens).
    paths = world.server.app.openapi()["paths"]
    routes = {(m.upper(), path) for path, ops in paths.items() for m in ops
              if path.startswith(("/api", "/healthz"))}
    assert ("GET", "/api/pets") in routes
    # Signing in and out and the first setup are the same for every role; test_auth.py
    # covers them.
    routes -= {("POST", "/api/session"), ("DELETE", "/api/session"), ("POST", "/api/setup")}
    covered = {(c.method, c.path.split("?")[0].replace("{pet}", "{pet_id}")
                .replace("{token}", "{token_id}").replace("{user}", "{user_id}")
                .replace("{rom}", "{rom_id}").replace("{item}", "{item_id}")
                .replace("{session}", "{session_id}").replace("{sub}", "{sub_id}")
                .replace("{channel}", "{channel_id}").replace("{event}", "{event_id}")
                .replace("{point}", "{point_id}"))
               for c in CASES.values()}
    assert routes <= covered, routes - covered
