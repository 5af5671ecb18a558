// The pet menu (a sheet on phones, a dialog on desktop): what the owner can do
// to a pet besides playing with it. Every action goes through the REST API; the
// live view picks the results up from the socket (the server re-sends the screen
// and status after a reset or a state load).

import { api } from "../../api.js";
import { busy, confirmDialog, field, formatDate, formatDuration, h, showError, svg, toast } from "../../dom.js";
import { ICONS_UI } from "../../ui-icons.js";
import { petProblem } from "../../models.js";
import { autopilotSection } from "../autopilot.js";
import { applyLabels, settings } from "../../settings.js";

const CATCH_UP = {
  catch_up: "Live on, catch up later",
  pause_while_down: "Pause with the server",
};

export function openPetMenu(pet, { status, age, setPaused, setClock, clockBusy, onChange,
  onDeleted }) {
  const dlg = h("dialog", { class: "dialog sheet", "aria-labelledby": "pet-menu-title" });
  const close = () => dlg.close();
  const st = status();
  const paused = (st?.status || pet.status) === "paused";

  // -- about (the age ticks along while the menu is open)
  const ageText = h("span", { "data-testid": "menu-age" });
  const showAge = () => {
    ageText.textContent = formatDuration(age ? age() : st?.emulated_seconds ?? pet.emulated_seconds);
  };
  showAge();
  const ageTimer = setInterval(showAge, 1000);
  const romRows = h("dl", { class: "facts" },
    fact("ROM", pet.rom?.name || "?"),
    fact("Model", pet.rom?.model_name || pet.model || "?"),
    petProblem(pet) ? fact("Problem", petProblem(pet)) : null,
    fact("ROM id", h("code", { title: pet.rom?.id || "" }, (pet.rom?.id || "").slice(0, 12) || "?")),
    fact("Hatched", formatDate(pet.created_at)),
    fact("Age", ageText));
  // Chip and size live in the ROM library; fetch them without holding up the menu.
  api.roms().then((roms) => {
    const rom = roms.find((r) => r.id === pet.rom?.id);
    if (rom) {
      romRows.append(fact("Chip", rom.chip), fact("Program", `${rom.words} words`));
    }
  }).catch(() => {});

  // -- rename
  const nameInput = h("input", { value: pet.name, maxlength: "40", required: true,
    autocomplete: "off", "aria-label": "Pet name" });
  const renameErr = h("p", { class: "form-error", role: "alert", hidden: true });
  const renameForm = h("form", { class: "inline-form" },
    h("div", { class: "field" }, nameInput),
    h("button", { class: "btn btn-soft", type: "submit" }, "Rename"));
  renameForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(renameErr, null);
    await busy(renameForm, async () => {
      try {
        const updated = await api.updatePet(pet.id, { name: nameInput.value.trim() });
        Object.assign(pet, updated);
        onChange(updated);
        toast("Renamed.");
      } catch (err) {
        showError(renameErr, err);
      }
    });
  });

  // -- running
  const pauseBtn = h("button", { type: "button", class: "btn btn-soft", "data-action": "pause",
    onclick: async () => {
      await setPaused(!paused);
      close();
    } }, paused ? "Resume" : "Pause");
  const catchUp = h("select", {
    onchange: async () => {
      try {
        const updated = await api.updatePet(pet.id, { catch_up: catchUp.value });
        Object.assign(pet, updated);
        onChange(updated);
        toast("Saved.");
      } catch (err) {
        toast(err.message, "error");
        catchUp.value = pet.catch_up;
      }
    } },
  Object.entries(CATCH_UP).map(([value, text]) =>
    h("option", { value, selected: pet.catch_up === value }, text)));

  // -- the toy's own clock
  const clockPart = setClock
    ? [h("p", { class: "muted small" }, "Sets the clock on the toy's screen to this phone's time. ",
      "The server presses the toy's buttons for you, as you would (it takes up to half a ",
      "minute; you can watch it happen)."),
    h("div", { class: "button-row" }, h("button", { type: "button", class: "btn btn-soft",
      "data-action": "set-clock", disabled: clockBusy?.() || paused,
      onclick: () => { close(); setClock(); } },
    `Set to my time (${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })})`)),
    paused ? h("p", { class: "muted small" }, "Resume the pet first.") : null]
    : [h("p", { class: "muted small", "data-testid": "clock-unsupported" },
      "Setting the clock for you works on the Tamagotchi P1 and P2 only. On this toy, set it ",
      "with its own buttons.")];

  // -- what the app shows
  const labels = h("input", { type: "checkbox", checked: settings.labels,
    onchange: () => { settings.labels = labels.checked; applyLabels(labels.checked); } });
  const display = h("label", { class: "check" }, labels,
    "Show names under the icons and buttons");

  // -- save / load state
  const saveLinks = h("div", { class: "button-row" },
    h("a", { class: "btn btn-soft", href: api.stateUrl(pet.id, "pygotchi"), download: "",
      "data-action": "save-pygotchi" }, svg(ICONS_UI.download), "pygotchi state"),
    h("a", { class: "btn btn-soft", href: api.stateUrl(pet.id, "tlst"), download: "",
      "data-action": "save-tlst" }, svg(ICONS_UI.download), "TamaTool (TLST)"));

  const file = h("input", { type: "file", name: "file", required: true,
    accept: ".bin,.tlst,.state,.pgstate,application/octet-stream" });
  const loadErr = h("p", { class: "form-error", role: "alert", hidden: true });
  const loadForm = h("form", { class: "stack" },
    field("State file", file, "A pygotchi state, a TamaTool TLST save or an original pygotchi cpu.bin."),
    loadErr,
    h("button", { class: "btn btn-soft", type: "submit" }, svg(ICONS_UI.upload), "Load state"));
  loadForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(loadErr, null);
    if (!file.files?.length) return;
    const ok = await confirmDialog({ title: `Load this state into ${pet.name}?`,
      body: "The pet's current life is replaced by the one in the file. Save a copy first if you want to keep it.",
      confirmLabel: "Load" });
    if (!ok) return;
    await busy(loadForm, async () => {
      try {
        const updated = await api.loadState(pet.id, file.files[0]);
        if (updated) onChange(updated);
        toast("State loaded.");
        close();
      } catch (err) {
        showError(loadErr, err);
      }
    });
  });

  // -- danger zone
  const resetBtn = h("button", { type: "button", class: "btn btn-danger-soft", "data-action": "reset",
    onclick: async () => {
      const ok = await confirmDialog({ title: `Reset ${pet.name}?`,
        body: "This is the reset button on the back of the toy: the pet starts over from an egg. This cannot be undone.",
        confirmLabel: "Reset", danger: true });
      if (!ok) return;
      try {
        const updated = await api.resetPet(pet.id);
        if (updated) onChange(updated);
        toast("Reset. A new egg!");
        close();
      } catch (err) {
        toast(err.message, "error");
      }
    } }, "Reset…");
  const deleteBtn = h("button", { type: "button", class: "btn btn-danger", "data-action": "delete",
    onclick: async () => {
      const ok = await confirmDialog({ title: `Delete ${pet.name}?`,
        body: "The pet and its whole life are deleted from the server. This cannot be undone.",
        confirmLabel: "Delete", danger: true });
      if (!ok) return;
      try {
        await api.deletePet(pet.id);
        toast(`${pet.name} was deleted.`);
        close();
        onDeleted();
      } catch (err) {
        toast(err.message, "error");
      }
    } }, "Delete…");

  dlg.append(
    h("div", { class: "sheet-head" },
      h("h2", { id: "pet-menu-title" }, pet.name),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: close },
        svg(ICONS_UI.close))),
    h("div", { class: "sheet-body" },
      section("About", romRows),
      section("Name", renameForm, renameErr),
      section("Time", h("div", { class: "button-row" }, pauseBtn),
        field("When the server is down", catchUp,
          "Live on: when the server is back, the pet catches up on the time it missed, as a toy left alone would. Pause: its time stops too.")),
      autopilotSection(pet, { onChange, section }),
      section("Toy's clock", ...clockPart),
      section("Display", display),
      section("Save state", h("p", { class: "muted small" },
        "Download the pet's whole life as a file, to keep or to load elsewhere."), saveLinks),
      section("Load state", loadForm),
      section("Debugger", h("p", { class: "muted small" },
        "Step through the toy's program, set breakpoints, look at and change its memory, ",
        "even step backwards, on a copy of the pet (the pet is paused meanwhile)."),
      h("div", { class: "button-row" }, h("a", { class: "btn btn-soft", "data-action": "debug",
        href: `#/pets/${encodeURIComponent(pet.id)}/debug`, onclick: close }, "Open the debugger"))),
      section("Start over", h("div", { class: "button-row" }, resetBtn, deleteBtn))));

  dlg.addEventListener("close", () => {
    clearInterval(ageTimer);
    dlg.remove();
  });
  // A click on the backdrop (outside the sheet's box) closes it, as people expect.
  dlg.addEventListener("click", (e) => {
    if (e.target !== dlg) return;
    const r = dlg.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) close();
  });
  document.body.append(dlg);
  dlg.showModal();
}

function fact(label, value) {
  return h("div", { class: "fact" }, h("dt", {}, label), h("dd", {}, value));
}

function section(title, ...body) {
  return h("section", { class: "sheet-section" }, h("h3", {}, title), ...body);
}
