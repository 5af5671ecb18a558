// The first-visit hint under a P1-style toy: what A, B and C do, until the person
// says they got it (remembered per browser).

import { h } from "../../dom.js";
import { settings } from "../../settings.js";

const SEEN = "abc-hint";

export function abcHint() {
  if (settings.seen(SEEN)) return null;
  const card = h("div", { class: "card hint-card", role: "note", "data-testid": "abc-hint" },
    h("h2", { class: "small-title" }, "The three buttons"),
    h("dl", { class: "abc-hint" },
      h("div", {}, h("dt", {}, "A"), h("dd", {}, "moves through the menu icons")),
      h("div", {}, h("dt", {}, "B"), h("dd", {}, "chooses what is selected")),
      h("div", {}, h("dt", {}, "C"), h("dd", {}, "cancels and goes back"))),
    h("p", { class: "muted small" },
      "Hold a button as long as you would on the toy. A and C together do special things."),
    h("button", { type: "button", class: "btn btn-soft btn-small", onclick: () => {
      settings.markSeen(SEEN);
      card.remove();
    } }, "Got it"));
  return card;
}
