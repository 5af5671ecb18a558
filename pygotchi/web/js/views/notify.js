// The Account page's notification cards: this device (Web Push), the user's
// other devices, quiet hours and Apprise channels (ntfy, Gotify, Telegram...).

import { request } from "../api.js";
import { busy, confirmDialog, field, formatDate, h, showError, toast } from "../dom.js";

function b64ToBytes(b64) {
  const pad = "=".repeat((4 - (b64.length % 4)) % 4);
  const raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Subscribe this browser and register it with the server; returns the device. */
export async function enablePush() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    throw new Error("This browser cannot receive notifications (or the page is not on HTTPS).");
  }
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications are blocked for this site.");
  const reg = await navigator.serviceWorker.ready;
  const { public_key: key } = await request("GET", "/api/push/key");
  let sub = await reg.pushManager.getSubscription();
  if (!sub) {
    sub = await reg.pushManager.subscribe({ userVisibleOnly: true,
      applicationServerKey: b64ToBytes(key) });
  }
  const device = (navigator.userAgentData?.platform || navigator.platform || "browser");
  return request("POST", "/api/push/subscriptions",
    { json: { ...sub.toJSON(), device: `${device} browser`.slice(0, 100) } });
}

export async function notificationCards() {
  return [await devicesCard(), await quietCard(), await channelsCard()];
}

async function devicesCard() {
  const list = h("ul", { class: "list", "aria-label": "Devices" });
  const err = h("p", { class: "error", role: "alert", hidden: true });
  async function refresh() {
    const devices = await request("GET", "/api/push/subscriptions");
    list.replaceChildren(...(devices.length ? devices.map((d) => h("li", { class: "list-item" },
      h("div", { class: "list-main" }, h("strong", {}, d.device || "a browser"),
        h("div", { class: "muted small" }, `via ${d.service} · added ${formatDate(d.created_at)}`
          + (d.last_error ? ` · last error: ${d.last_error}` : ""))),
      h("button", { type: "button", class: "btn btn-small", onclick: async () => {
        await request("POST", `/api/push/subscriptions/${d.id}/test`);
        toast("Test notification sent");
      } }, "Test"),
      h("button", { type: "button", class: "btn btn-danger-soft btn-small",
        "aria-label": `Remove ${d.device}`, onclick: async () => {
          await request("DELETE", `/api/push/subscriptions/${d.id}`);
          refresh();
        } }, "Remove")))
      : [h("li", { class: "list-item muted" }, "No device gets notifications yet.")]));
  }
  const enable = h("button", { type: "button", class: "btn btn-primary", onclick: async () => {
    err.hidden = true;
    try {
      await enablePush();
      toast("This device will be told when a pet calls");
      refresh();
    } catch (e) {
      showError(err, e);
    }
  } }, "Notify this device");
  await refresh();
  return h("section", { class: "card" }, h("h2", {}, "Notifications"),
    h("p", { class: "muted" }, "Get a notification when one of your pets calls for you, "
      + "even with this page closed."), enable, err, list);
}

async function quietCard() {
  const q = await request("GET", "/api/push/settings");
  const from = h("input", { type: "time", value: q.quiet_from || "", name: "quiet_from" });
  const to = h("input", { type: "time", value: q.quiet_to || "", name: "quiet_to" });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const err = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "form" }, field("Quiet from", from), field("Until", to),
    h("p", { class: "muted small" }, `In your time zone (${zone}). Leave empty for none.`),
    err, h("button", { class: "btn", type: "submit" }, "Save quiet hours"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    busy(form, async () => {
      err.hidden = true;
      try {
        await request("PUT", "/api/push/settings", { json: {
          quiet_from: from.value || null, quiet_to: to.value || null, time_zone: zone } });
        toast("Quiet hours saved");
      } catch (e) { showError(err, e); }
    });
  });
  return h("section", { class: "card" }, h("h2", {}, "Quiet hours"), form);
}

async function channelsCard() {
  const list = h("ul", { class: "list", "aria-label": "Other channels" });
  const url = h("input", { type: "text", name: "url", placeholder: "ntfy://ntfy.sh/your-topic",
    autocomplete: "off", spellcheck: false });
  const err = h("p", { class: "error", role: "alert", hidden: true });
  async function refresh() {
    const channels = await request("GET", "/api/push/channels");
    list.replaceChildren(...channels.map((c) => h("li", { class: "list-item" },
      h("div", { class: "list-main" }, h("strong", {}, c.label),
        h("div", { class: "muted small" }, c.url + (c.last_error ? ` · ${c.last_error}` : ""))),
      h("button", { type: "button", class: "btn btn-small", onclick: async () => {
        try {
          await request("POST", `/api/push/channels/${c.id}/test`);
          toast("Test message sent");
        } catch (e) { toast(e.message, "error"); }
      } }, "Send a test"),
      h("button", { type: "button", class: "btn btn-danger-soft btn-small", onclick: async () => {
        if (!await confirmDialog({ title: "Remove this channel?", body: c.url,
          confirmLabel: "Remove", danger: true })) return;
        await request("DELETE", `/api/push/channels/${c.id}`);
        refresh();
      } }, "Remove"))));
  }
  const form = h("form", { class: "form" }, field("Apprise URL", url,
    "ntfy://, gotify://, tgram://, matrix://, mailto:// ... (see the Apprise docs)"), err,
    h("button", { class: "btn", type: "submit" }, "Add channel"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    busy(form, async () => {
      err.hidden = true;
      try {
        await request("POST", "/api/push/channels", { json: { url: url.value } });
        url.value = "";
        refresh();
      } catch (e) { showError(err, e); }
    });
  });
  await refresh();
  return h("section", { class: "card" }, h("h2", {}, "Other channels"),
    h("p", { class: "muted" }, "Calls can also go to ntfy, Gotify, Telegram, Matrix, email..."),
    list, form);
}
