// The content kept on the phone: the sync bundle on the first visit, then the delta sync, into IndexedDB
// (through idb). Items keep every language; pick() flattens like the API (requested -> en -> fr).
import { openDB } from "/app/static/vendor/idb.js";

const SYNC_EVERY_MS = 60_000;

function database() {
  return openDB("urbanpulse", 1, {
    upgrade(db) {
      const features = db.createObjectStore("features", { keyPath: "key" });
      features.createIndex("collection", "collection");
      db.createObjectStore("meta");
    },
  });
}

export function pick(value, lang) {
  if (value == null || typeof value === "string") return value ?? "";
  for (const code of [lang, "en", "fr"]) if (value[code]) return value[code];
  return "";
}

async function apply(db, body) {
  const tx = db.transaction(["features", "meta"], "readwrite");
  const store = tx.objectStore("features");
  if (body.snapshot && !body.since) await store.clear();
  for (const feature of body.features) {
    await store.put({ key: `${feature.collection}/${feature.id}`, collection: feature.collection, id: String(feature.id), feature });
  }
  for (const gone of body.removed || []) await store.delete(`${gone.type}/${gone.id}`);
  await tx.objectStore("meta").put(body.next_cursor, "cursor");
  await tx.objectStore("meta").put(new Date().toISOString(), "synced_at");
  await tx.done;
}

// Bring the phone's copy up to date: the bundle when it has none, the changes since its cursor otherwise.
export async function sync({ force = false } = {}) {
  const db = await database();
  const cursor = await db.get("meta", "cursor");
  const syncedAt = await db.get("meta", "synced_at");
  if (!force && syncedAt && Date.now() - Date.parse(syncedAt) < SYNC_EVERY_MS) return false;
  if (!cursor) {
    const response = await fetch("/api/v1/sync/bundle");
    if (!response.ok) throw new Error(`bundle: ${response.status}`);
    await apply(db, await response.json());
    return true;
  }
  let since = cursor;
  for (let page = 0; page < 100; page += 1) {
    // no-cache: a cursor asked again must see the changes since, not an earlier answer kept by the browser.
    const response = await fetch(`/api/v1/sync?since=${encodeURIComponent(since)}`, { cache: "no-cache" });
    if (response.status === 410) {
      // The cursor is too old for the changes kept by the service: start again from a bundle.
      await db.delete("meta", "cursor");
      return sync({ force: true });
    }
    if (!response.ok) throw new Error(`sync: ${response.status}`);
    const body = await response.json();
    await apply(db, { ...body, since });
    since = body.next_cursor;
    if (!body.has_more) break;
  }
  return true;
}

export async function syncedAt() {
  return (await database()).get("meta", "synced_at");
}

export async function features(collection) {
  const rows = await (await database()).getAllFromIndex("features", "collection", collection);
  return rows.map((row) => row.feature);
}

export async function feature(collection, id) {
  const row = await (await database()).get("features", `${collection}/${id}`);
  return row ? row.feature : null;
}

// Distance on the mean Earth sphere, enough for a list on the phone when the service cannot be reached.
export function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}
