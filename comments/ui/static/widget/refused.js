  // embed.js part: a page on an origin the API refuses (no CORS headers for it): the
  // console warning that names the cause, the form withheld, and brought back once a read
  // succeeds ("Try again" after the site lists the origin).

  /**
   * loadThread's read got no answer the page may read (url, marked so by readThreadPage):
   * if the origin turns out refused, the form goes, unless "Try again" has read meanwhile.
   */
  function unreadable(ctx, url) {
    if (ctx.state.refusedOrigin) return; // found already: explained, the form withheld
    explainUnreadable(ctx, url).then((refused) => {
      if (refused && !ctx.ui.retryButton.hidden) withholdForm(ctx); // unless read since
    });
  }

  let unreadableExplained = false; // one warning a page, however many widgets or retries

  /**
   * The thread's read got no answer the page may read. Readers are told to try again; the site
   * owner, who looks in the console, is told the likely cause there: a page on an origin no
   * site allows gets answers without CORS headers, which the browser reports only as a failed
   * request. A no-cors request tells that apart from being offline: if the server answers it
   * (and the same read, sent again, still fails), the server is reachable and it was its
   * answer that this page could not read. Resolves to true then (the origin is refused).
   */
  async function explainUnreadable(ctx, url) {
    const origin = location.origin;
    const web = location.protocol === "https:" || location.protocol === "http:";
    if (!web || origin === BASE.origin) return false;
    try {
      // Read once more first: a connection that dropped once (a flaky network, a restart)
      // reads now, so this page is allowed and there is nothing to explain.
      await request(url);
      return false;
    } catch {
      // Still unreadable: the no-cors request below tells a refused origin from no answer.
    }
    try {
      await fetch(url, { mode: "no-cors", cache: "no-store", credentials: "omit" });
    } catch {
      return false; // out of reach (offline, or the server is down): no clue
    }
    if (unreadableExplained) return true;
    unreadableExplained = true;
    const { site } = ctx.config;
    console.warn(
      `Comments widget: ${BASE.origin} answers, but not to this page (origin ${origin}). ` +
        `Most likely ${origin} is not among the allowed origins of the site "${site}"; ` +
        `the service's operator can add it with: ` +
        `flask --app wsgi sites update ${site} --add-origin ${origin}`,
    );
    return true;
  }

  /**
   * This page's origin is refused: a post from it could not be sent either, and the form
   * would invite one only to say "check your connection". Only "Comments could not be
   * loaded." and "Try again" stay. A reader already writing (text in the box, or focus in
   * the form) keeps the form and their words; a post from it says why it cannot be sent.
   */
  function withholdForm(ctx) {
    const { state, ui } = ctx;
    state.refusedOrigin = true;
    const writing = ui.textarea.value.trim() !== "" || ui.form.contains(document.activeElement);
    if (!writing) ui.form.hidden = true;
  }

  /** Read after all (the site now lists this origin): the form is back, unless closed. */
  function offerForm(ctx) {
    ctx.state.refusedOrigin = false;
    ctx.ui.form.hidden = !ctx.ui.closedNotice.hidden;
  }
