"""pygotchi behind Debian's nginx, configured from ``deploy/nginx/pygotchi.conf.template``.

Only hosts, ports and certificate paths are filled in; the certificate is made
here. The client connects from 127.0.0.2 (all of 127/8 is this machine) while
nginx reaches pygotchi from 127.0.0.1, so "the real client address" is a
different address from the proxy's, as on a real host.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from pygotchi.server.settings import Settings
from tests.deploy.support import (
    TEMPLATE,
    Nginx,
    ServerProcess,
    free_port,
    make_certificate,
    render_template,
    tls_context,
)
from tests.server.helpers import Viewer, wait_for

PASSWORD = "correct horse battery"
CLIENT = "127.0.0.2"


@dataclass
class Stack:
    public_url: str
    http_url: str
    cert: Path
    app: ServerProcess
    nginx: Nginx

    def client(self, source: str = CLIENT, **kwargs) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=source, verify=tls_context(self.cert))
        return httpx.Client(base_url=self.public_url, transport=transport, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("proxy")
    cert, key = make_certificate(tmp)
    http_port, https_port = free_port(), free_port()
    public_url = f"https://localhost:{https_port}"
    app = ServerProcess(tmp / "data", tmp / "pygotchi.log", public_url=public_url,
                        forwarded_allow_ips="127.0.0.1", allowed_hosts="localhost",
                        signin_failures_per_address="3",
                        signin_failures_per_user="100")
    site = render_template({
        "SERVER_NAME": "localhost", "PUBLIC_URL": public_url,
        "LISTEN_HTTP": f"127.0.0.1:{http_port}", "LISTEN_HTTPS": f"127.0.0.1:{https_port}",
        "PYGOTCHI_UPSTREAM": f"127.0.0.1:{app.port}",
        "KEYCLOAK_UPSTREAM": f"127.0.0.1:{free_port()}",
        "TLS_CERTIFICATE": str(cert), "TLS_CERTIFICATE_KEY": str(key),
        "ACME_ROOT": str(tmp / "acme"), "RESOLVER": "127.0.0.1"})
    nginx = Nginx(tmp / "nginx", site)
    s = Stack(public_url, f"http://127.0.0.1:{http_port}", cert, app, nginx)

    def up() -> bool:
        assert nginx.proc.poll() is None, nginx.proc.stderr.read().decode()
        try:
            with s.client() as c:
                return c.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, timeout=30, what="nginx")
        yield s
    finally:
        nginx.stop()
        app.stop()


@pytest.fixture(scope="module")
def admin(stack) -> Iterator[tuple[httpx.Client, dict]]:
    c = stack.client()
    r = c.post("/api/setup", json={"username": "admin", "password": PASSWORD,
                                   "setup_code": stack.app.events("setup_code")[-1]["code"]})
    assert r.status_code == 201, r.text
    body = r.json()
    yield c, {"cookie": r.headers["set-cookie"], "csrf": body["csrf_token"]}
    c.close()


def test_the_page_loads_over_https_with_hsts(stack):
    with stack.client() as c:
        r = c.get("/")
    assert r.status_code == 200 and "pygotchi" in r.text
    assert re.fullmatch(r"max-age=\d{7,}; includeSubDomains",
                        r.headers["strict-transport-security"])
    assert r.headers["x-content-type-options"] == "nosniff"  # pygotchi's own, passed on
    assert "server" not in r.headers or "nginx/" not in r.headers["server"]


def test_http_redirects_to_https(stack):
    with httpx.Client(transport=httpx.HTTPTransport(local_address=CLIENT)) as c:
        r = c.get(f"{stack.http_url}/api/session?x=1")
    assert r.status_code == 301
    assert r.headers["location"] == f"{stack.public_url}/api/session?x=1"


def test_session_cookie_is_secure_behind_the_proxy(stack, admin):
    cookie = admin[1]["cookie"]
    assert "pygotchi_session=" in cookie
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in cookie.lower()


def test_live_view_over_wss(stack, admin):
    client, session = admin
    r = client.post("/api/pets", json={"name": "Sprout", "rom": "demo"},
                    headers={"X-CSRF-Token": session["csrf"]})
    assert r.status_code == 201, r.text
    pet = r.json()["id"]
    ws_url = stack.public_url.replace("https://", "wss://") + f"/api/pets/{pet}/ws"
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    ctx = tls_context(stack.cert)
    # a page of this site (Origin = the public URL), signed in by its cookie
    with Viewer(ws_url, ssl=ctx, origin=stack.public_url,
                additional_headers={"Cookie": cookies}) as viewer:
        viewer.until(lambda v: v.frames, what="an LCD frame over wss://")
    # another site's page with the same cookie is refused
    with Viewer(ws_url, ssl=ctx, origin="https://evil.example",
                additional_headers={"Cookie": cookies}) as viewer:
        try:
            code = viewer.closed_with()
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
        assert code == 4401 and not viewer.frames


LIT_DOTS = """() => {
  const c = document.querySelector("canvas.lcd");
  if (!c || !c.width) return 0;
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let dark = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 300) dark++;
  return dark;
}"""


def test_the_web_app_shows_a_live_pet_through_the_proxy(stack, admin):
    """Chromium on the HTTPS page: sign in, open a pet, its LCD drawn from wss:// frames."""
    from tests.web.support import CHROMIUM, CHROMIUM_ARGS, require_browser

    require_browser()
    from playwright.sync_api import expect, sync_playwright

    client, session = admin
    pet = client.post("/api/pets", json={"name": "Proxied", "rom": "demo"},
                      headers={"X-CSRF-Token": session["csrf"]}).json()["id"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 740},
                                          ignore_https_errors=True)  # the test's own CA
            page = context.new_page()
            sockets = []
            page.on("websocket", lambda ws: sockets.append(ws.url))
            page.goto(f"{stack.public_url}/#/signin")
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Your pets")).to_be_visible()
            page.goto(f"{stack.public_url}/#/pets/{pet}")
            page.wait_for_function(LIT_DOTS, timeout=20_000)
            assert sockets and all(url.startswith("wss://") for url in sockets), sockets
            cookie = next(c for c in context.cookies() if c["name"] == "pygotchi_session")
            assert cookie["secure"] and cookie["httpOnly"]
        finally:
            browser.close()


def test_oversized_upload_is_refused_by_nginx(stack, admin):
    client, session = admin
    limit = Settings().max_upload_bytes + 64 * 1024
    r = client.post("/api/roms", content=b"\0" * (limit + 1),
                    headers={"X-CSRF-Token": session["csrf"],
                             "Content-Type": "application/octet-stream"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")  # nginx's page: never reached us


def test_nginx_body_limit_matches_pygotchis():
    size = re.search(r"client_max_body_size (\d+)k;", TEMPLATE.read_text()).group(1)
    assert int(size) * 1024 == Settings().max_upload_bytes + 64 * 1024


def test_logged_client_address_is_the_real_one(stack):
    seen = len([e for e in stack.app.events("request") if e["path"] == "/healthz"])
    with stack.client(headers={"X-Forwarded-For": "203.0.113.9"}) as c:  # forged
        assert c.get("/healthz").status_code == 200
    lines = stack.app.new_requests("/healthz", seen)
    assert lines and lines[-1]["client"] == CLIENT


def test_a_rebound_host_name_is_refused_through_the_proxy(stack):
    """A page on attacker.example whose name now points at us (DNS rebinding) gets 400."""
    with stack.client(headers={"Host": "attacker.example"}) as c:
        assert c.get("/api/session").status_code == 400
    with stack.client() as c:
        assert c.get("/api/session").status_code == 200


def test_forwarded_headers_from_elsewhere_are_ignored(stack):
    # Straight to pygotchi from 127.0.0.2, which is not a trusted proxy.
    seen = len([e for e in stack.app.events("request") if e["path"] == "/api/pets"])
    transport = httpx.HTTPTransport(local_address=CLIENT)
    with httpx.Client(transport=transport) as c:
        r = c.get(f"{stack.app.url}/api/pets", headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.status_code == 401
    lines = stack.app.new_requests("/api/pets", seen)
    assert lines and lines[-1]["client"] == CLIENT


def test_sign_in_limiter_counts_the_real_address(stack):
    with stack.client() as attacker, stack.client(source="127.0.0.3") as neighbour:
        for _ in range(3):
            r = attacker.post("/api/session", json={"username": "admin", "password": "nope"})
            assert r.status_code == 401
        r = attacker.post("/api/session", json={"username": "admin", "password": "nope"})
        assert r.status_code == 429
        # someone else behind the same proxy is not locked out by the attacker
        r = neighbour.post("/api/session", json={"username": "admin", "password": "nope"})
        assert r.status_code == 401
    failed = stack.app.events("signin_failed")
    assert {e["client"] for e in failed} == {CLIENT, "127.0.0.3"}


def _cookie_viewer(stack, admin, url: str, origin: str, **headers: str) -> int | None:
    """Open a pet's live view with the admin's cookie: None if frames came, else the close
    code. ``url`` is nginx's (wss://) or pygotchi's own (ws://, reached from 127.0.0.2)."""
    client, session = admin
    pets = client.get("/api/pets").json()
    pet = pets[0]["id"] if pets else client.post(
        "/api/pets", json={"name": "Sprout", "rom": "demo"},
        headers={"X-CSRF-Token": session["csrf"]}).json()["id"]
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    kwargs = ({"ssl": tls_context(stack.cert)} if url.startswith("wss")
              else {"source_address": (CLIENT, 0)})
    with Viewer(f"{url}/api/pets/{pet}/ws", origin=origin,
                additional_headers={"Cookie": cookies, **headers}, **kwargs) as viewer:
        try:
            viewer.until(lambda v: v.frames, what="a frame")
            return None
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None


def test_origin_null_is_refused(stack, admin):
    wss = stack.public_url.replace("https://", "wss://")
    assert _cookie_viewer(stack, admin, wss, "null") == 4401


def test_forwarded_host_from_a_non_proxy_does_not_pass_the_origin_check(stack, admin):
    # Straight to pygotchi from 127.0.0.2 (not a proxy), naming the attacker's site twice.
    ws = stack.app.url.replace("http://", "ws://")
    code = _cookie_viewer(stack, admin, ws, "https://evil.example",
                          **{"X-Forwarded-Host": "evil.example"})
    assert code == 4401
