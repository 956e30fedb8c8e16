  // embed.js part: reporting a published comment to the moderators. A small form opens under
  // the comment; comments this browser reported stay marked "Reported" (kept in localStorage).

  const REPORTED_KEY = "comments-widget:reported";
  const REPORTED_KEEP = 500; // ids remembered; the oldest are forgotten first
  const REPORT_REASONS = [
    ["spam", "Spam or advertising"],
    ["abusive", "Abusive, hateful or harassing"],
    ["off-topic", "Off-topic"],
    ["other", "Something else"],
  ];

  const reported = {
    ids() {
      try {
        const value = JSON.parse(window.localStorage.getItem(REPORTED_KEY) || "[]");
        return Array.isArray(value) ? value : [];
      } catch {
        return [];
      }
    },
    has(site, id) {
      return this.ids().includes(`${site}:${id}`);
    },
    add(site, id) {
      const ids = this.ids().filter((key) => key !== `${site}:${id}`);
      ids.push(`${site}:${id}`);
      try {
        window.localStorage.setItem(REPORTED_KEY, JSON.stringify(ids.slice(-REPORTED_KEEP)));
      } catch {
        /* storage full or disabled: the mark lasts until the page is left */
      }
    },
  };

  /**
   * The "Report" button beside Reply; the form is built when it is first opened. Every
   * comment has one, so its name says which comment: "Report Ann's comment, just now".
   */
  function reportButton(ctx, comment, entry) {
    const id = `${entry.key}-report`;
    const button = el(
      "button",
      {
        type: "button",
        class: "cw-link-button cw-report",
        id,
        "aria-labelledby": `${id} ${entry.about}`,
        "aria-expanded": "false",
      },
      "Report",
    );
    if (reported.has(ctx.config.site, comment.id)) {
      closeButton(button, "Reported");
      return button;
    }
    let form = null;
    button.addEventListener("click", () => {
      if (!form) {
        form = reportForm(ctx, comment, button, entry.about);
        entry.article.append(form);
      }
      const opening = form.hidden;
      form.hidden = !opening;
      button.setAttribute("aria-expanded", String(opening));
      if (opening) form.querySelector("input").focus();
    });
    return button;
  }

  /** "Reported Ann's comment, …", or "Unavailable to report: Ann's comment, …". */
  function closeButton(button, label) {
    const rest = el("span", { class: "cw-visually-hidden" }, " to report:");
    button.replaceChildren(label, ...(label === "Reported" ? [] : [rest]));
    button.disabled = true;
    button.removeAttribute("aria-expanded");
    button.removeAttribute("aria-controls");
  }

  /** about: the id of the card's "Ann's comment, …", which also names the form's buttons. */
  function reportForm(ctx, comment, button, about) {
    const formId = ctx.id(`report-${comment.id}`);
    const choices = REPORT_REASONS.map(([value, label], i) => {
      const input = el("input", { type: "radio", name: "reason", value, id: `${formId}-${value}` });
      if (i === 0) input.required = true;
      return el("div", { class: "cw-check" }, input, el("label", { for: input.id }, label));
    });
    const text = el("textarea", { id: `${formId}-text`, name: "text", rows: 2, maxlength: 1000 });
    // tabindex: once sent, the form's controls go and focus moves to what it says.
    const status = el("p", { class: "cw-report-status", role: "status", tabindex: "-1" });
    // Named for the comment too: "Send report on Ann's comment, …", "Cancel report on …".
    const formButton = (type, className, suffix, word, rest) =>
      el(
        "button",
        {
          type,
          class: className,
          id: `${formId}-${suffix}`,
          "aria-labelledby": `${formId}-${suffix} ${about}`,
        },
        word,
        el("span", { class: "cw-visually-hidden" }, rest),
      );
    const send = formButton("submit", "cw-more", "send", "Send report", " on");
    const cancel = formButton("button", "cw-link-button", "cancel", "Cancel", " report on");
    const form = el(
      "form",
      { class: "cw-report-form", id: formId, novalidate: true, hidden: true },
      el(
        "fieldset",
        null,
        el("legend", null, "Why should a moderator look at this comment?"),
        choices,
      ),
      el("label", { for: text.id }, "Anything the moderators should know (optional)"),
      text,
      el("div", { class: "cw-report-actions" }, send, cancel),
      status,
    );
    button.setAttribute("aria-controls", formId);
    const close = () => {
      form.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const reason = form.querySelector("input[name=reason]:checked");
      if (send.getAttribute("aria-disabled") === "true") return; // already on its way
      if (!reason) {
        status.className = "cw-report-status cw-status-error";
        status.textContent = "Choose a reason.";
        form.querySelector("input").focus();
        return;
      }
      // aria-disabled rather than disabled: the button keeps focus while the report is sent.
      send.setAttribute("aria-disabled", "true");
      status.className = "cw-report-status";
      status.textContent = "Sending…";
      const outcome = await sendReport(ctx, comment.id, reason.value, text.value);
      send.removeAttribute("aria-disabled");
      status.className = `cw-report-status ${outcome.ok ? "cw-status-ok" : "cw-status-error"}`;
      status.textContent = outcome.message;
      if (outcome.ok) {
        reported.add(ctx.config.site, comment.id);
        form.replaceChildren(status);
        closeButton(button, "Reported", name);
      } else if (outcome.gone) {
        // Taken down meanwhile: not this reader's report, and gone from the thread next time.
        form.replaceChildren(status);
        closeButton(button, "Unavailable", name);
      }
      // Sent (or gone), the form's controls go: focus moves to what the form says; refused,
      // it stays on the button that tries again.
      if (focusLost()) (send.isConnected ? send : status).focus();
    });
    return form;
  }

  /** {ok, gone, message}: what to tell the reader. */
  async function sendReport(ctx, commentId, reason, text) {
    let response;
    try {
      response = await request(new URL(`comments/${commentId}/reports`, API), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reason, text }),
      });
    } catch {
      return { ok: false, message: "The report could not be sent. Check your connection." };
    }
    const data = await readJson(response);
    if (response.ok) {
      return { ok: true, message: "Thank you. A moderator will look at this comment." };
    }
    if (response.status === 404) {
      return { ok: false, gone: true, message: "This comment can no longer be reported." };
    }
    if (response.status === 429) {
      const seconds = retryAfterSeconds(response, data);
      const wait = seconds ? ` in ${plural(seconds, "second", "seconds")}` : " later";
      return { ok: false, message: `Too many reports from your connection; try again${wait}.` };
    }
    if (response.status >= 500) {
      // Not a refusal: the server (or the database behind it) failed, and the same report
      // sent again later is taken.
      const seconds = retryAfterSeconds(response, data);
      const when = seconds ? `in ${plural(seconds, "second", "seconds")}` : "in a moment";
      return {
        ok: false,
        message:
          `The comment server had a problem (error ${response.status}), so the report was ` +
          `not sent; please try again ${when}.`,
      };
    }
    const errors = data && data.errors ? Object.values(data.errors).flat() : [];
    const detail = errors.length ? ` ${errors[0]}` : "";
    return { ok: false, message: `The report was not accepted.${detail}` };
  }
