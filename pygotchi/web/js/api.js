// The REST half of pygotchi/server/API.md, as small async functions.
//
// Every request goes through `request()`, which
//   * sends cookies (the session is an HttpOnly cookie we never see),
//   * adds X-CSRF-Token to state-changing methods (the server answers 403 `csrf`
//     without it), refreshing the token once and retrying if the server rotated it,
//   * turns the server's JSON errors {error, message} into ApiError, so views can
//     show the server's own sentence to the person.

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message || `Request failed (${status})`);
    this.status = status;
    this.code = code || "error";
    this.retryAfter = retryAfter;
  }
}

let csrfToken = null;

/** Who is signed in, whether setup is needed; also refreshes the CSRF token. */
export async function getSession() {
  const s = await request("GET", "/api/session", { noCsrfRetry: true });
  csrfToken = s.csrf_token;
  return s;
}

export async function request(method, path, { json, form, noCsrfRetry = false } = {}) {
  const headers = { Accept: "application/json" };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // FormData: the browser writes the multipart boundary itself
  }
  if (UNSAFE.has(method)) {
    if (csrfToken === null) await getSession();
    headers["X-CSRF-Token"] = csrfToken;
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: "same-origin", cache: "no-store" });
  } catch (err) {
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection.");
  }
  if (res.status === 204) return null;
  let data = null;
  const type = res.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (res.ok) return data;

  const code = data?.error;
  // The token is tied to the session; signing in can rotate it. One refresh + retry.
  if (res.status === 403 && code === "csrf" && !noCsrfRetry) {
    await getSession();
    return request(method, path, { json, form, noCsrfRetry: true });
  }
  const err = new ApiError(res.status, code, data?.message || res.statusText,
    res.headers.get("Retry-After"));
  if (res.status === 401 && !path.startsWith("/api/session")) {
    // Session expired somewhere in the middle: let the app send us to sign-in.
    window.dispatchEvent(new CustomEvent("pygotchi:unauthorized"));
  }
  throw err;
}

const enc = encodeURIComponent;

export const api = {
  setup: (username, password, setup_code) =>
    request("POST", "/api/setup", { json: { username, password, setup_code } }),
  signIn: (username, password, code) =>
    request("POST", "/api/session", { json: code ? { username, password, code } : { username, password } }),
  signOut: () => request("DELETE", "/api/session"),

  sessions: () => request("GET", "/api/account/sessions"),
  endSession: (id) => request("DELETE", `/api/account/sessions/${enc(id)}`),
  totpStatus: () => request("GET", "/api/account/totp"),
  totpBegin: () => request("POST", "/api/account/totp"),
  totpConfirm: (code) => request("POST", "/api/account/totp/confirm", { json: { code } }),
  totpDisable: (code) => request("POST", "/api/account/totp/disable", { json: { code } }),
  audit: (before, kind) => {
    const q = new URLSearchParams({ limit: "50" });
    if (before) q.set("before", before);
    if (kind) q.set("kind", kind);
    return request("GET", `/api/audit?${q}`);
  },
  cluster: () => request("GET", "/api/cluster"),

  tokens: () => request("GET", "/api/tokens"),
  createToken: (name) => request("POST", "/api/tokens", { json: { name } }),
  revokeToken: (id) => request("DELETE", `/api/tokens/${enc(id)}`),

  users: () => request("GET", "/api/users"),
  createUser: (username, password, role) =>
    request("POST", "/api/users", { json: { username, password, role } }),
  updateUser: (id, changes) => request("PATCH", `/api/users/${enc(id)}`, { json: changes }),
  deleteUser: (id) => request("DELETE", `/api/users/${enc(id)}`),

  roms: () => request("GET", "/api/roms"),
  uploadRom: (file, name) => {
    const form = new FormData();
    form.append("file", file);
    if (name) form.append("name", name);
    return request("POST", "/api/roms", { form });
  },
  deleteRom: (id) => request("DELETE", `/api/roms/${enc(id)}`),

  pets: () => request("GET", "/api/pets"),
  pet: (id) => request("GET", `/api/pets/${enc(id)}`),
  createPet: (name, rom) => request("POST", "/api/pets", { json: { name, rom } }),
  updatePet: (id, changes) => request("PATCH", `/api/pets/${enc(id)}`, { json: changes }),
  deletePet: (id) => request("DELETE", `/api/pets/${enc(id)}?confirm=yes`),
  resetPet: (id) => request("POST", `/api/pets/${enc(id)}/reset`, { json: { confirm: true } }),
  loadState: (id, file) => {
    const form = new FormData();
    form.append("file", file);
    return request("PUT", `/api/pets/${enc(id)}/state`, { form });
  },
  /** The pet list's glance at every pet: [{id, status, emulated_seconds, seq, frame}]. */
  petScreens: () => request("GET", "/api/pets/screens"),
  /** "Set to my time": the server presses the toy's buttons (takes up to ~40 s). */
  setClock: (id, date) => request("POST", `/api/pets/${enc(id)}/clock`, { json: {
    hour: date.getHours(), minute: date.getMinutes(), second: date.getSeconds() } }),
  /** REST fallback for a button when the live socket is down: press for `ms`. */
  pressButtons: (id, buttons, ms) =>
    request("POST", `/api/pets/${enc(id)}/buttons`,
      { json: buttons.length === 1 ? { button: buttons[0], ms } : { buttons, ms } }),

  /** Restore points, newest first: {points, bytes, restores_allowed, schedule}. */
  restorePoints: (id) => request("GET", `/api/pets/${enc(id)}/restore-points`),
  makeRestorePoint: (id, name) =>
    request("POST", `/api/pets/${enc(id)}/restore-points`, { json: { name } }),
  deleteRestorePoint: (id, point) =>
    request("DELETE", `/api/pets/${enc(id)}/restore-points/${enc(point)}`),
  /** Back to a point: {pet, undo} (undo: the point that takes the restore back). */
  restorePoint: (id, point) =>
    request("POST", `/api/pets/${enc(id)}/restore-points/${enc(point)}/restore`,
      { json: { confirm: true } }),
  /** A new pet from this one, as it is now (point null) or from a restore point. */
  forkPet: (id, { name, point = null, paused = false }) =>
    request("POST", `/api/pets/${enc(id)}/fork`, { json: { name, point, paused } }),
  restoreStorage: () => request("GET", "/api/admin/restore-points"),
  setPlayersMayRestore: (allowed) => request("PATCH", "/api/admin/restore-points",
    { json: { players_may_restore: allowed } }),

  // Plain URLs (downloads, thumbnails) the browser fetches itself with the cookie.
  stateUrl: (id, format) => `/api/pets/${enc(id)}/state?format=${enc(format)}`,
  screenPngUrl: (id, scale = 4) => `/api/pets/${enc(id)}/screen.png?scale=${scale}`,
  socketUrl: (id) => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${location.host}/api/pets/${enc(id)}/ws`;
  },
};
