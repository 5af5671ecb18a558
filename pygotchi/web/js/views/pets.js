// The pet list: one card per pet with a small live thumbnail and its age, and the
// form that hatches a new one from a ROM of the library (the built-in demo included).
//
// Live at low cost: every couple of seconds, while the page is visible, one small
// request (GET /api/pets/screens) brings every pet's latest screen, status and age
// as the scheduler last ran it; it never makes a pet run more often. Between
// glances the ages tick locally.

import { api } from "../api.js";
import { busy, field, formatDuration, h, showError, svg } from "../dom.js";
import { eggSvg, themeFor } from "../art.js";
import { backgroundFor, petProblem, romLabel, toyLabel } from "../models.js";

const STATUS_LABEL = { running: "Running", paused: "Paused", catching_up: "Catching up" };
// Not a whole number of seconds: toys animate in steps of half a second and idle pets
// run twice a second, so a 2 s glance would catch a bobbing pet in the same pose
// every time and its thumbnail would look frozen.
const GLANCE_MS = 1750;

export async function petsView(root, ctx) {
  const [pets, roms] = await Promise.all([api.pets(), api.roms()]);
  const isAdmin = ctx.user.role === "admin";

  const list = h("ul", { class: "pet-grid", "aria-label": "Your pets" });
  const cards = new Map();
  for (const pet of pets) {
    const card = petCard(pet, roms);
    cards.set(pet.id, card);
    list.append(card.element);
  }

  const page = h("section", { class: "page" },
    h("div", { class: "page-head" },
      h("h1", {}, "Your pets"),
      pets.length ? h("p", { class: "muted" }, pets.length === 1 ? "1 pet" : `${pets.length} pets`) : null),
    pets.length ? list : emptyState(),
    createForm(roms, isAdmin, ctx));
  root.append(page);
  return pets.length ? keepLive(cards) : null;
}

/** Glance at every pet now and then; returns the view's cleanup. */
function keepLive(cards) {
  let timer = null;
  let stopped = false;
  const glance = async () => {
    timer = null;
    if (stopped || document.visibilityState !== "visible") return;
    try {
      for (const g of await api.petScreens()) cards.get(g.id)?.update(g);
    } catch { /* the next glance may work; the list stays as it was */ }
    if (!stopped) timer = setTimeout(glance, GLANCE_MS);
  };
  const onVisible = () => { if (!timer && document.visibilityState === "visible") glance(); };
  const tick = setInterval(() => cards.forEach((c) => c.tick()), 1000);
  document.addEventListener("visibilitychange", onVisible);
  glance();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(tick);
    document.removeEventListener("visibilitychange", onVisible);
  };
}

function emptyState() {
  return h("div", { class: "empty" },
    svg(eggSvg("demo", 96)),
    h("p", {}, h("strong", {}, "No pets yet."), " Hatch one below: the demo ROM is always there."));
}

function petCard(pet, roms) {
  const thumb = h("canvas", { class: "thumb", width: 64, height: 32, "aria-hidden": "true" });
  const theme = themeFor(backgroundFor(pet, roms));
  const chip = h("span", {});
  const ageText = h("span", { class: "muted", "data-testid": "pet-age" });
  let age = { secs: pet.emulated_seconds, at: performance.now(), status: pet.status || "running" };
  const show = () => {
    chip.className = `chip chip-${age.status}`;
    chip.textContent = STATUS_LABEL[age.status] || age.status;
    const secs = age.secs + (age.status === "running" ? (performance.now() - age.at) / 1000 : 0);
    ageText.textContent = `age ${formatDuration(secs)}`;
  };
  show();
  let seq = null;
  const element = h("li", { class: "pet-card" },
    h("a", { href: `#/pets/${encodeURIComponent(pet.id)}`, class: "pet-link",
      style: { "--card-accent": theme.shell[1], "--card-light": theme.shell[0] } },
    h("span", { class: "thumb-frame" }, thumb),
    h("span", { class: "pet-meta" },
      h("span", { class: "pet-name" }, pet.name),
      h("span", { class: "muted small" }, toyLabel(pet)),
      petProblem(pet) ? h("span", { class: "small error-text" }, petProblem(pet)) : null,
      h("span", { class: "small" }, chip, " ", ageText))));
  return {
    element,
    tick: show,
    update(g) {
      age = { secs: g.emulated_seconds, at: performance.now(), status: g.status };
      show();
      if (g.seq !== seq) {
        seq = g.seq;
        thumb.dataset.seq = String(seq);
        drawThumb(thumb, g.frame);
      }
    },
  };
}

/** Draw a 65-byte screen (hex, the live view's layout) at 2x2 pixels per dot. */
function drawThumb(canvas, hex) {
  const g = canvas.getContext("2d");
  g.fillStyle = "#c3cdb2";
  g.fillRect(0, 0, 64, 32);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 32; x++) {
      const byte = parseInt(hex.substr(2 * (4 * y + (x >> 3)), 2), 16);
      g.fillStyle = byte & (0x80 >> (x & 7)) ? "#1c211d" : "rgba(28,33,29,0.07)";
      g.fillRect(x * 2, y * 2, 2, 2);
    }
  }
}

function createForm(roms, isAdmin, ctx) {
  const name = h("input", { name: "name", required: true, maxlength: "40", autocomplete: "off",
    placeholder: "e.g. Mochi" });
  const sorted = [...roms].sort((a, b) => (b.builtin - a.builtin) || a.name.localeCompare(b.name));
  const rom = h("select", { name: "rom", required: true },
    sorted.map((r) => h("option", { value: r.id },
      r.builtin ? `${r.name} (built-in)`
        : r.name === romLabel(r) ? r.name : `${r.name} — ${romLabel(r)}`)));
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
