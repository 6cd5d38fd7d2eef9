// The supervisor's map: premises by state (grouped by province, unit or grid cell when there are many, counted on
// the server), the GPS mismatch layer, popups. The filters are the page's query string; the view (zoom/lat/lng) is
// kept in the URL's hash, so a copied link opens the same view with the same filters.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || !window.L) return;
  var config = JSON.parse(element.dataset.config);
  var colours = {}, labels = {};
  config.states.forEach(function (s) { colours[s.code] = s.colour; labels[s.code] = s.label; });
  var status = document.getElementById("map-status");

  var map = L.map(element, { preferCanvas: true, zoomSnap: 1, worldCopyJump: false });
  var renderer = L.canvas({ padding: 0.3 });
  if (config.tiles) {
    // A basemap is a setting (MAP_TILE_URL); with none, or offline, the premises draw on a plain background.
    L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 19 }).addTo(map);
  } else {
    element.classList.add("map-plain");
  }
  map.attributionControl.setPrefix(false);
  L.control.scale({ imperial: false }).addTo(map);

  var premisesLayer = L.layerGroup().addTo(map);
  var gpsLayer = L.layerGroup().addTo(map);
  L.control.layers(null, { "Cơ sở theo tình trạng": premisesLayer, "Vị trí GPS không khớp": gpsLayer },
    { collapsed: false }).addTo(map);

  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function url(base, extra) {
    var params = new URLSearchParams(config.query);
    Object.keys(extra).forEach(function (k) { params.set(k, extra[k]); });
    return base + "?" + params.toString();
  }

  // ---- the view in the hash ----
  function readHash() {
    var m = /^#(\d+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(location.hash);
    return m ? { zoom: +m[1], center: [+m[2], +m[3]] } : null;
  }
  var fromHash = readHash();
  if (fromHash) {
    map.setView(fromHash.center, fromHash.zoom);
  } else if (config.bounds) {
    var b = config.bounds;
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: [24, 24], maxZoom: 17 });
  } else {
    map.setView([16.0, 107.5], 6); // Việt Nam
  }
  function writeHash() {
    var c = map.getCenter();
    var hash = "#" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    history.replaceState(null, "", location.pathname + location.search + hash);
  }

  // ---- premises ----
  var pending = null;
  function bbox() {
    var b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
  }
  function groupIcon(group) {
    var total = group.count, angle = 0, stops = [];
    config.states.forEach(function (s) {
      var n = group.counts[s.code] || 0;
      if (!n) return;
      var next = angle + (n / total) * 360;
      stops.push(s.colour + " " + angle.toFixed(1) + "deg " + next.toFixed(1) + "deg");
      angle = next;
    });
    var size = Math.round(30 + Math.min(26, Math.log10(total + 1) * 9));
    var html = '<div class="cluster" style="width:' + size + "px;height:" + size + "px;background:conic-gradient(" +
      stops.join(",") + ')"><span>' + fmt(total) + "</span></div>" +
      (group.label ? '<div class="cluster-label">' + esc(group.label) + "</div>" : "");
    return L.divIcon({ html: html, className: "cluster-icon", iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
  }
  function groupTitle(group) {
    return (group.label ? group.label + ": " : "") + fmt(group.count) + " cơ sở — " + config.states
      .filter(function (s) { return group.counts[s.code]; })
      .map(function (s) { return s.label.toLowerCase() + " " + fmt(group.counts[s.code]); }).join(", ");
  }
  function drawGroups(groups) {
    groups.forEach(function (group) {
      var marker = L.marker([group.latitude, group.longitude], { icon: groupIcon(group), title: groupTitle(group),
        keyboard: true });
      marker.on("click", function () {
        var b = group.bounds;
        if (b[0] === b[2] && b[1] === b[3]) map.setView([b[0], b[1]], Math.min(map.getZoom() + 3, 18));
        else map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: [30, 30], maxZoom: 18 });
      });
      marker.options.premiseCount = group.count;
      premisesLayer.addLayer(marker);
    });
  }
  function drawPoints(points) {
    points.forEach(function (p) {
      var marker = L.circleMarker([p.latitude, p.longitude], {
        renderer: renderer, radius: 7, weight: 1.5, color: "#fff", fillColor: colours[p.state], fillOpacity: 0.95,
      });
      marker.premiseId = p.id;
      marker.bindPopup("Đang tải…", { maxWidth: 320 });
      marker.on("popupopen", function () { loadCard(marker, p.id); });
      premisesLayer.addLayer(marker);
    });
  }
  function loadCard(marker, id) {
    fetch(config.api.card + id, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (c) { marker.setPopupContent(cardHtml(c)); })
      .catch(function () { marker.setPopupContent("Không tải được thông tin cơ sở."); });
  }
  function cardHtml(c) {
    var html = '<div class="map-card" data-premise="' + c.id + '"><strong>' + esc(c.name) + "</strong><br>" +
      '<span class="muted">' + esc(c.premise_type_label) + (c.market ? " · " + esc(c.market) : "") + " · " +
      esc(c.unit) + "</span><br>" + esc(c.address) + "<br>" +
      '<span class="dot" style="background:' + colours[c.state] + '"></span><strong>' + esc(c.state_label) +
      "</strong>" + (c.open_fix_deadline ? " (hạn khắc phục " + esc(c.open_fix_deadline) + ")" : "") +
      (c.stamp_expired ? '<br><span class="error">Có phương tiện đo hết hạn kiểm định</span>' : "");
    if (c.last_inspection) {
      var i = c.last_inspection;
      html += '<br>Kiểm tra gần nhất: <a class="card-inspection" href="' + esc(i.url) + '">' + esc(i.started_at) +
        "</a>" + (i.result_label && i.result_label !== i.outcome_label ? " — kết quả: " + esc(i.result_label) : "") +
        (i.outcome_label ? " — xử lý: " + esc(i.outcome_label) : "");
    } else {
      html += "<br>Chưa kiểm tra lần nào.";
    }
    if (c.minutes) {
      html += '<br>Biên bản: <a class="card-minutes" href="' + esc(c.minutes.url) + '">số ' + esc(c.minutes.number) +
        '</a> (<a href="' + esc(c.minutes.pdf_url) + '">PDF</a>)';
    }
    if (c.next_due_on) html += "<br>Hạn kiểm tra lại: " + esc(c.next_due_on);
    return html + '<br><a class="card-premise" href="' + esc(c.url) + '">Trang cơ sở ›</a></div>';
  }

  function load() {
    writeHash();
    if (config.disabled) return;
    if (pending) pending.abort();
    pending = new AbortController();
    var zoom = map.getZoom(), box = bbox();
    element.dataset.loading = "1";
    var premises = fetch(url(config.api.view, { bbox: box, zoom: zoom }),
      { credentials: "same-origin", signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        premisesLayer.clearLayers();
        if (data.mode === "points") drawPoints(data.points); else drawGroups(data.groups);
        element.dataset.mode = data.mode;
        element.dataset.drawn = String(data.total);
        status.textContent = data.total === 0 ? "Không có cơ sở nào trong khung nhìn." :
          "Trong khung nhìn: " + fmt(data.total) + " cơ sở" + (data.mode === "points" ? "." :
            ", đếm theo " + { provinces: "tỉnh", units: "đơn vị", cells: "ô lưới" }[data.mode] +
            "; bấm vào một nhóm để phóng to.");
      });
    var gps = map.hasLayer(gpsLayer) ? loadGps(box, zoom, pending.signal) : Promise.resolve();
    Promise.all([premises, gps]).then(function () { element.dataset.loading = ""; }, function (error) {
      if (error && error.name === "AbortError") return;
      element.dataset.loading = "";
      status.textContent = "Không tải được dữ liệu bản đồ; kiểm tra kết nối rồi thử lại.";
    });
  }

  function loadGps(box, zoom, signal) {
    return fetch(url(config.api.gps, { bbox: box, zoom: zoom }),
      { credentials: "same-origin", signal: signal, headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        gpsLayer.clearLayers();
        data.items.forEach(function (item) {
          var fix = [item.latitude, item.longitude];
          var text = "<strong>" + esc(item.premise_name) + "</strong><br>Kiểm tra " + esc(item.started_at) +
            "<br>" + item.flag_labels.map(esc).join("<br>") +
            (item.distance_m != null ? "<br>Cách cơ sở: " + fmt(Math.round(item.distance_m)) + " m" : "") +
            (item.accuracy_m != null ? "<br>Sai số GPS: ±" + fmt(Math.round(item.accuracy_m)) + " m" : "") +
            '<br><a class="gps-inspection" href="' + esc(item.inspection_url) + '">Xem cuộc kiểm tra ›</a>';
          // The line ends on the premise: not clickable, so a click there opens the premise (the fix has the popup).
          if (item.premise_latitude != null) {
            gpsLayer.addLayer(L.polyline([fix, [item.premise_latitude, item.premise_longitude]],
              { renderer: renderer, color: "#1565c0", weight: 2, dashArray: "6 4", interactive: false }));
          }
          if (item.accuracy_m) {
            gpsLayer.addLayer(L.circle(fix, { renderer: renderer, radius: item.accuracy_m, color: "#1565c0",
              weight: 1, fillOpacity: 0.05, interactive: false }));
          }
          var marker = L.circleMarker(fix, { renderer: renderer, radius: 5, color: "#1565c0", weight: 2,
            fillColor: "#fff", fillOpacity: 1 }).bindPopup(text);
          marker.inspectionId = item.inspection_id;
          gpsLayer.addLayer(marker);
        });
        element.dataset.gps = String(data.items.length);
        if (data.more) status.textContent += " Chỉ hiện " + data.items.length + " lần kiểm tra GPS không khớp mới nhất; phóng to để xem thêm.";
      });
  }

  var timer = null;
  map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 120); });
  map.on("overlayadd", function (e) { if (e.layer === gpsLayer) load(); });
  load();

  // A filter change keeps the view: the form's values in the query string, the hash as it is.
  var form = document.getElementById("map-filters");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (String(value).trim()) params.append(key, value); });
      var query = params.toString();
      location.assign(location.pathname + (query ? "?" + query : "") + location.hash);
    });
  }
  window.inspectMap = map; // for tests and the console
})();
