"""The debugger in a real Chromium: open it from the pet menu, set a breakpoint, hit it,
step back, edit a RAM nibble, and leave the pet as it was (Discard)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.web.support import require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.web.test_browser import WAIT_MS, open_first_pet  # noqa: E402


def _position(page: Page) -> int:
    text = page.get_by_test_id("dbg-status").inner_text()
    match = re.search(r"at step ([\d,]+)", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def _pc(page: Page) -> str:
    return page.locator('[data-reg="PC"]').input_value()


def test_breakpoint_step_back_and_a_memory_edit(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    expect.set_options(timeout=WAIT_MS)  # a loaded machine answers slowly
    try:
        open_first_pet(page, server_url)
        pet_url = page.url
        page.get_by_role("button", name="Pet menu").click()
        page.get_by_role("dialog").get_by_role("link", name="Open the debugger").click()
        page.locator('[data-action="open-debugger"]').click()
        status = page.get_by_test_id("dbg-status")
        expect(status).to_contain_text("Stopped (start)")
        expect(page.get_by_test_id("dbg-lcd")).to_be_visible()
        start = _position(page)

        # Walk a few instructions to find an address ahead, then come back.
        pcs = []
        for n in range(1, 6):
            page.locator('[data-action="step"]').click()
            expect(status).to_contain_text(f"at step {start + n:,}")
            pcs.append(_pc(page))
        for n in range(4, -1, -1):
            page.locator('[data-action="step-back"]').click()
            expect(status).to_contain_text(f"at step {start + n:,}")
        target = pcs[-1]

        page.get_by_test_id("dbg-break-addr").fill(target)
        page.get_by_test_id("dbg-break-addr").press("Enter")
        expect(page.get_by_test_id("dbg-breakpoints")).to_contain_text(target)
        expect(page.locator(f'.dbg-line[data-addr="{target}"]')).to_have_class(re.compile(r"\bbp\b"))
        page.locator('[data-action="run"]').click()
        expect(status).to_have_attribute("data-reason", "breakpoint")
        assert _pc(page) == target
        hit = _position(page)
        assert hit > start  # (steps spent halted do not execute the instruction at PC)
        expect(page.locator(f'.dbg-line[data-addr="{target}"]')).to_have_class(re.compile(r"\bpc\b"))

        page.locator('[data-action="step-back"]').click()
        expect(status).to_contain_text(f"at step {hit - 1:,}")
        assert _pc(page) != target or pcs.count(target) > 1

        # Edit a RAM nibble: click it, give a value, write; it shows, marked as changed.
        cell = page.locator('.nib[data-addr="07F"]')
        old = cell.inner_text()
        new = "A" if old != "A" else "5"
        cell.click()
        expect(page.get_by_test_id("dbg-mem-addr")).to_have_value("07F")
        page.get_by_test_id("dbg-mem-value").fill(new)
        page.locator('[data-action="poke"]').click()
        expect(cell).to_have_text(new)
        expect(cell).to_have_class(re.compile(r"\bchanged\b"))
        expect(status).to_have_attribute("data-reason", "edit")
        if os.environ.get("PYGOTCHI_SCREENSHOTS"):  # for a person to look at
            folder = Path(os.environ["PYGOTCHI_SCREENSHOTS"])
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / "debugger.png"), full_page=False)

        page.locator('[data-action="discard"]').click()
        page.wait_for_url(pet_url)
        expect(page.locator("canvas.lcd").first).to_be_visible()
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the other tests
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
