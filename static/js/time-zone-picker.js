/* The time-zone picker (account page): a filter box that narrows the zone list as you type a city
   or region ("sao paulo" finds America/Sao_Paulo), and the browser's own zone offered first.
   Without this script the page shows the plain list with its "Likely" group. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[_/]/g, " ").toLowerCase();
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function offerBrowserZone(select) {
    var zone = browserZone();
    var match = zone && select.querySelector('option[value="' + CSS.escape(zone) + '"]');
    if (!match) return;
    var first = select.querySelector("optgroup") || select;
    var option = new Option(match.textContent + " (this device)", zone);
    first.insertBefore(option, first.firstChild);
    if (!select.hasAttribute("data-zone-chosen") || !select.getAttribute("data-zone-chosen")) {
      option.selected = true;
    }
  }

  function addFilter(select) {
    var box = document.createElement("div");
    box.className = "zone-filter";
    var label = document.createElement("label");
    label.htmlFor = select.id + "_filter";
    label.textContent = "Find a time zone by city or region";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "_filter";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "help";
    status.id = select.id + "_filter_status";
    status.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", status.id);
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    select.parentNode.insertBefore(box, select);

    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      var shown = 0, firstShown = null;
      select.querySelectorAll("option").forEach(function (option) {
        var hit = !wanted || fold(option.textContent + " " + option.value).indexOf(wanted) !== -1;
        option.hidden = !hit;
        option.disabled = !hit;
        if (hit) { shown += 1; if (!firstShown) firstShown = option; }
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (firstShown && select.selectedOptions[0] && select.selectedOptions[0].hidden) firstShown.selected = true;
      status.textContent = wanted ? (shown ? shown + " matching; choose one below." : "No zone matches.") : "";
    });
    // Enter in the filter picks the first match instead of submitting the form early.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  document.querySelectorAll("select[data-zone-picker]").forEach(function (select) {
    offerBrowserZone(select);
    addFilter(select);
  });
})();
