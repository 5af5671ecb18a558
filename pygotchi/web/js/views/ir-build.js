// Build a conversation from scratch: who starts (the initiator), who answers (the
// responder) and what happens. The server's builders fill every field the protocol
// ties together (IDs, names, type + 1, checksums); the result opens in the editor.

import { busy, field, h, showError } from "../dom.js";
import { fieldCatalogue, irApi } from "../ir-api.js";
import { openDraft } from "./ir-editor.js";
import { labHead } from "./ir.js";

function select(choices, value, attrs = {}) {
  return h("select", attrs, choices.map((c) => h("option", { value: c.value,
    selected: String(c.value) === String(value) }, c.label)));
}

function identityFields(legend, catalogue, defaults, nameHint) {
  const name = h("input", { value: defaults.name, maxlength: "20", required: true,
    autocomplete: "off", autocapitalize: "characters", spellcheck: false,
    class: "ir-name-input" });
  const character = select(catalogue.character.choices, defaults.character);
  const gender = select(catalogue.gender.choices, 0);
  const id = h("input", { type: "number", min: "0", max: "65535", inputmode: "numeric",
    placeholder: "random" });
  const set = h("fieldset", { class: "ir-fieldset" }, h("legend", {}, legend),
    h("div", { class: "ir-form-grid" },
      // The server's own list: the hint and its error messages name the same letters.
      field("Name", name, `Up to 5 letters: ${nameHint}`),
      field("Character", character),
      field("Gender", gender),
      field("Device ID", id, "0-65535")));
  return {
    element: set,
    value: () => ({
      name: name.value.trim(),
      character: Number(character.value),
      gender: Number(gender.value),
      device_id: id.value === "" ? null : Number(id.value),
    }),
  };
}

export async function irBuildView(root, ctx) {
  const catalogue = await fieldCatalogue();
  const byName = Object.fromEntries(catalogue.fields.map((f) => [f.name, f]));
  const hint = catalogue.name_hint || "A-Z, _ for a blank";
  const me = identityFields("You start (initiator)", byName, { name: "PYGO", character: 19 }, hint);
  const peer = identityFields("The other toy (responder)", byName,
    { name: "PEER", character: 22 }, hint);

  const kind = h("select", { name: "kind" },
    h("option", { value: "visit" }, "Visit"),
    h("option", { value: "gift" }, "Gift"),
    h("option", { value: "game" }, "Game"));
  const visit = select(byName.visit_activity.choices, 3);
  const item = select(byName.gift_item.choices, 6);
  const pregift = select(byName.pregift_activity.choices, 0);
  const game = select(byName.game_type.choices, 7);
  const wager = h("input", { type: "number", min: "0", max: "255", value: "10",
    inputmode: "numeric" });
  const parts = {
    visit: h("div", { class: "ir-form-grid" }, field("What the visitor does", visit)),
    gift: h("div", { class: "ir-form-grid" },
      field("Gift (the initiator receives it)", item), field("Before the gift", pregift)),
    game: h("div", { class: "ir-form-grid" }, field("Game", game),
      field("Wager (points game)", wager, "0-255")),
  };
  const showPart = () => {
    for (const [key, el] of Object.entries(parts)) el.hidden = key !== kind.value;
  };
  kind.addEventListener("change", showPart);
  showPart();

  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "stack" },
    me.element, peer.element,
    h("fieldset", { class: "ir-fieldset" }, h("legend", {}, "What happens"),
      field("Visit, gift or game", kind), parts.visit, parts.gift, parts.game),
    error,
    h("button", { type: "submit", class: "btn btn-primary btn-block" }, "Build"));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    const activity = { kind: kind.value };
    if (kind.value === "visit") activity.activity = Number(visit.value);
    if (kind.value === "gift") Object.assign(activity, { item: Number(item.value), pregift: Number(pregift.value) });
    if (kind.value === "game") Object.assign(activity, { game: Number(game.value), wager: Number(wager.value) });
    await busy(form, async () => {
      try {
        const built = await irApi.encode({ build: {
          initiator: me.value(), responder: peer.value(), activity } });
        openDraft(ctx, { name: built.name, kind: "conversation", source: "built", notes: "",
          frames: built.frames.map((f) => f.hex) });
      } catch (err) {
        showError(error, err);
      }
    });
  });

  root.append(h("section", { class: "page ir-page" },
    ...labHead("Build a conversation", "build",
      "All four messages of a visit, gift or game between two toys you describe."),
    h("section", { class: "card" }, form)));
}
