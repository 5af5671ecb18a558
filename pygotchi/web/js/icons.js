// The eight icons around the LCD, as our own line drawings (24x24, stroked with
// currentColor so lit/unlit is just a colour/opacity change in CSS).
//
// Which icon sits in which slot depends on the toy: the frame's icon byte has
// icon i in bit i, and pygotchi.emu.rom lists each model's meanings in that
// order. Unknown models get the P1 set: the icons still light up, only the
// drawings may not match the printed glass.

const P1_ICONS = ["food", "light", "game", "medicine", "toilet", "status", "discipline", "attention"];

export const MODEL_ICONS = {
  angel: ["status", "food", "game", "toilet", "praise", "medicine", "light", "attention"],
  morino: ["status", "food", "game", "toilet", "predator", "medicine", "light", "attention"],
};

// The server names each model's icons (pet.icons); this table is the fallback
// for an older server.
export function iconsFor(model, names) {
  if (Array.isArray(names) && names.length === 8) return names;
  return MODEL_ICONS[model] || P1_ICONS;
}

export const ICON_LABELS = {
  food: "Food",
  light: "Light",
  game: "Game",
  medicine: "Medicine",
  toilet: "Toilet",
  status: "Status",
  discipline: "Discipline",
  attention: "Attention",
  praise: "Praise",
  predator: "Danger",
};

// Path data only; drawn as <path d=... /> with round joins. Original artwork.
const PATHS = {
  // fork (three tines and a handle) beside a knife
  food: [
    "M5 3v5.5a2.5 2.5 0 0 0 5 0V3",
    "M7.5 3v18",
    "M16.5 21V3c2.6 1.6 3.6 5 3 10h-3",
  ],
  // light bulb with a glint
  light: [
    "M12 3a6 6 0 0 0-3.6 10.8c.8.6 1.1 1.3 1.1 2.2h5c0-.9.3-1.6 1.1-2.2A6 6 0 0 0 12 3z",
    "M9.5 18.5h5",
    "M10.5 21h3",
    "M10 6.5a3 3 0 0 0-1.5 2.3",
  ],
  // ball and bat
  game: [
    "M6.5 20.5l2-2",
    "M8.5 18.5l9.3-10.3a2.2 2.2 0 0 1 3.2 3l-10.3 9.3z",
    "M6.5 6.5m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0",
  ],
  // syringe
  medicine: [
    "M14.5 3.5l6 6",
    "M17.5 6.5l-9.5 9.5-2.5-2.5 9.5-9.5",
    "M5.5 18.5l2-2",
    "M3.5 20.5l2-2",
    "M11 9l1.5 1.5",
    "M8.5 11.5l1.5 1.5",
  ],
  // a rubber duck: the toilet icon of the first toys
  toilet: [
    "M9 10.5a3.2 3.2 0 1 1 4.8-2.8",
    "M13.8 7.7h3.2l-2 2",
    "M3.5 13h6.5c1 0 1.6-.6 2.8-.6 3.2 0 6.7.6 6.7 3.1 0 3-3.5 4.5-7.5 4.5H8a4.5 4.5 0 0 1-4.5-4.5z",
    "M10.5 7.3v.1",
  ],
  // a gauge with its needle
  status: [
    "M3.5 17a8.5 8.5 0 0 1 17 0z",
    "M12 17l4-6",
    "M6.5 13.5l1 .6",
    "M12 9.5v1.2",
    "M17.5 13.5l-1 .6",
  ],
  // an open palm
  discipline: [
    "M7.5 12V5.5a1.5 1.5 0 0 1 3 0V11",
    "M10.5 10.5V4a1.5 1.5 0 0 1 3 0v7",
    "M13.5 10.5V5a1.5 1.5 0 0 1 3 0v7",
    "M16.5 11V8a1.5 1.5 0 0 1 3 0v6a7 7 0 0 1-7 7h-.5a6 6 0 0 1-5-2.7L4 14.5a1.5 1.5 0 0 1 2.4-1.8L7.5 14",
  ],
  // a round face calling with a "!"
  attention: [
    "M12 2.5l2.2 3.2 3.8-.9-.4 3.9 3.4 1.8-2.8 2.7 1.3 3.7-3.9.2-1.6 3.5L12 18l-2.1 2.6-1.6-3.5-3.9-.2 1.3-3.7-2.8-2.7 3.4-1.8-.4-3.9 3.8.9z",
    "M12 8v4.5",
    "M12 15v.2",
  ],
  // a heart with a sparkle
  praise: [
    "M12 20s-7.5-4.6-7.5-10A4.2 4.2 0 0 1 12 7.5 4.2 4.2 0 0 1 19.5 10c0 5.4-7.5 10-7.5 10z",
    "M19 2.5v3",
    "M17.5 4h3",
  ],
  // a paw print
  predator: [
    "M12 20.5c-2.8 0-5-1.4-5-3.5 0-2.3 2.2-4.5 5-4.5s5 2.2 5 4.5c0 2.1-2.2 3.5-5 3.5z",
    "M5 10.5m-1.6 0a1.6 2 0 1 0 3.2 0a1.6 2 0 1 0-3.2 0",
    "M9.2 6.5m-1.6 0a1.6 2 0 1 0 3.2 0a1.6 2 0 1 0-3.2 0",
    "M14.8 6.5m-1.6 0a1.6 2 0 1 0 3.2 0a1.6 2 0 1 0-3.2 0",
    "M19 10.5m-1.6 0a1.6 2 0 1 0 3.2 0a1.6 2 0 1 0-3.2 0",
  ],
};

const NS = "http://www.w3.org/2000/svg";

/** An <svg> for one icon (stroked paths), for the icon rows of the pet view. */
export function iconSvg(name) {
  const el = document.createElementNS(NS, "svg");
  el.setAttribute("viewBox", "0 0 24 24");
  el.setAttribute("aria-hidden", "true");
  el.setAttribute("focusable", "false");
  for (const d of PATHS[name] || PATHS.attention) {
    const p = document.createElementNS(NS, "path");
    p.setAttribute("d", d);
    el.append(p);
  }
  return el;
}
