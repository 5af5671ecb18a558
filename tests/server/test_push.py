"""Calls become Web Push notifications: a real push protocol end to end, on loopback.

The push service (``pushservice.py``) verifies the VAPID token against the
server's public key and decrypts each message with keys made as a browser
makes them. The pets run the demo ROM (Sprout calls after a minute alone and
gives up three minutes later), loaded from a state made a little before its call.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from pygotchi.demo import demo_rom_bytes
from pygotchi.emu import TICKS_PER_SECOND, Machine
from pygotchi.server.push import netguard, webpush
from pygotchi.store.models import OutboxMessage, PushSubscription
from tests.server.helpers import set_up_admin, wait_for
from tests.server.pushservice import PushService

SPROUT = ("Sprout", demo_rom_bytes())
LOOPBACK = {"push_allowed_hosts": "127.0.0.1"}


def sprout_state(seconds: float) -> bytes:
    """The demo ROM's state ``seconds`` after reset (it calls at 60 s, gives up at 240 s)."""
    m = Machine(demo_rom_bytes())
    m.run_until(int(seconds * TICKS_PER_SECOND))
    return m.save_state()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


def start(serve, push: PushService, **overrides):
    server = serve(demo=SPROUT, **{**LOOPBACK, "push_retry_base": 0.2, **overrides})
    owner = set_up_admin(server, "owner")
    push.server_key = owner.call("GET", "/api/push/key").json()["public_key"]
    return server, owner


def subscribe(owner, push: PushService, name: str = "phone") -> tuple[object, int]:
    browser, sub = push.new_browser(name)
    r = owner.call("POST", "/api/push/subscriptions", json={**sub, "device": name})
    assert r.status_code == 201, r.text
    return browser, r.json()["id"]


def load_state(owner, pet_id: str, state: bytes) -> None:
    r = owner.call("PUT", f"/api/pets/{pet_id}/state", files={"file": ("s.pgst", state)})
    assert r.status_code == 200, r.text


def timeline(owner, pet_id: str) -> list[dict]:
    r = owner.call("GET", f"/api/pets/{pet_id}/timeline")
    assert r.status_code == 200, r.text
    return r.json()["events"]


def kinds(owner, pet_id: str) -> list[str]:
    return [e["kind"] for e in reversed(timeline(owner, pet_id))]


def test_a_call_pushes_one_verified_encrypted_notification(serve, push_service):
    server, owner = start(serve, push_service)
    _, sub_id = subscribe(owner, push_service)
    pet = owner.new_pet("Sprout")
    load_state(owner, pet["id"], sprout_state(58))
    wait_for(lambda: push_service.received, what="a push")
    (message,) = push_service.received
    payload = message.payload
    assert payload["kind"] == "call" and payload["pet"] == pet["id"]
    assert payload["title"] == "Sprout is calling"
    assert payload["url"] == f"/#/pets/{pet['id']}"
    assert message.claims["aud"] == push_service.origin
    assert message.headers["urgency"] == "high"
    assert push_service.rejected == []
    # The timeline has the call, with its picture, and says it notified one device.
    events = timeline(owner, pet["id"])
    call = next(e for e in events if e["kind"] == "call")
    assert call["data"]["notified"] == 1
    assert 59.5 < call["emulated_seconds"] < 61
    png = owner.call("GET", call["picture"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert kinds(owner, pet["id"])[:2] == ["state_loaded", "call"]
    # The owner answers: "answered", then the call ends answered; no other push.
    r = owner.call("POST", f"/api/pets/{pet['id']}/buttons", json={"button": "A", "ms": 100})
    assert r.status_code == 200
    wait_for(lambda: "call_ended" in kinds(owner, pet["id"]), what="the end of the call")
    seen = kinds(owner, pet["id"])
    assert seen.index("call") < seen.index("answered") < seen.index("call_ended")
    ended = next(e for e in timeline(owner, pet["id"]) if e["kind"] == "call_ended")
    assert ended["data"]["answered"] is True
    assert len(push_service.received) == 1
    devices = owner.call("GET", "/api/push/subscriptions").json()
    assert [d["id"] for d in devices] == [sub_id] and devices[0]["last_sent_at"]


def test_an_unanswered_call_sends_one_missed_notification_with_the_same_tag(
        serve, push_service):
    server, owner = start(serve, push_service)
    subscribe(owner, push_service)
    pet = owner.new_pet("Sprout")
    # A state loaded while the pet calls is a call: pushed at once. Sprout gives
    # up at 240 s: the call ends unanswered, and a "missed" notification follows.
    load_state(owner, pet["id"], sprout_state(238))
    wait_for(lambda: "call_ended" in kinds(owner, pet["id"]), what="the call to end")
    wait_for(lambda: len(push_service.received) >= 2, what="the missed notification")
    call, missed = (m.payload for m in push_service.received)
    assert (call["kind"], missed["kind"]) == ("call", "missed")
    assert missed["title"] == "Sprout needed you"
    assert call["tag"] == missed["tag"]  # the missed one replaces the call on the phone
    ended = next(e for e in timeline(owner, pet["id"]) if e["kind"] == "call_ended")
    assert ended["data"]["answered"] is False and ended["data"]["notified"] == 1


def test_quiet_hours_and_mute_keep_calls_in_the_timeline_only(serve, push_service):
    server, owner = start(serve, push_service)
    subscribe(owner, push_service)
    pet = owner.new_pet("Sprout")
    # Quiet hours around the present moment, in another time zone.
    local = time.gmtime(time.time() + 9 * 3600)  # Asia/Tokyo, UTC+9 all year
    start_min = (local.tm_hour * 60 + local.tm_min - 30) % 1440
    end_min = (start_min + 120) % 1440
    r = owner.call("PUT", "/api/push/settings", json={
        "quiet_from": f"{start_min // 60:02d}:{start_min % 60:02d}",
        "quiet_to": f"{end_min // 60:02d}:{end_min % 60:02d}", "time_zone": "Asia/Tokyo"})
    assert r.status_code == 200, r.text
    load_state(owner, pet["id"], sprout_state(59))
    wait_for(lambda: "call" in kinds(owner, pet["id"]), what="the call")
    call = next(e for e in timeline(owner, pet["id"]) if e["kind"] == "call")
    assert call["data"] == {"notified": 0, "silenced": "quiet hours"}
    # The same hours in a zone where they are not now: the next call is pushed.
    r = owner.call("PUT", "/api/push/settings", json={
        **r.json(), "time_zone": "America/Los_Angeles" if start_min > 0 else "UTC"})
    far = time.gmtime(time.time() - 8 * 3600)
    minute = far.tm_hour * 60 + far.tm_min
    assert not (start_min <= minute < end_min if start_min < end_min
                else minute >= start_min or minute < end_min) or pytest.skip("zones overlap")
    load_state(owner, pet["id"], sprout_state(59))
    wait_for(lambda: push_service.received, what="a push outside quiet hours")
    # Muted: recorded, not pushed.
    r = owner.call("PATCH", f"/api/pets/{pet['id']}/alerts", json={"mute_minutes": 60})
    assert r.status_code == 200 and r.json()["muted_until"] > time.time()
    count = len(push_service.received)
    load_state(owner, pet["id"], sprout_state(59))
    wait_for(lambda: [e for e in timeline(owner, pet["id"]) if e["kind"] == "call"
                      and e["data"].get("silenced") == "muted"], what="a muted call")
    # Calls off for this pet: the same.
    owner.call("PATCH", f"/api/pets/{pet['id']}/alerts", json={"mute_minutes": 0,
                                                               "calls": False})
    load_state(owner, pet["id"], sprout_state(59))
    wait_for(lambda: [e for e in timeline(owner, pet["id"]) if e["kind"] == "call"
                      and e["data"].get("silenced") == "off for this pet"], what="calls off")
    assert len(push_service.received) == count


def test_a_push_service_that_is_down_gets_it_after_a_restart(serve, push_service):
    server, owner = start(serve, push_service, push_retry_base=0.3)
    subscribe(owner, push_service)
    pet = owner.new_pet("Sprout")
    push_service.status = 503
    load_state(owner, pet["id"], sprout_state(59))
    wait_for(lambda: push_service.attempts >= 2, what="a retry")
    db = server.services.db
    with db.session() as s:
        (row,) = s.scalars(select(OutboxMessage))
        assert row.attempts >= 1 and "503" in row.last_error
    server.__exit__(None, None, None)
    with db.session() as s:  # the notification waits in the database
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    push_service.status = 201
    server2 = serve(demo=SPROUT, **LOOPBACK, push_retry_base=0.3)
    wait_for(lambda: push_service.received, what="delivery after the restart")
    assert [m.payload["kind"] for m in push_service.received] == ["call"]

    def outbox_empty() -> bool:
        with server2.services.db.session() as s:
            return s.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    wait_for(outbox_empty, what="the delivered message to leave the outbox")
    assert [m.payload["kind"] for m in push_service.received] == ["call"]  # once


def test_a_gone_subscription_is_dropped(serve, push_service):
    server, owner = start(serve, push_service)
    subscribe(owner, push_service, "old-phone")
    pet = owner.new_pet("Sprout")
    push_service.status = 410
    load_state(owner, pet["id"], sprout_state(59))
    wait_for(lambda: owner.call("GET", "/api/push/subscriptions").json() == [],
             what="the subscription to go")
    with server.services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(PushSubscription)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_devices_are_listed_tested_and_removed(serve, push_service):
    server, owner = start(serve, push_service)
    _, sub_id = subscribe(owner, push_service, "tablet")
    r = owner.call("POST", f"/api/push/subscriptions/{sub_id}/test")
    assert r.status_code == 200
    wait_for(lambda: push_service.received, what="the test message")
    assert push_service.received[0].payload["kind"] == "test"
    assert owner.call("DELETE", f"/api/push/subscriptions/{sub_id}").status_code == 204
    assert owner.call("DELETE", f"/api/push/subscriptions/{sub_id}").status_code == 404
    assert owner.call("GET", "/api/push/subscriptions").json() == []


# --- where the server may send requests ----------------------------------------------------

@pytest.mark.parametrize("endpoint, why", [
    ("http://push.example.com/x", "https://"),
    ("https://127.0.0.1/x", "private or local"),
    ("https://localhost:8443/x", "private or local"),
    ("https://10.1.2.3/x", "private or local"),
    ("https://[::1]/x", "private or local"),
    ("https://169.254.169.254/latest", "private or local"),
    ("https://user:pw@push.example.com/x", "user name"),
    ("ftp://push.example.com/x", "https://"),
])
def test_push_endpoints_must_be_https_on_public_addresses(serve, push_service, endpoint, why):
    server = serve(demo=SPROUT)  # no allowed hosts
    owner = set_up_admin(server, "owner")
    _, sub = push_service.new_browser("x")
    r = owner.call("POST", "/api/push/subscriptions", json={**sub, "endpoint": endpoint})
    assert r.status_code == 422, r.text
    assert why in r.json()["message"]
    assert r.json()["error"] == "bad_endpoint"


def test_bad_keys_are_refused(serve, push_service):
    server, owner = start(serve, push_service)
    _, sub = push_service.new_browser("x")
    r = owner.call("POST", "/api/push/subscriptions",
                   json={**sub, "keys": {"p256dh": "AAAA", "auth": sub["keys"]["auth"]}})
    assert r.status_code == 422 and "p256dh" in r.json()["message"]


def test_the_address_is_checked_again_when_sending(monkeypatch, push_service):
    """DNS rebinding: a name that was public when subscribed, private when sent to."""
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))],
                    [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]])
    monkeypatch.setattr(netguard.socket, "getaddrinfo", lambda *a, **k: next(answers))
    netguard.resolve("push.example.com", 443, frozenset())  # at subscription: fine
    browser, sub = push_service.new_browser("rebound")
    from pygotchi.server.push.vapid import VapidKeys

    keys = VapidKeys.load_or_create(__import__("tempfile").mkdtemp())
    target = webpush.Subscription("https://push.example.com/push/rebound",
                                  sub["keys"]["p256dh"], sub["keys"]["auth"])
    with pytest.raises(webpush.Failed, match="private or local"):
        webpush.send(target, {"kind": "call"}, keys, "mailto:a@example.com", frozenset())
    assert push_service.attempts == 0
