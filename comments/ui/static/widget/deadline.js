  // embed.js part: the end of the time to edit one's own comment, which its author may push
  // back (WCAG 2.2.1, Timing Adjustable). A minute before the edit window closes the card says
  // so in words, with a countdown and an Extend button named for the comment; a polite status
  // announces it once, and nothing takes focus. Extend asks the server for more time
  // (POST comments/ID/edit-extensions with the edit token); the deadline it answers is the one
  // used from then on, here, in embed-edit.js's store and in the own-comment records.

  const WARN_BEFORE_MS = 60000; // WCAG asks for at least 20 s to extend in
  const LONGEST_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit; a longer wait fires at once

  const secondsUntil = (until) => Math.max(0, Math.ceil((until - Date.now()) / 1000));

  /**
   * Watch one own comment's edit window for embed-edit.js. Options: id; key (a prefix for
   * element ids); about (the id of the card's "Ann's comment, …", which names the button);
   * until (ms) and left (extensions left, null if unknown); current() (the stored
   * {token, until, left}, which another tab may have extended, or null); extended(until, left)
   * (store them); close() (the window is over); say(text) (the card's status line);
   * focusTarget() (where focus goes when the Extend button it was on goes). Returns {node (to
   * put in the card), update(until, left) (a deadline the server answered), stop()}.
   */
  function watchDeadline(ctx, options) {
    let { until, left } = options;
    let warnTimer = null;
    let closeTimer = null;
    let ticking = null;
    let busy = false;
    const count = el("p", { class: "cw-time-left", role: "timer" });
    const extendId = `${options.key}-extend`;
    const extend = el(
      "button",
      {
        type: "button",
        class: "cw-link-button",
        id: extendId,
        "aria-labelledby": options.about ? `${extendId} ${options.about}` : null,
      },
      "Extend",
      // Not "editing": "Edit" (by voice, or a list of buttons) must name one button alone.
      el("span", { class: "cw-visually-hidden" }, " time for"),
    );
    const panel = el("div", { class: "cw-time-warning", hidden: true }, count, extend);
    // In the page from the start, so that screen readers hear what is put in it later.
    const announcer = el("span", {
      class: "cw-visually-hidden",
      role: "status",
      "aria-live": "polite", // role's own, said again for screen readers that want it said
    });
    const node = el("div", { class: "cw-edit-time" }, panel, announcer);

    const showCount = () => {
      count.textContent = `Editing time ends in ${secondsUntil(until)} s.`;
    };

    function hideWarning() {
      clearInterval(ticking);
      ticking = null;
      panel.hidden = true;
      announcer.textContent = "";
    }

    /** The stored deadline if another tab extended it meanwhile; true if it did. */
    function adoptStored() {
      const stored = options.current();
      if (!stored || !(Number(stored.until) > until)) return false;
      until = Number(stored.until);
      left = Number.isInteger(stored.left) ? stored.left : left;
      hideWarning();
      return true;
    }

    function warn() {
      if (adoptStored()) return schedule();
      extend.hidden = left === 0;
      showCount();
      if (!ticking) ticking = setInterval(showCount, 1000);
      if (!panel.hidden) return;
      panel.hidden = false;
      const more = left === 0 ? " It cannot be extended again." : " Extend gives more time.";
      const words = `Editing time ends in ${secondsUntil(until)} s.${more}`;
      setTimeout(() => {
        if (!panel.hidden) announcer.textContent = words;
      }, 100);
    }

    function due() {
      if (adoptStored()) return schedule();
      stop();
      options.close();
    }

    function schedule() {
      clearTimeout(warnTimer);
      clearTimeout(closeTimer);
      const rest = until - Date.now();
      closeTimer = setTimeout(due, Math.min(Math.max(rest, 0), LONGEST_TIMER_MS));
      if (rest <= 0) return;
      if (rest <= WARN_BEFORE_MS) warn();
      else warnTimer = setTimeout(warn, Math.min(rest - WARN_BEFORE_MS, LONGEST_TIMER_MS));
    }

    function stop() {
      clearTimeout(warnTimer);
      clearTimeout(closeTimer);
      hideWarning();
    }

    function update(newUntil, newLeft) {
      if (!(newUntil > 0)) return;
      const moved = newUntil !== until; // an edit's answer names the same deadline
      until = newUntil;
      if (Number.isInteger(newLeft)) left = newLeft;
      options.extended(until, left);
      own.extend(ctx.config.site, options.id, until);
      if (!moved) return;
      hideWarning();
      schedule();
    }

    /** The Extend button had focus and goes: focus goes where the reader can go on. */
    function keepFocus(hadFocus) {
      if (hadFocus) options.focusTarget().focus();
    }

    async function ask() {
      const stored = options.current();
      if (!stored) return options.close();
      let response;
      try {
        response = await request(new URL(`comments/${options.id}/edit-extensions`, API), {
          method: "POST",
          headers: { "X-Edit-Token": stored.token },
        });
      } catch {
        options.say("Could not reach the comment server; please try again.");
        return null;
      }
      return { response, data: await readJson(response) };
    }

    extend.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      const answer = await ask().finally(() => {
        busy = false;
      });
      if (!answer) return;
      const { response, data } = answer;
      const hadFocus = document.activeElement === extend;
      if (response.ok && data) {
        update(Date.parse(String(data.editable_until || "")), data.edit_extensions_left);
        const last = left === 0 ? " It cannot be extended again." : "";
        options.say(`Editing time extended to ${clockFormat.format(new Date(until))}.${last}`);
        keepFocus(hadFocus);
        return;
      }
      const reason = data && typeof data.message === "string" ? data.message : "";
      if (response.status === 429) {
        const after = retryAfterSeconds(response, data);
        options.say(
          after
            ? `Too many changes, try again in ${plural(after, "second", "seconds")}.`
            : "Too many changes, try again in a little while.",
        );
        return;
      }
      options.say(reason || `Sorry, that did not work (error ${response.status}).`);
      if (response.status === 403) {
        options.close(); // the token no longer opens the comment: nothing can be changed
      } else if (response.status === 409) {
        left = 0; // over, deleted or decided: the countdown goes on, the offer does not
        extend.hidden = true;
        keepFocus(hadFocus);
      }
    });

    schedule();
    return { node, update, stop };
  }
