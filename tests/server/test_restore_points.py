"""Restore points and forks, through the API: schedule and thinning, bounds, restore and its
undo, forks that live on their own, and instances where players get no second chance.

A fake wall clock makes the schedule exact: the pets catch up on days of "downtime" in a
few seconds (the echo ROM runs an emulated hour in a few hundredths of a second compiled).
"""

from __future__ import annotations

import struct

import pytest

import pygotchi.emu
from pygotchi.emu import TICKS_PER_SECOND
from pygotchi.emu.state import _HEADER, FIELDS
from pygotchi.server.scheduler import Clock
from pygotchi.store.models import RESTORE_AUTO, RESTORE_NAMED, RESTORE_UNDO
from pygotchi.store.restorepoints import Retention, doomed
from tests.server.helpers import add_player, held_on_screen, set_up_admin, sign_in, wait_for
from tests.server.test_realtime import FakeClock, settled

HOUR = 3600 * TICKS_PER_SECOND
COMPILED = getattr(pygotchi.emu, "COMPILED", False)


def moment(state: bytes) -> bytes:
    """A state without what loading it changes on purpose: ``lcd_version`` is raised
    past the machine's own (so viewers redraw), and the CRC with it."""
    codes = "".join(f.code for f in FIELDS[:[f.name for f in FIELDS].index("lcd_version")])
    at = _HEADER.size + struct.calcsize("<" + codes)
    return state[:at] + state[at + 8:-4]


def points_of(user, pet_id) -> dict:
    r = user.call("GET", f"/api/pets/{pet_id}/restore-points")
    assert r.status_code == 200, r.text
    return r.json()


def autos(listing: dict) -> list[dict]:
    return [p for p in listing["points"] if p["kind"] == "auto"]


def hour_of(point: dict) -> int:
    return int(point["emulated_seconds"] * TICKS_PER_SECOND) // HOUR


# --- the schedule, as a pure rule ----------------------------------------------------------

def test_thinning_keeps_hours_then_days_then_nothing():
    keep = Retention(hour_ticks=HOUR, hourly_hours=6, daily_days=2, max_bytes=1 << 30)
    # one automatic point a few seconds after each hour mark of 84 hours of life
    points = [(h, RESTORE_AUTO, h * HOUR + 5 * TICKS_PER_SECOND, 1000) for h in range(1, 85)]
    drop = set(doomed(points, points[-1][2], keep))
    kept = sorted(h for h, *_ in points if h not in drop)
    # the last 6 hours (79-84), then the newest point of day 3 (hours 72-78) and of
    # day 2 (hours 48-71); day 1 and older are gone
    assert kept == [71, 78, 79, 80, 81, 82, 83, 84]


def test_thinning_newest_wins_an_hour_and_named_points_stay():
    keep = Retention(hour_ticks=HOUR, hourly_hours=2, daily_days=0, max_bytes=1 << 30,
                     undo_keep=1)
    points = [(1, RESTORE_AUTO, 5 * HOUR + 10, 10),  # an abandoned future...
              (2, RESTORE_NAMED, 0, 10),  # ...named long ago
              (3, RESTORE_UNDO, 5 * HOUR + 20, 10),
              (4, RESTORE_UNDO, 2 * HOUR, 10),
              (5, RESTORE_AUTO, 5 * HOUR + 99, 10)]  # the same hour lived again
    assert sorted(doomed(points, 5 * HOUR + 99, keep)) == [1, 3]


def test_the_byte_bound_drops_the_oldest_automatic_then_undo_points():
    keep = Retention(hour_ticks=HOUR, hourly_hours=100, daily_days=0, max_bytes=350)
    points = [(1, RESTORE_AUTO, 1 * HOUR, 100), (2, RESTORE_UNDO, 2 * HOUR, 100),
              (3, RESTORE_NAMED, 3 * HOUR, 100), (4, RESTORE_AUTO, 4 * HOUR, 100)]
    assert doomed(points, 4 * HOUR, keep) == [1]
    tight = Retention(hour_ticks=HOUR, hourly_hours=100, daily_days=0, max_bytes=150)
    assert sorted(doomed(points, 4 * HOUR, tight)) == [1, 2, 4]


# --- automatic points as pets run ------------------------------------------------------------

@pytest.mark.skipif(not COMPILED, reason="84 emulated hours need the compiled core")
def test_a_pet_caught_up_over_days_gets_its_hourly_and_daily_points(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake), restore_hourly_hours=6, restore_daily_days=2)
    admin = set_up_admin(server)
    pet = admin.new_pet()
    fake.advance(84 * 3600 + 60)  # the server (or the pet) was away three and a half days
    settled(admin, pet["id"], 84 * 3600 + 60)
    restore = server.services.restore_points
    wait_for(lambda: restore.written >= 84, what="84 hourly points")

    def thinned():
        hours = sorted(hour_of(p) for p in autos(points_of(admin, pet["id"])))
        return hours if hours == [71, 78, 79, 80, 81, 82, 83, 84] else None

    wait_for(thinned, what="the schedule applied")
    listing = points_of(admin, pet["id"])
    for p in autos(listing):
        # each point is the pet just after an hour mark of its life (a catch-up step
        # is 30 emulated seconds), at the wall-clock instant that moment belonged to
        into = p["emulated_seconds"] - hour_of(p) * 3600
        assert 0 <= into <= 31, p
        assert p["bytes"] > 0 and p["picture"].endswith(f"/{p['id']}/screen.png")
    assert listing["bytes"] == sum(p["bytes"] for p in listing["points"])
    png = admin.call("GET", autos(listing)[0]["picture"] + "?scale=2")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    admin.close()


def test_an_unwatched_pet_is_not_run_more_often_for_its_points(serve):
    """The points ride on the runs the scheduler makes anyway: an hour of pet life
    in one step gives one point, and no point before the hour mark."""
    fake = FakeClock()
    server = serve(clock=Clock(fake))
    admin = set_up_admin(server)
    pet = admin.new_pet()
    fake.advance(3599)
    settled(admin, pet["id"], 3599)
    assert autos(points_of(admin, pet["id"])) == []
    fake.advance(2)
    settled(admin, pet["id"], 3601)
    restore = server.services.restore_points
    wait_for(lambda: restore.written == 1, what="the first hourly point")
    assert [hour_of(p) for p in autos(points_of(admin, pet["id"]))] == [1]
    admin.close()


# --- named points, restore and undo ------------------------------------------------------------

def test_restore_goes_back_exactly_and_can_be_undone(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake))
    admin = set_up_admin(server)
    pet_id = admin.new_pet()["id"]
    fake.advance(10)
    settled(admin, pet_id, 10)
    then = admin.call("GET", f"/api/pets/{pet_id}/state").content
    r = admin.call("POST", f"/api/pets/{pet_id}/restore-points", json={"name": "Ten seconds"})
    assert r.status_code == 201, r.text
    point = r.json()
    assert point["kind"] == "named" and point["name"] == "Ten seconds"
    assert point["emulated_seconds"] == pytest.approx(10, abs=0.01)

    fake.advance(20)
    settled(admin, pet_id, 30)
    for action in ("down", "up"):  # B for half a second of the pet's time
        assert admin.call("POST", f"/api/pets/{pet_id}/buttons",
                          json={"button": "B", "action": action}).status_code == 200
        fake.advance(0.5)
    settled(admin, pet_id, 31)
    later = admin.call("GET", f"/api/pets/{pet_id}/state").content
    later_age = admin.call("GET", f"/api/pets/{pet_id}").json()["emulated_seconds"]

    url = f"/api/pets/{pet_id}/restore-points/{point['id']}/restore"
    r = admin.call("POST", url, json={})
    assert r.status_code == 400 and r.json()["error"] == "confirm_required"
    r = admin.call("POST", url, json={"confirm": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["pet"]["emulated_seconds"] == pytest.approx(10, abs=0.01)
    undo = body["undo"]
    assert undo["kind"] == "undo" and undo["name"] == "Before restoring to Ten seconds"
    assert undo["emulated_seconds"] == pytest.approx(later_age, abs=0.01)
    # the fake clock stands still: the pet is exactly the saved moment again
    assert moment(admin.call("GET", f"/api/pets/{pet_id}/state").content) == moment(then)

    r = admin.call("POST", f"/api/pets/{pet_id}/restore-points/{undo['id']}/restore",
                   json={"confirm": True})
    assert r.status_code == 200, r.text
    assert r.json()["undo"]["name"] == "Before undoing a restore"
    assert moment(admin.call("GET", f"/api/pets/{pet_id}/state").content) == moment(later)

    def restored_events():
        events = admin.call("GET", f"/api/pets/{pet_id}/timeline").json()["events"]
        return [e for e in events if e["kind"] == "restored"] or None

    events = wait_for(lambda: (e := restored_events()) and len(e) == 2 and e,
                      what="two restores in the timeline")
    assert events[1]["data"]["name"] == "Ten seconds"
    assert events[0]["data"]["point"] == undo["id"]
    kinds = sorted(p["kind"] for p in points_of(admin, pet_id)["points"])
    assert kinds == ["named", "undo", "undo"]  # undoing a restore is a restore too
    admin.close()


def test_viewers_see_a_restore(serve):
    server = serve()
    admin = set_up_admin(server)
    pet_id = admin.new_pet()["id"]
    point = admin.call("POST", f"/api/pets/{pet_id}/restore-points",
                       json={"name": "start"}).json()
    with admin.ws(pet_id) as viewer:
        viewer.until(lambda v: v.statuses, what="the first status")
        wait_for(lambda: admin.call("GET", f"/api/pets/{pet_id}").json()["emulated_seconds"]
                 > point["emulated_seconds"] + 1, what="the pet to live on")
        before = len(viewer.statuses)
        r = admin.call("POST", f"/api/pets/{pet_id}/restore-points/{point['id']}/restore",
                       json={"confirm": True})
        assert r.status_code == 200, r.text
        viewer.until(lambda v: any(s["emulated_seconds"] < point["emulated_seconds"] + 1
                                   for s in v.statuses[before:]), what="the restored age")
    admin.close()


def test_points_are_bounded_per_pet(serve):
    server = serve(restore_named_max=3)
    admin = set_up_admin(server)
    pet_id = admin.new_pet()["id"]
    for n in range(3):
        assert admin.call("POST", f"/api/pets/{pet_id}/restore-points",
                          json={"name": f"p{n}"}).status_code == 201
    r = admin.call("POST", f"/api/pets/{pet_id}/restore-points", json={"name": "one more"})
    assert r.status_code == 409 and r.json()["error"] == "too_many_points"
    assert "delete one" in r.json()["message"]
    first = points_of(admin, pet_id)["points"][-1]
    assert admin.call("DELETE", f"/api/pets/{pet_id}/restore-points/{first['id']}"
                      ).status_code == 204
    assert admin.call("POST", f"/api/pets/{pet_id}/restore-points",
                      json={"name": "one more"}).status_code == 201
    for bad in ("", "   ", "a\u0000b", "x" * 61):
        r = admin.call("POST", f"/api/pets/{pet_id}/restore-points", json={"name": bad})
        assert r.status_code == 422 and r.json()["message"], bad
    admin.close()


def test_the_byte_bound_holds(serve):
    server = serve(restore_named_max=1000, restore_bytes_max=16 * 1024)
    admin = set_up_admin(server)
    pet_id = admin.new_pet()["id"]
    made = 0
    while True:
        r = admin.call("POST", f"/api/pets/{pet_id}/restore-points", json={"name": f"n{made}"})
        if r.status_code != 201:
            break
        made += 1
        assert made < 100
    assert r.status_code == 409 and r.json()["error"] == "storage_bound"
    listing = points_of(admin, pet_id)
    assert 0 < listing["bytes"] <= 16 * 1024 and len(listing["points"]) == made
    assert listing["schedule"]["bytes_max"] == 16 * 1024
    admin.close()


def test_automatic_points_cannot_be_deleted_and_unknown_points_are_404(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake))
    admin = set_up_admin(server)
    pet_id = admin.new_pet()["id"]
    other_id = admin.new_pet("Other")["id"]
    fake.advance(3601)
    settled(admin, pet_id, 3601)
    auto = wait_for(lambda: autos(points_of(admin, pet_id)), what="an hourly point")[0]
    r = admin.call("DELETE", f"/api/pets/{pet_id}/restore-points/{auto['id']}")
    assert r.status_code == 409 and r.json()["error"] == "automatic"
    # a point is reached through its own pet only
    for method, tail, kwargs in (("DELETE", "", {}), ("GET", "/screen.png", {}),
                                 ("POST", "/restore", {"json": {"confirm": True}})):
        r = admin.call(method, f"/api/pets/{other_id}/restore-points/{auto['id']}{tail}",
                       **kwargs)
        assert r.status_code == 404 and r.json()["error"] == "not_found", (method, tail)
    admin.close()


# --- forks ---------------------------------------------------------------------------------------

def test_a_fork_lives_on_by_itself(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake))
    admin = set_up_admin(server)
    original = admin.new_pet("Original")
    fake.advance(5)
    settled(admin, original["id"], 5)
    r = admin.call("POST", f"/api/pets/{original['id']}/fork", json={})
    assert r.status_code == 201, r.text
    fork = r.json()
    assert fork["name"] == "Original (fork)" and fork["id"] != original["id"]
    assert fork["emulated_seconds"] == pytest.approx(5, abs=0.01)
    assert fork["rom"] == original["rom"] and fork["status"] == "running"
    same = admin.call("GET", f"/api/pets/{original['id']}/state").content
    assert moment(admin.call("GET", f"/api/pets/{fork['id']}/state").content) == moment(same)

    # a button held on the fork shows on the fork only
    assert admin.call("POST", f"/api/pets/{fork['id']}/buttons",
                      json={"button": "A", "action": "down"}).status_code == 200
    fake.advance(1)
    wait_for(lambda: held_on_screen(admin, fork["id"]) == {"A"}, what="A on the fork")
    assert held_on_screen(admin, original["id"]) == set()
    assert admin.call("GET", f"/api/pets/{fork['id']}/state").content != \
        admin.call("GET", f"/api/pets/{original['id']}/state").content
    # deleting the original leaves the fork
    assert admin.call("DELETE", f"/api/pets/{original['id']}?confirm=yes").status_code == 204
    assert admin.call("GET", f"/api/pets/{fork['id']}").status_code == 200
    events = admin.call("GET", f"/api/pets/{fork['id']}/timeline").json()["events"]
    assert events[-1]["kind"] == "forked" and events[-1]["data"]["from_name"] == "Original"
    admin.close()


def test_a_fork_from_a_restore_point(serve):
    fake = FakeClock()
    server = serve(clock=Clock(fake))
    admin = set_up_admin(server)
    pet_id = admin.new_pet("Ada")["id"]
    fake.advance(3)
    settled(admin, pet_id, 3)
    point = admin.call("POST", f"/api/pets/{pet_id}/restore-points",
                       json={"name": "young"}).json()
    fake.advance(100)
    settled(admin, pet_id, 103)
    r = admin.call("POST", f"/api/pets/{pet_id}/fork",
                   json={"name": "Young Ada", "point": point["id"], "paused": True})
    assert r.status_code == 201, r.text
    fork = r.json()
    assert fork["name"] == "Young Ada" and fork["status"] == "paused"
    assert fork["emulated_seconds"] == pytest.approx(3, abs=0.01)
    assert points_of(admin, fork["id"])["points"] == []  # its own life, its own points
    fake.advance(50)
    assert admin.call("GET", f"/api/pets/{fork['id']}").json()["emulated_seconds"] == \
        pytest.approx(3, abs=0.01)
    r = admin.call("POST", f"/api/pets/{pet_id}/fork", json={"point": 999999})
    assert r.status_code == 404
    admin.close()


def test_forks_respect_the_pet_limit(serve):
    server = serve(max_pets_per_user=1)
    admin = set_up_admin(server)
    pet_id = admin.new_pet()["id"]
    r = admin.call("POST", f"/api/pets/{pet_id}/fork", json={})
    assert r.status_code == 409 and r.json()["error"] == "too_many_pets"
    assert len(admin.call("GET", "/api/pets").json()) == 1
    admin.close()


# --- no second chances ----------------------------------------------------------------------------

def test_players_are_refused_when_restores_are_off(serve):
    server = serve()
    admin = set_up_admin(server)
    player = add_player(admin, "player")
    mine = player.new_pet("Mine")["id"]
    point = player.call("POST", f"/api/pets/{mine}/restore-points", json={"name": "a"}).json()
    admins = admin.new_pet("Admin's")["id"]
    admin_point = admin.call("POST", f"/api/pets/{admins}/restore-points",
                             json={"name": "b"}).json()

    r = admin.call("PATCH", "/api/admin/restore-points", json={"players_may_restore": False})
    assert r.status_code == 200 and r.json()["players_may_restore"] is False
    assert points_of(player, mine)["restores_allowed"] is False
    r = player.call("POST", f"/api/pets/{mine}/restore-points/{point['id']}/restore",
                    json={"confirm": True})
    assert r.status_code == 403 and r.json()["error"] == "restores_off"
    assert "turned restores off" in r.json()["message"]
    r = player.call("POST", f"/api/pets/{mine}/fork", json={"point": point["id"]})
    assert r.status_code == 403 and r.json()["error"] == "restores_off"
    # what stays open: named points, and forks of the pet as it is now
    assert player.call("POST", f"/api/pets/{mine}/restore-points",
                       json={"name": "still"}).status_code == 201
    assert player.call("POST", f"/api/pets/{mine}/fork", json={}).status_code == 201
    # administrators still may, on their own pets
    assert points_of(admin, admins)["restores_allowed"] is True
    r = admin.call("POST", f"/api/pets/{admins}/restore-points/{admin_point['id']}/restore",
                   json={"confirm": True})
    assert r.status_code == 200, r.text
    # and the storage view counts every pet's points
    storage = admin.call("GET", "/api/admin/restore-points").json()
    per_pet = {p["pet_id"]: p for p in storage["pets"]}
    assert per_pet[mine]["points"] == 2 and per_pet[mine]["owner"] == "player"
    assert per_pet[admins]["points"] == 2  # the named one and the undo of the restore
    assert storage["points"] == sum(p["points"] for p in storage["pets"])
    assert storage["bytes"] == sum(p["bytes"] for p in storage["pets"]) > 0
    r = admin.call("PATCH", "/api/admin/restore-points", json={"players_may_restore": True})
    assert r.json()["players_may_restore"] is True
    r = player.call("POST", f"/api/pets/{mine}/restore-points/{point['id']}/restore",
                    json={"confirm": True})
    assert r.status_code == 200, r.text
    assert player.call("GET", "/api/admin/restore-points").status_code == 403
    player.close()
    admin.close()


def test_points_survive_a_restart(serve):
    first = serve()
    admin = set_up_admin(first)
    pet_id = admin.new_pet()["id"]
    point = admin.call("POST", f"/api/pets/{pet_id}/restore-points",
                       json={"name": "kept"}).json()
    first.__exit__(None, None, None)
    admin.close()
    second = serve()
    admin = sign_in(second, "admin")
    assert [p["id"] for p in points_of(admin, pet_id)["points"]] == [point["id"]]
    r = admin.call("POST", f"/api/pets/{pet_id}/restore-points/{point['id']}/restore",
                   json={"confirm": True})
    assert r.status_code == 200, r.text
    admin.close()


def test_a_damaged_point_or_a_failed_save_changes_nothing(serve, monkeypatch):
    from sqlalchemy import update

    from pygotchi.store.models import RestorePoint

    fake = FakeClock()
    server = serve(clock=Clock(fake))
    admin = set_up_admin(server)
    pet_id = admin.new_pet()["id"]
    good = admin.call("POST", f"/api/pets/{pet_id}/restore-points", json={"name": "good"}).json()
    bad = admin.call("POST", f"/api/pets/{pet_id}/restore-points", json={"name": "bad"}).json()
    with server.services.db.session() as s:
        s.execute(update(RestorePoint).where(RestorePoint.id == bad["id"])
                  .values(state=b"PGST garbage"))
        s.commit()
    fake.advance(5)
    settled(admin, pet_id, 5)
    now = admin.call("GET", f"/api/pets/{pet_id}/state").content
    r = admin.call("POST", f"/api/pets/{pet_id}/restore-points/{bad['id']}/restore",
                   json={"confirm": True})
    assert r.status_code == 422 and r.json()["error"] == "bad_state", r.text
    r = admin.call("POST", f"/api/pets/{pet_id}/fork", json={"point": bad["id"]})
    assert r.status_code == 422 and r.json()["error"] == "bad_state", r.text

    def refuse(taken):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(server.services.scheduler, "_commit_checkpoints", refuse)
    r = admin.call("POST", f"/api/pets/{pet_id}/restore-points/{good['id']}/restore",
                   json={"confirm": True})
    assert r.status_code == 507, r.text
    monkeypatch.undo()
    assert moment(admin.call("GET", f"/api/pets/{pet_id}/state").content) == moment(now)
    kinds = sorted(p["kind"] for p in points_of(admin, pet_id)["points"])
    assert kinds == ["named", "named"]  # no undo point for a restore that did not happen
    assert len(admin.call("GET", "/api/pets").json()) == 1
    admin.close()


@pytest.mark.skipif(not COMPILED, reason="hours of emulated time need the compiled core")
def test_a_pet_back_from_server_downtime_gets_the_points_of_the_hours_it_missed(serve):
    fake = FakeClock()
    first = serve(clock=Clock(fake))
    admin = set_up_admin(first)
    pet_id = admin.new_pet()["id"]
    fake.advance(1800)
    settled(admin, pet_id, 1800)
    first.__exit__(None, None, None)
    admin.close()
    fake.advance(5 * 3600)  # the server is down for five hours
    second = serve(clock=Clock(fake))
    admin = sign_in(second, "admin")
    settled(admin, pet_id, 1800 + 5 * 3600)
    wait_for(lambda: second.services.restore_points.written == 5, what="five hourly points")
    assert sorted(hour_of(p) for p in autos(points_of(admin, pet_id))) == [1, 2, 3, 4, 5]
    admin.close()
