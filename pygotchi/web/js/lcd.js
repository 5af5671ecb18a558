// The 32x16 dot-matrix LCD on a <canvas>.
//
// Crispness: the canvas backing store is sized in *device* pixels with an integer
// number of device pixels per LCD dot, and its CSS size is that divided by
// devicePixelRatio. So every dot edge lands on a device pixel at any zoom or DPR,
// and `image-rendering: pixelated` (in the CSS) keeps it crisp should the browser
// ever scale it anyway. We refit when the container resizes or the DPR changes
// (dragging a window to another monitor, pinch-zoom on desktop).
//
// Look: dark "on" dots with a faint drop shadow (the liquid crystal sits above
// the reflector, so real glass shows one), and faint "off" dots, with a thin gap
// between dots like the real segment grid.

export const WIDTH = 32;
export const HEIGHT = 16;
export const FRAME_BYTES = 65;

export class Lcd {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.frame = new Uint8Array(FRAME_BYTES);
    this.scale = 0; // device pixels per LCD dot
    this.maxCssWidth = 256;
    this._mq = null;
    this._watchDpr();
  }

  /** Fit into `cssWidth` CSS pixels (the largest integer dot size that fits). */
  fit(cssWidth) {
    this.maxCssWidth = Math.max(64, cssWidth);
    const dpr = window.devicePixelRatio || 1;
    const scale = Math.max(2, Math.floor((this.maxCssWidth * dpr) / WIDTH));
    if (scale === this.scale) return;
    this.scale = scale;
    this.canvas.width = WIDTH * scale;
    this.canvas.height = HEIGHT * scale;
    this.canvas.style.width = `${(WIDTH * scale) / dpr}px`;
    this.canvas.style.height = `${(HEIGHT * scale) / dpr}px`;
    this.canvas.dataset.scale = String(scale); // tests read pixels at dot centres
    this.draw();
  }

  _watchDpr() {
    // A media query that matches only the current DPR fires once when it changes.
    const dpr = window.devicePixelRatio || 1;
    this._mq?.removeEventListener("change", this._onDpr);
    this._mq = window.matchMedia(`(resolution: ${dpr}dppx)`);
    this._onDpr = () => {
      this.scale = 0;
      this.fit(this.maxCssWidth);
      this._watchDpr();
    };
    this._mq.addEventListener("change", this._onDpr);
  }

  destroy() {
    this._mq?.removeEventListener("change", this._onDpr);
  }

  /** @param {Uint8Array} frame 65 bytes: 16 rows x 4 bytes, then the icon byte. */
  setFrame(frame) {
    this.frame.set(frame.subarray(0, FRAME_BYTES));
    this.draw();
  }

  isOn(x, y) {
    return (this.frame[y * 4 + (x >> 3)] & (0x80 >> (x & 7))) !== 0;
  }

  get icons() {
    return this.frame[64];
  }

  colors() {
    const css = getComputedStyle(this.canvas);
    return {
      glass: css.getPropertyValue("--lcd-glass").trim() || "#c3cdb2",
      on: css.getPropertyValue("--lcd-on").trim() || "#1c211d",
      off: css.getPropertyValue("--lcd-off").trim() || "rgba(28, 33, 29, 0.06)",
      shadow: css.getPropertyValue("--lcd-shadow").trim() || "rgba(28, 33, 29, 0.16)",
    };
  }

  draw() {
    const s = this.scale;
    if (!s) return;
    const ctx = this.ctx;
    const c = this._colors || (this._colors = this.colors());
    const gap = s >= 6 ? Math.max(1, Math.round(s / 9)) : 0;
    const dot = s - gap;
    const shadow = s >= 6 ? Math.max(1, Math.round(s / 7)) : 0;

    ctx.fillStyle = c.glass;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);

    ctx.fillStyle = c.off;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        if (!this.isOn(x, y)) ctx.fillRect(x * s, y * s, dot, dot);
      }
    }
    if (shadow) {
      ctx.fillStyle = c.shadow;
      for (let y = 0; y < HEIGHT; y++) {
        for (let x = 0; x < WIDTH; x++) {
          if (this.isOn(x, y)) ctx.fillRect(x * s + shadow, y * s + shadow, dot, dot);
        }
      }
    }
    ctx.fillStyle = c.on;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        if (this.isOn(x, y)) ctx.fillRect(x * s, y * s, dot, dot);
      }
    }
  }

  /** Theme colours may change with the model; forget the cached ones. */
  restyle() {
    this._colors = null;
    this.draw();
  }
}

/** Decode a frame to 16 strings of '#'/'.', handy for debugging in the console. */
export function frameToText(frame) {
  const rows = [];
  for (let y = 0; y < HEIGHT; y++) {
    let row = "";
    for (let x = 0; x < WIDTH; x++) {
      row += frame[y * 4 + (x >> 3)] & (0x80 >> (x & 7)) ? "#" : ".";
    }
    rows.push(row);
  }
  return rows;
}
