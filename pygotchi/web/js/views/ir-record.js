// Record: listen to two toys talking (snoop) through the server's transceiver or
// this device's, watch every frame arrive decoded, then save what was heard or
// open it in the editor.

import { busy, field, h, showError, toast } from "../dom.js";
import { irApi } from "../ir-api.js";
import { transportPanel } from "../ir-panel.js";
import { openDraft } from "./ir-editor.js";
import { labHead } from "./ir.js";

const sum = (frame) => (frame.checksum_ok ? "checksum ok" : "checksum wrong");

export async function irRecordView(root, ctx) {
  let heard = [];
  const panel = transportPanel({ title: "Snoop" });
  const list = h("ol", { class: "list ir-heard", "aria-label": "Frames heard",
    "data-testid": "ir-heard" });
  const empty = h("p", { class: "muted", "data-testid": "ir-heard-empty" },
    "Nothing heard yet. Start listening, then let one toy visit the other.");
  const start = h("button", { type: "button", class: "btn btn-primary" }, "Listen");
  const clear = h("button", { type: "button", class: "btn btn-quiet" }, "Clear");
  panel.actions.append(start, clear);
  panel.onBusy((running) => { start.disabled = running; clear.disabled = running; });

  function show() {
    empty.hidden = heard.length > 0;
    list.hidden = !heard.length;
    list.replaceChildren(...heard.map((f, i) => h("li", { class: "list-item ir-heard-item" },
      h("div", { class: "list-main" },
        h("strong", {}, `${i + 1}. `, f.summary),
        h("div", { class: "ir-hex small" }, f.hex),
        h("span", { class: `ir-sum ${f.checksum_ok ? "ok" : "bad"}` }, sum(f))))));
    saveCard.hidden = !heard.length;
  }

  start.addEventListener("click", async () => {
    heard = [];
    show();
    const result = await panel.run("snoop", {}, (event) => {
      if (event.kind === "received" && event.frame) {
        heard.push(event.frame);
        show();
      }
    });
    if (result) {
      heard = result.frames;
      show();
    }
  });
  clear.addEventListener("click", () => { heard = []; show(); });

  // -- what to do with it -------------------------------------------------------------------------

  const name = h("input", { required: true, maxlength: "100", autocomplete: "off",
    value: `Recording ${new Date().toLocaleString()}` });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "stack" }, field("Name", name), error,
    h("div", { class: "button-row" },
      h("button", { type: "submit", class: "btn btn-primary" }, "Save"),
      h("button", { type: "button", class: "btn btn-soft", onclick: () => openDraft(ctx,
        { ...asItem(), name: name.value }) }, "Open in editor")));
  const saveCard = h("section", { class: "card", hidden: true },
    h("h2", {}, "Keep it"),
    h("p", { class: "muted small" }, "Four messages in order are saved as a conversation; " +
      "anything else as a list of frames."),
    form);

  function asItem() {
    // Toys repeat frames (retries, and message 4 always twice): one of each in a row.
    const frames = heard.filter((f, i) => i === 0 || f.hex !== heard[i - 1].hex);
    const conversation = frames.map((f) => f.role).join() === "1,2,3,4";
    return { kind: conversation ? "conversation" : "frames", source: "snooped", notes: "",
      frames: (conversation ? frames : heard).map((f) => f.hex) };
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    await busy(form, async () => {
      try {
        const item = await irApi.createItem({ ...asItem(), name: name.value });
        toast("Saved.");
        ctx.go(`#/ir/items/${item.id}`);
      } catch (err) {
        showError(error, err);
      }
    });
  });

  root.append(h("section", { class: "page ir-page" },
    ...labHead("Record", "record", "Put both toys in front of the transceiver and start a " +
      "visit on one of them: every frame they exchange shows up here."),
    panel.element,
    h("section", { class: "card" }, h("h2", {}, "Heard"), empty, list),
    saveCard));
  show();
  return () => panel.cleanup();
}
