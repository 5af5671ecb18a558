// Sign in with a local account, or through the single sign-on provider. Local accounts
// with two-factor sign-in are asked for the code from their authenticator app after the
// password (the server says so with 401 totp_required), on the same form.

import { api } from "../api.js";
import { busy, field, h, showError, svg } from "../dom.js";
import { eggSvg } from "../art.js";
import { providerButton } from "../oidc.js";

export function signInView(root, ctx) {
  const username = h("input", { name: "username", autocomplete: "username", required: true,
    autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const code = h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code",
    maxlength: "7", pattern: "[0-9 ]{6,7}" });
  const codeField = field("Authentication code", code, "The 6 digits your authenticator app shows now.");
  codeField.hidden = true;

  const form = h("form", { class: "stack" },
    field("Username", username),
    field("Password", password),
    codeField,
    error,
    h("button", { class: "btn btn-primary btn-block", type: "submit" }, "Sign in"));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(error, null);
    let askCode = false;
    await busy(form, async () => {
      try {
        await api.signIn(username.value.trim(), password.value, codeField.hidden ? null : code.value);
        await ctx.signedIn("#/pets");
      } catch (err) {
        if (err.code === "totp_required" || err.code === "bad_code") {
          codeField.hidden = false;
          code.required = true;
          showError(error, err);
          askCode = true;
          return;
        }
        if (err.code === "rate_limited" && err.retryAfter) {
          err.message = `${err.message} Try again in ${err.retryAfter} s.`;
        }
        showError(error, err);
        password.select();
      }
    });
    if (askCode) {  // after busy(): a disabled field cannot take the focus
      code.select();
      code.focus();
    }
  });

  const sso = providerButton(ctx.session);
  const local = ctx.session?.sign_in?.local !== false;
  root.append(h("section", { class: "card auth-card" },
    h("div", { class: "auth-art" }, svg(eggSvg("p2", 84))),
    h("h1", {}, "Sign in"),
    h("p", { class: "lead" }, "Your pets have been waiting for you."),
    sso, sso && local ? h("p", { class: "auth-or" }, "or") : null,
    local ? form : null));
  if (local && !sso) username.focus();
}
