// Where this account is signed in: one line per browser (device, address, last seen),
// each with a button that signs it out. Ending the current one signs out here.

import { api } from "../api.js";
import { confirmDialog, formatDate, h, toast } from "../dom.js";

export async function sessionsCard(ctx) {
  const list = h("ul", { class: "list", "aria-label": "Signed-in devices" });

  async function refresh() {
    const sessions = await api.sessions();
    list.replaceChildren(...sessions.map(item));
  }

  function item(s) {
    const label = s.current ? `${s.device} (this device)` : s.device;
    return h("li", { class: "list-item", "data-testid": "session" },
      h("div", { class: "list-main" },
        h("strong", {}, label),
        h("div", { class: "muted small", title: s.user_agent },
          `${s.address || "unknown address"} · last seen ${formatDate(s.last_seen_at)}`)),
      h("button", { type: "button", class: "btn btn-danger-soft btn-small",
        "aria-label": `Sign out ${label}`,
        onclick: async () => {
          const ok = await confirmDialog({ title: `Sign out ${label}?`,
            body: s.current ? "You will have to sign in again here."
              : "That browser has to sign in again; its open pet views close now.",
            confirmLabel: "Sign out", danger: true });
          if (!ok) return;
          try {
            await api.endSession(s.id);
            if (s.current) {
              await ctx.refreshSession();
              ctx.go("#/signin");
              return;
            }
            toast("Signed out.");
            refresh();
          } catch (err) {
            toast(err.message, "error");
          }
        } }, "Sign out"));
  }

  await refresh();
  return h("section", { class: "card" }, h("h2", {}, "Signed-in devices"),
    h("p", { class: "muted small" },
      "Every browser signed in to your account. Sign out any you do not recognise, ",
      "then change your password."),
    list);
}
