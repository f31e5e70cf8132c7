/* Event edit page: the recurrence fields that apply to the chosen mode; the venue or the event's own point. */
(function () {
  "use strict";
  var repeat = document.getElementById("repeat");
  function showRepeat() {
    var mode = repeat.value;
    document.getElementById("repeat-weekly").hidden = mode !== "weekly";
    document.getElementById("repeat-end").hidden = mode !== "weekly" && mode !== "monthly";
    document.getElementById("repeat-rrule").hidden = mode !== "rrule";
  }
  repeat.addEventListener("change", showRepeat);
  showRepeat();

  var element = document.getElementById("event-map");
  var venue = document.getElementById("venue");
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");
  var positions = UpMap.readJson("venue-positions", {});
  var map = UpMap.create(element);
  var marker = null;

  function show(latlng, draggable) {
    if (marker) { map.removeLayer(marker); }
    marker = L.marker(latlng, {draggable: draggable, keyboard: draggable}).addTo(map);
    if (draggable) {
      marker.on("dragend", function () {
        var position = marker.getLatLng();
        lon.value = UpMap.round(position.lng);
        lat.value = UpMap.round(position.lat);
      });
    }
    map.setView(latlng, Math.max(map.getZoom(), 15), {animate: false});
  }

  function fromForm() {
    var position = positions[venue.value];
    var ownPoint = !position;
    lon.disabled = lat.disabled = !ownPoint;
    if (position) {
      show(L.latLng(position[1], position[0]), false);
      return;
    }
    var x = parseFloat(lon.value);
    var y = parseFloat(lat.value);
    if (isFinite(x) && isFinite(y)) {
      show(L.latLng(y, x), true);
    } else if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
  }

  // The venue list holds a first page of places; typing a name asks the server for the matching ones.
  var search = document.getElementById("venue-search");
  var typing = null;
  function showVenues(items) {
    var kept = venue.value;
    Array.prototype.slice.call(venue.options).forEach(function (option) {
      if (option.value && option.value !== kept) { venue.removeChild(option); }
    });
    items.forEach(function (item) {
      positions[item.id] = [item.lon, item.lat];
      if (item.id === kept) { return; }
      var option = document.createElement("option");
      option.value = item.id;
      option.textContent = item.name;
      venue.appendChild(option);
    });
    venue.setAttribute("data-searched", search.value.trim());
  }
  function searchVenues() {
    var text = search.value.trim();
    if (!text) { return; }
    fetch(search.getAttribute("data-url") + "?q=" + encodeURIComponent(text),
          {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (body) { if (search.value.trim() === text) { showVenues(body.items); } });
  }
  search.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(searchVenues, 250);
  });

  map.on("click", function (event) {
    venue.value = "";
    lon.disabled = lat.disabled = false;
    lon.value = UpMap.round(event.latlng.lng);
    lat.value = UpMap.round(event.latlng.lat);
    fromForm();
  });
  venue.addEventListener("change", fromForm);
  lon.addEventListener("change", fromForm);
  lat.addEventListener("change", fromForm);
  fromForm();
  window.upAdminMap = map;
  window.upAdminMapReady = true;
  element.setAttribute("data-ready", "true");
})();
