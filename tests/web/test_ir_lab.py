"""The IR lab in real Chromium on a 360x740 phone, against the real server.

One story, in order, on one page (as a person would): build a visit from scratch,
flip a bit and watch the checksum go wrong, fix it, change a field with its
selector, save, find it in the list, export it as .tgir and import that file back.
Then Web Serial: a fake ``navigator.serial`` (injected before the app loads)
behaves like a Pico running the Tamagometer firmware (SPEC.md §3), and the
browser-side protocol module (js/ir-serial.js) must hear a frame through it and
transmit one.

The shared server of tests/web has no transceiver; the last test starts its own
server with PYGOTCHI_IR_FAKE=1 (the port "fake": a simulated Pico with toys in
front of it) and records and replays a conversation through the server's port.
Waits are time-outs for something to happen, never timed assertions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.support import SERVER_LOGS, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.web.conftest import _free_port, _healthy  # noqa: E402
from tests.web.test_browser import PHONE, WAIT_MS, no_horizontal_scroll, sign_in  # noqa: E402
from tests.web.test_pet_view import shot  # noqa: E402

# SPEC.md §2.5 message 1: ALICE (Pipotchi) starts a visit.
ALICE_HEX = "0E 00 DE 5A 28 00 0B 08 02 04 02 00 23 00 06 00 00 00 0A BC"
ALICE_BITS = "".join(f"{int(b, 16):08b}" for b in ALICE_HEX.split())

# A Pico on a serial port, as navigator.serial hands it out (SPEC.md §3): it echoes
# each command line, answers "tamagometer listen" with one report (a queued frame,
# or a time-out) cut into two chunks, records "tamagometer send<bits>" and says
# "Error" to a malformed send. Everything the page wrote is in window.__pico.
FAKE_PICO = """
(() => {
  const pico = { written: [], sent: [], queue: [], opened: null, closed: false };
  window.__pico = pico;
  const encoder = new TextEncoder(), decoder = new TextDecoder();
  let out;
  const readable = new ReadableStream({ start(controller) { out = controller; } });
  const say = (text) => out.enqueue(encoder.encode(text));
  let line = "";
  const handle = (command) => {
    pico.written.push(command);
    say(command + "\\r\\n");
    if (command === "tamagometer listen") {
      setTimeout(() => {
        const bits = pico.queue.shift();
        const report = bits ? `[PICO]${bits}[END]\\r\\n` : "[PICO]timed out[END]\\r\\n";
        say(report.slice(0, 20));
        setTimeout(() => say(report.slice(20)), 5);
      }, 50);
    } else if (command.startsWith("tamagometer send")) {
      const bits = command.slice("tamagometer send".length);
      if (/^[01]{160}$/.test(bits)) pico.sent.push(bits); else say("Error\\r\\n");
    }
  };
  const writable = new WritableStream({
    write(chunk) {
      line += decoder.decode(chunk);
      let end;
      while ((end = line.indexOf("\\r\\n")) >= 0) {
        handle(line.slice(0, end));
        line = line.slice(end + 2);
      }
    },
  });
  const port = {
    readable, writable,
    async open(options) { pico.opened = options; },
    async close() { pico.closed = true; },
    getInfo() { return { usbVendorId: 0x2e8a, usbProductId: 0x0005 }; },
  };
  Object.defineProperty(navigator, "serial", {
    configurable: true,
    value: { requestPort: async () => port, getPorts: async () => [port] },
  });
})();
"""


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, accept_downloads=True)
    context.add_init_script(FAKE_PICO)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_lab(page: Page, base: str) -> None:
    sign_in(page, base)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="IR lab").click()
    expect(page.get_by_role("heading", name="IR lab")).to_be_visible()


def test_build_edit_save_export_and_import_again(phone: Page, server_url: str,
                                                 tmp_path) -> None:
    page = phone
    open_lab(page, server_url)
    no_horizontal_scroll(page)

    # Build a visit from scratch: four messages.
    page.get_by_role("link", name="Build").click()
    page.get_by_label("Name").first.fill("PIA")
    page.get_by_label("What the visitor does").select_option(label="Ball")
    page.get_by_role("button", name="Build").click()
    for n in (1, 2, 3, 4):
        expect(page.get_by_test_id(f"ir-message-{n}")).to_be_visible()
    expect(page.get_by_test_id("ir-issues")).to_contain_text("consistent")
    no_horizontal_scroll(page)

    # Flip one bit of message 1: the checksum no longer adds up, until fixed.
    first = page.get_by_test_id("ir-message-1")
    checksum = page.get_by_test_id("checksum-1")
    expect(checksum).to_contain_text("checksum ok")
    hex_before = page.get_by_test_id("hex-1").inner_text()
    bits = first.locator(".ir-bits-box")
    expect(bits).not_to_have_attribute("open", "")  # folded until asked for
    bits.locator("summary").click()
    bit = first.locator('.ir-bit[data-bit="39"]')
    was = bit.inner_text()
    bit.click()
    expect(first.locator('.ir-bit[data-bit="39"]')).to_have_text("1" if was == "0" else "0")
    expect(checksum).to_contain_text("checksum wrong")
    expect(page.get_by_test_id("ir-issues")).to_contain_text("bad checksum")
    first.get_by_role("button", name="Fix checksum").click()
    expect(checksum).to_contain_text("checksum ok")
    expect(page.get_by_test_id("hex-1")).not_to_have_text(hex_before)

    # A field's selector rewrites its bits (and the checksum stays right).
    hex_now = page.get_by_test_id("hex-1").inner_text()
    first.get_by_label("character", exact=True).select_option(label="Pipotchi (40)")
    expect(page.get_by_test_id("hex-1")).not_to_have_text(hex_now)
    expect(page.get_by_test_id("hex-1")).to_contain_text("28")  # Pipotchi is 0x28
    expect(checksum).to_contain_text("checksum ok")
    expect(page.get_by_test_id("ir-issues")).to_contain_text("character or name differs")

    # Save, and find it in the list.
    page.get_by_label("Name", exact=True).first.fill("Pia's ball visit")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/ir/items/\d+$"))
    expect(page.get_by_role("heading", name="Pia's ball visit")).to_be_visible()
    page.get_by_role("link", name="Saved").click()
    saved = page.get_by_role("list", name="Saved IR items")
    expect(saved).to_contain_text("Pia's ball visit")

    # Export as .tgir: a download holding the four messages.
    with page.expect_download() as download:
        saved.get_by_role("link", name="Export Pia's ball visit as .tgir").click()
    path = download.value.path()
    exported = json.loads(path.read_text())
    assert [e["name"] for e in exported] == ["Pia's ball visit"]
    assert all(len(exported[0][f"message{n}"]) == 160 for n in (1, 2, 3, 4))

    # Import that file again: a second item of the same name.
    copy = tmp_path / "again.tgir"
    copy.write_text(path.read_text())
    page.get_by_test_id("ir-import-file").set_input_files(str(copy))
    page.get_by_role("button", name="Import").click()
    expect(saved.locator(".ir-item-name", has_text="Pia's ball visit")).to_have_count(2)
    no_horizontal_scroll(page)

    # Rename the copy, then delete it (both ask first).
    copy_row = saved.locator(".ir-item").first
    copy_row.get_by_role("button", name="Rename Pia's ball visit").click()
    dialog = page.locator("dialog")
    dialog.get_by_label("Name").fill("The copy")
    dialog.get_by_role("button", name="Rename").click()
    expect(saved).to_contain_text("The copy")
    saved.get_by_role("button", name="Delete The copy").click()
    page.locator("dialog").get_by_role("button", name="Delete").click()
    expect(saved).not_to_contain_text("The copy")
    expect(saved.locator(".ir-item-name", has_text="Pia's ball visit")).to_have_count(1)

    # A bad paste is refused with the server's sentence.
    page.get_by_label("Pasted text").fill("0E 00 DE")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("ir-import-error")).to_contain_text("wrong length")


def test_web_serial_hears_and_sends_a_frame(phone: Page, server_url: str) -> None:
    page = phone
    open_lab(page, server_url)
    page.evaluate(f"window.__pico.queue.push('{ALICE_BITS}')")

    # Record through this device: connect (the fake port), listen, hear ALICE.
    page.get_by_role("link", name="Record").click()
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()
    expect(page.get_by_label("This device (Web Serial)")).to_be_checked()
    assert page.evaluate("window.__pico.opened.baudRate") == 460800
    page.get_by_role("button", name="Listen").click()
    heard = page.get_by_test_id("ir-heard")
    expect(heard).to_contain_text('"ALICE"')
    expect(heard).to_contain_text("checksum ok")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_test_id("ir-status")).to_contain_text("Done")
    assert "tamagometer listen" in page.evaluate("window.__pico.written")

    # Open what was heard in the editor and send it back out through the same port.
    page.get_by_role("button", name="Open in editor").click()
    expect(page.get_by_test_id("ir-message-1")).to_contain_text("ALICE")
    page.get_by_label("This device (Web Serial)").check()
    page.get_by_role("button", name="Send frames").click()
    expect(page.get_by_test_id("ir-status")).to_contain_text("Done: send")
    assert page.evaluate("window.__pico.sent") == [ALICE_BITS]
    assert f"tamagometer send{ALICE_BITS}" in page.evaluate("window.__pico.written")
    no_horizontal_scroll(page)


@pytest.fixture(scope="module")
def fake_ir_server(tmp_path_factory) -> Iterator[str]:
    """A server of its own whose IR lab offers the fake transceiver."""
    data = tmp_path_factory.mktemp("ir-fake-server")
    log_path = data.parent / "ir-fake-server.log"
    url = f"http://127.0.0.1:{_free_port()}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pygotchi", "--host", "127.0.0.1",
                                 "--port", url.rsplit(":", 1)[1], "--data-dir", str(data)],
                                env={**os.environ, "PYGOTCHI_IR_FAKE": "1"},
                                stdout=log, stderr=subprocess.STDOUT, cwd=str(data.parent))
    SERVER_LOGS[url] = log_path  # for its setup code
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the IR fake server did not start:\n"
                            f"{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_the_editor_never_loses_an_edit(browser: Any, fake_ir_server: str) -> None:
    """Issue 11: what a toy sends is kept apart from the person's frames, leaving
    with unsaved changes asks first, the session buttons say what they do, the
    bit grid is folded, decoded bits are not called unknown, and the smaller
    defects (export with nothing saved, an unknown item's address, the name hint)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_lab(page, fake_ir_server)
        # Nothing saved on this server yet: nothing to export.
        expect(page.get_by_test_id("ir-empty")).to_be_visible()
        expect(page.get_by_role("link", name="Export all as .tgir")).to_be_hidden()
        # An item that does not exist (or is someone else's): a not-found page.
        page.goto(f"{fake_ir_server}/#/ir/items/987654")
        expect(page.get_by_test_id("ir-not-found")).to_be_visible()
        expect(page.get_by_role("heading", name="Something went wrong")).to_have_count(0)

        # Build: the hint lists the letters the server takes; small letters are fine.
        page.goto(f"{fake_ir_server}/#/ir/build")
        name = page.get_by_label("Name").first
        hint = page.locator(".field", has=name).locator(".hint").first
        expect(hint).to_contain_text("\u25a1")  # the square, readable
        expect(hint).not_to_contain_text("\u26f6")
        name.fill("zo\u00e9")
        page.get_by_role("button", name="Build").click()
        error = page.get_by_role("alert").filter(has_text="alphabet")
        expect(error).to_be_visible()
        for glyph in ("\u25a1", "\u2665", "\u25cb"):
            expect(error).to_contain_text(glyph)
        name.fill("pia")
        page.get_by_role("button", name="Build").click()
        expect(page.get_by_test_id("ir-message-1")).to_contain_text('"PIA')
        page.get_by_label("Name", exact=True).first.fill("Kept")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page).to_have_url(re.compile(r"#/ir/items/\d+$"))
        expect(page.get_by_role("link", name="Export .tgir")).to_be_visible()

        # Fields lead; the 160-bit grid is folded; the page is short on a phone.
        first = page.get_by_test_id("ir-message-1")
        expect(first.locator(".ir-bits-box")).not_to_have_attribute("open", "")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 6000, f"the editor is {height} px tall on a phone"
        unknown = first.get_by_test_id("ir-unknown")
        expect(unknown).to_contain_text("b10 & FC")  # gender and flag are decoded
        expect(unknown).not_to_contain_text("b10 =")

        # The session buttons say what they do, in plain sight.
        for label in ("Start interaction", "Wait for interaction", "Send messages"):
            action = page.locator(".ir-action", has=page.get_by_role("button", name=label))
            expect(action.locator(".ir-action-hint")).to_be_visible()

        # What the toy answers waits apart; the person's frames stay as saved.
        saved2 = page.get_by_test_id("hex-2").text_content()
        page.get_by_test_id("ir-port").select_option("fake")
        page.get_by_role("button", name="Start interaction").click()
        expect(page.get_by_test_id("ir-status")).to_contain_text("Done: initiate")
        received = page.get_by_test_id("ir-received")
        expect(received).to_contain_text("Message 2")
        shot(page, "ir-editor-received")
        expect(page.get_by_test_id("hex-2")).to_have_text(saved2)
        expect(page.locator(".chip", has_text="unsaved changes")).to_be_hidden()
        received.get_by_role("button", name=re.compile("Use messages 2 and 4")).click()
        expect(page.locator(".chip", has_text="unsaved changes")).to_be_visible()
        expect(page.get_by_test_id("hex-2")).not_to_have_text(saved2)

        # Leaving with unsaved changes asks; staying keeps them.
        page.get_by_role("link", name="Saved").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Leave without saving?")
        dialog.get_by_role("button", name="Cancel").click()
        expect(page).to_have_url(re.compile(r"#/ir/items/\d+$"))
        expect(page.locator(".chip", has_text="unsaved changes")).to_be_visible()
        page.get_by_role("link", name="Saved").click()
        page.get_by_role("dialog").get_by_role("button", name="Leave").click()
        expect(page.get_by_role("heading", name="IR lab")).to_be_visible()
        no_horizontal_scroll(page)
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_record_and_replay_through_the_servers_port(browser: Any, fake_ir_server: str) -> None:
    # Its own context: cookies are per host, not per port, and this is another server.
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_lab(page, fake_ir_server)
        page.get_by_role("link", name="Record").click()
        page.get_by_test_id("ir-port").select_option("fake")
        page.get_by_role("button", name="Listen").click()
        heard = page.get_by_test_id("ir-heard")
        expect(heard).to_contain_text("visit reply")  # ALICE visited BOB: message 4 came
        expect(heard.locator("li").first).to_contain_text('"ALICE"')
        page.get_by_role("button", name="Stop").click()
        expect(page.get_by_test_id("ir-status")).to_contain_text("Done: snoop")

        page.get_by_role("button", name="Save", exact=True).click()
        expect(page).to_have_url(re.compile(r"#/ir/items/\d+$"))
        expect(page.get_by_test_id("ir-issues")).to_contain_text("consistent")
        for n in (1, 2, 3, 4):
            expect(page.get_by_test_id(f"checksum-{n}")).to_contain_text("checksum ok")

        # Replay our side (messages 1 and 3) to the fake port's waiting toy.
        page.get_by_test_id("ir-port").select_option("fake")
        page.get_by_role("button", name="Start interaction").click()
        expect(page.get_by_test_id("ir-status")).to_contain_text("Done: initiate")
        expect(page.locator(".ir-log")).to_contain_text("received message 4")
        no_horizontal_scroll(page)
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
