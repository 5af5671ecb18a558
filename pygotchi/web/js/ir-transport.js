// Two ways to reach a toy, one interface for the views:
//
//   ServerRun  the transceiver on the server's USB port: start a session through the
//              API, then long-poll its numbered events until it ends.
//   SerialRun  a transceiver plugged into this device, through Web Serial
//              (ir-serial.js speaks its protocol); frames heard are decoded by the
//              server's /api/ir/decode so they look exactly like the server's.
//
// Both: `await run(mode, params, onEvent)` -> result {frames, conversation?};
// `cancel()` stops (a snoop then ends normally with what it heard). Events are
// {kind: "sent"|"received"|"ignored"|"waiting", text, frame|null}. `params.frames`
// are frame objects as the API returns them (hex for the server, bits for serial).

import { irApi } from "./ir-api.js";
import {
  SerialTransceiver, frameInfo, initiate, respond, sendFrames, snoop,
} from "./ir-serial.js";

const POLL_WAIT_S = 20;

let serial = null; // the opened Web Serial transceiver, kept across views of the app

export const serialPort = () => (serial && !serial.closed ? serial : null);

export async function connectSerial() {
  if (!serialPort()) serial = await SerialTransceiver.connect();
  return serial;
}

export async function disconnectSerial() {
  const tr = serial;
  serial = null;
  if (tr) await tr.close();
}

export class ServerRun {
  constructor(port) {
    this.port = port;
    this.id = null;
    this.cancelled = false;
  }

  async run(mode, params, onEvent) {
    const { frames, ...rest } = params;
    const body = { mode, port: this.port, ...rest };
    if (frames) body.frames = frames.map((f) => f.hex);
    let view = await irApi.startSession(body);
    this.id = view.id;
    if (this.cancelled) await this.cancel();
    for (;;) {
      view.events.forEach(onEvent);
      if (view.status !== "running") break;
      view = await irApi.session(this.id, view.next, POLL_WAIT_S);
    }
    if (view.status === "done") return view.result;
    throw new Error(view.error || `the session ended: ${view.status}`);
  }

  async cancel() {
    this.cancelled = true;
    if (this.id) await irApi.cancelSession(this.id);
  }
}

async function decodeBits(bits) {
  try {
    return (await irApi.decode({ text: bits })).frames[0] || null;
  } catch {
    return null; // the log shows the text without the decoded frame
  }
}

export class SerialRun {
  constructor(tr) {
    this.tr = tr;
    this.abort = new AbortController();
  }

  async run(mode, params, onEvent) {
    // Decode in order, without holding up the procedure (replies must be quick).
    let delivered = Promise.resolve();
    const emit = (event) => {
      delivered = delivered.then(async () => onEvent({
        kind: event.kind, text: event.text,
        frame: event.bits ? await decodeBits(event.bits) : null,
      }));
    };
    const opts = { signal: this.abort.signal, onEvent: emit };
    const bits = (params.frames || []).map((f) => f.bits);
    let heard;
    try {
      if (mode === "snoop") heard = await snoop(this.tr, opts);
      else if (mode === "send") heard = await sendFrames(this.tr, opts, bits, params.repeat || 1);
      else if (mode === "initiate") heard = await initiate(this.tr, opts, bits[0], bits[1]);
      else heard = await respond(this.tr, opts, replay(bits[0], bits[1]));
    } catch (err) {
      if (err.name === "AbortError") throw new Error("cancelled");
      throw err;
    } finally {
      await delivered;
    }
    if (mode === "initiate" || mode === "respond") {
      const decoded = await irApi.decode({ messages: heard });
      return { frames: decoded.frames, conversation: decoded.conversations[0] };
    }
    const frames = await Promise.all(heard.map(decodeBits));
    return { frames: frames.filter(Boolean) };
  }

  cancel() {
    this.abort.abort();
  }
}

/** Answers recorded in a conversation: message 2 after a 1, message 4 after a 3. */
function replay(m2, m4) {
  return async (incoming) => (frameInfo(incoming).role === 1 ? m2 : m4);
}
