  // embed.js part: the form's supporting cast: saved details, the status line, field errors
  // and the signed form token that every submission carries.

  /* ---- saved details ---- */

  function wireDetails(ctx) {
    const { nameInput, emailInput, urlInput, saveBox } = ctx.ui;
    const saved = storage.read();
    if (saved) {
      nameInput.value = typeof saved.name === "string" ? saved.name : "";
      emailInput.value = typeof saved.email === "string" ? saved.email : "";
      urlInput.value = typeof saved.url === "string" ? saved.url : "";
      saveBox.checked = true;
    }
    saveBox.addEventListener("change", () => {
      if (!saveBox.checked) storage.clear();
    });

    emailInput.addEventListener("input", () => syncNotify(ctx));
    syncNotify(ctx);
  }

  /**
   * Replies can only be mailed to an address, so the choice appears with one; and never when
   * the service sends no mail (its form token says so), where ticking it would promise a
   * confirmation mail that never comes.
   */
  function syncNotify(ctx) {
    const { emailInput, notifyRow, notifyBox } = ctx.ui;
    const offered = emailInput.value.trim() !== "" && ctx.state.repliesByMail;
    notifyRow.hidden = !offered;
    notifyBox.disabled = !offered;
    if (!offered) notifyBox.checked = false;
  }

  /** After a successful post: save the details if asked to, forget them if not. */
  function rememberDetails(ctx) {
    const { nameInput, emailInput, urlInput, saveBox } = ctx.ui;
    if (saveBox.checked) {
      storage.write({ name: nameInput.value, email: emailInput.value, url: urlInput.value });
    } else {
      storage.clear();
    }
  }

  /* ---- status and errors ---- */

  /** about: the id of the comment the message speaks of, if it speaks of one. */
  function setStatus(ctx, message, kind, about) {
    const { formStatus } = ctx.ui;
    formStatus.textContent = message || "";
    formStatus.className = `cw-form-status${kind ? ` cw-status-${kind}` : ""}`;
    ctx.state.statusAbout = about ?? null;
  }

  /**
   * This comment changed: its reader edited it (its card says what became of the edit), or it
   * was taken down (deleted in another tab, rejected). A status about it ("Your comment has
   * been published.") could contradict what the card shows now.
   */
  function statusOutdated(ctx, id) {
    if (ctx.state.statusAbout === id) setStatus(ctx, "");
  }

  function clearErrors(ctx) {
    const { summary, fields, errors } = ctx.ui;
    summary.hidden = true;
    summary.replaceChildren();
    for (const name of FIELD_NAMES) {
      const control = fields[name];
      control.removeAttribute("aria-invalid");
      if (control.dataset.hint) control.setAttribute("aria-describedby", control.dataset.hint);
      else control.removeAttribute("aria-describedby");
      errors[name].hidden = true;
      errors[name].textContent = "";
    }
  }

  /** The API's field errors may be a string, a list or nested objects: flatten to strings. */
  function messagesOf(value) {
    if (value === null || value === undefined) return [];
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(messagesOf);
    if (typeof value === "object") return Object.values(value).flatMap(messagesOf);
    return [String(value)];
  }

  /** Each message beside its field and in a focused summary that links to the fields. */
  function showErrors(ctx, fieldErrors, message) {
    const { summary, fields, errors } = ctx.ui;
    clearErrors(ctx);
    const items = [];
    let first = null;
    for (const [name, value] of Object.entries(fieldErrors || {})) {
      const messages = messagesOf(value);
      if (!messages.length) continue;
      const control = FIELD_NAMES.includes(name) ? fields[name] : null;
      if (control) {
        errors[name].textContent = messages.join(" ");
        errors[name].hidden = false;
        control.setAttribute("aria-invalid", "true");
        const described = [errors[name].id, control.dataset.hint].filter(Boolean).join(" ");
        control.setAttribute("aria-describedby", described);
        first = first || control;
        const link = el(
          "a",
          { href: `#${control.id}` },
          `${FIELD_LABELS[name]}: ${messages.join(" ")}`,
        );
        link.addEventListener("click", (event) => {
          event.preventDefault();
          control.focus();
        });
        items.push(el("li", null, link));
      } else if (name === "form_token") {
        items.push(el("li", null, "The form expired. Please post your comment again."));
      } else {
        items.push(el("li", null, messages.join(" ")));
      }
    }
    summary.append(
      el(
        "p",
        { class: "cw-summary-title" },
        message && !items.length ? message : "Please correct the following:",
      ),
    );
    if (items.length) summary.append(el("ul", null, items));
    summary.hidden = false;
    (first || summary).focus();
  }

  function setBusy(ctx, busy) {
    const { form, submitButton } = ctx.ui;
    ctx.state.submitting = busy;
    // aria-disabled rather than disabled: the button keeps focus while the request runs.
    if (busy) submitButton.setAttribute("aria-disabled", "true");
    else submitButton.removeAttribute("aria-disabled");
    submitButton.textContent = busy ? "Posting…" : "Post Comment";
    // The box is emptied when the comment is stored: words typed meanwhile would be lost.
    ctx.ui.textarea.readOnly = busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /* ---- form token ---- */

  /** Ask for a fresh token; concurrent callers share state.tokenPromise. */
  function fetchToken(ctx) {
    const { config, state } = ctx;
    const url = new URL("form-token", API);
    url.searchParams.set("site", config.site);
    url.searchParams.set("thread", config.thread);
    state.tokenPromise = (async () => {
      try {
        const response = await request(url);
        const data = await readJson(response);
        if (response.ok && data && typeof data.token === "string") {
          state.token = {
            value: data.token,
            minSeconds: Number(data.min_seconds) || 0,
            receivedAt: performance.now(),
          };
          state.repliesByMail = data.replies_by_mail !== false;
          syncNotify(ctx);
        }
      } catch {
        /* no token: the submission goes without one and the server decides */
      } finally {
        state.tokenPromise = null;
      }
      return state.token;
    })();
    return state.tokenPromise;
  }

  async function currentToken(ctx) {
    const { state } = ctx;
    if (state.tokenPromise) await state.tokenPromise;
    if (!state.token) await fetchToken(ctx);
    return state.token;
  }

  function wireTokenRefresh(ctx) {
    const { state } = ctx;
    // A token older than this is refreshed when someone starts using the form again.
    ctx.ui.form.addEventListener("focusin", () => {
      const old = state.token && performance.now() - state.token.receivedAt > 30 * 60 * 1000;
      if ((!state.token || old) && !state.tokenPromise && !state.submitting) fetchToken(ctx);
    });
  }
