// The signed-in person's own things: password, personal API tokens, signed-in devices
// (account-sessions.js) and two-factor sign-in (account-totp.js).

import { api } from "../api.js";
import { busy, confirmDialog, field, formatDate, h, showError, toast } from "../dom.js";
import { sessionsCard } from "./account-sessions.js";
import { totpCard } from "./account-totp.js";
import { notificationCards } from "./notify.js";

export async function accountView(root, ctx) {
  const page = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Account"),
      h("p", { class: "muted" }, `Signed in as ${ctx.user.username} (${ctx.user.role}).`)));
  root.append(page);
  page.append(await tokensCard(), passwordCard(ctx), await totpCard(), await sessionsCard(ctx),
    ...await notificationCards());
}

async function tokensCard() {
  const list = h("ul", { class: "list", "aria-label": "API tokens" });
  const reveal = h("div", { class: "token-reveal", hidden: true, role: "status" });

  async function refresh() {
    const tokens = await api.tokens();
    list.replaceChildren(...(tokens.length ? tokens.map(item)
      : [h("li", { class: "list-item muted" }, "No tokens yet.")]));
  }

  function item(t) {
    return h("li", { class: "list-item" },
      h("div", { class: "list-main" }, h("strong", {}, t.name),
        h("div", { class: "muted small" },
          `created ${formatDate(t.created_at)} · last used ${formatDate(t.last_used_at)}`)),
      h("button", { type: "button", class: "btn btn-danger-soft btn-small",
        "aria-label": `Revoke token ${t.name}`,
        onclick: async () => {
          const ok = await confirmDialog({ title: `Revoke "${t.name}"?`,
            body: "Scripts using it stop working at once.", confirmLabel: "Revoke", danger: true });
          if (!ok) return;
          try {
            await api.revokeToken(t.id);
            toast("Token revoked.");
            refresh();
          } catch (err) {
            toast(err.message, "error");
          }
        } }, "Revoke"));
  }

  const name = h("input", { name: "name", required: true, maxlength: "60", autocomplete: "off",
    placeholder: "e.g. home-automation" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "inline-form" }, field("New token name", name),
    h("button", { class: "btn btn-primary", type: "submit" }, "Create"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    await busy(form, async () => {
      try {
        const t = await api.createToken(name.value.trim());
        showToken(t);
        form.reset();
        refresh();
      } catch (err) {
        showError(error, err);
      }
    });
  });

  function showToken(t) {
    const code = h("code", { class: "token-value", "data-testid": "new-token" }, t.token);
    const copy = h("button", { type: "button", class: "btn btn-soft btn-small",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(t.token);
          copy.textContent = "Copied";
        } catch {
          // No clipboard permission (plain http): select it so a long-press copies.
          getSelection().selectAllChildren(code);
        }
      } }, "Copy");
    reveal.hidden = false;
    reveal.replaceChildren(
      h("p", {}, h("strong", {}, `Token "${t.name}" created. `),
        "Copy it now: it is shown only this once."),
      h("div", { class: "token-box" }, code, copy),
      h("p", { class: "muted small" }, "Use it as ", h("code", {}, "Authorization: Bearer <token>"),
        " with the ", h("a", { href: "/docs", target: "_blank", rel: "noopener" }, "API"), "."));
  }

  await refresh();
  return h("section", { class: "card" }, h("h2", {}, "API tokens"),
    h("p", { class: "muted small" },
      "Personal tokens let scripts look after your pets through the API, as you."),
    reveal, list, form, error);
}

function passwordCard(ctx) {
  const current = h("input", { type: "password", required: true,
    autocomplete: "current-password" });
  const pw = h("input", { type: "password", required: true, minlength: "8",
    autocomplete: "new-password" });
  const again = h("input", { type: "password", required: true, minlength: "8",
    autocomplete: "new-password" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "stack" },
    field("Current password", current),
    field("New password", pw, "At least 8 characters, not a common one"),
    field("New password again", again),
    error, h("button", { class: "btn btn-soft", type: "submit" }, "Change password"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    if (pw.value !== again.value) {
      showError(error, new Error("The two passwords differ."));
      return;
    }
    await busy(form, async () => {
      try {
        await api.updateUser(ctx.user.id, { password: pw.value, current_password: current.value });
        form.reset();
        toast("Password changed. Your other devices were signed out.");
      } catch (err) {
        showError(error, err);
      }
    });
  });
  return h("section", { class: "card" }, h("h2", {}, "Password"), form);
}
