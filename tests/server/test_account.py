"""One's own account (devices, two-factor sign-in), the audit log, and the smaller rules:
token names and caps, a private data directory, the Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re
import stat

import pyotp
import pytest

import pygotchi.server.totp as totp_module
from tests.server.databases import open_database
from tests.server.helpers import PASSWORD, add_player, set_up_admin, sign_in


class FakeTime:
    """The TOTP module's clock, moved by the test (codes still come from pyotp)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def totp_clock(monkeypatch) -> FakeTime:
    clock = FakeTime(1_800_000_000.0)
    monkeypatch.setattr(totp_module, "time", clock)
    return clock


def test_devices_are_listed_and_can_be_ended(serve):
    server = serve()
    admin = set_up_admin(server)
    with server.client() as phone:
        r = phone.post("/api/session", json={"username": "admin", "password": PASSWORD},
                       headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) "
                                              "Chrome/130.0 Mobile Safari/537.36"})
        assert r.status_code == 200
        sessions = admin.call("GET", "/api/account/sessions").json()
        assert len(sessions) == 2
        mine = next(s for s in sessions if s["current"])
        theirs = next(s for s in sessions if not s["current"])
        assert theirs["device"] == "Chrome on Android" and "Android 14" in theirs["user_agent"]
        assert theirs["address"] == "127.0.0.1" and theirs["last_seen_at"].endswith("Z")
        assert "token_hash" not in theirs and len(theirs["id"]) == 20
        assert admin.call("DELETE", f"/api/account/sessions/{theirs['id']}").status_code == 204
        assert phone.get("/api/pets").status_code == 401
        assert admin.call("DELETE", f"/api/account/sessions/{theirs['id']}").status_code == 404
        # ending the current one signs out here
        assert admin.call("DELETE", f"/api/account/sessions/{mine['id']}").status_code == 204
        assert admin.browser.get("/api/pets").status_code == 401
    events = admin.script("GET", "/api/audit?kind=session_ended").json()["events"]
    assert len(events) == 2
    admin.close()


def test_two_factor_sign_in_with_real_codes(serve, totp_clock):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    assert pat.call("GET", "/api/account/totp").json() == {"enabled": False, "pending": False,
                                                           "available": True}
    enrol = pat.call("POST", "/api/account/totp")
    assert enrol.status_code == 201
    secret = enrol.json()["secret"]
    assert enrol.json()["uri"].startswith("otpauth://totp/pygotchi:pat?")
    assert enrol.json()["qr"].startswith("data:image/svg+xml")
    otp = pyotp.TOTP(secret)
    # not on until confirmed: sign-in still needs only the password
    assert pat.call("GET", "/api/account/totp").json()["pending"] is True
    sign_in(server, "pat").close()
    not_now = "000000" if otp.at(totp_clock.now) != "000000" else "111111"
    wrong = pat.call("POST", "/api/account/totp/confirm", json={"code": not_now})
    assert wrong.status_code == 422 and wrong.json()["error"] == "bad_code"
    ok = pat.call("POST", "/api/account/totp/confirm", json={"code": otp.at(totp_clock.now)})
    assert ok.status_code == 200 and ok.json()["enabled"] is True
    assert pat.call("POST", "/api/account/totp").status_code == 409  # already on

    with server.client() as c:
        creds = {"username": "pat", "password": PASSWORD}
        r = c.post("/api/session", json=creds)
        assert r.status_code == 401 and r.json()["error"] == "totp_required"
        assert c.get("/api/pets").status_code == 401  # no session from the password alone
        r = c.post("/api/session", json={**creds, "code": otp.at(totp_clock.now)})
        assert r.status_code == 401 and r.json()["error"] == "bad_code"  # used to confirm
        totp_clock.now += 30
        code = otp.at(totp_clock.now)
        r = c.post("/api/session", json={**creds, "code": f"{code[:3]} {code[3:]}"})
        assert r.status_code == 200
        with server.client() as thief:  # the same code, seen over a shoulder
            r = thief.post("/api/session", json={**creds, "code": code})
            assert r.status_code == 401 and r.json()["error"] == "bad_code"
            r = thief.post("/api/session", json={"username": "pat", "password": "wrong wrong",
                                                 "code": otp.at(totp_clock.now + 30)})
            assert r.status_code == 401 and r.json()["error"] == "bad_credentials"

    totp_clock.now += 30
    assert pat.call("POST", "/api/account/totp/disable",
                    json={"code": "12345x"}).status_code == 422
    off = pat.call("POST", "/api/account/totp/disable", json={"code": otp.at(totp_clock.now)})
    assert off.status_code == 200 and off.json()["enabled"] is False
    sign_in(server, "pat").close()
    kinds = [e["kind"] for e in admin.call("GET", "/api/audit").json()["events"]]
    assert "totp_enabled" in kinds and "totp_disabled" in kinds
    assert kinds.count("signin_failed") >= 2
    admin.close()
    pat.close()


def test_admin_reset_turns_two_factor_off(serve, totp_clock):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    secret = pat.call("POST", "/api/account/totp").json()["secret"]
    pat.call("POST", "/api/account/totp/confirm",
             json={"code": pyotp.TOTP(secret).at(totp_clock.now)})
    users = {u["username"]: u for u in admin.call("GET", "/api/users").json()}
    assert users["pat"]["totp"] is True
    assert admin.call("PATCH", f"/api/users/{pat.id}",
                      json={"password": "lost my phone"}).status_code == 200
    sign_in(server, "pat", "lost my phone").close()  # no code asked
    admin.close()
    pat.close()


def test_audit_log_records_security_events_and_pages(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    with server.client() as c:
        c.post("/api/session", json={"username": "pat", "password": "wrong wrong"})
    token = pat.call("POST", "/api/tokens", json={"name": "cron"}).json()
    pat.call("DELETE", f"/api/tokens/{token['id']}")
    admin.call("PATCH", f"/api/users/{pat.id}", json={"role": "admin"})
    admin.call("PATCH", f"/api/users/{pat.id}", json={"role": "player"})
    pet = pat.new_pet()
    assert pat.call("POST", f"/api/pets/{pet['id']}/reset",
                    json={"confirm": True}).status_code == 200
    state = pat.call("GET", f"/api/pets/{pet['id']}/state").content
    assert pat.call("PUT", f"/api/pets/{pet['id']}/state",
                    files={"file": ("s.pgst", state)}).status_code == 200
    assert pat.call("DELETE", f"/api/pets/{pet['id']}?confirm=yes").status_code == 204
    from tests.server.helpers import other_rom

    rom = admin.call("POST", "/api/roms", files={"file": ("r.bin", other_rom())}).json()
    assert admin.call("DELETE", f"/api/roms/{rom['id']}").status_code == 204
    assert admin.call("DELETE", f"/api/users/{pat.id}").status_code == 204

    seen = []
    before = None
    while True:  # page back through everything, three at a time
        url = "/api/audit?limit=3" + (f"&before={before}" if before else "")
        page = admin.call("GET", url).json()
        assert len(page["events"]) <= 3
        seen += page["events"]
        before = page["next_before"]
        if before is None:
            break
    ids = [e["id"] for e in seen]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    kinds = {e["kind"] for e in seen}
    assert {"user_created", "signin", "signin_failed", "token_created", "token_revoked",
            "user_changed", "pet_reset", "pet_state_loaded", "pet_deleted", "rom_added",
            "rom_deleted", "user_deleted"} <= kinds
    failed = next(e for e in seen if e["kind"] == "signin_failed")
    assert failed["actor"] == "pat" and failed["address"] == "127.0.0.1"
    deleted = next(e for e in seen if e["kind"] == "pet_deleted")
    assert deleted["subject"] == f"pet:{pet['id']}"
    # the trail still names pat after the account is gone
    created = [e for e in seen if e["kind"] == "token_created"]
    assert created[0]["actor"] == "pat" and created[0]["actor_id"] is None
    admin.close()
    pat.close()


def test_token_names_and_the_token_cap(serve):
    server = serve(max_tokens_per_user=3)
    admin = set_up_admin(server)  # it makes one token
    for name in ("bad\x07bell", "new\nline", "right\u202eleft", "   "):
        r = admin.call("POST", "/api/tokens", json={"name": name})
        assert r.status_code == 422 and r.json()["error"] == "invalid", name
    assert admin.call("POST", "/api/tokens", json={"name": "  ok  "}).json()["name"] == "ok"
    assert admin.call("POST", "/api/tokens", json={"name": "ünïcödé 🐣"}).status_code == 201
    r = admin.call("POST", "/api/tokens", json={"name": "one too many"})
    assert r.status_code == 409 and r.json()["error"] == "too_many_tokens"
    assert "revoke" in r.json()["message"]
    admin.close()


@pytest.mark.sqlite_only("the database and key files of a SQLite data directory; on "
                        "PostgreSQL the keys are in the database")
def test_the_data_directory_is_private(serve, tmp_path):
    server = serve()
    admin = set_up_admin(server)
    admin.call("POST", "/api/roms", files={"file": ("r.bin", __import__(
        "tests.server.helpers", fromlist=["other_rom"]).other_rom())})
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"pygotchi.db", "pygotchi.db-wal", "pygotchi.db-shm", "secret.key"} <= names
    assert any(p.suffix == ".bin" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((data / "roms").stat().st_mode) == 0o700
    admin.close()


def test_content_security_policy(serve):
    server = serve()
    with server.client() as c:
        page = c.get("/")
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        # the only inline script, the import map, is allowed by its hash and nothing else is
        inline = re.findall(r"<script(?: [^>]*)?>(.*?)</script>", page.text, re.S)
        inline = [text for text in inline if text.strip()]
        digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
        scripts = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert scripts == f"script-src 'self' 'sha256-{digest}'" and len(inline) == 1
        assert "content-security-policy" in c.get("/api/session").headers
        docs = c.get("/docs").headers["content-security-policy"]
        assert "cdn.jsdelivr.net" in docs  # Swagger UI's own page still loads


def test_older_data_directories_are_made_private(tmp_path):
    from pygotchi.store import Database

    data = tmp_path / "old"
    (data / "roms").mkdir(parents=True)
    for path, mode in ((data, 0o755), (data / "roms", 0o755)):
        path.chmod(mode)
    for name in ("pygotchi.db", "secret.key", "roms/" + "a" * 64 + ".bin"):
        (data / name).write_bytes(b"")
        (data / name).chmod(0o644)
    Database.for_data_dir(data).close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "roms").stat().st_mode) == 0o700
    for name in ("pygotchi.db", "secret.key", "roms/" + "a" * 64 + ".bin"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_a_warning_when_listening_beyond_loopback_without_allowed_hosts(serve, caplog):
    caplog.set_level("WARNING", logger="pygotchi")
    serve(host="0.0.0.0").__exit__(None, None, None)  # one server at a time on a data dir
    assert "no_allowed_hosts" in [r.getMessage() for r in caplog.records]
    caplog.clear()
    serve(host="0.0.0.0", allowed_hosts="pets.example.org").__exit__(None, None, None)
    serve(host="127.0.0.1")
    assert "no_allowed_hosts" not in [r.getMessage() for r in caplog.records]


def test_old_audit_events_are_forgotten(tmp_path):
    from datetime import timedelta

    from pygotchi.store.audit import add_event, page, purge_older_than
    from pygotchi.store.models import utcnow

    db = open_database(tmp_path)
    db.migrate()
    with db.session() as s:
        add_event(s, "signin", actor="old").at = utcnow() - timedelta(days=400)
        add_event(s, "signin", actor="new")
        s.commit()
        assert purge_older_than(s, 365) == 1
        s.commit()
        assert [e.actor for e in page(s)] == ["new"]
    db.close()
