"""Accounts: first-run setup, sign-in, sessions, CSRF, API tokens, rate limiting."""

from __future__ import annotations

from tests.server.databases import open_database
from tests.server.helpers import PASSWORD, add_player, set_up_admin, sign_in


def test_first_start_offers_setup_then_refuses_it(serve, caplog):
    caplog.set_level("WARNING", logger="pygotchi")
    server = serve()
    code = server.services.setup_code
    # the code is in the log, for the person who started the server
    logged = [r for r in caplog.records if r.getMessage() == "setup_code"]
    assert logged and logged[-1].fields["code"] == code
    with server.client() as c:
        s = c.get("/api/session").json()
        assert s["user"] is None and s["setup_needed"] is True and s["csrf_token"]
        no_code = c.post("/api/setup", json={"username": "root", "password": PASSWORD})
        assert no_code.status_code == 403 and no_code.json()["error"] == "bad_setup_code"
        wrong = c.post("/api/setup", json={"username": "root", "password": PASSWORD,
                                           "setup_code": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 403 and wrong.json()["error"] == "bad_setup_code"
        short = c.post("/api/setup", json={"username": "root", "password": "short",
                                           "setup_code": code})
        assert short.status_code == 422 and "8 characters" in short.json()["message"]
        common = c.post("/api/setup", json={"username": "root", "password": "password1",
                                            "setup_code": code})
        assert common.status_code == 422 and "guess" in common.json()["message"]
        bad_name = c.post("/api/setup", json={"username": "no spaces", "password": PASSWORD,
                                              "setup_code": code})
        assert bad_name.status_code == 422
        # typed by hand: case and dashes do not matter
        typed = code.lower().replace("-", " ")
        r = c.post("/api/setup", json={"username": "root", "password": PASSWORD,
                                       "setup_code": typed})
        assert r.status_code == 201
        assert r.json()["user"] == {"id": 1, "username": "root", "role": "admin"}
        assert c.get("/api/session").json()["user"]["username"] == "root"
    assert server.services.setup_code is None
    with server.client() as c:
        again = c.post("/api/setup", json={"username": "mallory", "password": PASSWORD,
                                           "setup_code": code})
        assert again.status_code == 409 and again.json()["error"] == "already_set_up"
        assert c.get("/api/session").json()["setup_needed"] is False


def test_no_setup_code_once_an_account_exists(serve, tmp_path):
    """`python -m pygotchi user add` still sets a server up; then no code is printed."""
    from pygotchi.server.passwords import hash_password
    from pygotchi.store import users as user_store

    db = open_database(tmp_path / "data")
    db.migrate()
    with db.session() as s:
        user_store.create_user(s, "cli", hash_password(PASSWORD), "admin")
        s.commit()
    db.close()
    server = serve()
    assert server.services.setup_code is None
    sign_in(server, "cli").close()


def test_session_cookie_flags_and_sign_out(serve):
    server = serve()
    admin = set_up_admin(server)
    with server.client() as c:
        r = c.post("/api/session", json={"username": "ADMIN", "password": PASSWORD})
        assert r.status_code == 200  # usernames are case-insensitive
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        csrf = r.json()["csrf_token"]
        assert c.get("/api/pets").status_code == 200
        assert c.delete("/api/session").status_code == 403  # no CSRF header
        assert c.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert c.get("/api/pets").status_code == 401
    admin.close()


def test_secure_cookie_behind_https_proxy(serve):
    server = serve(secure_cookies="auto", forwarded_allow_ips="127.0.0.1")
    set_up_admin(server).close()
    with server.client() as c:
        r = c.post("/api/session", json={"username": "admin", "password": PASSWORD},
                   headers={"X-Forwarded-Proto": "https"})
        assert r.status_code == 200
        assert "secure" in r.headers["set-cookie"].lower()


def test_csrf_needed_for_cookie_but_not_for_token(world):
    owner = world.owner
    no_header = owner.browser.post("/api/pets", json={"name": "x", "rom": "demo"})
    assert no_header.status_code == 403 and no_header.json()["error"] == "csrf"
    wrong = owner.browser.post("/api/pets", json={"name": "x", "rom": "demo"},
                               headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    other_users_token = owner.browser.post("/api/pets", json={"name": "x", "rom": "demo"},
                                           headers={"X-CSRF-Token": world.other.csrf})
    assert other_users_token.status_code == 403
    by_script = owner.script("POST", "/api/pets", json={"name": "Scripted", "rom": "demo"})
    assert by_script.status_code == 201
    assert owner.script("DELETE", f"/api/pets/{by_script.json()['id']}?confirm=yes") \
        .status_code == 204
    # GET /api/session hands the browser the token it needs
    assert owner.browser.get("/api/session").json()["csrf_token"] == owner.csrf


def test_bad_credentials_and_bad_tokens(world):
    with world.anonymous() as c:
        r = c.post("/api/session", json={"username": "owner", "password": "wrong password"})
        assert r.status_code == 401 and r.json()["error"] == "bad_credentials"
        r = c.post("/api/session", json={"username": "nobody", "password": "wrong password"})
        assert r.status_code == 401 and r.json()["message"] == "wrong username or password"
        r = c.get("/api/pets", headers={"Authorization": "Bearer pgt_not-a-token"})
        assert r.status_code == 401
        r = c.get("/api/pets", headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert r.status_code == 401 and "Bearer" in r.json()["message"]


def test_tokens_listed_created_revoked(world):
    owner = world.owner
    made = owner.call("POST", "/api/tokens", json={"name": "backup script"})
    assert made.status_code == 201
    token = made.json()
    assert token["token"].startswith("pgt_")
    listed = owner.call("GET", "/api/tokens").json()
    assert {"id": token["id"], "name": "backup script"}.items() <= \
        next(t for t in listed if t["id"] == token["id"]).items()
    assert all("token" not in t for t in listed)  # shown once only
    headers = {"Authorization": f"Bearer {token['token']}"}
    with world.anonymous() as c:
        assert c.get("/api/pets", headers=headers).status_code == 200
        # someone else cannot revoke it, and cannot tell it exists
        assert world.other.call("DELETE", f"/api/tokens/{token['id']}").status_code == 404
        assert world.admin.call("DELETE", f"/api/tokens/{token['id']}").status_code == 404
        assert owner.call("DELETE", f"/api/tokens/{token['id']}").status_code == 204
        assert c.get("/api/pets", headers=headers).status_code == 401


def test_secrets_are_not_stored_in_the_clear(world):
    from sqlalchemy import text

    db = world.server.services.db
    with db.engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(text("SELECT password_hash FROM users"))]
        sessions = [r[0] for r in conn.execute(text("SELECT token_hash FROM sessions"))]
        tokens = [r[0] for r in conn.execute(text("SELECT token_hash FROM api_tokens"))]
    assert all(h.startswith("$argon2id$") for h in hashes)
    cookie = world.owner.browser.cookies["pygotchi_session"]
    assert cookie not in sessions and len(sessions[0]) == 64
    assert world.owner.token not in tokens


def test_password_change_signs_out_other_sessions(serve):
    server = serve()
    admin = set_up_admin(server)
    player = add_player(admin, "pat")
    second = sign_in(server, "pat")
    change = {"password": "a new password"}
    r = player.call("PATCH", f"/api/users/{player.id}", json=change)
    assert r.status_code == 422 and r.json()["error"] == "current_password_required"
    r = player.call("PATCH", f"/api/users/{player.id}",
                    json={**change, "current_password": "not my password"})
    assert r.status_code == 403 and r.json()["error"] == "wrong_password"
    assert second.browser.get("/api/pets").status_code == 200  # nothing changed yet
    r = player.call("PATCH", f"/api/users/{player.id}",
                    json={**change, "current_password": PASSWORD})
    assert r.status_code == 200
    assert player.call("GET", "/api/pets").status_code == 200  # the one who changed it
    assert second.browser.get("/api/pets").status_code == 401  # signed out elsewhere
    assert second.script("GET", "/api/pets").status_code == 200  # tokens stay valid
    sign_in(server, "pat", "a new password").close()
    for u in (admin, player, second):
        u.close()


def test_admin_reset_ends_sessions_and_revokes_tokens(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    r = admin.call("PATCH", f"/api/users/{pat.id}", json={"password": "reset by admin"})
    assert r.status_code == 200  # an admin resetting someone else needs no current password
    assert pat.browser.get("/api/pets").status_code == 401
    assert pat.script("GET", "/api/pets").status_code == 401  # the token was revoked
    with server.client() as c:
        assert c.post("/api/session", json={"username": "pat", "password": PASSWORD}) \
            .status_code == 401
    sign_in(server, "pat", "reset by admin").close()
    # the admin's own password is theirs to change, with the current one
    r = admin.call("PATCH", f"/api/users/{admin.id}", json={"password": "the admin's new"})
    assert r.status_code == 422
    admin.close()
    pat.close()


def test_secure_cookie_not_from_an_untrusted_forwarded_proto(serve):
    server = serve(secure_cookies="auto")  # no proxy configured
    set_up_admin(server).close()
    with server.client() as c:
        r = c.post("/api/session", json={"username": "admin", "password": PASSWORD},
                   headers={"X-Forwarded-Proto": "https"})
        assert r.status_code == 200
        assert "secure" not in r.headers["set-cookie"].lower()
