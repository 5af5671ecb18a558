"""Sign-in with OpenID Connect against a real provider (npm ``oidc-provider``), over HTTP.

Every refusal is checked to end on a page that says what happened, with a 4xx
(or 502 when the provider is down), and to leave nobody signed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pygotchi.server.app import create_app
from pygotchi.server.passwords import hash_password
from pygotchi.store import users as user_store
from tests.oidc.provider import USERS, Provider, free_port, oidc_settings, start_provider
from tests.server.conftest import ECHO_DEMO, settings_for
from tests.server.helpers import PASSWORD, LiveServer, bound_socket


@dataclass
class Site:
    """pygotchi with OIDC sign-in, and its provider (None: the issuer is unreachable)."""

    url: str
    server: LiveServer
    provider: Provider | None

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


@contextmanager
def oidc_site(data: Path, roles_shape: str = "realm_access", dead_issuer: bool = False,
              derived: dict[str, Callable[[dict], str]] | None = None,
              **overrides) -> Iterator[Site]:
    """Start a provider and a server that trusts it (their addresses known to each other).

    ``derived``: settings computed from the others once the provider's address is known.
    """
    sock = bound_socket()  # the provider must know the site's address before it starts
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    if dead_issuer:
        provider, values = None, {"public_url": url, "auth_modes": "local,oidc",
                                  "oidc_issuer": f"http://127.0.0.1:{free_port()}",
                                  "oidc_client_id": "pygotchi", "oidc_client_secret": "s" * 32}
    else:
        provider = start_provider(url, roles_shape)
        values = oidc_settings(provider, url)
    values = {**values, **overrides}
    values.update({k: f(values) for k, f in (derived or {}).items()})
    try:
        app = create_app(settings_for(data, **values), demo=ECHO_DEMO)
        with LiveServer(app, sock) as server:
            yield Site(url, server, provider)
    finally:
        if provider:
            provider.stop()


def walk(browser: httpx.Client, url: str, until: str) -> httpx.Response:
    """Follow redirects across both servers until one points at ``until`` (not followed)."""
    response = browser.get(url)
    for _ in range(10):
        location = response.headers.get("location")
        if response.status_code not in (302, 303) or not location:
            return response
        target = str(response.url.join(location))
        if target.startswith(until):
            return response
        response = browser.get(target)
    raise AssertionError("too many redirects")


def provider_login(browser: httpx.Client, site: Site, username: str) -> str:
    """Start at /auth/oidc/login, sign in at the provider; the callback URL it sends back."""
    page = walk(browser, f"{site.url}/auth/oidc/login", until=f"{site.url}/")
    assert page.status_code == 200 and "Test provider sign-in" in page.text, page.text
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    r = browser.post(str(page.url.join(action)),
                     data={"login": username, "password": USERS[username]})
    r = walk(browser, str(r.url.join(r.headers["location"])), until=f"{site.url}/")
    callback = str(r.url.join(r.headers["location"]))
    assert callback.startswith(f"{site.url}/auth/oidc/callback?"), callback
    return callback


def sign_in(browser: httpx.Client, site: Site, username: str) -> dict:
    r = browser.get(provider_login(browser, site, username))
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/#/pets"
    session = browser.get("/api/session").json()
    assert session["user"] is not None
    return session


def assert_refused(r: httpx.Response, status: int, code: str, words: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("text/html")
    assert f'data-code="{code}"' in r.text, r.text
    assert words in r.text
    assert "Back to sign-in" in r.text


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    with oidc_site(tmp_path_factory.mktemp("oidc")) as s:
        yield s


# --- the flow -------------------------------------------------------------------------

def test_sign_in_page_offers_the_provider_and_no_web_setup(site):
    with site.browser() as b:
        body = b.get("/api/session").json()
        assert body["sign_in"] == {"local": True,
                                   "oidc": {"name": "Test SSO", "url": "/auth/oidc/login"}}
        # the first administrator comes from the provider, not from whoever is first here
        assert body["setup_needed"] is False
        r = b.post("/api/setup", json={"username": "x", "password": PASSWORD})
        assert r.status_code == 403 and "pygotchi-admin" in r.json()["message"]
        paths = b.get("/openapi.json").json()["paths"]
    assert {"/auth/oidc/login", "/auth/oidc/callback", "/auth/oidc/logout"} <= set(paths)
    assert "502" in paths["/auth/oidc/callback"]["get"]["responses"]


def test_login_redirects_with_pkce_state_and_nonce(site):
    with site.browser() as b:
        r = b.get("/auth/oidc/login")
    assert r.status_code == 302
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert r.headers["location"].startswith(site.provider.issuer)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{site.url}/auth/oidc/callback"]
    cookie = r.headers["set-cookie"]
    assert "pygotchi_oidc=" in cookie and "path=/auth/oidc" in cookie.lower()
    assert "httponly" in cookie.lower()


def test_admin_and_player_roles_come_from_the_claim(site):
    with site.browser() as a, site.browser() as b:
        alice = sign_in(a, site, "alice")
        bob = sign_in(b, site, "bob")
        assert alice["user"]["role"] == "admin" and alice["signed_in_with"] == "oidc"
        assert bob["user"]["role"] == "player"
        assert a.get("/api/pets").status_code == 200  # the pet list
        assert a.get("/api/users").status_code == 200
        assert b.get("/api/users").status_code == 403


def test_signing_in_again_ends_the_previous_session(site):
    with site.browser() as b:
        sign_in(b, site, "bob")
        old = b.cookies["pygotchi_session"]
        for name in [c.name for c in b.cookies.jar if c.name.startswith("_session")]:
            b.cookies.delete(name)  # signed out at the provider only
        sign_in(b, site, "alice")
        assert b.cookies["pygotchi_session"] != old
    with site.browser() as thief:
        thief.cookies.set("pygotchi_session", old)
        assert thief.get("/api/session").json()["user"] is None


def test_same_subject_same_account_and_role_refreshed(site):
    with site.browser() as b:
        first = sign_in(b, site, "bob")["user"]
    with site.server.services.db.session() as s:  # someone made bob an admin locally...
        user_store.get_user(s, first["id"]).role = "admin"
        s.commit()
    with site.browser() as b:
        again = sign_in(b, site, "bob")["user"]  # ...the provider's word wins at sign-in
    assert again["id"] == first["id"] and again["role"] == "player"


def test_names_are_made_unique_and_api_tokens_work(tmp_path):
    with oidc_site(tmp_path) as site:
        with site.server.services.db.session() as s:  # a local "alice" exists first
            local = user_store.create_user(s, "alice", hash_password(PASSWORD), "admin")
            s.commit()
        with site.browser() as b:
            session = sign_in(b, site, "alice")
            assert session["user"]["username"] == "alice2"
            assert session["user"]["id"] != local.id
            # the local alice's password does not open the OIDC account
            with site.browser() as other:
                r = other.post("/api/session", json={"username": "alice2", "password": PASSWORD})
                assert r.status_code == 401
                r = other.post("/api/session", json={"username": "alice", "password": PASSWORD})
                assert r.status_code == 200
                assert other.get("/api/session").json()["signed_in_with"] == "local"
            t = b.post("/api/tokens", json={"name": "script"},
                       headers={"X-CSRF-Token": session["csrf_token"]})
            assert t.status_code == 201, t.text
            token = t.json()["token"]
        with site.server.client() as script:
            r = script.get("/api/session", headers={"Authorization": f"Bearer {token}"})
            assert r.json()["user"]["username"] == "alice2"
            assert r.json()["signed_in_with"] == "token"
            assert script.get("/api/pets", headers={"Authorization": f"Bearer {token}"}
                              ).status_code == 200


def test_logout_ends_the_provider_session_too(site):
    with site.browser() as b:
        session = sign_in(b, site, "alice")
        r = b.post("/auth/oidc/logout", headers={"X-CSRF-Token": session["csrf_token"]})
        assert r.status_code == 200, r.text
        url = r.json()["redirect"]
        assert url.startswith(f"{site.provider.issuer}/session/end?")
        assert "id_token_hint=" in url
        assert b.get("/api/session").json()["user"] is None  # signed out here at once
        page = b.get(url)  # the provider asks to confirm, as Keycloak does
        form = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
        r = b.post(str(page.url.join(form)), data={"xsrf": xsrf, "logout": "yes"})
        assert r.status_code == 303 and r.headers["location"].startswith(f"{site.url}/?")
        # signing in again asks for the password: the provider forgot us
        page = walk(b, f"{site.url}/auth/oidc/login", until=f"{site.url}/")
        assert "Test provider sign-in" in page.text


def test_logout_needs_csrf_and_an_oidc_session(site):
    with site.browser() as anonymous:
        assert anonymous.post("/auth/oidc/logout").status_code == 401
    with site.browser() as b:
        sign_in(b, site, "bob")
        assert b.post("/auth/oidc/logout").status_code == 403
        assert b.get("/api/session").json()["user"] is not None


# --- refusals ---------------------------------------------------------------------------

def test_missing_state_is_refused(site):
    with site.browser() as b:
        callback = provider_login(b, site, "bob")
        query = parse_qs(urlsplit(callback).query)
        r = b.get("/auth/oidc/callback", params={"code": query["code"][0]})
        assert_refused(r, 400, "bad_state", "no &#x27;state&#x27;")
        assert b.get("/api/session").json()["user"] is None


def test_wrong_state_is_refused(site):
    with site.browser() as b:
        callback = provider_login(b, site, "bob")
        query = parse_qs(urlsplit(callback).query)
        r = b.get("/auth/oidc/callback", params={"code": query["code"][0], "state": "forged"})
        assert_refused(r, 400, "bad_state", "did not start in this browser")
        assert b.get("/api/session").json()["user"] is None


def test_a_callback_from_another_browser_is_refused(site):
    with site.browser() as victim, site.browser() as attacker:
        callback = provider_login(attacker, site, "bob")  # the attacker's own code...
        r = victim.get(callback)  # ...pushed into the victim's browser (login CSRF)
        assert_refused(r, 400, "bad_state", "did not start in this browser")
        assert victim.get("/api/session").json()["user"] is None


def test_replayed_code_is_refused_by_the_provider(site):
    with site.browser() as b:
        callback = provider_login(b, site, "bob")
        code = parse_qs(urlsplit(callback).query)["code"][0]
        assert b.get(callback).status_code == 303  # used once: signed in
        b.cookies.delete("pygotchi_session")
        # a new sign-in gives a new valid state; the old code goes with it
        r = b.get("/auth/oidc/login")
        state = parse_qs(urlsplit(r.headers["location"]).query)["state"][0]
        r = b.get("/auth/oidc/callback", params={"code": code, "state": state})
        assert_refused(r, 400, "code_rejected", "already used or has expired")
        assert b.get("/api/session").json()["user"] is None


@pytest.mark.parametrize("mode, code, words", [
    ("foreign-key", "token_invalid", "not signed by the sign-in provider"),
    ("nonce", "token_invalid", "wrong nonce"),
    ("iss", "token_invalid", "issued by another provider"),
    ("aud", "token_invalid", "issued for another application"),
    ("expired", "token_expired", "has expired"),
])
def test_bad_id_tokens_are_refused(site, mode, code, words):
    with site.browser() as b:
        callback = provider_login(b, site, "alice")
        site.provider.tamper_next_token(mode)
        r = b.get(callback)
        assert_refused(r, 401, code, words)
        assert b.get("/api/session").json()["user"] is None


def test_provider_error_answer_is_shown(site):
    with site.browser() as b:
        r = b.get("/auth/oidc/login")
        state = parse_qs(urlsplit(r.headers["location"]).query)["state"][0]
        r = b.get("/auth/oidc/callback", params={"error": "access_denied", "state": state,
                                                  "error_description": "user said no"})
        assert_refused(r, 400, "provider_refused", "user said no")


def test_provider_down_before_and_during_sign_in(tmp_path):
    with oidc_site(tmp_path / "a", dead_issuer=True) as site, site.browser() as b:
        assert_refused(b.get("/auth/oidc/login"), 502, "provider_unreachable",
                       "cannot be reached")
    with oidc_site(tmp_path / "b") as site, site.browser() as b:
        callback = provider_login(b, site, "bob")
        site.provider.stop()  # goes down between its sign-in page and the code exchange
        assert_refused(b.get(callback), 502, "provider_unreachable", "cannot be reached")


def test_roles_from_groups_claim(tmp_path):
    with oidc_site(tmp_path, roles_shape="groups", oidc_roles_claim="groups") as site:
        with site.browser() as a, site.browser() as b:
            assert sign_in(a, site, "alice")["user"]["role"] == "admin"
            assert sign_in(b, site, "bob")["user"]["role"] == "player"


def test_oidc_only_turns_passwords_off(tmp_path):
    with oidc_site(tmp_path, auth_modes="oidc") as site, site.browser() as b:
        body = b.get("/api/session").json()
        assert body["setup_needed"] is False and body["sign_in"]["local"] is False
        r = b.post("/api/setup", json={"username": "x", "password": PASSWORD})
        assert r.status_code == 403 and "Sign in with Test SSO" in r.json()["message"]
        r = b.post("/api/session", json={"username": "x", "password": PASSWORD})
        assert r.status_code == 403


def _by_name(url: str) -> str:
    return url.replace("127.0.0.1", "localhost")


def test_discovery_by_a_private_address(tmp_path):
    """As in the compose deployment: the server fetches the discovery document by another
    address than the issuer's (there: http://keycloak:8080), and still checks the issuer."""
    private = {"oidc_discovery_url": lambda v: _by_name(v["oidc_issuer"])
               + "/.well-known/openid-configuration"}
    with oidc_site(tmp_path, derived=private) as site, site.browser() as b:
        assert sign_in(b, site, "alice")["user"]["role"] == "admin"


def test_an_issuer_that_is_not_the_providers_is_refused(tmp_path):
    wrong = {"oidc_issuer": lambda v: _by_name(v["oidc_issuer"])}  # the provider says 127.0.0.1
    with oidc_site(tmp_path, derived=wrong) as site, site.browser() as b:
        assert_refused(b.get("/auth/oidc/login"), 502, "provider_error",
                       "must be exactly its issuer")


def test_an_issuer_without_a_discovery_document_is_explained(tmp_path):
    nowhere = {"oidc_issuer": lambda v: v["public_url"] + "/no-provider-here"}
    with oidc_site(tmp_path, derived=nowhere) as site, site.browser() as b:
        assert_refused(b.get("/auth/oidc/login"), 502, "provider_error",
                       "check PYGOTCHI_OIDC_ISSUER")
