/* The evidence editor, made quicker where script runs (the page works without it):
   - the draft's text is saved in the background every 20 seconds and when a field loses focus,
     when it changed, by posting the form's text fields (with its CSRF token) to the address in
     the form's data-autosave; the page then says "Saved at 14:05";
   - once the first background save of a new item has made the draft, its "Discard this draft"
     link (in the page, hidden until then) is given the draft's address and shown;
   - "Preview" shows the Markdown as the evidence page will, fetched from data-preview, without
     leaving the page.
   Each standard's count of ticked criteria is kept by ticked.js, as on the evidence page.
   A separate file, as the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var form = document.getElementById("evidence-form");
  if (!form) {
    return;
  }
  if (!window.fetch || !window.FormData) {
    return;
  }
  var INTERVAL = 20000;
  var TEXT = "input[type=text], input[type=date], textarea";
  var status = document.getElementById("autosave-status");
  var inFlight = null;
  var submitting = false;

  function say(words) {
    if (status) {
      status.textContent = words;
    }
  }

  function snapshot() {
    var parts = [];
    form.querySelectorAll(TEXT).forEach(function (el) {
      parts.push(el.name + "=" + el.value);
    });
    return parts.join("\u0001");
  }

  function textData() {
    var data = new FormData();
    form.querySelectorAll("input[type=hidden], " + TEXT).forEach(function (el) {
      if (el.name) {
        data.append(el.name, el.value);
      }
    });
    return data;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    });
  }

  var saved = snapshot(); // what the server holds: the page as it came

  function autosave() {
    var url = form.getAttribute("data-autosave");
    if (!url || submitting) {
      return Promise.resolve();
    }
    if (inFlight) { // one at a time: save again once this one is done, if still changed
      return inFlight.then(autosave);
    }
    var now = snapshot();
    if (now === saved) {
      return Promise.resolve();
    }
    var title = form.querySelector("[name=title]");
    if (title && !title.value.trim()) {
      say("Not saved yet: give it a title and it is saved as you write.");
      return Promise.resolve();
    }
    say("Saving…");
    inFlight = post(url, textData())
      .then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (body) {
          if (!response.ok) {
            say(body.error || "Not saved automatically: press “Save draft” to save.");
            return;
          }
          saved = now;
          var hash = form.querySelector("[name=expected_hash]");
          if (hash && body.hash) { // what this page's next save expects the draft to be
            hash.value = body.hash;
          }
          if (body.edit_url) { // a new item is now a draft: what follows changes it
            form.setAttribute("action", body.edit_url);
            form.setAttribute("data-autosave", body.autosave_url);
            var version = form.querySelector("[name=expected_version]");
            if (version) {
              version.value = String(body.version);
            }
            var discard = document.getElementById("discard-draft");
            if (discard && body.discard_url) { // the draft exists now: its author may discard it
              discard.querySelector("a").setAttribute("href", body.discard_url);
              discard.hidden = false;
            }
          }
          say(body.saved);
        });
      })
      .catch(function () {
        say("Not saved automatically: the connection failed. Press “Save draft” to save.");
      })
      .then(function () {
        inFlight = null;
      });
    return inFlight;
  }

  if (form.getAttribute("data-autosave")) {
    window.setInterval(autosave, INTERVAL);
    form.addEventListener("focusout", function (event) {
      if (event.target.matches && event.target.matches(TEXT)) {
        autosave();
      }
    });
  }

  form.addEventListener("submit", function (event) {
    if (inFlight) { // let the background save finish first: it may have made the item
      event.preventDefault();
      var submitter = event.submitter || null;
      inFlight.then(function () {
        if (form.requestSubmit) {
          form.requestSubmit(submitter);
        } else {
          form.submit();
        }
      });
      return;
    }
    submitting = true;
  });

  var button = form.querySelector("[name=preview]");
  var panel = document.getElementById("preview-panel");
  var target = document.getElementById("preview-body");
  var previewUrl = form.getAttribute("data-preview");
  if (button && panel && target && previewUrl) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      post(previewUrl, textData())
        .then(function (response) {
          return response.text().then(function (html) {
            // the server renders the Markdown with raw HTML off, as on the evidence page
            target.innerHTML = html;
            panel.hidden = false;
            panel.focus();
          });
        })
        .catch(function () {
          target.textContent = "The preview could not be made: the connection failed.";
          panel.hidden = false;
          panel.focus(); // said where the focus goes, as a preview made is (WCAG 4.1.3)
        });
    });
  }
}());
