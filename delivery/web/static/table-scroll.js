/* A wide table in a text (portfolio.markdown) sits in a region of its own that scrolls sideways
   rather than widen a phone's page. As served, the region is a labelled tab stop, so that a
   keyboard can scroll it (WCAG 2.1.1) where no script runs (and in a bundle's offline pages).
   Where script runs it is a tab stop, and a labelled region, only while it scrolls: on a wide
   screen, where the whole table shows, the keyboard does not stop on it for nothing; narrowed
   (a window resized, a phone turned), it becomes one again. Tables the editor's preview puts in
   place, and those in a folded text opened, are seen to as they show. A separate file, as the Content-Security-Policy allows no
   inline script. */
(function () {
  "use strict";
  var KEPT = ["tabindex", "role", "aria-label"]; // as served: what a scrolling region has

  function update() {
    var regions = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < regions.length; i++) {
      var region = regions[i];
      if (!region.hasAttribute("data-served")) { // remember the served label once
        region.setAttribute("data-served", region.getAttribute("aria-label") || "Table");
      }
      if (region.scrollWidth > region.clientWidth) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", region.getAttribute("data-served"));
      } else if (region.hasAttribute("tabindex")) {
        if (document.activeElement === region) {
          region.blur();
        }
        for (var k = 0; k < KEPT.length; k++) {
          region.removeAttribute(KEPT[k]);
        }
      }
    }
  }

  var pending = false;
  function soon() { // at most once a frame, however many events come
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        update();
      });
    }
  }

  update();
  window.addEventListener("resize", soon);
  window.addEventListener("load", soon); // images in a table may widen it as they arrive
  document.addEventListener("toggle", soon, true); // a folded text (a sample's evidence) opened
  var preview = document.getElementById("preview-body");
  if (preview && window.MutationObserver) {
    new MutationObserver(soon).observe(preview, { childList: true, subtree: true });
  }
})();
