/* Route edit page: draw or edit the line (Leaflet.draw), pick and order the stops among the places near it.
   The line and the stops are kept as JSON in hidden fields; the server validates and measures on save.
   The page holds the places near the saved line; those of the map's view and of a drawn line are asked
   from /admin/pois/search (bounded), so it never carries every place. */
(function () {
  "use strict";
  var element = document.getElementById("route-map");
  if (!element) { return; }
  var geometryField = document.getElementById("geometry");
  var stopsField = document.getElementById("stops");
  var kindField = document.getElementById("kind");
  var maxOffset = parseFloat(element.getAttribute("data-max-offset")) || 200;
  var pace = JSON.parse(element.getAttribute("data-pace") || "{}");
  var pois = UpMap.readJson("poi-candidates", []);
  var poiById = {};
  pois.forEach(function (poi) { poiById[poi.id] = poi; });

  var map = UpMap.create(element);
  var drawn = new L.FeatureGroup().addTo(map);
  var stopLayer = L.layerGroup().addTo(map);
  var stops = [];
  try { stops = JSON.parse(stopsField.value || "[]") || []; } catch (error) { stops = []; }

  // ---- the line
  function readLine() {
    var text = geometryField.value.trim();
    if (!text) { return; }
    try {
      L.geoJSON(JSON.parse(text)).eachLayer(function (layer) {
        if (layer instanceof L.Polyline) { drawn.addLayer(layer); }
      });
    } catch (error) { /* an invalid value stays in the field; the server names the problem */ }
  }

  function lines() {
    var result = [];
    drawn.eachLayer(function (layer) {
      var latlngs = layer.getLatLngs();
      if (latlngs.length && Array.isArray(latlngs[0])) {
        latlngs.forEach(function (part) { result.push(part); });
      } else {
        result.push(latlngs);
      }
    });
    return result.filter(function (part) { return part.length >= 2; });
  }

  function writeLine() {
    var parts = lines().map(function (part) {
      return part.map(function (p) { return [UpMap.round(p.lng), UpMap.round(p.lat)]; });
    });
    if (!parts.length) {
      geometryField.value = "";
    } else if (parts.length === 1) {
      geometryField.value = JSON.stringify({type: "LineString", coordinates: parts[0]});
    } else {
      geometryField.value = JSON.stringify({type: "MultiLineString", coordinates: parts});
    }
  }

  function lengthDrawn() {
    var total = 0;
    lines().forEach(function (part) {
      for (var i = 1; i < part.length; i++) { total += map.distance(part[i - 1], part[i]); }
    });
    return total;
  }

  function showMeasures() {
    var metres = lengthDrawn();
    var lengthText = document.getElementById("length-drawn");
    var durationText = document.getElementById("duration-drawn");
    if (!metres) { lengthText.textContent = durationText.textContent = ""; return; }
    lengthText.textContent = "(≈ " + (metres / 1000).toFixed(2) + " km)";
    var kmh = pace[kindField.value] || 4.5;
    durationText.textContent = "(≈ " + Math.max(1, Math.round(metres / (kmh * 1000 / 60))) + " min)";
  }

  // ---- where a place falls relative to the line (local plane around it; metres)
  function locate(poi, parts) {
    var best = null;
    var along = 0;
    var cos = Math.cos(poi.lat * Math.PI / 180);
    var k = 111320;
    parts.forEach(function (part) {
      for (var i = 1; i < part.length; i++) {
        var ax = part[i - 1].lng * k * cos, ay = part[i - 1].lat * k;
        var bx = part[i].lng * k * cos, by = part[i].lat * k;
        var px = poi.lon * k * cos, py = poi.lat * k;
        var dx = bx - ax, dy = by - ay;
        var length = Math.sqrt(dx * dx + dy * dy);
        var t = length ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (length * length))) : 0;
        var ex = ax + t * dx - px, ey = ay + t * dy - py;
        var offset = Math.sqrt(ex * ex + ey * ey);
        if (best === null || offset < best.offset) { best = {offset: offset, along: along + t * length}; }
        along += length;
      }
    });
    return best;
  }

  // ---- stops and candidates
  function writeStops() {
    stopsField.value = JSON.stringify(stops);
  }

  function moveStop(index, delta) {
    var target = index + delta;
    if (target < 0 || target >= stops.length) { return; }
    var item = stops.splice(index, 1)[0];
    stops.splice(target, 0, item);
    refresh();
  }

  function renderStops() {
    var list = document.getElementById("stop-list");
    var template = document.getElementById("stop-template");
    list.textContent = "";
    stopLayer.clearLayers();
    stops.forEach(function (stop, index) {
      var poi = poiById[stop.poi_id] || {name: stop.poi_id};
      var item = template.content.firstElementChild.cloneNode(true);
      item.setAttribute("data-poi-id", stop.poi_id);
      item.querySelector(".stop-number").textContent = String(index + 1);
      item.querySelector(".stop-name").textContent = poi.name;
      var radius = item.querySelector(".stop-radius");
      radius.value = stop.trigger_radius_m || 50;
      radius.addEventListener("change", function () {
        stop.trigger_radius_m = parseInt(radius.value, 10) || 50;
        writeStops();
      });
      item.querySelector(".stop-up").addEventListener("click", function () { moveStop(index, -1); });
      item.querySelector(".stop-down").addEventListener("click", function () { moveStop(index, 1); });
      item.querySelector(".stop-remove").addEventListener("click", function () {
        stops.splice(index, 1);
        refresh();
      });
      list.appendChild(item);
      if (poi.lat !== undefined) {
        L.circleMarker([poi.lat, poi.lon], {radius: 8, color: "#fff", weight: 2, fillColor: "#007bff", fillOpacity: 1})
          .bindTooltip((index + 1) + ". " + poi.name).addTo(stopLayer);
      }
    });
  }

  function addStop(poi, along) {
    var parts = lines();
    var position = stops.length;
    for (var i = 0; i < stops.length; i++) {
      var other = poiById[stops[i].poi_id];
      var where = other ? locate(other, parts) : null;
      if (where && where.along > along) { position = i; break; }
    }
    stops.splice(position, 0, {poi_id: poi.id, trigger_radius_m: 50, note: {}});
    refresh();
  }

  function renderCandidates() {
    var list = document.getElementById("candidate-list");
    var template = document.getElementById("candidate-template");
    var parts = lines();
    var chosen = {};
    stops.forEach(function (stop) { chosen[stop.poi_id] = true; });
    var near = [];
    if (parts.length) {
      pois.forEach(function (poi) {
        if (chosen[poi.id]) { return; }
        var where = locate(poi, parts);
        if (where && where.offset <= maxOffset) { near.push({poi: poi, where: where}); }
      });
    }
    near.sort(function (a, b) { return a.where.along - b.where.along; });
    list.textContent = "";
    near.forEach(function (entry) {
      var item = template.content.firstElementChild.cloneNode(true);
      item.setAttribute("data-poi-id", entry.poi.id);
      item.querySelector(".stop-name").textContent = entry.poi.name + " · " + entry.poi.category;
      item.querySelector(".candidate-distance").textContent = "≈ " + Math.round(entry.where.offset) + " m";
      item.querySelector(".candidate-add").addEventListener("click", function () { addStop(entry.poi, entry.where.along); });
      list.appendChild(item);
    });
    var empty = document.getElementById("no-candidates");
    empty.hidden = near.length > 0;
    empty.textContent = parts.length ? empty.getAttribute("data-none-near") : empty.getAttribute("data-no-line");
  }

  // ---- places asked from the server for an area (at most 2 degrees each way around its centre)
  var searchUrl = element.getAttribute("data-search-url");
  function load(bounds) {
    var centre = bounds.getCenter();
    var halfWidth = Math.max(1e-4, Math.min(bounds.getEast() - bounds.getWest(), 1.99) / 2);
    var halfHeight = Math.max(1e-4, Math.min(bounds.getNorth() - bounds.getSouth(), 1.99) / 2);
    var bbox = [centre.lng - halfWidth, centre.lat - halfHeight, centre.lng + halfWidth, centre.lat + halfHeight];
    fetch(searchUrl + "?limit=200&bbox=" + bbox.map(UpMap.round).join(","),
          {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (body) {
        body.items.forEach(function (poi) {
          if (!poiById[poi.id]) { pois.push(poi); poiById[poi.id] = poi; }
        });
        renderStops();
        renderCandidates();
      });
  }

  function widened(bounds) {
    var lat = maxOffset / 111320;
    var lon = lat / Math.max(0.01, Math.cos(bounds.getCenter().lat * Math.PI / 180));
    return L.latLngBounds([bounds.getSouth() - lat, bounds.getWest() - lon],
                          [bounds.getNorth() + lat, bounds.getEast() + lon]);
  }

  function refresh() {
    writeStops();
    renderStops();
    renderCandidates();
    showMeasures();
  }

  function lineChanged() {
    writeLine();
    refresh();
    if (drawn.getLayers().length) { load(widened(drawn.getBounds())); }
  }

  readLine();
  map.addControl(new L.Control.Draw({
    position: "topright",
    draw: {polyline: {shapeOptions: {color: "#d9480f", weight: 4}}, polygon: false, rectangle: false,
           circle: false, marker: false, circlemarker: false},
    edit: {featureGroup: drawn}
  }));
  map.on(L.Draw.Event.CREATED, function (event) { drawn.addLayer(event.layer); lineChanged(); });
  map.on(L.Draw.Event.EDITED, lineChanged);
  map.on(L.Draw.Event.DELETED, lineChanged);
  kindField.addEventListener("change", showMeasures);
  if (drawn.getLayers().length) { map.fitBounds(drawn.getBounds(), {padding: [30, 30], animate: false}); }
  refresh();
  map.on("moveend", function () { load(map.getBounds()); });
  load(map.getBounds());

  window.upAdminMap = map;
  window.upAdminMapReady = true;
  element.setAttribute("data-ready", "true");
})();
