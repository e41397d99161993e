// LTI pages: post a form back to the LMS, tell the LMS a registration is done, and the LTI
// client-side storage (postMessage to the LMS page) for frames where cookies are not kept.
(function () {
  "use strict";

  // Deep linking: the signed answer goes back to the LMS at once (the button is there without JavaScript).
  var autosubmit = document.querySelector("form[data-autosubmit]");
  if (autosubmit) { autosubmit.submit(); }

  // Dynamic Registration done: the LMS closes its registration frame.
  if (document.getElementById("lti-registered")) {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }

  function storageFrame(target) {
    var parent = window.opener || window.parent;
    try { return target && target !== "_parent" ? parent.frames[target] || parent : parent; } catch (e) { return parent; }
  }

  function send(frame, origin, message, done) {
    var id = "rsc-" + Math.random().toString(36).slice(2);
    message.message_id = id;
    function answer(event) {
      if (!event.data || event.data.message_id !== id) { return; }
      if (origin !== "*" && event.origin !== origin) { return; }
      window.removeEventListener("message", answer);
      done(event.data);
    }
    window.addEventListener("message", answer);
    frame.postMessage(message, origin);
  }

  // Login: keep the state and our verifier in the LMS page, then go on to the LMS's sign-in.
  var login = document.getElementById("lti-storage-login");
  if (login) {
    var frame = storageFrame(login.dataset.target);
    var origin = login.dataset.origin;
    send(frame, origin, { subject: "lti.put_data", key: "state_" + login.dataset.state, value: login.dataset.verifier }, function () {
      send(frame, origin, { subject: "lti.put_data", key: "nonce_" + login.dataset.nonce, value: login.dataset.nonce }, function () {
        window.location.href = login.dataset.authUrl;
      });
    });
  }

  // Launch: read the verifier back from the LMS page and send the launch again with it.
  var launch = document.getElementById("lti-storage-launch");
  if (launch) {
    send(storageFrame(launch.dataset.target), launch.dataset.origin,
      { subject: "lti.get_data", key: "state_" + launch.dataset.state }, function (data) {
        launch.elements.lti_storage_verifier.value = data.value || "";
        launch.submit();
      });
  }
}());
