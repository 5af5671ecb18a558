// The audit log (admins): security events newest first, 50 at a time, with a filter
// by kind and "Older" to page back.

import { api } from "../api.js";
import { field, formatDate, h, showError } from "../dom.js";

const LABELS = {
  signin: "Signed in", signin_failed: "Failed sign-in", signout: "Signed out",
  session_ended: "Device signed out", password_changed: "Password changed",
  password_reset: "Password reset", totp_enabled: "Two-factor on", totp_disabled: "Two-factor off",
  token_created: "Token created", token_revoked: "Token revoked", user_created: "User created",
  user_changed: "User changed", user_deleted: "User deleted", rom_added: "ROM added",
  rom_deleted: "ROM removed", pet_deleted: "Pet deleted", pet_reset: "Pet reset",
  pet_state_loaded: "Pet state loaded", pet_restored: "Pet restored", pet_forked: "Pet forked",
  restores_changed: "Restores for players changed", setup_failed: "Wrong setup code",
};

function details(e) {
  const parts = Object.entries(e.detail || {})
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${v}`);
  return [e.subject, ...parts].filter(Boolean).join(" · ");
}

export async function auditView(root) {
  const list = h("ul", { class: "list", "aria-label": "Audit events" });
  const more = h("button", { type: "button", class: "btn btn-soft", hidden: true }, "Older");
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const kind = h("select", { name: "kind" }, h("option", { value: "" }, "All events"));
  let before = null;

  function item(e) {
    return h("li", { class: "list-item", "data-testid": "audit-event" },
      h("div", { class: "list-main" },
        h("strong", {}, LABELS[e.kind] || e.kind),
        e.actor ? h("span", { class: "badge" }, e.actor) : null,
        h("div", { class: "muted small" }, `${formatDate(e.at)} · ${e.address || "-"}`),
        h("div", { class: "small" }, details(e))));
  }

  async function load(reset) {
    showError(error, null);
    if (reset) { before = null; list.replaceChildren(); }
    try {
      const page = await api.audit(before, kind.value);
      if (kind.options.length === 1) {
        kind.append(...page.kinds.map((k) => h("option", { value: k }, LABELS[k] || k)));
      }
      list.append(...page.events.map(item));
      if (!list.children.length) list.append(h("li", { class: "list-item muted" }, "Nothing yet."));
      before = page.next_before;
      more.hidden = before === null;
    } catch (err) {
      showError(error, err);
    }
  }

  kind.addEventListener("change", () => load(true));
  more.addEventListener("click", () => load(false));
  root.append(h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Audit log"),
      h("p", { class: "muted" }, "Sign-ins, passwords, tokens, accounts, ROMs and pets: who, when, from where.")),
    h("div", { class: "inline-form" }, field("Show", kind)),
    error, list, more));
  await load(true);
}
