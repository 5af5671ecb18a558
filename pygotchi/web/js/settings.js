// Personal preferences kept in localStorage (per browser, not per account):
// sound volume, mute, vibration. Reading never throws (private mode, full storage).

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
};
