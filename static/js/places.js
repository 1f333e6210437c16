// Maps (Leaflet): the pin picker of the issue and proposal forms, and the map of a process.
// Without JavaScript the forms take coordinates and the map page is a list; without tiles the
// pins still show on a blank background, with a note.
(function () {
  "use strict";

  function centreOf(el) {
    try { return JSON.parse(el.dataset.center); } catch (e) { return [13.75, 100.5, 6]; }
  }

  // ``settings``: the element whose data-center, data-tiles and data-attribution apply.
  function baseMap(el, settings) {
    settings = settings || el;
    var centre = centreOf(settings);
    el.hidden = false;
    var map = L.map(el, { scrollWheelZoom: false }).setView([centre[0], centre[1]], centre[2]);
    var tiles = L.tileLayer(settings.dataset.tiles, { maxZoom: 19, attribution: settings.dataset.attribution });
    var failed = false;
    tiles.on("tileerror", function () {
      if (failed) { return; }
      failed = true;
      var note = document.querySelector(".map__note");
      if (note) { note.hidden = false; }
      el.classList.add("map--no-tiles");
    });
    tiles.addTo(map);
    return map;
  }

  function pinPicker(fieldset) {
    var el = fieldset.querySelector(".place-picker__map");
    var lat = fieldset.querySelector("input[name=latitude]");
    var lng = fieldset.querySelector("input[name=longitude]");
    var map = baseMap(el, fieldset);
    var marker = null;
    fieldset.querySelector(".place-picker__hint").hidden = false;
    var locate = fieldset.querySelector(".place-picker__locate");
    var clear = fieldset.querySelector(".place-picker__clear");

    function place(latlng, moveView, initial) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.marker(latlng, { draggable: true }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), false); });
      }
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      clear.hidden = false;
      if (moveView) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
      fieldset.dispatchEvent(new CustomEvent("pinchange", { bubbles: true }));
      if (!initial) { suggestCommunity(); }  // a saved pin keeps the community saved with it
    }

    // The community whose boundary holds the pin is chosen in the list (the resident can still
    // change it; once they have, their choice stays); a pin outside the municipality is said at
    // once. Without JavaScript the server does the same when the form is sent.
    var area = fieldset.form ? fieldset.form.elements.area_id : null;
    var status = fieldset.querySelector(".place-picker__community");
    var chosenByHand = false;
    var asked = 0;
    if (area) { area.addEventListener("change", function () { chosenByHand = true; }); }
    function suggestCommunity() {
      var url = fieldset.dataset.communityUrl;
      if (!url || !status) { return; }
      var ticket = ++asked;
      var params = new URLSearchParams({ latitude: lat.value, longitude: lng.value });
      fetch(url + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || ticket !== asked) { return; }
          status.textContent = data.message;
          status.classList.toggle("field__error", !data.inside);
          if (data.inside && data.area_id && area && !chosenByHand) {
            area.value = String(data.area_id);
          }
        })
        .catch(function () { status.textContent = ""; });
    }

    if (lat.value && lng.value && !isNaN(parseFloat(lat.value))) {
      place(L.latLng(parseFloat(lat.value), parseFloat(lng.value)), true, true);
    }
    map.on("click", function (event) { place(event.latlng, false); });
    if ("geolocation" in navigator) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          place(L.latLng(position.coords.latitude, position.coords.longitude), true);
        });
      });
    }
    clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      lat.value = ""; lng.value = ""; clear.hidden = true;
      asked += 1; status.textContent = ""; status.classList.remove("field__error");
      fieldset.dispatchEvent(new CustomEvent("pinchange", { bubbles: true }));
    });
    [lat, lng].forEach(function (input) {
      input.addEventListener("change", function () {
        var a = parseFloat(lat.value), b = parseFloat(lng.value);
        if (!isNaN(a) && !isNaN(b)) { place(L.latLng(a, b), true); }
      });
    });
  }

  // "Is it one of these?": open issues close by or saying something similar, while writing.
  function similarIssues(section) {
    var form = document.querySelector("form.wide-form");
    var list = section.querySelector(".similar__list");
    var timer = null;
    function ask() {
      var params = new URLSearchParams({
        title: form.elements.title.value, body: form.elements.body.value,
        latitude: form.elements.latitude.value, longitude: form.elements.longitude.value
      });
      if (!params.get("title") && !params.get("latitude")) { return; }
      fetch(section.dataset.url + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.items.forEach(function (item) {
            var li = document.createElement("li");
            var link = document.createElement("a");
            link.href = item.url; link.textContent = item.title; link.target = "_blank";
            li.appendChild(link);
            if (item.where) { li.appendChild(document.createTextNode(" · " + item.where)); }
            var affected = document.createElement("form");
            affected.method = "post"; affected.action = item.affected_url; affected.className = "inline-form";
            var token = form.querySelector("input[name=csrf_token]");
            [["csrf_token", token ? token.value : ""], ["affected", "1"], ["next", item.url]].forEach(function (pair) {
              var input = document.createElement("input");
              input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
              affected.appendChild(input);
            });
            var button = document.createElement("button");
            button.type = "submit"; button.className = "button button--secondary";
            button.textContent = data.affects_me;
            affected.appendChild(button);
            li.appendChild(affected);
            list.appendChild(li);
          });
          section.hidden = data.items.length === 0;
        })
        .catch(function () { section.hidden = true; });
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, 600); }
    form.elements.title.addEventListener("input", later);
    form.elements.body.addEventListener("input", later);
    form.addEventListener("pinchange", later);
  }

  // A map of pins from the API's GeoJSON: asked again for the visible box whenever the map
  // moves; the server sends clusters (a count) where pins crowd, single pins elsewhere.
  function needsMap(el) {
    var map = baseMap(el);
    var base = el.dataset.geojson;
    var focus = el.dataset.focus;
    var pins = L.featureGroup().addTo(map);
    var boundariesDrawn = false;
    var asked = 0;
    var clusterLabel = el.dataset.clusterLabel || "%(count)s";

    function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }
    function bbox() {
      var b = map.getBounds();
      return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
              clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
        .map(function (n) { return n.toFixed(5); }).join(",");
    }
    function card(properties) {
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = properties.url; link.textContent = properties.title;
      box.appendChild(link);
      var where = [properties.landmark, properties.area].filter(Boolean).join(" · ");
      if (where) {
        var line = document.createElement("p");
        line.textContent = where;
        box.appendChild(line);
      }
      return box;
    }
    function draw(data) {
      pins.clearLayers();
      if (data.boundaries && !boundariesDrawn) {
        boundariesDrawn = true;
        L.geoJSON(data.boundaries, {
          style: { color: "#1d4f91", weight: 2, fillOpacity: 0.05 },
          onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); }
        }).addTo(map).bringToBack();
      }
      data.features.forEach(function (feature) {
        var c = feature.geometry.coordinates;
        var at = L.latLng(c[1], c[0]);
        var p = feature.properties;
        if (p.cluster) {
          var size = p.count < 10 ? 30 : p.count < 100 ? 38 : p.count < 1000 ? 46 : 54;
          var marker = L.marker(at, {
            icon: L.divIcon({ className: "map-cluster", html: "<span>" + p.count + "</span>",
                              iconSize: [size, size] }),
            title: clusterLabel.replace("%(count)s", p.count),
            keyboard: true
          });
          marker.on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, 19)); });
          pins.addLayer(marker);
        } else {
          var pin = L.marker(at, { title: p.title }).bindPopup(card(p));
          pins.addLayer(pin);
          if (String(p.id) === focus) { pin.openPopup(); focus = null; }
        }
      });
    }
    function load() {
      var number = ++asked;
      var params = "bbox=" + bbox() + "&zoom=" + map.getZoom() + (boundariesDrawn ? "" : "&boundaries=true");
      var url = base + (base.indexOf("?") < 0 ? "?" : "&") + params;
      fetch(url, { headers: { Accept: "application/geo+json, application/json" }, credentials: "same-origin" })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) { if (number === asked) { draw(data); } })
        .catch(function () { /* the list below the map shows everything */ });
    }
    var lat = parseFloat(el.dataset.focusLat), lng = parseFloat(el.dataset.focusLng);
    if (!isNaN(lat) && !isNaN(lng)) { map.setView([lat, lng], 17); }
    map.on("moveend", load);
    load();
  }

  function start() {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll(".place-picker").forEach(pinPicker);
    document.querySelectorAll("#similar").forEach(similarIssues);
    document.querySelectorAll("#needs-map, #home-map").forEach(needsMap);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
})();
