// Single sign-on (OpenID Connect): the "Sign in with <provider>" button, and a sign-out
// that also ends the session at the provider (RP-initiated logout).
//
// Both are full-page navigations, not fetches: the provider's pages must show in
// the browser itself, and it sends the browser back to /auth/oidc/callback.

import { request } from "./api.js";
import { h } from "./dom.js";

/** The provider button for the sign-in page, or null when the server has none. */
export function providerButton(session) {
  const oidc = session?.sign_in?.oidc;
  if (!oidc) return null;
  return h("a", { class: "btn btn-primary btn-block sso-button", href: oidc.url },
    `Sign in with ${oidc.name}`);
}

/** Sign out; true when the browser is on its way to the provider to finish it there. */
export async function signOutEverywhere(session) {
  if (session?.signed_in_with !== "oidc") return false;
  const { redirect } = await request("POST", "/auth/oidc/logout");
  location.assign(redirect);
  return true;
}
