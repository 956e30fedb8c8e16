  // embed.js part: the comments this browser posted, remembered in localStorage. Their author
  // is offered no Report button on them; and one held for moderation keeps its edit token, with
  // which the widget asks on each load whether it still is held (POST comments/held), to show
  // it to its author (the server shows it to nobody else) in its place in the thread, marked
  // as awaiting moderation, until a moderator decides. Published, it is shown from the thread
  // like any other; rejected, filed as spam or deleted, it is no longer shown and forgotten.

  const OWN_KEY = "comments-widget:own";
  const OWN_KEEP = 200; // comments remembered; the oldest are forgotten first
  const HELD_DAYS = 30; // a comment held longer is no longer asked about
  const HELD_ASK = 50; // the most the server answers at once: the newest held are asked about

  /**
   * What a record keeps: the edit token only while the comment is held (to ask about it) or
   * its edit window is open (an edit may hold it); "held" only for HELD_DAYS after posting.
   */
  function tidyOwn(record, now) {
    const tidy = { site: record.site, id: record.id, at: Number(record.at) || now };
    if (typeof record.thread === "string") tidy.thread = record.thread;
    const token = typeof record.token === "string" && record.token ? record.token : null;
    const until = Number(record.until) || 0;
    const held = record.held === true && token && now - tidy.at < HELD_DAYS * 86400000;
    if (token && (held || until > now)) Object.assign(tidy, { token, until });
    if (held) tidy.held = true;
    return tidy;
  }

  let ownCache = null; // the records as last read or written by this page

  const own = {
    /** Every record, oldest first, read afresh: another tab may have posted meanwhile. */
    load() {
      let raw = [];
      try {
        raw = JSON.parse(window.localStorage.getItem(OWN_KEY) || "[]");
      } catch {
        /* storage disabled or corrupt: nothing is remembered */
      }
      const now = Date.now();
      ownCache = (Array.isArray(raw) ? raw : [])
        .filter((r) => r && typeof r.site === "string" && Number.isSafeInteger(r.id) && r.id > 0)
        .map((r) => tidyOwn(r, now));
      return ownCache;
    },
    /** Read, change and write back in one go; change returns the new list. */
    update(change) {
      const records = change(this.load()).slice(-OWN_KEEP);
      ownCache = records;
      try {
        window.localStorage.setItem(OWN_KEY, JSON.stringify(records));
      } catch {
        /* storage full or disabled: remembered until the page is left */
      }
    },
    has(site, id) {
      return (ownCache || this.load()).some((r) => r.site === site && r.id === id);
    },
    /** A comment this browser just posted, as the POST answered it. */
    add(config, data) {
      if (!Number.isSafeInteger(data.id)) return;
      const now = Date.now();
      const record = tidyOwn(
        {
          site: config.site,
          id: data.id,
          thread: config.thread,
          token: data.edit_token,
          until: Date.parse(String(data.editable_until || "")) || 0,
          at: now,
          held: data.status !== "published",
        },
        now,
      );
      this.update((records) => [...this.without(records, config.site, data.id), record]);
    },
    /** Held (an edit held it, or the server says it still is) or not (published). */
    setHeld(site, id, held) {
      const now = Date.now();
      this.update((records) =>
        records.map((r) => (r.site === site && r.id === id ? tidyOwn({ ...r, held }, now) : r)),
      );
    },
    /** Its edit window was extended: the token is kept as long (an edit may hold it). */
    extend(site, id, until) {
      const now = Date.now();
      this.update((records) =>
        records.map((r) => (r.site === site && r.id === id ? tidyOwn({ ...r, until }, now) : r)),
      );
    },
    forget(site, id) {
      this.update((records) => this.without(records, site, id));
    },
    without(records, site, id) {
      return records.filter((r) => !(r.site === site && r.id === id));
    },
    /** This thread's held comments to ask about, newest last. */
    heldIn(site, thread) {
      return this.load()
        .filter((r) => r.site === site && r.thread === thread && r.held)
        .slice(-HELD_ASK);
    },
  };

  /**
   * The reader's comments in this thread still held, oldest first, once the server has said
   * which are (those published or gone are updated or forgotten here). Never rejects: without
   * an answer nothing is shown and nothing forgotten.
   */
  async function askHeld(ctx) {
    const { site, thread } = ctx.config;
    const mine = own.heldIn(site, thread);
    if (!mine.length) return [];
    let response;
    let data;
    try {
      response = await request(new URL("comments/held", API), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ comments: mine.map((r) => ({ id: r.id, edit_token: r.token })) }),
      });
      data = await readJson(response);
    } catch {
      return [];
    }
    if (!response.ok || !data) return [];
    const asked = new Set(mine.map((r) => r.id));
    const list = (value) => (Array.isArray(value) ? value : []);
    for (const id of list(data.published)) if (asked.has(id)) own.setHeld(site, id, false);
    for (const id of list(data.gone)) if (asked.has(id)) own.forget(site, id);
    for (const removed of list(data.removed)) {
      if (removed && !ctx.state.removedParents.has(removed.id)) {
        ctx.state.removedParents.set(removed.id, removed.parent_id);
      }
    }
    return list(data.held)
      .filter((comment) => comment && asked.has(comment.id))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * The held comments that belong among a page just read (all that are left, on the last
   * page): the page's comments are those up to its last id. One shown as published meanwhile
   * is dropped.
   */
  function dueHeld(ctx, comments, last) {
    const { state } = ctx;
    const upTo = last ? Infinity : Math.max(0, ...comments.map((c) => c.id));
    const published = new Set(comments.map((c) => c.id));
    const due = [];
    state.heldWaiting = state.heldWaiting.filter((comment) => {
      if (published.has(comment.id)) return false;
      if (comment.id > upTo) return true;
      due.push(comment);
      return false;
    });
    return due;
  }
