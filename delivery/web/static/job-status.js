/* An export's page while the export is queued or running (the page works without it: "Check
   again" loads it again). Every 3 seconds the page is fetched and only its status region
   (role="status": a screen reader hears what changed without losing its place) is replaced,
   until the export has finished or stopped, when the region offers what follows (the download,
   or "Queue it again"). The page never reloads itself while someone reads it (WCAG 2.2.1).
   A separate file, as the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var region = document.getElementById("job-status");
  if (!region || !region.hasAttribute("data-running") || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = region.getAttribute("data-poll");
  var INTERVAL = 3000;

  function replace(fresh) {
    var hadFocus = region.contains(document.activeElement);
    region.innerHTML = fresh.innerHTML;
    if (hadFocus) { // the focused link was replaced: keep the keyboard in the region
      var next = region.querySelector("a, button, input[type=submit]");
      if (next) {
        next.focus();
      }
    }
  }

  function check() {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("job-status");
        if (!fresh) {
          return;
        }
        if (fresh.innerHTML !== region.innerHTML) {
          replace(fresh);
        }
        if (fresh.hasAttribute("data-running")) {
          window.setTimeout(check, INTERVAL);
        }
      })
      .catch(function () {
        window.setTimeout(check, INTERVAL * 5); // the connection failed: try again later
      });
  }

  window.setTimeout(check, INTERVAL);
}());
