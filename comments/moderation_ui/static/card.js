/* Moderation queue: one card as the page shows it (loaded by the queue page only).
 *
 * What a card says about its comment (status, text, the decision buttons its status allows,
 * its author's standing and the trust button that allows), which cards share its author, and
 * whether it is waiting for the server, with keyboard focus kept while it waits and when its
 * buttons are redrawn. queue.js, loaded next, fetches and decides, and calls these through
 * window.moderationCard.
 */
(() => {
  "use strict";

  if (document.body.dataset.page !== "queue") return;

  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const busy = new Set();
  const focusBeforeBusy = new Map(); // card id -> the control that had focus when it went busy
  const isBusy = (card) => busy.has(card.dataset.id);

  function showStatus(card, status, decision) {
    card.dataset.status = status;
    card.dataset.decision = decision ? String(decision) : "";
    const label = card.querySelector(".card-meta .status");
    if (label) {
      label.className = `status status-${status}`;
      label.textContent = status;
    }
    const shown = { expected_status: status, expected_decision: card.dataset.decision };
    for (const [name, value] of Object.entries(shown)) {
      const field = card.querySelector(`form.decide [name="${name}"]`);
      if (field) field.value = value;
    }
  }

  function showText(card, body) {
    const text = card.querySelector(".comment-text");
    if (!text || text.textContent === body) return;
    text.textContent = body; // the highlights and listed words were about the old text
    card.querySelector(".drivers")?.remove();
    const note = card.querySelector(".edited-note") || document.createElement("p");
    note.className = "hint edited-note";
    note.textContent = "Edited by its author since this page loaded: reload for its new scores.";
    text.after(note);
  }

  /** Empties the card's reason and note once a decision recorded them (`sent`), unless
   * something else was typed meanwhile: left there, a card that stays in its queue (a kept
   * reported comment) would record them again with its next decision, as the bulk reason. */
  function forgetTyped(card, sent) {
    for (const name of ["reason", "note"]) {
      const field = card.querySelector(`form.decide [name="${name}"]`);
      if (field && field.value === sent[name]) field.value = "";
    }
  }

  const decisionButtons = (card) =>
    Array.from(card.querySelectorAll("form.decide .buttons button"));

  /** Where focus goes when the control that had it is gone: the button for the same action
   * if the card still offers it (for a trust button, the author's button now), else its first
   * decision button, else the card itself. */
  function replacementFor(card, control) {
    const buttons = decisionButtons(card);
    const author = card.querySelector(".author-actions > form button");
    if (author && control.closest("form.trust, form.untrust")) return author;
    const decision = control.matches("form.decide button");
    return (decision && buttons.find((b) => b.value === control.value)) || buttons[0] || card;
  }

  /** Says which comment a button acts on, after its shown words, as _card.html does: "Approve
   * comment #12 by Ann", "Trust author of comment #12 by Ann" (`joint` " of"), in visually
   * hidden text. */
  function nameAfterComment(button, card, joint = "") {
    const about = document.createElement("span");
    about.className = "visually-hidden";
    about.textContent = `${joint} comment #${card.dataset.id} by ${card.dataset.author}`;
    button.append(about);
  }

  // As _card.html renders one: <button ... aria-keyshortcuts="a">Approve <kbd aria-hidden>a</kbd>.
  function decisionButton(card, action, disabled) {
    const button = document.createElement("button");
    button.type = "submit";
    button.name = "action";
    button.value = action.name;
    button.className = `btn btn-${action.name}`;
    button.disabled = disabled;
    button.textContent = action.label;
    nameAfterComment(button, card);
    if (action.key) {
      button.setAttribute("aria-keyshortcuts", action.key);
      const kbd = document.createElement("kbd");
      kbd.setAttribute("aria-hidden", "true");
      kbd.textContent = action.key;
      button.append(" ", kbd);
    }
    return button;
  }

  /** The decision buttons for the actions the comment's status allows now (from the API, so
   * the table of what is legal stays on the server). shortcuts.js hears "moderation:buttons"
   * and takes the keys on or off as the page has them. */
  function showActions(card, actions) {
    const row = card.querySelector("form.decide .buttons");
    if (!row || !Array.isArray(actions)) return;
    const focused = row.contains(document.activeElement) ? document.activeElement : null;
    row.replaceChildren(...actions.map((action) => decisionButton(card, action, isBusy(card))));
    row.dispatchEvent(new CustomEvent("moderation:buttons", { bubbles: true }));
    if (focused) replacementFor(card, focused).focus();
  }

  // As _card.html renders one: a form that also works when queue.js does not take it over.
  function authorForm(card, url, action) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.className = action.name;
    form.dataset.id = card.dataset.id;
    const next = card.querySelector('form.decide [name="next"]');
    const fields = { csrf_token: csrfMeta ? csrfMeta.content : "", next: next ? next.value : "" };
    for (const [name, value] of Object.entries(fields)) {
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = value;
      form.append(field);
    }
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "btn";
    button.disabled = isBusy(card);
    button.textContent = action.label;
    nameAfterComment(button, card, " of");
    form.append(button);
    return form;
  }

  /** Trust author or Stop trusting author, as the author's standing (trusted, banned) and the
   * comment's status allow now: the API's author_actions, beside the decision buttons. */
  function showAuthorActions(card, actions) {
    const row = card.querySelector(".author-actions");
    if (!row || !Array.isArray(actions)) return;
    const old = row.querySelectorAll(":scope > form.trust, :scope > form.untrust");
    const focused = Array.from(old).find((form) => form.contains(document.activeElement));
    const forms = actions
      .map((action) => [row.dataset[`${action.name}Url`], action])
      .filter(([url]) => url)
      .map(([url, action]) => authorForm(card, url, action));
    old.forEach((form) => form.remove());
    row.prepend(...forms);
    if (focused) replacementFor(card, focused).focus();
  }

  /** Whether a live ban matches the author and whether they are trusted, in the words the
   * server draws the card with (present.author_standing). */
  function showStanding(card, author) {
    const shown = card.querySelector(".author .standing");
    if (!shown || !author) return;
    const { banned, trusted } = author;
    const [name, text] = banned && trusted
      ? ["banned", "banned; trusted once the ban is lifted"]
      : banned ? ["banned", "banned"] : trusted ? ["trusted", "trusted"] : ["none", "\u2014"];
    shown.className = `standing standing-${name}`;
    shown.textContent = text;
  }

  // The card's attributes that name its author as trust and bans do (_card.html).
  const AUTHOR_KEYS = { email: "authorEmail", ip: "authorIp" };

  /** The cards among `cards`, other than `card`, whose author a decision about the author of
   * `card` is about, told apart as the API tells them: on the same site, by e-mail address
   * (`["email"]`: trust) or by the e-mail address and/or IP hash a ban matches. */
  function sameAuthor(card, keys, cards) {
    const names = keys.map((key) => AUTHOR_KEYS[key]).filter((name) => card.dataset[name]);
    const site = card.dataset.site;
    return cards.filter(
      (other) => other !== card && other.dataset.site === site
        && names.some((name) => other.dataset[name] === card.dataset[name]),
    );
  }

  // "2026-12-08 03:02 UTC", as present.when writes a report's time.
  const utcMinute = (iso) =>
    `${new Date(/(Z|[+-]\d\d:\d\d)$/.test(iso) ? iso : `${iso}Z`).toISOString()
      .slice(0, 16).replace("T", " ")} UTC`;

  // As _card.html renders one: <li><strong>Abusive</strong>: <bdi>text</bdi> · <time>.
  function reportItem(report) {
    const item = document.createElement("li");
    const reason = document.createElement("strong");
    reason.className = "report-reason";
    reason.textContent = report.reason.charAt(0).toUpperCase() + report.reason.slice(1);
    item.append(reason);
    if (report.text) {
      const text = document.createElement("bdi");
      text.textContent = report.text;
      item.append(": ", text);
    }
    const when = document.createElement("span");
    const time = document.createElement("time");
    when.className = "when";
    time.dateTime = report.created_at;
    time.textContent = utcMinute(report.created_at);
    when.append("· ", time);
    item.append(" ", when);
    return item;
  }

  /** The comment's open reports, as the API lists them now (oldest first): the newest one
   * shown is what a decision says the moderator read (reports_seen), so keeping the comment
   * leaves open a report made after this, and the card shows it. */
  function showReports(card, reports) {
    if (!Array.isArray(reports)) return;
    const seen = reports.length ? reports[reports.length - 1].id : 0;
    card.dataset.reportsSeen = String(seen);
    const field = card.querySelector('form.decide [name="reports_seen"]');
    if (field) field.value = String(seen);
    const old = card.querySelector(".reports");
    if (!reports.length) {
      old?.remove(); // resolved by a decision
      return;
    }
    const section = document.createElement("section");
    section.className = "reports";
    section.setAttribute("aria-label", `Open reports on comment ${card.dataset.id}`);
    const heading = document.createElement("h3");
    heading.className = "minor";
    heading.textContent = `Open reports (${reports.length})`;
    const list = document.createElement("ul");
    list.append(...reports.map(reportItem));
    section.append(heading, list);
    if (old) old.replaceWith(section);
    else card.querySelector(".card-side")?.append(section);
  }

  /** The newest report the card shows, for a decision's reports_seen. */
  const reportsSeen = (card) =>
    card.dataset.reportsSeen ? Number(card.dataset.reportsSeen) : undefined;

  /** What a decision left of the comment's reports, as actions.came_since says it: those
   * newer than the card showed stay open when it was kept. */
  function cameSince(action, stillOpen) {
    if (action === "restore" || !stillOpen) return "";
    const many = stillOpen !== 1;
    return `${stillOpen} newer report${many ? "s" : ""} ${many ? "are" : "is"} still open`;
  }

  /** The comment as the moderation API describes it now (GET /comments/ID). */
  function showComment(card, comment) {
    showStatus(card, comment.status, comment.latest_decision);
    showText(card, comment.body);
    showActions(card, comment.actions);
    showAuthorActions(card, comment.author_actions);
    showStanding(card, comment.author);
    showReports(card, comment.reports);
  }

  function setBusy(card, on) {
    const id = card.dataset.id;
    if (on) {
      busy.add(id);
      const active = document.activeElement;
      if (active && card.contains(active) && active !== card) focusBeforeBusy.set(id, active);
    } else {
      busy.delete(id);
    }
    card.setAttribute("aria-busy", on ? "true" : "false");
    for (const button of card.querySelectorAll("button")) button.disabled = on;
    if (!on) {
      // Disabling the button that was pressed dropped focus to the page: give it back, or to
      // what replaced it when the card's buttons were redrawn meanwhile.
      const before = focusBeforeBusy.get(id);
      focusBeforeBusy.delete(id);
      const lost = !document.activeElement || document.activeElement === document.body;
      if (before && lost && card.isConnected) {
        (before.isConnected ? before : replacementFor(card, before)).focus();
      }
    }
  }

  window.moderationCard = Object.freeze({
    showStatus, showComment, forgetTyped, sameAuthor, isBusy, setBusy, reportsSeen, cameSince,
  });
})();
