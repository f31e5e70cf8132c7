// On every page: installs the service worker, keeps the phone's copy of the content in sync, and says
// when the app is offline and how old its data is.
import { sync, syncedAt } from "/app/static/data.js";

const banner = document.getElementById("offline-banner");
const texts = JSON.parse(document.getElementById("offline-texts").textContent);

async function showState() {
  if (navigator.onLine) {
    banner.hidden = true;
    return;
  }
  const when = await syncedAt().catch(() => null);
  const date = when ? new Date(when).toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" }) : "—";
  banner.textContent = texts.offline_since.replace("{date}", date);
  banner.hidden = false;
}

async function refresh(force = false) {
  if (!navigator.onLine) return;
  try {
    await sync({ force });
    document.body.dataset.synced = "true";
    document.body.dataset.syncedAt = new Date().toISOString();
  } catch (error) {
    console.warn("sync failed", error);
  }
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => {
    document.body.dataset.sw = "registered";
  });
  navigator.serviceWorker.ready.then(() => {
    document.body.dataset.sw = "ready";
  });
}
window.addEventListener("online", () => {
  showState();
  refresh(true);
});
window.addEventListener("offline", showState);
showState();
refresh();
