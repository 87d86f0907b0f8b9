/* The page and its server (course template, index.html.j2).

   1. While the page is open and visible, and the learner has used it in the last hour, it
      asks its server about its kernel every two minutes. The request counts as activity,
      so a hub's idle culler does not stop a server that a learner is reading.
   2. When the answer says the kernel or the server is gone (stopped by the culler, signed
      out, or the connection lost), the page says so at once, in a message that stays in
      view, and tells the learner how to keep what they typed: nothing on the page is
      cleared. The server is also asked the moment the learner selects a button (Save,
      Check answer) or moves into a text box, and when they come back to the tab. */
(function () {
  var data = document.getElementById("jupyter-config-data");
  var config = data ? JSON.parse(data.textContent) : {};
  if (!config.kernelId || !config.baseUrl) {
    return;
  }
  var url = config.baseUrl + "api/kernels/" + config.kernelId;
  var everyMs = 1000 * (window.COURSE_CONNECTION_CHECK_SECONDS || 120);
  var usedWithinMs = 60 * 60 * 1000;
  var lastUsed = Date.now();
  var asking = false;
  var message = null;

  function used() {
    lastUsed = Date.now();
  }

  function showLost() {
    if (message) {
      return;
    }
    message = document.createElement("div");
    message.className = "course-message course-error course-connection-lost";
    message.setAttribute("role", "alert");
    message.innerHTML =
      "<p><strong>This page is no longer connected to the course, so nothing you do here now can be saved.</strong></p>" +
      "<p>This happens when a page has not been used for a while, or when the connection drops. " +
      "What you saved before is kept. To keep what you have typed since:</p>" +
      "<ol><li>Select the text in the box and copy it (Ctrl and C).</li>" +
      "<li><a href=\"\" class=\"course-connection-reload\">Reload this page</a> (sign in again if you are asked).</li>" +
      "<li>Paste your text back into the box (Ctrl and V) and select Save.</li></ol>";
    message.querySelector("a").addEventListener("click", function (event) {
      event.preventDefault();
      window.location.reload();
    });
    var main = document.getElementById("main");
    main.insertBefore(message, main.firstChild);
  }

  function connected() {
    if (message) {
      message.remove();
      message = null;
    }
  }

  /* 404: the kernel is gone; 424 or 503: the server is stopped; a redirect: signed out. */
  function ask(tries) {
    if (asking) {
      return;
    }
    asking = true;
    var counts = Date.now() - lastUsed < usedWithinMs;
    /* On JupyterHub 4.1 and later a request signed in by cookie must carry the _xsrf token
       (set by the page's request for Voila's folder list, below). */
    var xsrf = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]+)/);
    var headers = { Accept: "application/json" };
    if (xsrf) {
      headers["X-XSRFToken"] = decodeURIComponent(xsrf[1]);
    }
    fetch(url + (counts ? "" : "?no_track_activity=1"), {
      credentials: "same-origin", cache: "no-store", redirect: "manual", headers: headers
    }).then(function (response) {
      return response.ok;
    }, function () {
      return false;
    }).then(function (ok) {
      asking = false;
      if (ok) {
        connected();
      } else if (tries > 1) {
        setTimeout(function () { ask(tries - 1); }, 2000);  // one dropped request is not a lost page
      } else {
        showLost();
      }
    });
  }

  ["keydown", "pointerdown", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, used, { capture: true, passive: true });
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#rendered_cells button")) {
      ask(2);
    }
  }, true);
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("#rendered_cells textarea, #rendered_cells input")) {
      ask(2);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      ask(2);
    }
  });
  setInterval(function () {
    if (document.visibilityState === "visible") {
      ask(2);
    }
  }, everyMs);
})();
