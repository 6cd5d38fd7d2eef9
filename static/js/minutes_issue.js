// The issue form: once anything is changed after the preview, "Lập và khóa" is withdrawn until the next preview
// (the server refuses it anyway: it issues only what was previewed).
(function () {
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
