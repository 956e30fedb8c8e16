  // embed.js part: replying. There is one form per widget; a reply moves it under the comment
  // (so the reply is written in context) and cancelling moves it back to ctx.ui.formHome.

  function openReply(ctx, commentId) {
    const { state, ui } = ctx;
    const entry = state.entries.get(commentId);
    if (!entry) return;
    if (state.replyTo !== null && state.replyTo !== commentId) closeReply(ctx, false);
    state.replyTo = commentId;
    state.emptiedByPost = false; // a new comment begins here: an empty one is refused again
    entry.li.insertBefore(ui.form, entry.replies);
    ui.replyingName.textContent = entry.name;
    ui.replying.hidden = false;
    entry.button.setAttribute("aria-expanded", "true");
    clearErrors(ctx);
    setStatus(ctx, ""); // the last post's outcome would read as this reply's
    ui.textarea.focus();
  }

  /** restoreFocus: back to the comment's Reply button, for keyboard users who cancelled. */
  function closeReply(ctx, restoreFocus) {
    const { state, ui } = ctx;
    if (state.replyTo === null) return;
    const entry = state.entries.get(state.replyTo);
    state.replyTo = null;
    ui.formHome.append(ui.form);
    ui.replying.hidden = true;
    if (entry && entry.button) {
      entry.button.setAttribute("aria-expanded", "false");
      if (restoreFocus) entry.button.focus();
    }
  }

  /** The server no longer takes replies to this comment: close the reply, drop its button. */
  function replyGone(ctx, commentId) {
    const entry = ctx.state.entries.get(commentId);
    if (ctx.state.replyTo === commentId) closeReply(ctx, false);
    if (!entry || !entry.button) return;
    entry.button.remove();
    entry.button = null;
  }

  /**
   * The thread takes no new comments (its first page says so, or a post was refused): Reply
   * buttons go, and the form gives way to the plain "Comments are closed." unless the reader
   * is writing in it (text in the box, or focus in the form): that stays, and a post from it
   * is refused with the server's words (submit.js), the text kept. Once, on loading or on a
   * refusal: a thread closed while the page is open is not taken away under the reader.
   */
  function closeThread(ctx) {
    const { state, ui } = ctx;
    if (state.closed) return;
    state.closed = true;
    const writing = ui.textarea.value.trim() !== "" || ui.form.contains(document.activeElement);
    for (const [id, entry] of state.entries) {
      if (!entry.button || (writing && state.replyTo === id)) continue;
      entry.button.remove();
      entry.button = null;
    }
    if (writing) return;
    closeReply(ctx, false);
    ui.form.hidden = true;
    ui.closedNotice.hidden = false;
  }

  function wireReplies(ctx) {
    const { form, cancelReplyButton } = ctx.ui;
    cancelReplyButton.addEventListener("click", () => closeReply(ctx, true));
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && ctx.state.replyTo !== null) {
        event.preventDefault();
        closeReply(ctx, true);
      }
    });
  }
