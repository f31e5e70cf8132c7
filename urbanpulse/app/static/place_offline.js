// The offline shell: a place (/places/<id>) or a walk (/walks/<id>) never visited, drawn from IndexedDB.
import { feature, pick } from "/app/static/data.js";

const all = JSON.parse(document.getElementById("all-texts").textContent);
const lang = new URLSearchParams(location.search).get("lang") || document.documentElement.lang;
const texts = all[lang] || all.fr;
const [, kind, id] = location.pathname.split("/");

async function render() {
  const collection = kind === "places" ? "pois" : kind === "walks" ? "routes" : null;
  const item = collection && (await feature(collection, id));
  const title = document.getElementById("offline-title");
  if (!item) {
    title.textContent = texts.not_found;
    return;
  }
  const p = item.properties;
  title.textContent = pick(p.name, lang);
  document.title = `${title.textContent} — ${texts.app_name}`;
  document.getElementById("offline-meta").textContent = pick(p.category_label || p.theme_label, lang);
  document.getElementById("offline-description").textContent = pick(p.description, lang);
  document.getElementById("offline-address").textContent = p.address || "";
  const stops = document.getElementById("offline-stops");
  for (const stop of p.stops || []) {
    const li = document.createElement("li");
    li.append(Object.assign(document.createElement("a"), { href: `/places/${stop.poi_id}?lang=${lang}`, textContent: pick(stop.name, lang) }));
    stops.append(li);
  }
  document.getElementById("offline-item").dataset.rendered = "true";
}

render();
