// The saved item at the top of the IR editor: name, notes, Save / Save as new,
// the "unsaved changes" chip and the export links of the saved version.

import { field, h, svg } from "../../dom.js";
import { ICONS_UI } from "../../ui-icons.js";
import { irApi } from "../../ir-api.js";
import { itemMeta } from "../ir.js";

/** The item form; `onSave(asNew)` saves, `onInput()` marks the editor dirty. */
export function itemForm(state, { onSave, onInput }) {
  const name = h("input", { value: state.name, maxlength: "100", required: true,
    autocomplete: "off" });
  const notes = h("textarea", { id: "ir-notes", rows: 2, class: "ir-textarea", maxlength: "2000" },
    state.notes);
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const saveButton = h("button", { type: "submit", class: "btn btn-primary" }, "Save");
  const saveNew = h("button", { type: "button", class: "btn btn-soft", hidden: !state.id,
    onclick: () => onSave(true) }, "Save as new");
  const unsaved = h("span", { class: "chip chip-paused", hidden: true }, "unsaved changes");
  const exports = h("div", { class: "button-row" });
  const meta = h("span", {});
  const form = h("form", { class: "stack" },
    h("div", { class: "ir-save-row" }, field("Name", name), saveButton, saveNew),
    h("details", { class: "ir-notes", open: Boolean(state.notes) },
      h("summary", {}, "Notes"), h("label", { class: "sr-only", for: "ir-notes" }, "Notes"),
      notes),
    error, h("p", { class: "muted small" }, unsaved, " ", meta), exports);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    onSave(false);
  });
  for (const input of [name, notes]) input.addEventListener("input", () => onInput());

  return {
    form, error,
    get name() { return name.value; },
    get notes() { return notes.value; },
    setDirty(dirty) { unsaved.hidden = !dirty; },
    /** Show what is saved: when, and the export links of the saved version. */
    showItem(item) {
      exports.replaceChildren();
      meta.textContent = item ? itemMeta(item) : "Not saved yet.";
      saveNew.hidden = !item;
      if (!item) return;
      const link = (format, label) => h("a", { class: "btn btn-soft btn-small", download: "",
        href: irApi.exportUrl(item.id, format) }, svg(ICONS_UI.download), label);
      if (item.kind === "conversation" && item.count === 4) {
        exports.append(link("tgir", "Export .tgir"));
      }
      exports.append(link("flipper", "Export Flipper .ir"),
        h("span", { class: "muted small" }, "(the saved version)"));
    },
  };
}
