// What a toy sent during "Start interaction" / "Wait for interaction", kept apart
// from the person's own frames: shown beside them, and used only when the person
// says so (into the editor, or saved as a conversation of its own).

import { h, toast } from "../../dom.js";
import { irApi } from "../../ir-api.js";
import { slotTitle } from "./message.js";

/**
 * The card for one received conversation. `numbers` are the message numbers the toy
 * sent (1-4); `onUse(frames by number)` puts them into the editor.
 */
export function receivedCard({ conversation, numbers, mode, onUse, onDismiss }) {
  const frames = numbers.map((k) => [k, conversation.frames[k - 1]]).filter(([, f]) => f);
  const card = h("section", { class: "card ir-received", "data-testid": "ir-received",
    "aria-live": "polite" },
  h("h2", {}, "Received from the toy"),
  h("p", { class: "muted small" }, "Your messages above are unchanged. Use what the toy ",
    "sent in their place, save the whole conversation as a new item, or leave it."),
  h("ul", { class: "ir-received-list" }, frames.map(([k, f]) => h("li", {},
    h("strong", {}, slotTitle("conversation", k - 1)[0]), " ",
    h("span", { class: "small" }, f.summary),
    h("code", { class: "ir-hex small" }, f.hex)))),
  h("div", { class: "button-row" },
    h("button", { type: "button", class: "btn btn-soft", onclick: () => {
      onUse(Object.fromEntries(frames));
      card.remove();
    } }, `Use message${frames.length === 1 ? "" : "s"} ${frames.map(([k]) => k).join(" and ")} in the editor`),
    h("button", { type: "button", class: "btn btn-soft", onclick: async (e) => {
      e.target.disabled = true;
      try {
        const item = await irApi.createItem({ kind: "conversation",
          name: `Recorded ${new Date().toLocaleString()}`.slice(0, 100),
          source: mode === "initiate" ? "initiated" : "responded",
          frames: conversation.frames.map((f) => f?.hex || null) });
        toast("Saved as a new conversation.");
        card.replaceChildren(h("p", {}, "Saved: ",
          h("a", { href: `#/ir/items/${item.id}` }, item.name), "."));
      } catch (err) {
        e.target.disabled = false;
        toast(err.message, "error", 6000);
      }
    } }, "Save as a new conversation"),
    h("button", { type: "button", class: "btn btn-quiet", onclick: () => {
      card.remove();
      onDismiss?.();
    } }, "Leave it")));
  return card;
}
