// Fills the latitude/longitude fields of a form from the phone's GPS, showing the fix's accuracy.
(function () {
  var button = document.getElementById("use-gps");
  var status = document.getElementById("gps-status");
  var lat = document.getElementById("latitude");
  var lon = document.getElementById("longitude");
  if (!button || !lat || !lon || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "Đang lấy vị trí…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        status.textContent = "Đã lấy vị trí, sai số khoảng " + Math.round(pos.coords.accuracy) + " m.";
      },
      function (err) {
        status.textContent = "Không lấy được vị trí: " + (err.code === 1 ? "chưa cho phép truy cập vị trí." : "không có tín hiệu GPS.");
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
    );
  });
})();
