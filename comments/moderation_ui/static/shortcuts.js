/* Moderation queue: single-key shortcuts and their switch (loaded by the queue page only).
 *
 * Drives the queue through window.moderationQueue, which queue.js (loaded just before) sets:
 * the keys call the same functions as the buttons, and a card's keys are those of the buttons
 * it shows now (data-keyshortcuts), so they follow its status as card.js redraws them. "?"
 * opens the list of keys, where the single-key shortcuts can be turned off (remembered in
 * this browser).
 */
(() => {
  "use strict";

  const queue = window.moderationQueue;
  if (!queue) return; // not the queue page, or queue.js did not run
  const {
    canModerate,
    announce,
    cards,
    focusCard,
    updateSelection,
    decide,
    decideSelected,
    openBanDialog,
    closeDialog,
  } = queue;
  const help = document.getElementById("help");
  const cardList = document.getElementById("cards");
  const bulkForm = document.getElementById("bulk");
  // Keys that decide (the server's list): a card without a button for one says so.
  const decisionKeys = new Set((cardList?.dataset.decisionKeys || "").split(" ").filter(Boolean));
  const banDialog = document.getElementById("ban-dialog");
  const helpButton = document.getElementById("help-button");
  const keysSwitch = document.getElementById("keys-on");
  const KEYS_OFF = "moderation:single-keys-off";

  function move(step) {
    const all = cards();
    if (!all.length) return;
    const index = all.indexOf(queue.current());
    if (index === -1) {
      focusCard(step > 0 ? all[0] : all[all.length - 1]);
      return;
    }
    focusCard(all[Math.min(all.length - 1, Math.max(0, index + step))]);
  }

  function toggleSelect(card) {
    const box = card && card.querySelector("input.select");
    if (!box) return;
    box.checked = !box.checked;
    const count = updateSelection().length;
    announce(`Comment #${card.dataset.id} ${box.checked ? "selected" : "unselected"}; ${count} selected.`);
  }

  function toggleHelp() {
    if (!help) return;
    if (help.open) closeDialog(help);
    else help.showModal();
  }

  const TYPING = "input:not([type=checkbox]):not([type=radio]):not([type=button])"
    + ":not([type=submit]), textarea, select, [contenteditable]";

  // Single-key shortcuts get in the way of speech input and of some screen readers' keys:
  // the shortcuts dialog turns them off (WCAG 2.1.4), remembered in this browser.
  function keysOn() {
    try {
      return window.localStorage.getItem(KEYS_OFF) !== "1";
    } catch (error) {
      return !keysSwitch || keysSwitch.checked;
    }
  }

  // Assistive technology announces aria-keyshortcuts: only while the keys work. The keys are
  // kept in data-keyshortcuts, which is where the handler below looks them up.
  function markKeys(root, on) {
    for (const node of root.querySelectorAll("[aria-keyshortcuts], [data-keyshortcuts]")) {
      const keys = node.getAttribute("aria-keyshortcuts") || node.dataset.keyshortcuts;
      node.dataset.keyshortcuts = keys;
      if (on) node.setAttribute("aria-keyshortcuts", keys);
      else node.removeAttribute("aria-keyshortcuts");
    }
  }

  function setKeys(on) {
    try {
      if (on) window.localStorage.removeItem(KEYS_OFF);
      else window.localStorage.setItem(KEYS_OFF, "1");
    } catch (error) {
      /* storage disabled: the switch lasts until the page is left */
    }
    if (keysSwitch) keysSwitch.checked = on;
    markKeys(document, on);
  }

  /** The button in `root` whose shortcut is `keys` ("r", "Shift+R"), if it offers one. */
  function buttonFor(root, keys) {
    const buttons = root ? root.querySelectorAll("button[data-keyshortcuts]") : [];
    return Array.from(buttons).find((b) => b.dataset.keyshortcuts.split(" ").includes(keys));
  }

  // A key acts on the buttons the card shows, which follow its status (card.js redraws them):
  // only what the status allows is sent, and a key it does not allow is refused here.
  function decideByKey(card, key) {
    const button = buttonFor(card.querySelector("form.decide"), key);
    if (button) {
      decide(card, button.value);
      return;
    }
    const offered = Array.from(card.querySelectorAll("form.decide .buttons button"), (b) => {
      const label = b.firstChild ? b.firstChild.textContent.trim() : b.value;
      return b.dataset.keyshortcuts ? `${label} (${b.dataset.keyshortcuts})` : label;
    });
    const offers = offered.length ? ` It offers ${offered.join(", ")}.` : "";
    const { id, status } = card.dataset;
    announce(`Comment #${id} is ${status}: ${key} does not apply now.${offers}`, "error");
  }

  function decideSelectedByKey(key) {
    const button = buttonFor(bulkForm, `Shift+${key.toUpperCase()}`);
    if (button) decideSelected(button.value);
    else announce(`Shift+${key.toUpperCase()} does nothing to the selection.`, "error");
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!keysOn()) return;
    const target = event.target;
    if (target instanceof Element && target.closest(TYPING)) return;
    const key = event.key;
    if (key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if ((help && help.open) || (banDialog && banDialog.open)) return;
    const focused = target instanceof Element ? target.closest(".card") : null;
    // With focus on a control outside the cards (a tab, a filter, the navigation), the card
    // last chosen may be out of sight: a key decides only about a comment one can see chosen.
    const elsewhere = target instanceof Element && target !== document.body && !focused;
    const card = focused || (elsewhere ? null : queue.current());
    const lower = key.toLowerCase(); // "R" with Caps Lock on and no Shift still rejects
    const plain = event.shiftKey ? key : lower; // and "J" moves, "X" selects, "B" bans
    const deciding = decisionKeys.has(lower);
    if (plain === "j" || plain === "k") {
      event.preventDefault();
      if (elsewhere && queue.current()) focusCard(queue.current()); // back to it, in sight
      else move(plain === "j" ? 1 : -1);
    } else if (deciding || plain === "b" || plain === "x") {
      event.preventDefault();
      if (!canModerate) {
        announce("Your role can read the queues but not decide.", "error");
      } else if (event.shiftKey && deciding) { // "r" with Shift and Caps Lock too
        decideSelectedByKey(lower);
      } else if (!card) {
        announce(
          elsewhere && queue.current()
            ? "Focus is not on a comment: press j to go back to the one you chose."
            : "Press j to choose a comment first.",
          "error",
        );
      } else if (plain === "b") {
        openBanDialog(card);
      } else if (plain === "x") {
        toggleSelect(card);
      } else if (!event.shiftKey) {
        decideByKey(card, lower);
      }
    }
  }

  document.addEventListener("keydown", onKey);
  // As in a card's reason (queue.js): Enter in the selection's reason decides nothing, and Esc
  // goes back to the comment last chosen, so Shift and a key decide with what was typed.
  const bulkReason = document.getElementById("bulk-reason");
  if (bulkReason) {
    bulkReason.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        focusCard(queue.current() || cards()[0]);
      } else if (event.key === "Enter") {
        announce("Enter in the selection's reason does not decide. Press Esc, then Shift and "
          + "a decision's key, or choose a button.");
      }
    });
  }
  // A card's decision buttons were redrawn for its new status: their keys as the page has them.
  document.addEventListener("moderation:buttons", (event) => markKeys(event.target, keysOn()));
  if (help) {
    for (const button of help.querySelectorAll("[data-close]")) {
      button.addEventListener("click", () => closeDialog(help));
    }
  }
  if (helpButton) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", toggleHelp);
  }
  if (keysSwitch) {
    keysSwitch.addEventListener("change", () => setKeys(keysSwitch.checked));
  }
  setKeys(keysOn());
})();
