// Buttons with press-and-hold, as on the toy.
//
// The toy reads button *levels*, and several of its functions need a long press
// (or A and C together), so the UI reports down and up separately instead of a
// "click". Every source of presses (pointer on an on-screen button, keyboard
// focus + Space/Enter, a global shortcut key) adds to a per-button hold count:
// the pet sees "down" when the first holder starts and "up" when the last one
// lets go, so A and A+C held together do not cut each other short.
//
// Pointer events with setPointerCapture keep a press alive while the finger
// slides off the button (we only let go on pointerup/cancel), and
// `touch-action: none` + preventDefault stop long-press menus and text selection.

const EDITABLE = new Set(["INPUT", "SELECT", "TEXTAREA"]);

export class ButtonPad {
  /** @param {(name: string, down: boolean) => void} onChange */
  constructor(onChange) {
    this.onChange = onChange;
    this.count = new Map();
    this.bound = []; // [{el, names}]
    this.remote = new Set(); // buttons the server says are held (other tabs, scripts)
    this.keysDown = new Map(); // key -> names, for global shortcuts
    this.keyMap = new Map();
    this.enabled = true; // false: presses are ignored (the pet is paused or busy)
    this._onKeyDown = (e) => this._key(e, true);
    this._onKeyUp = (e) => this._key(e, false);
    this._onBlur = () => this.releaseAll();
    this._onHidden = () => {
      if (document.visibilityState === "hidden") this.releaseAll();
    };
    document.addEventListener("keydown", this._onKeyDown);
    document.addEventListener("keyup", this._onKeyUp);
    window.addEventListener("blur", this._onBlur);
    document.addEventListener("visibilitychange", this._onHidden);
  }

  held(name) {
    return (this.count.get(name) || 0) > 0;
  }

  press(names) {
    if (!this.enabled) return;
    for (const n of names) {
      const c = this.count.get(n) || 0;
      this.count.set(n, c + 1);
      if (c === 0) this.onChange(n, true);
    }
    this._refresh();
  }

  release(names) {
    for (const n of names) {
      const c = this.count.get(n) || 0;
      if (c <= 0) continue;
      this.count.set(n, c - 1);
      if (c === 1) this.onChange(n, false);
    }
    this._refresh();
  }

  /**
   * Let go of everything. `notify: false` when the server already did (it
   * releases all a socket held when the socket closes).
   */
  releaseAll({ notify = true } = {}) {
    for (const [n, c] of this.count) {
      if (c > 0 && notify) this.onChange(n, false);
    }
    this.count.clear();
    this.keysDown.clear();
    for (const b of this.bound) b.pointers.clear();
    this._refresh();
  }

  /** Make `el` press `names` while held (pointer, or Space/Enter when focused). */
  bind(el, names) {
    const entry = { el, names, pointers: new Set(), key: false };
    this.bound.push(entry);
    el.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      e.preventDefault(); // no focus steal, no text selection, no emulated mouse events
      try { el.setPointerCapture(e.pointerId); } catch { /* pointer already gone */ }
      if (entry.pointers.has(e.pointerId)) return;
      entry.pointers.add(e.pointerId);
      if (entry.pointers.size === 1) this.press(names);
    });
    const end = (e) => {
      if (!entry.pointers.delete(e.pointerId)) return;
      if (entry.pointers.size === 0) this.release(names);
    };
    for (const type of ["pointerup", "pointercancel", "lostpointercapture", "pointerleave"]) {
      el.addEventListener(type, end);
    }
    el.addEventListener("contextmenu", (e) => e.preventDefault());
    el.addEventListener("click", (e) => e.preventDefault());
    el.addEventListener("keydown", (e) => {
      if (e.key !== " " && e.key !== "Enter") return;
      e.preventDefault();
      e.stopPropagation();
      if (e.repeat || entry.key) return;
      entry.key = true;
      this.press(names);
    });
    const keyEnd = (e) => {
      if (e.type === "keyup" && e.key !== " " && e.key !== "Enter") return;
      if (e.type === "keyup") e.stopPropagation();
      if (!entry.key) return;
      entry.key = false;
      this.release(names);
    };
    el.addEventListener("keyup", keyEnd);
    el.addEventListener("blur", keyEnd);
    return el;
  }

  /** Global shortcuts: {"a": ["A"], " ": ["A", "C"], ...} (keys lower-cased). */
  setKeys(map) {
    this.keyMap = new Map(Object.entries(map));
  }

  _key(e, down) {
    const t = e.target;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (!down && this.keysDown.has(key)) {
      e.preventDefault();
      const held = this.keysDown.get(key);
      this.keysDown.delete(key);
      this.release(held);
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return; // browser shortcuts stay theirs
    if (t && (EDITABLE.has(t.tagName) || t.isContentEditable)) return;
    if (t?.closest?.("dialog")) return;
    // Space and Enter belong to whatever control has focus (keyboard users activate
    // links and buttons with them); letters and digits stay shortcuts everywhere.
    // (Only on the way down: a key held here is always let go, wherever focus went.)
    if (down && (key === " " || key === "Enter")
        && t?.closest?.("a, button, summary, [role=button]")) {
      return;
    }
    const names = this.keyMap.get(key);
    if (!names) return;
    e.preventDefault();
    if (!down || e.repeat || this.keysDown.has(key)) return;
    this.keysDown.set(key, names);
    this.press(names);
  }

  /** Show presses the server reports (this socket's or anyone else's). */
  setRemote(names) {
    this.remote = new Set(names || []);
    this._refresh();
  }

  _refresh() {
    for (const { el, names } of this.bound) {
      const local = names.every((n) => this.held(n));
      const remote = names.every((n) => this.remote.has(n));
      el.classList.toggle("down", local);
      el.classList.toggle("remote-down", remote && !local);
      el.setAttribute("aria-pressed", String(local || remote));
    }
  }

  destroy() {
    this.releaseAll();
    document.removeEventListener("keydown", this._onKeyDown);
    document.removeEventListener("keyup", this._onKeyUp);
    window.removeEventListener("blur", this._onBlur);
    document.removeEventListener("visibilitychange", this._onHidden);
  }
}
