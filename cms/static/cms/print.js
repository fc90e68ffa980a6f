/* Booklet: a print button, and FAQ answers open on paper. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
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
