// The "which transceiver" card of the IR lab: the server's port or this device's
// Web Serial port, a Stop button, and a log of what went over the air. Views add
// their own action buttons and call `panel.run(mode, params, onEvent)`; it resolves
// to the session's result, or null when the session failed or was stopped (the
// panel then shows why).

import { h, toast } from "./dom.js";
import { irApi } from "./ir-api.js";
import { serialSupported } from "./ir-serial.js";
import {
  ServerRun, SerialRun, connectSerial, disconnectSerial, serialPort,
} from "./ir-transport.js";

const LOG_LIMIT = 60;
const KIND_LABEL = { sent: "sent", received: "heard", ignored: "skipped", waiting: "…" };

export function transportPanel({ title = "Transceiver" } = {}) {
  let current = null; // the running ServerRun/SerialRun
  const listeners = new Set();

  const portSelect = h("select", { "aria-label": "Server port", "data-testid": "ir-port" });
  const portNote = h("small", { class: "hint" });
  const serverChoice = h("input", { type: "radio", name: "ir-transport", value: "server",
    checked: true });
  const serialChoice = h("input", { type: "radio", name: "ir-transport", value: "serial",
    disabled: !serialSupported() });
  const connect = h("button", { type: "button", class: "btn btn-soft btn-small",
    onclick: toggleSerial }, "Connect");
  const serialNote = h("small", { class: "hint" });
  const stop = h("button", { type: "button", class: "btn btn-danger-soft btn-small", hidden: true,
    onclick: () => stopRun() }, "Stop");
  const status = h("p", { class: "ir-status muted small", role: "status",
    "data-testid": "ir-status" }, "Idle.");
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const log = h("ol", { class: "ir-log", "aria-label": "Transceiver log" });
  const actions = h("div", { class: "button-row" });

  const element = h("section", { class: "card ir-panel" },
    h("h2", {}, title),
    h("fieldset", { class: "ir-transport" },
      h("legend", { class: "sr-only" }, "Transceiver"),
      h("label", { class: "check" }, serverChoice, "Server port"),
      h("div", { class: "ir-transport-detail" }, portSelect, portNote),
      h("label", { class: "check" }, serialChoice, "This device (Web Serial)"),
      h("div", { class: "ir-transport-detail" }, connect, serialNote)),
    actions,
    h("div", { class: "ir-run-row" }, status, stop),
    error,
    log);

  function updateSerial() {
    const open = Boolean(serialPort());
    connect.textContent = open ? "Disconnect" : "Connect";
    connect.disabled = !serialSupported();
    serialNote.textContent = !serialSupported()
      ? "Needs a Chromium browser (Chrome, Edge) for Web Serial."
      : open ? "Connected to your transceiver." : "Plug the Pico or Flipper into this device.";
  }

  async function toggleSerial() {
    try {
      if (serialPort()) {
        await disconnectSerial();
      } else {
        await connectSerial();
        serialChoice.checked = true;
      }
    } catch (err) {
      if (err.name !== "NotFoundError") toast(err.message || String(err), "error", 6000);
    }
    updateSerial();
  }

  async function loadPorts() {
    try {
      const info = await irApi.ports();
      const usable = info.ports.filter((p) => p.usable);
      const label = (p) => (p.guess === "fake" ? "fake (simulated toys, no hardware)"
        : p.guess === "unknown" ? p.device : `${p.device} (${p.guess})`);
      portSelect.replaceChildren(...usable.map((p) => h("option", { value: p.device }, label(p))));
      portSelect.disabled = !usable.length;
      portNote.textContent = !usable.length
        ? "No transceiver on the server's USB ports."
        : info.busy ? `Busy: a ${info.busy.mode} session ${info.busy.yours ? "of yours" : "of another user"} is running.`
          : "";
    } catch (err) {
      portNote.textContent = err.message;
    }
  }

  function addLog(event) {
    const frame = event.frame;
    const item = h("li", { class: `ir-log-item ir-log-${event.kind}` },
      h("span", { class: "ir-log-kind" }, KIND_LABEL[event.kind] || event.kind),
      h("span", { class: "ir-log-text" }, event.text,
        frame?.summary && !event.text.includes(frame.summary)
          ? h("span", { class: "muted small ir-log-frame" }, frame.summary) : null));
    // Keep the log short: a waiting loop says "waiting" once a second.
    const last = log.lastElementChild;
    if (event.kind === "waiting" && last?.classList.contains("ir-log-waiting")) last.remove();
    log.append(item);
    while (log.children.length > LOG_LIMIT) log.firstElementChild.remove();
  }

  function setBusy(busy) {
    stop.hidden = !busy;
    for (const l of listeners) l(busy);
  }

  async function run(mode, params = {}, onEvent = () => {}) {
    if (current) {
      toast("A session is already running: stop it first.", "error");
      return null;
    }
    error.hidden = true;
    const useSerial = serialChoice.checked;
    if (useSerial && !serialPort()) {
      error.hidden = false;
      error.textContent = "Connect your transceiver first (Connect, then choose its port).";
      return null;
    }
    if (!useSerial && !portSelect.value) {
      error.hidden = false;
      error.textContent = "The server has no transceiver to use.";
      return null;
    }
    current = useSerial ? new SerialRun(serialPort()) : new ServerRun(portSelect.value);
    log.replaceChildren();
    status.textContent = `Running: ${mode}…`;
    setBusy(true);
    try {
      const result = await current.run(mode, params, (event) => {
        addLog(event);
        onEvent(event);
      });
      status.textContent = `Done: ${mode}.`;
      return result;
    } catch (err) {
      status.textContent = `Stopped: ${mode}.`;
      error.hidden = false;
      error.textContent = err.message || String(err);
      return null;
    } finally {
      current = null;
      setBusy(false);
      if (!useSerial) loadPorts();
    }
  }

  async function stopRun() {
    try {
      await current?.cancel();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  updateSerial();
  loadPorts();
  return {
    element,
    actions,
    run,
    get running() { return Boolean(current); },
    onBusy: (fn) => listeners.add(fn),
    /** Leaving the view: stop what runs (a server session would hold the port). */
    cleanup: () => { stopRun(); },
  };
}
