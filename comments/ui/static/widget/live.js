  // embed.js part: live updates. While the page is visible, the widget asks every so often for
  // its thread's comments changed since the watermark of its last answer (GET comments?since=,
  // revalidated with the browser's ETag, so an unchanged thread costs a bodiless 304), and
  // offers the new ones behind a "Show 2 new comments" button at the end of the thread rather
  // than moving the page under the reader. Comments shown that were edited or taken down
  // meanwhile are shown so in place (changes.js), and those waiting are replaced or dropped.
  // A watermark older than the deletions the server recalls (410) reads the shown pages anew.
  // Quiet threads and errors are asked less and less often; a hidden tab is not asked at all.
  // data-live="off" turns it off; data-live-interval (seconds, for tests) sets the first wait.

  const LIVE_SECONDS = 30; // the wait after loading and after each check that found something
  const LIVE_QUIET_MAX = 10; // each quiet check waits 1.5 x longer, up to 10 x (5 minutes)
  const LIVE_ERROR_MAX = 20; // each failed one 2 x longer, up to 20 x (10 minutes)
  const LIVE_PAGES = 5; // pages of changes read in one check; the next goes on from there
  const NEW_MARK_MS = 8000; // how long the comments shown from the button stay marked new

  function liveWait(root) {
    const seconds = Number(root.dataset.liveInterval);
    const given = Number.isFinite(seconds) && seconds > 0;
    return (given ? Math.max(seconds, 0.2) : LIVE_SECONDS) * 1000;
  }

  /** Called once per widget, after the first page was asked for. */
  function startLive(ctx) {
    if ((ctx.root.dataset.live || "").trim().toLowerCase() === "off") return;
    const base = liveWait(ctx.root);
    // Present (and empty) before its first message, so screen readers announce it.
    const status = el("p", { class: "cw-visually-hidden", role: "status" });
    const button = el("button", { type: "button", class: "cw-more cw-live", hidden: true });
    ctx.ui.moreButton.before(status, button);
    const live = { base, wait: base, timer: null, busy: false, last: Date.now(), status, button };
    live.waiting = new Map(); // comment id -> comment, not yet shown
    live.cursor = null; // where a check that read LIVE_PAGES pages stopped
    ctx.live = live;
    button.addEventListener("click", () => showNew(ctx));
    document.addEventListener("visibilitychange", () => {
      clearTimeout(live.timer);
      if (document.hidden) return;
      live.wait = base; // the reader is back: catch up now, then at the first pace
      liveAfter(ctx, Math.max(0, live.last + base - Date.now()));
    });
    // Another tab of this browser posted here (own.js remembers it): look at once.
    window.addEventListener("storage", (event) => {
      if (!document.hidden && postedElsewhere(ctx, event)) checkLive(ctx);
    });
    liveAfter(ctx, base);
  }

  function liveAfter(ctx, ms) {
    clearTimeout(ctx.live.timer);
    ctx.live.timer = setTimeout(() => checkLive(ctx), ms);
  }

  function postedElsewhere(ctx, event) {
    if (event.key !== OWN_KEY || !event.newValue) return false;
    const records = (text) => {
      try {
        const list = JSON.parse(text || "[]");
        return Array.isArray(list) ? list.filter((r) => r && typeof r === "object") : [];
      } catch {
        return [];
      }
    };
    const before = new Set(records(event.oldValue).map((r) => r.id));
    const { site, thread } = ctx.config;
    return records(event.newValue).some(
      (r) => r.site === site && r.thread === thread && !before.has(r.id),
    );
  }

  async function checkLive(ctx) {
    const { live, state } = ctx;
    clearTimeout(live.timer);
    if (document.hidden || live.busy) return; // shown again, the tab looks at once
    if (!ctx.root.isConnected) return; // the page took the widget away: stop for good
    if (state.pages) {
      live.busy = true;
      live.last = Date.now();
      try {
        const found = await readChanges(ctx);
        live.wait = found ? live.base : Math.min(live.wait * 1.5, live.base * LIVE_QUIET_MAX);
      } catch (error) {
        const asked = (error && error.retryAfter) || 0;
        live.wait = Math.min(Math.max(live.wait * 2, asked * 1000), live.base * LIVE_ERROR_MAX);
      } finally {
        live.busy = false;
      }
    } // else the thread has not loaded (yet): nothing to add to
    if (!document.hidden) liveAfter(ctx, live.wait);
  }

  /** A page of the thread: the changes since `since` if given, else as it is now. */
  async function readThreadPage(ctx, cursor, since, options) {
    const { config, state } = ctx;
    const url = new URL("comments", API);
    url.searchParams.set("site", config.site);
    url.searchParams.set("thread", config.thread);
    url.searchParams.set("per_page", String(PER_PAGE));
    if (since) url.searchParams.set("since", since);
    if (cursor) url.searchParams.set("cursor", cursor);
    let response;
    try {
      response = await request(url, options);
    } catch (error) {
      // No answer the page may read: offline, or refused by CORS (explainUnreadable, refused.js).
      if (error instanceof TypeError) error.unreadableUrl = url;
      throw error;
    }
    if (response.status === 410) return null; // the watermark is older than the server recalls
    const data = await readJson(response);
    if (!response.ok || !data || !Array.isArray(data.comments)) {
      throw Object.assign(new Error(`comments: HTTP ${response.status}`), {
        retryAfter: retryAfterSeconds(response, data),
      });
    }
    for (const removed of Array.isArray(data.removed) ? data.removed : []) {
      if (!state.removedParents.has(removed.id)) {
        state.removedParents.set(removed.id, removed.parent_id);
      }
    }
    return data;
  }

  /** Reads what changed since state.since; how many changes it found (new, edited, gone). */
  async function readChanges(ctx) {
    const { state, live } = ctx;
    let found = 0;
    for (let page = 0; page < LIVE_PAGES; page += 1) {
      // Revalidated with If-None-Match: an unchanged answer is a 304 read from the cache.
      const data = await readThreadPage(ctx, live.cursor, state.since, { cache: "no-cache" });
      if (!data) {
        live.cursor = null;
        found += await readAfresh(ctx);
        break;
      }
      for (const comment of data.comments) found += noteChange(ctx, comment);
      for (const id of Array.isArray(data.withdrawn) ? data.withdrawn : []) {
        if (Number.isSafeInteger(id) && withdrawComment(ctx, id)) found += 1;
      }
      live.cursor = data.next || null;
      // Moved on only once every page was read, so the rest is not skipped.
      if (!live.cursor) {
        if (typeof data.since === "string") state.since = data.since;
        break;
      }
    }
    showWaiting(ctx);
    return found;
  }

  /**
   * The server no longer recalls every comment deleted since state.since (410, its tombstones
   * pruned; a tab hidden for weeks): the pages shown are read again as they are now. One shown
   * or waiting that is not among them was taken down; the rest count as a check's changes.
   */
  async function readAfresh(ctx) {
    const { state, live } = ctx;
    const upTo = state.next ? Number(state.next) : Infinity; // beyond: "Load more" reads it
    const present = new Set();
    let found = 0;
    let cursor = null;
    let since = null;
    do {
      const data = await readThreadPage(ctx, cursor, null);
      if (!data) throw new Error("comments: HTTP 410 without since");
      for (const comment of data.comments) {
        if (comment && Number.isSafeInteger(comment.id)) present.add(comment.id);
        found += noteChange(ctx, comment);
      }
      cursor = data.next || null;
      since = typeof data.since === "string" ? data.since : null;
    } while (cursor && Number(cursor) < upTo);
    const readTo = cursor ? Number(cursor) : Infinity;
    const shown = [...state.entries].filter(([, entry]) => !entry.placeholder).map(([id]) => id);
    for (const id of [...shown, ...live.waiting.keys()]) {
      if (id <= readTo && !present.has(id) && withdrawComment(ctx, id)) found += 1;
    }
    state.since = since;
    return found;
  }

  /**
   * 1 if the comment is new to this page and now waits behind the button, or was shown and
   * is shown anew since its author edited it; else 0 (the same again: the watermark's margin).
   */
  function noteChange(ctx, comment) {
    const { live, state } = ctx;
    if (!comment || !Number.isSafeInteger(comment.id)) return 0;
    if (state.held.has(comment.id)) {
      // The reader's own, shown held, now published (and perhaps edited before it was).
      refreshComment(ctx, insertComment(ctx, comment, false), comment);
      return 0;
    }
    const shown = state.entries.get(comment.id);
    if (shown && !shown.placeholder) return refreshComment(ctx, shown, comment) ? 1 : 0;
    if (live.waiting.has(comment.id)) {
      live.waiting.set(comment.id, comment); // edited while it waits: shown as it is now
      return 0;
    }
    // Beyond the pages loaded: "Load more" brings it, in its place.
    if (state.next && comment.id > Number(state.next)) return 0;
    live.waiting.set(comment.id, comment);
    return 1;
  }

  /** The button and the announcement say how many wait; none shown meanwhile counts. */
  function showWaiting(ctx) {
    const { live, state } = ctx;
    for (const id of live.waiting.keys()) {
      const shown = state.entries.get(id);
      if (shown && !shown.placeholder) live.waiting.delete(id);
    }
    const count = live.waiting.size;
    updateCount(ctx); // at none shown, "No comments yet" would contradict the button
    if (!count) {
      // All taken down meanwhile: the next news is news again; focus is not left on nothing.
      const focused = live.button === document.activeElement;
      live.button.hidden = true;
      live.status.textContent = "";
      if (focused) ctx.ui.countHeading.focus();
      return;
    }
    live.button.hidden = false;
    const words = plural(count, "new comment", "new comments");
    if (live.status.textContent === `${words}.`) return; // said already
    live.button.textContent = `Show ${words}`;
    live.status.textContent = `${words}.`;
  }

  /** The waiting comments go where the thread shows them; focus goes to the first. */
  function showNew(ctx) {
    const { live, state } = ctx;
    own.load(); // afresh: a comment posted in another tab is the reader's, offered no Report
    const comments = [...live.waiting.values()].sort((a, b) => a.id - b.id);
    live.waiting.clear();
    live.status.textContent = ""; // so the next "1 new comment" is announced again
    live.button.hidden = true;
    const added = [];
    for (const comment of comments) {
      const shown = state.entries.get(comment.id);
      if (shown && !shown.placeholder) continue;
      const entry = insertComment(ctx, comment, false);
      placeInOrder(entry.li);
      entry.li.classList.add("cw-new");
      setTimeout(() => entry.li.classList.remove("cw-new"), NEW_MARK_MS);
      state.total += 1;
      added.push(entry);
    }
    updateCount(ctx);
    const before = (a, b) => a.li.compareDocumentPosition(b.li) & Node.DOCUMENT_POSITION_FOLLOWING;
    added.sort((a, b) => (before(a, b) ? -1 : 1));
    if (added.length) added[0].article.focus();
    else ctx.ui.countHeading.focus(); // all shown meanwhile: focus is not left on nothing
  }

  /** Among its siblings by id, as the thread orders them (an approved comment is older). */
  function placeInOrder(li) {
    const id = Number(li.dataset.id);
    const later = [...li.parentElement.children].find(
      (sibling) => sibling !== li && Number(sibling.dataset.id) > id,
    );
    if (later) later.before(li);
  }
