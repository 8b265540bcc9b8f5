// The crew app's service worker: the app's files and the crew's data (its tasks, their roads,
// photos) are kept as last fetched, so the app opens and shows the assigned places without a
// network. Every read goes to the network first and falls back to the kept copy; writes are not
// touched here (the app's outbox queues them).
const SHELL = 'roadloop-crew-shell-v1';
const DATA = 'roadloop-crew-data-v1';
const SHELL_FILES = [
  '/crew/',
  '/crew/app.js',
  '/crew/outbox.js',
  '/crew/places.js',
  '/crew/crew.css',
  '/crew/manifest.webmanifest',
  '/crew/icon.svg',
  '/crew/vendor/idb/index.js',
  '/i18n/i18n.js',
  '/i18n/crew.en.json',
  '/i18n/crew.zh-CN.json',
  '/map/dom.js',
  '/map/session.js',
  '/map/vendor/leaflet-src.esm.js',
  '/map/vendor/leaflet.css',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL && n !== DATA).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  // Signing out on a shared phone: the next crew must not see this one's tasks.
  if (event.data === 'forget-data') event.waitUntil(caches.delete(DATA));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === '/v1/live') return;
  const store = url.pathname.startsWith('/v1/') ? DATA : SHELL;
  event.respondWith(networkFirst(request, store));
});

async function networkFirst(request, store) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(store).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (err) {
    const kept = (await caches.match(request, { cacheName: store })) ?? (await caches.match(request));
    if (kept) return kept;
    throw err;
  }
}
