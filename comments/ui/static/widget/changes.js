  // embed.js part: comments shown that change while the page is open, as live.js hears of
  // them. An edit (new words, name or website) is shown in the comment's card, in place; a
  // comment taken down (rejected, filed as spam, deleted, held again) becomes the "This
  // comment was removed." placeholder, its replies staying under it. Neither moves the page;
  // focus moves only from a card that is taken away, to what stands in its place.

  /**
   * Show what changed of a shown comment (or the reader's own held one) in its card, rendered
   * as renderComment renders it; true if anything did. Focus stays where it is.
   */
  function refreshComment(ctx, entry, comment) {
    const { view } = entry;
    if (!view) return false;
    const now = shownFields(comment);
    const before = view.shown;
    const sameAuthor = now.name === before.name && now.website === before.website;
    const sameWords = now.html === before.html && (now.html !== null || now.body === before.body);
    if (sameAuthor && sameWords) return false;
    view.shown = now;
    if (!sameWords) {
      // Absent once its author deleted it here: embed-edit.js left a placeholder instead.
      entry.article.querySelector(":scope > .cw-body")?.replaceChildren(commentContent(now));
    }
    if (!sameAuthor) {
      const author = authorElement(now, entry.key); // the same id: names built on it hold
      const focused = view.author === document.activeElement;
      view.author.replaceWith(author);
      view.author = author;
      entry.name = now.name;
      if (view.tracked) view.tracked.name = now.name; // updateTimes writes the name it keeps
      view.about.textContent = aboutText(now.name, view.tracked?.stamp.date);
      if (ctx.state.replyTo === comment.id) ctx.ui.replyingName.textContent = now.name;
      if (focused) (author.tagName === "A" ? author : entry.article).focus();
    }
    return true;
  }

  /**
   * A comment the page may show that is no longer published: dropped from those waiting
   * behind the button, or, shown, replaced by a placeholder. True if the page changed.
   */
  function withdrawComment(ctx, id) {
    const { state, live } = ctx;
    const waiting = live.waiting.get(id);
    if (waiting) {
      live.waiting.delete(id);
      // A reply to it may still be offered: it goes under a placeholder where this was.
      if (!state.removedParents.has(id)) state.removedParents.set(id, waiting.parent_id ?? null);
    }
    const entry = state.entries.get(id);
    // Not shown (beyond "Load more": read afresh there), a placeholder already, or the
    // reader's own held comment (state.held), which stays shown to them as held.
    if (!entry || entry.placeholder) return Boolean(waiting);
    if (!entry.li.isConnected) {
      state.entries.delete(id); // its author deleted it here, and embed-edit.js took it away
      return Boolean(waiting);
    }
    if (entry.article.querySelector(":scope > .cw-removed")) {
      entry.placeholder = true; // deleted here by its author, who left a placeholder: counted
      state.removed += 1;
      return Boolean(waiting);
    }
    const hadFocus = entry.article.contains(document.activeElement);
    statusOutdated(ctx, id);
    const { site } = ctx.config;
    if (own.load().some((r) => r.site === site && r.id === id && r.held)) {
      // The reader's own, held again by their edit in another tab: shown held, as a reload
      // shows it, with the words it is held with.
      setPending(ctx, entry, { id }, true);
      if (hadFocus) entry.article.focus();
      refreshHeld(ctx);
      return true;
    }
    // The reader may be writing a reply under it: the form stays, and posting says the
    // comment is no longer available (submit.js), with their text kept.
    if (ctx.ext && typeof ctx.ext.takenDown === "function") ctx.ext.takenDown(id); // timers stop
    const card = removedCard();
    entry.article.replaceWith(card);
    entry.article = card;
    entry.button = null;
    entry.placeholder = true;
    entry.li.removeAttribute("id"); // #comment-N is no longer there to link to
    state.removed += 1;
    state.total = Math.max(0, state.total - 1);
    updateCount(ctx);
    if (hadFocus) card.focus(); // not dropped to the top of the page
    return true;
  }

  /** The reader's held comments as the server has them now, shown so where they are. */
  async function refreshHeld(ctx) {
    for (const comment of await askHeld(ctx)) {
      const entry = ctx.state.held.get(comment.id);
      if (entry) refreshComment(ctx, entry, comment);
    }
  }
