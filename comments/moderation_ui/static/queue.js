/* Moderation queue: in-place decisions through the JSON API (loaded by the queue page only).
 *
 * Everything here is an enhancement: every button is also a plain form that works without
 * this script. Requests carry the session cookie and the page's CSRF token; results are
 * announced in the page's live regions: successes politely, errors at once. The keyboard
 * shortcuts (shortcuts.js, loaded next) drive the queue through window.moderationQueue. What
 * a card shows, and its waiting state, are card.js's; requests and announcements are api.js's
 * (both loaded before).
 */
(() => {
  "use strict";

  const body = document.body;
  const cardList = document.getElementById("cards");
  if (body.dataset.page !== "queue" || !cardList) return;
  if (!window.moderationCard || !window.moderationApi) return;
  const { showStatus, showComment, forgetTyped, sameAuthor, isBusy, setBusy, reportsSeen,
    cameSince } = window.moderationCard;
  const { ApiError, announce, api } = window.moderationApi;

  const canModerate = body.dataset.canModerate === "true";
  const queue = cardList.dataset.queue;
  const banDialog = document.getElementById("ban-dialog");
  const selectedCount = document.querySelector("[data-selected-count]");
  // The bulk buttons' visually hidden words: "Approve" + " 3 selected comments".
  const selectionNames = document.querySelectorAll("[data-selection-name]");
  const bulkReason = document.getElementById("bulk-reason");
  const emptyNote = document.getElementById("queue-empty");
  const PAST = {
    approve: "approved",
    reject: "rejected",
    spam: "marked as spam",
    not_spam: "marked as not spam",
    restore: "restored to pending",
  };
  // What an action did to a comment that was published, where the plain word would mislead
  // (actions.py's ON_PUBLISHED): approving one keeps it, restoring one takes it down.
  const ON_PUBLISHED = {
    approve: "kept, reports dismissed",
    restore: "unpublished, back to pending",
  };
  const pastTense = (action, wasPublished) =>
    (wasPublished && ON_PUBLISHED[action]) || PAST[action];
  // What a ban matches the author by (its `by`), as card.js's sameAuthor names the keys.
  const BAN_KEYS = { email_and_ip: ["email", "ip"], email: ["email"], ip: ["ip"] };
  const refreshes = new Map(); // card id -> the number of the latest refresh asked for it
  let current = null;
  let banTarget = null;

  const cards = () => Array.from(cardList.querySelectorAll(".card"));
  const cardById = (id) => document.getElementById(`comment-${id}`);
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  /** What a bulk decision did, telling apart the comments that were published, where the
   * action means something else for them (kept, unpublished). */
  function decidedSummary(decided, published, action) {
    if (!ON_PUBLISHED[action]) [decided, published] = [decided + published, 0];
    const parts = [];
    if (decided || !published) parts.push(`${plural(decided, "comment")} ${PAST[action]}`);
    if (published) parts.push(`${plural(published, "comment")} ${ON_PUBLISHED[action]}`);
    return `${parts.join("; ")}.`;
  }

  function focusCard(card) {
    if (!card) return;
    current = card;
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function updateSelection() {
    const selected = cards().filter((card) => {
      const box = card.querySelector("input.select");
      const on = Boolean(box && box.checked);
      card.classList.toggle("selected", on);
      return on;
    });
    if (selectedCount) selectedCount.textContent = String(selected.length);
    const name = ` ${plural(selected.length, "selected comment")}`;
    for (const words of selectionNames) words.textContent = name;
    return selected;
  }

  function removeCard(card) {
    const all = cards();
    const index = all.indexOf(card);
    const next = all[index + 1] || all[index - 1] || null;
    const hadFocus = card === current || card.contains(document.activeElement);
    card.remove();
    if (card === current) current = null;
    if (hadFocus && next) focusCard(next);
    if (!cards().length && emptyNote) {
      emptyNote.hidden = false;
      emptyNote.setAttribute("tabindex", "-1");
      if (hadFocus) emptyNote.focus();
    }
    updateSelection();
  }

  // "reported" holds a comment while a report on it is open, whatever its status: a restore
  // (Unpublish) resolves none, and a Keep none newer than its card showed.
  const leavesQueue = (status, openReports) =>
    queue === "reported" ? !openReports : status !== queue;

  async function settle(id, status, decision, openReports) {
    const card = cardById(id);
    if (!card) return;
    if (leavesQueue(status, openReports)) {
      removeCard(card);
    } else {
      // Still in this queue: its buttons (and reports) are those of its new status.
      showStatus(card, status, decision);
      await refresh(card);
    }
  }

  async function refreshCounts() {
    try {
      // Under the page's filters, as the server counted the tabs (none if it refused them).
      const filters = cardList.dataset.countFilters ? `&${cardList.dataset.countFilters}` : "";
      const data = await api(
        "GET",
        `/queue?status=${encodeURIComponent(queue)}&per_page=1${filters}`,
      );
      const capped = new Set(data.counts_capped || []);
      const label = (name, value) =>
        capped.has(name) ? `${value.toLocaleString("en")}+` : String(value);
      for (const [name, value] of Object.entries(data.counts || {})) {
        const badge = document.querySelector(`[data-count="${name}"]`);
        if (badge) badge.textContent = label(name, value);
      }
      if (data.counts && queue in data.counts) {
        document.title = document.title.replace(
          /\([\d,]+\+?\)/,
          `(${label(queue, data.counts[queue])})`,
        );
      }
    } catch (error) {
      /* The counts are a convenience; the decision itself was already announced. */
    }
  }

  async function refresh(card) {
    // Decided here or by someone else meanwhile, or edited by its author: show the comment as
    // it is now, with the buttons its status allows, so the next key press is a deliberate
    // decision about that state. Of two refreshes that overlap, the later one is shown.
    const id = card.dataset.id;
    const asked = (refreshes.get(id) || 0) + 1;
    refreshes.set(id, asked);
    try {
      const comment = await api("GET", `/comments/${id}`);
      if (card.isConnected && refreshes.get(id) === asked) showComment(card, comment);
    } catch (error) {
      /* The decision or the conflict was announced; a reload shows the current state. */
    }
  }

  /** Trust and bans are about the author: the card decided from and every other card of
   * theirs on the page (`keys`: what the decision matched them by) are redrawn from the API,
   * so none offers what their standing no longer allows. */
  function refreshAuthor(card, keys, except = []) {
    return Promise.all(
      [card, ...sameAuthor(card, keys, cards())]
        .filter((shown) => shown.isConnected && !except.includes(Number(shown.dataset.id)))
        .map(refresh),
    );
  }

  function formValue(card, name) {
    const field = card.querySelector(`form.decide [name="${name}"]`);
    return field ? field.value : "";
  }

  async function decide(card, action) {
    if (!card || isBusy(card)) return;
    const id = Number(card.dataset.id);
    setBusy(card, true); // until the card shows what became of the comment
    const payload = {
      action,
      reason: formValue(card, "reason"),
      note: formValue(card, "note"),
      expected_status: card.dataset.status,
      expected_decision: Number(card.dataset.decision) || undefined,
      reports_seen: reportsSeen(card),
    };
    let result;
    try {
      result = await api("POST", `/comments/${id}/decision`, payload);
    } catch (error) {
      announce(`Comment #${id}: ${error.message}`, "error");
      if (error.status === 409) await refresh(card);
      setBusy(card, false);
      return;
    }
    const open = cameSince(action, result.open_reports);
    const done = pastTense(action, payload.expected_status === "published");
    announce(`Comment #${id} ${done}${open && `; ${open}`}.`);
    forgetTyped(card, payload);
    await settle(id, result.status, result.decision, result.open_reports);
    setBusy(card, false);
    await refreshCounts();
  }

  async function decideSelected(action) {
    const selected = updateSelection();
    if (!selected.length) {
      announce("Select comments first (x selects the focused comment).", "error");
      return;
    }
    const ids = selected.map((card) => Number(card.dataset.id));
    selected.forEach((card) => setBusy(card, true));
    try {
      // What each card showed: a comment decided or edited since is refused, not overruled.
      const expected = {};
      const seen = {};
      const wasPublished = new Set();
      for (const card of selected) {
        const { dataset } = card;
        if (dataset.decision) expected[dataset.id] = Number(dataset.decision);
        if (reportsSeen(card) !== undefined) seen[dataset.id] = reportsSeen(card);
        if (dataset.status === "published") wasPublished.add(Number(dataset.id));
      }
      const reason = bulkReason ? bulkReason.value : "";
      const data = await api("POST", "/decisions", {
        action, ids, reason, expected_decisions: expected, reports_seen: seen,
      });
      // Recorded on what it decided: left in the field, it would go with the next decision too.
      if (data.decided && bulkReason && bulkReason.value === reason) bulkReason.value = "";
      const failed = data.results.filter((result) => !result.ok);
      for (const result of data.results) {
        if (result.ok) await settle(result.id, result.status, result.decision, result.open_reports);
        else if (cardById(result.id)) await refresh(cardById(result.id));
      }
      selected.forEach((card) => setBusy(card, false));
      const fromPublished = data.results.filter(
        (result) => result.ok && wasPublished.has(result.id),
      ).length;
      const summary = decidedSummary(data.decided - fromPublished, fromPublished, action);
      const problems = failed.map((result) => ` #${result.id}: ${result.error}`).join("");
      const stillOpen = data.results
        .filter((r) => r.ok && cameSince(action, r.open_reports))
        .map((r) => ` #${r.id}: ${cameSince(action, r.open_reports)}.`).join("");
      announce(summary + stillOpen + problems, failed.length ? "error" : "ok");
      await refreshCounts();
    } catch (error) {
      selected.forEach((card) => setBusy(card, false));
      announce(error.message, "error");
    }
  }

  async function ban(card, reason, rejectComments, by) {
    const id = Number(card.dataset.id);
    setBusy(card, true);
    try {
      const payload = { reason, reject_comments: rejectComments, by };
      const data = await api("POST", `/comments/${id}/ban`, payload);
      setBusy(card, false);
      const rejected = data.rejected || [];
      for (const rejectedId of rejected) await settle(rejectedId, "rejected", undefined, 0);
      // Their cards kept on the page show them banned, and offer no trust now.
      await refreshAuthor(card, BAN_KEYS[by] || [], rejected);
      const extra = rejected.length ? `; ${plural(rejected.length, "comment")} rejected` : "";
      const already = data.created === false ? "already " : "";
      announce(`The author of comment #${id} is ${already}banned${extra}.`);
      await refreshCounts();
    } catch (error) {
      setBusy(card, false);
      announce(`Comment #${id}: ${error.message}`, "error");
    }
  }

  function openBanDialog(card) {
    if (!card || !banDialog || !card.querySelector("form.ban-form")) {
      announce("This comment has no e-mail or IP hash to ban by.", "error");
      return;
    }
    banTarget = card;
    document.getElementById("ban-who").textContent =
      `Author "${card.dataset.author}" of comment #${card.dataset.id}.`;
    document.getElementById("ban-dialog-reason").value = "";
    document.getElementById("ban-dialog-reject").checked = true;
    // The choice exists only when the comment carries both an e-mail and an IP hash.
    const scope = document.getElementById("ban-dialog-scope");
    scope.hidden = !card.querySelector('form.ban-form [name="by"]');
    const preferred = scope.querySelector(`[value="${card.dataset.banDefault}"]`);
    (preferred || scope.querySelector('[value="email_and_ip"]')).checked = true;
    // Others posted from the same address: say so, as the card's own ban form does.
    const shared = document.getElementById("ban-shared");
    shared.textContent = card.dataset.banWarning || "";
    shared.hidden = !card.dataset.banWarning;
    banDialog.showModal();
  }

  /** Trust the author (or stop), then show what the card offers about them now. */
  async function setTrust(card, trusting) {
    const id = Number(card.dataset.id);
    setBusy(card, true);
    try {
      const path = `/comments/${id}/trust`;
      const data = await (trusting ? api("POST", path, {}) : api("DELETE", path));
      announce(
        trusting
          ? `${data.email} is now trusted: their comments skip the queue.`
          : `${data.email} is no longer trusted.`,
      );
      await refreshAuthor(card, ["email"]); // trust is by e-mail address
    } catch (error) {
      announce(`Comment #${id}: ${error.message}`, "error");
      // Banned, decided or untrusted meanwhile: their other cards may be out of date too.
      if (error.status === 409) await refreshAuthor(card, ["email"]);
    }
    setBusy(card, false);
  }

  function closeDialog(dialog) {
    if (dialog.open) dialog.close();
    if (current) focusCard(current);
  }

  cardList.addEventListener("focusin", (event) => {
    const card = event.target instanceof Element ? event.target.closest(".card") : null;
    if (card) current = card;
  });
  // Enter in a card's reason decides nothing (_card.html): Esc goes back to the card, keeping
  // what was typed, so the next key decides with that reason.
  cardList.addEventListener("keydown", (event) => {
    const field = event.target instanceof Element ? event.target : null;
    const inReason = field && field.matches("form.decide :is(input, textarea)");
    const card = inReason && field.closest(".card");
    if (!card) return;
    if (event.key === "Escape") {
      event.preventDefault();
      focusCard(card);
    } else if (event.key === "Enter" && field.matches("input")) {
      const { id } = card.dataset;
      announce(`Comment #${id}: Enter does not decide. Press Esc, then a decision's key, `
        + "or choose its button.");
    }
  });
  cardList.addEventListener("change", (event) => {
    if (event.target instanceof Element && event.target.matches("input.select")) updateSelection();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const card = form.closest(".card");
    if (form.matches("form.decide") && card) {
      event.preventDefault();
      const button = event.submitter;
      if (button && button.value) decide(card, button.value);
    } else if (form.id === "bulk") {
      event.preventDefault();
      const button = event.submitter;
      if (button && button.value) decideSelected(button.value);
    } else if (form.matches("form.ban-form") && card) {
      event.preventDefault();
      const reject = form.querySelector('[name="reject_comments"]');
      const by = form.querySelector('[name="by"]:checked');
      const reason = form.querySelector('[name="reason"]').value;
      ban(card, reason, Boolean(reject && reject.checked), by ? by.value : "email_and_ip");
    } else if (form.matches("form.trust, form.untrust") && card) {
      event.preventDefault();
      setTrust(card, form.matches("form.trust"));
    }
  });

  if (banDialog) {
    for (const button of banDialog.querySelectorAll("[data-close]")) {
      button.addEventListener("click", () => closeDialog(banDialog));
    }
    // "Ban author", or Enter in the reason: the dialog's form is submitted either way.
    document.getElementById("ban-dialog-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const card = banTarget;
      const reason = document.getElementById("ban-dialog-reason").value;
      const reject = document.getElementById("ban-dialog-reject").checked;
      const by = banDialog.querySelector('[name="ban-dialog-by"]:checked');
      closeDialog(banDialog);
      if (card) ban(card, reason, reject, by ? by.value : "email_and_ip");
    });
  }

  updateSelection();

  // What shortcuts.js needs: the same functions the buttons use, and the focused card.
  window.moderationQueue = Object.freeze({
    canModerate,
    announce,
    cards,
    current: () => current,
    focusCard,
    updateSelection,
    decide,
    decideSelected,
    openBanDialog,
    closeDialog,
  });
})();
