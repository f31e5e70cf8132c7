// Around me: asks for the position, then refreshes the server-rendered list as the tourist walks:
// after moving REFRESH_M metres, or every REFRESH_S seconds (opening states change), never more often.
const REFRESH_M = 25;
const REFRESH_S = 30;
const texts = JSON.parse(document.getElementById("app-texts").textContent);
const status = document.getElementById("position-status");
const params = new URLSearchParams(location.search);
let last = null; // {lon, lat, at}

// Haversine on the mean Earth radius: enough to decide whether the tourist moved 25 m.
function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

// Offline: the same list from the content kept on the phone, distances computed here.
async function listOffline(position) {
  const { features, pick, metresBetween } = await import("/app/static/data.js");
  const lang = document.documentElement.lang;
  const wanted = new Set(params.getAll("category").flatMap((value) => value.split(",")).filter(Boolean));
  const found = (await features("pois"))
    .filter((f) => wanted.size === 0 || wanted.has(f.properties.category))
    .map((f) => ({ f, m: metresBetween(position, { lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }) }))
    .sort((a, b) => a.m - b.m || (a.f.id < b.f.id ? -1 : 1))
    .slice(0, 30);
  const list = document.createElement("ol");
  list.className = "places";
  list.id = "places";
  list.dataset.offline = "true";
  for (const { f, m } of found) {
    const item = document.createElement("li");
    item.className = "place";
    const link = Object.assign(document.createElement("a"), { href: `/places/${f.id}?lang=${lang}` });
    const text = Object.assign(document.createElement("span"), { className: "text" });
    const name = Object.assign(document.createElement("strong"), { className: "name", textContent: pick(f.properties.name, lang) });
    const label = pick(f.properties.category_label, lang) || f.properties.category;
    const distance = m < 1000 ? texts.metres.replace("{n}", Math.max(10, Math.round(m / 10) * 10)) : texts.kilometres.replace("{n}", (m / 1000).toFixed(1));
    const meta = Object.assign(document.createElement("span"), { className: "meta", textContent: `${label} · ${distance}` });
    text.append(name, meta);
    link.append(Object.assign(document.createElement("span"), { className: "no-photo" }), text);
    item.append(link);
    list.append(item);
  }
  document.getElementById("places").replaceWith(list);
}

async function refresh(position) {
  const query = new URLSearchParams(params);
  query.set("lat", position.lat.toFixed(6));
  query.set("lon", position.lon.toFixed(6));
  query.set("partial", "list");
  let response = null;
  try {
    response = await fetch(`/?${query}`, { headers: { Accept: "text/html" } });
  } catch {
    response = null; // no network (the service worker has no copy of this very list)
  }
  if (response && response.ok) {
    document.getElementById("places").outerHTML = await response.text();
  } else {
    await listOffline(position);
  }
  last = { ...position, at: Date.now() };
  status.textContent = texts.near_you;
  for (const input of document.querySelectorAll("form.filters input[name=lat], form.filters input[name=lon]")) input.remove();
  const form = document.querySelector("form.filters");
  for (const [name, value] of [["lat", query.get("lat")], ["lon", query.get("lon")]]) {
    const hidden = Object.assign(document.createElement("input"), { type: "hidden", name, value });
    form.append(hidden);
  }
  document.dispatchEvent(new CustomEvent("places-updated", { detail: last }));
}

function moved(coords) {
  const here = { lon: coords.longitude, lat: coords.latitude };
  if (last === null || metresBetween(last, here) >= REFRESH_M || Date.now() - last.at >= REFRESH_S * 1000) {
    refresh(here);
  }
}

if (!params.has("lat") && "geolocation" in navigator) {
  status.textContent = texts.locating;
  navigator.geolocation.watchPosition(
    (position) => moved(position.coords),
    (error) => {
      status.textContent = error.code === error.PERMISSION_DENIED ? texts.position_denied : texts.at_belfry;
    },
    { enableHighAccuracy: true, maximumAge: 10_000, timeout: 20_000 },
  );
}
