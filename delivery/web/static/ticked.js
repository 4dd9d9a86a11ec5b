/* Each standard's summary in a criteria checklist (the evidence editor's and the evidence page's
   "Map to criteria") says how many of its criteria are ticked: "(2 ticked)". Where script runs,
   the number follows the boxes as they are ticked; only the text of the summary's
   data-ticked-count element changes, so the focus stays on the box. Without script it is the
   count saved. A separate file, as the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.name !== "criterion" || !box.closest) {
      return;
    }
    var group = box.closest("details");
    var count = group && group.querySelector("summary [data-ticked-count]");
    if (count) {
      count.textContent = String(group.querySelectorAll("input[name=criterion]:checked").length);
    }
  });
})();
