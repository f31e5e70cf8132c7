// Walk mode: follows the live position along the route with /routes/{id}/progress, shows what is left and
// the next stop, and warns when the walker is more than 50 m off the line (the service's `off_route`).
const MIN_MOVE_M = 5;
const ON_ROUTE_M = 50; // as the service's /progress
const FAR_M = 5_000;
const MIN_INTERVAL_MS = 3_000;
const article = document.getElementById("walk");
const texts = JSON.parse(document.getElementById("walk-texts").textContent);
const toggle = document.getElementById("walk-toggle");
const status = document.getElementById("walk-status");
const warning = document.getElementById("walk-warning");
let watchId = null;
let last = null; // {lon, lat, at}
let requests = 0;

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

const walk = JSON.parse(document.getElementById("walk-data").textContent);

// Offline, the same answer as /progress, computed here: the position projected onto the line in a local
// flat frame (metres), distances along it scaled to the route's geodesic length.
function localProgress(here) {
  const kx = 111_320 * Math.cos((here.lat * Math.PI) / 180);
  const ky = 110_540;
  let total = 0;
  let best = { off: Infinity, along: 0 };
  for (const line of walk.lines) {
    for (let i = 0; i + 1 < line.length; i += 1) {
      const [ax, ay] = [(line[i][0] - here.lon) * kx, (line[i][1] - here.lat) * ky];
      const [bx, by] = [(line[i + 1][0] - here.lon) * kx, (line[i + 1][1] - here.lat) * ky];
      const [dx, dy] = [bx - ax, by - ay];
      const length = Math.hypot(dx, dy);
      const t = length ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / (length * length))) : 0;
      const off = Math.hypot(ax + t * dx, ay + t * dy);
      if (off < best.off) best = { off, along: total + t * length };
      total += length;
    }
  }
  const along = total ? (best.along * walk.length_m) / total : 0;
  const status = best.off <= ON_ROUTE_M ? "on_route" : best.off <= FAR_M ? "off_route" : "far";
  let next = walk.stops.find((stop) => stop.distance_along_m > along + 1);
  let distance = next ? next.distance_along_m - along : 0;
  if (!next && walk.is_loop && walk.stops.length) {
    next = walk.stops[0];
    distance = walk.length_m - along + next.distance_along_m;
  }
  return {
    status,
    off_route_m: best.off,
    remaining_m: Math.max(0, walk.length_m - along),
    next_stop: next ? { position: next.position, name: next.name, distance_m: distance } : null,
  };
}

async function update(coords) {
  const here = { lon: coords.longitude, lat: coords.latitude };
  const now = Date.now();
  if (last && now - last.at < MIN_INTERVAL_MS && Math.hypot(here.lon - last.lon, here.lat - last.lat) * 111_000 < MIN_MOVE_M) {
    return;
  }
  last = { ...here, at: now };
  const asked = ++requests; // answers may arrive out of order: only the latest position's is shown
  const query = new URLSearchParams({ lat: here.lat.toFixed(6), lon: here.lon.toFixed(6), lang: article.dataset.lang });
  let response = null;
  try {
    response = await fetch(`/api/v1/routes/${article.dataset.routeId}/progress?${query}`);
  } catch {
    response = null; // offline: computed on the phone
  }
  if (asked !== requests) return;
  if (response && response.ok) {
    const progress = await response.json();
    if (asked !== requests) return;
    show(progress);
    article.dataset.computed = "service";
  } else {
    show(localProgress(here));
    article.dataset.computed = "phone";
  }
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

// "Download for offline": tiles around the line and the photos, kept by the service worker.
const downloadButton = document.getElementById("download-offline");
const downloadStatus = document.getElementById("download-status");
if ("serviceWorker" in navigator && "caches" in window) {
  downloadButton.hidden = false;
  downloadButton.addEventListener("click", async () => {
    await navigator.serviceWorker.ready;
    const { tilesAround, download } = await import("/app/static/download.js");
    const urls = [...tilesAround(walk.lines), ...walk.photos, location.pathname + location.search];
    downloadButton.disabled = true;
    const result = await download(urls, (done, total) => {
      downloadStatus.textContent = fill(texts.downloading, { done, total });
    });
    downloadStatus.textContent = fill(result.failed ? texts.download_partial : texts.downloaded, result);
    article.dataset.downloaded = String(result.done - result.failed);
    downloadButton.disabled = false;
  });
}
