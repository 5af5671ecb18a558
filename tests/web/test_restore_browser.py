"""Restore points in the browser: name one, go back to it (after saying yes), fork from it.

The real server (``python -m pygotchi``, real clock, the demo ROM) and Debian's Chromium,
on a phone-sized page under the server's Content-Security-Policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.support import require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.web.test_browser import WAIT_MS, phone_page, sign_in  # noqa: E402
from tests.web.test_pet_view import shot  # noqa: E402


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Page]:
    with phone_page(browser) as page:
        yield page


def pet_json(page: Page, pet_id: str) -> dict:
    return page.evaluate("(id) => fetch(`/api/pets/${id}`).then((r) => r.json())", pet_id)


def test_name_restore_with_confirmation_and_fork(page: Page, server_url: str) -> None:
    sign_in(page, server_url)
    page.get_by_label("Name").fill("Rewind")
    page.get_by_role("button", name="Hatch").click()
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)
    pet_id = page.url.rsplit("/", 1)[1]
    card = page.get_by_test_id("restore-points")
    expect(card).to_contain_text("No restore points yet")

    # a named point
    card.get_by_label("Restore point name").fill("Just hatched")
    card.get_by_role("button", name="Save a restore point").click()
    named = card.locator('.restore-item[data-kind="named"]', has_text="Just hatched")
    expect(named).to_be_visible()
    expect(named.locator("img.restore-pic")).to_have_js_property("complete", True)
    assert named.locator("img.restore-pic").evaluate("(img) => img.naturalWidth") > 0  # decoded
    saved_at = float(page.evaluate(
        "(id) => fetch(`/api/pets/${id}/restore-points`).then((r) => r.json())"
        ".then((d) => d.points[0].emulated_seconds)", pet_id))
    for _ in range(100):  # the pet lives on a few seconds past the point
        if pet_json(page, pet_id)["emulated_seconds"] > saved_at + 3:
            break
        page.wait_for_timeout(200)

    # restoring asks first: "Cancel" changes nothing
    named.get_by_role("button", name="Restore…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Restore Rewind to “Just hatched”?")
    expect(dialog).to_contain_text("you can undo this")
    dialog.get_by_role("button", name="Cancel").click()
    expect(card.locator('.restore-item[data-kind="undo"]')).to_have_count(0)
    assert pet_json(page, pet_id)["emulated_seconds"] > saved_at + 2

    # ...and "Restore" goes back, saving the present as an undo point first
    named.get_by_role("button", name="Restore…").click()
    page.get_by_role("dialog").get_by_role("button", name="Restore").click()
    expect(page.locator(".toast", has_text="To undo it")).to_be_visible()
    undo = card.locator('.restore-item[data-kind="undo"]')
    expect(undo).to_have_count(1)
    expect(undo).to_contain_text("Before restoring to Just hatched")
    assert pet_json(page, pet_id)["emulated_seconds"] < saved_at + 2
    expect(page.get_by_test_id("connection")).to_have_text("Live")
    expect(page.locator('.timeline [data-kind="restored"]')).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "restore-points")

    # a fork from the named point: a new pet of the same age, shown at once
    named.get_by_role("button", name="Fork…").click()
    fork_dialog = page.get_by_role("dialog")
    fork_dialog.get_by_label("Name of the new pet").fill("Rewind Jr")
    fork_dialog.get_by_role("button", name="Fork").click()
    expect(page.locator(".pet-title")).to_have_text("Rewind Jr")
    expect(page).not_to_have_url(re.compile(f"#/pets/{re.escape(pet_id)}$"))
    fork_id = page.url.rsplit("/", 1)[1]
    fork = pet_json(page, fork_id)
    assert fork["name"] == "Rewind Jr" and fork["emulated_seconds"] >= saved_at
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)
    expect(page.get_by_test_id("restore-points")).to_contain_text("No restore points yet")
    # the original is still there, with its own points
    page.goto(f"{server_url}/#/pets/{pet_id}")
    expect(page.get_by_test_id("restore-points").locator(".restore-item")).to_have_count(2)


def test_admins_see_storage_and_turn_restores_off(page: Page, server_url: str) -> None:
    sign_in(page, server_url)
    page.evaluate("""async () => {  // a pet with a point, made as a script would
      const s = await (await fetch("/api/session")).json();
      const headers = { "Content-Type": "application/json", "X-CSRF-Token": s.csrf_token };
      const post = (url, body) => fetch(url, { method: "POST", headers,
        body: JSON.stringify(body) }).then((r) => r.json());
      const pet = await post("/api/pets", { name: "Stored", rom: "demo" });
      await post(`/api/pets/${pet.id}/restore-points`, { name: "kept" });
    }""")
    page.locator(".nav-toggle").click()  # the phone's menu
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Restore points").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Restore points")
    expect(page.get_by_test_id("restore-totals")).to_have_text(
        re.compile(r"\d+ restore points? of \d+ pets? holds? [\d.]+ K?B\."))
    expect(page.locator(".storage-table tbody tr", has_text="Stored")).to_be_visible()
    shot(page, "restore-admin")
    box = page.get_by_label("Players may restore their pets")
    expect(box).to_be_checked()
    box.uncheck()
    expect(page.locator(".toast", has_text="Restores are off for players")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Players may restore their pets")).not_to_be_checked()
    page.get_by_label("Players may restore their pets").check()
    expect(page.locator(".toast", has_text="Players may restore")).to_be_visible()
