// What the pet view says about the pet's state: the connection pill (with its
// retry countdown), whether the pet runs, its age (ticking between status
// messages), and the catch-up progress bar under the toy.

import { formatDuration, h } from "../../dom.js";

// What the server does with the pet (not what the pet does on its screen: a
// running pet may well be asleep).
const STATUS_WORDS = { running: "Running", paused: "Paused", catching_up: "Catching up" };

export function petStatus({ retry }) {
  const connPill = h("span", { class: "pill pill-connecting", "data-testid": "connection",
    role: "status" }, "Connecting…");
  const retryBtn = h("button", { type: "button", class: "link-btn", hidden: true,
    onclick: () => retry() }, "Retry now");
  const statusText = h("span", { class: "chip", "data-testid": "pet-status",
    title: "What the server does with the pet" });
  const ageText = h("span", { class: "muted small", title: "Time lived on the pet's own clock" });
  const row = h("div", { class: "status-row" }, connPill, retryBtn, statusText, ageText);
  const progress = h("div", { class: "catchup", hidden: true },
    h("div", { class: "catchup-label" }),
    h("div", { class: "bar" }, h("div", { class: "bar-fill" })));

  let countdown = null;
  let age = { secs: 0, at: 0, ticking: false };

  function renderAge() {
    let secs = age.secs;
    // Between status messages the pet keeps living: advance the clock locally
    // (only while connected: offline we do not know what the pet is doing).
    if (age.ticking) secs += (performance.now() - age.at) / 1000;
    ageText.textContent = `age ${formatDuration(secs)}`;
  }
  const ageTimer = setInterval(renderAge, 1000);

  return {
    row, progress,
    /** The socket's state (connecting, open, waiting, closed) and its details. */
    connection(state, info) {
      connPill.className = `pill pill-${state}`;
      retryBtn.hidden = state !== "waiting";
      clearInterval(countdown);
      if (state === "open") {
        connPill.textContent = "Live";
      } else if (state === "connecting") {
        connPill.textContent = info.attempt ? "Reconnecting…" : "Connecting…";
      } else if (state === "waiting") {
        const tick = () => {
          const s = Math.max(0, Math.ceil((info.retryAt - Date.now()) / 1000));
          connPill.textContent = s > 0 ? `Offline, retry in ${s} s` : "Reconnecting…";
        };
        tick();
        countdown = setInterval(tick, 500);
      } else {
        connPill.textContent = "Disconnected";
      }
    },
    /**
     * The pet's run state; `emulatedSeconds` its age now; `ticking` whether it is
     * known to be running (so the age may advance locally); `catchUp` the server's
     * progress {done_s, total_s} while it catches up; `known` false while offline.
     */
    show({ status, emulatedSeconds, ticking, catchUp, known = true }) {
      // Offline we only know what it was doing: say nothing rather than "Running".
      statusText.hidden = !known || !status;
      statusText.textContent = STATUS_WORDS[status] || status || "";
      statusText.className = `chip chip-${status}`;
      age = { secs: emulatedSeconds ?? 0, at: performance.now(), ticking };
      if (status === "catching_up") {
        const pct = catchUpPercent(catchUp);
        progress.hidden = false;
        progress.querySelector(".catchup-label").textContent = catchUp
          ? `Catching up on ${formatDuration(catchUp.total_s)} away: ${pct}%` : "Catching up…";
        progress.querySelector(".bar-fill").style.width = `${pct}%`;
      } else {
        progress.hidden = true;
      }
      renderAge();
    },
    /** The age as shown now (for the pet menu, which ticks along). */
    ageNow() {
      return age.secs + (age.ticking ? (performance.now() - age.at) / 1000 : 0);
    },
    destroy() {
      clearInterval(ageTimer);
      clearInterval(countdown);
    },
  };
}

/** Percent done of a catch-up, for the overlay on the screen. */
export function catchUpPercent(catchUp) {
  return catchUp && catchUp.total_s > 0
    ? Math.min(100, Math.floor((100 * catchUp.done_s) / catchUp.total_s)) : 0;
}
