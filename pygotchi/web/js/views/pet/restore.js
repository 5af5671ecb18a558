// The pet's restore points, under its screen: the server's hourly and daily
// points, the ones the owner named, and the "before restoring" ones that undo a
// restore. From each: restore (asks first), fork into a new pet, delete (named
// and undo points; the automatic ones follow the server's schedule).
// Rules and bounds live on the server (API.md, "Restore points and forks").

import { api } from "../../api.js";
import { busy, confirmDialog, field, formatDate, formatDuration, h, showError, toast } from "../../dom.js";

const KIND = { auto: "Automatic", named: "Named", undo: "Undo" };

function kb(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Ask for the fork's name (and whether it starts paused); null when cancelled. */
function askFork(defaultName, from) {
  return new Promise((resolve) => {
    const name = h("input", { value: defaultName, maxlength: "32", required: true,
      autocomplete: "off" });
    const paused = h("input", { type: "checkbox" });
    const dlg = h("dialog", { class: "dialog", "aria-labelledby": "fork-title" },
      h("form", { method: "dialog", class: "dialog-body stack" },
        h("h2", { id: "fork-title" }, "Fork into a new pet"),
        h("p", {}, `A new pet of yours starts from ${from} and lives on by itself; this one is not changed.`),
        field("Name of the new pet", name),
        h("label", { class: "check" }, paused, "Start it paused"),
        h("div", { class: "dialog-actions" },
          h("button", { value: "cancel", class: "btn btn-quiet", type: "submit",
            formnovalidate: true }, "Cancel"),
          h("button", { value: "ok", class: "btn btn-primary", type: "submit",
            "data-confirm": "" }, "Fork"))));
    dlg.addEventListener("close", () => {
      resolve(dlg.returnValue === "ok" ? { name: name.value.trim(), paused: paused.checked } : null);
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** The card; `onRestored(pet)` after a restore, `onForked(pet)` with the new pet.
 * Returns {el, refresh, stop}. */
export function restoreCard(pet, { onRestored, onForked }) {
  const list = h("ol", { class: "list restore-list", "aria-label": "Restore points" });
  const note = h("p", { class: "muted small", "data-testid": "restore-note" });
  const name = h("input", { maxlength: "60", required: true, autocomplete: "off",
    placeholder: "e.g. Before the evolution", "aria-label": "Restore point name" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "inline-form" },
    h("div", { class: "field" }, name),
    h("button", { class: "btn btn-soft", type: "submit" }, "Save a restore point"));
  const forkNow = h("button", { type: "button", class: "btn btn-soft", "data-action": "fork-now",
    onclick: () => fork(null) }, "Fork as it is now…");
  let allowed = true;

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    await busy(form, async () => {
      try {
        const point = await api.makeRestorePoint(pet.id, name.value.trim());
        toast(`Saved “${point.name}”.`);
        form.reset();
        await refresh();
      } catch (err) {
        showError(error, err);
      }
    });
  });

  async function restore(point) {
    const ok = await confirmDialog({ title: `Restore ${pet.name} to “${point.name}”?`,
      body: `The pet goes back to age ${formatDuration(point.emulated_seconds)} (${formatDate(point.at)}). `
        + "Its present is saved first as a restore point, so you can undo this.",
      confirmLabel: "Restore" });
    if (!ok) return;
    try {
      const done = await api.restorePoint(pet.id, point.id);
      toast(`Restored. To undo it, restore “${done.undo.name}”.`, "info", 6000);
      onRestored(done.pet);
      await refresh();
    } catch (err) {
      toast(err.message, "error", 8000);
    }
  }

  async function fork(point) {
    const from = point ? `“${point.name}” (age ${formatDuration(point.emulated_seconds)})`
      : `${pet.name} as it is now`;
    const answer = await askFork(`${pet.name.slice(0, 25)} (fork)`, from);
    if (!answer) return;
    try {
      const made = await api.forkPet(pet.id, { name: answer.name, paused: answer.paused,
        point: point ? point.id : null });
      toast(`${made.name} was forked.`);
      onForked(made);
    } catch (err) {
      toast(err.message, "error", 8000);
    }
  }

  async function remove(point) {
    const ok = await confirmDialog({ title: `Delete “${point.name}”?`,
      body: "This restore point is deleted; the pet is not changed.", confirmLabel: "Delete",
      danger: true });
    if (!ok) return;
    try {
      await api.deleteRestorePoint(pet.id, point.id);
      await refresh();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  function item(p) {
    const actions = h("div", { class: "button-row restore-actions" },
      allowed ? h("button", { type: "button", class: "btn btn-small", "data-action": "restore",
        onclick: () => restore(p) }, "Restore…") : null,
      allowed ? h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "fork",
        onclick: () => fork(p) }, "Fork…") : null,
      p.kind !== "auto" ? h("button", { type: "button", class: "btn btn-small btn-quiet",
        "data-action": "delete", "aria-label": `Delete ${p.name}`, onclick: () => remove(p) },
      "Delete") : null);
    return h("li", { class: "list-item restore-item", dataset: { kind: p.kind, point: String(p.id) } },
      h("img", { src: `${p.picture}?scale=2`, alt: `The screen at “${p.name}”`, width: 64,
        height: 32, class: "restore-pic", loading: "lazy" }),
      h("div", { class: "list-main" },
        h("strong", {}, p.name), " ", h("span", { class: "badge" }, KIND[p.kind] || p.kind),
        h("div", { class: "muted small" },
          `pet age ${formatDuration(p.emulated_seconds)} · ${formatDate(p.at)}`),
        actions));
  }

  async function refresh() {
    const data = await api.restorePoints(pet.id);
    allowed = data.restores_allowed;
    const sched = data.schedule;
    note.textContent = `Saved by itself every hour of the pet's life (kept ${sched.hourly_hours} h, `
      + `then one a day for ${sched.daily_days} days). ${data.points.length} points, `
      + `${kb(data.bytes)} of ${kb(sched.bytes_max)}.`
      + (allowed ? "" : " Restores are turned off on this server: what happens stays done.");
    list.replaceChildren(...(data.points.length ? data.points.map(item)
      : [h("li", { class: "list-item muted" }, "No restore points yet: the first automatic one comes when the pet's age reaches the next whole hour.")]));
  }

  const el = h("section", { class: "card restore-card", "data-testid": "restore-points" },
    h("h2", { class: "small-title" }, "Restore points"), note, form, error,
    h("div", { class: "button-row" }, forkNow), list);
  refresh().catch((err) => { note.textContent = err.message; });
  const timer = setInterval(() => refresh().catch(() => {}), 60000);
  return { el, refresh, stop: () => clearInterval(timer) };
}
