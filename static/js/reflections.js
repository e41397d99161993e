// Saving reflections without leaving the page: each prompt form is sent with fetch (the page's
// CSRF token is in the form), the server answers JSON from the same route with the same rules and
// messages, and the answer is shown beside the box in its live region. The film, the timer and the
// text in every other box never move. Drafts save themselves a few seconds after typing stops;
// text not yet saved is kept in sessionStorage per prompt and offered back after a reload, a crash
// or an expired session; leaving the page with unsaved text asks first.
// Without JavaScript (or if fetch is missing) the forms post and come back to the prompt as before.
(function () {
  "use strict";

  if (!window.fetch || !window.FormData) { return; }
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-reflection-form]"));
  if (!forms.length) { return; }

  var AUTOSAVE_AFTER_MS = 3000;

  function clockTime(date) {
    var minutes = date.getMinutes();
    return date.getHours() + ":" + (minutes < 10 ? "0" : "") + minutes;
  }

  function storage() {
    try { return window.sessionStorage; } catch (error) { return null; }
  }

  function Box(form) {
    this.form = form;
    this.body = form.querySelector("[data-field='body']");
    this.at = form.querySelector("[data-field='at']");
    this.version = form.querySelector("[data-version]");
    this.state = form.querySelector("[data-save-state]");
    this.prefix = this.body.name.replace(/-body$/, "");
    var owner = form.querySelector("input[name='" + this.prefix + "-owner']");
    this.key = "redsoul:unsaved:" + form.getAttribute("action").split("#")[0] + ":" + (owner ? owner.value : "");
    // What the server holds, to tell unsaved text from saved text.
    this.savedBody = this.body.value;
    this.savedAt = this.at ? this.at.value : "";
    this.timer = null;
    this.sending = null;
    this.again = null;
    this.newer = null;
    var box = this;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      box.send(event.submitter || form.querySelector("[data-send-button]"), false);
    });
    [this.body, this.at].forEach(function (input) {
      if (!input) { return; }
      input.addEventListener("input", function () { box.changed(); });
    });
    this.offerRestore();
  }

  Box.prototype.dirty = function () {
    return this.body.value !== this.savedBody || (this.at && this.at.value !== this.savedAt);
  };

  // Autosave only where saving a draft keeps the reflection where it is (new, draft or returned):
  // an autosave must never take a submitted reflection out of the teacher's queue.
  Box.prototype.draftButton = function () {
    var button = this.form.querySelector("[data-draft-button]");
    return button && button.textContent.trim() === "Save draft" ? button : null;
  };

  Box.prototype.keep = function () {
    var store = storage();
    if (!store) { return; }
    try {
      if (this.dirty()) {
        store.setItem(this.key, JSON.stringify({
          body: this.body.value, at: this.at ? this.at.value : "", saved: Date.now()
        }));
      } else {
        store.removeItem(this.key);
      }
    } catch (error) { /* storage full: the beforeunload warning still protects the text */ }
  };

  Box.prototype.changed = function () {
    this.keep();
    var box = this;
    window.clearTimeout(this.timer);
    if (this.draftButton() && this.body.value.trim()) {
      this.timer = window.setTimeout(function () {
        var button = box.draftButton();
        if (button && box.dirty()) { box.send(button, true); }
      }, AUTOSAVE_AFTER_MS);
    }
  };

  Box.prototype.say = function (message, problem) {
    this.state.classList.toggle("save-state--problem", Boolean(problem));
    this.state.textContent = message;
  };

  Box.prototype.showErrors = function (errors) {
    var form = this.form;
    Array.prototype.forEach.call(form.querySelectorAll("[data-error-for]"), function (element) {
      var name = element.getAttribute("data-error-for");
      var input = form.querySelector("[data-field='" + name + "']");
      var messages = (errors && errors[name]) || [];
      var describedBy = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== element.id;
      });
      element.textContent = messages.join(" ");
      element.hidden = !messages.length;
      input.closest(".field").classList.toggle("field--error", messages.length > 0);
      if (messages.length) {
        describedBy.push(element.id);
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
      input.setAttribute("aria-describedby", describedBy.join(" "));
    });
  };

  Box.prototype.showNewer = function (newer) {
    if (this.newer) { this.newer.parentNode.removeChild(this.newer); this.newer = null; }
    if (!newer) { return; }
    var id = this.prefix + "-newer";
    var wrapper = document.createElement("div");
    wrapper.className = "conflict field";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = "The version saved elsewhere, to copy from";
    var text = document.createElement("textarea");
    text.id = id;
    text.readOnly = true;
    text.value = newer.body;
    wrapper.appendChild(label);
    wrapper.appendChild(text);
    this.body.closest(".field").insertAdjacentElement("afterend", wrapper);
    this.newer = wrapper;
  };

  Box.prototype.showSaved = function (answer) {
    var item = this.form.closest(".prompt-item");
    var slot = item ? item.querySelector("[data-status-slot]") : null;
    if (slot) {
      slot.textContent = "";
      var badge = document.createElement("span");
      badge.className = "status status--" + answer.status;
      badge.textContent = answer.status_label;
      slot.appendChild(badge);
    }
    var draft = this.form.querySelector("[data-draft-button]");
    var send = this.form.querySelector("[data-send-button]");
    if (answer.draft_button) {
      if (!draft) {
        draft = document.createElement("button");
        draft.type = "submit";
        draft.name = this.prefix + "-save_draft";
        draft.value = "1";
        draft.className = "button";
        draft.setAttribute("data-draft-button", "");
        send.parentNode.insertBefore(draft, send);
      }
      draft.textContent = answer.draft_button;
    } else if (draft) {
      draft.parentNode.removeChild(draft);
    }
    send.textContent = answer.send_button;
  };

  // Send the form as the button would; `quiet` for an autosave (no focus moves, a short message).
  Box.prototype.send = function (button, quiet) {
    var box = this;
    window.clearTimeout(this.timer);
    if (this.sending) {
      // One save at a time per box; the latest request runs when the current one is answered.
      this.again = { button: button, quiet: quiet && (!this.again || this.again.quiet) };
      return this.sending;
    }
    var data = new FormData(this.form);
    if (button && button.name) { data.append(button.name, button.value || "1"); }
    var sentBody = this.body.value;
    var sentAt = this.at ? this.at.value : "";
    this.form.setAttribute("aria-busy", "true");
    if (!quiet) { this.say("Saving…", false); }
    this.sending = window.fetch(this.form.getAttribute("action").split("#")[0], {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (reply) {
      var answer = reply.answer;
      if (answer.saved) {
        box.savedBody = sentBody;
        box.savedAt = sentAt;
        box.version.value = String(answer.version);
        box.showErrors({});
        box.showNewer(null);
        box.showSaved(answer);
        box.say(quiet ? "Draft saved at " + clockTime(new Date()) + "." : answer.message + " (" + clockTime(new Date()) + ")", false);
      } else {
        box.showErrors(answer.errors || {});
        if (answer.newer) {
          box.version.value = String(answer.newer.version);
          box.showNewer(answer.newer);
        }
        if (answer.csrf_token) {
          Array.prototype.forEach.call(document.querySelectorAll("input[name='csrf_token']"), function (input) {
            input.value = answer.csrf_token;
          });
        }
        var message = answer.message || "Not saved yet: please check the field marked below the box.";
        box.say(message + (answer.signed_out ? "" : " Your text is still in the box."), true);
        if (answer.signed_out && answer.login_url) {
          var link = document.createElement("a");
          link.href = answer.login_url;
          link.textContent = " Sign in again";
          box.state.appendChild(link);
        }
        if (!quiet) {
          var invalid = box.form.querySelector("[aria-invalid='true']");
          if (invalid) { invalid.focus(); }
        }
      }
    }).catch(function () {
      box.say("Could not reach the server, so this was not saved. Your text is kept in this browser: try again in a moment.", true);
    }).then(function () {
      box.form.removeAttribute("aria-busy");
      box.sending = null;
      box.keep();
      var next = box.again;
      box.again = null;
      if (next) { box.send(next.button, next.quiet); } else if (box.dirty()) { box.changed(); }
    });
    return this.sending;
  };

  // Text kept in this tab that the page does not show: offer it back, never put it in silently.
  Box.prototype.offerRestore = function () {
    var store = storage();
    if (!store) { return; }
    var kept;
    try { kept = JSON.parse(store.getItem(this.key) || "null"); } catch (error) { kept = null; }
    if (!kept || typeof kept.body !== "string") { return; }
    if (kept.body === this.body.value && (!this.at || kept.at === this.at.value)) {
      store.removeItem(this.key);
      return;
    }
    var box = this;
    var offer = document.createElement("div");
    offer.className = "notice restore-offer";
    offer.setAttribute("role", "group");
    offer.setAttribute("aria-label", "Unsaved text");
    var text = document.createElement("p");
    text.textContent = "You have text for this prompt that was not saved (from " + clockTime(new Date(kept.saved)) + "). ";
    var preview = document.createElement("span");
    preview.className = "hint";
    preview.textContent = "It begins: “" + kept.body.slice(0, 80) + (kept.body.length > 80 ? "…" : "") + "”";
    text.appendChild(preview);
    var actions = document.createElement("div");
    actions.className = "actions";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button button--primary";
    restore.textContent = "Restore your unsaved text";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Discard it";
    actions.appendChild(restore);
    actions.appendChild(discard);
    offer.appendChild(text);
    offer.appendChild(actions);
    this.body.closest(".field").insertAdjacentElement("beforebegin", offer);
    restore.addEventListener("click", function () {
      box.body.value = kept.body;
      if (box.at && typeof kept.at === "string") { box.at.value = kept.at; }
      offer.parentNode.removeChild(offer);
      box.body.focus();
      box.say("Your unsaved text is back in the box.", false);
      box.changed();
    });
    discard.addEventListener("click", function () {
      store.removeItem(box.key);
      offer.parentNode.removeChild(offer);
      box.body.focus();
    });
  };

  var boxes = forms.map(function (form) { return new Box(form); });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = boxes.some(function (box) { return box.dirty(); });
    if (unsaved) {
      boxes.forEach(function (box) { box.keep(); });
      event.preventDefault();
      event.returnValue = "";
    }
  });
}());
