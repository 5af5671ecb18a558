// The piezo buzzer, through Web Audio.
//
// The server sends every buzzer change with the *emulated* tick it happened at
// (32,768 ticks per second), in batches. Playing each event "when it arrives"
// would smear short beeps and swallow the shortest ones (the original pygotchi
// sampled the buzzer 20 times a second and lost them). Instead we keep an
// anchor: emulated tick T0 <-> AudioContext time A0, and schedule every event at
//     A0 + (tick - T0) / 32768
// so a 20 ms beep lasts exactly 20 ms on the audio clock however the network
// bunched the messages. The anchor is placed a small latency budget into the
// future (room for batching and jitter) and is moved:
//   * when an event would land in the past (the network or the server fell
//     behind more than the budget) or too far in the future (the pet's clock ran
//     ahead of ours, e.g. after a pause), and
//   * at the first beep after a silence, so drift between the two clocks never
//     accumulates and the delay stays at the budget.
// A new anchor is never earlier than the last scheduled event, so order is kept.
// Each note is one square-wave OscillatorNode started and stopped at exact times.

export const TICKS_PER_SECOND = 32768;
const LATENCY_S = 0.1; // budget for batching (the server publishes every ~20 ms) + jitter
const MIN_LEAD_S = 0.01; // closer than this to "now" counts as late
const MAX_AHEAD_S = 2.0;
const IDLE_REANCHOR_S = 0.75;
const MAX_GAIN = 0.22; // square waves are loud; full slider = this much
const VIBRATE_MIN_MS = 30;

export class Beeper {
  constructor({ volume = 0.6, muted = false, vibrate = true } = {}) {
    this.ctx = null;
    this.master = null;
    this.volume = volume;
    this.muted = muted;
    this.vibrate = vibrate;
    this.anchor = null; // {tick, time}
    this.note = null; // {osc, start, tick}
    this.lastEventTime = -Infinity;
    this.onBeep = null; // (record) => void, for the debug hook and the UI blink
    this._vibTimers = new Set();
  }

  /** Browsers only let audio start after a user gesture: call from one. */
  unlock() {
    if (!this.ctx) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      this.ctx = new Ctx({ latencyHint: "interactive" });
      this.master = this.ctx.createGain();
      this.master.connect(this.ctx.destination);
      this._applyGain();
    }
    if (this.ctx.state === "suspended") this.ctx.resume().catch(() => {});
  }

  get ready() {
    return !!this.ctx && this.ctx.state === "running";
  }

  setVolume(v) {
    this.volume = Math.min(1, Math.max(0, v));
    this._applyGain();
  }

  setMuted(m) {
    this.muted = !!m;
    this._applyGain();
  }

  _applyGain() {
    if (!this.master) return;
    // Perceived loudness is roughly logarithmic: square the slider for a gentler low end.
    const g = this.muted ? 0 : MAX_GAIN * this.volume * this.volume;
    this.master.gain.setTargetAtTime(g, this.ctx.currentTime, 0.01);
  }

  /**
   * Buzzer events from the socket, oldest first.
   * @param {{tick:number,on:boolean,freqHz:number}[]} events
   * @param {boolean} live false while the pet catches up or is paused: we only
   *   count the beeps then, playing hours of fast-forwarded chirps helps nobody.
   */
  handle(events, live = true) {
    for (const ev of events) this._event(ev, live);
  }

  _event(ev, live) {
    const ctx = this.ctx;
    const playing = live && this.ready;
    let at = null;
    if (playing) {
      const now = ctx.currentTime;
      const idle = !this.note && now - this.lastEventTime > IDLE_REANCHOR_S;
      at = this.anchor
        ? this.anchor.time + (ev.tick - this.anchor.tick) / TICKS_PER_SECOND
        : null;
      if (at === null || at < now + MIN_LEAD_S || at > now + MAX_AHEAD_S || (idle && ev.on)) {
        // Never before what is already scheduled: sounds keep their order.
        this.anchor = { tick: ev.tick, time: Math.max(now + LATENCY_S, this.lastEventTime) };
        at = this.anchor.time;
      }
      this.lastEventTime = at;
    }

    if (ev.on && ev.freqHz > 0) {
      if (this.note) {
        // Frequency change while sounding: same note, new pitch.
        if (playing) this.note.osc.frequency.setValueAtTime(ev.freqHz, Math.max(at, this.note.start));
        return;
      }
      // What the debug hook shows: emulated start tick, pitch, AudioContext start and end
      // times (null when not played) and the emulated length.
      const record = { tick: ev.tick, freqHz: ev.freqHz, at, endAt: null, played: playing,
        durationS: null };
      if (playing) {
        const osc = ctx.createOscillator();
        osc.type = "square";
        osc.frequency.setValueAtTime(ev.freqHz, at);
        osc.connect(this.master);
        osc.start(at);
        this.note = { osc, start: at, tick: ev.tick, record };
        this._vibrateAt(at, true);
      } else {
        this.note = { osc: null, start: null, tick: ev.tick, record };
      }
      this.onBeep?.(record);
    } else if (!ev.on || ev.freqHz <= 0) {
      const note = this.note;
      if (!note) return;
      this.note = null;
      note.record.durationS = (ev.tick - note.tick) / TICKS_PER_SECOND;
      if (note.osc) {
        // Never stop before starting: the shortest beep still gets its own slot.
        const end = Math.max(playing ? at : ctx.currentTime, note.start + 0.0005);
        note.osc.stop(end);
        note.record.endAt = end;
        note.osc.onended = () => note.osc.disconnect();
        this._vibrateAt(Math.max(end, note.start + VIBRATE_MIN_MS / 1000), false);
      }
    }
  }

  _vibrateAt(time, on) {
    // Independent of mute on purpose: "sound off, buzz on" is how many people keep a phone.
    if (!this.vibrate || !("vibrate" in navigator)) return;
    const delay = Math.max(0, (time - this.ctx.currentTime) * 1000);
    const timer = setTimeout(() => {
      this._vibTimers.delete(timer);
      try {
        // Start a long buzz and cut it at the note's end: the length follows the beep.
        navigator.vibrate(on ? 2000 : 0);
      } catch { /* some browsers throw without a gesture; vibration is a bonus */ }
    }, delay);
    this._vibTimers.add(timer);
  }

  /** Silence now (view closed, pet paused, socket lost) and forget the anchor. */
  stop() {
    if (this.note?.osc) {
      try { this.note.osc.stop(); } catch { /* already stopped */ }
    }
    this.note = null;
    this.anchor = null;
    for (const t of this._vibTimers) clearTimeout(t);
    this._vibTimers.clear();
    if (this.vibrate && "vibrate" in navigator) {
      try { navigator.vibrate(0); } catch { /* ignore */ }
    }
  }

  /** A short test chirp so the person can check the volume. */
  chirp() {
    if (!this.ready) return;
    const t = this.ctx.currentTime + 0.02;
    const osc = this.ctx.createOscillator();
    osc.type = "square";
    osc.frequency.setValueAtTime(2048, t);
    osc.frequency.setValueAtTime(3277, t + 0.06);
    osc.connect(this.master);
    osc.start(t);
    osc.stop(t + 0.12);
    osc.onended = () => osc.disconnect();
  }
}
