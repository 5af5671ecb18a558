// Personal preferences kept in localStorage (per browser, not per account):
// sound volume, mute, vibration, visible labels, hints already seen. Reading never
// throws (private mode, full storage).

const PREFIX = "pygotchi.";

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch { /* not persisted; still applies for this visit */ }
}

export const settings = {
  get volume() { return Number(read("volume", 0.6)); },
  set volume(v) { write("volume", v); },
  get muted() { return !!read("muted", false); },
  set muted(v) { write("muted", !!v); },
  get vibrate() { return !!read("vibrate", true); },
  set vibrate(v) { write("vibrate", !!v); },
  // Words beside the icons and under the buttons: on until the person turns them off.
  get labels() { return !!read("labels", true); },
  set labels(v) { write("labels", !!v); },
  /** Whether the person has dismissed the hint called `name`. */
  seen(name) { return !!read(`seen.${name}`, false); },
  markSeen(name) { write(`seen.${name}`, true); },
};

/**
 * Whether vibrating makes sense here. Desktop browsers have navigator.vibrate
 * but nothing to shake; phones and tablets (a coarse pointer) may.
 */
export function canVibrate() {
  return typeof navigator.vibrate === "function"
    && window.matchMedia?.("(pointer: coarse)").matches === true;
}

/** Show or hide visible labels across the app (a class on <html>, read by CSS). */
export function applyLabels(on = settings.labels) {
  document.documentElement.classList.toggle("labels", on);
}
