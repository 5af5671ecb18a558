// The debugger (#/pets/ID/debug): run, pause, step, step over, run to, step back and
// run back to the previous breakpoint on a copy of a pet's machine; breakpoints and
// watchpoints; registers and flags; the whole ROM disassembled, with the person's
// labels; RAM and I/O with the nibbles changed at the last stop marked; the LCD.
//
// Everything goes through /api/pets/ID/debug (server/api/debug.py). The session
// works on a copy: "Apply to pet" puts the debugged state into the pet, "Discard"
// throws it away. While it runs, the view polls the session a few times a second.

import { request } from "../api.js";
import { busy, confirmDialog, h, showError, toast } from "../dom.js";
import { Lcd } from "../lcd.js";

const SPEEDS = ["1x", "10x", "100x", "max"];
const REGS = [["PC", 4], ["NP", 2], ["A", 1], ["B", 1], ["X", 3], ["Y", 3], ["SP", 2], ["F", 1]];
const FLAGS = ["C", "Z", "D", "I"];
// Data memory that exists, as rows of 16 nibbles: RAM, display RAM, I/O.
const AREAS = [["RAM", 0x000, 0x300], ["Display", 0xe00, 0xe70], ["Display", 0xe80, 0xef0],
  ["I/O", 0xf00, 0xf80]];
const PAGE = 512; // disassembly lines per request

const hex = (n, digits) => n.toString(16).toUpperCase().padStart(digits, "0");

/** "0x1A0", "1a0", "$1A0": addresses are hexadecimal here, as in every listing. */
function parseHex(text) {
  const t = text.trim().replace(/^(0x|\$)/i, "").replace(/h$/i, "");
  return /^[0-9a-f]{1,4}$/i.test(t) ? parseInt(t, 16) : null;
}

export async function debuggerView(root, ctx, petId) {
  const base = `/api/pets/${encodeURIComponent(petId)}/debug`;
  const call = (method, path = "", json) => request(method, base + path, json === undefined ? {} : { json });
  let pet = null;
  try { pet = await request("GET", `/api/pets/${encodeURIComponent(petId)}`); } catch { /* admins */ }
  const name = pet?.name || petId;

  const page = h("section", { class: "page debugger", "data-testid": "debugger" });
  root.append(page);
  let view = null;
  let poll = null;
  let gone = false;

  // -- no session yet: explain, and open one
  async function intro(message) {
    const err = h("p", { class: "form-error", role: "alert", hidden: true });
    const paused = !pet || pet.status === "paused";
    const open = h("button", { class: "btn btn-primary", type: "button", "data-action": "open-debugger",
      onclick: () => busy(open, async () => {
        try {
          if (pet && !paused && ctx.user.role !== "admin") {
            await request("PATCH", `/api/pets/${encodeURIComponent(petId)}`, { json: { paused: true } });
          }
          show(await call("POST"));
        } catch (e) { showError(err, e); }
      }) }, paused || ctx.user.role === "admin" ? "Open the debugger" : "Pause the pet and open the debugger");
    page.replaceChildren(
      h("div", { class: "page-head" }, h("h1", {}, `Debugger: ${name}`),
        h("a", { class: "btn btn-soft", href: `#/pets/${encodeURIComponent(petId)}` }, "Back to the pet")),
      h("p", { class: "lead muted" }, message ||
        "The debugger works on a copy of the pet's machine. Nothing you do here touches the pet " +
        "until you choose “Apply to pet” at the end; “Discard” throws the copy away."),
      h("div", { class: "button-row" }, open), err);
  }

  // -- the session's page
  const status = h("p", { class: "dbg-status", "data-testid": "dbg-status", "aria-live": "polite" });
  const canvas = h("canvas", { class: "lcd", role: "img", "aria-label": `${name}'s screen (debugged copy)`,
    "data-testid": "dbg-lcd" });
  const lcd = new Lcd(canvas);
  const speed = h("select", { "aria-label": "Speed", "data-testid": "dbg-speed",
    onchange: () => { if (view?.running) act({ action: "continue", speed: speed.value }); } },
    SPEEDS.map((s) => h("option", { value: s }, s === "max" ? "as fast as possible" : s)));
  const runTo = h("input", { class: "hex-input", placeholder: "address", "aria-label": "Run to address",
    "data-testid": "dbg-run-to", maxlength: "6" });
  const regsBox = h("div", { class: "dbg-regs", "data-testid": "dbg-registers" });
  const breakList = h("ul", { class: "dbg-points", "aria-label": "Breakpoints", "data-testid": "dbg-breakpoints" });
  const watchList = h("ul", { class: "dbg-points", "aria-label": "Watchpoints", "data-testid": "dbg-watchpoints" });
  const listing = h("ol", { class: "dbg-listing", "aria-label": "Disassembly", "data-testid": "dbg-listing" });
  const memory = h("div", { class: "dbg-memory", "data-testid": "dbg-memory" });
  const editAddr = h("input", { class: "hex-input", placeholder: "address", "aria-label": "Memory address",
    "data-testid": "dbg-mem-addr", maxlength: "5" });
  const editValue = h("input", { class: "hex-input", placeholder: "0-F", "aria-label": "Nibble value",
    "data-testid": "dbg-mem-value", maxlength: "2" });
  const buttons = h("div", { class: "button-row" });
  const rows = new Map(); // address -> listing row
  const labels = new Map();

  async function act(body) {
    try {
      show(await call("POST", "/command", body));
    } catch (e) { toast(e.message, "error"); }
  }
  async function edit(method, path, json) {
    try {
      show(await call(method, path, json));
      return true;
    } catch (e) { toast(e.message, "error"); return false; }
  }

  const tool = (label, action, onclick, title) => h("button", { type: "button", class: "btn btn-soft",
    "data-action": action, title, onclick }, label);
  const toolbar = h("div", { class: "dbg-toolbar", role: "toolbar", "aria-label": "Run controls" },
    tool("Run", "run", () => act({ action: "continue", speed: speed.value }),
      "Run to the next breakpoint or watchpoint"),
    tool("Pause", "pause", () => act({ action: "pause" })),
    tool("Step", "step", () => act({ action: "step" }), "One instruction"),
    tool("Step over", "step-over", () => act({ action: "step_over" }), "A whole CALL"),
    h("form", { class: "inline-form", onsubmit: (e) => {
      e.preventDefault();
      const a = parseHex(runTo.value);
      if (a === null) { toast("Run to: give a hexadecimal program address, like 1A0.", "error"); return; }
      act({ action: "run_to", address: a });
    } }, runTo, h("button", { type: "submit", class: "btn btn-soft", "data-action": "run-to" }, "Run to")),
    tool("Step back", "step-back", () => act({ action: "back" }), "Undo one instruction"),
    tool("Back to previous break", "back-to-break", () => act({ action: "back_to_break" }),
      "Run backwards to the previous breakpoint or watchpoint"),
    h("label", { class: "inline-label" }, "Speed ", speed));

  function pointForm(label, testid, onAdd) {
    const input = h("input", { class: "hex-input", placeholder: "address", "aria-label": label,
      "data-testid": testid, maxlength: "5" });
    return h("form", { class: "inline-form", onsubmit: async (e) => {
      e.preventDefault();
      const a = parseHex(input.value);
      if (a === null) { toast(`${label}: give a hexadecimal address.`, "error"); return; }
      if (await onAdd(a)) input.value = "";
    } }, input, h("button", { type: "submit", class: "btn btn-soft" }, "Add"));
  }
  const watchRead = h("input", { type: "checkbox", checked: true, "aria-label": "Watch reads" });
  const watchWrite = h("input", { type: "checkbox", checked: true, "aria-label": "Watch writes" });

  const labelAddr = h("input", { class: "hex-input", placeholder: "address", "aria-label": "Label address", maxlength: "5" });
  const labelName = h("input", { placeholder: "name", "aria-label": "Label name", maxlength: "32" });
  const labelForm = h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    const a = parseHex(labelAddr.value);
    if (a === null) { toast("Label: give a hexadecimal program address.", "error"); return; }
    try {
      const name = labelName.value.trim();
      const r = name ? await call("PUT", `/labels/${a}`, { name }) : await call("DELETE", `/labels/${a}`);
      labels.clear();
      for (const [k, v] of Object.entries(r.labels)) labels.set(Number(k), v);
      await loadListing(Math.max(0, a - 64), 128);
      labelName.value = "";
    } catch (err) { toast(err.message, "error"); }
  } }, labelAddr, labelName, h("button", { type: "submit", class: "btn btn-soft" }, "Label"));

  const memForm = h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    const a = parseHex(editAddr.value);
    const v = parseHex(editValue.value);
    if (a === null || v === null || v > 15) { toast("Memory: an address and a value 0 to F.", "error"); return; }
    await edit("PUT", `/memory/${a}`, { value: v });
  } }, editAddr, h("span", {}, "="), editValue,
  h("button", { type: "submit", class: "btn btn-soft", "data-action": "poke" }, "Write"));

  const endErr = h("p", { class: "form-error", role: "alert", hidden: true });
  const applyBtn = h("button", { type: "button", class: "btn btn-primary", "data-action": "apply",
    onclick: async () => {
      const ok = await confirmDialog({ title: `Apply to ${name}?`,
        body: "The pet takes the debugged machine's state, as it is now (its age included). The pet's own state is replaced.",
        confirmLabel: "Apply" });
      if (ok) await end(true);
    } }, "Apply to pet");
  const discardBtn = h("button", { type: "button", class: "btn btn-soft", "data-action": "discard",
    onclick: () => end(false) }, "Discard");
  async function end(apply) {
    showError(endErr, null);
    try {
      await call("DELETE", apply ? "?apply=true" : "?apply=false");
      toast(apply ? "Applied: the pet carries on from the debugged state." : "Discarded: the pet is as it was.");
      ctx.go(`#/pets/${encodeURIComponent(petId)}`);
    } catch (e) { showError(endErr, e); }
  }

  function layout() {
    page.replaceChildren(
      h("div", { class: "page-head" }, h("h1", {}, `Debugger: ${name}`),
        h("a", { class: "btn btn-soft", href: `#/pets/${encodeURIComponent(petId)}` }, "Back to the pet")),
      h("p", { class: "muted small" }, "A copy of the pet. “Apply to pet” puts this state into the ",
        "pet; “Discard” leaves the pet as it was."),
      toolbar, status,
      h("div", { class: "dbg-grid" },
        h("div", { class: "dbg-col" },
          h("section", { class: "card" }, h("h2", {}, "Screen"), h("div", { class: "lcd-slot" }, canvas), buttons),
          h("section", { class: "card" }, h("h2", {}, "Registers"), regsBox),
          h("section", { class: "card" }, h("h2", {}, "Breakpoints"), breakList,
            pointForm("Breakpoint address", "dbg-break-addr", (a) => edit("PUT", `/breakpoints/${a}`))),
          h("section", { class: "card" }, h("h2", {}, "Watchpoints"), watchList,
            h("div", { class: "inline-form" }, h("label", { class: "check" }, watchRead, "reads"),
              h("label", { class: "check" }, watchWrite, "writes")),
            pointForm("Watchpoint address", "dbg-watch-addr", (a) => edit("PUT", `/watchpoints/${a}`,
              { read: watchRead.checked, write: watchWrite.checked })))),
        h("section", { class: "card dbg-code" }, h("h2", {}, "Program"), listing, labelForm),
        h("section", { class: "card dbg-data" }, h("h2", {}, "Memory"),
          h("p", { class: "muted small" }, "Marked: changed at the last stop. Click a nibble to edit it."),
          memForm, memory)),
      h("section", { class: "card" }, h("h2", {}, "End the session"),
        h("div", { class: "button-row" }, applyBtn, discardBtn), endErr));
    lcd.fit(256);
  }

  // -- drawing a view
  function show(v) {
    const first = view === null;
    view = v;
    if (first) {
      layout();
      speed.value = v.speed;
      for (const b of pet?.buttons || ["A", "B", "C"]) {
        buttons.append(h("button", { type: "button", class: "btn btn-soft", "data-button": b,
          "aria-pressed": "false", onclick: () => edit("PUT", `/buttons/${b}`,
            { pressed: !view.pressed.includes(b) }) }, b));
      }
      loadListing(0, PAGE * 16).then(() => markPc(true));
    }
    const s = v.stop;
    const why = s.reason === "watchpoint" ? `watchpoint: ${s.access} of ${hex(s.address, 3)}` : s.reason;
    status.textContent = v.running
      ? `Running at ${v.speed === "max" ? "full speed" : v.speed}… step ${v.position.toLocaleString()}`
      : `Stopped (${why}) at step ${v.position.toLocaleString()}, ${v.emulated_seconds.toFixed(3)} s` +
        (v.halted ? ", halted" : "") + (v.pet_changed ? ". The pet changed since: this copy can no longer be applied." : "");
    status.dataset.reason = v.running ? "running" : s.reason;
    applyBtn.disabled = v.pet_changed;
    const bytes = new Uint8Array(65);
    for (let i = 0; i < 65; i++) bytes[i] = parseInt(v.frame.substr(i * 2, 2), 16);
    lcd.setFrame(bytes);
    for (const b of buttons.children) b.setAttribute("aria-pressed", String(v.pressed.includes(b.dataset.button)));
    drawRegisters(v);
    breakList.replaceChildren(...v.breakpoints.map((a) => h("li", {}, h("code", {}, hex(a, 4)),
      labels.get(a) ? ` ${labels.get(a)}` : "",
      h("button", { type: "button", class: "link-btn", "aria-label": `Remove breakpoint ${hex(a, 4)}`,
        onclick: () => edit("DELETE", `/breakpoints/${a}`) }, "remove"))));
    watchList.replaceChildren(...v.watchpoints.map((w) => h("li", {}, h("code", {}, hex(w.address, 3)),
      ` ${w.read ? "r" : ""}${w.write ? "w" : ""}`,
      h("button", { type: "button", class: "link-btn", "aria-label": `Remove watchpoint ${hex(w.address, 3)}`,
        onclick: () => edit("DELETE", `/watchpoints/${w.address}`) }, "remove"))));
    drawMemory(v);
    markPc(!v.running);
    if (v.running && !poll) poll = setInterval(refresh, 200);
    if (!v.running && poll) { clearInterval(poll); poll = null; }
  }

  function drawRegisters(v) {
    regsBox.replaceChildren(
      h("div", { class: "dbg-reg-grid" }, REGS.map(([r, digits]) => h("label", { class: "dbg-reg" }, r,
        h("input", { class: "hex-input", value: hex(v.registers[r], digits), "data-reg": r,
          "aria-label": `Register ${r}`, maxlength: String(digits),
          onchange: async (e) => {
            const value = parseHex(e.target.value);
            if (value === null) { toast(`${r}: a hexadecimal value.`, "error"); e.target.value = hex(view.registers[r], digits); return; }
            await edit("PUT", `/registers/${r}`, { value });
          } })))),
      h("div", { class: "dbg-flags" }, FLAGS.map((f) => h("label", { class: "check" },
        h("input", { type: "checkbox", checked: v.registers[f] === 1, "aria-label": `Flag ${f}`,
          onchange: (e) => edit("PUT", `/registers/${f}`, { value: e.target.checked ? 1 : 0 }) }), f))));
  }

  function drawMemory(v) {
    const changed = new Set(v.changed);
    const parts = [];
    for (const [title, start, end] of AREAS) {
      const lines = [];
      for (let row = start; row < end; row += 16) {
        const cells = [];
        for (let a = row; a < row + 16; a++) {
          cells.push(h("button", { type: "button", class: changed.has(a) ? "nib changed" : "nib",
            "data-addr": hex(a, 3), title: hex(a, 3),
            onclick: () => { editAddr.value = hex(a, 3); editValue.value = v.memory[a]; editValue.focus(); } },
          v.memory[a]));
        }
        lines.push(h("div", { class: "mem-row" }, h("span", { class: "mem-addr" }, hex(row, 3)), cells));
      }
      parts.push(h("h3", {}, title), ...lines);
    }
    memory.replaceChildren(...parts);
  }

  // -- the listing: the whole ROM, loaded in pages; the PC's line marked
  async function loadListing(start, count) {
    for (let at = start; at < start + count; at += PAGE) {
      let r;
      try { r = await call("GET", `/disassembly?start=${at}&count=${PAGE}`); } catch { return; }
      if (gone) return;
      for (const [k, v] of Object.entries(r.labels)) labels.set(Number(k), v);
      for (const line of r.lines) {
        const row = h("li", { class: "dbg-line", "data-addr": hex(line.address, 4) },
          h("button", { type: "button", class: "bp-toggle", "aria-label": `Breakpoint at ${hex(line.address, 4)}`,
            onclick: () => edit(view.breakpoints.includes(line.address) ? "DELETE" : "PUT", `/breakpoints/${line.address}`) }),
          h("span", { class: "dbg-label" }, line.label ? `${line.label}:` : ""),
          h("code", {}, `${hex(line.address, 4)}  ${hex(line.word, 3)}  ${line.text}`));
        const old = rows.get(line.address);
        if (old) old.replaceWith(row); else listing.append(row);
        rows.set(line.address, row);
      }
      if (r.lines.length < PAGE || at + PAGE > 0x1fff) return;
    }
  }

  let marked = null;
  function markPc(scroll) {
    if (!view) return;
    for (const [a, row] of rows) row.classList.toggle("bp", view.breakpoints.includes(a));
    const row = rows.get(view.registers.PC);
    if (marked && marked !== row) marked.classList.remove("pc");
    if (row) {
      row.classList.add("pc");
      if (scroll) row.scrollIntoView({ block: "center" });
    }
    marked = row;
  }

  async function refresh() {
    try {
      const v = await call("GET");
      if (!gone) show(v);
    } catch (e) {
      if (poll) { clearInterval(poll); poll = null; }
      toast(e.message, "error");
    }
  }

  try {
    show(await call("GET"));
  } catch (e) {
    if (e.code === "no_session") await intro();
    else page.replaceChildren(h("p", { class: "form-error", role: "alert" }, e.message));
  }

  return () => {
    gone = true;
    if (poll) clearInterval(poll);
    lcd.destroy();
  };
}
