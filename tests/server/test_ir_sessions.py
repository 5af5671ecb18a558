"""IR lab sessions end to end: the server drives pygotchi.ir.fake.FakeDevice (a real pty
playing a Pico) through the real pyserial driver, with simulated toys in front of it
(``PYGOTCHI_IR_FAKE``: the port named ``fake``).

Long polls and time-outs are safety nets only; no assertion depends on timing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pygotchi.server.app import create_app
from tests.server.conftest import ECHO_DEMO, World, settings_for
from tests.server.helpers import LiveServer, User, add_player, set_up_admin

SAFETY_POLLS = 60  # long polls of up to 5 s each


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[World]:
    data: Path = tmp_path_factory.mktemp("irlab")
    app = create_app(settings_for(data, ir_fake=True), demo=ECHO_DEMO)
    with LiveServer(app) as server:
        admin = set_up_admin(server)
        owner = add_player(admin, "owner")
        other = add_player(admin, "other")
        yield World(server, admin, owner, other)
        for user in (admin, owner, other):
            user.close()


def start(user: User, **body) -> dict:
    r = user.call("POST", "/api/ir/sessions", json={"port": "fake", **body})
    assert r.status_code == 201, r.text
    return r.json()


def finish(user: User, session: dict) -> tuple[dict, list[dict]]:
    """Poll until the session ends; its last view and every event, in order."""
    events: list[dict] = []
    after = 0
    for _ in range(SAFETY_POLLS):
        view = user.call("GET", f"/api/ir/sessions/{session['id']}?after={after}&wait=5").json()
        assert [e["n"] for e in view["events"]] == list(range(after, view["next"]))
        events += view["events"]
        after = view["next"]
        if view["status"] != "running":
            return view, events
    raise AssertionError("the session did not end")


def wait_for_event(user: User, session: dict, kind: str) -> None:
    after = 0
    for _ in range(SAFETY_POLLS):
        view = user.call("GET", f"/api/ir/sessions/{session['id']}?after={after}&wait=5").json()
        if any(e["kind"] == kind for e in view["events"]):
            return
        after = view["next"]
    raise AssertionError(f"no {kind} event")


def test_snoop_records_a_conversation_that_decodes_and_saves(lab):
    session = start(lab.owner, mode="snoop", max_frames=4)
    assert session["status"] == "running" and session["port"] == "fake"
    view, events = finish(lab.owner, session)
    assert view["status"] == "done" and view["error"] is None
    frames = view["result"]["frames"]
    assert [f["role"] for f in frames] == [1, 2, 3, 4]
    assert all(f["checksum_ok"] for f in frames)
    assert frames[0]["fields"]["name"] == "ALICE" and frames[1]["fields"]["name"] == "BOB__"
    assert [e["frame"]["hex"] for e in events if e["kind"] == "received"] == \
        [f["hex"] for f in frames]
    (conv,) = view["result"]["conversations"]
    assert conv["consistent"] and conv["activity"] == "visit"

    saved = lab.owner.call("POST", "/api/ir/items", json={
        "name": "Snooped visit", "source": "snooped", "frames": [f["hex"] for f in frames]})
    assert saved.status_code == 201, saved.text
    assert saved.json()["consistent"] and saved.json()["source"] == "snooped"


def test_initiate_a_saved_conversation_with_a_waiting_toy(lab):
    built = lab.owner.call("POST", "/api/ir/encode", json={"build": {
        "initiator": {"name": "PIA", "character": "Mametchi"},
        "activity": {"kind": "gift"}}}).json()
    item = lab.owner.call("POST", "/api/ir/items", json={
        "name": "gift", "source": "built", "frames": [f["hex"] for f in built["frames"]]}).json()
    view, events = finish(lab.owner, start(lab.owner, mode="initiate", item_id=item["id"]))
    assert view["status"] == "done", view["error"]
    conv = view["result"]["conversation"]
    assert conv["complete"] and conv["consistent"]
    frames = conv["frames"]
    assert frames[0]["hex"] == item["frames"][0]["hex"]  # ours, as saved
    assert frames[1]["fields"]["name"] == "BOB__"  # the toy's answers
    assert frames[3]["fields"]["gift_item_name"] == "Hamburger"
    assert {e["kind"] for e in events} >= {"sent", "received"}


def test_respond_to_a_toy_as_a_made_up_identity(lab):
    view, _ = finish(lab.owner, start(lab.owner, mode="respond", identity={
        "name": "ZOE", "character": "Kuchipatchi", "device_id": 0x1234},
        gift={"item": "Cake"}))
    assert view["status"] == "done", view["error"]
    conv = view["result"]["conversation"]
    assert conv["consistent"]
    assert conv["frames"][0]["fields"]["name"] == "ALICE"  # the toy started it
    assert conv["frames"][1]["fields"]["name"] == "ZOE__"
    assert conv["frames"][1]["fields"]["device_id"] == 0x1234


def test_send_frames_and_replay_answers(lab):
    visit = lab.owner.call("POST", "/api/ir/encode",
                           json={"build": {"activity": {"kind": "visit"}}}).json()
    hexes = [f["hex"] for f in visit["frames"]]
    view, events = finish(lab.owner, start(lab.owner, mode="send", frames=hexes[:1], repeat=2))
    assert view["status"] == "done"
    assert [e["kind"] for e in events] == ["sent", "sent"]
    assert [f["hex"] for f in view["result"]["frames"]] == [hexes[0], hexes[0]]
    # respond by replaying recorded messages 2 and 4 (the toy asked for a visit)
    view, _ = finish(lab.owner, start(lab.owner, mode="respond", frames=[hexes[1], hexes[3]]))
    assert view["status"] == "done", view["error"]
    assert view["result"]["conversation"]["frames"][1]["hex"] == hexes[1]


def test_one_session_at_a_time_server_wide_and_cancel(lab):
    snoop = start(lab.owner, mode="snoop", seconds=120)
    wait_for_event(lab.owner, snoop, "received")
    r = lab.other.call("POST", "/api/ir/sessions", json={"mode": "snoop", "port": "fake"})
    assert r.status_code == 409 and r.json()["error"] == "busy"
    assert "by another user" in r.json()["message"]
    mine = lab.owner.call("POST", "/api/ir/sessions", json={"mode": "send", "port": "fake",
                                                            "frames": ["0E" + " 00" * 19]})
    assert mine.status_code == 409 and "by you" in mine.json()["message"]
    # Everyone sees that the port is busy; only the owner learns the session id.
    busy = lab.other.call("GET", "/api/ir/ports").json()["busy"]
    assert busy == {**busy, "mode": "snoop", "yours": False, "id": None}
    assert lab.owner.call("GET", "/api/ir/ports").json()["busy"]["id"] == snoop["id"]
    # Nobody else can read or stop it; an administrator can stop it, not read it.
    for method, tail in (("GET", ""), ("POST", "/cancel")):
        r = lab.other.call(method, f"/api/ir/sessions/{snoop['id']}{tail}")
        assert r.status_code == 404
    assert lab.admin.call("GET", f"/api/ir/sessions/{snoop['id']}").status_code == 404
    r = lab.owner.call("POST", f"/api/ir/sessions/{snoop['id']}/cancel")
    assert r.status_code == 200
    view, _ = finish(lab.owner, snoop)
    assert view["status"] == "done"  # a stopped snoop keeps what it heard
    assert len(view["result"]["frames"]) >= 1
    assert lab.owner.call("GET", "/api/ir/ports").json()["busy"] is None
    # A player holding the transceiver cannot keep it from everyone: an admin stops it.
    held = start(lab.other, mode="respond", seconds=3600)
    wait_for_event(lab.other, held, "waiting")
    busy = lab.admin.call("GET", "/api/ir/ports").json()["busy"]
    assert busy["id"] == held["id"] and not busy["yours"]
    r = lab.admin.call("POST", f"/api/ir/sessions/{held['id']}/cancel")
    assert r.status_code == 200 and r.json()["events"] == [] and r.json()["result"] is None
    view, _ = finish(lab.other, held)
    assert view["status"] == "cancelled"
    assert lab.admin.call("GET", "/api/ir/ports").json()["busy"] is None
    # Free again, for anyone; a cancelled respond ends as "cancelled".
    waiting = start(lab.other, mode="respond", seconds=120)
    wait_for_event(lab.other, waiting, "waiting")
    lab.other.call("POST", f"/api/ir/sessions/{waiting['id']}/cancel")
    view, _ = finish(lab.other, waiting)
    assert view["status"] == "cancelled" and view["error"] == "cancelled"


@pytest.mark.parametrize(("body", "status", "says"), [
    ({"mode": "snoop", "port": "/dev/nothing-here"}, 422, "the server has no port"),
    ({"mode": "initiate", "port": "fake"}, 422, "initiate needs messages 1 and 3"),
    ({"mode": "initiate", "port": "fake", "frames": ["0E 01" + " 00" * 18, "0E 08" + " 00" * 18]},
     422, "message 1 is needed here"),
    ({"mode": "send", "port": "fake"}, 422, "send needs"),
    ({"mode": "send", "port": "fake", "frames": ["0E 00"]}, 422, "frame 1: wrong length"),
    ({"mode": "send", "port": "fake", "item_id": 999999}, 404, "no such saved IR item"),
    ({"mode": "respond", "port": "fake", "identity": {"name": "TOOLONG"}}, 422, "keeps 5"),
    ({"mode": "dance", "port": "fake"}, 422, "mode"),
])
def test_bad_session_requests_start_nothing(lab, body, status, says):
    r = lab.owner.call("POST", "/api/ir/sessions", json=body)
    assert r.status_code == status, r.text
    assert says in r.json()["message"]
    assert lab.owner.call("GET", "/api/ir/ports").json()["busy"] is None


def test_without_the_fake_setting_there_is_no_fake_port(world):
    ports = world.owner.call("GET", "/api/ir/ports").json()
    assert ports["fake"] is False and "fake" not in [p["device"] for p in ports["ports"]]
    r = world.owner.call("POST", "/api/ir/sessions", json={"mode": "snoop", "port": "fake"})
    assert r.status_code == 422 and r.json()["error"] == "unknown_port"
