// pygotchi service worker: makes the app installable and lets the shell open
// offline. Only the app's own static files are cached; the API, the WebSocket
// and the state downloads always go to the network (a pet's life must never be
// served stale).
//
// Strategy: network first, cache as fallback. The server is usually one hop
// away and an update of the app should show up at the next load, not the one
// after; when the network fails we still have the last good copy.

const CACHE = "pygotchi-shell-v3";  // bump when the SHELL list changes
const SHELL = [
  "/",
  "/manifest.webmanifest",
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/api.js",
  "/static/js/art.js",
  "/static/js/audio.js",
  "/static/js/dom.js",
  "/static/js/icons.js",
  "/static/js/ir-api.js",
  "/static/js/ir-panel.js",
  "/static/js/ir-serial.js",
  "/static/js/ir-transport.js",
  "/static/js/lcd.js",
  "/static/js/models.js",
  "/static/js/oidc.js",
  "/static/js/pad.js",
  "/static/js/settings.js",
  "/static/js/socket.js",
  "/static/js/ui-icons.js",
  "/static/js/views/account.js",
  "/static/js/views/autopilot.js",
  "/static/js/views/ir.js",
  "/static/js/views/ir-build.js",
  "/static/js/views/ir-editor.js",
  "/static/js/views/ir-editor/item.js",
  "/static/js/views/ir-editor/message.js",
  "/static/js/views/ir-editor/session.js",
  "/static/js/views/ir-record.js",
  "/static/js/views/pet.js",
  "/static/js/views/pet/controls.js",
  "/static/js/views/pet/menu.js",
  "/static/js/views/pet/screen.js",
  "/static/js/views/pet/sound.js",
  "/static/js/views/pet/status.js",
  "/static/js/views/pets.js",
  "/static/js/views/roms.js",
  "/static/js/views/setup.js",
  "/static/js/views/signin.js",
  "/static/js/views/users.js",
  "/static/icons/icon.svg",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/icon-maskable-512.png",
  "/static/icons/apple-touch-icon.png",
];

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
