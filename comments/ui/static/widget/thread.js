  // embed.js part: the thread: comments rendered into nested lists, loaded page by page.
  // ctx.state.entries maps a comment id to its rendered entry, so replies find their parent;
  // ctx.state.held does the same for the reader's own comments awaiting moderation.

  /** The heading counts the comments shown; it never says there are none above some. */
  function updateCount(ctx) {
    const { state, ui } = ctx;
    // Above the reader's own held comments, "No comments yet" would contradict the page; so
    // would any "No … yet" above "Show 1 new comment", which shows one when pressed.
    const waiting = ctx.live ? ctx.live.waiting.size : 0;
    const none = state.held.size ? "No published comments yet" : "No comments yet";
    ui.countHeading.textContent =
      state.total > 0 ? plural(state.total, "Comment", "Comments") : waiting ? "Comments" : none;
  }

  let cards = 0; // numbers the ids that name each comment's card

  /**
   * A comment's <li>: its card, then a list for its replies. Pending: held for moderation,
   * shown to its poster only, marked so (and described so to a screen reader).
   */
  function renderComment(ctx, comment, pending) {
    const shown = shownFields(comment);
    const { name } = shown;
    const key = ctx.id(`card-${++cards}`);
    const author = authorElement(shown, key);
    const anchor = `comment-${comment.id}`;
    // "just now" is shown; "just now (Saturday, November 28, 2026 at 12:50 PM)" is read out.
    const stamp = timeElement(comment.created_at);
    const permalink = stamp
      ? el(
          "a",
          { class: "cw-permalink", id: `${key}-time`, href: `#${anchor}` },
          stamp.time,
          stamp.more,
        )
      : null;
    // "Ann's comment, 3 minutes ago", never shown: every control acting on this comment is
    // named by its own word and this ("Report Ann's comment, 3 minutes ago") through
    // aria-labelledby, so a list of the page's buttons tells apart two comments by one name.
    const about = el("span", { id: `${key}-about`, hidden: true }, aboutText(name, stamp?.date));
    const tracked = stamp ? trackTime(stamp, about, name) : null; // kept current as time goes by
    const meta = el("header", { class: "cw-meta" }, author, permalink, about);
    // Readers' words: in the page's language, each block in its own direction (OWN_DIRECTION).
    const body = el("div", { class: "cw-body", dir: "auto", lang: PAGE_LANG });
    body.append(commentContent(shown));
    // Named by its author and time, so a screen reader says whose comment it is on entering
    // it or when focus moves to it (after "Load more").
    const article = el(
      "article",
      {
        class: "cw-card",
        tabindex: "-1",
        "aria-labelledby": permalink ? `${author.id} ${permalink.id}` : author.id,
        "aria-describedby": pending ? `${key}-notice` : null,
      },
      meta,
    );
    if (pending) article.append(pendingNotice(key));
    article.append(body);
    const replies = el("ol", { class: "cw-replies" });
    const li = el(
      "li",
      {
        class: pending ? "cw-comment cw-pending" : "cw-comment",
        id: pending ? null : anchor,
        "data-id": comment.id,
      },
      article,
      replies,
    );
    const entry = { li, article, replies, button: null, name, key, about: about.id };
    // What the card shows and where, so an edit is shown in place (changes.js).
    entry.view = { shown, author, about, tracked };
    if (!pending) article.append(publicActions(ctx, entry, comment));
    return entry;
  }

  /** What a card shows of a comment besides its time: its words, name and website. */
  function shownFields(comment) {
    return {
      html: typeof comment.html === "string" ? comment.html : null,
      body: comment.body || "",
      name: (comment.author_name || "").trim() || "Anonymous",
      website: httpUrl(comment.author_url),
    };
  }

  /** The author's name, a link to their website if they gave one. */
  function authorElement(shown, key) {
    const { name, website } = shown;
    return website
      ? el(
          "a",
          {
            class: "cw-author",
            id: `${key}-author`,
            href: website,
            rel: "nofollow ugc noopener",
            dir: "auto",
            lang: PAGE_LANG,
          },
          name,
        )
      : el(
          "span",
          { class: "cw-author", id: `${key}-author`, dir: "auto", lang: PAGE_LANG },
          name,
        );
  }

  /** A comment's words as its card shows them: allow-listed HTML, or plain text. */
  function commentContent(shown) {
    return shown.html !== null ? commentFragment(shown.html) : plainTextFragment(shown.body);
  }

  /** Text, not only a colour: also read out on entering the card (its aria-describedby). */
  function pendingNotice(key) {
    return el(
      "p",
      { class: "cw-notice", id: `${key}-notice` },
      "Your comment is awaiting moderation. Only you can see it until it is approved.",
    );
  }

  /**
   * Reply (unless the thread is closed), and Report unless this browser posted the comment:
   * what only a published comment offers. Sets entry.button.
   */
  function publicActions(ctx, entry, comment) {
    const mine = own.has(ctx.config.site, comment.id);
    const report = mine ? null : reportButton(ctx, comment, entry);
    if (ctx.state.closed) return el("div", { class: "cw-comment-actions" }, report);
    const id = `${entry.key}-reply`;
    const button = el(
      "button",
      {
        type: "button",
        class: "cw-reply",
        id,
        "aria-labelledby": `${id} ${entry.about}`,
        "aria-expanded": "false",
        "aria-controls": ctx.ui.form.id,
      },
      "Reply",
      el("span", { class: "cw-visually-hidden" }, " to"),
    );
    button.addEventListener("click", () => openReply(ctx, comment.id));
    entry.button = button;
    return el("div", { class: "cw-comment-actions" }, button, report);
  }

  /**
   * An edit by its author published a held comment or held a published one, or the thread
   * brought a held one published: show it so.
   */
  function setPending(ctx, entry, comment, pending) {
    const { state } = ctx;
    if (entry.li.classList.contains("cw-pending") === pending) return;
    const body = entry.article.querySelector(":scope > .cw-body");
    entry.li.classList.toggle("cw-pending", pending);
    if (own.has(ctx.config.site, comment.id)) own.setHeld(ctx.config.site, comment.id, pending);
    if (pending) {
      if (state.replyTo === comment.id) closeReply(ctx, false);
      entry.article.querySelector(":scope > .cw-comment-actions")?.remove();
      entry.button = null;
      body.before(pendingNotice(entry.key));
      entry.article.setAttribute("aria-describedby", `${entry.key}-notice`);
      entry.li.removeAttribute("id");
      state.entries.delete(comment.id);
      state.held.set(comment.id, entry);
      state.total = Math.max(0, state.total - 1);
    } else {
      entry.article.querySelector(":scope > .cw-notice")?.remove();
      entry.article.removeAttribute("aria-describedby");
      body.after(publicActions(ctx, entry, comment));
      entry.li.id = `comment-${comment.id}`;
      state.held.delete(comment.id);
      state.entries.set(comment.id, entry);
      state.total += 1;
    }
    updateCount(ctx);
  }

  /** The entry replies to this comment go under: shown published, or the reader's held one. */
  function shownEntry(ctx, id) {
    return ctx.state.entries.get(id) || ctx.state.held.get(id) || null;
  }

  /**
   * A reply's parent is older, so already shown, unless it was removed: say so, where it was
   * in the conversation (the page names what each removed comment answered), else at the top.
   */
  function removedParent(ctx, parentId, depth = 0) {
    const { entries, removedParents } = ctx.state;
    const replies = el("ol", { class: "cw-replies" });
    const card = removedCard();
    const li = el("li", { class: "cw-comment", "data-id": parentId }, card, replies);
    const above = removedParents.get(parentId);
    let home = null;
    if (above != null && depth < 8) {
      home = shownEntry(ctx, above) || removedParent(ctx, above, depth + 1);
    }
    (home ? home.replies : ctx.ui.threadList).append(li);
    const entry = { li, article: card, replies, button: null, name: "", placeholder: true };
    ctx.state.entries.set(parentId, entry);
    ctx.state.removed += 1;
    return entry;
  }

  /** Where a comment no longer published was; focus can go to it when its card goes. */
  function removedCard() {
    return el("p", { class: "cw-card cw-removed", tabindex: "-1" }, "This comment was removed.");
  }

  /** Pending: the reader's own comment held for moderation, which only they are shown. */
  function insertComment(ctx, comment, pending) {
    const { entries, held } = ctx.state;
    const known = entries.get(comment.id);
    if (known && !known.placeholder) return known; // shown already, published
    const mine = held.get(comment.id);
    if (mine) {
      // Shown held already: published since (the thread brought it), it is shown so.
      if (!pending) setPending(ctx, mine, comment, false);
      return mine;
    }
    const entry = renderComment(ctx, comment, pending);
    if (known) {
      // A reply came first and put up a "removed" placeholder for this comment (imported
      // comments can be numbered out of order; the reader's held comment is not published):
      // the comment takes over the placeholder's replies. A comment taken down while the
      // reader replied to it keeps the form (changes.js) until now: it goes back home.
      if (known.li.contains(ctx.ui.form)) closeReply(ctx, false);
      entry.replies.replaceWith(known.replies);
      entry.replies = known.replies;
      known.li.remove();
      entries.delete(comment.id);
      ctx.state.removed -= 1;
    }
    let parent = null;
    if (comment.parent_id != null) {
      parent = shownEntry(ctx, comment.parent_id) || removedParent(ctx, comment.parent_id);
    }
    (parent ? parent.replies : ctx.ui.threadList).append(entry.li);
    (pending ? held : entries).set(comment.id, entry);
    if (ctx.ext) ctx.ext.decorate(entry, comment, pending);
    return entry;
  }

  async function loadPage(ctx, cursor) {
    const { state } = ctx;
    const data = await readThreadPage(ctx, cursor, null); // live.js
    if (state.since === undefined) state.since = data.since ?? null; // live.js asks after it
    if (data.closed === true) closeThread(ctx); // before its comments: they offer no Reply
    // The reader's held comments go in among the page's, in order, so each is in its place
    // and replies under it are not put under a "removed" placeholder.
    if (!state.heldWaiting) state.heldWaiting = (await state.heldAsked) || [];
    const held = new Set(dueHeld(ctx, data.comments, !data.next));
    const added = [];
    for (const comment of [...data.comments, ...held].sort((a, b) => a.id - b.id)) {
      if (held.has(comment)) {
        insertComment(ctx, comment, true);
        continue;
      }
      const existing = state.entries.get(comment.id);
      const entry = insertComment(ctx, comment, false);
      if (!existing || existing.placeholder) added.push(entry);
    }
    // Comments shown, not the placeholders of removed parents; never fewer than shown (the
    // server counted before later pages brought newer comments).
    const shown = state.entries.size - state.removed;
    state.total = Number.isFinite(data.total) ? Math.max(data.total, shown) : shown;
    state.next = data.next || null;
    state.pages += 1;
    return added;
  }

  /**
   * Up to AUTO_PAGES pages from cursor, then a "Load more" button if the thread goes on.
   * fromButton: a reader pressed "Load more" or "Try again", which hiding the button took
   * focus from; it goes to the first comment loaded, else to whichever button is shown.
   */
  async function loadThread(ctx, cursor, fromButton) {
    const { state } = ctx;
    const { loadStatus, retryButton, moreButton, countHeading } = ctx.ui;
    retryButton.hidden = true;
    moreButton.hidden = true;
    loadStatus.textContent = "Loading comments…";
    let first = null;
    // Asked once, beside the first page: which of the reader's comments here are still held.
    if (!state.heldAsked) state.heldAsked = askHeld(ctx);
    try {
      await ctx.extReady; // the extension decorates comments as they are inserted
      [first] = await loadPage(ctx, cursor);
      while (state.next && state.pages % AUTO_PAGES !== 0) {
        const added = await loadPage(ctx, state.next);
        first = first || added[0];
      }
      loadStatus.textContent = "";
      moreButton.hidden = !state.next;
      updateCount(ctx);
      revealHashTarget(ctx);
      if (state.refusedOrigin) offerForm(ctx); // allowed since: "Try again" (refused.js)
    } catch (error) {
      loadStatus.textContent = "Comments could not be loaded.";
      retryButton.hidden = false;
      if (error && error.unreadableUrl) unreadable(ctx, error.unreadableUrl); // refused.js
    }
    if (!fromButton || !focusLost()) return; // the reader went on elsewhere meanwhile
    if (first) first.article.focus();
    else if (!retryButton.hidden) retryButton.focus();
    else if (!moreButton.hidden) moreButton.focus();
    else countHeading.focus(); // nothing new and nothing more: say how many there are
  }

  /** A link to #comment-N works once that comment has been loaded. */
  function revealHashTarget(ctx) {
    if (!location.hash.startsWith("#comment-")) return;
    const target = ctx.root.querySelector(`[id="${CSS.escape(location.hash.slice(1))}"]`);
    if (!target) return;
    target.classList.add("cw-target");
    target.scrollIntoView({ block: "start" });
  }

  function wireThread(ctx) {
    const { retryButton, moreButton } = ctx.ui;
    // Both continue from where loading stopped: a failed page, or the last page loaded.
    retryButton.addEventListener("click", () => loadThread(ctx, ctx.state.next, true));
    moreButton.addEventListener("click", () => loadThread(ctx, ctx.state.next, true));
  }
