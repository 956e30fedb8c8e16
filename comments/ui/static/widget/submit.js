  // embed.js part: posting a comment. An unanswered post (a dropped connection, a 5xx) is sent
  // again with the same idempotency key, so the server stores it once however often it is tried.

  function payloadFor(ctx, token, parentId) {
    const { config, ui, ext } = ctx;
    return {
      site: config.site,
      thread: config.thread,
      thread_title: config.title,
      thread_url: config.url,
      parent_id: parentId,
      author_name: ui.nameInput.value.trim(),
      author_email: ui.emailInput.value.trim(),
      author_url: ui.urlInput.value.trim(),
      body: ui.textarea.value,
      form_token: token ? token.value : "",
      honeypot: ui.honeypot.value,
      notify_replies: ui.notifyBox.checked && !ui.notifyBox.disabled,
      ...(ext ? ext.payloadFields() : {}),
    };
  }

  /** The same key while the content is unchanged; the token is left out, as it is renewed. */
  function idempotencyKey(ctx, payload) {
    const { state } = ctx;
    const { form_token: _ignored, ...content } = payload;
    const fingerprint = JSON.stringify(content);
    if (!state.retry || state.retry.fingerprint !== fingerprint) {
      state.retry = { key: uuid(), fingerprint };
    }
    return state.retry.key;
  }

  /** The stored comment in the thread, the form emptied and a new token on its way. */
  function showSubmitted(ctx, data, payload) {
    const { state, ui, ext } = ctx;
    const comment = {
      id: data.id,
      parent_id: data.parent_id !== undefined ? data.parent_id : payload.parent_id,
      author_name: data.author_name !== undefined ? data.author_name : payload.author_name,
      author_url: data.author_url !== undefined ? data.author_url : payload.author_url,
      html: data.html,
      body: payload.body,
      created_at: data.created_at || new Date().toISOString(),
    };
    const isPublished = data.status === "published";
    // The form still under the comment this one answers (the reader may have moved it since).
    const wasReply = payload.parent_id !== null && state.replyTo === payload.parent_id;
    own.add(ctx.config, data); // before it is shown: its author is offered no Report
    if (ext) ext.remember(data, payload);
    if (wasReply) closeReply(ctx, false);
    const entry = insertComment(ctx, comment, !isPublished);
    entry.li.classList.add("cw-new");
    if (isPublished) state.total += 1;
    updateCount(ctx);
    if (isPublished) {
      setStatus(ctx, "Your comment has been published.", "ok", data.id);
    } else {
      setStatus(
        ctx,
        "Thank you. Your comment is awaiting moderation and will appear once approved.",
        "pending",
        data.id,
      );
    }
    ui.textarea.value = "";
    state.emptiedByPost = true;
    rememberDetails(ctx);
    state.retry = null;
    if (wasReply) entry.article.focus({ preventScroll: true });
    entry.li.scrollIntoView({ block: "nearest" });
    state.token = null;
    fetchToken(ctx); // a fresh token for the next comment
  }

  /** Every answer that is not a stored comment: say what happened and what to do. */
  function showRejected(ctx, response, data, payload) {
    // state.retry stays: an earlier attempt with this key may have been stored (an answer
    // lost or a 503), and the key changes by itself once the reader changes the comment.
    const { state } = ctx;
    if (response.status === 422) {
      setStatus(ctx, "");
      const { parent_id: staleParent, ...errors } = (data && data.errors) || {};
      if (staleParent && payload.parent_id !== null) {
        // Removed or held since the page loaded: nothing in the form to correct. The reply
        // closes (the text stays in the form) and that comment offers no Reply any more.
        replyGone(ctx, payload.parent_id);
        const gone =
          "The comment you are replying to is no longer available; your text is still here " +
          "and you can post it as a new comment.";
        if (Object.keys(errors).length) showErrors(ctx, { ...errors, parent_id: gone });
        else showErrors(ctx, {}, gone);
        return;
      }
      showErrors(ctx, (data && data.errors) || {}, data && data.message);
      if (data && data.errors && data.errors.form_token) {
        state.token = null;
        fetchToken(ctx);
      }
    } else if (response.status === 409 && data && data.errors && data.errors.thread) {
      // Closed since the page loaded: nothing to correct, and the text stays in the form.
      setStatus(ctx, "");
      closeThread(ctx);
      showErrors(ctx, {}, typeof data.message === "string" ? data.message : "");
    } else if (response.status === 429) {
      const after = retryAfterSeconds(response, data);
      if (after) state.cooldownUntil = Date.now() + after * 1000;
      setStatus(
        ctx,
        after
          ? `You are posting too fast, try again in ${plural(after, "second", "seconds")}.`
          : "You are posting too fast, try again in a little while.",
        "error",
      );
    } else if (response.status === 413) {
      setStatus(
        ctx,
        "Your comment is too long to post. Please shorten it and try again.",
        "error",
      );
    } else {
      const detail =
        data && typeof data.message === "string" && data.message ? ` (${data.message})` : "";
      setStatus(
        ctx,
        `Sorry, your comment could not be posted: error ${response.status}${detail}. ` +
          "Your comment is still here.",
        "error",
      );
    }
  }

  async function submit(ctx, event) {
    const { state, ui } = ctx;
    event.preventDefault();
    if (state.submitting) return;
    const waitSeconds = Math.ceil((state.cooldownUntil - Date.now()) / 1000);
    if (waitSeconds > 0) {
      setStatus(
        ctx,
        `You are posting too fast, try again in ${plural(waitSeconds, "second", "seconds")}.`,
        "error",
      );
      return;
    }
    // The second click of a double click can come after a quick answer: the box is empty
    // because the comment was posted, and saying "Published" still is the truth.
    if (state.emptiedByPost && !ui.textarea.value.trim()) return;
    clearErrors(ctx);
    setStatus(ctx, "");
    if (!ui.textarea.value.trim()) {
      showErrors(ctx, { body: ["Please write a comment."] });
      return;
    }
    // Where the comment goes is fixed now: Reply pressed on another comment while this one
    // waits out its form token moves the form for the next comment, not this one.
    const parentId = state.replyTo;
    setBusy(ctx, true);
    setStatus(ctx, "Posting your comment…");
    try {
      await ctx.extReady; // the extension adds its payload fields and may show a nudge
      const token = await currentToken(ctx);
      if (token) {
        // A form posted faster than a person could fill it looks automated; wait it out.
        const remaining = token.receivedAt + token.minSeconds * 1000 + 250 - performance.now();
        if (remaining > 0) await sleep(remaining);
      }
      const payload = payloadFor(ctx, token, parentId);
      payload.idempotency_key = idempotencyKey(ctx, payload);
      let response;
      try {
        response = await request(new URL("comments", API), {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(payload),
        });
      } catch {
        setStatus(
          ctx,
          state.refusedOrigin
            ? "Comments cannot be posted from this page. Your comment is still here to copy."
            : "Could not reach the comment server. Your comment is still here; " +
                "check your connection and try again.",
          "error",
        );
        return; // state.retry is kept: posting again reuses the idempotency key
      }
      const data = await readJson(response);
      if (response.status === 202 && data && data.nudge && ctx.ext) {
        state.retry = null; // nothing was stored: the next post is a new submission
        setStatus(ctx, "");
        ctx.ext.showNudge(data.nudge);
        return;
      }
      if ((response.status === 201 || response.status === 200) && data) {
        showSubmitted(ctx, data, payload);
        return;
      }
      if (response.status >= 500) {
        const after = retryAfterSeconds(response, data);
        const when = after ? `in ${plural(after, "second", "seconds")}` : "in a moment";
        setStatus(
          ctx,
          `The comment server had a problem (error ${response.status}). ` +
            `Your comment is still here; please try again ${when}.`,
          "error",
        );
        return; // the comment may have been stored: keep the key so a retry cannot duplicate it
      }
      showRejected(ctx, response, data, payload);
    } finally {
      setBusy(ctx, false);
    }
  }

  function wireSubmit(ctx) {
    const { form, textarea } = ctx.ui;
    form.addEventListener("submit", (event) => submit(ctx, event));
    textarea.addEventListener("input", () => {
      ctx.state.emptiedByPost = false;
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target === textarea) {
        event.preventDefault();
        form.requestSubmit(); // Ctrl+Enter (or Cmd+Enter) posts from the comment box
      }
    });
  }
