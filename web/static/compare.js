/* compare: the little behaviour the compare page needs, with no inline script
   (the Content-Security-Policy allows only the app's own files; styles are set
   through SVG attributes, never style="", so htmx's history snapshots stay clean).
   - Hovering or focusing a passage lights up its counterparts: data-pairs lists
     the pairs a passage belongs to, and every element sharing one gets "linked".
   - Changes: "Previous change" / "Next change" and the keys n / p go to the
     previous or next change (the rows marked data-stop), wrapping at the ends;
     the row is scrolled into view, focused and marked aria-current, and the
     position reads "change 3 of 12".
   - The overview strip beside the rows draws where the changes are, and the
     part of the rows in view; a click goes there.
   - While a comparison is recomputed, the old result is dimmed and aria-busy.
   - A link to a passage inside a closed fold opens the fold.
   - The threshold slider shows its value while it moves.
   Listeners sit on the document, so they keep working after htmx swaps content. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

  /* ---- counterparts ---- */
  var lit = [];
  var litPairs = null;  // the data-pairs value now lit up

  function pairsOf(target) {
    var cell = target && target.closest ? target.closest("[data-pairs]") : null;
    return cell ? cell.getAttribute("data-pairs") : null;
  }

  function link(pairs) {
    if (pairs === litPairs) { return; }
    for (var i = 0; i < lit.length; i++) { lit[i].classList.remove("linked"); }
    lit = [];
    litPairs = pairs;
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

  /* ---- changes: previous / next, n / p ---- */
  var current = 0;  // the change last gone to (1-based), 0 for none

  function stops() { return document.querySelectorAll("#rows [data-stop]"); }

  function stickyBottom() {
    var top = document.querySelector("#rows .rows-top");
    return top ? Math.max(0, top.getBoundingClientRect().bottom) : 0;
  }

  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > stickyBottom() && box.top < window.innerHeight;
  }

  function openFoldsAround(element) {
    for (var fold = element.closest("details"); fold; fold = fold.parentElement.closest("details")) {
      fold.open = true;
    }
  }

  function showPosition() {
    var position = document.getElementById("change-position");
    if (!position) { return; }
    var total = stops().length;
    position.textContent = current ? "change " + current + " of " + total
                                   : total + " change" + (total === 1 ? "" : "s");
  }

  function markCurrent(number) {
    var list = stops();
    var previous = document.querySelectorAll("#rows [aria-current]");
    for (var i = 0; i < previous.length; i++) { previous[i].removeAttribute("aria-current"); }
    current = number;
    if (number) { list[number - 1].setAttribute("aria-current", "true"); }
    showPosition();
    drawView();
  }

  function goTo(number) {
    var list = stops();
    if (!list.length) { return; }
    number = ((number - 1) % list.length + list.length) % list.length + 1;  // wrap at both ends
    var row = list[number - 1];
    openFoldsAround(row);
    // A row taller than most of the window shows from its start (below the sticky head), others centred.
    var tall = row.getBoundingClientRect().height > (window.innerHeight - stickyBottom()) * 0.6;
    row.scrollIntoView({block: tall ? "start" : "center"});
    row.focus({preventScroll: true});
    markCurrent(number);
  }

  function step(delta) {
    var list = stops();
    if (!list.length) { return; }
    if (current && current <= list.length && inView(list[current - 1])) {
      goTo(current + delta);
      return;
    }
    // Nothing gone to yet, or scrolled away since: the next change below the top of the view
    // (or the previous one above it).
    var edge = stickyBottom();
    var found = 0;
    for (var i = 0; i < list.length; i++) {
      var top = list[i].getBoundingClientRect().top;
      if (delta > 0 && top >= edge - 1) { found = i + 1; break; }
      if (delta < 0 && top < edge - 1) { found = i + 1; }
    }
    goTo(found || (delta > 0 ? 1 : list.length));
  }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") { return true; }
    return target.tagName === "INPUT" && !/^(range|checkbox|radio|button|submit|reset)$/.test(target.type);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (!document.getElementById("rows")) { return; }
    if (event.key === "n" || event.key === "p") {
      event.preventDefault();
      step(event.key === "n" ? 1 : -1);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-step]") : null;
    if (button) { step(Number(button.getAttribute("data-step"))); }
  });

  document.addEventListener("focusin", function (event) {
    link(pairsOf(event.target));
    var row = event.target.closest ? event.target.closest("#rows [data-change]") : null;
    if (!row) { return; }
    var number = Number(row.getAttribute("data-change"));
    if (number !== current && number <= stops().length) { markCurrent(number); }
  });

  /* ---- the overview strip ---- */
  var MARK_MIN_PX = 3;  // a mark is at least this tall on screen

  function visible(element) { return element.getClientRects().length > 0; }

  function drawOverview() {
    var strip = document.getElementById("overview");
    var rows = document.getElementById("rows");
    if (!strip || !rows) { return; }
    var box = rows.getBoundingClientRect();
    var height = Math.max(1, box.height);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 12 " + height.toFixed(0));
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("focusable", "false");
    var stripHeight = Math.max(1, strip.getBoundingClientRect().height);
    var least = MARK_MIN_PX * height / stripHeight;
    var marked = rows.querySelectorAll("[data-mark]");
    for (var i = 0; i < marked.length; i++) {
      var element = marked[i];
      var fold = element.tagName === "DETAILS" ? element : null;
      var shape = fold ? fold.querySelector("summary") : element;
      if (fold && fold.open) { continue; }  // its rows draw themselves
      var closed = element.parentElement.closest("details:not([open])");
      if (closed || !visible(shape)) { continue; }  // a closed fold draws for the rows it holds
      var part = shape.getBoundingClientRect();
      var kind = element.getAttribute("data-mark");
      var mark = document.createElementNS(SVG, "rect");
      mark.setAttribute("x", kind === "b-only" ? "6" : "0");
      mark.setAttribute("width", kind === "a-only" || kind === "b-only" ? "6" : "12");
      mark.setAttribute("y", (part.top - box.top).toFixed(1));
      mark.setAttribute("height", Math.max(part.height, least).toFixed(1));
      mark.setAttribute("class", "mark mark-" + kind);
      mark.setAttribute("data-change", element.getAttribute("data-change") || "");
      svg.appendChild(mark);
    }
    var view = document.createElementNS(SVG, "rect");
    view.setAttribute("class", "view");
    view.setAttribute("x", "0.5");
    view.setAttribute("width", "11");
    svg.appendChild(view);
    strip.replaceChildren(svg);
    drawView();
  }

  function drawView() {
    var strip = document.getElementById("overview");
    var rows = document.getElementById("rows");
    var view = strip ? strip.querySelector("rect.view") : null;
    if (!view || !rows) { return; }
    var box = rows.getBoundingClientRect();
    var top = Math.max(0, -box.top);
    var bottom = Math.min(box.height, window.innerHeight - box.top);
    view.setAttribute("y", top.toFixed(1));
    view.setAttribute("height", Math.max(0, bottom - top).toFixed(1));
  }

  document.addEventListener("click", function (event) {
    var strip = event.target.closest ? event.target.closest("#overview") : null;
    var rows = document.getElementById("rows");
    if (!strip || !rows) { return; }
    var stripBox = strip.getBoundingClientRect();
    var box = rows.getBoundingClientRect();
    var y = (event.clientY - stripBox.top) / Math.max(1, stripBox.height) * box.height;  // in the rows
    var near = MARK_MIN_PX * 2 * box.height / Math.max(1, stripBox.height);
    var marks = strip.querySelectorAll("rect.mark");
    var best = null;
    var bestDistance = near;
    for (var i = 0; i < marks.length; i++) {
      var top = Number(marks[i].getAttribute("y"));
      var distance = Math.max(0, top - y, y - top - Number(marks[i].getAttribute("height")));
      if (distance <= bestDistance && marks[i].getAttribute("data-change")) { best = marks[i]; bestDistance = distance; }
    }
    if (best) {
      goTo(Number(best.getAttribute("data-change")));
    } else {
      window.scrollTo(0, window.scrollY + box.top + y - window.innerHeight / 2);
    }
  });

  var pending = false;
  function redrawSoon() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; drawOverview(); });
  }

  window.addEventListener("resize", redrawSoon);
  window.addEventListener("scroll", drawView, {passive: true});
  document.addEventListener("toggle", redrawSoon, true);  // a fold opened or closed (toggle does not bubble)

  /* ---- a link to a passage in a closed fold ---- */
  function revealTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (target && target.closest("details:not([open])")) {
      openFoldsAround(target);
      target.scrollIntoView({block: "start"});
    }
  }

  window.addEventListener("hashchange", revealTarget);

  /* ---- recomputing: dim the old result ---- */
  var request = null;  // the comparison request in flight

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "compare") { return; }
    request = event.detail.xhr;
    var result = document.getElementById("result");
    if (result) { result.setAttribute("aria-busy", "true"); }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail || event.detail.xhr !== request) { return; }
    request = null;
    var result = document.getElementById("result");
    if (result) { result.removeAttribute("aria-busy"); }
  });

  // A page saved for the back button must not keep the marks of a request or a position.
  document.addEventListener("htmx:beforeHistorySave", function () {
    var marked = document.querySelectorAll("[aria-busy], #rows [aria-current]");
    for (var i = 0; i < marked.length; i++) {
      marked[i].removeAttribute("aria-busy");
      marked[i].removeAttribute("aria-current");
    }
  });

  function settle() {
    litPairs = null;
    lit = [];
    current = 0;
    showPosition();
    drawOverview();
  }

  document.addEventListener("htmx:afterSettle", settle);
  document.addEventListener("htmx:historyRestore", settle);

  /* ---- the threshold slider's value ---- */
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=range][data-output]")) { return; }
    var output = document.getElementById(input.getAttribute("data-output"));
    if (output) { output.textContent = Number(input.value).toFixed(2); }
  });

  function start() {
    revealTarget();
    drawOverview();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", redrawSoon);  // fonts and layout settled
})();
