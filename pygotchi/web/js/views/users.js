// Accounts (admins only): add players or admins, change roles, delete.

import { api } from "../api.js";
import { busy, confirmDialog, field, formatDate, h, showError, svg, toast } from "../dom.js";
import { ICONS_UI } from "../ui-icons.js";
import { resetPasswordButton } from "./user-password.js";

export async function usersView(root, ctx) {
  const list = h("ul", { class: "list", "aria-label": "Users" });
  const page = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Users")),
    list);
  root.append(page);

  async function refresh() {
    const users = await api.users();
    list.replaceChildren(...users.map(userItem));
  }

  function userItem(u) {
    const self = u.id === ctx.user.id;
    const role = h("select", { "aria-label": `Role of ${u.username}`, disabled: self,
      title: self ? "You cannot change your own role" : null,
      onchange: async () => {
        try {
          await api.updateUser(u.id, { role: role.value });
          toast(`${u.username} is now ${role.value === "admin" ? "an admin" : "a player"}.`);
        } catch (err) {
          toast(err.message, "error");
          role.value = u.role;
        }
      } },
    h("option", { value: "player", selected: u.role === "player" }, "player"),
    h("option", { value: "admin", selected: u.role === "admin" }, "admin"));
    const del = self ? null : h("button", { type: "button", class: "icon-btn",
      "aria-label": `Delete user ${u.username}`, title: "Delete",
      onclick: async () => {
        const ok = await confirmDialog({ title: `Delete ${u.username}?`,
          body: "Their account and all their pets are deleted. This cannot be undone.",
          confirmLabel: "Delete", danger: true });
        if (!ok) return;
        try {
          await api.deleteUser(u.id);
          toast(`${u.username} was deleted.`);
          refresh();
        } catch (err) {
          toast(err.message, "error");
        }
      } }, svg(ICONS_UI.trash));
    return h("li", { class: "list-item" },
      h("div", { class: "list-main" },
        h("strong", {}, u.username), self ? h("span", { class: "badge" }, "you") : null,
        h("div", { class: "muted small" }, `since ${formatDate(u.created_at)}`)),
      self ? null : resetPasswordButton(u), role, del);
  }

  await refresh();

  const username = h("input", { name: "username", required: true, maxlength: "32",
    pattern: "[A-Za-z0-9_.\\-]{1,32}", autocomplete: "off", autocapitalize: "none",
    spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", required: true,
    minlength: "8", autocomplete: "new-password" });
  const role = h("select", { name: "role" },
    h("option", { value: "player" }, "player"), h("option", { value: "admin" }, "admin"));
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "stack" },
    field("Username", username, "Letters, digits, . _ - (up to 32)"),
    field("Password", password, "At least 8 characters, not a common one; tell it to them privately."),
    field("Role", role),
    error,
    h("button", { class: "btn btn-primary", type: "submit" }, "Add user"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    await busy(form, async () => {
      try {
        await api.createUser(username.value.trim(), password.value, role.value);
        toast(`Added ${username.value.trim()}.`);
        form.reset();
        refresh();
      } catch (err) {
        showError(error, err);
      }
    });
  });
  page.append(h("section", { class: "card" }, h("h2", {}, "Add a user"), form));
}
