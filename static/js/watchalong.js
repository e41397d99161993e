// Watch-along: shows each prompt when the film reaches its time, pauses at "Pause here" prompts,
// and announces each new prompt in a polite live region. It drives either the school's <video>
// or a timer run beside the class's own screening ("We watch together on the projector"), keeps
// the film position across reloads (localStorage per assignment), fills each form's hidden `t`
// (so a plain save comes back to the same moment) and offers "Cite this moment" on every form.
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
  var phone = window.matchMedia && window.matchMedia("(max-width: 40rem)").matches;
  var assignmentId = panel.getAttribute("data-assignment") || "";
  var startAttr = panel.getAttribute("data-start");
  var startAt = startAttr === null ? null : parseInt(startAttr, 10);
  var positionKey = "redsoul:position:" + assignmentId;

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
    var match = /^\s*(?:(\d{1,2}):)?(\d{1,3})[:.](\d{2})\s*$/.exec(text || "");
    if (!match) { return null; }
    var hours = match[1] ? parseInt(match[1], 10) : 0;
    var minutes = parseInt(match[2], 10);
    var seconds = parseInt(match[3], 10);
    if (seconds > 59 || (match[1] && minutes > 59)) { return null; }
    return hours * 3600 + minutes * 60 + seconds;
  }

  // ---- remembering the position (video or timer) for this assignment ----
  function readPosition() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(positionKey) || "null");
      return saved && typeof saved.seconds === "number" ? saved : null;
    } catch (error) { return null; }
  }

  function writePosition(mode, seconds, running) {
    try {
      window.localStorage.setItem(positionKey, JSON.stringify({
        mode: mode, seconds: Math.max(0, seconds), running: Boolean(running), at: Date.now()
      }));
    } catch (error) { /* storage full or off: the position is simply not kept */ }
  }

  var positionInputs = Array.prototype.slice.call(document.querySelectorAll("[data-position]"));
  var lastShownSecond = -1;
  function showPosition(seconds) {
    var whole = Math.max(0, Math.floor(seconds));
    if (whole === lastShownSecond) { return; }
    lastShownSecond = whole;
    positionInputs.forEach(function (input) { input.value = String(whole); });
  }

  // A prompt the student is already working on, or that shows a message, is never hidden.
  function hasWork(element) {
    if (element.querySelector(".notice, .error:not([hidden]), .status")) { return true; }
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

  // On a phone the player is sticky: prompts scrolled to stop below it, not under it.
  function measurePlayer() {
    var height = phone ? panel.getBoundingClientRect().height : 0;
    document.documentElement.style.setProperty("--player-height", Math.ceil(height) + "px");
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
    showPosition(now);
    if (crossedPause) {
      pausedAt[crossedPause.time] = true;
      onPause();
      announce("Paused at " + crossedPause.label + ". New prompt: " + crossedPause.text + " Write your reflection, then play on when you are ready.");
      bringIntoView(crossedPause.element);
    } else if (newest && playing) {
      // A prompt that does not pause is announced and highlighted, but never scrolls the film away.
      announce("New prompt at " + newest.label + ": " + newest.text);
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

  // The player in use: the video, or the timer once the class watches on the projector.
  var player = { mode: "timer", now: function () { return 0; } };

  // ---- the school's video ----
  var videoBox = video ? video.closest(".player") : null;
  var videoHint = document.querySelector("[data-video-hint]");
  function useVideo() {
    function pauseVideo() { video.pause(); }
    var lastSaved = 0;
    function remember(force) {
      if (player.mode !== "video") { return; }
      if (force || Math.abs(video.currentTime - lastSaved) >= 2) {
        lastSaved = video.currentTime;
        writePosition("video", video.currentTime, false);
      }
    }
    video.addEventListener("play", function () {
      watching = true;
      update(video.currentTime, false, pauseVideo);
    });
    video.addEventListener("timeupdate", function () {
      if (player.mode !== "video") { return; }
      update(video.currentTime, !video.paused, pauseVideo);
      remember(false);
    });
    video.addEventListener("seeked", function () {
      if (player.mode !== "video") { return; }
      update(video.currentTime, false, pauseVideo);
      remember(true);
    });
    video.addEventListener("pause", function () { remember(true); });
    video.addEventListener("loadedmetadata", measurePlayer);
    var failed = false;
    function fallBack() {
      if (failed) { return; }
      failed = true;
      announce("The video could not be played here. Use the watch-along timer beside your own screening.");
      switchToTimer(video.currentTime || 0, false);
    }
    video.addEventListener("error", fallBack);
    Array.prototype.forEach.call(video.querySelectorAll("source"), function (source) {
      source.addEventListener("error", fallBack);
    });
    player = { mode: "video", now: function () { return video.currentTime || 0; } };
    // Back where the student was: the saved position (the `t=` of a plain save is already in the source).
    var saved = readPosition();
    if (startAt === null && saved && saved.mode === "video" && saved.seconds > 0) {
      var restore = function () {
        video.currentTime = saved.seconds;
        update(saved.seconds, false, pauseVideo);
      };
      if (video.readyState >= 1) { restore(); } else { video.addEventListener("loadedmetadata", restore, { once: true }); }
    }
    update(startAt !== null ? startAt : (video.currentTime || 0), false, pauseVideo);
    window.addEventListener("pagehide", function () { remember(true); });
  }

  // ---- the watch-along timer, for a screening the app does not play ----
  var timer = null;
  function buildTimer() {
    if (timer || !timerBox) { return timer; }
    var clock = timerBox.querySelector("[data-timer-clock]");
    var toggle = timerBox.querySelector("[data-timer-toggle]");
    var back = timerBox.querySelector("[data-timer-back]");
    var forward = timerBox.querySelector("[data-timer-forward]");
    var jump = timerBox.querySelector("[data-timer-jump]");
    var jumpInput = jump.querySelector("input");
    var jumpError = jump.querySelector("[data-timer-error]");
    var more = timerBox.querySelector("[data-timer-more]");
    var limit = items.length ? Math.max(5400, items[items.length - 1].time) : 5400;
    // On a phone the sticky timer shows the clock and its button; the settings fold away.
    if (more && phone) { more.open = false; }

    var elapsed = 0;
    var running = false;
    var startedAt = 0;
    var startedFrom = 0;
    var ticker = null;
    var lastSaved = -10;

    function now() { return running ? startedFrom + (Date.now() - startedAt) / 1000 : elapsed; }

    function remember(force) {
      var position = now();
      if (force || Math.abs(position - lastSaved) >= 2) {
        lastSaved = position;
        writePosition("timer", position, running);
      }
    }

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
      remember(true);
    }

    function tick() {
      var position = now();
      if (position >= limit) { elapsed = limit; stop(); }
      update(Math.min(position, limit), running, stop);
      render();
      remember(false);
    }

    function start() {
      watching = true;
      startedFrom = elapsed;
      startedAt = Date.now();
      running = true;
      if (!ticker) { ticker = window.setInterval(tick, 250); }
      render();
      remember(true);
    }

    function moveTo(seconds) {
      var wasRunning = running;
      if (running) { stop(); }
      elapsed = Math.min(Math.max(0, seconds), limit);
      update(elapsed, false, stop);
      if (wasRunning) { start(); } else { render(); remember(true); }
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
        jumpError.textContent = "Type a time such as 42:10 or 1:02:30, up to " + formatTime(limit) + ".";
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
    window.addEventListener("pagehide", function () { if (player.mode === "timer") { remember(true); } });

    timer = {
      now: now,
      stop: stop,
      isRunning: function () { return running; },
      // Where the timer begins: a position (and whether it runs on, for a screening that kept playing).
      begin: function (seconds, keepRunning) {
        elapsed = Math.min(Math.max(0, seconds), limit);
        update(elapsed, false, stop);
        if (keepRunning) { start(); } else { render(); }
      },
      focusSetting: function () {
        if (more) { more.open = true; }
        jumpInput.focus();
      }
    };
    return timer;
  }

  function switchToTimer(seconds, keepRunning) {
    if (!buildTimer()) { return; }
    if (video) { video.pause(); }
    player = { mode: "timer", now: timer.now };
    timerBox.hidden = false;
    if (videoBox) { videoBox.hidden = true; }
    if (videoHint) { videoHint.hidden = true; }
    if (projectorSwitch) { projectorSwitch.textContent = "Watch the video on this device instead"; }
    timer.begin(seconds, keepRunning);
    writePosition("timer", seconds, keepRunning);
    measurePlayer();
  }

  function switchToVideo() {
    if (!video) { return; }
    var seconds = timer ? timer.now() : 0;
    if (timer && timer.isRunning()) { timer.stop(); }
    player = { mode: "video", now: function () { return video.currentTime || 0; } };
    timerBox.hidden = true;
    if (videoBox) { videoBox.hidden = false; }
    if (videoHint) { videoHint.hidden = false; }
    projectorSwitch.textContent = "We watch together on the projector";
    try { video.currentTime = seconds; } catch (error) { /* not loaded yet */ }
    writePosition("video", seconds, false);
    measurePlayer();
  }

  // ---- "We watch together on the projector": the timer is always there ----
  var projectorSwitch = null;
  function addProjectorSwitch() {
    if (!video || !timerBox) { return; }
    var wrapper = document.createElement("p");
    wrapper.className = "watch-along__switch";
    projectorSwitch = document.createElement("button");
    projectorSwitch.type = "button";
    projectorSwitch.className = "button";
    projectorSwitch.setAttribute("data-projector-switch", "");
    projectorSwitch.textContent = "We watch together on the projector";
    wrapper.appendChild(projectorSwitch);
    // Outside the sticky player, so on a phone the film keeps most of the top of the screen.
    panel.parentNode.insertBefore(wrapper, panel.nextSibling);
    projectorSwitch.addEventListener("click", function () {
      if (player.mode === "video") {
        switchToTimer(video.currentTime || 0, false);
        announce("Timer on. Set it to the projector's time, then start it.");
        timer.focusSetting();
      } else {
        switchToVideo();
        announce("Back to the video at " + formatTime(video.currentTime || 0) + ".");
      }
    });
  }

  // ---- "Cite this moment": the reflection's time from the player ----
  function addCiteButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-reflection-form] [data-field='at']"), function (input) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small cite-moment";
      button.textContent = "Cite this moment";
      button.setAttribute("aria-describedby", input.id + "-hint");
      input.insertAdjacentElement("afterend", button);
      button.addEventListener("click", function () {
        input.value = formatTime(player.now());
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.focus();
      });
    });
  }

  addShowAll();
  addProjectorSwitch();
  addCiteButtons();
  if (video) { useVideo(); }
  var remembered = readPosition();
  if (!video) {
    var begin = startAt;
    var keepRunning = false;
    if (begin === null && remembered && remembered.mode === "timer") {
      // A screening goes on while the page reloads: a running timer carries on from where it would be.
      keepRunning = remembered.running;
      begin = remembered.seconds + (keepRunning ? Math.max(0, (Date.now() - remembered.at) / 1000) : 0);
    }
    switchToTimer(begin || 0, keepRunning);
  } else if (remembered && remembered.mode === "timer" && timerBox) {
    var seconds = startAt !== null ? startAt
      : remembered.seconds + (remembered.running ? Math.max(0, (Date.now() - remembered.at) / 1000) : 0);
    switchToTimer(seconds, startAt === null && remembered.running);
  }
  measurePlayer();
  window.addEventListener("resize", measurePlayer);
}());
