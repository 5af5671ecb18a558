// The IR lab half of pygotchi/server/API.md ("IR lab"), as small async functions.
// Everything goes through api.js's request(), so the CSRF header and the server's
// error sentences work exactly as for pets.

import { request } from "./api.js";

const enc = encodeURIComponent;

function fileForm(file, name) {
  const form = new FormData();
  form.append("file", file);
  if (name) form.append("name", name);
  return form;
}

export const irApi = {
  items: () => request("GET", "/api/ir/items"),
  item: (id) => request("GET", `/api/ir/items/${enc(id)}`),
  createItem: (item) => request("POST", "/api/ir/items", { json: item }),
  updateItem: (id, changes) => request("PATCH", `/api/ir/items/${enc(id)}`, { json: changes }),
  deleteItem: (id) => request("DELETE", `/api/ir/items/${enc(id)}`),
  /** Plain URLs: the browser downloads them itself, with the cookie. */
  exportUrl: (id, format) => `/api/ir/items/${enc(id)}/export?format=${enc(format)}`,
  exportAllUrl: () => "/api/ir/export",
  importText: (text, name) => request("POST", "/api/ir/import", { json: { text, name: name || null } }),
  importFile: (file, name) => request("POST", "/api/ir/import", { form: fileForm(file, name) }),

  /** {text} (any capture, hex or bits) or {messages: [4 slots]} -> frames, conversations. */
  decode: (body) => request("POST", "/api/ir/decode", { json: body }),
  encode: (body) => request("POST", "/api/ir/encode", { json: body }),
  /** {frame, format, flip: [bit], set: {field: value}, fix_checksum} -> frame. */
  edit: (body) => request("POST", "/api/ir/edit", { json: body }),
  fields: () => request("GET", "/api/ir/fields"),

  ports: () => request("GET", "/api/ir/ports"),
  startSession: (body) => request("POST", "/api/ir/sessions", { json: body }),
  /** Long poll: answers at the first event numbered >= after, at the end, or after `wait` s. */
  session: (id, after, wait) =>
    request("GET", `/api/ir/sessions/${enc(id)}?after=${after}&wait=${wait}`),
  cancelSession: (id) => request("POST", `/api/ir/sessions/${enc(id)}/cancel`),
};

let fieldsCache = null;

/** The field catalogue never changes while the page lives: fetch it once. */
export function fieldCatalogue() {
  fieldsCache = fieldsCache || irApi.fields().catch((err) => { fieldsCache = null; throw err; });
  return fieldsCache;
}

export const ROLE_TITLES = {
  1: "initiator's profile",
  2: "responder's profile",
  3: "initiator's request",
  4: "responder's reply",
};
