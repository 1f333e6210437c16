// Survey forms: a question with a condition is shown only while the earlier answer it depends
// on is chosen. The server decides too (a hidden question's answer is discarded), so this only
// keeps the page short; without JavaScript every question shows with its "only if" hint.
(function () {
  "use strict";
  document.querySelectorAll("[data-survey-form]").forEach(function (form) {
    var dependants = form.querySelectorAll("[data-condition-question]");
    if (!dependants.length) return;
    function update() {
      dependants.forEach(function (fieldset) {
        var name = fieldset.getAttribute("data-condition-question");
        var choice = fieldset.getAttribute("data-condition-choice");
        var input = form.querySelector('input[name="' + name + '"][value="' + choice + '"]');
        fieldset.hidden = !(input && input.checked);
      });
    }
    form.addEventListener("change", update);
    update();
  });
})();

// Places (Leaflet): tap the map to put the pin of a place question (the latitude and longitude
// boxes stay, for people without JavaScript or tiles); the results show the places given.
(function () {
  "use strict";
  if (!window.L) { return; }

  function baseMap(el) {
    var centre = [13.75, 100.5, 6];
    try { centre = JSON.parse(el.dataset.center); } catch (e) { /* keep Thailand */ }
    el.hidden = false;
    var map = L.map(el, { scrollWheelZoom: false }).setView([centre[0], centre[1]], centre[2]);
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
    return map;
  }

  document.querySelectorAll(".survey-place__map").forEach(function (el) {
    var fieldset = el.closest("fieldset");
    var lat = fieldset.querySelector("[data-place=lat]");
    var lng = fieldset.querySelector("[data-place=lng]");
    var map = baseMap(el);
    var marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
    }
    if (lat.value && lng.value && !isNaN(+lat.value) && !isNaN(+lng.value)) {
      place(L.latLng(+lat.value, +lng.value));
      map.setView(marker.getLatLng(), 16);
    }
    map.on("click", function (event) { place(event.latlng); });
  });

  document.querySelectorAll(".survey-results__map").forEach(function (el) {
    var points = [];
    try { points = JSON.parse(el.dataset.points); } catch (e) { return; }
    var map = baseMap(el);
    var bounds = [];
    points.forEach(function (point) {
      L.circleMarker(point, { radius: 7 }).addTo(map);
      bounds.push(point);
    });
    if (bounds.length) { map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] }); }
  });
})();
