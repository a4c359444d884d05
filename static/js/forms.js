/* CampaignHub forms: add-another rows and busy submit buttons. Progressive enhancement only:
   every form works without this file (the server adds rows; a second click posts again). */
(function () {
  "use strict";

  // <button data-add-row="impacts">: copy the formset's <template id="impacts-empty-row"> in as a
  // new row, count it in impacts-TOTAL_FORMS, and put the cursor in its first field.
  function addRow(button) {
    var prefix = button.getAttribute("data-add-row");
    var template = document.getElementById(prefix + "-empty-row");
    var rows = document.getElementById(prefix + "-rows");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!template || !rows || !total) return false;
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement(rows.tagName);
    // The template is the server's own escaped HTML; only the row number changes.
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    focusFirstField(row);
    return true;
  }

  function focusFirstField(row) {
    var field = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
    if (field) field.focus();
  }

  // Without script the server added the row and the page opened at #impacts-3: start typing there.
  function focusRowInAddress() {
    if (!location.hash || document.getElementById("error-summary")) return;
    var row = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (row && row.hasAttribute("data-row")) focusFirstField(row);
  }

  // On submit (POST forms): the button pressed says "Saving…" or "Sending…" and is disabled, so a
  // second click does not post twice. A disabled button is not posted, so its name and value
  // travel in a hidden input instead (the server still learns which of several buttons it was).
  var pressed = null;

  function rememberPressed(event) {
    var button = event.target.closest && event.target.closest("button[type=submit], input[type=submit], button:not([type])");
    if (button && button.form) pressed = button;
  }

  function busyLabel(button) {
    var words = (button.textContent || button.value || "").toLowerCase();
    if (button.getAttribute("data-busy")) return button.getAttribute("data-busy");
    return /send|submit|publish/.test(words) ? "Sending…" : "Saving…";
  }

  function disableWhileSubmitting(event) {
    if (event.defaultPrevented) return; // e.g. a data-confirm question answered "Cancel"
    var form = event.target;
    if (!form || form.tagName !== "FORM" || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    var button = event.submitter || (pressed && pressed.form === form ? pressed : null);
    if (!button || button.hasAttribute("data-add-row")) return;
    if (button.name) {
      var carry = document.createElement("input");
      carry.type = "hidden";
      carry.name = button.name;
      carry.value = button.value;
      carry.setAttribute("data-submitter-copy", "");
      form.appendChild(carry);
    }
    // The submission already under way goes ahead; a disabled button only stops a second one.
    button.setAttribute("data-label", button.tagName === "INPUT" ? button.value : button.innerHTML);
    var label = busyLabel(button);
    if (button.tagName === "INPUT") button.value = label;
    else button.textContent = label;
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
  }

  // Back/forward cache: a page shown again must not keep its buttons dead.
  function restoreButtons() {
    document.querySelectorAll("[data-submitter-copy]").forEach(function (input) { input.remove(); });
    document.querySelectorAll("[data-label]").forEach(function (button) {
      if (button.tagName === "INPUT") button.value = button.getAttribute("data-label");
      else button.innerHTML = button.getAttribute("data-label");
      button.removeAttribute("data-label");
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest("[data-add-row]");
    if (add && addRow(add)) {
      event.preventDefault();
      return;
    }
    rememberPressed(event);
  });
  document.addEventListener("submit", disableWhileSubmitting);
  window.addEventListener("pageshow", restoreButtons);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusRowInAddress);
  else focusRowInAddress();
})();
