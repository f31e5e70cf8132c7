// Walk mode: follows the live position along the route with /routes/{id}/progress, shows what is left and
// the next stop, and warns when the walker is more than 50 m off the line (the service's `off_route`).
const MIN_MOVE_M = 5;
const MIN_INTERVAL_MS = 3_000;
const article = document.getElementById("walk");
const texts = JSON.parse(document.getElementById("walk-texts").textContent);
const toggle = document.getElementById("walk-toggle");
const status = document.getElementById("walk-status");
const warning = document.getElementById("walk-warning");
let watchId = null;
let last = null; // {lon, lat, at}

function distanceText(metres) {
  if (metres < 1000) return texts.metres.replace("{n}", Math.max(10, Math.round(metres / 10) * 10));
  return texts.kilometres.replace("{n}", (metres / 1000).toFixed(1));
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
}

function show(progress) {
  const off = progress.status !== "on_route";
  warning.hidden = !off;
  if (off) warning.textContent = fill(texts.off_route, { distance: distanceText(progress.off_route_m) });
  if (progress.status === "far") {
    status.textContent = "";
    return;
  }
  const parts = [fill(texts.remaining, { distance: distanceText(progress.remaining_m) })];
  const next = progress.next_stop;
  if (next) parts.push(fill(texts.next_stop, { name: next.name, distance: distanceText(next.distance_m) }));
  else if (progress.remaining_m < 50) parts.push(texts.walk_finished);
  status.textContent = parts.join(" · ");
  for (const item of document.querySelectorAll(".stops li")) {
    item.classList.toggle("next", !!next && Number(item.dataset.position) === next.position);
  }
  article.dataset.nextStop = next ? String(next.position) : "";
  article.dataset.offRoute = String(off);
}

async function update(coords) {
  const here = { lon: coords.longitude, lat: coords.latitude };
  const now = Date.now();
  if (last && now - last.at < MIN_INTERVAL_MS && Math.hypot(here.lon - last.lon, here.lat - last.lat) * 111_000 < MIN_MOVE_M) {
    return;
  }
  last = { ...here, at: now };
  const query = new URLSearchParams({ lat: here.lat.toFixed(6), lon: here.lon.toFixed(6), lang: article.dataset.lang });
  const response = await fetch(`/api/v1/routes/${article.dataset.routeId}/progress?${query}`);
  if (response.ok) show(await response.json());
}

function start() {
  watchId = navigator.geolocation.watchPosition((position) => update(position.coords), () => {}, {
    enableHighAccuracy: true,
    maximumAge: 2_000,
    timeout: 20_000,
  });
  toggle.textContent = texts.stop_walk;
  toggle.setAttribute("aria-pressed", "true");
}

function stop() {
  navigator.geolocation.clearWatch(watchId);
  watchId = null;
  last = null;
  toggle.textContent = texts.start_walk;
  toggle.setAttribute("aria-pressed", "false");
}

if ("geolocation" in navigator) {
  toggle.hidden = false;
  toggle.setAttribute("aria-pressed", "false");
  toggle.addEventListener("click", () => (watchId === null ? start() : stop()));
}
