// The IR lab's home: the person's saved conversations and frames (open, rename,
// delete, export) and the import card. Build, Record and the editor are their own
// pages; `labTabs` links them.

import { busy, confirmDialog, field, formatDate, h, showError, svg, toast } from "../dom.js";
import { ICONS_UI } from "../ui-icons.js";
import { irApi } from "../ir-api.js";

const SOURCE_LABEL = {
  built: "built", imported: "imported", snooped: "snooped", initiated: "recorded (initiated)",
  responded: "recorded (responded)", edited: "edited",
};

/** The IR lab's sub-navigation. */
export function labTabs(active) {
  const tab = (href, label, key) => h("a", { href, class: "ir-tab",
    "aria-current": key === active ? "page" : false }, label);
  return h("nav", { class: "ir-tabs", "aria-label": "IR lab" },
    tab("#/ir", "Saved", "saved"), tab("#/ir/build", "Build", "build"),
    tab("#/ir/record", "Record", "record"), tab("#/ir/edit", "Editor", "edit"));
}

export function labHead(title, active, lead) {
  return [h("div", { class: "page-head" }, h("h1", {}, title)), labTabs(active),
    lead ? h("p", { class: "lead muted" }, lead) : null];
}

/** A modal question with one line of text; resolves to the text, or null. */
export function promptDialog({ title, label, value = "", confirmLabel = "OK", maxlength = 100 }) {
  return new Promise((resolve) => {
    const input = h("input", { value, maxlength: String(maxlength), required: true,
      autocomplete: "off" });
    const dlg = h("dialog", { class: "dialog", "aria-labelledby": "prompt-title" },
      h("form", { method: "dialog", class: "dialog-body stack" },
        h("h2", { id: "prompt-title" }, title),
        field(label, input),
        h("div", { class: "dialog-actions" },
          h("button", { value: "cancel", class: "btn btn-quiet", type: "submit",
            formnovalidate: true }, "Cancel"),
          h("button", { value: "ok", class: "btn btn-primary", type: "submit" }, confirmLabel))));
    dlg.addEventListener("close", () => {
      resolve(dlg.returnValue === "ok" ? input.value.trim() : null);
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    input.select();
  });
}

export function itemMeta(item) {
  const what = item.kind === "conversation"
    ? `${item.activity || "conversation"} · ${item.count} of 4 messages`
    : `${item.count} frame${item.count === 1 ? "" : "s"}`;
  return `${what} · ${SOURCE_LABEL[item.source] || item.source} · ${formatDate(item.updated_at)}`;
}

export async function irView(root, ctx) {
  const list = h("ul", { class: "list", "aria-label": "Saved IR items" });
  // Offered only when there is something to put in a .tgir file.
  const exportAll = h("p", { class: "small", hidden: true },
    h("a", { href: irApi.exportAllUrl(), download: "", class: "btn btn-soft btn-small" },
      svg(ICONS_UI.download), "Export all as .tgir"));
  const page = h("section", { class: "page ir-page" },
    ...labHead("IR lab", "saved", "Tamagotchi Connection conversations: record them from real " +
      "toys, take them apart bit by bit, build your own and send them back."),
    list,
    exportAll,
    importCard(() => refresh()));
  root.append(page);

  async function refresh() {
    const items = await irApi.items();
    exportAll.hidden = !items.some((i) => i.kind === "conversation" && i.count === 4);
    list.replaceChildren(...(items.length ? items.map(itemRow)
      : [h("li", { class: "list-item muted", "data-testid": "ir-empty" },
        "Nothing saved yet: build a conversation, record one, or import a file.")]));
  }

  function itemRow(item) {
    const rename = async () => {
      const name = await promptDialog({ title: "Rename", label: "Name", value: item.name,
        confirmLabel: "Rename" });
      if (!name) return;
      try {
        await irApi.updateItem(item.id, { name });
        refresh();
      } catch (err) {
        toast(err.message, "error", 6000);
      }
    };
    const remove = async () => {
      const ok = await confirmDialog({ title: `Delete "${item.name}"?`,
        body: "The saved frames are gone for good (export them first to keep a copy).",
        confirmLabel: "Delete", danger: true });
      if (!ok) return;
      try {
        await irApi.deleteItem(item.id);
        toast("Deleted.");
        refresh();
      } catch (err) {
        toast(err.message, "error", 6000);
      }
    };
    const exportLink = (format, label) => h("a", { href: irApi.exportUrl(item.id, format),
      download: "", class: "btn btn-soft btn-small", "aria-label": `Export ${item.name} as ${label}` },
    label);
    const complete = item.kind === "conversation" && item.count === 4;
    return h("li", { class: "list-item ir-item", dataset: { id: item.id } },
      h("div", { class: "list-main" },
        h("a", { href: `#/ir/items/${item.id}`, class: "ir-item-name" }, item.name),
        item.consistent === false ? h("span", { class: "chip chip-paused" }, "inconsistent") : null,
        h("div", { class: "muted small" }, itemMeta(item)),
        h("div", { class: "button-row ir-item-actions" },
          h("button", { type: "button", class: "btn btn-soft btn-small", onclick: rename,
            "aria-label": `Rename ${item.name}` }, "Rename"),
          complete ? exportLink("tgir", ".tgir") : null,
          exportLink("flipper", ".ir"))),
      h("button", { type: "button", class: "icon-btn", title: "Delete",
        "aria-label": `Delete ${item.name}`, onclick: remove }, svg(ICONS_UI.trash)));
  }

  await refresh();
}

function importCard(done) {
  const file = h("input", { type: "file", accept: ".tgir,.json,.ir,.txt,.log",
    "data-testid": "ir-import-file" });
  const text = h("textarea", { rows: 4, class: "ir-textarea", spellcheck: false,
    placeholder: "…or paste hex, bits, µs durations or a Flipper .ir file" });
  const name = h("input", { maxlength: "100", autocomplete: "off", placeholder: "optional" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true,
    "data-testid": "ir-import-error" });
  const form = h("form", { class: "stack" },
    field("File", file, "Tamagometer .tgir, Flipper .ir, or a text capture."),
    field("Pasted text", text),
    field("Name", name),
    error,
    h("button", { class: "btn btn-primary", type: "submit" }, svg(ICONS_UI.upload), "Import"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    const chosen = file.files?.[0];
    if (!chosen && !text.value.trim()) {
      showError(error, new Error("Choose a file or paste something first."));
      return;
    }
    await busy(form, async () => {
      try {
        const result = chosen ? await irApi.importFile(chosen, name.value.trim())
          : await irApi.importText(text.value, name.value.trim());
        const n = result.items.length;
        toast(`Imported ${n} item${n === 1 ? "" : "s"}.`);
        form.reset();
        done();
      } catch (err) {
        showError(error, err);
      }
    });
  });
  return h("section", { class: "card" }, h("h2", {}, "Import"), form);
}
