/* POI list page: the results of the current page on a map, coloured by status, each linking to its page. */
(function () {
  "use strict";
  var element = document.getElementById("results-map");
  if (!element) { return; }
  var map = UpMap.create(element);
  var colours = {published: "#28a745", draft: "#6c757d", archived: "#343a40"};
  var bounds = [];
  UpMap.readJson("results-data", []).forEach(function (item) {
    var marker = L.circleMarker([item.lat, item.lon], {
      radius: 7, weight: 2, color: "#fff", fillColor: colours[item.status] || "#007bff", fillOpacity: 0.9
    }).addTo(map);
    var popup = document.createElement("div");
    popup.appendChild(UpMap.link(item.name, item.url));
    var detail = document.createElement("div");
    detail.className = "small text-muted";
    detail.textContent = item.category;
    popup.appendChild(detail);
    marker.bindPopup(popup);
    bounds.push([item.lat, item.lon]);
  });
  if (bounds.length === 1) {
    map.setView(bounds[0], 16, {animate: false});
  } else if (bounds.length > 1) {
    map.fitBounds(bounds, {padding: [20, 20], maxZoom: 17, animate: false});
  }
  window.upAdminMap = map;
  window.upAdminMapReady = true;
  element.setAttribute("data-ready", "true");
})();
