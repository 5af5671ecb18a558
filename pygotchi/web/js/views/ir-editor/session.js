// "Send to a toy" in the IR editor: the transport panel (Pico, Flipper, fake)
// and the three session buttons: start an interaction, wait for one, send.
// What the toy answers is handed to `onReceived(result, numbers)`.

import { h, toast } from "../../dom.js";
import { transportPanel } from "../../ir-panel.js";

export function sessionPanel(state, { onReceived }) {
  const panel = transportPanel({ title: "Send to a toy" });
  const buttons = [];
  const action = (label, handler, hint) => {
    const b = h("button", { type: "button", class: "btn btn-soft", title: hint, onclick: handler },
      label);
    buttons.push(b);
    panel.actions.append(b);
  };
  const slotsOf = (...numbers) => numbers.map((k) => state.slots[k - 1]);
  if (state.kind === "conversation") {
    action("Start interaction", async () => {
      const [m1, m3] = slotsOf(1, 3);
      if (!m1 || !m3) return toast("Starting needs messages 1 and 3.", "error");
      onReceived(await panel.run("initiate", { frames: [m1, m3] }), [2, 4]);
    }, "Your toy waits (Connection > Stand by); we send 1 and 3, it answers 2 and 4.");
    action("Wait for interaction", async () => {
      const [m2, m4] = slotsOf(2, 4);
      if (!m2 || !m4) return toast("Answering needs messages 2 and 4.", "error");
      onReceived(await panel.run("respond", { frames: [m2, m4] }), [1, 3]);
    }, "Your toy starts a visit; we answer with 2 and 4 and record its 1 and 3.");
  }
  action(state.kind === "conversation" ? "Send messages" : "Send frames", async () => {
    const frames = state.slots.filter((f) => f && f.format === "2024");
    if (!frames.length) return toast("There is no Connection 2024 frame to send.", "error");
    await panel.run("send", { frames });
  }, "Transmit each frame once, in order.");
  panel.onBusy((running) => buttons.forEach((b) => { b.disabled = running; }));
  return { element: panel.element, cleanup: () => panel.cleanup() };
}
