/* compare: the little behaviour the compare page needs, with no inline script
   (the Content-Security-Policy allows only the app's own files).
   - Hovering or focusing a passage lights up its counterpart: every element with
     the same data-pair gets the class "linked".
   - The threshold slider shows its value while it moves.
   Listeners sit on the document, so they keep working after htmx swaps content. */
(function () {
  "use strict";

  var current = null;

  function pairOf(target) {
    var cell = target && target.closest ? target.closest("[data-pair]") : null;
    return cell ? cell.getAttribute("data-pair") : null;
  }

  function mark(pair, on) {
    var cells = document.querySelectorAll('[data-pair="' + pair + '"]');
    for (var i = 0; i < cells.length; i++) {
      cells[i].classList.toggle("linked", on);
    }
  }

  function link(pair) {
    if (pair === current) { return; }
    if (current !== null) { mark(current, false); }
    current = pair;
    if (pair !== null) { mark(pair, true); }
  }

  document.addEventListener("mouseover", function (event) { link(pairOf(event.target)); });
  document.addEventListener("focusin", function (event) { link(pairOf(event.target)); });
  document.addEventListener("htmx:afterSwap", function () { current = null; });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=range][data-output]")) { return; }
    var output = document.getElementById(input.getAttribute("data-output"));
    if (output) { output.textContent = Number(input.value).toFixed(2); }
  });
})();
