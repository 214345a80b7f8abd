// The layout editor (dashboards/edit.html): drag and drop with the vendored SortableJS,
// as htmx's sortable example does it: SortableJS fires "end" on the list, which bubbles to
// the column's form (hx-trigger="end"), and htmx posts the new order. After a button
// (« Monter »...) redraws the layout, the focus returns to the same button.
(function () {
  "use strict";
  var refocus = null;
  htmx.onLoad(function (content) {
    content.querySelectorAll("[data-sortable]").forEach(function (list) {
      if (list.dataset.sortableReady) { return; }
      list.dataset.sortableReady = "1";
      new Sortable(list, { animation: 150, draggable: ".portlet-item" });
    });
    // Only the redrawn layout holds the new button: the messages swapped out of band load
    // too, sometimes first, and focusing the old button then loses the focus with it.
    var button = refocus && document.getElementById(refocus);
    if (button && content.contains(button)) {
      refocus = null;
      button.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-refocus]");
    if (button) { refocus = button.id; }
  });
})();
