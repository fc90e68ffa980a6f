/* Booklet: a print button (shown only once this script runs), and FAQ answers open on paper. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-print-control]").forEach(function (control) { control.hidden = false; });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (el) {
      if (!el.open) { el.open = true; el.dataset.printOpened = "1"; }
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (el) {
      el.open = false; delete el.dataset.printOpened;
    });
  });
})();
