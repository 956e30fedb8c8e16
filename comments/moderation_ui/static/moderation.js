/* Every moderation page: the live region's flashed message, and wide tables scrolled by keys.
 *
 * The queue's cards are shown by card.js, its in-place decisions are in queue.js and its
 * keyboard shortcuts in shortcuts.js, all loaded by the queue page only, after this file.
 */
(() => {
  "use strict";

  // The live regions: #announcer (role="status") for what went well, #alerts (role="alert")
  // for refusals and failures.
  const regions = ["announcer", "alerts"].map((id) => document.getElementById(id)).filter(Boolean);

  // What the server flashed after a form was sent (a ban lifted, a decision made without this
  // script, settings saved) is in the live regions as the page loads, and screen readers do
  // not read a live region's first content out: put it back a moment later, as a change,
  // unless something newer was announced meanwhile.
  const flashed = regions.map((region) => Array.from(region.childNodes));
  if (flashed.some((nodes) => nodes.length)) {
    regions.forEach((region) => region.replaceChildren());
    setTimeout(() => {
      if (regions.some((region) => region.childNodes.length)) return;
      regions.forEach((region, i) => region.append(...flashed[i]));
    }, 250);
  }

  // A table wider than the window scrolls inside its wrapper: let the keyboard scroll it too
  // (a focusable region named by the table's caption), only while it does scroll, so a wide
  // window gets no extra tab stops.
  const tableWraps = document.querySelectorAll(".table-wrap");
  function scrollableByKeys(wrap, index) {
    const caption = wrap.querySelector("caption");
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      if (caption && !caption.id) caption.id = `table-caption-${index + 1}`;
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (caption) wrap.setAttribute("aria-labelledby", caption.id);
    } else {
      for (const name of ["tabindex", "role", "aria-labelledby"]) wrap.removeAttribute(name);
    }
  }
  if (tableWraps.length && "ResizeObserver" in window) {
    const wraps = Array.from(tableWraps);
    const watcher = new ResizeObserver((entries) => {
      for (const entry of entries) scrollableByKeys(entry.target, wraps.indexOf(entry.target));
    });
    wraps.forEach((wrap) => watcher.observe(wrap));
  }
})();
