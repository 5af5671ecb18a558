// The autopilot's part of the pet menu: when the carer may press the pet's buttons,
// and what it did lately. The carer itself runs on the server (pygotchi/care); this
// only reads and changes the pet's setting through PATCH /api/pets/{id}.

import { api } from "../api.js";
import { field, formatDate, h, toast } from "../dom.js";

const MODES = {
  off: "Off: I look after my pet",
  always: "Always: it looks after my pet",
  unanswered: "When I don't answer a call",
};

export function autopilotSection(pet, { onChange, section }) {
  const state = pet.autopilot || { mode: "off", minutes: 15, active: false, recent: [] };
  const mode = h("select", { "data-action": "autopilot-mode" },
    Object.entries(MODES).map(([value, text]) =>
      h("option", { value, selected: state.mode === value }, text)));
  const minutes = h("input", { type: "number", min: "1", max: "1440", step: "1",
    value: String(state.minutes), inputmode: "numeric", "data-action": "autopilot-minutes" });
  const minutesField = field("Minutes a call may wait", minutes,
    "After this long with the pet calling and no button pressed, the autopilot takes over until the pet is content.");
  minutesField.hidden = state.mode !== "unanswered";
  const status = h("p", { class: "muted small", "data-testid": "autopilot-status" }, describe(state));
  const recent = h("ul", { class: "autopilot-recent small" }, entries(state.recent));

  async function save(changes, undo) {
    try {
      const updated = await api.updatePet(pet.id, changes);
      Object.assign(pet, updated);
      onChange(updated);
      status.textContent = describe(updated.autopilot);
      recent.replaceChildren(...entries(updated.autopilot.recent));
      minutesField.hidden = updated.autopilot.mode !== "unanswered";
      toast("Saved.");
    } catch (err) {
      toast(err.message, "error");
      undo();
    }
  }

  mode.addEventListener("change", () => save({ autopilot: mode.value },
    () => { mode.value = pet.autopilot?.mode || "off"; }));
  minutes.addEventListener("change", () => {
    const n = Number(minutes.value);
    if (!Number.isInteger(n) || n < 1 || n > 1440) {
      toast("Minutes: a whole number from 1 to 1440.", "error");
      minutes.value = String(pet.autopilot?.minutes ?? 15);
      return;
    }
    save({ autopilot_minutes: n }, () => { minutes.value = String(pet.autopilot?.minutes ?? 15); });
  });

  return section("Autopilot",
    h("p", { class: "muted small" },
      "A carer that plays the toy like a careful owner: it feeds, plays, cleans, gives medicine, turns the light off at night and answers calls, through the same buttons you use. It waits while you press buttons."),
    field("Autopilot", mode), minutesField, status, recent);
}

function describe(state) {
  if (!state || state.mode === "off") return "The autopilot is off.";
  if (state.active) return "The autopilot is looking after the pet now.";
  return state.mode === "always" ? "The autopilot is on." : "The autopilot is watching for calls.";
}

function entries(recent) {
  return (recent || []).slice(-8).reverse().map((e) =>
    h("li", {}, h("time", { datetime: e.at }, formatDate(e.at)), " ", e.text));
}
