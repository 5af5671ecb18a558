"""The autopilot in the server: set per pet, presses through the owner's path, logged.

These run Sprout (the demo ROM, which calls after a minute alone and is
content again after any button) on a clock 20 times faster than the wall.
"""

from __future__ import annotations

import time

import pytest

from pygotchi.demo import demo_rom_bytes
from pygotchi.server.autopilot import OWNER_QUIET
from pygotchi.server.scheduler import Clock
from tests.server.helpers import set_up_admin, wait_for

SPEED = 20.0


def fast_clock() -> Clock:
    start = time.time()
    return Clock(lambda: start + (time.time() - start) * SPEED)


@pytest.fixture
def sprout(serve):
    server = serve(demo=("Sprout", demo_rom_bytes()), clock=fast_clock())
    return server, set_up_admin(server)


def texts(user, pet_id: str) -> list[str]:
    pet = user.call("GET", f"/api/pets/{pet_id}").json()
    return [entry["text"] for entry in pet["autopilot"]["recent"]]


def test_off_by_default_and_bad_settings_are_refused(sprout) -> None:
    server, user = sprout
    pet = user.new_pet("Sprout")
    assert pet["autopilot"] == {"mode": "off", "minutes": 15, "active": False, "recent": []}
    for body in ({"autopilot": "sometimes"}, {"autopilot_minutes": 0},
                 {"autopilot_minutes": 100000}):
        r = user.call("PATCH", f"/api/pets/{pet['id']}", json=body)
        assert r.status_code == 422, r.text
    assert user.call("GET", f"/api/pets/{pet['id']}").json()["autopilot"]["mode"] == "off"


def test_always_answers_calls_through_the_buttons(sprout) -> None:
    server, user = sprout
    pet = user.new_pet("Sprout")
    r = user.call("PATCH", f"/api/pets/{pet['id']}", json={"autopilot": "always"})
    assert r.status_code == 200 and r.json()["autopilot"]["mode"] == "always"
    wait_for(lambda: "autopilot answered a call" in texts(user, pet["id"]), timeout=60,
             what="the autopilot to answer Sprout's call")
    live = server.services.scheduler.get(pet["id"], user.id)
    # Its presses went through the pet's own press path: the owner did not press.
    assert live.owner_pressed_at == 0.0
    # What it did is in the pet's timeline, beside the calls it answered.
    def timeline_texts() -> list[str]:
        events = user.call("GET", f"/api/pets/{pet['id']}/timeline").json()["events"]
        return [e["data"].get("text") for e in events if e["kind"] == "autopilot"]

    wait_for(lambda: "autopilot answered a call" in timeline_texts(),
             what="the autopilot's answer in the timeline")


def test_it_steps_back_while_the_owner_presses(sprout) -> None:
    server, user = sprout
    pet = user.new_pet("Sprout")
    user.call("PATCH", f"/api/pets/{pet['id']}", json={"autopilot": "always"})
    pilot = server.services.autopilot.pilots[pet["id"]]
    live = server.services.scheduler.get(pet["id"], user.id)
    r = user.call("POST", f"/api/pets/{pet['id']}/buttons", json={"button": "B"})
    assert r.status_code == 200
    pressed = live.owner_pressed_at
    assert pressed > 0
    wait_for(lambda: pilot.due >= pressed + OWNER_QUIET, what="the autopilot to wait")
    assert not pilot.carer.busy


def test_unanswered_takes_over_after_the_minutes_and_hands_back(sprout) -> None:
    server, user = sprout
    pet = user.new_pet("Sprout")
    r = user.call("PATCH", f"/api/pets/{pet['id']}",
                  json={"autopilot": "unanswered", "autopilot_minutes": 1})
    assert r.json()["autopilot"] | {"recent": []} == {
        "mode": "unanswered", "minutes": 1, "active": False, "recent": []}
    wait_for(lambda: any(t.startswith("autopilot took over") for t in texts(user, pet["id"])),
             timeout=60, what="the autopilot to take over")
    wait_for(lambda: "autopilot handed back: the pet is content" in texts(user, pet["id"]),
             timeout=60, what="the autopilot to hand back")
    got = texts(user, pet["id"])
    assert got.index("autopilot handed back: the pet is content") > 0


def test_the_setting_survives_a_restart(serve) -> None:
    server = serve(demo=("Sprout", demo_rom_bytes()))
    user = set_up_admin(server)
    pet = user.new_pet("Sprout")
    user.call("PATCH", f"/api/pets/{pet['id']}",
              json={"autopilot": "unanswered", "autopilot_minutes": 30})
    user.close()
    server.__exit__(None, None, None)
    again = serve(demo=("Sprout", demo_rom_bytes()))
    from tests.server.helpers import sign_in

    user = sign_in(again, "admin")
    got = user.call("GET", f"/api/pets/{pet['id']}").json()["autopilot"]
    assert (got["mode"], got["minutes"]) == ("unanswered", 30)
