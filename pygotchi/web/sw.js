// pygotchi service worker: makes the app installable and lets the shell open
// offline. Only the app's own static files are cached; the API, the WebSocket
// and the state downloads always go to the network (a pet's life must never be
// served stale).
//
// The server fills in BUILD (a hash of the whole app) and SHELL (the versioned
// URLs of every file: pygotchi/server/assets.py), so a new version of the app is
// a new service worker with a new cache. A versioned URL never changes content,
// so it is answered from the cache first; the page itself ("/") and anything
// unversioned go to the network first, with the cache as fallback offline.

const BUILD = "dev";
const SHELL = ["/"];
const CACHE = `pygotchi-shell-${BUILD}`;
const VERSIONED = /\.[0-9a-f]{10}\.[a-z0-9]+$/i;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShell(url) {
  return url.origin === self.location.origin &&
    (url.pathname === "/" || url.pathname === "/index.html" ||
     url.pathname === "/manifest.webmanifest" || url.pathname.startsWith("/static/"));
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (!isShell(url)) return; // API, docs, health: straight to the network
  event.respondWith((async () => {
    if (VERSIONED.test(url.pathname)) {
      const hit = await caches.match(req);
      if (hit) return hit;
    }
    try {
      const res = await fetch(req);
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((cache) => cache.put(req, copy));
      }
      return res;
    } catch (err) {
      const cached = await caches.match(req, { ignoreSearch: url.pathname === "/" });
      if (cached) return cached;
      throw err;
    }
  })());
});

// --- notifications -------------------------------------------------------------------
// The server sends {kind, pet, title, body, url, tag} (encrypted by the push
// service's protocol; the browser hands it to us decrypted). One notification
// per call: a "missed" message carries the call's tag and replaces it.

self.addEventListener("push", (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch (err) { msg = {}; }
  const title = msg.title || "pygotchi";
  event.waitUntil(self.registration.showNotification(title, {
    body: msg.body || "",
    tag: msg.tag || undefined,
    renotify: msg.kind === "call",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    data: { url: msg.url || "/", pet: msg.pet || null, kind: msg.kind || null },
  }));
});

/** Open (or focus) the app on ``url``: the pet's page for a call. */
async function openApp(url) {
  const target = new URL(url, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin !== self.location.origin) continue;
    try { await client.focus(); } catch (err) { /* not allowed without a click: go on */ }
    if ("navigate" in client) return client.navigate(target);
    return client;
  }
  return self.clients.openWindow(target);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openApp(event.notification.data?.url || "/"));
});
