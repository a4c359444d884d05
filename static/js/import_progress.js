/* Import job page: poll the job's progress and move the bar; load the result page when it is done.
   Without this script the page has a Refresh link and shows the same figures. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("import-bar");
  var text = document.getElementById("import-progress-text");
  var url = box.getAttribute("data-progress-url");
  var delay = 1000;

  function show(job) {
    if (job.rows_total !== null) {
      bar.max = Math.max(job.rows_total, 1);
      bar.value = job.rows_done;
    }
    bar.textContent = job.text;
    if (text.textContent !== job.text) text.textContent = job.text;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.finished) {
          window.location.assign(box.getAttribute("data-result-url"));
          return;
        }
        delay = 1000;
        setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the server is busy or away: ask less often
        setTimeout(poll, delay);
      });
  }

  setTimeout(poll, delay);
})();
