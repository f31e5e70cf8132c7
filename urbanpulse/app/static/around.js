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

async function refresh(position) {
  const query = new URLSearchParams(params);
  query.set("lat", position.lat.toFixed(6));
  query.set("lon", position.lon.toFixed(6));
  query.set("partial", "list");
  const response = await fetch(`/?${query}`, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const list = document.getElementById("places");
  list.outerHTML = await response.text();
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
