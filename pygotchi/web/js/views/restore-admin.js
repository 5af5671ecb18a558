// Restore points, as administrators see them: whether players may go back in
// time ("no second chances" instances turn it off), and what every pet's points
// hold, per pet and in all (the bounds are server settings: API.md).

import { api } from "../api.js";
import { h, toast } from "../dom.js";

function kb(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

export async function restoreAdminView(root) {
  const allowed = h("input", { type: "checkbox", "data-action": "players-may-restore" });
  const summary = h("p", { "data-testid": "restore-totals" });
  const schedule = h("p", { class: "muted small" });
  const body = h("tbody");
  const table = h("table", { class: "storage-table", "aria-label": "Restore points per pet" },
    h("thead", {}, h("tr", {}, h("th", {}, "Pet"), h("th", {}, "Owner"),
      h("th", { class: "num" }, "Points"), h("th", { class: "num" }, "Size"))), body);

  function show(data) {
    allowed.checked = data.players_may_restore;
    const n = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
    summary.textContent = `${n(data.points, "restore point")} of ${n(data.pets_with_points, "pet")} `
      + `${data.points === 1 ? "holds" : "hold"} ${kb(data.bytes)}.`;
    const s = data.schedule;
    schedule.textContent = `Every pet: one automatic point per hour of its life for ${s.hourly_hours} h, `
      + `then one a day for ${s.daily_days} days; up to ${s.named_max} named points; `
      + `at most ${kb(s.bytes_max)} (the oldest automatic points go first).`;
    body.replaceChildren(...data.pets.map((p) => h("tr", {},
      h("td", {}, p.name), h("td", {}, p.owner), h("td", { class: "num" }, String(p.points)),
      h("td", { class: "num" }, kb(p.bytes)))));
  }

  allowed.addEventListener("change", async () => {
    try {
      show(await api.setPlayersMayRestore(allowed.checked));
      toast(allowed.checked ? "Players may restore their pets." : "Restores are off for players.");
    } catch (err) {
      toast(err.message, "error");
      allowed.checked = !allowed.checked;
    }
  });

  root.append(h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Restore points")),
    h("section", { class: "card" },
      h("label", { class: "check" }, allowed, "Players may restore their pets (and fork from a restore point)"),
      h("p", { class: "muted small" }, "Off, what happens to a pet stays done: players keep named points and can fork a pet as it is now. Administrators can always restore their own pets.")),
    h("section", { class: "card" }, h("h2", {}, "Storage"), summary, schedule, table)));
  show(await api.restoreStorage());
}
