// Two-factor sign-in: enrol an authenticator app (QR code or secret, shown once, then
// confirm with a code), or turn it off with a current code.

import { api } from "../api.js";
import { busy, field, h, showError, toast } from "../dom.js";

function codeInput() {
  return h("input", { name: "code", required: true, inputmode: "numeric",
    autocomplete: "one-time-code", maxlength: "7", pattern: "[0-9 ]{6,7}" });
}

export async function totpCard() {
  const card = h("section", { class: "card", "data-testid": "totp-card" });

  async function render() {
    const status = await api.totpStatus();
    if (!status.available) {
      card.replaceChildren(h("h2", {}, "Two-factor sign-in"), h("p", { class: "muted small" },
        "You sign in through your organisation's sign-in provider: its own two-factor ",
        "settings apply."));
      return;
    }
    card.replaceChildren(h("h2", {}, "Two-factor sign-in"),
      ...(status.enabled ? enabledView() : disabledView()));
  }

  function disabledView() {
    const start = h("button", { type: "button", class: "btn btn-soft" }, "Set up two-factor sign-in");
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    start.addEventListener("click", async () => {
      showError(error, null);
      try {
        card.replaceChildren(h("h2", {}, "Two-factor sign-in"), ...enrolView(await api.totpBegin()));
      } catch (err) {
        showError(error, err);
      }
    });
    return [h("p", { class: "muted small" },
      "Off. With it on, signing in also asks for a 6-digit code from an authenticator app ",
      "on your phone, so a stolen password alone is not enough."), start, error];
  }

  function enrolView(enrolment) {
    const code = codeInput();
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const form = h("form", { class: "stack" },
      field("Code from the app", code), error,
      h("button", { class: "btn btn-primary", type: "submit" }, "Turn on"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      showError(error, null);
      await busy(form, async () => {
        try {
          await api.totpConfirm(code.value);
          toast("Two-factor sign-in is on.");
          await render();
        } catch (err) {
          showError(error, err);
        }
      });
    });
    return [
      h("p", {}, "Scan this with your authenticator app, or type the key into it. ",
        "It is shown only now."),
      h("img", { class: "totp-qr", src: enrolment.qr, alt: "QR code for your authenticator app",
        width: "180", height: "180" }),
      h("p", { class: "small" }, "Key: ",
        h("code", { class: "token-value", "data-testid": "totp-secret" }, enrolment.secret)),
      form,
    ];
  }

  function enabledView() {
    const code = codeInput();
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const form = h("form", { class: "inline-form" }, field("Code to turn it off", code),
      h("button", { class: "btn btn-danger-soft", type: "submit" }, "Turn off"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      showError(error, null);
      await busy(form, async () => {
        try {
          await api.totpDisable(code.value);
          toast("Two-factor sign-in is off.");
          await render();
        } catch (err) {
          showError(error, err);
        }
      });
    });
    return [h("p", { class: "muted small", "data-testid": "totp-on" },
      "On: signing in asks for a code from your authenticator app."), form, error];
  }

  await render();
  return card;
}
