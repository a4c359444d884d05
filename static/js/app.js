/* CampaignHub: small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // A table wider than the screen scrolls sideways: make that region reachable and named for
  // keyboard and screen-reader users (WCAG 2.1.1; axe scrollable-region-focusable).
  function labelScrollableTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
      if (overflows && !wrap.hasAttribute("tabindex")) {
        var caption = wrap.querySelector("caption");
        var heading = wrap.closest("section") && wrap.closest("section").querySelector("h2, h3");
        var name = (caption || heading || {}).textContent || "Table";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", name.trim() + " (scrolls sideways)");
        wrap.dataset.madeScrollable = "1";
      } else if (!overflows && wrap.dataset.madeScrollable) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.madeScrollable;
      }
    });
  }

  // The site menu folds into "Menu" on a phone (CSS and details/summary, no script needed); on a
  // wider screen keep it open, so its links are in the accessibility tree as they are on screen.
  function openMenuWhenWide() {
    var wide = window.matchMedia("(min-width: 48em)");
    function apply() {
      document.querySelectorAll("details[data-open-wide]").forEach(function (d) {
        if (wide.matches) d.setAttribute("open", "");
        else if (!d.dataset.toggledByHand) d.removeAttribute("open");
      });
    }
    document.querySelectorAll("details[data-open-wide] > summary").forEach(function (s) {
      s.addEventListener("click", function () { s.parentNode.dataset.toggledByHand = "1"; });
    });
    apply();
    wide.addEventListener("change", apply);
  }

  // Explainers: tell the server how far down the reader got (read tracking), at most every 2 s.
  function trackReadingProgress() {
    var article = document.querySelector("[data-progress-url]");
    if (!article) return;
    var url = article.getAttribute("data-progress-url");
    var token = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
    var sent = 0, timer = null;
    function measure() {
      var rect = article.getBoundingClientRect();
      var seen = window.innerHeight - rect.top;
      return Math.max(0, Math.min(100, Math.round((100 * seen) / Math.max(rect.height, 1))));
    }
    function send() {
      timer = null;
      var progress = measure();
      if (progress <= sent || !token) return;
      sent = progress;
      var body = new URLSearchParams({ progress: String(progress) });
      fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" });
    }
    window.addEventListener("scroll", function () { if (!timer) timer = setTimeout(send, 2000); }, { passive: true });
    send();
  }

  // The pages carry no inline script or style (Content-Security-Policy): what they used to do
  // inline is done here, from data attributes.

  // A form that found problems names them in a summary; start there (campaign form).
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  // <form data-confirm="Question?">: ask before a destructive submit.
  function confirmBeforeSubmit(event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }

  // <button data-print>: open the browser's print dialog.
  function printOnClick(event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  }

  // <span data-meter="42">: a bar 42% wide (set through the DOM, which the policy allows).
  function drawMeters() {
    document.querySelectorAll("[data-meter]").forEach(function (bar) {
      var pct = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-meter")) || 0));
      bar.style.width = pct + "%";
    });
  }

  // <div data-asset-picker>: a filter box above a long checkbox list of library assets.
  // Without script the whole list shows; ticked assets always stay visible.
  function addPickerFilters() {
    document.querySelectorAll("[data-asset-picker]").forEach(function (picker, n) {
      var list = picker.querySelector(".picker-list");
      var items = list ? list.querySelectorAll("[data-picker-text]") : [];
      if (items.length < 6) return;
      var id = "picker-filter-" + n;
      var wrap = document.createElement("div");
      wrap.className = "picker-filter";
      var label = document.createElement("label");
      label.setAttribute("for", id);
      label.textContent = "Filter the list";
      var input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.setAttribute("aria-controls", list.id);
      var status = document.createElement("p");
      status.className = "help";
      status.setAttribute("aria-live", "polite");
      wrap.appendChild(label);
      wrap.appendChild(input);
      wrap.appendChild(status);
      list.parentNode.insertBefore(wrap, list);
      input.addEventListener("input", function () {
        var words = input.value.toLowerCase().trim();
        var shown = 0;
        items.forEach(function (item) {
          var ticked = item.querySelector("input:checked");
          var match = !words || item.getAttribute("data-picker-text").indexOf(words) !== -1;
          item.hidden = !(match || ticked);
          if (!item.hidden) shown += 1;
        });
        status.textContent = words ? shown + " of " + items.length + " shown" : "";
      });
    });
  }

  document.addEventListener("submit", confirmBeforeSubmit);
  document.addEventListener("click", printOnClick);

  function ready() {
    focusErrorSummary();
    drawMeters();
    openMenuWhenWide();
    labelScrollableTables();
    trackReadingProgress();
    addPickerFilters();
    window.addEventListener("resize", labelScrollableTables);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
