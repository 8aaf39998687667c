/* compare: the little behaviour the compare page needs, with no inline script
   (the Content-Security-Policy allows only the app's own files).
   - Hovering or focusing a passage lights up its counterparts: data-pairs lists
     the pairs a passage belongs to, and every element sharing one gets "linked".
   - The threshold slider shows its value while it moves.
   Listeners sit on the document, so they keep working after htmx swaps content. */
(function () {
  "use strict";

  var current = null;  // the data-pairs value now lit up
  var lit = [];

  function pairsOf(target) {
    var cell = target && target.closest ? target.closest("[data-pairs]") : null;
    return cell ? cell.getAttribute("data-pairs") : null;
  }

  function link(pairs) {
    if (pairs === current) { return; }
    for (var i = 0; i < lit.length; i++) { lit[i].classList.remove("linked"); }
    lit = [];
    current = pairs;
    if (pairs === null) { return; }
    var ids = pairs.split(" ");
    for (var j = 0; j < ids.length; j++) {
      if (!/^[0-9]+$/.test(ids[j])) { continue; }
      var cells = document.querySelectorAll('[data-pairs~="' + ids[j] + '"]');
      for (var k = 0; k < cells.length; k++) {
        cells[k].classList.add("linked");
        lit.push(cells[k]);
      }
    }
  }

  // Off any passage, the focused passage (if any) stays lit: scrolling to a focused
  // passage moves other content under a resting mouse.
  document.addEventListener("mouseover", function (event) {
    link(pairsOf(event.target) || pairsOf(document.activeElement));
  });
  document.addEventListener("focusin", function (event) { link(pairsOf(event.target)); });
  document.addEventListener("htmx:afterSwap", function () { current = null; lit = []; });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=range][data-output]")) { return; }
    var output = document.getElementById(input.getAttribute("data-output"));
    if (output) { output.textContent = Number(input.value).toFixed(2); }
  });
})();
