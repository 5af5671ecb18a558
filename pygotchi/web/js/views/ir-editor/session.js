// "Send to a toy" in the IR editor: the transport panel (Pico, Flipper, fake)
// and the three session buttons (start an interaction, wait for one, send), each
// with its description in plain sight (phones have no hover). What the toy sends
// is handed to `onReceived(result, numbers)`: the editor keeps it apart from the
// person's frames until they choose to use it.

import { h, toast } from "../../dom.js";
import { transportPanel } from "../../ir-panel.js";

export function sessionPanel(state, { onReceived }) {
  const panel = transportPanel({ title: "Send to a toy" });
  const buttons = [];
  const action = (label, handler, hint) => {
    const b = h("button", { type: "button", class: "btn btn-soft", onclick: handler }, label);
    buttons.push(b);
    panel.actions.append(h("div", { class: "ir-action" }, b,
      h("small", { class: "hint ir-action-hint" }, hint)));
  };
  const slotsOf = (...numbers) => numbers.map((k) => state.slots[k - 1]);
  if (state.kind === "conversation") {
    action("Start interaction", async () => {
      const [m1, m3] = slotsOf(1, 3);
      if (!m1 || !m3) return toast("Starting needs messages 1 and 3.", "error");
      onReceived(await panel.run("initiate", { frames: [m1, m3] }), [2, 4], "initiate");
    }, "Your toy waits (Connection > Stand by); we send 1 and 3, it answers 2 and 4 (kept "
      + "apart from yours until you choose).");
    action("Wait for interaction", async () => {
      const [m2, m4] = slotsOf(2, 4);
      if (!m2 || !m4) return toast("Answering needs messages 2 and 4.", "error");
      onReceived(await panel.run("respond", { frames: [m2, m4] }), [1, 3], "respond");
    }, "Your toy starts a visit; we answer with 2 and 4 and record its 1 and 3 (kept apart "
      + "from yours until you choose).");
  }
  action(state.kind === "conversation" ? "Send messages" : "Send frames", async () => {
    const frames = state.slots.filter((f) => f && f.format === "2024");
    if (!frames.length) return toast("There is no Connection 2024 frame to send.", "error");
    await panel.run("send", { frames });
  }, "Transmit the frames shown above (yours, saved or not), each once, in order.");
  panel.onBusy((running) => buttons.forEach((b) => { b.disabled = running; }));
  return { element: panel.element, cleanup: () => panel.cleanup() };
}
