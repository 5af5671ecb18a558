// The servers (admins): every node sharing the pets, with its heartbeat age, the pets it
// runs and its load (GET /api/cluster). Refreshed every 5 s while shown.

import { api } from "../api.js";
import { h, showError } from "../dom.js";

const REFRESH_MS = 5000;

function nodeItem(n) {
  const state = n.leaving ? "leaving" : n.alive ? "alive" : "no heartbeat";
  const load = n.load === null ? "" : ` · load ${n.load.toFixed(2)}`;
  return h("li", { class: "list-item", "data-testid": "cluster-node" },
    h("div", { class: "list-main" },
      h("strong", {}, n.name),
      n.this ? h("span", { class: "badge" }, "answered") : null,
      h("span", { class: "badge" }, state),
      h("div", { class: "muted small" },
        `${n.host} · pid ${n.pid} · heartbeat ${n.heartbeat_age_s.toFixed(1)} s ago${load}`),
      h("div", { class: "small" }, `${n.pets} pet${n.pets === 1 ? "" : "s"}`)));
}

export async function clusterView(root) {
  const summary = h("p", { class: "muted", "data-testid": "cluster-summary" });
  const list = h("ul", { class: "list", "aria-label": "Servers" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });

  async function load() {
    try {
      const c = await api.cluster();
      showError(error, null);
      summary.textContent = c.mode === "single"
        ? `One server process (SQLite) runs all ${c.pets} pets.`
        : `${c.pets} pets over ${c.nodes.filter((n) => n.alive).length} live servers` +
          (c.unclaimed ? `; ${c.unclaimed} waiting for a server` : "") +
          ` (lease timeout ${c.lease_timeout_s} s).`;
      list.replaceChildren(...c.nodes.map(nodeItem));
    } catch (err) {
      showError(error, err);
    }
  }

  root.append(h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Servers"), summary),
    error, list));
  await load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}
