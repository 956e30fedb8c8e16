  // embed.js part: replying. There is one form per widget; a reply moves it under the comment
  // (so the reply is written in context) and cancelling moves it back to ctx.ui.formHome.

  function openReply(ctx, commentId) {
    const { state, ui } = ctx;
    const entry = state.entries.get(commentId);
    if (!entry) return;
    if (state.replyTo !== null && state.replyTo !== commentId) closeReply(ctx, false);
    state.replyTo = commentId;
    entry.li.insertBefore(ui.form, entry.replies);
    ui.replyingName.textContent = entry.name;
    ui.replying.hidden = false;
    entry.button.setAttribute("aria-expanded", "true");
    clearErrors(ctx);
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
