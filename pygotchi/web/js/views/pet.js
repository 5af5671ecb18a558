// The pet view: the toy itself (shell, icons, LCD, buttons), live over the socket,
// plus sound settings and the pet menu.

import { api } from "../api.js";
import { formatDuration, h, svg, toast } from "../dom.js";
import { themeFor, themeStyle } from "../art.js";
import { ICON_LABELS, iconSvg, iconsFor } from "../icons.js";
import { Lcd } from "../lcd.js";
import { Beeper } from "../audio.js";
import { ButtonPad } from "../pad.js";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHORIZED, PetSocket } from "../socket.js";
import { settings } from "../settings.js";
import { openPetMenu } from "../petmenu.js";
import { ICONS_UI } from "../ui-icons.js";
import { backgroundFor, petProblem, toyLabel } from "../models.js";

// What the three buttons do on the first toys; screen readers read these.
const ABC_HINTS = { A: "select", B: "confirm", C: "cancel" };
const KEY_HINT = { A: "1 or A", B: "2 or S", C: "3 or D" };

/** The one shared debug hook (tests and curious people read it in the console). */
function debugHook(petId) {
  const dbg = {
    petId, beeps: [], frames: 0, seq: null, status: null, socket: "connecting",
    pressed: [], errors: [],
  };
  window.pygotchiDebug = dbg;
  return dbg;
}

export async function petView(root, ctx, petId) {
  let pet;
  let roms = [];
  try {
    [pet, roms] = await Promise.all([api.pet(petId), api.roms().catch(() => [])]);
  } catch (err) {
    if (err.status === 404) {
      root.append(h("section", { class: "card" },
        h("h1", {}, "Pet not found"),
        h("p", {}, "This pet does not exist, or it is not yours."),
        h("a", { class: "btn btn-primary", href: "#/pets" }, "Back to your pets")));
      return null;
    }
    throw err;
  }
  const dbg = debugHook(pet.id);
  const background = backgroundFor(pet, roms);
  const buttons = pet.buttons || ["A", "B", "C"];
  const hasTap = buttons.includes("TAP");
  const pressButtons = buttons.filter((b) => b !== "TAP");
  const isAbc = pressButtons.length === 3 && ["A", "B", "C"].every((b) => pressButtons.includes(b));

  // --- the toy ------------------------------------------------------------------
  const canvas = h("canvas", {
    class: "lcd", role: "img", "aria-label": `${pet.name}'s screen`,
    "aria-roledescription": "LCD", "data-testid": "lcd",
  });
  const lcd = new Lcd(canvas);
  const overlay = h("div", { class: "lcd-overlay", hidden: true, "aria-live": "polite" });
  const slot = h("div", { class: hasTap ? "lcd-slot tappable" : "lcd-slot" }, canvas, overlay);
  if (hasTap) slot.title = "Tap the screen";

  const iconNames = iconsFor(pet.model, pet.icons);
  const iconEls = iconNames.map((name, i) => h("span", {
    class: "lcd-icon", role: "img", "data-icon": name, "data-bit": String(i),
    "aria-label": `${ICON_LABELS[name] || name}: off`,
  }, iconSvg(name)));
  const beepDot = h("span", { class: "beep-dot", "aria-hidden": "true" }, svg(ICONS_UI.note));

  const face = h("div", { class: "faceplate" },
    h("div", { class: "icon-row" }, iconEls.slice(0, 4)),
    slot,
    h("div", { class: "icon-row" }, iconEls.slice(4, 8)),
    beepDot);

  const pad = new ButtonPad((name, down) => sendButton(name, down));
  const buttonEls = pressButtons.map((name) => pad.bind(h("button", {
    type: "button", class: isAbc ? `toy-btn toy-btn-${name.toLowerCase()}` : "toy-btn toy-btn-pill",
    "data-button": name,
    "aria-label": isAbc ? `${name} button (${ABC_HINTS[name]})` : `${label(name)} button`,
    title: isAbc ? `${name}: ${ABC_HINTS[name]} (key ${KEY_HINT[name]})` : label(name),
  }, isAbc ? h("span", { class: "toy-btn-letter", "aria-hidden": "true" }, name) : label(name)),
  [name]));

  const shell = h("div", {
    class: "shell", style: themeStyle(background),
    "data-background": background, "data-theme": themeFor(background).name,
  },
  h("div", { class: "shell-loop", "aria-hidden": "true" }),
  h("div", { class: "shell-motif", "aria-hidden": "true" }),
  face,
  h("div", { class: isAbc ? "toy-buttons abc" : "toy-buttons grid", role: "group",
    "aria-label": "Toy buttons" }, buttonEls),
  h("div", { class: "shell-brand", "aria-hidden": "true" }, "pygotchi"));

  // --- below the toy ------------------------------------------------------------
  const extra = [];
  if (buttons.includes("A") && buttons.includes("C")) {
    extra.push(pad.bind(h("button", { type: "button", class: "btn btn-soft hold-btn",
      "data-button": "A+C", "aria-label": "A and C together", title: "A+C (key Space)" },
    "A+C"), ["A", "C"]));
  }
  if (hasTap) {
    extra.push(h("button", { type: "button", class: "btn btn-soft", "data-button": "TAP",
      title: "Tap the screen (key T)", onclick: () => doTap() }, "Tap"));
  }

  const beeper = new Beeper({ volume: settings.volume, muted: settings.muted,
    vibrate: settings.vibrate });
  beeper.onBeep = (rec) => {
    dbg.beeps.push(rec);
    if (dbg.beeps.length > 500) dbg.beeps.splice(0, dbg.beeps.length - 500);
    beepDot.classList.remove("on");
    void beepDot.offsetWidth; // restart the CSS animation
    beepDot.classList.add("on");
  };
  const unlock = () => beeper.unlock();
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);
  // Arriving here by a click or tap (the usual way) already counts as a gesture for
  // the autoplay rules, so the first beep can play before the next touch.
  if (navigator.userActivation?.hasBeenActive) unlock();

  const muteBtn = h("button", { type: "button", class: "icon-btn", "data-testid": "mute",
    onclick: () => setMuted(!beeper.muted) });
  const volume = h("input", { type: "range", min: "0", max: "100", step: "1",
    value: String(Math.round(beeper.volume * 100)), "aria-label": "Volume", class: "volume",
    oninput: () => {
      beeper.setVolume(volume.value / 100);
      settings.volume = beeper.volume;
      if (beeper.muted && beeper.volume > 0) setMuted(false);
    },
    onchange: () => beeper.chirp() });
  function setMuted(m) {
    beeper.setMuted(m);
    settings.muted = m;
    muteBtn.replaceChildren(svg(m ? ICONS_UI.soundOff : ICONS_UI.soundOn));
    // A toggle: constant name, the state is in aria-pressed.
    muteBtn.setAttribute("aria-label", "Mute sound");
    muteBtn.setAttribute("aria-pressed", String(m));
    muteBtn.title = m ? "Unmute" : "Mute";
  }
  setMuted(beeper.muted);

  const soundRow = h("div", { class: "sound-row" }, muteBtn, volume);
  if ("vibrate" in navigator) {
    const vib = h("input", { type: "checkbox", checked: beeper.vibrate,
      onchange: () => { beeper.vibrate = vib.checked; settings.vibrate = vib.checked; } });
    soundRow.append(h("label", { class: "check" }, vib, "Vibrate"));
  }

  const connPill = h("span", { class: "pill pill-connecting", "data-testid": "connection",
    role: "status" }, "Connecting…");
  const retryBtn = h("button", { type: "button", class: "link-btn", hidden: true,
    onclick: () => sock.reconnectNow() }, "Retry now");
  const statusText = h("span", { class: "muted small" });
  const ageText = h("span", { class: "muted small", title: "Time lived on the pet's own clock" });
  const progress = h("div", { class: "catchup", hidden: true },
    h("div", { class: "catchup-label" }),
    h("div", { class: "bar" }, h("div", { class: "bar-fill" })));

  const nameEl = h("h1", { class: "pet-title" }, pet.name);
  const modelEl = h("span", { class: "muted small" }, toyLabel(pet));
  // The server reports a pet it cannot run (its ROM is gone, its state is broken).
  const problem = petProblem(pet)
    ? h("p", { class: "form-error", role: "alert" }, `This pet cannot run: ${petProblem(pet)}`)
    : null;
  const menuBtn = h("button", { type: "button", class: "icon-btn", "aria-label": "Pet menu",
    title: "Pet menu", "aria-haspopup": "dialog", onclick: () => menu() }, svg(ICONS_UI.gear));

  // Desktop only (CSS shows it for fine pointers): the shortcuts as keycaps.
  const kbd = (...keys) => keys.map((k, i) => [i ? " " : "", h("kbd", {}, k)]);
  const hints = isAbc
    ? [["A", kbd("1", "A")], ["B", kbd("2", "S")], ["C", kbd("3", "D")], ["A+C", kbd("Space")]]
    : pressButtons.slice(0, 9).map((b, i) => [label(b), kbd(String(i + 1))]);
  if (!isAbc && buttons.includes("A") && buttons.includes("C")) hints.push(["A+C", kbd("Space")]);
  if (hasTap) hints.push(["Tap", kbd("T")]);
  const keyHint = h("div", { class: "key-hint" },
    h("h2", { class: "small-title" }, "Keyboard"),
    h("dl", { class: "keys" }, hints.map(([what, keys]) =>
      h("div", {}, h("dt", {}, what), h("dd", {}, keys)))),
    h("p", { class: "muted small" }, "Hold a key as long as you would hold the button."));

  const view = h("section", { class: "pet-view" },
    h("div", { class: "pet-bar" },
      h("a", { href: "#/pets", class: "icon-btn", "aria-label": "Back to your pets",
        title: "Your pets" }, svg(ICONS_UI.back)),
      h("div", { class: "pet-heading" }, nameEl, modelEl),
      menuBtn),
    problem,
    h("div", { class: "pet-layout" },
      h("div", { class: "stage" }, shell, progress),
      h("div", { class: "side" },
        h("div", { class: "status-row" }, connPill, retryBtn, statusText, ageText),
        extra.length ? h("div", { class: "extra-row" }, extra) : null,
        h("div", { class: "card sound-card" },
          h("h2", { class: "small-title" }, "Sound"), soundRow),
        keyHint)));
  root.append(view);

  // --- sizing ---------------------------------------------------------------------
  const ro = new ResizeObserver(() => lcd.fit(slot.clientWidth));
  ro.observe(slot);
  lcd.fit(slot.clientWidth || 224);

  // --- keyboard -----------------------------------------------------------------
  const keys = {};
  if (isAbc) {
    Object.assign(keys, { 1: ["A"], a: ["A"], 2: ["B"], s: ["B"], 3: ["C"], d: ["C"],
      " ": ["A", "C"] });
  } else {
    pressButtons.slice(0, 9).forEach((b, i) => { keys[String(i + 1)] = [b]; });
    if (buttons.includes("A") && buttons.includes("C")) keys[" "] = ["A", "C"];
  }
  pad.setKeys(keys);
  const onTapKey = (e) => {
    if (!hasTap || e.repeat || e.key.toLowerCase() !== "t" || e.ctrlKey || e.metaKey) return;
    if (e.target.closest?.("input,select,textarea,dialog")) return;
    doTap();
  };
  document.addEventListener("keydown", onTapKey);

  // --- live connection ------------------------------------------------------------
  let lastStatus = null;
  let statusAt = 0;
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
    slot.classList.remove("tapped");
    void slot.offsetWidth;
    slot.classList.add("tapped");
    if (!sock.tap()) {
      api.pressButtons(pet.id, ["TAP"], 150).catch((err) => toast(err.message, "error"));
    }
  }
  if (hasTap) {
    slot.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      e.preventDefault();
      doTap();
    });
  }

  function onScreen(seq, frame) {
    lcd.setFrame(frame);
    dbg.frames += 1;
    dbg.seq = seq;
    const icons = frame[64];
    iconEls.forEach((el, i) => {
      const on = (icons & (1 << i)) !== 0;
      if (el.classList.contains("on") !== on) {
        el.classList.toggle("on", on);
        el.setAttribute("aria-label", `${ICON_LABELS[iconNames[i]] || iconNames[i]}: ${on ? "on" : "off"}`);
      }
    });
  }

  function live() {
    return !lastStatus || lastStatus.status === "running";
  }

  function onStatus(st) {
    lastStatus = st;
    statusAt = performance.now();
    dbg.status = st;
    dbg.pressed = st.pressed || [];
    pad.setRemote(st.pressed);
    pet.status = st.status;
    if (!live()) beeper.stop();
    renderStatus();
  }

  function renderStatus() {
    const st = lastStatus?.status || pet.status;
    statusText.textContent = { running: "awake", paused: "paused", catching_up: "catching up" }[st] || st || "";
    view.dataset.status = st || "";
    if (st === "paused") {
      overlay.hidden = false;
      overlay.replaceChildren(h("span", {}, "Paused"), h("button", { type: "button",
        class: "btn btn-small", onclick: (e) => { e.stopPropagation(); setPaused(false); },
        onpointerdown: (e) => e.stopPropagation() }, "Resume"));
    } else if (st === "catching_up") {
      const cu = lastStatus?.catch_up;
      const pct = cu && cu.total_s > 0 ? Math.min(100, Math.floor((100 * cu.done_s) / cu.total_s)) : 0;
      overlay.hidden = false;
      overlay.replaceChildren(h("span", {}, `Catching up ${pct}%`));
      progress.hidden = false;
      progress.querySelector(".catchup-label").textContent =
        cu ? `Catching up on ${formatDuration(cu.total_s)} away: ${pct}%` : "Catching up…";
      progress.querySelector(".bar-fill").style.width = `${pct}%`;
    } else {
      overlay.hidden = true;
      progress.hidden = true;
    }
    renderAge();
  }

  function renderAge() {
    let secs = lastStatus?.emulated_seconds ?? pet.emulated_seconds ?? 0;
    // Between status messages the pet keeps living: advance the clock locally
    // (only while connected: offline we do not know what the pet is doing).
    if (lastStatus?.status === "running" && sock?.isOpen) {
      secs += (performance.now() - statusAt) / 1000;
    }
    ageText.textContent = `age ${formatDuration(secs)}`;
  }
  const ageTimer = setInterval(renderAge, 1000);

  function onState(state, info) {
    dbg.socket = state;
    view.classList.toggle("offline", state !== "open");
    connPill.className = `pill pill-${state}`;
    retryBtn.hidden = state !== "waiting";
    clearInterval(countdown);
    if (state === "open") {
      dbg.opens = (dbg.opens || 0) + 1;
      connPill.textContent = "Live";
    } else if (state === "connecting") {
      connPill.textContent = info.attempt ? "Reconnecting…" : "Connecting…";
    } else if (state === "waiting") {
      // The server let go of every button this socket held; so do we.
      pad.releaseAll({ notify: false });
      beeper.stop();
      const tick = () => {
        const s = Math.max(0, Math.ceil((info.retryAt - Date.now()) / 1000));
        connPill.textContent = s > 0 ? `Offline, retry in ${s} s` : "Reconnecting…";
      };
      tick();
      countdown = setInterval(tick, 500);
    } else {
      connPill.textContent = "Disconnected";
    }
  }
  let countdown = null;

  const sock = new PetSocket(api.socketUrl(pet.id), {
    onScreen,
    onBuzzer: (events) => beeper.handle(events, live()),
    onStatus,
    onState,
    onError: (msg) => { dbg.errors.push(msg); toast(msg, "error"); },
    onFatal: (code) => {
      if (code === CLOSE_UNAUTHORIZED) window.dispatchEvent(new CustomEvent("pygotchi:unauthorized"));
      else if (code === CLOSE_NOT_FOUND) toast("This pet is gone.", "error");
    },
  });

  // Tests (and the curious) can cut the link as a flaky network would: the
  // socket must come back by itself and the server re-sends the screen.
  dbg.dropConnection = () => sock.ws?.close(4000, "dropped for a test");

  // --- pet menu -------------------------------------------------------------------
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
      setPaused,
      onChange: (updated) => {
        pet = { ...pet, ...updated };
        nameEl.textContent = pet.name;
        canvas.setAttribute("aria-label", `${pet.name}'s screen`);
      },
      onDeleted: () => ctx.go("#/pets"),
    });
  }

  renderStatus();

  return () => {
    sock.close();
    beeper.stop();
    pad.destroy();
    ro.disconnect();
    lcd.destroy();
    clearInterval(ageTimer);
    clearInterval(countdown);
    document.removeEventListener("pointerdown", unlock, true);
    document.removeEventListener("keydown", unlock, true);
    document.removeEventListener("keydown", onTapKey);
    beeper.ctx?.close().catch(() => {});
  };
}

function label(name) {
  return name.charAt(0) + name.slice(1).toLowerCase();
}
