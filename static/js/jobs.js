// The Tác vụ page: while a job waits or runs, ask the server for its progress every few seconds and show it.
(function () {
  "use strict";
  var list = document.getElementById("jobs");
  if (!list) return;
  var url = list.getAttribute("data-status-url");
  var POLL_MS = 2000;

  function busy() {
    return list.querySelector('.job[data-status="queued"], .job[data-status="running"]') !== null;
  }

  function show(job) {
    var row = document.getElementById("job-" + job.id);
    if (!row) return;
    row.setAttribute("data-status", job.status);
    row.querySelector(".job-status").textContent = job.status_label;
    row.querySelector(".job-message").textContent = job.message;
    var bar = row.querySelector(".job-progress");
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    var slot = row.querySelector(".job-download");
    if (job.download_url && !slot.querySelector("a")) {
      var link = document.createElement("a");
      link.className = "btn btn-small";
      link.href = job.download_url;
      link.setAttribute("download", "");
      link.textContent = "Tải " + job.filename;
      slot.appendChild(link);
    }
  }

  function poll() {
    if (!busy()) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body) body.jobs.forEach(show); })
      .catch(function () { /* offline for a moment: the next round tries again */ })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  window.setTimeout(poll, POLL_MS);
})();
