"""The web app in real Chromium against the real server, phone first.

One story on a 360x740 phone, in order (the tests share one server and one page,
as a person would): first start and the administrator, sign out and in, hatch a
pet from the built-in demo ROM, see the LCD draw and animate, hold a button and
see the pet react, hear the beep arrive, pause and resume from the pet menu, a
bad ROM upload. Then a desktop window with keyboard shortcuts, and the PWA bits.

The demo ROM (pygotchi/demo) beeps on every button and animates all the time;
while idle its creature stays in columns 10-21, and button A starts a feeding
scene that draws food in the side columns and lights icon 0.

Waits are generous time-outs for something to happen, never timed assertions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.web.support import require_browser, setup_code

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

ADMIN = "admin"
PASSWORD = "correct horse battery"
PHONE = {"width": 360, "height": 740}
WAIT_MS = 15_000

# The LCD as 16 strings of '#'/'.', read back from the canvas pixels at the
# centre of each dot (lcd.js puts its device-pixels-per-dot in data-scale).
READ_LCD = """() => {
  const c = document.querySelector("canvas.lcd");
  if (!c || !c.width) return null;
  const s = Number(c.dataset.scale);
  const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const rows = [];
  for (let y = 0; y < 16; y++) {
    let row = "";
    for (let x = 0; x < 32; x++) {
      const px = x * s + Math.floor(s / 3), py = y * s + Math.floor(s / 3);
      const i = (py * c.width + px) * 4;
      row += data[i] + data[i + 1] + data[i + 2] < 300 ? "#" : ".";
    }
    rows.push(row);
  }
  return rows;
}"""


def lcd(page: Page) -> list[str]:
    rows = page.evaluate(READ_LCD)
    assert rows is not None, "no LCD canvas on the page"
    return rows


def dark_pixels(rows: list[str]) -> int:
    return sum(row.count("#") for row in rows)


def side_pixels(rows: list[str]) -> int:
    """Dark pixels outside the idle creature's box (columns 10-21)."""
    return sum(row[:10].count("#") + row[22:].count("#") for row in rows)


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide: it scrolls sideways"


def sign_in(page: Page, base: str) -> None:
    """Reach the pet list from wherever we are: setup, sign-in or already signed in."""
    page.goto(f"{base}/#/pets")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Welcome to pygotchi|Sign in|Your pets"))
    if heading.inner_text() == "Welcome to pygotchi":
        page.get_by_label("Setup code").fill(setup_code(base))
        page.get_by_label("Administrator name").fill(ADMIN)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Create the administrator").click()
    elif heading.inner_text() == "Sign in":
        page.get_by_label("Username").fill(ADMIN)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your pets")).to_be_visible()


def open_first_pet(page: Page, base: str) -> None:
    sign_in(page, base)
    pets = page.locator(".pet-link")
    if pets.count() == 0:
        page.get_by_label("Name").fill("Sprout")
        page.get_by_role("button", name="Hatch").click()
    else:
        pets.first.click()
    expect(page.locator("canvas.lcd")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)


def debug(page: Page, expr: str) -> Any:
    return page.evaluate(f"() => window.pygotchiDebug && window.pygotchiDebug.{expr}")


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Page]:
    with phone_page(browser) as page:
        yield page


@contextmanager
def phone_page(browser: Any) -> Iterator[Page]:
    """A phone-sized page that fails the test on any script error or CSP refusal."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the whole app runs under the server's Content-Security-Policy: nothing refused
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_first_start_creates_the_administrator_and_signs_in(phone: Page, server_url: str) -> None:
    page = phone
    page.goto(server_url + "/")
    expect(page.get_by_role("heading", name="Welcome to pygotchi")).to_be_visible()
    no_horizontal_scroll(page)
    # whoever reaches the page first needs the code from the server's log
    page.get_by_label("Setup code").fill("WRNG-CODE-HERE")
    page.get_by_label("Administrator name").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong setup code")
    page.get_by_label("Setup code").fill(setup_code(server_url).lower())
    page.get_by_role("button", name="Create the administrator").click()
    expect(page.get_by_role("heading", name="Your pets")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/pets$"))  # not left at #/setup

    # Sign out through the phone menu, then back in; a wrong password shows
    # the server's message.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).not_to_be_empty()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your pets")).to_be_visible()
    no_horizontal_scroll(page)


def test_hatch_a_pet_from_the_demo_rom(phone: Page, server_url: str) -> None:
    page = phone
    sign_in(page, server_url)
    rom = page.get_by_label("ROM")
    builtin = rom.locator("option", has_text="built-in")
    expect(builtin).to_have_count(1)
    rom.select_option(builtin.get_attribute("value"))
    page.get_by_label("Name").fill("Sprout")
    page.get_by_role("button", name="Hatch").click()
    expect(page).to_have_url(re.compile(r"#/pets/[^/]+$"))
    expect(page.get_by_role("heading", name="Sprout")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)
    for name in ("A", "B", "C"):
        expect(page.locator(f'.toy-buttons [data-button="{name}"]')).to_be_visible()
    no_horizontal_scroll(page)


def test_lcd_draws_and_animates(phone: Page, server_url: str) -> None:
    page = phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    page.wait_for_function(f"() => ({READ_LCD})()?.join('').includes('#')", timeout=WAIT_MS)
    first = lcd(page)
    assert dark_pixels(first) > 0
    # Crisp: an integer number of device pixels per dot, and the canvas is that big.
    size = page.evaluate("""() => { const c = document.querySelector("canvas.lcd");
        return [c.width, c.height, Number(c.dataset.scale)]; }""")
    assert size[2] >= 2 and size[0] == 32 * size[2] and size[1] == 16 * size[2]
    # The demo bobs twice a second: another picture must come.
    page.wait_for_function(f"""(first) => {{
        const now = ({READ_LCD})();
        return now && now.join("\\n") !== first && now.join("").includes("#");
    }}""", arg="\n".join(first), timeout=WAIT_MS)
    assert debug(page, "frames") >= 2


def test_holding_a_button_reaches_the_pet_and_the_screen_reacts(
        phone: Page, server_url: str) -> None:
    page = phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=WAIT_MS)
    button = page.locator('.toy-buttons [data-button="A"]')
    box = button.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    try:
        # Held: the server reports A as pressed, and the button looks pressed.
        page.wait_for_function("() => window.pygotchiDebug.pressed.includes('A')",
                               timeout=WAIT_MS)
        expect(button).to_have_class(re.compile(r"\bdown\b"))
        page.wait_for_timeout(300)  # a deliberate hold, as a person would
        assert "A" in debug(page, "pressed"), "A was let go while still held"
    finally:
        page.mouse.up()
    page.wait_for_function("() => !window.pygotchiDebug.pressed.includes('A')", timeout=WAIT_MS)
    expect(button).not_to_have_class(re.compile(r"\bdown\b"))
    # The feeding scene: food beside the creature, or the food icon lit.
    page.wait_for_function(f"""() => {{
        const rows = ({READ_LCD})();
        const side = rows && rows.some((r) => (r.slice(0, 10) + r.slice(22)).includes("#"));
        const food = document.querySelector('.lcd-icon[data-bit="0"]').classList.contains("on");
        return side || food;
    }}""", timeout=WAIT_MS)


def test_a_button_press_makes_a_beep(phone: Page, server_url: str) -> None:
    page = phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    before = debug(page, "beeps.length")
    page.locator('.toy-buttons [data-button="C"]').click(delay=120)
    page.wait_for_function("(n) => window.pygotchiDebug.beeps.length > n", arg=before,
                           timeout=WAIT_MS)
    beep = debug(page, "beeps[window.pygotchiDebug.beeps.length - 1]")
    assert beep["freqHz"] > 0
    assert beep["tick"] > 0


SCHEDULE_BEEPS = """async () => {
  const { Beeper, TICKS_PER_SECOND: T } = await import("/static/js/audio.js");
  const beeper = new Beeper({ volume: 0, muted: true, vibrate: false });
  beeper.unlock();
  await beeper.ctx.resume();
  const seen = [];
  beeper.onBeep = (rec) => seen.push(rec);
  const t0 = 5000;
  // Three batches, as the server sends them: a beep's end may come in the next one.
  beeper.handle([{ tick: t0, on: true, freqHz: 4096 }]);
  beeper.handle([{ tick: t0 + 0.020 * T, on: false, freqHz: 4096 },
                 { tick: t0 + 0.050 * T, on: true, freqHz: 2048 }]);
  beeper.handle([{ tick: t0 + 0.051 * T, on: false, freqHz: 2048 }]);
  // Much later on the pet's clock (say after a pause): a new anchor, same exactness.
  beeper.handle([{ tick: t0 + 600 * T, on: true, freqHz: 3277 },
                 { tick: t0 + 600 * T + 0.094 * T, on: false, freqHz: 3277 }]);
  const state = beeper.ctx.state;
  beeper.stop();
  await beeper.ctx.close();
  return { state, beeps: seen.map((r) => [r.at, r.endAt, r.durationS]) };
}"""


def test_beeps_keep_their_emulated_length_across_batches(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(server_url + "/")
        page.locator("body").click()  # a user gesture, so the AudioContext may run
        result = page.evaluate(SCHEDULE_BEEPS)
        if result["state"] != "running":
            pytest.skip(f"this Chromium gives no running AudioContext ({result['state']})")
        (a0, a1, d0), (b0, b1, d1), (c0, c1, d2) = result["beeps"]
        assert a1 - a0 == pytest.approx(0.020, abs=1e-4)  # the 20 ms beep lasts 20 ms
        assert b0 - a0 == pytest.approx(0.050, abs=1e-4)  # and the next starts 50 ms after
        assert b1 - b0 == pytest.approx(0.001, abs=1e-4)  # a 1 ms beep is not lost
        assert c1 - c0 == pytest.approx(0.094, abs=1e-4)
        assert c0 >= b1  # re-anchored, never before what was scheduled
        assert [d0, d1, d2] == pytest.approx([0.020, 0.001, 0.094], abs=1e-4)
    finally:
        context.close()


def test_the_live_view_reconnects_by_itself(phone: Page, server_url: str) -> None:
    page = phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    opens, frames = debug(page, "opens"), debug(page, "frames")
    page.evaluate("() => window.pygotchiDebug.dropConnection()")
    # Back on its own (backoff), and the server sends the screen again.
    page.wait_for_function("(n) => window.pygotchiDebug.opens > n", arg=opens, timeout=WAIT_MS)
    page.wait_for_function("(n) => window.pygotchiDebug.frames > n", arg=frames,
                           timeout=WAIT_MS)
    expect(page.get_by_test_id("connection")).to_have_text("Live")


def test_pet_menu_pauses_and_resumes(phone: Page, server_url: str) -> None:
    page = phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    page.get_by_role("button", name="Pet menu").click()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_role("heading", name="About")).to_be_visible()
    expect(sheet.get_by_role("link", name="TamaTool (TLST)")).to_have_attribute(
        "href", re.compile(r"/state\?format=tlst$"))
    with page.expect_download() as download:
        sheet.get_by_role("link", name="pygotchi state").click()
    saved = download.value.path()
    assert saved is not None and saved.stat().st_size > 0, "the saved state is empty"
    sheet.get_by_role("button", name="Pause").click()
    overlay = page.locator(".lcd-overlay")
    expect(overlay).to_contain_text("Paused")
    page.wait_for_function("() => window.pygotchiDebug.status?.status === 'paused'",
                           timeout=WAIT_MS)
    overlay.get_by_role("button", name="Resume").click()
    expect(overlay).to_be_hidden()
    page.wait_for_function("() => window.pygotchiDebug.status?.status === 'running'",
                           timeout=WAIT_MS)


def test_a_refused_state_file_shows_the_servers_message(phone: Page, server_url: str) -> None:
    page = phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    page.get_by_role("button", name="Pet menu").click()
    sheet = page.locator("dialog.sheet")
    sheet.get_by_label("State file").set_input_files(
        files=[{"name": "junk.bin", "mimeType": "application/octet-stream",
                "buffer": b"certainly not a saved pet" * 3}])
    sheet.get_by_role("button", name="Load state").click()
    with page.expect_response(lambda r: r.url.endswith("/state")
                              and r.request.method == "PUT") as info:
        page.locator("dialog:not(.sheet)").get_by_role("button", name="Load").click()
    response = info.value
    assert response.status == 422
    expect(sheet.get_by_role("alert")).to_have_text(response.json()["message"])
    sheet.get_by_role("button", name="Close").click()
    expect(sheet).to_have_count(0)
    # The pet lives on untouched.
    expect(page.get_by_test_id("connection")).to_have_text("Live")


def test_a_bad_rom_upload_shows_the_servers_message(phone: Page, server_url: str) -> None:
    page = phone
    sign_in(page, server_url)
    page.goto(f"{server_url}/#/roms")
    expect(page.get_by_role("heading", name="ROM library")).to_be_visible()
    page.get_by_test_id("rom-file").set_input_files(
        files=[{"name": "junk.bin", "mimeType": "application/octet-stream",
                "buffer": b"this is not a ROM" * 7}])
    with page.expect_response(lambda r: r.url.endswith("/api/roms")
                              and r.request.method == "POST") as info:
        page.get_by_role("button", name="Upload").click()
    response = info.value
    assert response.status == 422
    message = response.json()["message"]
    expect(page.get_by_test_id("rom-error")).to_have_text(message)
    no_horizontal_scroll(page)


def test_users_and_api_tokens(phone: Page, server_url: str) -> None:
    page = phone
    sign_in(page, server_url)
    page.goto(f"{server_url}/#/users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_label("Username").fill("pia")
    page.get_by_label("Password", exact=True).fill("pia's long password")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("list", name="Users")).to_contain_text("pia")
    no_horizontal_scroll(page)

    page.goto(f"{server_url}/#/account")
    page.get_by_label("New token name").fill("feeder script")
    page.get_by_role("button", name="Create").click()
    token = page.get_by_test_id("new-token")
    expect(token).not_to_be_empty()
    expect(page.get_by_role("list", name="API tokens")).to_contain_text("feeder script")
    no_horizontal_scroll(page)
    page.reload()
    expect(page.get_by_role("list", name="API tokens")).to_contain_text("feeder script")
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once only


def test_reset_and_delete_ask_first(phone: Page, server_url: str) -> None:
    page = phone
    open_first_pet(page, server_url)
    name = page.locator(".pet-title").inner_text()
    page.get_by_role("button", name="Pet menu").click()
    page.locator("dialog.sheet").get_by_role("button", name="Reset…").click()
    confirm = page.locator("dialog:not(.sheet)")
    expect(confirm).to_contain_text(f"Reset {name}?")
    confirm.get_by_role("button", name="Cancel").click()  # changed my mind: nothing happens
    expect(confirm).to_have_count(0)
    page.locator("dialog.sheet").get_by_role("button", name="Reset…").click()
    with page.expect_response(lambda r: r.url.endswith("/reset")) as info:
        page.locator("dialog:not(.sheet)").get_by_role("button", name="Reset").click()
    assert info.value.ok
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.get_by_test_id("connection")).to_have_text("Live")

    page.get_by_role("button", name="Pet menu").click()
    page.locator("dialog.sheet").get_by_role("button", name="Delete…").click()
    confirm = page.locator("dialog:not(.sheet)")
    expect(confirm).to_contain_text(f"Delete {name}?")
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Your pets")).to_be_visible()
    expect(page.locator(".pet-name", has_text=name)).to_have_count(0)


def test_desktop_keyboard_shortcuts_hold_buttons(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        open_first_pet(page, server_url)
        page.locator("body").click(position={"x": 5, "y": 400})  # focus the page
        page.keyboard.down("s")
        page.wait_for_function("() => window.pygotchiDebug.pressed.includes('B')",
                               timeout=WAIT_MS)
        expect(page.locator('.toy-buttons [data-button="B"]')).to_have_class(
            re.compile(r"\bdown\b"))
        page.keyboard.up("s")
        page.wait_for_function("() => !window.pygotchiDebug.pressed.includes('B')",
                               timeout=WAIT_MS)
        # Space is A+C: both held together.
        page.keyboard.down(" ")
        page.wait_for_function("""() => ['A', 'C'].every(
            (b) => window.pygotchiDebug.pressed.includes(b))""", timeout=WAIT_MS)
        page.keyboard.up(" ")
        page.wait_for_function("() => window.pygotchiDebug.pressed.length === 0",
                               timeout=WAIT_MS)
    finally:
        context.close()


def test_installable_as_a_pwa(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(server_url + "/")
        manifest = page.request.get(f"{server_url}/manifest.webmanifest")
        assert manifest.ok
        data = manifest.json()
        assert data["display"] == "standalone"
        assert data["name"] and data["theme_color"] and data["start_url"]
        sizes = {icon["sizes"] for icon in data["icons"] if icon["type"] == "image/png"}
        assert {"192x192", "512x512"} <= sizes
        for icon in data["icons"]:
            res = page.request.get(server_url + icon["src"])
            assert res.ok, icon["src"]
            assert res.headers["content-type"].startswith(icon["type"])
        active = page.evaluate("""() => navigator.serviceWorker.ready
            .then((reg) => reg.active && reg.active.scriptURL)""")
        assert active == f"{server_url}/sw.js"
    finally:
        context.close()


def test_autopilot_is_switched_from_the_pet_menu(phone: Page, server_url: str) -> None:
    page = phone
    if "#/pets/" not in page.url:
        open_first_pet(page, server_url)
    page.get_by_role("button", name="Pet menu").click()
    sheet = page.get_by_role("dialog")
    mode = sheet.get_by_label("Autopilot", exact=True)
    expect(mode).to_have_value("off")
    expect(sheet.get_by_label("Minutes a call may wait")).to_be_hidden()
    mode.select_option("unanswered")
    minutes = sheet.get_by_label("Minutes a call may wait")
    expect(minutes).to_be_visible()
    expect(sheet.get_by_test_id("autopilot-status")).to_have_text(
        "The autopilot is watching for calls.")
    minutes.fill("0")
    minutes.dispatch_event("change")
    expect(page.locator(".toast").last).to_contain_text("1 to 1440")
    minutes.fill("20")
    minutes.dispatch_event("change")
    pet_id = page.url.rsplit("/", 1)[-1]
    page.wait_for_function(
        f"""async () => {{
            const r = await fetch('/api/pets/{pet_id}');
            const a = (await r.json()).autopilot;
            return a.mode === 'unanswered' && a.minutes === 20;
        }}""", timeout=WAIT_MS)
    mode.select_option("off")
    expect(sheet.get_by_test_id("autopilot-status")).to_have_text("The autopilot is off.")
    sheet.get_by_role("button", name="Close").click()
