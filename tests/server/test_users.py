"""Administrators manage accounts; players manage only their own password."""

from __future__ import annotations

from tests.server.helpers import PASSWORD, add_player, set_up_admin, sign_in


def test_admin_creates_lists_and_changes_users(serve):
    server = serve()
    admin = set_up_admin(server)
    r = admin.call("POST", "/api/users", json={"username": "kim", "password": PASSWORD})
    assert r.status_code == 201
    kim = r.json()
    assert kim["role"] == "player" and kim["created_at"].endswith("Z")
    dup = admin.call("POST", "/api/users", json={"username": "KIM", "password": PASSWORD})
    assert dup.status_code == 409 and dup.json()["error"] == "username_taken"
    weak = admin.call("POST", "/api/users", json={"username": "lee", "password": "1234"})
    assert weak.status_code == 422
    bad_role = admin.call("POST", "/api/users",
                          json={"username": "lee", "password": PASSWORD, "role": "king"})
    assert bad_role.status_code == 422 and bad_role.json()["error"] == "invalid"
    names = [u["username"] for u in admin.call("GET", "/api/users").json()]
    assert names == ["admin", "kim"]
    promoted = admin.call("PATCH", f"/api/users/{kim['id']}", json={"role": "admin"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    assert admin.call("PATCH", "/api/users/999", json={"role": "admin"}).status_code == 404
    admin.close()


def test_players_change_only_their_own_password(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    assert pat.call("GET", "/api/users").status_code == 403
    assert pat.call("POST", "/api/users",
                    json={"username": "x", "password": PASSWORD}).status_code == 403
    assert pat.call("PATCH", f"/api/users/{pat.id}", json={"role": "admin"}).status_code == 403
    assert pat.call("PATCH", f"/api/users/{admin.id}",
                    json={"password": "taken over!"}).status_code == 403
    assert pat.call("DELETE", f"/api/users/{admin.id}").status_code == 403
    assert pat.call("PATCH", f"/api/users/{pat.id}", json={"password": "short"}) \
        .status_code == 422
    for trivial in ("password", "12345678", " " * 12, "pat12345"):
        r = pat.call("PATCH", f"/api/users/{pat.id}",
                     json={"password": trivial, "current_password": PASSWORD})
        assert r.status_code == 422 and r.json()["error"] == "invalid", trivial
    assert pat.call("PATCH", f"/api/users/{pat.id}",
                    json={"password": "long enough", "current_password": PASSWORD}) \
        .status_code == 200
    sign_in(server, "pat", "long enough").close()
    admin.close()
    pat.close()


def test_the_last_admin_stays(serve):
    server = serve()
    admin = set_up_admin(server)
    r = admin.call("PATCH", f"/api/users/{admin.id}", json={"role": "player"})
    assert r.status_code == 409 and r.json()["error"] == "last_admin"
    r = admin.call("DELETE", f"/api/users/{admin.id}")
    assert r.status_code == 409
    admin.close()


def test_deleting_a_user_deletes_their_pets_and_closes_their_viewers(serve):
    server = serve()
    admin = set_up_admin(server)
    pat = add_player(admin, "pat")
    pet = pat.new_pet()
    with pat.ws(pet["id"]) as viewer:
        viewer.until(lambda v: v.frames, what="first frame")
        assert admin.call("DELETE", f"/api/users/{pat.id}").status_code == 204
        assert viewer.closed_with() == 4404
    assert pat.script("GET", "/api/pets").status_code == 401
    assert pet["id"] not in server.services.scheduler.pets
    assert admin.call("DELETE", f"/api/users/{pat.id}").status_code == 404
    admin.close()
