// The ROM library: everyone sees which toys they can hatch; admins add and remove
// ROM files. The server checks every upload with the emulator and explains a bad
// file in its error message, which we show as is.

import { api } from "../api.js";
import { busy, confirmDialog, field, formatDate, h, showError, svg, toast } from "../dom.js";
import { ICONS_UI } from "../ui-icons.js";
import { romLabel } from "../models.js";

export async function romsView(root, ctx) {
  const isAdmin = ctx.user.role === "admin";
  const list = h("ul", { class: "list", "aria-label": "ROMs" });
  const page = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "ROM library")),
    h("p", { class: "lead muted" },
      "A ROM is the program of a toy. pygotchi recognises the classic models by their ",
      "contents; anything else runs as a generic E0C6S46/S48 program."),
    list);
  root.append(page);

  async function refresh() {
    const roms = await api.roms();
    list.replaceChildren(...roms.map((rom) => romItem(rom)));
  }

  function romItem(rom) {
    const del = isAdmin && !rom.builtin
      ? h("button", { type: "button", class: "icon-btn", "aria-label": `Delete ROM ${rom.name}`,
        title: "Delete", onclick: async () => {
          const ok = await confirmDialog({ title: `Delete ROM ${rom.name}?`,
            body: "Pets need their ROM: the server refuses while any pet uses it.",
            confirmLabel: "Delete", danger: true });
          if (!ok) return;
          try {
            await api.deleteRom(rom.id);
            toast("ROM deleted.");
            refresh();
          } catch (err) {
            toast(err.message, "error", 6000);
          }
        } }, svg(ICONS_UI.trash))
      : null;
    return h("li", { class: "list-item" },
      h("div", { class: "list-main" },
        h("strong", {}, rom.name), " ",
        rom.builtin ? h("span", { class: "badge" }, "built-in") : null,
        h("div", { class: "muted small" },
          `${romLabel(rom)} · ${rom.chip} · ${rom.words} words`,
          rom.uploaded_at ? ` · added ${formatDate(rom.uploaded_at)}` : "")),
      del);
  }

  await refresh();

  if (isAdmin) {
    const file = h("input", { type: "file", name: "file", required: true,
      // rom.bin images, and the C headers Arduino ports keep them in (g_program_b12[]).
      accept: ".bin,.rom,.h,.hpp,.c,application/octet-stream,text/x-c", "data-testid": "rom-file" });
    const name = h("input", { name: "name", maxlength: "60", placeholder: "optional",
      autocomplete: "off" });
    const error = h("p", { class: "form-error", role: "alert", hidden: true,
      "data-testid": "rom-error" });
    const form = h("form", { class: "stack" },
      field("ROM file", file, "TamaTool-style rom.bin, or a raw 12-bit word dump."),
      field("Name", name),
      error,
      h("button", { class: "btn btn-primary", type: "submit" }, svg(ICONS_UI.upload), "Upload"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      showError(error, null);
      if (!file.files?.length) {
        showError(error, new Error("Choose a file first."));
        return;
      }
      await busy(form, async () => {
        try {
          const rom = await api.uploadRom(file.files[0], name.value.trim());
          toast(`Added ${rom.name} (${romLabel(rom)}).`);
          form.reset();
          refresh();
        } catch (err) {
          showError(error, err);
        }
      });
    });
    page.append(h("section", { class: "card" }, h("h2", {}, "Add a ROM"), form,
      h("p", { class: "muted small" },
        "ROM images are copyrighted by their makers: use dumps of toys you own.")));
  }
}
