// Web Serial driver for the IR transceivers (a Pico or a Flipper running the
// Tamagometer firmware), written from SPEC.md §3; pygotchi.ir.transceiver is the
// server-side twin. Chromium only: `navigator.serial`.
//
// The device understands two text commands, each a line ending in \r\n:
//   "tamagometer listen"            listen up to ~1 s, then report exactly once
//   "tamagometer send" + 160 bits   transmit one frame; no answer on success
// and reports by printing tokens into its output:
//   "[PICO]" + 160 bits + "[END]"   a frame heard (bits in air order)
//   "[PICO]timed out[END]"          nothing heard in the window
// Everything else in the stream is noise to skip: the echo of our own commands,
// the Flipper's ">:" prompt, NUL bytes, debug prints. Tokens can be split across
// reads, so we keep a growing buffer and only ever *search* it (§3.3). A Pico
// reports a garbled frame as a short "[PICO]0101[END]" and stops listening; a
// device that says nothing at all is covered by our own backstop (2 s, like the
// original web app). The firmware's own complaints ("Error" for a failed send on a
// Pico, "command not found" when the Flipper app is closed) become errors here.
//
// On top of the driver, the four procedures of §3.4, on bit strings: snoop,
// sendFrames, initiate (send 1 until 2 comes, then 3 until 4) and respond (wait for
// 1, answer 2, wait for 3, answer 4 twice). Frames are only understood as far as
// those need (type byte -> role, byte-sum checksum); the server decodes the rest.

const BAUD_RATE = 460800; // what the devices expect; moot over native USB
const BACKSTOP_MS = 2000; // host-side limit for one listen (the device's window is 1 s)
const FRAME_BITS = 160;
const TOKEN = /\[PICO\]([^[\]]*)\[END\]/g;
const OPENER = "[PICO]";
const COMPLAINTS = [
  [/command not found/, "the Flipper says the command does not exist: open the Tamagometer app on it"],
  [/(^|\n)Error\r?(\n|$)/, "the transceiver could not transmit ('Error'): update its firmware"],
  [/Invalid 160-bit message\./, "the transceiver rejected the frame as invalid"],
];
const encoder = new TextEncoder();

export const serialSupported = () => typeof navigator !== "undefined" && "serial" in navigator;

export class SerialError extends Error {}

function abortError() {
  return new DOMException("cancelled", "AbortError");
}

/** One opened port. Reports are queued as {kind: "frame"|"timeout"|"garbled", bits}. */
export class SerialTransceiver {
  /** Ask the person for a port (needs a click) and open it. */
  static async connect() {
    if (!serialSupported()) throw new SerialError("this browser has no Web Serial (use Chromium)");
    const port = await navigator.serial.requestPort();
    await port.open({ baudRate: BAUD_RATE });
    return new SerialTransceiver(port);
  }

  constructor(port) {
    this.port = port;
    this.buffer = "";
    this.reports = [];
    this.waiter = null; // resolve function of the one pending nextReport()
    this.problem = null; // a complaint of the firmware, thrown at the next command
    this.closed = false;
    this.decoder = new TextDecoder();
    this.writer = port.writable.getWriter();
    this.reading = this.readLoop();
  }

  async readLoop() {
    this.reader = this.port.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.feed(this.decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      this.problem = this.problem || `the transceiver went away (${err.message || err})`;
    } finally {
      this.reader.releaseLock();
      this.closed = true;
      this.wake();
    }
  }

  /** Text from the device: find complete tokens, keep what may still become one. */
  feed(text) {
    this.buffer += text.replaceAll("\0", "");
    let consumed = 0;
    for (const match of this.buffer.matchAll(TOKEN)) {
      const body = match[1];
      if (body === "timed out") this.push({ kind: "timeout", bits: "" });
      else if (body.length === FRAME_BITS && /^[01]+$/.test(body)) this.push({ kind: "frame", bits: body });
      else this.push({ kind: "garbled", bits: body });
      consumed = match.index + match[0].length;
    }
    let rest = this.buffer.slice(consumed);
    for (const [pattern, message] of COMPLAINTS) {
      if (pattern.test(rest)) {
        this.problem = message;
        rest = "";
        this.wake();
      }
    }
    // Keep an unfinished token from its opener on, or a short tail for split phrases.
    const open = rest.lastIndexOf(OPENER);
    this.buffer = open >= 0 ? rest.slice(open) : rest.slice(-32);
  }

  /** A report goes to whoever waits for one, or into the queue. */
  push(report) {
    if (this.waiter) this.waiter(report);
    else this.reports.push(report);
  }

  /** Stop waiting without a report (a complaint, or the port closed). */
  wake() {
    if (this.waiter) this.waiter(null);
  }

  /** The next report, or null after `ms` without one (or when the port closes). */
  nextReport(ms, signal) {
    if (this.reports.length) return Promise.resolve(this.reports.shift());
    return new Promise((resolve, reject) => {
      const done = (value) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiter = null;
        resolve(value);
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.waiter = null;
        reject(abortError());
      };
      const timer = setTimeout(() => done(null), ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiter = done;
    });
  }

  async command(line) {
    this.check();
    await this.writer.write(encoder.encode(`tamagometer ${line}\r\n`));
  }

  check() {
    if (this.problem) {
      const message = this.problem;
      this.problem = null;
      throw new SerialError(message);
    }
    if (this.closed) throw new SerialError("the serial port is closed");
  }

  /** Transmit one frame (160 bits, first on air first). */
  async send(bits) {
    if (bits.length !== FRAME_BITS || /[^01]/.test(bits)) {
      throw new SerialError("the transceivers send exactly 160 bits of 0/1");
    }
    await this.command(`send${bits}`);
  }

  /** Arm the receiver once: the bits heard, or null (time-out, garbled, no answer). */
  async listenOnce({ signal, backstop = BACKSTOP_MS } = {}) {
    if (signal?.aborted) throw abortError();
    this.reports.length = 0; // a late report from an earlier window is not an answer
    await this.command("listen");
    const report = await this.nextReport(backstop, signal);
    this.check();
    return report?.kind === "frame" ? report.bits : null;
  }

  async close() {
    try { await this.reader?.cancel(); } catch { /* already gone */ }
    await this.reading;
    try { this.writer.releaseLock(); } catch { /* already released */ }
    try { await this.port.close(); } catch { /* already closed */ }
  }
}

// -- understanding just enough of a frame (SPEC.md §2) ---------------------------------------

export function bitsToBytes(bits) {
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return out;
}

/** Checksum ok? And which message of a conversation (1-4) the type byte says it is. */
export function frameInfo(bits) {
  const bytes = bitsToBytes(bits);
  const sum = bytes.slice(0, -1).reduce((a, b) => a + b, 0) & 0xff;
  const type = bytes[1];
  const activity = (code) => [0x02, 0x04, 0x06, 0x08, 0x0a].includes(code);
  let role = null;
  if (type === 0) role = 1;
  else if (type === 1) role = 2;
  else if (activity(type)) role = 3;
  else if (activity(type - 1)) role = 4;
  return { ok: bytes.length === 20 && bytes[19] === sum, type, role };
}

// -- the procedures of SPEC.md §3.4 ----------------------------------------------------------
// Each takes the transceiver and {signal, onEvent}; events are {kind, text, bits}.

/** Listen until a valid frame `wanted(info)` arrives, at most `windows` times (null: forever). */
async function awaitFrame(tr, { signal, onEvent }, wanted, windows, what) {
  for (let n = 0; windows === null || n < windows; n++) {
    onEvent({ kind: "waiting", text: `waiting for ${what}` });
    const bits = await tr.listenOnce({ signal });
    if (!bits) continue;
    const info = frameInfo(bits);
    if (!info.ok) {
      onEvent({ kind: "ignored", text: "received a frame with a bad checksum", bits });
    } else if (wanted(info)) {
      onEvent({ kind: "received", text: `received message ${info.role}`, bits });
      return bits;
    } else {
      onEvent({ kind: "ignored", text: `not ${what}`, bits });
    }
  }
  return null;
}

async function sendFrame(tr, opts, bits, text) {
  if (opts.signal?.aborted) throw abortError();
  await tr.send(bits);
  opts.onEvent({ kind: "sent", text, bits });
}

/** Every frame on the air, until cancelled; a cancel is the normal end (keeps them). */
export async function snoop(tr, opts) {
  const heard = [];
  try {
    for (;;) {
      const bits = await tr.listenOnce({ signal: opts.signal });
      if (bits) {
        heard.push(bits);
        opts.onEvent({ kind: "received", text: `frame ${heard.length}`, bits });
      }
    }
  } catch (err) {
    if (err.name !== "AbortError") throw err;
  }
  return heard;
}

export async function sendFrames(tr, opts, frames, repeat = 1) {
  for (const [n, bits] of frames.entries()) {
    for (let k = 0; k < repeat; k++) await sendFrame(tr, opts, bits, `sent frame ${n + 1}`);
  }
  return frames;
}

/** Send `bits` until the answer comes (the web app: 3 tries, one listen each). */
async function exchange(tr, opts, bits, number, wanted, attempts) {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await sendFrame(tr, opts, bits, `sent message ${number} (attempt ${attempt} of ${attempts})`);
    const reply = await awaitFrame(tr, opts, wanted, 1, `message ${number + 1}`);
    if (reply) return reply;
  }
  throw new SerialError(`no message ${number + 1} after sending message ${number} ${attempts} times`);
}

/** Play the initiator with our messages 1 and 3: the four messages of the conversation. */
export async function initiate(tr, opts, m1, m3, attempts = 3) {
  const type3 = frameInfo(m3).type;
  const m2 = await exchange(tr, opts, m1, 1, (i) => i.role === 2, attempts);
  const m4 = await exchange(tr, opts, m3, 3, (i) => i.role === 4 && i.type === type3 + 1, attempts);
  return [m1, m2, m3, m4];
}

/** Play a waiting toy: `answer(bits)` gives message 2 for a 1 and message 4 for a 3. */
export async function respond(tr, opts, answer, attempts = 3) {
  const m1 = await awaitFrame(tr, opts, (i) => i.role === 1, null, "message 1 from the toy");
  const m2 = await answer(m1);
  let m3 = null;
  for (let sends = 1; !m3 && sends <= attempts; sends++) {
    await sendFrame(tr, opts, m2, `sent message 2 (try ${sends})`);
    // A repeated message 1 means the toy missed our message 2: send it again.
    const got = await awaitFrame(tr, opts, (i) => i.role === 3 || i.role === 1, attempts,
      "message 3");
    if (!got) break;
    if (frameInfo(got).role === 3) m3 = got;
  }
  if (!m3) throw new SerialError("the toy did not send message 3");
  const m4 = await answer(m3);
  for (let k = 1; k <= 2; k++) await sendFrame(tr, opts, m4, `sent message 4 (${k} of 2)`);
  return [m1, m2, m3, m4];
}
