// Signature pads on the issue form: draw with a finger, sent as a PNG data URL in a hidden field.
(function () {
  document.querySelectorAll(".sign-pad").forEach(function (pad) {
    var canvas = pad.querySelector("canvas");
    var target = document.getElementById(pad.dataset.target);
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#0a2a6b";
    function changed() { target.dispatchEvent(new Event("change", { bubbles: true })); }
    if (target.value) {
      // A signature drawn before the page came back (after a preview) is shown again, and sent again.
      var drawnBefore = new Image();
      drawnBefore.onload = function () { ctx.drawImage(drawnBefore, 0, 0); drawn = true; };
      drawnBefore.src = target.value;
    }
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
    });
    canvas.addEventListener("pointerup", function () {
      drawing = false;
      if (drawn) { target.value = canvas.toDataURL("image/png"); changed(); }
    });
    pad.querySelector("[data-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; target.value = ""; changed();
    });
  });
})();
