/* Shared Leaflet set-up of the back office: the configured basemap (none when empty) around Boulogne-sur-Mer. */
(function () {
  "use strict";
  var BOULOGNE = [50.7262, 1.6067];

  function create(element, options) {
    var map = L.map(element, options || {});
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: element.getAttribute("data-attribution") || ""
      }).addTo(map);
    } else {
      element.classList.add("up-map-no-basemap");
    }
    map.setView(BOULOGNE, 14);
    return map;
  }

  function round(value) {
    return Math.round(value * 1e7) / 1e7;
  }

  function readJson(id, fallback) {
    var element = document.getElementById(id);
    if (!element) { return fallback; }
    try { return JSON.parse(element.textContent); } catch (error) { return fallback; }
  }

  function link(text, url) {
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.textContent = text;
    return anchor;
  }

  window.UpMap = {create: create, round: round, readJson: readJson, link: link, BOULOGNE: BOULOGNE};
})();
