// The IR editor: the four messages of a conversation (or a list of frames), each as
// a hex line, a grid of its 160 bits (click one to flip it), a live checksum
// indicator with "Fix checksum", and every known field with a selector of its named
// values. Bits are coloured by the field they belong to; bits of no known field
// stay plain, and the bytes nobody understands yet are listed raw.
//
// The server does the understanding: every change goes through POST /api/ir/edit
// (flips keep the checksum byte as it is, field changes recompute it, as
// Tamagometer does) and comes back as a fully decoded frame; the conversation's
// consistency warnings come from POST /api/ir/decode. An unsaved conversation
// (built, recorded, opened from a file) is a "draft" kept in sessionStorage, so a
// reload does not lose it.

import { busy, field, h, showError, svg, toast } from "../dom.js";
import { ICONS_UI } from "../ui-icons.js";
import { ROLE_TITLES, fieldCatalogue, irApi } from "../ir-api.js";
import { transportPanel } from "../ir-panel.js";
import { itemMeta, labHead } from "./ir.js";

const DRAFT_KEY = "pygotchi.ir.draft";
const SWATCHES = 8; // css classes f0..f7
const hex2 = (n) => n.toString(16).toUpperCase().padStart(2, "0");

/** Open frames that are not saved yet (built, recorded, imported) in the editor. */
export function openDraft(ctx, draft) {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  ctx.go("#/ir/edit");
}

function loadDraft() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
  } catch {
    return null;
  }
}

async function decodedDraft(draft) {
  if (draft.kind === "conversation") {
    const { conversations } = await irApi.decode({ messages: draft.frames });
    return { slots: conversations[0].frames, issues: conversations[0].issues };
  }
  const { frames } = await irApi.decode({ text: draft.frames.join("\n") });
  return { slots: frames.filter((f) => !f.error), issues: [] };
}

export async function irEditorView(root, ctx, itemId) {
  const catalogue = (await fieldCatalogue()).fields;
  let state;
  if (itemId) {
    const item = await irApi.item(itemId);
    state = { id: item.id, name: item.name, notes: item.notes, kind: item.kind,
      source: item.source, item, slots: item.frames, issues: item.conversation?.issues || [] };
  } else {
    const draft = loadDraft();
    if (!draft) {
      root.append(h("section", { class: "page ir-page" }, ...labHead("Editor", "edit"),
        h("div", { class: "card empty" },
          h("p", {}, h("strong", {}, "Nothing is open."), " ",
            h("a", { href: "#/ir/build" }, "Build a conversation"), ", ",
            h("a", { href: "#/ir/record" }, "record one"), " or open a ",
            h("a", { href: "#/ir" }, "saved one"), "."))));
      return null;
    }
    state = { id: null, name: draft.name || "", notes: draft.notes || "", kind: draft.kind,
      source: draft.source || "edited", item: null, ...(await decodedDraft(draft)) };
  }
  state.original = state.slots.map((f) => f?.hex || null);
  state.dirty = false;

  let queue = Promise.resolve(); // edits run one after the other, each on the latest bytes
  const cards = h("div", { class: "ir-messages" });
  const issuesBox = h("div", { class: "ir-issues", "aria-live": "polite",
    "data-testid": "ir-issues" });
  const unsaved = h("span", { class: "chip chip-paused", hidden: true }, "unsaved changes");

  // -- the item: name, notes, save, export -----------------------------------------------------

  const name = h("input", { value: state.name, maxlength: "100", required: true,
    autocomplete: "off" });
  const notes = h("textarea", { id: "ir-notes", rows: 2, class: "ir-textarea", maxlength: "2000" },
    state.notes);
  const saveError = h("p", { class: "form-error", role: "alert", hidden: true });
  const saveButton = h("button", { type: "submit", class: "btn btn-primary" }, "Save");
  const saveNew = h("button", { type: "button", class: "btn btn-soft", hidden: !state.id,
    onclick: () => save(true) }, "Save as new");
  const exports = h("div", { class: "button-row" });
  const meta = h("span", {});
  const form = h("form", { class: "stack" },
    h("div", { class: "ir-save-row" }, field("Name", name), saveButton, saveNew),
    h("details", { class: "ir-notes", open: Boolean(state.notes) },
      h("summary", {}, "Notes"), h("label", { class: "sr-only", for: "ir-notes" }, "Notes"),
      notes),
    saveError, h("p", { class: "muted small" }, unsaved, " ", meta), exports);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save(false);
  });
  for (const input of [name, notes]) input.addEventListener("input", () => markDirty());

  function showItemInfo() {
    exports.replaceChildren();
    meta.textContent = state.item ? itemMeta(state.item) : "Not saved yet.";
    if (!state.item) return;
    const link = (format, label) => h("a", { class: "btn btn-soft btn-small", download: "",
      href: irApi.exportUrl(state.item.id, format) }, svg(ICONS_UI.download), label);
    if (state.item.kind === "conversation" && state.item.count === 4) {
      exports.append(link("tgir", "Export .tgir"));
    }
    exports.append(link("flipper", "Export Flipper .ir"),
      h("span", { class: "muted small" }, "(the saved version)"));
  }

  function hexes() {
    const all = state.slots.map((f) => f?.hex || null);
    return state.kind === "conversation" ? all : all.filter(Boolean);
  }

  function markDirty(dirty = true) {
    state.dirty = dirty;
    unsaved.hidden = !dirty;
    if (!state.id && dirty) {
      sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ name: name.value, notes: notes.value,
        kind: state.kind, source: state.source, frames: hexes() }));
    }
  }

  async function save(asNew) {
    showError(saveError, null);
    await busy(form, async () => {
      try {
        const body = { name: name.value, notes: notes.value, frames: hexes() };
        let item;
        if (state.id && !asNew) {
          item = await irApi.updateItem(state.id, body);
        } else {
          item = await irApi.createItem({ ...body, kind: state.kind,
            source: asNew ? "edited" : state.source });
        }
        const wasDraft = !state.id;
        Object.assign(state, { id: item.id, item, name: item.name });
        state.original = hexes();
        markDirty(false);
        toast("Saved.");
        if (wasDraft) sessionStorage.removeItem(DRAFT_KEY);
        if (location.hash !== `#/ir/items/${item.id}`) ctx.go(`#/ir/items/${item.id}`);
        else { showItemInfo(); renderAll(); }
      } catch (err) {
        showError(saveError, err);
      }
    });
  }

  // -- one message -------------------------------------------------------------------------------

  function title(n) {
    if (state.kind !== "conversation") return [`Frame ${n + 1}`, null];
    return [`Message ${n + 1}`, ROLE_TITLES[n + 1]];
  }

  function edit(n, body) {
    queue = queue.then(async () => {
      const frame = state.slots[n];
      if (!frame) return;
      try {
        state.slots[n] = await irApi.edit({ frame: frame.hex, format: frame.format, ...body });
        markDirty();
        renderSlot(n);
        await refreshIssues();
      } catch (err) {
        slotError(n, err);
      }
    });
    return queue;
  }

  function replaceSlot(n, text) {
    queue = queue.then(async () => {
      try {
        const format = state.kind === "conversation" ? "2024" : null;
        const added = n >= state.slots.length;
        state.slots[n] = await irApi.edit({ frame: text, format, fix_checksum: false });
        markDirty();
        if (added) renderAll();
        else renderSlot(n);
        await refreshIssues();
      } catch (err) {
        slotError(n, err);
      }
    });
  }

  function slotError(n, err) {
    const slot = cards.children[n]?.querySelector(".ir-slot-error");
    if (slot) showError(slot, err);
    else toast(err.message, "error", 6000);
  }

  function removeSlot(n) {
    if (state.kind === "conversation") state.slots[n] = null;
    else state.slots.splice(n, 1);
    markDirty();
    renderAll();
    refreshIssues();
  }

  function fieldMap(frame) {
    // Applicable known fields, in catalogue order; each bit belongs to the last one
    // that covers it (the more specific reading of a shared byte).
    const known = frame.format === "2024"
      ? catalogue.filter((f) => f.name in frame.fields) : [];
    const owner = new Array(frame.bits.length).fill(null);
    known.forEach((f, i) => {
      for (const b of f.bits) owner[b] = { field: f, swatch: i % SWATCHES };
    });
    return { known, owner };
  }

  function renderSlot(n) {
    const focusKey = cards.children[n]?.contains(document.activeElement)
      ? document.activeElement.dataset.key : null;
    const card = slotCard(n);
    if (cards.children[n]) cards.children[n].replaceWith(card);
    else cards.append(card);
    if (focusKey) card.querySelector(`[data-key="${focusKey}"]`)?.focus();
  }

  function slotCard(n) {
    const frame = state.slots[n];
    const [heading, role] = title(n);
    const testid = `ir-message-${n + 1}`;
    const head = h("div", { class: "ir-msg-head" },
      h("h2", {}, heading, role ? h("small", { class: "muted" }, ` · ${role}`) : null));
    const error = h("p", { class: "form-error ir-slot-error", role: "alert", hidden: true });
    if (!frame) {
      return h("article", { class: "card ir-msg ir-msg-empty", "data-testid": testid },
        head, h("p", { class: "muted" }, "Missing. Paste it, or record it with a toy below."),
        rawForm(n, ""), error);
    }
    const original = state.original[n];
    head.append(checksumBadge(n, frame));
    const { known, owner } = fieldMap(frame);
    return h("article", { class: "card ir-msg", "data-testid": testid },
      head,
      h("p", { class: "ir-summary small" }, frame.summary),
      hexLine(n, frame, original),
      error,
      h("div", { class: "ir-msg-body" },
        h("details", { class: "ir-bits-box", open: true },
          h("summary", {}, `Bits (${frame.bits.length})`),
          bitGrid(n, frame, owner, original)),
        h("div", {},
          frame.format === "2024" ? fieldList(n, frame, known) : legacyFields(frame),
          unknownBytes(frame))),
      h("div", { class: "button-row ir-msg-tools" },
        h("details", { class: "ir-raw" }, h("summary", {}, "Paste hex or bits"),
          rawForm(n, frame.hex)),
        h("button", { type: "button", class: "btn btn-quiet btn-small",
          onclick: () => removeSlot(n) }, "Remove")));
  }

  function checksumBadge(n, frame) {
    const ok = frame.checksum_ok;
    const badge = h("span", { class: `ir-sum ${ok ? "ok" : "bad"}`, role: "status",
      "data-testid": `checksum-${n + 1}` },
    ok ? `checksum ok (${hex2(frame.checksum)})`
      : `checksum wrong: ${hex2(frame.checksum)}, should be ${hex2(frame.expected_checksum)}`);
    const fix = ok ? null : h("button", { type: "button", class: "btn btn-soft btn-small",
      "data-key": `${n}:fix`, onclick: () => edit(n, { fix_checksum: true }) }, "Fix checksum");
    return h("span", { class: "ir-sum-box" }, badge, fix);
  }

  function hexLine(n, frame, original) {
    const before = original ? original.split(" ") : [];
    return h("p", { class: "ir-hex", "data-testid": `hex-${n + 1}`, "aria-label": "Bytes in hex" },
      frame.hex.split(" ").map((b, i) => h("span", {
        class: before.length && before[i] !== b ? "changed" : null }, b)));
  }

  function bitGrid(n, frame, owner, original) {
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
          onclick: () => edit(n, { flip: [i], fix_checksum: false }) }, bit));
      }
      const value = frame.hex.split(" ")[byte];
      rows.push(h("div", { class: "ir-byte", role: "group", "aria-label": `byte ${byte}` },
        h("span", { class: "ir-byte-label" }, `b${byte}`), cells,
        h("span", { class: "ir-byte-hex" }, value)));
    }
    return h("div", { class: "ir-bits" }, rows);
  }

  function fieldControl(n, f, value) {
    const key = `${n}:${f.name}`;
    const onchange = (e) => edit(n, { set: { [f.name]: controlValue(f, e.target) } });
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

  function fieldList(n, frame, known) {
    const rows = known.filter((f) => f.name !== "checksum").map((f) => {
      const control = fieldControl(n, f, frame.fields[f.name]);
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

  function unknownBytes(frame) {
    const unknown = Object.entries(frame.fields.unknown || {});
    if (!unknown.length) return null;
    return h("p", { class: "small ir-unknown" }, h("strong", {}, "Unknown bytes: "),
      unknown.map(([b, v]) => `${b} = ${hex2(v)} (${v})`).join(" · "));
  }

  function rawForm(n, value) {
    const input = h("input", { value, autocomplete: "off", spellcheck: false,
      "aria-label": `Hex or bits of ${title(n)[0].toLowerCase()}`, class: "ir-raw-input" });
    const form = h("form", { class: "inline-form" }, input,
      h("button", { type: "submit", class: "btn btn-soft btn-small" }, "Use"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (input.value.trim()) replaceSlot(n, input.value.trim());
    });
    return form;
  }

  function renderAll() {
    cards.replaceChildren();
    state.slots.forEach((_, n) => renderSlot(n));
    if (state.kind === "frames") {
      cards.append(h("article", { class: "card ir-msg ir-msg-empty" },
        h("h2", {}, "Add a frame"), rawForm(state.slots.length, "")));
    }
  }

  // -- the conversation as a whole ---------------------------------------------------------------

  async function refreshIssues() {
    if (state.kind !== "conversation") {
      issuesBox.replaceChildren();
      return;
    }
    const messages = state.slots.map((f) => f?.hex || null);
    try {
      state.issues = messages.some(Boolean)
        ? (await irApi.decode({ messages })).conversations[0].issues : [];
    } catch (err) {
      state.issues = [{ severity: "error", message: null, text: err.message }];
    }
    showIssues();
  }

  function showIssues() {
    if (state.kind !== "conversation") return;
    issuesBox.replaceChildren(state.issues.length
      ? h("ul", { class: "ir-issue-list" }, state.issues.map((i) => h("li", {
        class: `ir-issue ${i.severity}` }, h("strong", {}, i.severity === "error" ? "Error" : "Warning"),
      i.message ? ` · message ${i.message}: ` : ": ", i.text)))
      : h("p", { class: "ir-issue ok" }, "The conversation is consistent."));
  }

  // -- talking to toys ---------------------------------------------------------------------------

  const panel = transportPanel({ title: "Send to a toy" });
  const buttons = [];
  const action = (label, handler, hint) => {
    const b = h("button", { type: "button", class: "btn btn-soft", title: hint, onclick: handler },
      label);
    buttons.push(b);
    panel.actions.append(b);
  };
  const slotsOf = (...numbers) => numbers.map((k) => state.slots[k - 1]);
  const useResult = (result, numbers) => {
    if (!result?.conversation) return;
    for (const k of numbers) state.slots[k - 1] = result.conversation.frames[k - 1];
    markDirty();
    renderAll();
    refreshIssues();
  };
  if (state.kind === "conversation") {
    action("Start interaction", async () => {
      const [m1, m3] = slotsOf(1, 3);
      if (!m1 || !m3) return toast("Starting needs messages 1 and 3.", "error");
      useResult(await panel.run("initiate", { frames: [m1, m3] }), [2, 4]);
    }, "Your toy waits (Connection > Stand by); we send 1 and 3, it answers 2 and 4.");
    action("Wait for interaction", async () => {
      const [m2, m4] = slotsOf(2, 4);
      if (!m2 || !m4) return toast("Answering needs messages 2 and 4.", "error");
      useResult(await panel.run("respond", { frames: [m2, m4] }), [1, 3]);
    }, "Your toy starts a visit; we answer with 2 and 4 and record its 1 and 3.");
  }
  action(state.kind === "conversation" ? "Send messages" : "Send frames", async () => {
    const frames = state.slots.filter((f) => f && f.format === "2024");
    if (!frames.length) return toast("There is no Connection 2024 frame to send.", "error");
    await panel.run("send", { frames });
  }, "Transmit each frame once, in order.");
  panel.onBusy((running) => buttons.forEach((b) => { b.disabled = running; }));

  root.append(h("section", { class: "page ir-page" },
    ...labHead(state.id ? state.name : "Editor", "edit"),
    h("section", { class: "card" }, form),
    issuesBox, cards, panel.element));
  showItemInfo();
  renderAll();
  showIssues();
  return () => panel.cleanup();
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
