// Boot and routing. Hash routes (#/pets/3) so the server only ever has to serve
// "/" for the app itself, and a reload or a shared link lands on the same page.

import { api, getSession } from "./api.js";
import { clear, h, svg, toast } from "./dom.js";
import { LOGO_SVG } from "./art.js";
import { applyLabels } from "./settings.js";
import { setupView } from "./views/setup.js";
import { signInView } from "./views/signin.js";
import { petsView } from "./views/pets.js";
import { petView } from "./views/pet.js";
import { debuggerView } from "./views/debugger.js";
import { romsView } from "./views/roms.js";
import { usersView } from "./views/users.js";
import { accountView } from "./views/account.js";
import { auditView } from "./views/audit.js";
import { restoreAdminView } from "./views/restore-admin.js";
import { clusterView } from "./views/cluster.js";
import { irView } from "./views/ir.js";
import { irBuildView } from "./views/ir-build.js";
import { irEditorView } from "./views/ir-editor.js";
import { irRecordView } from "./views/ir-record.js";
import { signOutEverywhere } from "./oidc.js";

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");

// `shown`: the hash of the page on screen; `guard`: the shown view's "may I leave?"
// (ctx.setLeaveGuard), asked before another page replaces it.
const state = { session: null, cleanup: null, wanted: null, shown: null, guard: null };

const ROUTES = [
  [/^#\/setup$/, setupView, { public: true }],
  [/^#\/signin$/, signInView, { public: true }],
  [/^#\/(pets)?$/, petsView, {}],
  [/^#\/pets\/([^/]+)$/, petView, { wide: true }],
  [/^#\/pets\/([^/]+)\/debug$/, debuggerView, { wide: true }],
  [/^#\/roms$/, romsView, {}],
  [/^#\/users$/, usersView, { admin: true }],
  [/^#\/audit$/, auditView, { admin: true }],
  [/^#\/restore-points$/, restoreAdminView, { admin: true }],
  [/^#\/servers$/, clusterView, { admin: true }],
  [/^#\/account$/, accountView, {}],
  [/^#\/ir$/, irView, {}],
  [/^#\/ir\/build$/, irBuildView, {}],
  [/^#\/ir\/record$/, irRecordView, {}],
  [/^#\/ir\/edit$/, irEditorView, { wide: true }],
  [/^#\/ir\/items\/(\d+)$/, irEditorView, { wide: true }],
];

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function refreshSession() {
  state.session = await getSession();
  renderTopbar();
  return state.session;
}

function ctx() {
  return {
    session: state.session,
    user: state.session?.user || null,
    go,
    refreshSession,
    /** `fn()` (may be async) says whether the person may leave this page now. */
    setLeaveGuard: (fn) => { state.guard = fn; },
    signedIn: async (next) => {
      await refreshSession();
      const target = state.wanted || next || "#/pets";
      state.wanted = null;
      go(target);
    },
  };
}

async function route() {
  const hash = location.hash || "#/pets";
  if (state.guard && hash !== state.shown) {
    const guard = state.guard;
    let ok = true;
    try { ok = await guard(); } catch (err) { console.error(err); }
    if (!ok) {
      // Stay: put the address back without a new navigation (no hashchange).
      history.replaceState(history.state, "", state.shown);
      return;
    }
  }
  state.guard = null;
  state.shown = hash;
  if (state.cleanup) {
    try { state.cleanup(); } catch (err) { console.error(err); }
    state.cleanup = null;
  }
  const s = state.session;
  if (s?.setup_needed && hash !== "#/setup") return go("#/setup");
  if (!s?.setup_needed && hash === "#/setup") return go(s?.user ? "#/pets" : "#/signin");

  let match = null;
  for (const [re, view, opts] of ROUTES) {
    const m = hash.match(re);
    if (m) { match = { view, opts, params: m.slice(1) }; break; }
  }
  if (!match) return go("#/pets");
  if (!match.opts.public && !s?.user) {
    state.wanted = hash;
    return go("#/signin");
  }
  if (match.opts.public && s?.user) return go("#/pets");
  if (match.opts.admin && s.user.role !== "admin") return go("#/pets");

  clear(main);
  main.className = match.opts.wide ? "main main-wide" : "main";
  renderTopbar(hash);
  window.scrollTo(0, 0);
  try {
    state.cleanup = (await match.view(main, ctx(), ...match.params)) || null;
  } catch (err) {
    console.error(err);
    main.append(h("div", { class: "card error-card", role: "alert" },
      h("h1", {}, "Something went wrong"),
      h("p", {}, err.message || String(err)),
      h("button", { class: "btn btn-primary", onclick: () => route() }, "Try again")));
  }
  // Move focus to the page heading so screen readers announce the new page (unless
  // the view already focused something useful, like the username field).
  const heading = main.querySelector("h1");
  if (heading && !main.contains(document.activeElement)) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

function renderTopbar(hash = location.hash) {
  clear(topbar);
  const user = state.session?.user;
  const brand = h("a", { class: "brand", href: user ? "#/pets" : "#/", "aria-label": "pygotchi home" },
    svg(LOGO_SVG), h("span", { class: "brand-name" }, "pygotchi"));
  topbar.append(brand);
  if (!user) return;

  const link = (href, label) => h("a", {
    href, class: "nav-link", "aria-current": hash.startsWith(href) ? "page" : false,
  }, label);
  const links = [
    link("#/pets", "Pets"),
    link("#/roms", "ROMs"),
    link("#/ir", "IR lab"),
    user.role === "admin" ? link("#/users", "Users") : null,
    user.role === "admin" ? link("#/audit", "Audit") : null,
    user.role === "admin" ? link("#/restore-points", "Restore points") : null,
    user.role === "admin" ? link("#/servers", "Servers") : null,
    link("#/account", "Account"),
    h("button", { class: "nav-link nav-signout", type: "button", onclick: signOut }, "Sign out"),
  ];
  const nav = h("nav", { id: "nav", class: "nav", "aria-label": "Main" }, links);
  const toggle = h("button", {
    class: "nav-toggle", type: "button", "aria-expanded": "false", "aria-controls": "nav",
    "aria-label": "Menu",
    onclick: () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    },
  }, h("span", { class: "nav-toggle-bars", "aria-hidden": "true" }));
  nav.addEventListener("click", (e) => {
    if (e.target.closest("a,button")) {
      nav.classList.remove("open");
      toggle.setAttribute("aria-expanded", "false");
    }
  });
  topbar.append(h("span", { class: "who", title: `Signed in as ${user.username}` },
    user.username, user.role === "admin" ? h("span", { class: "badge" }, "admin") : null),
  toggle, nav);
}

async function signOut() {
  try {
    if (await signOutEverywhere(state.session)) return;
    await api.signOut();
  } catch (err) {
    toast(err.message, "error");
  }
  await refreshSession();
  go("#/signin");
}

window.addEventListener("hashchange", route);
window.addEventListener("pygotchi:unauthorized", async () => {
  state.wanted = location.hash;
  await refreshSession().catch(() => {});
  go("#/signin");
});

async function boot() {
  applyLabels();
  try {
    await refreshSession();
  } catch (err) {
    main.append(h("div", { class: "card error-card", role: "alert" },
      h("h1", {}, "Cannot reach the server"),
      h("p", {}, err.message),
      h("button", { class: "btn btn-primary", onclick: () => location.reload() }, "Reload")));
    return;
  }
  await route();
}

// The app shell works offline once visited (the pets themselves need the server).
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((err) => {
      console.warn("service worker not registered:", err);
    });
  });
}

boot();
