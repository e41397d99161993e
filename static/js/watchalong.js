// Watch-along: shows each prompt when the film reaches its time, pauses at "Pause here" prompts,
// and announces each new prompt in a polite live region. It drives either the school's <video>
// or, without a playable video, a timer run beside the class's own screening.
// Without JavaScript every prompt is listed with its time and every form still works.
(function () {
  "use strict";

  var panel = document.querySelector("[data-watchalong]");
  var timeline = document.querySelector("[data-timeline]");
  if (!panel || !timeline) { return; }

  var live = panel.querySelector("[data-watchalong-live]");
  var video = panel.querySelector("[data-watchalong-video]");
  var timerBox = panel.querySelector("[data-watchalong-timer]");
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var items = Array.prototype.slice.call(timeline.querySelectorAll("[data-time]")).map(function (element) {
    var text = element.querySelector(".prompt-item__text");
    return {
      element: element,
      time: parseInt(element.getAttribute("data-time"), 10) || 0,
      pause: element.getAttribute("data-pause") === "true",
      label: element.getAttribute("data-label") || "",
      text: text ? text.textContent.trim() : "",
      reached: false
    };
  }).sort(function (a, b) { return a.time - b.time; });

  // ---- time as the film's clock reads it ----
  function formatTime(total) {
    total = Math.max(0, Math.floor(total));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return hours + ":" + (minutes < 10 ? "0" : "") + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  function parseTime(text) {
    var match = /^\s*(?:(\d{1,2}):)?(\d{1,3}):(\d{2})\s*$/.exec(text || "");
    if (!match) { return null; }
    var hours = match[1] ? parseInt(match[1], 10) : 0;
    var minutes = parseInt(match[2], 10);
    var seconds = parseInt(match[3], 10);
    if (seconds > 59 || (match[1] && minutes > 59)) { return null; }
    return hours * 3600 + minutes * 60 + seconds;
  }

  // A prompt the student is already working on, or that shows a message, is never hidden.
  function hasWork(element) {
    if (element.querySelector(".notice, .error, .status")) { return true; }
    var box = element.querySelector("textarea");
    return Boolean(box && box.value.trim());
  }

  function announce(message) {
    if (!live) { return; }
    // Clearing first makes screen readers repeat an identical message.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function isTyping() {
    var active = document.activeElement;
    return Boolean(active && (active.tagName === "TEXTAREA" || active.tagName === "INPUT"));
  }

  function bringIntoView(element) {
    // Never pull the page away from a student who is typing.
    if (isTyping()) { return; }
    element.scrollIntoView({ behavior: reduceMotion ? "auto" : "smooth", block: "nearest" });
  }

  // ---- showing prompts as the clock passes them ----
  var showAll = false;
  // Prompts only wait for the film once it is playing; before that the page reads like the no-JS list.
  var watching = false;
  var lastTime = 0;
  var pausedAt = {};

  function setUpcoming(item, upcoming) {
    var hide = upcoming && watching && !showAll && !hasWork(item.element);
    item.element.classList.toggle("is-upcoming", hide);
    var badge = item.element.querySelector(".prompt-item__upcoming");
    if (hide && !badge) {
      badge = document.createElement("p");
      badge.className = "prompt-item__upcoming hint";
      badge.textContent = "Appears when the film reaches " + item.label + ".";
      item.element.querySelector(".prompt-item__meta").insertAdjacentElement("afterend", badge);
    } else if (!hide && badge) {
      badge.parentNode.removeChild(badge);
    }
  }

  function update(now, playing, onPause) {
    var newest = null;
    var crossedPause = null;
    // A jump of more than a few seconds is a seek, not the film playing on.
    var natural = playing && now >= lastTime && now - lastTime < 3;
    items.forEach(function (item) {
      var reachedNow = now >= item.time;
      if (reachedNow && !item.reached) {
        newest = item;
        if (natural && item.pause && !pausedAt[item.time]) { crossedPause = item; }
      }
      item.reached = reachedNow;
      setUpcoming(item, !reachedNow);
      item.element.classList.remove("is-current");
    });
    var current = null;
    items.forEach(function (item) { if (item.reached) { current = item; } });
    if (current) { current.element.classList.add("is-current"); }
    lastTime = now;
    if (crossedPause) {
      pausedAt[crossedPause.time] = true;
      onPause();
      announce("Paused at " + crossedPause.label + ". New prompt: " + crossedPause.text + " Write your reflection, then play on when you are ready.");
      bringIntoView(crossedPause.element);
    } else if (newest && playing) {
      announce("New prompt at " + newest.label + ": " + newest.text);
      bringIntoView(newest.element);
    }
  }

  // A toggle to see every prompt at once, for students who want to read ahead.
  function addShowAll() {
    var wrapper = document.createElement("p");
    wrapper.className = "field--check watch-along__show-all";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = "watchalong-show-all";
    var label = document.createElement("label");
    label.setAttribute("for", box.id);
    label.textContent = "Show all prompts now, without waiting for the film";
    wrapper.appendChild(box);
    wrapper.appendChild(label);
    timeline.parentNode.insertBefore(wrapper, timeline);
    box.addEventListener("change", function () {
      showAll = box.checked;
      items.forEach(function (item) { setUpcoming(item, !item.reached); });
    });
  }

  // ---- the school's video ----
  function useVideo() {
    function pauseVideo() { video.pause(); }
    video.addEventListener("play", function () {
      watching = true;
      update(video.currentTime, false, pauseVideo);
    });
    video.addEventListener("timeupdate", function () { update(video.currentTime, !video.paused, pauseVideo); });
    video.addEventListener("seeked", function () { update(video.currentTime, false, pauseVideo); });
    var failed = false;
    function fallBack() {
      if (failed) { return; }
      failed = true;
      announce("The video could not be played here. Use the watch-along timer beside your own screening.");
      useTimer();
    }
    video.addEventListener("error", fallBack);
    Array.prototype.forEach.call(video.querySelectorAll("source"), function (source) {
      source.addEventListener("error", fallBack);
    });
    update(video.currentTime || 0, false, pauseVideo);
  }

  // ---- the watch-along timer, for a screening the app does not play ----
  var timerStarted = false;
  function useTimer() {
    if (timerStarted || !timerBox) { return; }
    timerStarted = true;
    timerBox.hidden = false;
    var clock = timerBox.querySelector("[data-timer-clock]");
    var toggle = timerBox.querySelector("[data-timer-toggle]");
    var back = timerBox.querySelector("[data-timer-back]");
    var forward = timerBox.querySelector("[data-timer-forward]");
    var jump = timerBox.querySelector("[data-timer-jump]");
    var jumpInput = jump.querySelector("input");
    var jumpError = jump.querySelector("[data-timer-error]");
    var limit = items.length ? Math.max(5400, items[items.length - 1].time) : 5400;

    var elapsed = 0;
    var running = false;
    var startedAt = 0;
    var startedFrom = 0;
    var ticker = null;

    function now() { return running ? startedFrom + (Date.now() - startedAt) / 1000 : elapsed; }

    function render() {
      clock.textContent = formatTime(now());
      toggle.textContent = running ? "Pause the timer" : (elapsed > 0 ? "Resume the timer" : "Start the timer");
      toggle.setAttribute("aria-pressed", running ? "true" : "false");
    }

    function stop() {
      elapsed = now();
      running = false;
      if (ticker) { window.clearInterval(ticker); ticker = null; }
      render();
    }

    function tick() {
      var position = now();
      if (position >= limit) { elapsed = limit; stop(); }
      update(Math.min(position, limit), running, stop);
      render();
    }

    function start() {
      watching = true;
      startedFrom = elapsed;
      startedAt = Date.now();
      running = true;
      ticker = window.setInterval(tick, 250);
      render();
    }

    function moveTo(seconds) {
      var wasRunning = running;
      if (running) { stop(); }
      elapsed = Math.min(Math.max(0, seconds), limit);
      update(elapsed, false, stop);
      if (wasRunning) { start(); } else { render(); }
    }

    toggle.addEventListener("click", function () {
      if (running) { stop(); announce("Timer paused at " + formatTime(elapsed) + "."); } else { start(); }
    });
    back.addEventListener("click", function () { moveTo(now() - 10); });
    forward.addEventListener("click", function () { moveTo(now() + 10); });
    jump.addEventListener("submit", function (event) {
      event.preventDefault();
      var seconds = parseTime(jumpInput.value);
      if (seconds === null || seconds > limit) {
        jumpError.textContent = "Type a time such as 0:42:10 or 42:10, up to " + formatTime(limit) + ".";
        jumpError.hidden = false;
        jumpInput.setAttribute("aria-invalid", "true");
        return;
      }
      jumpError.hidden = true;
      jumpError.textContent = "";
      jumpInput.removeAttribute("aria-invalid");
      moveTo(seconds);
      announce("Timer set to " + formatTime(seconds) + ".");
    });
    render();
    update(0, false, stop);
  }

  addShowAll();
  if (video) { useVideo(); } else { useTimer(); }
}());
