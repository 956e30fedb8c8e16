/*!
 * Comments widget, part two: loaded by embed.js from the same directory. Lets readers edit
 * and delete their own comments while the site's edit window is open, and shows the rephrase
 * nudge. Like embed.js it builds every node itself (no HTML strings, no inline style), and the
 * only HTML it displays is the server's comment HTML, through embed.js's own sanitiser.
 *
 * The edit token of each comment this browser posted is kept in localStorage (with the text,
 * so the edit box can start from it, and how many more times its window may be extended)
 * until its window closes; nothing else is stored. embed.js's watchDeadline warns before the
 * window closes and extends it.
 */
// Source: comments/ui/static/edit/, joined into this one script by comments/ui/assets.py.
// This part opens the function that wraps every part; closing.js, the last part, closes it.
(() => {
  "use strict";

  const widget = window.commentsWidget;
  if (!widget || typeof widget.register !== "function") return;

  const STORAGE_KEY = "comments-widget:edits";
  const MAX_TIMER_MS = 2 ** 31 - 1;
  let decorated = 0; // numbers status ids, unique even with two widgets on a page
