// First start: no user exists yet, so the first person creates the administrator,
// proving with the one-time setup code from the server's log that they started it.

import { api } from "../api.js";
import { busy, field, h, showError, svg } from "../dom.js";
import { eggSvg } from "../art.js";

export function setupView(root, ctx) {
  const username = h("input", { name: "username", autocomplete: "username", required: true,
    maxlength: "32", pattern: "[A-Za-z0-9_.\\-]{1,32}", autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password",
    required: true, minlength: "8" });
  const again = h("input", { name: "password2", type: "password", autocomplete: "new-password",
    required: true, minlength: "8" });
  const code = h("input", { name: "setup_code", required: true, autocomplete: "one-time-code",
    autocapitalize: "characters", spellcheck: "false", maxlength: "40",
    placeholder: "XXXX-XXXX-XXXX" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });

  const form = h("form", { class: "stack", novalidate: false },
    field("Setup code", code,
      "Printed in the server's log (or terminal) when it started: \"pygotchi setup code\"."),
    field("Administrator name", username, "Letters, digits, . _ - (up to 32)"),
    field("Password", password, "At least 8 characters, not a common one"),
    field("Password again", again),
    error,
    h("button", { class: "btn btn-primary btn-block", type: "submit" }, "Create the administrator"));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    if (password.value !== again.value) {
      showError(error, new Error("The two passwords differ."));
      again.focus();
      return;
    }
    await busy(form, async () => {
      try {
        await api.setup(username.value.trim(), password.value, code.value.trim());
        await ctx.signedIn("#/pets");
      } catch (err) {
        showError(error, err);
      }
    });
  });

  root.append(h("section", { class: "card auth-card" },
    h("div", { class: "auth-art" }, svg(eggSvg("p1", 84))),
    h("h1", {}, "Welcome to pygotchi"),
    h("p", { class: "lead" },
      "This server has no accounts yet. Create the administrator: they add players, ",
      "manage the ROM library, and can keep pets of their own."),
    form));
  code.focus();
}
