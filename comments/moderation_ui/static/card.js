/* Moderation queue: one card as the page shows it (loaded by the queue page only).
 *
 * What a card says about its comment (status, text) and whether it is waiting for the
 * server, with keyboard focus kept while it waits. queue.js, loaded next, fetches and
 * decides, and calls these through window.moderationCard.
 */
(() => {
  "use strict";

  if (document.body.dataset.page !== "queue") return;

  const busy = new Set();
  const focusBeforeBusy = new Map(); // card id -> the control that had focus when it went busy

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

  /** The comment as the moderation API describes it now (GET /comments/ID). */
  function showComment(card, comment) {
    showStatus(card, comment.status, comment.latest_decision);
    showText(card, comment.body);
  }

  const isBusy = (card) => busy.has(card.dataset.id);

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
      // Disabling the button that was pressed dropped focus to the page: give it back.
      const before = focusBeforeBusy.get(id);
      focusBeforeBusy.delete(id);
      const lost = !document.activeElement || document.activeElement === document.body;
      if (before && lost && before.isConnected) before.focus();
    }
  }

  window.moderationCard = Object.freeze({ showStatus, showComment, isBusy, setBusy });
})();
