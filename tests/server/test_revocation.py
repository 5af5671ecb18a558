"""Live views end with the credentials that opened them, and only those.

A websocket is authenticated when it opens; these tests take the credential
away while it streams and expect the server to close it (4401) by itself,
without the client sending anything. Sockets opened by other credentials of
the same account stay open.
"""

from __future__ import annotations

import socket

from tests.server.helpers import PASSWORD, User, Viewer, add_player, set_up_admin, sign_in


def cookie_viewer(user: User, pet_id: str, origin: str | None = None, **headers) -> Viewer:
    jar = "; ".join(f"{k}={v}" for k, v in user.browser.cookies.items())
    extra = {"Cookie": jar, **headers}
    if origin is not None:
        extra["Origin"] = origin
    return Viewer(f"{user.server.ws_url}/api/pets/{pet_id}/ws", additional_headers=extra)


def token_viewer(user: User, pet_id: str, token: str) -> Viewer:
    return Viewer(f"{user.server.ws_url}/api/pets/{pet_id}/ws?token={token}")


def streaming(viewer: Viewer) -> Viewer:
    viewer.until(lambda v: v.frames, what="first frame")
    return viewer


def still_open(viewer: Viewer) -> bool:
    """The socket answers a ping (so it was not closed)."""
    viewer.send(type="ping")
    viewer.until(lambda v: any(t.get("type") == "pong" for t in v.texts), what="pong")
    viewer.texts.clear()
    return True


def test_sign_out_closes_that_sessions_sockets(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    pet = pat.new_pet()
    with streaming(cookie_viewer(pat, pet["id"])) as by_cookie, \
            streaming(pat.ws(pet["id"])) as by_token:
        assert pat.call("DELETE", "/api/session").status_code == 204
        assert by_cookie.closed_with() == 4401
        assert still_open(by_token)  # the API token was not signed out
    admin.close()
    pat.close()


def test_own_password_change_closes_the_other_sessions_sockets(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    laptop = sign_in(server, "pat")
    pet = pat.new_pet()
    with streaming(cookie_viewer(pat, pet["id"])) as here, \
            streaming(cookie_viewer(laptop, pet["id"])) as there, \
            streaming(pat.ws(pet["id"])) as script:
        r = pat.call("PATCH", f"/api/users/{pat.id}",
                     json={"password": "a brand new one", "current_password": PASSWORD})
        assert r.status_code == 200
        assert there.closed_with() == 4401
        assert still_open(here) and still_open(script)
    for u in (admin, pat, laptop):
        u.close()


def test_admin_reset_closes_every_socket_of_the_account(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    pet = pat.new_pet()
    with streaming(cookie_viewer(pat, pet["id"])) as browser, \
            streaming(pat.ws(pet["id"])) as script:
        r = admin.call("PATCH", f"/api/users/{pat.id}", json={"password": "reset by admin"})
        assert r.status_code == 200
        assert browser.closed_with() == 4401
        assert script.closed_with() == 4401
    admin.close()
    pat.close()


def test_revoking_a_token_closes_its_sockets_only(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    pet = pat.new_pet()
    other = pat.call("POST", "/api/tokens", json={"name": "second"}).json()
    with streaming(token_viewer(pat, pet["id"], other["token"])) as revoked, \
            streaming(pat.ws(pet["id"])) as kept:
        assert pat.call("DELETE", f"/api/tokens/{other['id']}").status_code == 204
        assert revoked.closed_with() == 4401
        assert still_open(kept)
    admin.close()
    pat.close()


def test_ending_a_session_from_the_device_list_closes_its_sockets(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    laptop = sign_in(server, "pat")
    pet = pat.new_pet()
    sessions = pat.call("GET", "/api/account/sessions").json()
    assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
    theirs = next(s for s in sessions if not s["current"])
    with streaming(cookie_viewer(laptop, pet["id"])) as there:
        assert pat.call("DELETE", f"/api/account/sessions/{theirs['id']}").status_code == 204
        assert there.closed_with() == 4401
    assert laptop.browser.get("/api/pets").status_code == 401
    assert pat.call("GET", "/api/pets").status_code == 200
    for u in (admin, pat, laptop):
        u.close()


def test_sockets_per_account_are_capped(serve):
    server = serve(max_sockets_per_user=2)
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    pet = pat.new_pet()
    with streaming(pat.ws(pet["id"])), streaming(pat.ws(pet["id"])):
        with pat.ws(pet["id"]) as third:
            assert third.closed_with() == 4429
        with streaming(admin.ws(admin.new_pet()["id"])):  # other accounts have their own
            pass
    with streaming(pat.ws(pet["id"])):  # closing one makes room
        pass
    admin.close()
    pat.close()


def test_cookie_sockets_need_this_servers_origin(serve):
    server = serve()
    admin = set_up_admin(server)
    pet = admin.new_pet()
    ours = f"http://127.0.0.1:{server.port}"
    with streaming(cookie_viewer(admin, pet["id"], origin=ours)):
        pass
    for origin, headers in (("null", {}), ("http://evil.example", {}),
                            # a client cannot name itself the host: only a trusted proxy can
                            ("http://evil.example", {"X-Forwarded-Host": "evil.example"})):
        with cookie_viewer(admin, pet["id"], origin=origin, **headers) as v:
            assert v.closed_with() == 4401, (origin, headers)
    admin.close()


def test_forwarded_host_counts_from_a_trusted_proxy(serve):
    server = serve(forwarded_allow_ips="127.0.0.1")
    admin = set_up_admin(server)
    pet = admin.new_pet()
    with streaming(cookie_viewer(admin, pet["id"], origin="https://pets.example.org",
                                 **{"X-Forwarded-Host": "pets.example.org"})):
        pass
    admin.close()


def test_unknown_host_names_are_refused_when_an_allowlist_is_set(serve):
    server = serve(allowed_hosts="pets.example.org")
    admin = set_up_admin(server)  # loopback names always work (health checks, the CLI)
    with server.client() as c:
        assert c.get("/healthz", headers={"Host": "pets.example.org"}).status_code == 200
        rebound = c.post("/api/session", headers={"Host": "attacker.example"},
                         json={"username": "admin", "password": PASSWORD})
        assert rebound.status_code == 400
    pet = admin.new_pet()
    # a websocket handshake by hand (client libraries always send the URL's own host)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as raw:
        raw.sendall((f"GET /api/pets/{pet['id']}/ws?token={admin.token} HTTP/1.1\r\n"
                     "Host: attacker.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        status_line = raw.recv(4096).split(b"\r\n", 1)[0]
    assert b" 400 " in status_line + b" ", status_line
    admin.close()


def test_credentials_ended_outside_the_server_close_their_sockets(serve):
    """`python -m pygotchi user passwd` (another process) ends sessions in the database."""
    from pygotchi.store import users as user_store

    server = serve(credential_check_interval=0.2)
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    pet = pat.new_pet()
    with streaming(cookie_viewer(pat, pet["id"])) as browser, \
            streaming(pat.ws(pet["id"])) as script:
        db = server.services.db  # as the CLI would: straight to the database
        with db.session() as s:
            user_store.delete_user_sessions(s, pat.id)
            s.commit()
        assert browser.closed_with() == 4401
        assert still_open(script)
        with db.session() as s:
            user_store.delete_user_tokens(s, pat.id)
            s.commit()
        assert script.closed_with() == 4401
    admin.close()
    pat.close()
