"""Apprise channels: secrets never shown back, a test message really sent, calls delivered;
and the timeline kept bounded."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pygotchi.server.push.channels import masked
from pygotchi.store import pets as pet_store
from pygotchi.store import roms as rom_store
from pygotchi.store import timeline as timeline_store
from pygotchi.store import users as user_store
from pygotchi.store.models import PetEvent
from tests.server.databases import open_database
from tests.server.helpers import set_up_admin, wait_for
from tests.server.test_push import SPROUT, load_state, sprout_state


class Receiver:
    """An HTTP endpoint for Apprise's json:// service, on loopback."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.bodies.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_secrets_are_hidden():
    assert masked("ntfy://ntfy.sh/my-secret-topic") == "ntfy://ntfy.sh/m…c"
    shown = masked("tgram://123456789:AAEsecretTOKEN/987654321")
    assert "AAEsecretTOKEN" not in shown and "987654321" not in shown
    assert "pw" not in masked("mailto://me:pw@example.com").split("@")[0].split(":")[-1]


def test_a_channel_is_added_tested_and_hears_calls(serve, receiver):
    server = serve(demo=SPROUT, push_allowed_hosts="127.0.0.1", push_retry_base=0.2)
    owner = set_up_admin(server, "owner")
    url = f"json://127.0.0.1:{receiver.port}/hook-secret-path"
    r = owner.call("POST", "/api/push/channels", json={"url": url, "label": "my hook"})
    assert r.status_code == 201, r.text
    channel = r.json()
    assert channel["label"] == "my hook" and "hook-secret-path" not in channel["url"]
    listed = owner.call("GET", "/api/push/channels").json()
    assert "hook-secret-path" not in json.dumps(listed)
    r = owner.call("POST", f"/api/push/channels/{channel['id']}/test")
    assert r.status_code == 200, r.text
    assert receiver.bodies[-1]["title"] == "pygotchi"
    pet = owner.new_pet("Sprout")
    load_state(owner, pet["id"], sprout_state(59))
    wait_for(lambda: len(receiver.bodies) >= 2, what="the call on the channel")
    assert receiver.bodies[-1]["title"] == "Sprout is calling"


@pytest.mark.parametrize("url, why", [
    ("json://127.0.0.1:9/x", "private or local"),
    ("not a url", "Apprise does not understand"),
    ("gotify://10.0.0.5/token", "private or local"),
])
def test_channels_on_the_servers_own_network_are_refused(serve, url, why):
    server = serve(demo=SPROUT)
    owner = set_up_admin(server, "owner")
    r = owner.call("POST", "/api/push/channels", json={"url": url})
    assert r.status_code == 422 and why in r.json()["message"], r.text


def test_the_timeline_is_bounded_beeps_first(tmp_path):
    db = open_database(tmp_path)
    db.migrate()
    with db.session() as s:
        user = user_store.create_user(s, "a", "hash", "player")
        rom_store.add_rom(s, sha256="0" * 64, name="r", model="p1", chip="E0C6S46",
                          words=6144)
        pet_store.create_pet(s, pet_id="p", owner_id=user.id, rom_sha256="0" * 64, name="p",
                             catch_up="catch_up", state=b"", tick=0, at=0.0)
        for i in range(30):
            s.add(PetEvent(pet_id="p", kind="beeps" if i % 2 else "call", tick=i, at=float(i),
                           data={}))
        s.commit()
        assert timeline_store.trim(s, "p", keep=20) == 10
        left = [(e.kind, e.tick) for e in timeline_store.page(s, "p", None, 100)]
        assert len(left) == 20 and all(kind == "call" for kind, _ in left[-10:])
        assert sum(kind == "beeps" for kind, _ in left) == 5  # the 10 oldest beeps went
        assert timeline_store.trim(s, "p", keep=8) == 12
        # All beeps go before any call; then the oldest calls.
        assert [e.tick for e in timeline_store.page(s, "p", None, 100)] == \
            list(range(28, 13, -2))
