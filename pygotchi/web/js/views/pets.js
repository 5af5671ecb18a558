// The pet list: one card per pet with a small live-ish thumbnail, and the form
// that hatches a new one from a ROM of the library (the built-in demo included).

import { api } from "../api.js";
import { busy, field, formatDuration, h, showError, svg } from "../dom.js";
import { eggSvg, themeFor } from "../art.js";
import { backgroundFor, petProblem, romLabel, toyLabel } from "../models.js";

const STATUS_LABEL = { running: "Awake", paused: "Paused", catching_up: "Catching up" };

export async function petsView(root, ctx) {
  const [pets, roms] = await Promise.all([api.pets(), api.roms()]);
  const isAdmin = ctx.user.role === "admin";

  const list = h("ul", { class: "pet-grid", "aria-label": "Your pets" });
  for (const pet of pets) list.append(petCard(pet, roms));

  const page = h("section", { class: "page" },
    h("div", { class: "page-head" },
      h("h1", {}, "Your pets"),
      pets.length ? h("p", { class: "muted" }, pets.length === 1 ? "1 pet" : `${pets.length} pets`) : null),
    pets.length ? list : emptyState(),
    createForm(roms, isAdmin, ctx));
  root.append(page);
}

function emptyState() {
  return h("div", { class: "empty" },
    svg(eggSvg("demo", 96)),
    h("p", {}, h("strong", {}, "No pets yet."), " Hatch one below: the demo ROM is always there."));
}

function petCard(pet, roms) {
  const thumb = h("canvas", { class: "thumb", width: 64, height: 32, "aria-hidden": "true" });
  drawThumb(thumb, pet.id);
  const theme = themeFor(backgroundFor(pet, roms));
  const status = pet.status || "running";
  return h("li", { class: "pet-card" },
    h("a", { href: `#/pets/${encodeURIComponent(pet.id)}`, class: "pet-link",
      style: { "--card-accent": theme.shell[1], "--card-light": theme.shell[0] } },
    h("span", { class: "thumb-frame" }, thumb),
    h("span", { class: "pet-meta" },
      h("span", { class: "pet-name" }, pet.name),
      h("span", { class: "muted small" }, toyLabel(pet)),
      petProblem(pet) ? h("span", { class: "small error-text" }, petProblem(pet)) : null,
      h("span", { class: "small" },
        h("span", { class: `chip chip-${status}` }, STATUS_LABEL[status] || status),
        " ", h("span", { class: "muted" }, `age ${formatDuration(pet.emulated_seconds)}`)))));
}

async function drawThumb(canvas, petId) {
  // The JSON screen is a small request and lets the thumbnail use the same
  // colours as the big LCD (the PNG endpoint has its own palette and layout).
  try {
    const screen = await fetch(`/api/pets/${encodeURIComponent(petId)}/screen`,
      { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null));
    if (!screen?.pixels) return;
    const g = canvas.getContext("2d");
    g.fillStyle = "#c3cdb2";
    g.fillRect(0, 0, 64, 32);
    screen.pixels.forEach((row, y) => {
      for (let x = 0; x < row.length; x++) {
        g.fillStyle = row[x] === "#" ? "#1c211d" : "rgba(28,33,29,0.07)";
        g.fillRect(x * 2, y * 2, 2, 2);
      }
    });
  } catch { /* a blank thumbnail is fine */ }
}

function createForm(roms, isAdmin, ctx) {
  const name = h("input", { name: "name", required: true, maxlength: "40", autocomplete: "off",
    placeholder: "e.g. Mochi" });
  const sorted = [...roms].sort((a, b) => (b.builtin - a.builtin) || a.name.localeCompare(b.name));
  const rom = h("select", { name: "rom", required: true },
    sorted.map((r) => h("option", { value: r.id },
      r.builtin ? `${r.name} (built-in)` : `${r.name} — ${romLabel(r)}`)));
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "stack", "aria-labelledby": "new-pet-title" },
    field("Name", name),
    field("ROM", rom, isAdmin
      ? h("span", {}, "Need another toy? ", h("a", { href: "#/roms" }, "Add a ROM to the library"), ".")
      : "ROMs are added by the administrator."),
    error,
    h("button", { class: "btn btn-primary btn-block", type: "submit" }, "Hatch"));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    await busy(form, async () => {
      try {
        const pet = await api.createPet(name.value.trim(), rom.value);
        ctx.go(`#/pets/${encodeURIComponent(pet.id)}`);
      } catch (err) {
        showError(error, err);
      }
    });
  });

  return h("section", { class: "card new-pet" },
    h("h2", { id: "new-pet-title" }, "Hatch a new pet"),
    form);
}
