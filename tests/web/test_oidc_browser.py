"""Single sign-on in real Chromium: the provider's button, its page, back to the pets, out.

The server runs as ``python -m pygotchi`` with OpenID Connect settings in its
environment, in front of the real test provider (npm ``oidc-provider``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.oidc.provider import USERS, free_port, oidc_settings, start_provider
from tests.server.helpers import wait_for
from tests.web.support import require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    import httpx

    data: Path = tmp_path_factory.mktemp("sso")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    provider = start_provider(url)
    env = {**os.environ, **{f"PYGOTCHI_{k.upper()}": v
                            for k, v in oidc_settings(provider, url).items()}}
    log = open(data / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "pygotchi", "--port", str(port),
                             "--data-dir", str(data / "data")], env=env, stdout=log,
                            stderr=subprocess.STDOUT)

    def up() -> bool:
        assert proc.poll() is None, (data / "server.log").read_text()[-3000:]
        try:
            return httpx.get(f"{url}/healthz").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, timeout=60, interval=0.1, what="the server")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        provider.stop()


@pytest.fixture
def phone(browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in_at_provider(page: Page, site: str, username: str) -> None:
    page.goto(f"{site}/#/signin")
    page.get_by_role("link", name="Sign in with Test SSO").click()
    expect(page.get_by_role("heading", name="Test provider sign-in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(USERS[username])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your pets")).to_be_visible()
    assert page.url == f"{site}/#/pets"


def test_admin_signs_in_with_the_provider_and_out_of_it(phone: Page, site: str) -> None:
    page = phone
    sign_in_at_provider(page, site, "alice")
    expect(page.locator(".who")).to_contain_text("alice")
    expect(page.locator(".who .badge")).to_have_text("admin")
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Users")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's page
    expect(page.get_by_role("link", name="Sign in with Test SSO")).to_be_visible()
    assert page.url.startswith(f"{site}/")
    # the provider forgot us: the next sign-in asks for the password again
    page.get_by_role("link", name="Sign in with Test SSO").click()
    expect(page.get_by_role("heading", name="Test provider sign-in")).to_be_visible()


def test_player_has_no_admin_pages(phone: Page, site: str) -> None:
    page = phone
    sign_in_at_provider(page, site, "bob")
    expect(page.locator(".who")).to_contain_text("bob")
    expect(page.locator(".who .badge")).to_have_count(0)


def test_a_refused_sign_in_shows_a_page_with_the_way_back(phone: Page, site: str) -> None:
    page = phone
    page.goto(f"{site}/auth/oidc/callback?code=stolen&state=made-up")
    expect(page.get_by_role("heading", name="Sign-in failed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("did not start in this browser")
    page.get_by_role("link", name="Back to sign-in").click()
    expect(page.get_by_role("link", name="Sign in with Test SSO")).to_be_visible()
