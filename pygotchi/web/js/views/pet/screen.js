// What the pet view shows of the toy itself: the shell, the LCD with its eight
// icons, the overlay (paused, catching up) and the beep dot. It draws what the
// live socket sends; it knows nothing of buttons or the network.

import { h, svg } from "../../dom.js";
import { themeFor, themeStyle } from "../../art.js";
import { ICON_LABELS, iconSvg, iconsFor } from "../../icons.js";
import { Lcd } from "../../lcd.js";
import { ICONS_UI } from "../../ui-icons.js";

/**
 * The faceplate (icons, LCD, overlay) of `pet`.
 * `onTap` (toys with a touch screen) is called when the screen is tapped.
 */
export function petScreen(pet, { onTap = null } = {}) {
  const canvas = h("canvas", {
    class: "lcd", role: "img", "aria-label": `${pet.name}'s screen`,
    "aria-roledescription": "LCD", "data-testid": "lcd",
  });
  const lcd = new Lcd(canvas);
  const overlay = h("div", { class: "lcd-overlay", hidden: true, "aria-live": "polite" });
  const slot = h("div", { class: onTap ? "lcd-slot tappable" : "lcd-slot" }, canvas, overlay);
  if (onTap) {
    slot.title = "Tap the screen";
    slot.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      e.preventDefault();
      onTap();
    });
  }

  const iconNames = iconsFor(pet.model, pet.icons);
  const iconEls = iconNames.map((name, i) => h("span", {
    class: "lcd-icon", role: "img", "data-icon": name, "data-bit": String(i),
    "aria-label": `${ICON_LABELS[name] || name}: off`,
  }, iconSvg(name),
  h("span", { class: "icon-caption", "aria-hidden": "true" }, ICON_LABELS[name] || name)));
  const beepDot = h("span", { class: "beep-dot", "aria-hidden": "true" }, svg(ICONS_UI.note));

  const face = h("div", { class: "faceplate" },
    h("div", { class: "icon-row" }, iconEls.slice(0, 4)),
    slot,
    h("div", { class: "icon-row" }, iconEls.slice(4, 8)),
    beepDot);

  const ro = new ResizeObserver(() => lcd.fit(slot.clientWidth));

  return {
    face,
    /** Start sizing the LCD to its slot (call once the face is in the page). */
    mount() {
      ro.observe(slot);
      lcd.fit(slot.clientWidth || 224);
    },
    /** Draw one screen message: 64 bytes of dots and the icon byte. */
    draw(frame) {
      lcd.setFrame(frame);
      const icons = frame[64];
      iconEls.forEach((el, i) => {
        const on = (icons & (1 << i)) !== 0;
        if (el.classList.contains("on") !== on) {
          el.classList.toggle("on", on);
          el.setAttribute("aria-label",
            `${ICON_LABELS[iconNames[i]] || iconNames[i]}: ${on ? "on" : "off"}`);
        }
      });
    },
    /** Blink the note beside the screen (a beep arrived). */
    flashBeep() {
      beepDot.classList.remove("on");
      void beepDot.offsetWidth; // restart the CSS animation
      beepDot.classList.add("on");
    },
    /** A tap on a touch screen, shown as a ripple. */
    flashTap() {
      slot.classList.remove("tapped");
      void slot.offsetWidth;
      slot.classList.add("tapped");
    },
    /** Cover the screen with `nodes` (a sentence, a button), or uncover it with null. */
    cover(...nodes) {
      overlay.hidden = nodes[0] === null || nodes.length === 0;
      overlay.replaceChildren(...(overlay.hidden ? [] : nodes));
    },
    rename(name) {
      canvas.setAttribute("aria-label", `${name}'s screen`);
    },
    destroy() {
      ro.disconnect();
      lcd.destroy();
    },
  };
}

/** The toy's shell around a faceplate and its buttons, in the colours of `background`. */
export function toyShell(background, face, buttons) {
  return h("div", {
    class: "shell", style: themeStyle(background),
    "data-background": background, "data-theme": themeFor(background).name,
  },
  h("div", { class: "shell-loop", "aria-hidden": "true" }),
  h("div", { class: "shell-motif", "aria-hidden": "true" }),
  face,
  buttons,
  h("div", { class: "shell-brand", "aria-hidden": "true" }, "pygotchi"));
}
