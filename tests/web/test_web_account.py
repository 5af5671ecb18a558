"""Account pages in Chromium, on a phone: an administrator resets a password and reads
the audit log; a player changes their password, sees and ends their signed-in devices
and turns on two-factor sign-in with a real authenticator code (pyotp plays the app).

Runs after test_browser.py (same server): the administrator exists by then, or is
created by ``sign_in`` on the setup page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from tests.web.support import require_browser

require_browser()

from playwright.sync_api import BrowserContext, Page, expect  # noqa: E402

from tests.web.test_browser import PHONE, WAIT_MS, no_horizontal_scroll, sign_in  # noqa: E402

PLAYER = "quinn"
FIRST = "quinn's first password"
RESET = "a reset from the admin"
CHANGED = "quinn changed it again"


def _context(browser: Any, errors: list[str]) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return context, page


@pytest.fixture(scope="module")
def errors() -> Iterator[list[str]]:
    seen: list[str] = []
    yield seen
    assert not seen, f"JavaScript errors or CSP refusals on the page: {seen}"


@pytest.fixture(scope="module")
def admin_page(browser: Any, server_url: str, errors: list[str]) -> Iterator[Page]:
    context, page = _context(browser, errors)
    sign_in(page, server_url)
    yield page
    context.close()


def player_sign_in(page: Page, base: str, password: str, code: str | None = None) -> None:
    page.goto(f"{base}/#/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(PLAYER)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if code is not None:
        expect(page.get_by_role("alert")).to_contain_text("authenticator app")
        page.get_by_label("Authentication code").fill(code)
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your pets")).to_be_visible()


def test_admin_adds_and_resets_a_player_then_reads_the_audit_log(
        admin_page: Page, server_url: str) -> None:
    page = admin_page
    page.goto(f"{server_url}/#/users")
    page.get_by_label("Username").fill(PLAYER)
    page.get_by_label("Password", exact=True).fill(FIRST)
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("list", name="Users")).to_contain_text(PLAYER)

    page.get_by_role("button", name=f"Reset the password of {PLAYER}").click()
    dialog = page.locator("dialog")
    dialog.get_by_label("New password").fill("password")  # refused: too common
    dialog.get_by_role("button", name="Reset").click()
    expect(dialog.get_by_role("alert")).to_contain_text("too easy to guess")
    dialog.get_by_label("New password").fill(RESET)
    with page.expect_response(lambda r: "/api/users/" in r.url) as info:
        dialog.get_by_role("button", name="Reset").click()
    assert info.value.ok
    expect(page.locator("dialog")).to_have_count(0)
    no_horizontal_scroll(page)

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    events = page.get_by_role("list", name="Audit events")
    expect(events).to_contain_text("Password reset")
    expect(events).to_contain_text("User created")
    page.get_by_label("Show").select_option("password_reset")
    expect(page.get_by_test_id("audit-event")).to_have_count(1)
    expect(events).to_contain_text("sessions ended")
    no_horizontal_scroll(page)


def test_admin_menu_shows_the_servers(admin_page: Page, server_url: str) -> None:
    page = admin_page
    page.goto(f"{server_url}/#/pets")
    expect(page.locator('#nav a[href="#/servers"]')).to_have_text("Servers")  # admin menu
    page.goto(f"{server_url}/#/servers")
    expect(page.get_by_role("heading", name="Servers")).to_be_visible()
    # one process on SQLite: itself, holding every pet
    expect(page.get_by_test_id("cluster-summary")).to_contain_text("One server process")
    expect(page.get_by_test_id("cluster-node")).to_have_count(1)
    expect(page.get_by_test_id("cluster-node")).to_contain_text("answered")
    no_horizontal_scroll(page)


def test_player_changes_password_ends_a_device_and_turns_on_two_factor(
        browser: Any, server_url: str, errors: list[str],
        admin_page: Page) -> None:
    phone_ctx, phone = _context(browser, errors)
    laptop_ctx, laptop = _context(browser, errors)
    try:
        player_sign_in(phone, server_url, RESET)
        player_sign_in(laptop, server_url, RESET)

        phone.goto(f"{server_url}/#/account")
        devices = phone.get_by_role("list", name="Signed-in devices")
        expect(devices.get_by_test_id("session")).to_have_count(2)
        expect(devices).to_contain_text("(this device)")
        no_horizontal_scroll(phone)
        other = devices.get_by_test_id("session").filter(has_not_text="(this device)")
        other.get_by_role("button").click()
        phone.locator("dialog").get_by_role("button", name="Sign out").click()
        expect(devices.get_by_test_id("session")).to_have_count(1)
        # the laptop finds itself signed out at its next request
        laptop.reload()
        expect(laptop.get_by_role("heading", name="Sign in")).to_be_visible()

        phone.get_by_label("Current password").fill("not it at all")
        phone.get_by_label("New password", exact=True).fill(CHANGED)
        phone.get_by_label("New password again").fill(CHANGED)
        phone.get_by_role("button", name="Change password").click()
        expect(phone.get_by_role("alert").filter(has_text="current password")).to_be_visible()
        phone.get_by_label("Current password").fill(RESET)
        phone.get_by_label("New password", exact=True).fill(CHANGED)
        phone.get_by_label("New password again").fill(CHANGED)
        phone.get_by_role("button", name="Change password").click()
        expect(phone.get_by_text("Password changed.")).to_be_visible()

        card = phone.get_by_test_id("totp-card")
        card.get_by_role("button", name="Set up two-factor sign-in").click()
        qr = card.get_by_role("img", name="QR code for your authenticator app")
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # data: image loads
        secret = card.get_by_test_id("totp-secret").inner_text().strip()
        otp = pyotp.TOTP(secret)
        card.get_by_label("Code from the app").fill(otp.now())
        card.get_by_role("button", name="Turn on").click()
        expect(card.get_by_test_id("totp-on")).to_be_visible()
        no_horizontal_scroll(phone)

        phone.get_by_role("button", name="Menu").click()
        phone.get_by_role("button", name="Sign out", exact=True).click()
        expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
        # the code of the next 30-second step: the one used to turn it on cannot be reused
        player_sign_in(phone, server_url, CHANGED, otp.at(time.time() + 30))
    finally:
        phone_ctx.close()
        laptop_ctx.close()
