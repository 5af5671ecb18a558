// A real OpenID provider for pygotchi's sign-in tests: the certified `oidc-provider`
// package with one confidential client (PKCE required) and two users.
//
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_URI [ROLES_SHAPE]
//
// ROLES_SHAPE says where the admin's role is put, as Keycloak does it
// ("realm_access": {"realm_access": {"roles": [...]}}) or as Authentik and Authelia
// do ("groups": {"groups": [...]}).
//
// Users: alice / alice-password (role pygotchi-admin), bob / bob-password (pygotchi-player).
//
// For the refusal tests, POST /test/tamper {"mode": M} makes the NEXT token response
// carry an ID token re-signed with a real RSA key after one change:
//   foreign-key  signed by another key (with the provider's key id)
//   nonce | iss | aud  that claim replaced      expired  exp and iat an hour ago
// Prints "ready <issuer>" on stdout once it listens.

import http from "node:http";
import crypto from "node:crypto";
import Provider from "oidc-provider";
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from "jose";

const [port, clientId, clientSecret, redirectUri, postLogoutUri, rolesShape = "realm_access"] =
  process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const USERS = {
  alice: { password: "alice-password", name: "Alice Admin", roles: ["pygotchi-admin", "pygotchi-player"] },
  bob: { password: "bob-password", name: "Bob Player", roles: ["pygotchi-player"] },
};

function roleClaims(roles) {
  return rolesShape === "groups" ? { groups: roles.map((r) => `/${r}`) }
    : { realm_access: { roles } };
}

async function rsaKey(kid) {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { key: privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" } };
}

const own = await rsaKey("test-key-1");
const foreign = await rsaKey("test-key-1"); // same key id, different key
let tamper = null;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  jwks: { keys: [own.jwk] },
  pkce: { required: () => true },
  conformIdTokenClaims: false, // claims in the ID token, as Keycloak does by default
  claims: {
    openid: ["sub"],
    profile: ["preferred_username", "name", "realm_access", "groups"],
    email: ["email", "email_verified"],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html><body><h1>Sign out of the test provider?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
</body></html>`;
      },
    },
  },
  findAccount: async (ctx, id) => {
    const user = USERS[id];
    if (!user) return undefined;
    return {
      accountId: id,
      claims: async () => ({
        sub: id, preferred_username: id, name: user.name,
        email: `${id}@example.org`, email_verified: true, ...roleClaims(user.roles),
      }),
    };
  },
  // First-party client: no consent screen, the requested scopes are granted.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid profile email");
    await grant.save();
    return grant;
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
});

// Rewrite the next ID token, re-signed for real, when a test asked for it.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== "/token" || !tamper || !ctx.body?.id_token) return;
  const mode = tamper;
  tamper = null;
  const claims = decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  if (mode === "nonce") claims.nonce = "not-the-nonce-you-sent";
  if (mode === "iss") claims.iss = "https://someone-else.example.org";
  // for another application, and naming us as the party it was issued to: only an
  // audience check refuses this one
  if (mode === "aud") { claims.aud = ["another-application"]; claims.azp = clientId; }
  if (mode === "expired") { claims.iat = now - 7200; claims.exp = now - 3600; }
  const key = mode === "foreign-key" ? foreign : own;
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.jwk.kid, typ: "JWT" })
      .sign(key.key),
  };
});

function page(res, status, body) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Test provider</title></head><body>${body}</body></html>`);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function loginForm(uid, problem = "") {
  return `<h1>Test provider sign-in</h1>${problem ? `<p id="problem">${problem}</p>` : ""}
<form method="post" action="/interaction/${uid}/login">
<label>Username <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`;
}

async function interaction(req, res) {
  const url = new URL(req.url, issuer);
  const [, , uid, action] = url.pathname.split("/");
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return page(res, 400, "interaction mismatch");
    if (req.method === "GET") return page(res, 200, loginForm(uid));
    if (action === "login") {
      const form = new URLSearchParams(await readBody(req));
      const user = USERS[form.get("login")];
      const given = Buffer.from(form.get("password") || "");
      const ok = user && given.length === user.password.length
        && crypto.timingSafeEqual(given, Buffer.from(user.password));
      if (!ok) return page(res, 200, loginForm(uid, "Wrong username or password."));
      return provider.interactionFinished(req, res, { login: { accountId: form.get("login") } },
        { mergeWithLastSubmission: false });
    }
    return page(res, 404, "no such interaction step");
  } catch (err) {
    return page(res, 400, `interaction failed: ${err.message}`);
  }
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  if (req.url.startsWith("/interaction/")) return interaction(req, res);
  if (req.url === "/test/tamper" && req.method === "POST") {
    tamper = JSON.parse(await readBody(req)).mode || null;
    res.writeHead(204);
    return res.end();
  }
  return callback(req, res);
});
server.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
