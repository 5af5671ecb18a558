// A pet's timeline under its screen: calls (with a picture of the LCD), answers,
// beeps, pauses... newest first, and the pet's notification choices.

import { request } from "../api.js";
import { formatDate, h } from "../dom.js";

const LABELS = {
  call: "Called for attention",
  answered: "You answered",
  call_ended: "The call ended",
  beeps: "Beeped",
  paused: "Paused",
  resumed: "Resumed",
  reset: "Started over",
  state_loaded: "A saved state was loaded",
  autopilot: "Autopilot",
  restored: "Went back to a restore point",
  forked: "Forked",
};

function describe(e) {
  const d = e.data || {};
  let text = LABELS[e.kind] || e.kind;
  if (e.kind === "autopilot" && d.text) text = d.text.charAt(0).toUpperCase() + d.text.slice(1);
  if (e.kind === "call_ended") text += d.answered ? " (answered)" : " (nobody answered)";
  if (e.kind === "beeps") text += ` ${d.count} time${d.count === 1 ? "" : "s"}`;
  if (e.kind === "restored" && d.name) text += ` (${d.name})`;
  if (e.kind === "forked" && d.from_name) text += ` from ${d.from_name}${d.name ? ` (${d.name})` : ""}`;
  if (d.silenced) text += ` · not notified: ${d.silenced}`;
  else if (d.notified) text += ` · notified ${d.notified} device${d.notified === 1 ? "" : "s"}`;
  return text;
}

function age(seconds) {
  const d = Math.floor(seconds / 86400);
  const hh = Math.floor((seconds % 86400) / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  return d ? `day ${d + 1}, ${hh}h${String(mm).padStart(2, "0")}` : `${hh}h${String(mm).padStart(2, "0")}`;
}

/** The timeline card; refreshes every 15 s while shown. Returns {el, refresh, stop}. */
export function timelineCard(petId) {
  const list = h("ol", { class: "list timeline", "aria-label": "Timeline" });
  const calls = h("input", { type: "checkbox", "aria-label": "Notify me when it calls" });
  const muteSel = h("select", { "aria-label": "Mute" },
    h("option", { value: "" }, "Not muted"), h("option", { value: "60" }, "Mute 1 hour"),
    h("option", { value: "480" }, "Mute 8 hours"), h("option", { value: "1440" }, "Mute 1 day"));
  const choices = h("div", { class: "extra-row" },
    h("label", { class: "check" }, calls, "Notify me when it calls"), muteSel);

  async function loadChoices() {
    const a = await request("GET", `/api/pets/${petId}/alerts`);
    calls.checked = a.calls;
    muteSel.value = "";
    if (a.muted_until && a.muted_until * 1000 > Date.now()) {
      const until = new Date(a.muted_until * 1000);
      muteSel.options[0].textContent = `Muted until ${until.toLocaleTimeString()}`;
    } else {
      muteSel.options[0].textContent = "Not muted";
    }
  }
  calls.addEventListener("change", () => request("PATCH", `/api/pets/${petId}/alerts`,
    { json: { calls: calls.checked } }).then(loadChoices).catch(() => {}));
  muteSel.addEventListener("change", () => request("PATCH", `/api/pets/${petId}/alerts`,
    { json: { mute_minutes: muteSel.value ? Number(muteSel.value) : 0 } })
    .then(loadChoices).catch(() => {}));

  async function refresh() {
    const page = await request("GET", `/api/pets/${petId}/timeline?limit=30`);
    list.replaceChildren(...(page.events.length ? page.events.map((e) =>
      h("li", { class: "list-item", dataset: { kind: e.kind } },
        e.picture ? h("img", { src: `${e.picture}?scale=2`, alt: "The screen at that moment",
          width: 64, height: 32, class: "timeline-pic" }) : null,
        h("div", { class: "list-main" }, h("strong", {}, describe(e)),
          h("div", { class: "muted small" },
            `${formatDate(e.at)} · pet time ${age(e.emulated_seconds)}`))))
      : [h("li", { class: "list-item muted" }, "Nothing yet: calls and beeps show up here.")]));
  }
  const el = h("section", { class: "card timeline-card" },
    h("h2", { class: "small-title" }, "Timeline"), choices, list);
  refresh().catch(() => {});
  loadChoices().catch(() => {});
  const timer = setInterval(() => refresh().catch(() => {}), 15000);
  return { el, refresh: () => refresh().catch(() => {}), stop: () => clearInterval(timer) };
}
