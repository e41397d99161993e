// Lets a teacher preview the film on the prompt form and take the time from the player.
// Without JavaScript the section stays hidden and the time is simply typed.
(function () {
  "use strict";

  var section = document.querySelector("[data-time-preview]");
  var timeInput = document.getElementById("time");
  if (!section || !timeInput) { return; }

  var urlInput = section.querySelector("#preview-url");
  var video = section.querySelector("video");
  var useButton = section.querySelector("[data-preview-use]");
  var status = section.querySelector('[role="status"]');

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function filmTime(seconds) {
    var whole = Math.floor(seconds);
    return Math.floor(whole / 3600) + ":" + pad(Math.floor(whole / 60) % 60) + ":" + pad(whole % 60);
  }

  function load() {
    var url = urlInput.value.trim();
    if (!/^https:\/\//i.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(url)) {
      status.textContent = "Use a link that starts with https://.";
      return;
    }
    video.src = url;
    video.hidden = false;
    useButton.disabled = false;
    status.textContent = "Loaded. Play the film and pause at the moment you want.";
  }

  section.hidden = false;
  urlInput.value = section.getAttribute("data-video-url") || "";
  section.querySelector("[data-preview-load]").addEventListener("click", load);
  if (urlInput.value) { load(); status.textContent = ""; }

  video.addEventListener("error", function () {
    status.textContent = "The film could not be loaded from that link.";
  });

  useButton.addEventListener("click", function () {
    timeInput.value = filmTime(video.currentTime || 0);
    var checked = document.getElementById("time_checked");
    if (checked) { checked.checked = true; }
    status.textContent = "Time set to " + timeInput.value + ".";
  });
})();
