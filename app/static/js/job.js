// The job page follows its job: polls /jobs/<id>/status until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "true") return;
  var badge = box.querySelector("[data-job-status]");
  var text = box.querySelector("[data-job-text]");
  var link = box.querySelector("[data-job-article]");
  var classes = {queued: "text-bg-secondary", running: "text-bg-info", done: "text-bg-success", failed: "text-bg-danger"};
  var delay = 500;
  function show(job) {
    badge.textContent = job.status;
    badge.className = "badge " + classes[job.status];
    if (job.status === "done") {
      text.textContent = "Stored: " + job.claims + " quote" + (job.claims === 1 ? "" : "s") + " added to the queue.";
      link.href = job.article_url;
      link.classList.remove("d-none");
      link.focus();
    } else if (job.status === "failed") {
      text.textContent = "Nothing was stored: " + (job.error ? job.error.message : "the job failed.");
    } else if (job.status === "running") {
      text.textContent = "Extracting quotes \u2026 this page updates itself.";
    }
    return job.status === "done" || job.status === "failed";
  }
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (job) { if (!show(job)) schedule(); })
      .catch(function () { schedule(); });
  }
  function schedule() { delay = Math.min(delay * 1.5, 3000); setTimeout(poll, delay); }
  setTimeout(poll, delay);
})();
