/* POI edit page: click the map to place the marker, drag it to move it; the coordinates fields follow. */
(function () {
  "use strict";
  var element = document.getElementById("poi-map");
  if (!element) { return; }
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");
  var map = UpMap.create(element);
  var marker = null;

  function write(latlng) {
    lon.value = UpMap.round(latlng.lng);
    lat.value = UpMap.round(latlng.lat);
  }

  function place(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
      return;
    }
    marker = L.marker(latlng, {draggable: true, autoPan: true, keyboard: true}).addTo(map);
    marker.on("dragend", function () { write(marker.getLatLng()); });
  }

  function fromFields(recentre) {
    var x = parseFloat(lon.value);
    var y = parseFloat(lat.value);
    if (!isFinite(x) || !isFinite(y) || Math.abs(x) > 180 || Math.abs(y) > 90) { return; }
    place(L.latLng(y, x));
    if (recentre) { map.setView([y, x], Math.max(map.getZoom(), 16), {animate: false}); }
  }

  map.on("click", function (event) {
    place(event.latlng);
    write(event.latlng);
  });
  lon.addEventListener("change", function () { fromFields(true); });
  lat.addEventListener("change", function () { fromFields(true); });
  fromFields(true);

  window.upAdminMap = map;
  window.upAdminMarker = function () { return marker; };
  window.upAdminMapReady = true;
  element.setAttribute("data-ready", "true");
})();
