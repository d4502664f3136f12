// The nurse page's service worker: the page itself and its scripts come from the cache when
// there is no network, so the day opens in a dead zone; the data lives in the page (the last
// day seen, and the outbox in IndexedDB). Nothing from /api/ is cached here.

const SHELL = "ambulant-shell-v1";
const ASSETS = [
  "/me",
  "/static/css/app.css",
  "/static/css/me.css",
  "/static/js/api.js",
  "/static/js/i18n.js",
  "/static/js/outbox.js",
  "/static/js/me.js",
  "/static/js/shell.js",
  "/static/i18n/nb.json",
  "/static/i18n/en.json",
  "/static/manifest.webmanifest",
  "/static/icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (event.request.mode === "navigate" && url.pathname === "/me") {
    // The page fresh when the network answers (a new CSRF token, a new version of the scripts).
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          if (response.ok && !response.redirected) caches.open(SHELL).then((cache) => cache.put("/me", response.clone()));
          return response;
        })
        .catch(() => caches.match("/me")),
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(event.request)));
  }
});
