// The app's service worker (Workbox, served from /app/static/vendor/workbox: no CDN).
// Pages: network first, then the cached copy, then the offline shell; the API: network first, then cache;
// photos, tiles and static files: cache first. Content itself lives in IndexedDB (data.js), not here.
importScripts({{ workbox_sw|tojson }});
workbox.setConfig({ modulePathPrefix: {{ workbox_prefix|tojson }}, debug: false });
workbox.core.clientsClaim();
workbox.core.skipWaiting();

const { precacheAndRoute, matchPrecache } = workbox.precaching;
const { registerRoute, setCatchHandler } = workbox.routing;
const { NetworkFirst, CacheFirst } = workbox.strategies;
const { ExpirationPlugin } = workbox.expiration;

precacheAndRoute({{ shell|tojson }}.concat([{ url: "/offline", revision: {{ shell_revision|tojson }} }]));

registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.origin === location.origin,
  new NetworkFirst({ cacheName: "pages", networkTimeoutSeconds: 5, plugins: [new ExpirationPlugin({ maxEntries: 200 })] }),
);
registerRoute(
  ({ url }) => url.pathname.startsWith("/api/v1/tiles/") || url.pathname.startsWith("/api/v1/media/files/"),
  new CacheFirst({ cacheName: "offline-media", plugins: [new ExpirationPlugin({ maxEntries: 5000 })] }),
);
registerRoute(
  ({ url, request }) =>
    url.origin === location.origin &&
    url.pathname.startsWith("/api/v1/") &&
    !url.pathname.startsWith("/api/v1/events/stream") &&
    !url.pathname.startsWith("/api/v1/sync") &&
    !url.pathname.endsWith("/progress") &&
    request.method === "GET",
  new NetworkFirst({ cacheName: "api", networkTimeoutSeconds: 5, plugins: [new ExpirationPlugin({ maxEntries: 300 })] }),
);
registerRoute(
  ({ url }) => url.pathname.startsWith("/app/static/") || url.pathname.startsWith("/map/static/"),
  new CacheFirst({ cacheName: "static" }),
);

// A page never visited: the offline shell renders it from the content kept in IndexedDB.
setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") return (await matchPrecache("/offline")) || Response.error();
  return Response.error();
});
