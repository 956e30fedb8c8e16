/* Moderation queue: the searched words (the filter form's "q") marked in each card's text and
 * author's name, so a moderator sees at a glance why a comment was found.
 *
 * The server matches each word in any letter case, also inside a longer word; so does this.
 * A word that the model's highlights cut in two is left unmarked.
 */
(() => {
  "use strict";

  if (document.body.dataset.page !== "queue") return;
  const field = document.getElementById("f-q");
  const words = field ? Array.from(new Set(field.value.split(/\s+/).filter(Boolean))) : [];
  if (!words.length) return;

  // Longest first, so a word inside another searched word does not take its place.
  const escaped = words
    .sort((a, b) => b.length - a.length)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(escaped.join("|"), "giu");

  function mark(node) {
    const text = node.nodeValue;
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      parts.push(text.slice(last, match.index));
      const hit = document.createElement("mark");
      hit.className = "search-hit";
      hit.textContent = match[0];
      parts.push(hit);
      last = match.index + match[0].length;
    }
    if (!last) return;
    parts.push(text.slice(last));
    node.replaceWith(...parts);
  }

  for (const element of document.querySelectorAll("#cards .comment-text, #cards .author-name")) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(mark);
  }
})();
