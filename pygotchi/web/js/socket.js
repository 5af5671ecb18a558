// The live view: GET /api/pets/{id}/ws (see API.md, "Live view").
//
// PetSocket keeps one WebSocket open for as long as the pet view is shown:
//   * decodes the binary messages (0x01 screen, 0x02 buzzer events, 0x03 status),
//   * sends button down/up, tap and ping as JSON text,
//   * reconnects by itself with exponential backoff and full jitter (so a server
//     restart is not greeted by every phone at the same millisecond), and at once
//     when the browser comes back online or the page becomes visible again,
//   * pings every 20 s and drops a connection whose pong never comes (mobile
//     networks like to leave half-dead sockets around).
// The server re-sends the screen and status on every (re)connect, so nothing needs
// replaying; it also releases every button this socket held when it closes.

const TYPE_SCREEN = 0x01;
const TYPE_BUZZER = 0x02;
const TYPE_STATUS = 0x03;

// A personal server restarting takes seconds: grow quickly, but never make the
// person wait more than 15 s once it is back (and "Retry now" skips the wait).
const BACKOFF_BASE_MS = 750;
const BACKOFF_MAX_MS = 15_000;
const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;

// Close codes from API.md that retrying will not fix.
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_TOO_MANY = 4429; // too many live views open for this account

/** Parse a binary server message. Exported for unit-style checks in the console. */
export function decode(buffer) {
  const view = new DataView(buffer);
  const type = view.getUint8(0);
  if (type === TYPE_SCREEN) {
    return { type: "screen", seq: view.getUint32(1), frame: new Uint8Array(buffer, 5, 65) };
  }
  if (type === TYPE_BUZZER) {
    const count = view.getUint16(1);
    const events = [];
    for (let i = 0, off = 3; i < count; i++, off += 13) {
      events.push({
        // u64 ticks: 2^53 ticks is ~8,700 years of emulated time, Number is fine.
        tick: Number(view.getBigUint64(off)),
        on: view.getUint8(off + 8) !== 0,
        freqHz: view.getUint32(off + 9) / 10,
      });
    }
    return { type: "buzzer", events };
  }
  if (type === TYPE_STATUS) {
    const text = new TextDecoder().decode(new Uint8Array(buffer, 1));
    return { type: "status", status: JSON.parse(text) };
  }
  return { type: "unknown", code: type };
}

export class PetSocket {
  /**
   * @param {string} url
   * @param {object} handlers onScreen(seq, frame), onBuzzer(events), onStatus(status),
   *   onState(state, info) with state in connecting|open|waiting|closed, onError(message),
   *   onFatal(code) for 4401/4404/4429.
   */
  constructor(url, handlers) {
    this.url = url;
    this.h = handlers;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.retryAt = 0;
    this._onOnline = () => this.reconnectNow();
    this._onVisible = () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    };
    window.addEventListener("online", this._onOnline);
    document.addEventListener("visibilitychange", this._onVisible);
    this.connect();
  }

  get isOpen() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.h.onState?.("connecting", { attempt: this.attempt });
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.h.onState?.("open", {});
      this._startPing();
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      // A message means the link really works: from now on a drop starts over
      // at the shortest delay.
      this.attempt = 0;
      if (typeof ev.data === "string") {
        this._onText(ev.data);
        return;
      }
      const msg = decode(ev.data);
      if (msg.type === "screen") this.h.onScreen?.(msg.seq, msg.frame);
      else if (msg.type === "buzzer") this.h.onBuzzer?.(msg.events);
      else if (msg.type === "status") this.h.onStatus?.(msg.status);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this._stopPing();
      this.ws = null;
      if (ev.code === CLOSE_UNAUTHORIZED || ev.code === CLOSE_NOT_FOUND || ev.code === CLOSE_TOO_MANY) {
        this.stopped = true;
        this.h.onState?.("closed", { code: ev.code });
        this.h.onFatal?.(ev.code);
        return;
      }
      this._scheduleRetry();
    };
    ws.onerror = () => {
      /* onclose follows and decides; nothing to do here */
    };
  }

  _onText(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    if (msg.type === "pong") {
      clearTimeout(this.pongTimer);
      this.pongTimer = null;
    } else if (msg.type === "error") {
      this.h.onError?.(msg.message || "The pet could not do that.");
    }
  }

  _scheduleRetry() {
    if (this.stopped) return;
    // Full jitter: a random delay in [0, min(max, base * 2^attempt)], at least 250 ms.
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = Math.max(250, Math.random() * cap);
    this.attempt = Math.min(this.attempt + 1, 16);
    this.retryAt = Date.now() + delay;
    this.h.onState?.("waiting", { retryAt: this.retryAt, attempt: this.attempt });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Skip the wait (network back, tab visible again, or the person asked). */
  reconnectNow() {
    if (this.stopped || this.ws) return;
    this.attempt = 0;
    this.connect();
  }

  _startPing() {
    this._stopPing();
    this.pingTimer = setInterval(() => {
      if (!this.send({ type: "ping" })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        // No pong: the socket is dead even if the browser has not noticed yet.
        this.ws?.close(4000, "no pong");
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  _stopPing() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
  }

  send(obj) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(obj));
    return true;
  }

  button(name, down) {
    return this.send({ type: "button", button: name, down });
  }

  tap() {
    return this.send({ type: "tap" });
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this._stopPing();
    window.removeEventListener("online", this._onOnline);
    document.removeEventListener("visibilitychange", this._onVisible);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, "view closed");
  }
}
