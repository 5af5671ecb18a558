// Tiny DOM helpers: enough to build views without a framework.

/**
 * h("button", {class: "btn", onclick: fn, "aria-label": "..."}, "text", child, ...)
 * Attributes starting with "on" become listeners; `false`/`null` attributes are skipped;
 * `dataset`/`style` objects are merged. Children may be strings, nodes, arrays or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "style" && typeof value === "object") {
      // setProperty also handles custom properties ("--shell-light"), Object.assign does not.
      for (const [prop, v] of Object.entries(value)) {
        if (prop.startsWith("--") || prop.includes("-")) el.style.setProperty(prop, v);
        else el.style[prop] = v;
      }
    } else if (key === "class") {
      el.className = value;
    } else if (key in el && typeof value !== "string") {
      el[key] = value; // properties such as .value, .checked, .disabled
    } else {
      el.setAttribute(key, value === true ? "" : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Markup we wrote ourselves (SVG art) → a node. Never used with user data. */
export function svg(markup) {
  const tpl = document.createElement("template");
  tpl.innerHTML = markup.trim();
  return tpl.content.firstElementChild;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** A short message at the top of the screen (clear of the toy's buttons); polite for
 * screen readers. */
export function toast(message, kind = "info", ms = 3800) {
  let box = document.getElementById("toasts");
  if (!box) {
    box = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  // The same sentence twice at once says nothing new: keep the one shown longer.
  const same = [...box.children].find((t) => t.textContent === message
    && t.classList.contains(`toast-${kind}`) && !t.classList.contains("leaving"));
  if (same) {
    clearTimeout(same._timer);
    same._timer = setTimeout(() => dismiss(same), ms);
    return;
  }
  const item = h("div", { class: `toast toast-${kind}` }, message);
  box.append(item);
  item._timer = setTimeout(() => dismiss(item), ms);
}

function dismiss(item) {
  item.classList.add("leaving");
  setTimeout(() => item.remove(), 300);
}

/** A modal yes/no question on a native <dialog>; resolves true when confirmed. */
export function confirmDialog({ title, body, confirmLabel = "OK", danger = false }) {
  return new Promise((resolve) => {
    const dlg = h("dialog", { class: "dialog", "aria-labelledby": "confirm-title" },
      h("form", { method: "dialog", class: "dialog-body" },
        h("h2", { id: "confirm-title" }, title),
        body ? h("p", {}, body) : null,
        h("div", { class: "dialog-actions" },
          h("button", { value: "cancel", class: "btn btn-quiet", type: "submit" }, "Cancel"),
          h("button", { value: "ok", class: danger ? "btn btn-danger" : "btn btn-primary",
            type: "submit", "data-confirm": "" }, confirmLabel))));
    dlg.addEventListener("close", () => {
      resolve(dlg.returnValue === "ok");
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** Show an error (ApiError or other) inside a form's alert line. */
export function showError(slot, err) {
  slot.textContent = err ? (err.message || String(err)) : "";
  slot.hidden = !err;
}

/** Disable a form's controls while a request runs, whatever happens. */
export async function busy(form, fn) {
  const controls = [...form.querySelectorAll("button, input, select, textarea")];
  const was = controls.map((c) => c.disabled);
  controls.forEach((c) => { c.disabled = true; });
  form.setAttribute("aria-busy", "true");
  try {
    return await fn();
  } finally {
    controls.forEach((c, i) => { c.disabled = was[i]; });
    form.removeAttribute("aria-busy");
  }
}

/** "3 d 04:05:06" for an emulated age in seconds. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return d ? `${d} d ${hh}:${mm}:${ss}` : `${hh}:${mm}:${ss}`;
}

export function formatDate(iso) {
  if (!iso) return "never";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** A labelled form field: label above, input, optional hint. */
export function field(label, input, hint = null) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("small", { class: "hint" }, hint) : null);
}
