"""The pet view and the pet list as a fan uses them (issue 11), on a 360x740 phone.

Readable controls (names under icons and buttons, on by default; the first-visit
hint of A, B and C), a paused pet that looks paused and says so once, states
named for what they are, the vibrate option only where something can vibrate,
"Set to my time" where it is (not) available, the menu's age ticking, the pet
list's thumbnails and ages kept live, toasts clear of the toy's buttons.

Screenshots for a person to look at go to $PYGOTCHI_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.support import require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.web.test_browser import PHONE, WAIT_MS, debug, open_first_pet, sign_in  # noqa: E402

SHOTS = os.environ.get("PYGOTCHI_SCREENSHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def fresh_phone(browser: Any) -> Iterator[Page]:
    """A phone that has never seen the app (no settings in its storage)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_names_are_visible_and_the_first_visit_explains_abc(fresh_phone: Page,
                                                            server_url: str) -> None:
    page = fresh_phone
    open_first_pet(page, server_url)
    label = page.locator('.toy-buttons [data-button="A"] .toy-btn-label')
    expect(label).to_be_visible()
    expect(label).to_have_text("select")
    expect(page.locator('.lcd-icon[data-icon="food"] .icon-caption')).to_be_visible()
    expect(page.locator(".pet-bar .icon-label", has_text="Menu")).to_be_visible()
    hint = page.get_by_test_id("abc-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("C")
    expect(hint).to_contain_text("cancels")
    shot(page, "pet-first-visit")
    hint.get_by_role("button", name="Got it").click()
    expect(hint).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)
    expect(page.get_by_test_id("abc-hint")).to_have_count(0)
    # The labels are a setting: off in the menu, gone everywhere; back on again.
    page.get_by_role("button", name="Pet menu").click()
    box = page.get_by_role("dialog").get_by_label("Show names under the icons and buttons")
    expect(box).to_be_checked()
    box.uncheck()
    expect(label).to_be_hidden()
    box.check()
    expect(label).to_be_visible()
    page.keyboard.press("Escape")


def test_states_are_named_for_what_they_are(fresh_phone: Page, server_url: str) -> None:
    page = fresh_phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    state = page.get_by_test_id("pet-status")
    expect(state).to_have_text("Running")
    expect(page.locator(".status-row")).not_to_contain_text("awake")
    # Offline, the view does not claim to know what the pet does.
    page.evaluate("() => window.pygotchiDebug.dropConnection()")
    page.wait_for_function("() => window.pygotchiDebug.socket !== 'open'", timeout=WAIT_MS)
    expect(state).to_be_hidden()
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)
    expect(state).to_have_text("Running")


def test_a_paused_pet_looks_paused_and_says_so_once(fresh_phone: Page, server_url: str) -> None:
    page = fresh_phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    page.get_by_role("button", name="Pet menu").click()
    page.get_by_role("dialog").get_by_role("button", name="Pause").click()
    expect(page.get_by_test_id("pet-status")).to_have_text("Paused")
    button = page.locator('.toy-buttons [data-button="B"]')
    expect(button).to_have_attribute("aria-disabled", "true")
    shot(page, "pet-paused")
    box = button.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    page.wait_for_timeout(500)
    assert debug(page, "errors.length") == 0, "a disabled button still reached the server"
    expect(page.locator(".toast-error")).to_have_count(0)
    expect(page.locator(".lcd-overlay")).to_contain_text("Paused")
    page.locator(".lcd-overlay").get_by_role("button", name="Resume").click()
    expect(page.get_by_test_id("pet-status")).to_have_text("Running")
    expect(button).to_have_attribute("aria-disabled", "false")


def test_the_menu_age_ticks_and_the_clock_says_where_it_works(fresh_phone: Page,
                                                            server_url: str) -> None:
    page = fresh_phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    page.get_by_role("button", name="Pet menu").click()
    sheet = page.get_by_role("dialog")
    age = sheet.get_by_test_id("menu-age")
    first = age.inner_text()
    expect(age).not_to_have_text(first, timeout=WAIT_MS)
    # The demo ROM is not a P1 or P2: no button, a sentence saying why.
    expect(sheet.get_by_test_id("clock-unsupported")).to_contain_text("P1 and P2")
    expect(sheet.get_by_role("button", name=re.compile("Set to my time"))).to_have_count(0)
    shot(page, "pet-menu")
    page.keyboard.press("Escape")


def test_vibrate_is_offered_only_where_something_vibrates(browser: Any, fresh_phone: Page,
                                                        server_url: str) -> None:
    page = fresh_phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    expect(page.locator(".sound-row").get_by_label("Vibrate")).to_be_visible()
    desktop = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        page = desktop.new_page()
        page.set_default_timeout(WAIT_MS)
        open_first_pet(page, server_url)
        assert page.evaluate("() => typeof navigator.vibrate") == "function"
        expect(page.locator(".sound-row")).to_be_visible()
        expect(page.locator(".sound-row").get_by_label("Vibrate")).to_have_count(0)
    finally:
        desktop.close()


def test_toasts_stay_clear_of_the_toys_buttons(fresh_phone: Page, server_url: str) -> None:
    page = fresh_phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    page.evaluate("""() => import("/static/js/dom.js").then((m) => {
        m.toast("One"); m.toast("Two, a longer message that wraps on a phone", "error");
        m.toast("Two, a longer message that wraps on a phone", "error"); })""")
    toasts = page.locator(".toast")
    expect(toasts).to_have_count(2)  # the same message twice is shown once
    buttons = page.locator(".toy-buttons").bounding_box()
    for i in range(2):
        assert not overlaps(toasts.nth(i).bounding_box(), buttons)
    shot(page, "pet-toasts")


def test_the_pet_list_stays_live(fresh_phone: Page, server_url: str) -> None:
    page = fresh_phone
    sign_in(page, server_url)
    csrf = page.evaluate("() => fetch('/api/session').then((r) => r.json())")["csrf_token"]
    r = page.request.post(f"{server_url}/api/pets", headers={"X-CSRF-Token": csrf},
                          data={"name": "Lively", "rom": "demo"})
    assert r.status == 201, r.text()
    page.reload()
    card = page.locator(".pet-card", has_text="Lively")
    expect(card).to_be_visible()
    age = card.get_by_test_id("pet-age")
    first_age = age.inner_text()
    expect(age).not_to_have_text(first_age, timeout=WAIT_MS)
    thumb = card.locator("canvas.thumb")
    read = "(c) => c.toDataURL()"
    expect(thumb).to_have_attribute("data-seq", re.compile(r"\d+"))
    first = thumb.evaluate(read)
    # Another picture on the toy (B: the clock, for 5 s) reaches the list at a later
    # glance. (The idle animation alone is not a sure test: a glance can catch the
    # same pose again.)
    pet_id = page.evaluate("() => fetch('/api/pets').then((r) => r.json())"
                           ".then((ps) => ps.find((p) => p.name === 'Lively').id)")
    r = page.request.post(f"{server_url}/api/pets/{pet_id}/buttons",
                          headers={"X-CSRF-Token": csrf}, data={"button": "B", "ms": 100})
    assert r.status < 300, r.text()
    page.wait_for_function("""([first]) => [...document.querySelectorAll(".pet-card")]
        .find((c) => c.textContent.includes("Lively"))
        .querySelector("canvas.thumb").toDataURL() !== first""", arg=[first], timeout=WAIT_MS)
    expect(card.locator(".chip")).to_have_text("Running")
    shot(page, "pet-list")


def test_set_to_my_time_on_a_p1(browser: Any, server_url: str) -> None:
    """The whole way on the real P1 ROM (skipped without it): the phone says it is
    00:02; the server presses the toy's buttons; the toy's clock then reads 00:02."""
    from tests.conftest import rom_path

    rom = rom_path("p1.bin").read_bytes()
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        # Only the page's Date is fixed (timers run): two minute presses to make.
        page.clock.set_fixed_time("2026-03-01T00:02:00Z")
        sign_in(page, server_url)
        csrf = page.evaluate("() => fetch('/api/session').then((r) => r.json())")["csrf_token"]
        r = page.request.post(f"{server_url}/api/roms", headers={"X-CSRF-Token": csrf},
                              multipart={"file": {"name": "p1.bin", "mimeType":
                                                  "application/octet-stream", "buffer": rom}})
        assert r.status in (200, 201, 409), r.text()
        page.reload()
        page.get_by_label("Name").fill("Clocky")
        rom_select = page.get_by_label("ROM")
        option = rom_select.locator("option", has_text="P1").first
        rom_select.select_option(option.get_attribute("value"))
        page.get_by_role("button", name="Hatch").click()
        expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)
        page.get_by_role("button", name="Pet menu").click()
        button = page.get_by_role("dialog").get_by_role("button", name=re.compile("Set to my time"))
        expect(button).to_contain_text("12:02")  # en-US: 12:02 AM
        button.click()
        expect(page.locator(".clock-note")).to_be_visible()
        expect(page.locator('.toy-buttons [data-button="A"]')).to_have_attribute(
            "aria-disabled", "true")
        shot(page, "pet-setting-clock")
        expect(page.locator(".toast")).to_contain_text("clock now reads 12:02", timeout=90_000)
        expect(page.locator('.toy-buttons [data-button="A"]')).to_have_attribute(
            "aria-disabled", "false")
    finally:
        context.close()


def test_rom_and_user_forms_say_what_they_take(fresh_phone: Page, server_url: str) -> None:
    page = fresh_phone
    sign_in(page, server_url)
    # A ROM named like its model is not listed as "Tamagotchi P1 — Tamagotchi P1".
    for option in page.get_by_label("ROM").locator("option").all_inner_texts():
        name, _, model = option.partition(" \u2014 ")
        assert name != model, option
    page.goto(f"{server_url}/#/roms")
    accept = page.get_by_test_id("rom-file").get_attribute("accept")
    assert ".h" in accept.split(",") and ".bin" in accept.split(",")
    page.goto(f"{server_url}/#/users")
    own = page.get_by_label("Role of admin")
    expect(own).to_be_disabled()
    expect(own).to_have_attribute("title", re.compile("your own role"))
    # It must not look like the enabled selects next to it.
    look = "(el) => getComputedStyle(el).borderStyle + ' ' + getComputedStyle(el).cursor"
    assert own.evaluate(look) == "dashed not-allowed"
