  // embed-edit.js part: the rephrase nudge. This part opens create(w), the factory a widget
  // calls, with the locals every later part shares; closing.js closes it.

  /** Code-point offsets (the server's) to [start, end) ranges merged where they overlap. */
  function mergedRanges(words) {
    const ranges = words
      .map((w) => [Number(w.start), Number(w.end)])
      .filter(([start, end]) => Number.isInteger(start) && Number.isInteger(end) && end > start)
      .sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range);
    }
    return merged;
  }

  function create(w) {
    const { el, request, readJson, state, textarea, setStatus } = w;
    let nudge = null; // {id, text}: the open nudge, named by the next submission
    const watched = new Map(); // comment id -> stops its timers and listener (takenDown)

    /* ---- the nudge ---- */

    const nudgePanel = el("div", { class: "cw-nudge", role: "alert", hidden: true });
    w.insertPoint.before(nudgePanel);

    function highlighted(text, words) {
      const chars = Array.from(text); // code points, as the server counts
      const quote = el("blockquote", { class: "cw-nudge-text", dir: "auto", lang: w.pageLang });
      let at = 0;
      for (const [start, end] of mergedRanges(words)) {
        if (start < at || end > chars.length) continue;
        quote.append(chars.slice(at, start).join(""));
        quote.append(el("mark", { class: "cw-nudge-word" }, chars.slice(start, end).join("")));
        at = end;
      }
      quote.append(chars.slice(at).join(""));
      return quote;
    }

    function selectFirstWord(text, words) {
      const [first] = mergedRanges(words);
      const offset = textarea.value.indexOf(text);
      textarea.focus();
      if (!first || offset < 0) return;
      const units = (n) => Array.from(text).slice(0, n).join("").length; // to UTF-16
      textarea.setSelectionRange(offset + units(first[0]), offset + units(first[1]));
    }

    function showNudge(data) {
      const words = Array.isArray(data.words) ? data.words : [];
      const text = typeof data.text === "string" ? data.text : textarea.value;
      nudge = { id: String(data.id || ""), text };
      const editButton = el("button", { type: "button", class: "cw-link-button" }, "Edit");
      const postButton = el("button", { type: "button", class: "cw-link-button" }, "Post anyway");
      editButton.addEventListener("click", () => selectFirstWord(text, words));
      postButton.addEventListener("click", () => w.form.requestSubmit());
      nudgePanel.replaceChildren(
        el("p", { class: "cw-nudge-message" }, String(data.message || "")),
        highlighted(text, words),
        el("p", { class: "cw-nudge-actions" }, editButton, " ", postButton),
      );
      nudgePanel.hidden = false;
    }

    function closeNudge() {
      // Closed by the post "Post anyway" sent: its button goes, so focus stays in the form.
      if (nudgePanel.contains(document.activeElement)) {
        w.form.querySelector('button[type="submit"]').focus();
      }
      nudge = null;
      nudgePanel.hidden = true;
      nudgePanel.replaceChildren();
    }
