// Adds a "Copy" button next to text marked data-copy. Without JavaScript the text stays
// selectable and no button appears, so nothing on the page depends on this file.
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function enhance(holder) {
    var source = holder.querySelector("code") || holder;
    var label = holder.getAttribute("data-copy-label") || "Copy";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button copy-button";
    button.textContent = label;
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    holder.appendChild(button);
    holder.appendChild(status);
    button.addEventListener("click", function () {
      copyText(source.textContent.trim()).then(function (ok) {
        status.textContent = ok ? "Copied." : "Select the link and copy it by hand.";
        window.setTimeout(function () { status.textContent = ""; }, 4000);
      });
    });
  }

  document.querySelectorAll("[data-copy]").forEach(enhance);
})();
