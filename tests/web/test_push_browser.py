"""Notifications in Chromium: permission, subscription, a push shown, its click opening the pet.

What headless Chromium can and cannot do here, said plainly:
* ``pushManager.subscribe`` needs Google's push service (FCM), which this
  offline machine cannot reach: the "Notify this device" button is pressed and
  the test accepts either a registered device or the error it shows.
* The push itself is handed to the app's service worker through the DevTools
  protocol (``ServiceWorker.deliverPushMessage``), as a push service would
  after decrypting; the worker must show "<pet> is calling"
  (``registration.getNotifications()``).
* A system notification cannot be clicked from a test: the worker's own
  ``notificationclick`` handler is run by dispatching a ``NotificationEvent``
  for the notification it showed, inside the worker; the open page must then
  be on the pet's page.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.web.support import require_browser

require_browser()

from playwright.sync_api import expect  # noqa: E402

from tests.web.test_browser import PHONE, WAIT_MS, sign_in  # noqa: E402


def test_a_push_is_shown_and_its_click_opens_the_pet(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport=PHONE, permissions=["notifications"])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, server_url)
        page.get_by_label("Name").fill("Caller")
        page.get_by_role("button", name="Hatch").click()
        expect(page).to_have_url(re.compile(r"#/pets/[^/]+$"))
        pet_id = page.url.rsplit("/", 1)[1]
        expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
        assert page.evaluate("Notification.permission") == "granted"

        # The account page: subscribe this device (see the module docstring).
        page.goto(f"{server_url}/#/account")
        page.get_by_role("button", name="Notify this device").click()
        devices = page.get_by_role("list", name="Devices")
        expect(devices.locator("li").first).not_to_have_text("", timeout=WAIT_MS)
        page.wait_for_timeout(1500)  # subscribe() has failed or succeeded by then, here
        alert = page.get_by_role("alert").filter(has_text=re.compile(".+"))
        print("subscribe:", alert.first.inner_text() if alert.count() else
              devices.inner_text())

        # The service worker, as a push service would reach it.
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        cdp = context.new_cdp_session(page)
        registrations: list[dict] = []
        cdp.on("ServiceWorker.workerRegistrationUpdated",
               lambda e: registrations.extend(e["registrations"]))
        cdp.send("ServiceWorker.enable")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(200)  # the registration event arrives
        (reg,) = [r for r in registrations if not r.get("isDeleted")][:1]
        message = {"kind": "call", "pet": pet_id, "title": "Caller is calling",
                   "body": "Its attention icon is on: have a look.",
                   "url": f"/#/pets/{pet_id}", "tag": f"pygotchi-{pet_id}-1"}
        page.goto(f"{server_url}/#/pets")  # somewhere else: the click must bring us back
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": server_url + "/", "registrationId": reg["registrationId"],
            "data": json.dumps(message)})
        shown = None
        for _ in range(100):  # until the worker has shown it
            shown = page.evaluate("""() => navigator.serviceWorker.ready
                .then((r) => r.getNotifications())
                .then((list) => list.map((n) => ({title: n.title, body: n.body, tag: n.tag,
                                                  url: n.data && n.data.url})))""")
            if shown:
                break
            page.wait_for_timeout(100)
        assert shown == [{"title": "Caller is calling", "body": message["body"],
                          "tag": message["tag"], "url": message["url"]}]

        (worker,) = context.service_workers
        worker.evaluate("""() => self.registration.getNotifications().then((list) => {
            self.dispatchEvent(new NotificationEvent("notificationclick",
                                                     {notification: list[0]}));
        })""")
        expect(page).to_have_url(re.compile(rf"#/pets/{re.escape(pet_id)}$"))
        expect(page.get_by_role("heading", name="Caller")).to_be_visible()
        assert page.evaluate("""navigator.serviceWorker.ready
            .then((r) => r.getNotifications()).then((l) => l.length)""") == 0
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"

