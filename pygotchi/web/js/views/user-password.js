// An administrator resets someone's password (they forgot it, or lost their phone):
// their sign-ins end, their API tokens are revoked and two-factor sign-in is turned off.

import { api } from "../api.js";
import { field, h, showError, toast } from "../dom.js";

export function resetPasswordButton(user) {
  return h("button", { type: "button", class: "btn btn-soft btn-small",
    "aria-label": `Reset the password of ${user.username}`,
    onclick: () => openDialog(user) }, "Reset");
}

function openDialog(user) {
  const pw = h("input", { type: "password", required: true, minlength: "8",
    autocomplete: "new-password" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const dlg = h("dialog", { class: "dialog", "aria-labelledby": "reset-title" },
    h("form", { method: "dialog", class: "dialog-body stack" },
      h("h2", { id: "reset-title" }, `New password for ${user.username}`),
      h("p", { class: "small" }, "They are signed out everywhere, their API tokens are revoked ",
        "and two-factor sign-in is turned off. Tell them the new password privately."),
      field("New password", pw, "At least 8 characters, not a common one"),
      error,
      h("div", { class: "dialog-actions" },
        h("button", { value: "cancel", class: "btn btn-quiet", type: "submit",
          formnovalidate: true }, "Cancel"),
        h("button", { value: "ok", class: "btn btn-danger", type: "submit" }, "Reset"))));
  dlg.querySelector("form").addEventListener("submit", async (e) => {
    if (e.submitter?.value !== "ok") return;
    e.preventDefault();
    showError(error, null);
    try {
      await api.updateUser(user.id, { password: pw.value });
      toast(`The password of ${user.username} was reset.`);
      dlg.close();
    } catch (err) {
      showError(error, err);
    }
  });
  dlg.addEventListener("close", () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  pw.focus();
}
