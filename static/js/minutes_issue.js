// The issue form: once anything is changed after the preview, "Lập và khóa" is withdrawn until the next preview
// (the server refuses it anyway: it issues only what was previewed).
(function () {
  // The preview PDF comes in the page as base64 (nothing is stored on the server) and is shown through a blob:
  // URL, which the Content-Security-Policy allows in a frame where a data: URL is not.
  document.querySelectorAll("iframe[data-pdf]").forEach(function (frame) {
    var bytes = Uint8Array.from(atob(frame.dataset.pdf), function (c) { return c.charCodeAt(0); });
    frame.src = URL.createObjectURL(new Blob([bytes], { type: "application/pdf" }));
  });
  var form = document.getElementById("issue-form");
  var button = document.getElementById("issue-button");
  if (!form || !button) return;
  function changed() {
    button.disabled = true;
    document.getElementById("issue-hint").textContent =
      "Nội dung đã thay đổi sau lần xem trước: bấm “Xem trước biên bản” lại rồi mới lập được.";
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
