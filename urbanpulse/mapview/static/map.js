// The /map page: the app's vector tiles drawn by MapLibre GL JS (served by the app, no CDN).
import { GeolocateControl, Map, Marker, NavigationControl, Popup, ScaleControl } from "./vendor/maplibre-gl.mjs";

const config = JSON.parse(document.getElementById("map-config").textContent);
const form = document.getElementById("panel");
const status = document.getElementById("status");
const COLOURS = {
  museum: "#8e44ad", aquarium: "#1f78b4", church: "#6d4c41", monument: "#b8860b", fortification: "#7f6a4f",
  lighthouse: "#e31a1c", viewpoint: "#33a02c", beach: "#e6ab02", port: "#1565c0", restaurant: "#d95f02",
  cafe: "#a6761d", hotel: "#7570b3", park: "#2e7d32", nature: "#4caf50", memorial: "#555555",
};

function tileUrl() {
  const params = new URLSearchParams({ lang: form.lang.value });
  const layers = [...form.querySelectorAll("input[name=layers]:checked")].map((box) => box.value);
  if (layers.length) params.set("layers", layers.join(","));
  if (form.category.value) params.set("category", form.category.value);
  return `${location.origin}${config.tiles}?${params}`;
}

function style() {
  const sources = { up: { type: "vector", tiles: [tileUrl()], minzoom: 0, maxzoom: 22 } };
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#dfe9ee" } }];
  if (config.basemap.url) {
    sources.basemap = {
      type: "raster", tiles: [config.basemap.url], tileSize: 256, maxzoom: 19, attribution: config.basemap.attribution,
    };
    layers.push({ id: "basemap", type: "raster", source: "basemap" });
  }
  if (config.layers.includes("routes")) {
    layers.push({
      id: "routes", type: "line", source: "up", "source-layer": "routes",
      paint: { "line-color": "#c2185b", "line-width": ["interpolate", ["linear"], ["zoom"], 10, 2, 16, 5] },
      layout: { "line-cap": "round", "line-join": "round" },
    });
  }
  if (config.layers.includes("events")) {
    layers.push({
      id: "events", type: "circle", source: "up", "source-layer": "events",
      paint: { "circle-radius": 7, "circle-color": "#ff9800", "circle-stroke-width": 2, "circle-stroke-color": "#fff" },
    });
  }
  const colour = ["match", ["get", "category"]];
  for (const [category, value] of Object.entries(COLOURS)) colour.push(category, value);
  colour.push("#37474f");
  layers.push(
    {
      id: "poi-clusters", type: "circle", source: "up", "source-layer": "pois", filter: ["==", ["get", "cluster"], true],
      paint: {
        "circle-color": "#00695c", "circle-opacity": 0.85, "circle-stroke-width": 2, "circle-stroke-color": "#fff",
        "circle-radius": ["step", ["get", "count"], 12, 10, 16, 50, 22],
      },
    },
    {
      id: "pois", type: "circle", source: "up", "source-layer": "pois", filter: ["!=", ["get", "cluster"], true],
      paint: { "circle-radius": 6, "circle-color": colour, "circle-stroke-width": 1.5, "circle-stroke-color": "#fff" },
    },
  );
  return { version: 8, sources, layers };
}

const map = new Map({ container: "map", style: style(), center: config.centre, zoom: config.zoom, hash: true });
map.addControl(new NavigationControl());
map.addControl(new ScaleControl({ unit: "metric" }));
window.upMap = map;

// Cluster counts as HTML labels: text layers would need glyph files from the internet.
let labels = [];
function drawCounts() {
  for (const marker of labels) marker.remove();
  labels = map.queryRenderedFeatures({ layers: ["poi-clusters"] }).slice(0, 500).map((feature) => {
    const element = document.createElement("div");
    element.className = "cluster-count";
    element.textContent = feature.properties.count;
    return new Marker({ element }).setLngLat(feature.geometry.coordinates).addTo(map);
  });
}

function describe() {
  const shown = map.queryRenderedFeatures({ layers: ["pois", "poi-clusters"] });
  const count = shown.reduce((total, feature) => total + (feature.properties.count || 1), 0);
  status.textContent = `zoom ${map.getZoom().toFixed(1)} — ${count} POI`;
}

map.on("idle", () => {
  drawCounts();
  describe();
  window.upMapReady = true;
});
map.on("error", (event) => {
  window.upMapError = String(event.error && event.error.message);
  status.textContent = `error: ${window.upMapError}`;
});
map.on("click", "pois", (event) => {
  const { id, name, category } = event.features[0].properties;
  const label = (config.categories[category] || {})[form.lang.value] || category;
  // The card links to the place's page in the app (built as DOM nodes: names are data, not markup).
  const card = document.createElement("div");
  const link = Object.assign(document.createElement("a"), { href: `/places/${id}?lang=${form.lang.value}`, textContent: name });
  card.append(link, document.createTextNode(` — ${label}`));
  new Popup().setLngLat(event.lngLat).setDOMContent(card).addTo(map);
});
// The tourist's position (the browser asks for it when the button is pressed).
map.addControl(new GeolocateControl({ positionOptions: { enableHighAccuracy: true }, trackUserLocation: true }));
map.on("click", "poi-clusters", (event) => map.easeTo({ center: event.lngLat, zoom: map.getZoom() + 2 }));
form.addEventListener("change", () => {
  window.upMapReady = false;
  map.getSource("up").setTiles([tileUrl()]);
});
