// What the pet view offers to press: the toy's buttons on the shell, A+C and Tap
// below it, the keyboard shortcuts (and their keycap hint on desktops). Presses
// go to `send(name, down)` / `tap()`; the pet view decides how they reach the pet.

import { h } from "../../dom.js";
import { ButtonPad } from "../../pad.js";

// What the three buttons do on the first toys; screen readers read these.
export const ABC_HINTS = { A: "select", B: "confirm", C: "cancel" };
const KEY_HINT = { A: "1 or A", B: "2 or S", C: "3 or D" };

export function buttonLabel(name) {
  return name.charAt(0) + name.slice(1).toLowerCase();
}

/** The buttons of a pet whose toy has `buttons` (names from the API). */
export function petControls(buttons, { send, tap }) {
  const hasTap = buttons.includes("TAP");
  const pressButtons = buttons.filter((b) => b !== "TAP");
  const isAbc = pressButtons.length === 3 && ["A", "B", "C"].every((b) => pressButtons.includes(b));
  const hasAc = buttons.includes("A") && buttons.includes("C");
  const label = buttonLabel;

  const pad = new ButtonPad(send);
  const buttonEls = pressButtons.map((name) => pad.bind(h("button", {
    type: "button", class: isAbc ? `toy-btn toy-btn-${name.toLowerCase()}` : "toy-btn toy-btn-pill",
    "data-button": name,
    "aria-label": isAbc ? `${name} button (${ABC_HINTS[name]})` : `${label(name)} button`,
    title: isAbc ? `${name}: ${ABC_HINTS[name]} (key ${KEY_HINT[name]})` : label(name),
  }, isAbc ? h("span", { class: "toy-btn-letter", "aria-hidden": "true" }, name) : label(name),
  isAbc ? h("span", { class: "toy-btn-label", "aria-hidden": "true" }, ABC_HINTS[name]) : null),
  [name]));
  const group = h("div", { class: isAbc ? "toy-buttons abc" : "toy-buttons grid", role: "group",
    "aria-label": "Toy buttons" }, buttonEls);

  const extra = [];
  if (hasAc) {
    extra.push(pad.bind(h("button", { type: "button", class: "btn btn-soft hold-btn",
      "data-button": "A+C", "aria-label": "A and C together", title: "A+C (key Space)" },
    "A+C"), ["A", "C"]));
  }
  if (hasTap) {
    extra.push(h("button", { type: "button", class: "btn btn-soft", "data-button": "TAP",
      title: "Tap the screen (key T)", onclick: () => { if (pad.enabled) tap(); } }, "Tap"));
  }
  const extraRow = extra.length ? h("div", { class: "extra-row" }, extra) : null;

  // Desktop only (CSS shows it for fine pointers): the shortcuts as keycaps.
  const kbd = (...keys) => keys.map((k, i) => [i ? " " : "", h("kbd", {}, k)]);
  const hints = isAbc
    ? [["A", kbd("1", "A")], ["B", kbd("2", "S")], ["C", kbd("3", "D")], ["A+C", kbd("Space")]]
    : pressButtons.slice(0, 9).map((b, i) => [label(b), kbd(String(i + 1))]);
  if (!isAbc && hasAc) hints.push(["A+C", kbd("Space")]);
  if (hasTap) hints.push(["Tap", kbd("T")]);
  const keyHint = h("div", { class: "key-hint" },
    h("h2", { class: "small-title" }, "Keyboard"),
    h("dl", { class: "keys" }, hints.map(([what, keys]) =>
      h("div", {}, h("dt", {}, what), h("dd", {}, keys)))),
    h("p", { class: "muted small" }, "Hold a key as long as you would hold the button."));

  const keys = {};
  if (isAbc) {
    Object.assign(keys, { 1: ["A"], a: ["A"], 2: ["B"], s: ["B"], 3: ["C"], d: ["C"] });
  } else {
    pressButtons.slice(0, 9).forEach((b, i) => { keys[String(i + 1)] = [b]; });
  }
  if (hasAc) keys[" "] = ["A", "C"];
  pad.setKeys(keys);
  const onTapKey = (e) => {
    if (!hasTap || e.repeat || e.key.toLowerCase() !== "t" || e.ctrlKey || e.metaKey) return;
    if (e.target.closest?.("input,select,textarea,dialog") || !pad.enabled) return;
    tap();
  };
  document.addEventListener("keydown", onTapKey);

  const all = [...buttonEls, ...extra];
  return {
    group, extraRow, keyHint, pad, hasTap, isAbc,
    /** Buttons that cannot reach the pet (paused, busy) look and act disabled. */
    setEnabled(on, why = "") {
      pad.enabled = on;
      if (!on) pad.releaseAll();
      for (const el of all) {
        el.classList.toggle("disabled", !on);
        el.setAttribute("aria-disabled", String(!on));
        if (why && !on) el.dataset.why = why;
        else delete el.dataset.why;
      }
    },
    destroy() {
      pad.destroy();
      document.removeEventListener("keydown", onTapKey);
    },
  };
}
