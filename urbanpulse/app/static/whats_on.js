// What's on: the list follows the live feed (/api/v1/events/stream) and is re-rendered by the server on
// each change, so a cancellation shows without a reload; "near me" adds the position.
const texts = JSON.parse(document.getElementById("app-texts").textContent);
const liveStatus = document.getElementById("live-status");
const nearMe = document.getElementById("near-me");
const query = new URLSearchParams(location.search);
const CHANGES = ["published", "updated", "cancelled", "unpublished", "deleted", "reset"];

async function reload() {
  const fragment = new URLSearchParams(query);
  fragment.set("partial", "list");
  const response = await fetch(`/whats-on?${fragment}`, { headers: { Accept: "text/html" } });
  if (response.ok) document.getElementById("events").outerHTML = await response.text();
}

let pending = null;
function changed() {
  // Several changes in a burst (an import, a series edited) cost one reload.
  clearTimeout(pending);
  pending = setTimeout(reload, 300);
}

const feed = new EventSource("/api/v1/events/stream");
for (const type of CHANGES) feed.addEventListener(type, changed);
feed.addEventListener("open", () => {
  liveStatus.textContent = texts.live_updates;
  document.body.dataset.live = "true";
});

if ("geolocation" in navigator) {
  nearMe.hidden = false;
  nearMe.addEventListener("click", () => {
    if (query.has("lat")) {
      query.delete("lat");
      query.delete("lon");
      nearMe.setAttribute("aria-pressed", "false");
      reload();
      return;
    }
    navigator.geolocation.getCurrentPosition((position) => {
      query.set("lat", position.coords.latitude.toFixed(6));
      query.set("lon", position.coords.longitude.toFixed(6));
      nearMe.setAttribute("aria-pressed", "true");
      reload();
    });
  });
}
