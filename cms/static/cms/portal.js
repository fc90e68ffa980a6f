/* Small enhancements of every public page (the pages work without this script). */
(function () {
  "use strict";

  /* Error summary: make sure it has focus after a refused submission (autofocus does this in most
     browsers), and let its links put the cursor into the field, its label in view. */
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    var focusSummary = function () {
      if (document.activeElement !== summary && document.activeElement === document.body) {
        summary.focus();
      }
    };
    focusSummary();
    /* Scrolling to a URL fragment after loading clears the focus in some browsers: focus again. */
    window.addEventListener("load", function () { window.requestAnimationFrame(focusSummary); });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      if (!link) {
        return;
      }
      var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) {
        return;
      }
      event.preventDefault();
      var holder = target.closest("fieldset, .form-field") || target;
      holder.scrollIntoView({block: "start"});
      target.focus({preventScroll: true});
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", link.hash);
      }
    });
  }
})();
