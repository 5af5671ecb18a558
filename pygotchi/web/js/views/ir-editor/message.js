// One message (or frame) of the IR editor as the person sees it: its heading and
// checksum badge, the known fields with their selectors, the bits nobody
// understands yet, the hex line, the (folded) bit grid, and the "paste hex or
// bits" form.
//
// Pure rendering: every change is handed to the editor through `on` callbacks
// ({edit(n, body), replace(n, text), remove(n)}); the editor sends it to the
// server and renders the card again from the decoded answer.

import { field, h } from "../../dom.js";
import { ROLE_TITLES } from "../../ir-api.js";

const SWATCHES = 8; // css classes f0..f7
export const hex2 = (n) => n.toString(16).toUpperCase().padStart(2, "0");

/** ["Message 2", "the answer"] for conversations, ["Frame 2", null] for lists. */
export function slotTitle(kind, n) {
  if (kind !== "conversation") return [`Frame ${n + 1}`, null];
  return [`Message ${n + 1}`, ROLE_TITLES[n + 1]];
}

/** Applicable known fields of `frame`, in catalogue order, and which one owns each bit. */
function fieldMap(catalogue, frame) {
  // Each bit belongs to the last field that covers it (the more specific reading
  // of a shared byte).
  const known = frame.format === "2024"
    ? catalogue.filter((f) => f.name in frame.fields) : [];
  const owner = new Array(frame.bits.length).fill(null);
  known.forEach((f, i) => {
    for (const b of f.bits) owner[b] = { field: f, swatch: i % SWATCHES };
  });
  return { known, owner };
}

/**
 * The card of slot `n`: `frame` (decoded by the server, or null when missing),
 * `original` the hex it had when last saved (to mark changes), `bitsOpen` whether the
 * bit grid is unfolded (kept across edits by the editor through `on.bitsToggled`).
 */
export function messageCard({ kind, catalogue, n, frame, original, bitsOpen = false, on }) {
  const [heading, role] = slotTitle(kind, n);
  const testid = `ir-message-${n + 1}`;
  const head = h("div", { class: "ir-msg-head" },
    h("h2", {}, heading, role ? h("small", { class: "muted" }, ` · ${role}`) : null));
  const error = h("p", { class: "form-error ir-slot-error", role: "alert", hidden: true });
  if (!frame) {
    return h("article", { class: "card ir-msg ir-msg-empty", "data-testid": testid },
      head, h("p", { class: "muted" }, "Missing. Paste it, or record it with a toy below."),
      rawForm(kind, n, "", on), error);
  }
  head.append(checksumBadge(n, frame, on));
  const { known, owner } = fieldMap(catalogue, frame);
  // Fields first (what a person edits), then the bytes; the 160-bit grid is folded
  // until asked for (it made a phone page 7,000 px tall).
  return h("article", { class: "card ir-msg", "data-testid": testid },
    head,
    h("p", { class: "ir-summary small" }, frame.summary),
    error,
    frame.format === "2024" ? fieldList(n, frame, known, on) : legacyFields(frame),
    unknownBits(frame),
    hexLine(n, frame, original),
    h("details", { class: "ir-bits-box", open: bitsOpen,
      ontoggle: (e) => on.bitsToggled?.(n, e.target.open) },
    h("summary", {}, `Bits (${frame.bits.length}): flip them one by one`),
    bitGrid(n, frame, owner, original, on)),
    h("div", { class: "button-row ir-msg-tools" },
      h("details", { class: "ir-raw" }, h("summary", {}, "Paste hex or bits"),
        rawForm(kind, n, frame.hex, on)),
      h("button", { type: "button", class: "btn btn-quiet btn-small",
        onclick: () => on.remove(n) }, "Remove")));
}

/** The card that adds a frame at the end of a list of frames. */
export function addFrameCard(n, on) {
  return h("article", { class: "card ir-msg ir-msg-empty" },
    h("h2", {}, "Add a frame"), rawForm("frames", n, "", on));
}

function checksumBadge(n, frame, on) {
  const ok = frame.checksum_ok;
  const badge = h("span", { class: `ir-sum ${ok ? "ok" : "bad"}`, role: "status",
    "data-testid": `checksum-${n + 1}` },
  ok ? `checksum ok (${hex2(frame.checksum)})`
    : `checksum wrong: ${hex2(frame.checksum)}, should be ${hex2(frame.expected_checksum)}`);
  const fix = ok ? null : h("button", { type: "button", class: "btn btn-soft btn-small",
    "data-key": `${n}:fix`, onclick: () => on.edit(n, { fix_checksum: true }) }, "Fix checksum");
  return h("span", { class: "ir-sum-box" }, badge, fix);
}

function hexLine(n, frame, original) {
  const before = original ? original.split(" ") : [];
  return h("p", { class: "ir-hex", "data-testid": `hex-${n + 1}`, "aria-label": "Bytes in hex" },
    frame.hex.split(" ").map((b, i) => h("span", {
      class: before.length && before[i] !== b ? "changed" : null }, b)));
}

function bitGrid(n, frame, owner, original, on) {
  const before = original ? bitsOfHex(original, frame) : null;
  const rows = [];
  for (let byte = 0; byte * 8 < frame.bits.length; byte++) {
    const cells = [];
    for (let k = 0; k < 8; k++) {
      const i = byte * 8 + k;
      const bit = frame.bits[i];
      const info = owner[i];
      const classes = ["ir-bit", info ? `f${info.swatch}` : "unknown"];
      if (before && before[i] !== bit) classes.push("changed");
      cells.push(h("button", { type: "button", class: classes.join(" "), "data-bit": i,
        "data-key": `${n}:bit${i}`, "aria-pressed": bit === "1" ? "true" : "false",
        "aria-label": `bit ${i}, byte ${byte}${info ? `, ${info.field.label}` : ""}`,
        title: info ? info.field.label : "no known field",
        onclick: () => on.edit(n, { flip: [i], fix_checksum: false }) }, bit));
    }
    const value = frame.hex.split(" ")[byte];
    rows.push(h("div", { class: "ir-byte", role: "group", "aria-label": `byte ${byte}` },
      h("span", { class: "ir-byte-label" }, `b${byte}`), cells,
      h("span", { class: "ir-byte-hex" }, value)));
  }
  return h("div", { class: "ir-bits" }, rows);
}

function fieldControl(n, f, value, on) {
  const key = `${n}:${f.name}`;
  const onchange = (e) => on.edit(n, { set: { [f.name]: controlValue(f, e.target) } });
  if (f.choices) {
    const options = f.choices.map((c) => h("option", { value: c.value,
      selected: c.value === value }, `${c.label} (${c.value})`));
    if (!f.choices.some((c) => c.value === value)) {
      options.unshift(h("option", { value, selected: true }, `unknown (${value})`));
    }
    return h("select", { "data-key": key, onchange }, options);
  }
  if (f.kind === "name" || f.kind === "notes") {
    const text = Array.isArray(value) ? value.join(",") : String(value);
    return h("input", { value: text, "data-key": key, autocomplete: "off",
      spellcheck: false, onchange });
  }
  return h("input", { type: "number", min: "0", max: String(f.max), value: String(value),
    inputmode: "numeric", "data-key": key, onchange });
}

function controlValue(f, el) {
  if (f.choices || (f.kind !== "name" && f.kind !== "notes")) return Number(el.value);
  return el.value;
}

function fieldList(n, frame, known, on) {
  const rows = known.filter((f) => f.name !== "checksum").map((f) => {
    const control = fieldControl(n, f, frame.fields[f.name], on);
    const where = f.bytes.length > 1 ? `b${f.bytes[0]}-b${f.bytes.at(-1)}`
      : f.mask === 255 ? `b${f.byte}` : `b${f.byte} & ${hex2(f.mask)}`;
    const label = h("span", {}, h("span", { class: `ir-swatch f${known.indexOf(f) % SWATCHES}`,
      "aria-hidden": "true" }), f.label);
    const hint = [where, f.name === "device_id" ? hex2(frame.fields.device_id >> 8) +
      hex2(frame.fields.device_id & 255) : null, f.source !== "TG" && f.source !== "confirmed"
      ? f.source : null].filter(Boolean).join(" · ");
    return field(label, control, hint);
  });
  return h("div", { class: "ir-fields" }, rows);
}

function legacyFields(frame) {
  return h("dl", { class: "facts ir-legacy" }, Object.entries(frame.fields).map(([k, v]) =>
    h("div", { class: "fact" }, h("dt", {}, k), h("dd", {}, String(v)))));
}

/** The bits no field explains: whole bytes, or the rest of a byte fields decode in part. */
function unknownBits(frame) {
  const bits = frame.fields.unknown_bits;
  if (!bits) return legacyUnknown(frame);
  const parts = Object.entries(bits).map(([b, { mask, value }]) => (mask === 255
    ? `${b} = ${hex2(value)}`
    : `${b} & ${hex2(mask)} = ${hex2(value)}`));
  if (!parts.length) return null;
  return h("p", { class: "small ir-unknown", "data-testid": "ir-unknown" },
    h("strong", {}, "Not decoded yet: "), parts.join(" · "),
    h("span", { class: "muted" }, " (bits no field above explains)"));
}

function legacyUnknown(frame) {
  const unknown = Object.entries(frame.fields.unknown || {});
  if (!unknown.length) return null;
  return h("p", { class: "small ir-unknown" }, h("strong", {}, "Unknown bytes: "),
    unknown.map(([b, v]) => `${b} = ${hex2(v)} (${v})`).join(" · "));
}

function rawForm(kind, n, value, on) {
  const input = h("input", { value, autocomplete: "off", spellcheck: false,
    "aria-label": `Hex or bits of ${slotTitle(kind, n)[0].toLowerCase()}`, class: "ir-raw-input" });
  const form = h("form", { class: "inline-form" }, input,
    h("button", { type: "submit", class: "btn btn-soft btn-small" }, "Use"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (input.value.trim()) on.replace(n, input.value.trim());
  });
  return form;
}

/** The bits of an earlier version of a frame, in the same bit order as `frame.bits`. */
function bitsOfHex(hex, frame) {
  const bytes = hex.split(" ").map((b) => parseInt(b, 16));
  const msbFirst = frame.format === "2024";
  return bytes.map((b) => {
    const s = b.toString(2).padStart(8, "0");
    return msbFirst ? s : [...s].reverse().join("");
  }).join("");
}
