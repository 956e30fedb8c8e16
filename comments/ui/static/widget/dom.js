  // embed.js part: the widget's elements, built once per widget with no HTML strings.

  /** The widget's elements, built once; createWidget wires behaviour onto them. */
  function buildDom(id) {
    const fields = {};
    const errors = {};

    function field(name, label, control, hint) {
      const errorId = id(`${name}-error`);
      const hintId = hint ? id(`${name}-hint`) : null;
      control.id = id(name);
      control.name = name;
      if (hintId) control.setAttribute("aria-describedby", hintId);
      fields[name] = control;
      errors[name] = el("p", { class: "cw-error", id: errorId, hidden: true });
      control.dataset.hint = hintId || "";
      return el(
        "div",
        { class: `cw-field cw-field-${name.replace("_", "-")}` },
        el("label", { for: control.id }, label),
        control,
        hint ? el("p", { class: "cw-hint", id: hintId }, hint) : null,
        errors[name],
      );
    }

    const bodyLabel = el(
      "span",
      null,
      "Comment ",
      el("span", { class: "cw-required" }, "(required)"),
    );
    // dir="auto" here and on the name: typed Arabic or Hebrew runs right to left.
    const textarea = el("textarea", {
      dir: "auto",
      lang: PAGE_LANG, // spell-checked in the page's language, not the widget's English
      rows: 5,
      required: true,
      "aria-required": "true",
      maxlength: 10000,
    });
    const nameInput = el("input", {
      type: "text",
      dir: "auto",
      lang: PAGE_LANG,
      autocomplete: "name",
      maxlength: 80,
    });
    const emailInput = el("input", { type: "email", autocomplete: "email", maxlength: 254 });
    const urlInput = el("input", {
      type: "url",
      autocomplete: "url",
      maxlength: 200,
      placeholder: "https://",
    });
    const honeypot = el("input", {
      type: "text",
      id: id("hp"),
      name: "cw_hp",
      tabindex: "-1",
      autocomplete: "off",
      "aria-hidden": "true",
    });
    const saveBox = el("input", { type: "checkbox", id: id("save"), name: "save_details" });
    // Offered only with an address: the service mails a confirmation link before any reply.
    const notifyBox = el("input", { type: "checkbox", id: id("notify"), name: "notify_replies" });
    const notifyRow = el(
      "div",
      { class: "cw-check cw-notify", hidden: true },
      notifyBox,
      el("label", { for: notifyBox.id }, "E-mail me replies (we send a link to confirm first)."),
    );
    const submitButton = el("button", { type: "submit", class: "cw-submit" }, "Post Comment");
    // tabindex: focus goes here when what the reader acted on is gone (a deleted comment).
    const formStatus = el("p", {
      class: "cw-form-status",
      role: "status",
      "aria-live": "polite",
      tabindex: "-1",
    });
    const summary = el("div", { class: "cw-summary", role: "alert", tabindex: "-1", hidden: true });
    const replyingName = el("strong");
    const cancelReplyButton = el(
      "button",
      { type: "button", class: "cw-link-button" },
      "Cancel reply",
    );
    const replying = el(
      "p",
      { class: "cw-replying", hidden: true },
      "Replying to ",
      replyingName,
      " ",
      cancelReplyButton,
    );

    const form = el(
      "form",
      { class: "cw-form", id: id("form"), novalidate: true, "aria-label": "Leave a comment" },
      replying,
      summary,
      field(
        "body",
        bodyLabel,
        textarea,
        "Plain text; **bold**, *italics*, `code`, > quotes, lists and links work too.",
      ),
      el(
        "div",
        { class: "cw-row" },
        field("author_name", "Name", nameInput),
        field("author_email", "Email", emailInput, "Never shown publicly."),
        field("author_url", "Website", urlInput),
      ),
      el(
        "div",
        { class: "cw-hp", "aria-hidden": "true" },
        el("label", { for: honeypot.id }, "Leave this field empty"),
        honeypot,
      ),
      el(
        "div",
        { class: "cw-check" },
        saveBox,
        el(
          "label",
          { for: saveBox.id },
          "Save my name, email, and website in this browser for the next time I comment.",
        ),
      ),
      notifyRow,
      el("div", { class: "cw-actions" }, submitButton),
      formStatus,
    );
    // Shown instead of the form on a thread that takes no new comments: plain text.
    const closedNotice = el("p", { class: "cw-closed", hidden: true }, "Comments are closed.");
    const formHome = el("div", { class: "cw-form-home" }, form, closedNotice);

    /* ---- thread ---- */

    // Focusable from script: focus goes here when "Load more" finds nothing new to show.
    const countHeading = el(
      "h2",
      { class: "cw-count", id: id("count"), tabindex: "-1" },
      "Comments",
    );
    const loadStatus = el("p", { class: "cw-load-status", role: "status" }, "Loading comments…");
    const retryButton = el(
      "button",
      { type: "button", class: "cw-link-button", hidden: true },
      "Try again",
    );
    const threadList = el("ol", { class: "cw-thread", "aria-labelledby": countHeading.id });
    const moreButton = el(
      "button",
      { type: "button", class: "cw-more", hidden: true },
      "Load more comments",
    );

    const container = el(
      "section",
      // Its own words are English: read as English and laid out left to right on any page
      // (".Never shown publicly" on a right-to-left page); readers' text says PAGE_LANG.
      { class: "cw", "aria-labelledby": countHeading.id, lang: "en", dir: "ltr" },
      formHome,
      countHeading,
      el("div", { class: "cw-load" }, loadStatus, retryButton),
      threadList,
      moreButton,
    );

    return {
      container,
      form,
      formHome,
      closedNotice,
      fields,
      errors,
      summary,
      replying,
      replyingName,
      formStatus,
      textarea,
      nameInput,
      emailInput,
      urlInput,
      honeypot,
      saveBox,
      notifyBox,
      notifyRow,
      submitButton,
      cancelReplyButton,
      countHeading,
      loadStatus,
      retryButton,
      threadList,
      moreButton,
    };
  }
