// Small accessibility helpers that every page gets; each page works the same without them.
(function () {
  "use strict";

  // A form came back with errors: move focus to the summary, so keyboard and screen reader
  // users start from the list of what to fix (the summary also has role="alert").
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus({ preventScroll: false });
  }

  // A wide table that scrolls sideways must be reachable by keyboard to be scrolled.
  function markScrollers() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("role")) box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          var caption = box.querySelector("caption");
          box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table, scrolls sideways");
        }
      }
    });
  }
  markScrollers();
  window.addEventListener("resize", markScrollers);
})();
