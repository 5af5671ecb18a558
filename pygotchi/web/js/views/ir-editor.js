// The IR editor: the four messages of a conversation (or a list of frames), each as
// a hex line, a grid of its 160 bits (click one to flip it), a live checksum
// indicator with "Fix checksum", and every known field with a selector of its named
// values. This module holds the editor's state and wires the parts together:
//   ir-editor/item.js     name, notes, save, exports (the saved item)
//   ir-editor/message.js  one message's card (fields, hex, bits)
//   ir-editor/session.js  sending to a toy and receiving its answers
//   ir-editor/received.js what a toy sent, kept apart until the person uses it
//
// The server does the understanding: every change goes through POST /api/ir/edit
// (flips keep the checksum byte as it is, field changes recompute it, as
// Tamagometer does) and comes back as a fully decoded frame; the conversation's
// consistency warnings come from POST /api/ir/decode. An unsaved conversation
// (built, recorded, opened from a file) is a "draft" kept in sessionStorage, so a
// reload does not lose it.

import { busy, confirmDialog, h, showError, toast } from "../dom.js";
import { fieldCatalogue, irApi } from "../ir-api.js";
import { labHead } from "./ir.js";
import { itemForm } from "./ir-editor/item.js";
import { addFrameCard, messageCard } from "./ir-editor/message.js";
import { sessionPanel } from "./ir-editor/session.js";
import { receivedCard } from "./ir-editor/received.js";

const DRAFT_KEY = "pygotchi.ir.draft";

/** Open frames that are not saved yet (built, recorded, imported) in the editor. */
export function openDraft(ctx, draft) {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  ctx.go("#/ir/edit");
}

function loadDraft() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
  } catch {
    return null;
  }
}

async function decodedDraft(draft) {
  if (draft.kind === "conversation") {
    const { conversations } = await irApi.decode({ messages: draft.frames });
    return { slots: conversations[0].frames, issues: conversations[0].issues };
  }
  const { frames } = await irApi.decode({ text: draft.frames.join("\n") });
  return { slots: frames.filter((f) => !f.error), issues: [] };
}

function nothingOpen(root) {
  root.append(h("section", { class: "page ir-page" }, ...labHead("Editor", "edit"),
    h("div", { class: "card empty" },
      h("p", {}, h("strong", {}, "Nothing is open."), " ",
        h("a", { href: "#/ir/build" }, "Build a conversation"), ", ",
        h("a", { href: "#/ir/record" }, "record one"), " or open a ",
        h("a", { href: "#/ir" }, "saved one"), "."))));
  return null;
}

function notFound(root) {
  root.append(h("section", { class: "page ir-page" }, ...labHead("Not found", "edit"),
    h("div", { class: "card empty", "data-testid": "ir-not-found" },
      h("p", {}, h("strong", {}, "There is no such saved item."),
        " It may have been deleted, or it belongs to someone else."),
      h("a", { class: "btn btn-primary", href: "#/ir" }, "Back to your saved items"))));
  return null;
}

export async function irEditorView(root, ctx, itemId) {
  const catalogue = (await fieldCatalogue()).fields;
  let state;
  if (itemId) {
    let item;
    try {
      item = await irApi.item(itemId);
    } catch (err) {
      if (err.status === 404) return notFound(root);
      throw err;
    }
    state = { id: item.id, name: item.name, notes: item.notes, kind: item.kind,
      source: item.source, item, slots: item.frames, issues: item.conversation?.issues || [] };
  } else {
    const draft = loadDraft();
    if (!draft) return nothingOpen(root);
    state = { id: null, name: draft.name || "", notes: draft.notes || "", kind: draft.kind,
      source: draft.source || "edited", item: null, ...(await decodedDraft(draft)) };
  }
  state.original = state.slots.map((f) => f?.hex || null);
  state.dirty = false;

  let queue = Promise.resolve(); // edits run one after the other, each on the latest bytes
  const cards = h("div", { class: "ir-messages" });
  const issuesBox = h("div", { class: "ir-issues", "aria-live": "polite",
    "data-testid": "ir-issues" });
  const itemPart = itemForm(state, { onSave: (asNew) => save(asNew), onInput: () => markDirty() });

  function hexes() {
    const all = state.slots.map((f) => f?.hex || null);
    return state.kind === "conversation" ? all : all.filter(Boolean);
  }

  function markDirty(dirty = true) {
    state.dirty = dirty;
    itemPart.setDirty(dirty);
    if (!state.id && dirty) {
      sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ name: itemPart.name,
        notes: itemPart.notes, kind: state.kind, source: state.source, frames: hexes() }));
    }
  }

  async function save(asNew) {
    showError(itemPart.error, null);
    await busy(itemPart.form, async () => {
      try {
        const body = { name: itemPart.name, notes: itemPart.notes, frames: hexes() };
        let item;
        if (state.id && !asNew) {
          item = await irApi.updateItem(state.id, body);
        } else {
          item = await irApi.createItem({ ...body, kind: state.kind,
            source: asNew ? "edited" : state.source });
        }
        const wasDraft = !state.id;
        Object.assign(state, { id: item.id, item, name: item.name });
        state.original = hexes();
        markDirty(false);
        toast("Saved.");
        if (wasDraft) sessionStorage.removeItem(DRAFT_KEY);
        if (location.hash !== `#/ir/items/${item.id}`) ctx.go(`#/ir/items/${item.id}`);
        else { itemPart.showItem(item); renderAll(); }
      } catch (err) {
        showError(itemPart.error, err);
      }
    });
  }

  // -- changes to the messages, each through the server --------------------------------------

  const bitsOpen = new Set(); // slots whose bit grid the person unfolded
  const on = {
    bitsToggled(n, open) {
      if (open) bitsOpen.add(n);
      else bitsOpen.delete(n);
    },
    edit(n, body) {
      queue = queue.then(async () => {
        const frame = state.slots[n];
        if (!frame) return;
        try {
          state.slots[n] = await irApi.edit({ frame: frame.hex, format: frame.format, ...body });
          markDirty();
          renderSlot(n);
          await refreshIssues();
        } catch (err) {
          slotError(n, err);
        }
      });
      return queue;
    },
    replace(n, text) {
      queue = queue.then(async () => {
        try {
          const format = state.kind === "conversation" ? "2024" : null;
          const added = n >= state.slots.length;
          state.slots[n] = await irApi.edit({ frame: text, format, fix_checksum: false });
          markDirty();
          if (added) renderAll();
          else renderSlot(n);
          await refreshIssues();
        } catch (err) {
          slotError(n, err);
        }
      });
    },
    remove(n) {
      if (state.kind === "conversation") state.slots[n] = null;
      else state.slots.splice(n, 1);
      markDirty();
      renderAll();
      refreshIssues();
    },
  };

  function slotError(n, err) {
    const slot = cards.children[n]?.querySelector(".ir-slot-error");
    if (slot) showError(slot, err);
    else toast(err.message, "error", 6000);
  }

  function renderSlot(n) {
    const focusKey = cards.children[n]?.contains(document.activeElement)
      ? document.activeElement.dataset.key : null;
    const card = messageCard({ kind: state.kind, catalogue, n, frame: state.slots[n],
      original: state.original[n], bitsOpen: bitsOpen.has(n), on });
    if (cards.children[n]) cards.children[n].replaceWith(card);
    else cards.append(card);
    if (focusKey) card.querySelector(`[data-key="${focusKey}"]`)?.focus();
  }

  function renderAll() {
    cards.replaceChildren();
    state.slots.forEach((_, n) => renderSlot(n));
    if (state.kind === "frames") cards.append(addFrameCard(state.slots.length, on));
  }

  // -- the conversation as a whole -----------------------------------------------------------

  async function refreshIssues() {
    if (state.kind !== "conversation") {
      issuesBox.replaceChildren();
      return;
    }
    const messages = state.slots.map((f) => f?.hex || null);
    try {
      state.issues = messages.some(Boolean)
        ? (await irApi.decode({ messages })).conversations[0].issues : [];
    } catch (err) {
      state.issues = [{ severity: "error", message: null, text: err.message }];
    }
    showIssues();
  }

  function showIssues() {
    if (state.kind !== "conversation") return;
    issuesBox.replaceChildren(state.issues.length
      ? h("ul", { class: "ir-issue-list" }, state.issues.map((i) => h("li", {
        class: `ir-issue ${i.severity}` }, h("strong", {}, i.severity === "error" ? "Error" : "Warning"),
      i.message ? ` · message ${i.message}: ` : ": ", i.text)))
      : h("p", { class: "ir-issue ok" }, "The conversation is consistent."));
  }

  // -- talking to toys -------------------------------------------------------------------------

  // Never replace the person's frames silently: what the toy sent waits in its own
  // card until they choose.
  const received = h("div", {});
  const session = sessionPanel(state, {
    onReceived(result, numbers, mode) {
      if (!result?.conversation) return;
      received.replaceChildren(receivedCard({ conversation: result.conversation, numbers, mode,
        onUse(byNumber) {
          for (const [k, frame] of Object.entries(byNumber)) state.slots[k - 1] = frame;
          markDirty();
          renderAll();
          refreshIssues();
          toast("The toy's messages are in the editor (not saved yet).");
        } }));
      received.scrollIntoView({ block: "nearest" });
    },
  });

  // Leaving with unsaved changes asks first (a draft survives a reload in
  // sessionStorage; a saved item's edits would not).
  ctx.setLeaveGuard?.(async () => !state.dirty || confirmDialog({
    title: "Leave without saving?",
    body: "Your changes to this conversation are not saved. They are lost if you leave.",
    confirmLabel: "Leave", danger: true }));
  const onUnload = (e) => {
    if (state.dirty && state.id) e.preventDefault();
  };
  window.addEventListener("beforeunload", onUnload);

  root.append(h("section", { class: "page ir-page" },
    ...labHead(state.id ? state.name : "Editor", "edit"),
    h("section", { class: "card" }, itemPart.form),
    issuesBox, cards, received, session.element));
  itemPart.showItem(state.item);
  renderAll();
  showIssues();
  return () => {
    window.removeEventListener("beforeunload", onUnload);
    session.cleanup();
  };
}
