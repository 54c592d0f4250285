/* Pipeline board: drag a deal card to another stage (SortableJS), then let the server
   move it (htmx POST to the card's move URL) and redraw the board. No inline script. */
(function () {
  "use strict";
  function init(root) {
    if (typeof Sortable === "undefined" || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-stage-list]").forEach(function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "deals",
        animation: 150,
        forceFallback: true,
        draggable: ".deal",
        filter: "details, summary, select, input, button, a, label",
        preventOnFilter: false,
        onEnd: function (evt) {
          if (evt.from === evt.to) { return; }
          var card = evt.item;
          htmx.ajax("POST", card.dataset.moveUrl, {
            source: card, target: "#board", swap: "outerHTML",
            values: { stage: evt.to.dataset.stageId, version: card.dataset.version }
          });
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.detail.elt); });
}());
