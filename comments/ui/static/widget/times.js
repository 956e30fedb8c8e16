  // embed.js part: readable times ("3 minutes ago") and keeping them current. Once a minute,
  // and when the page is shown again, every time on the page is brought up to date in place.

  const TIMES_EVERY_MS = 60000;

  const relativeFormat =
    typeof Intl !== "undefined" && Intl.RelativeTimeFormat
      ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" })
      : null;
  const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long" });
  const fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "short" });
  const clockFormat = new Intl.DateTimeFormat(lang, { timeStyle: "short" });
  // "just now" in English; "jetzt" on a German page, like the "vor 3 Minuten" that follows.
  const nowText =
    lang.startsWith("en") || !relativeFormat ? "just now" : relativeFormat.format(0, "second");
  // Controls' names are the widget's English ("Report Ann's comment, 3 minutes ago"), so the
  // time in them is English too, not "vor 3 Minuten" inside an English sentence.
  const english = {
    relative: relativeFormat ? new Intl.RelativeTimeFormat("en", { numeric: "auto" }) : null,
    date: new Intl.DateTimeFormat("en", { dateStyle: "long" }),
    clock: new Intl.DateTimeFormat("en", { timeStyle: "short" }),
    now: "just now",
  };
  const shown = { relative: relativeFormat, date: dateFormat, clock: clockFormat, now: nowText };

  /**
   * {text, relative, precise}: "just now", "3 hours ago" within a week, else the date;
   * precise while the text tells the minute ("just now", "3 minutes ago"). In the page's
   * language unless `formats` is `english`.
   */
  function readableTime(date, formats = shown) {
    const ago = -Math.round((date.getTime() - Date.now()) / 1000);
    if (!formats.relative || ago > 7 * 86400) {
      return { text: formats.date.format(date), relative: false, precise: false };
    }
    const since = (n, unit) => ({
      text: formats.relative.format(-n, unit),
      relative: true,
      precise: unit === "minute",
    });
    if (ago < 45) return { text: formats.now, relative: true, precise: true };
    if (ago < 3600) return since(Math.max(1, Math.round(ago / 60)), "minute");
    if (ago < 86400) return since(Math.round(ago / 3600), "hour");
    return since(Math.round(ago / 86400), "day");
  }

  function parseTime(iso) {
    // The API sends UTC; a timestamp without an offset would otherwise be read as local time.
    const text = String(iso || "");
    return new Date(/T[\d:.]+$/.test(text) ? `${text}Z` : text);
  }

  /**
   * What a screen reader hears after the shown time: the full date and time, or the time of
   * day when the date is shown.
   */
  function moreText(date, relative) {
    return ` (${relative ? fullFormat.format(date) : clockFormat.format(date)})`;
  }

  /**
   * {time, more, date}: the <time> shown ("just now", with the full date and time as its
   * tooltip), and the visually hidden text read after it to know when (moreText). Null for a
   * timestamp that does not parse.
   */
  function timeElement(iso) {
    const date = parseTime(iso);
    if (Number.isNaN(date.getTime())) return null;
    const { text, relative } = readableTime(date);
    return {
      // Marked with the language they are written in, inside the widget's English.
      time: el(
        "time",
        { datetime: date.toISOString(), title: fullFormat.format(date), lang },
        text,
      ),
      more: el("span", { class: "cw-visually-hidden", lang }, moreText(date, relative)),
      date,
    };
  }

  /**
   * "Ann's comment, 3 minutes ago": which comment a control acts on, for its name. The time
   * is as shown but in English, like the rest of the name, with the time of day when that is
   * coarser than a minute ("2 days ago at 9:15 AM"), so two comments by one name differ
   * unless posted within the same minute.
   */
  function aboutText(name, date) {
    if (!date) return `${name}'s comment`;
    const { text, precise } = readableTime(date, english);
    return `${name}'s comment, ${precise ? text : `${text} at ${english.clock.format(date)}`}`;
  }

  /** Every card's time on the page: {stamp, about, name}, from timeElement and the card. */
  const shownTimes = new Set();

  /** The record kept: its name changes with the comment's author name (changes.js). */
  function trackTime(stamp, about, name) {
    const tracked = { stamp, about, name };
    shownTimes.add(tracked);
    return tracked;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text; // unchanged: not touched at all
  }

  /**
   * Rewrite the text of each time that has moved on ("just now" to "1 minute ago"), the hidden
   * text after it and its card's "Ann's comment, …", which names the card's buttons. Nothing
   * is re-rendered, so focus stays where it is, and no time is in a live region, so nothing
   * is announced; the datetime attribute never changes.
   */
  function updateTimes() {
    for (const shown of shownTimes) {
      const { stamp, about, name } = shown;
      if (!stamp.time.isConnected) {
        shownTimes.delete(shown); // its comment was deleted
        continue;
      }
      const { text, relative } = readableTime(stamp.date);
      setText(stamp.time, text);
      setText(stamp.more, moreText(stamp.date, relative));
      setText(about, aboutText(name, stamp.date));
    }
  }

  function keepTimesCurrent() {
    // A hidden tab's timers are throttled anyway; it catches up as soon as it is seen.
    setInterval(() => {
      if (document.visibilityState !== "hidden") updateTimes();
    }, TIMES_EVERY_MS);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") updateTimes();
    });
  }
