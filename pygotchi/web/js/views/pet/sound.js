// The pet's sound: the beeper that plays the toy's buzzer, and the card with
// mute, volume and (on phones and tablets, where there is a motor to run)
// vibration. Preferences live in
// settings.js, per browser.

import { h, svg } from "../../dom.js";
import { Beeper } from "../../audio.js";
import { canVibrate, settings } from "../../settings.js";
import { ICONS_UI } from "../../ui-icons.js";

export function petSound({ onBeep }) {
  const beeper = new Beeper({ volume: settings.volume, muted: settings.muted,
    vibrate: settings.vibrate && canVibrate() });
  beeper.onBeep = onBeep;
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
    muteBtn.replaceChildren(svg(m ? ICONS_UI.soundOff : ICONS_UI.soundOn),
      h("span", { class: "icon-label", "aria-hidden": "true" }, m ? "Muted" : "Sound"));
    // A toggle: constant name, the state is in aria-pressed.
    muteBtn.setAttribute("aria-label", "Mute sound");
    muteBtn.setAttribute("aria-pressed", String(m));
    muteBtn.title = m ? "Unmute" : "Mute";
  }
  setMuted(beeper.muted);

  const soundRow = h("div", { class: "sound-row" }, muteBtn, volume);
  if (canVibrate()) {
    const vib = h("input", { type: "checkbox", checked: beeper.vibrate,
      onchange: () => { beeper.vibrate = vib.checked; settings.vibrate = vib.checked; } });
    soundRow.append(h("label", { class: "check" }, vib, "Vibrate"));
  }
  const card = h("div", { class: "card sound-card" },
    h("h2", { class: "small-title" }, "Sound"), soundRow);

  return {
    card, beeper,
    destroy() {
      beeper.stop();
      document.removeEventListener("pointerdown", unlock, true);
      document.removeEventListener("keydown", unlock, true);
      beeper.ctx?.close().catch(() => {});
    },
  };
}
