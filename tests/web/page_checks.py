"""Checks computed inside a page in Chromium: text contrast (as axe's color-contrast rule does), clipping.

``CONTRAST_SCRIPT`` walks every element that holds text and is rendered, takes
its computed colour, the backgrounds behind it (solid colours, and each stop of
a gradient such as the hatch of one-sided cells) composited from the page's
canvas up, and the opacity of it and its ancestors, and returns each text whose
contrast ratio (WCAG 2) is under the bar.  SVG text is measured against the
shape drawn under it (a heatmap cell).  Visually hidden text (screen-reader
labels) and disabled controls are not measured, as WCAG exempts them.
"""

from __future__ import annotations

from typing import Any

CONTRAST_SCRIPT = """
(minimum) => {
  function parse(text) {
    const m = /rgba?\\(([^)]+)\\)/.exec(text || "");
    if (!m) { return null; }
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function over(top, bottom) {  // top composited over an opaque bottom
    return {r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
            b: top.b * top.a + bottom.b * (1 - top.a), a: 1};
  }
  function luminance(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function ratio(x, y) {
    const [hi, lo] = [luminance(x), luminance(y)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  }
  function layers(element) {  // the candidate colours each ancestor paints, from the root down
    const chain = [];
    for (let e = element; e && e.nodeType === 1; e = e.parentElement) { chain.unshift(e); }
    return chain.map((e) => {
      const style = getComputedStyle(e);
      const colours = [];
      const solid = parse(style.backgroundColor);
      const stops = (style.backgroundImage.match(/rgba?\\([^)]+\\)/g) || []).map(parse);
      if (stops.length) { for (const stop of stops) { colours.push(solid && solid.a ? over(stop, solid) : stop); } }
      else if (solid && solid.a > 0) { colours.push(solid); }
      return colours;
    }).filter((colours) => colours.length);
  }
  function backgrounds(element) {
    let candidates = [{r: 255, g: 255, b: 255, a: 1}];  // the canvas
    for (const colours of layers(element)) {
      const next = [];
      for (const below of candidates) { for (const colour of colours) { next.push(over(colour, below)); } }
      candidates = next.slice(0, 16);
    }
    return candidates;
  }
  function hidden(element) {
    const box = element.getBoundingClientRect();
    if (!element.getClientRects().length || box.width <= 1 || box.height <= 1) { return true; }
    for (let e = element; e && e.nodeType === 1; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.visibility === "hidden" || style.display === "none" || style.clip === "rect(0px, 0px, 0px, 0px)") {
        return true;
      }
    }
    return element.closest(":disabled") !== null;
  }
  function opacity(element) {
    let value = 1;
    for (let e = element; e && e.nodeType === 1; e = e.parentElement) { value *= Number(getComputedStyle(e).opacity); }
    return value;
  }
  const failures = [];
  let checked = 0;
  for (const element of document.querySelectorAll("body *")) {
    const own = Array.from(element.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || /^(SCRIPT|STYLE|TITLE|OPTION|TEXTAREA)$/.test(element.tagName) || hidden(element)) { continue; }
    const style = getComputedStyle(element);
    const svg = element instanceof SVGElement;
    const ink = parse(svg ? style.fill : style.color);
    if (!ink) { continue; }
    const shape = svg ? element.previousElementSibling : null;
    const painted = shape && /^(rect|circle|path)$/.test(shape.tagName) ? parse(getComputedStyle(shape).fill) : null;
    const grounds = painted ? [painted] : backgrounds(svg ? element.closest("svg").parentElement : element);
    ink.a *= opacity(element);
    checked += 1;
    for (const ground of grounds) {
      const value = ratio(over(ink, ground), ground);
      if (value < minimum) {
        failures.push({text: element.textContent.trim().slice(0, 60), ratio: Math.round(value * 100) / 100,
                       tag: element.tagName, cls: String(element.className && element.className.baseVal !== undefined
                         ? element.className.baseVal : element.className), ink: style.color});
        break;
      }
    }
  }
  return {checked, failures};
}
"""

# Every link of the site bar must lie inside the window, wholly.
CLIPPED_NAVIGATION_SCRIPT = """
() => Array.from(document.querySelectorAll("header.site a")).filter((a) => {
  const box = a.getBoundingClientRect();
  return box.left < 0 || box.right > window.innerWidth || box.width === 0 || box.height === 0;
}).map((a) => a.textContent.trim())
"""


def low_contrast(page: Any, minimum: float = 4.5) -> tuple[int, list[dict[str, Any]]]:
    """Return how many texts of the page were measured and those under ``minimum`` contrast."""
    result = page.evaluate(CONTRAST_SCRIPT, minimum)
    return int(result["checked"]), list(result["failures"])
