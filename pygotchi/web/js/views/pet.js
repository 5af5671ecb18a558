// The pet view: the toy itself, live over the socket. This module loads the pet
// and wires the parts together; each part is what the person sees:
//   pet/screen.js    the shell, LCD, icons, overlay
//   pet/controls.js  the buttons, A+C, Tap, keyboard shortcuts
//   pet/sound.js     the beeper and the sound card
//   pet/status.js    connection, run state, age, catch-up progress
//   pet/menu.js      the pet menu sheet (rename, pause, clock, state files, reset...)
//   pet/hint.js      the first-visit hint of what A, B and C do
//   pet/restore.js   restore points: restore, fork, name, delete
// Other cards about the pet go into `below` (under the status and controls), one
// line each here.

import { api } from "../api.js";
import { h, svg, toast } from "../dom.js";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHORIZED, PetSocket } from "../socket.js";
import { ICONS_UI } from "../ui-icons.js";
import { backgroundFor, petProblem, toyLabel } from "../models.js";
import { petScreen, toyShell } from "./pet/screen.js";
import { petControls } from "./pet/controls.js";
import { petSound } from "./pet/sound.js";
import { catchUpPercent, petStatus } from "./pet/status.js";
import { openPetMenu } from "./pet/menu.js";
import { abcHint } from "./pet/hint.js";
import { restoreCard } from "./pet/restore.js";
import { timelineCard } from "./timeline.js";

/** The one shared debug hook (tests and curious people read it in the console). */
function debugHook(petId) {
  const dbg = {
    petId, beeps: [], frames: 0, seq: null, status: null, socket: "connecting",
    pressed: [], errors: [],
  };
  window.pygotchiDebug = dbg;
  return dbg;
}

function notFound(root) {
  root.append(h("section", { class: "card" },
    h("h1", {}, "Pet not found"),
    h("p", {}, "This pet does not exist, or it is not yours."),
    h("a", { class: "btn btn-primary", href: "#/pets" }, "Back to your pets")));
  return null;
}

export async function petView(root, ctx, petId) {
  let pet;
  let roms = [];
  try {
    [pet, roms] = await Promise.all([api.pet(petId), api.roms().catch(() => [])]);
  } catch (err) {
    if (err.status === 404) return notFound(root);
    throw err;
  }
  const dbg = debugHook(pet.id);
  const buttons = pet.buttons || ["A", "B", "C"];

  // --- the parts --------------------------------------------------------------------
  const screen = petScreen(pet, { onTap: buttons.includes("TAP") ? () => doTap() : null });
  const controls = petControls(buttons, { send: (name, down) => sendButton(name, down),
    tap: () => doTap() });
  const sound = petSound({ onBeep: (rec) => {
    dbg.beeps.push(rec);
    if (dbg.beeps.length > 500) dbg.beeps.splice(0, dbg.beeps.length - 500);
    screen.flashBeep();
  } });
  const status = petStatus({ retry: () => sock.reconnectNow() });
  const below = h("div", { class: "pet-below" });

  const nameEl = h("h1", { class: "pet-title" }, pet.name);
  // The server reports a pet it cannot run (its ROM is gone, its state is broken).
  const problem = petProblem(pet)
    ? h("p", { class: "form-error", role: "alert" }, `This pet cannot run: ${petProblem(pet)}`)
    : null;
  const menuBtn = h("button", { type: "button", class: "icon-btn", "aria-label": "Pet menu",
    title: "Pet menu", "aria-haspopup": "dialog", onclick: () => menu() }, svg(ICONS_UI.gear),
  h("span", { class: "icon-label", "aria-hidden": "true" }, "Menu"));

  const view = h("section", { class: "pet-view" },
    h("div", { class: "pet-bar" },
      h("a", { href: "#/pets", class: "icon-btn", "aria-label": "Back to your pets",
        title: "Your pets" }, svg(ICONS_UI.back),
      h("span", { class: "icon-label", "aria-hidden": "true" }, "Pets")),
      h("div", { class: "pet-heading" }, nameEl,
        h("span", { class: "muted small" }, toyLabel(pet))),
      menuBtn),
    problem,
    h("div", { class: "pet-layout" },
      h("div", { class: "stage" },
        toyShell(backgroundFor(pet, roms), screen.face, controls.group), status.progress),
      h("div", { class: "side" },
        status.row, controls.isAbc ? abcHint() : null, controls.extraRow, sound.card,
        controls.keyHint, below)));
  root.append(view);
  screen.mount();
  const timeline = timelineCard(pet.id);
  const restore = restoreCard(pet, {
    onRestored: (updated) => {
      pet = { ...pet, ...updated };
      setTimeout(timeline.refresh, 1500); // the server writes timeline events in batches
    },
    onForked: (made) => ctx.go(`#/pets/${encodeURIComponent(made.id)}`),
  });
  below.append(restore.el, timeline.el);

  // --- presses ----------------------------------------------------------------------
  const restHeld = new Map();

  function sendButton(name, down) {
    if (sock.button(name, down)) return;
    // No live link: fall back to REST, pressing for as long as the finger was down.
    if (down) {
      restHeld.set(name, performance.now());
      return;
    }
    const since = restHeld.get(name);
    restHeld.delete(name);
    if (since === undefined) return;
    const ms = Math.min(10000, Math.max(80, Math.round(performance.now() - since)));
    api.pressButtons(pet.id, [name], ms).catch((err) => toast(err.message, "error"));
  }

  function doTap() {
    screen.flashTap();
    if (!sock.tap()) {
      api.pressButtons(pet.id, ["TAP"], 150).catch((err) => toast(err.message, "error"));
    }
  }

  // --- live connection ----------------------------------------------------------------
  let lastStatus = null;
  let settingClock = false;
  let sock = null; // (the socket reports its first state while being made)

  function live() {
    return !lastStatus || lastStatus.status === "running";
  }

  function onStatus(st) {
    lastStatus = st;
    dbg.status = st;
    dbg.pressed = st.pressed || [];
    controls.pad.setRemote(st.pressed);
    pet.status = st.status;
    if (!live()) sound.beeper.stop();
    renderStatus();
  }

  function renderStatus() {
    const st = lastStatus?.status || pet.status;
    view.dataset.status = st || "";
    const open = Boolean(sock?.isOpen);
    status.show({ status: st, catchUp: lastStatus?.catch_up, known: open || !lastStatus,
      emulatedSeconds: lastStatus?.emulated_seconds ?? pet.emulated_seconds,
      ticking: lastStatus?.status === "running" && open });
    const why = settingClock ? "The server is setting the toy's clock."
      : st === "paused" ? "The pet is paused." : st === "catching_up" ? "The pet is catching up." : "";
    controls.setEnabled(!why, why);
    if (st === "paused") {
      screen.cover(h("span", {}, "Paused"), h("button", { type: "button",
        class: "btn btn-small", onclick: (e) => { e.stopPropagation(); setPaused(false); },
        onpointerdown: (e) => e.stopPropagation() }, "Resume"));
    } else if (st === "catching_up") {
      screen.cover(h("span", {}, `Catching up ${catchUpPercent(lastStatus?.catch_up)}%`));
    } else {
      screen.cover(null);
    }
  }

  function onState(state, info) {
    dbg.socket = state;
    if (state === "open") dbg.opens = (dbg.opens || 0) + 1;
    view.classList.toggle("offline", state !== "open");
    if (state === "waiting") {
      // The server let go of every button this socket held; so do we.
      controls.pad.releaseAll({ notify: false });
      sound.beeper.stop();
    }
    status.connection(state, info);
    renderStatus();
  }

  sock = new PetSocket(api.socketUrl(pet.id), {
    onScreen: (seq, frame) => {
      screen.draw(frame);
      dbg.frames += 1;
      dbg.seq = seq;
    },
    onBuzzer: (events) => sound.beeper.handle(events, live()),
    onStatus,
    onState,
    onError: (msg) => { dbg.errors.push(msg); toast(msg, "error"); },
    onFatal: (code) => {
      if (code === CLOSE_UNAUTHORIZED) window.dispatchEvent(new CustomEvent("pygotchi:unauthorized"));
      else if (code === CLOSE_NOT_FOUND) toast("This pet is gone.", "error");
      else toast("Too many live views are open for your account: close one and reload.", "error");
    },
  });

  // Tests (and the curious) can cut the link as a flaky network would: the
  // socket must come back by itself and the server re-sends the screen.
  dbg.dropConnection = () => sock.ws?.close(4000, "dropped for a test");

  // --- the toy's clock ----------------------------------------------------------------

  async function setClock() {
    const now = new Date();
    settingClock = true;
    renderStatus();
    const note = h("p", { class: "card clock-note", role: "status" },
      "Setting the toy's clock to your time: the server is pressing its buttons for you…");
    status.row.after(note);
    try {
      const done = await api.setClock(pet.id, now);
      const [hh, mm] = done.time.split(":").map(Number);
      const shown = new Date(2000, 0, 1, hh, mm).toLocaleTimeString([],
        { hour: "2-digit", minute: "2-digit" });
      toast(`The toy's clock now reads ${shown}.`, "info", 6000);
    } catch (err) {
      toast(err.message, "error", 8000);
    } finally {
      note.remove();
      settingClock = false;
      renderStatus();
    }
  }

  // --- pet menu -----------------------------------------------------------------------
  async function setPaused(paused) {
    try {
      pet = await api.updatePet(pet.id, { paused });
      if (!lastStatus) renderStatus();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  function menu() {
    openPetMenu(pet, {
      status: () => lastStatus,
      age: () => status.ageNow(),
      setPaused,
      setClock: pet.set_clock ? setClock : null,
      clockBusy: () => settingClock,
      onChange: (updated) => {
        pet = { ...pet, ...updated };
        nameEl.textContent = pet.name;
        screen.rename(pet.name);
      },
      onDeleted: () => ctx.go("#/pets"),
    });
  }

  renderStatus();

  return () => {
    timeline.stop();
    restore.stop();
    sock.close();
    sound.destroy();
    controls.destroy();
    screen.destroy();
    status.destroy();
  };
}
