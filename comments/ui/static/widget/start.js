  // embed.js part, the last: one widget per matching element, once the page's DOM is ready.

  let instances = 0; // numbers each widget's element ids, so two widgets on a page never clash

  function canonicalUrl() {
    const link = document.querySelector('link[rel="canonical"][href]');
    if (link && httpUrl(link.href)) return link.href;
    const url = new URL(location.href);
    url.hash = "";
    return url.href;
  }

  function threadConfig(root) {
    const config = {
      site: root.dataset.site || "default",
      thread: root.dataset.thread || location.pathname,
      title: (root.dataset.threadTitle || document.title).trim().slice(0, 300),
      url: root.dataset.threadUrl || canonicalUrl(),
    };
    if (config.url.length > 2048) config.url = ""; // longer than the API accepts: leave it out
    return config;
  }

  /**
   * Build one widget inside root. Everything the other parts need travels in ctx: the thread's
   * config, the mutable state (also handed to embed-edit.js), the elements from buildDom, and
   * the extension's hooks once they are attached.
   */
  function createWidget(root) {
    const n = ++instances;
    const id = (suffix) => `cw${n}-${suffix}`;
    const ctx = {
      root,
      config: threadConfig(root),
      state: {
        total: 0,
        entries: new Map(), // comment id -> {li, article, replies, button, name, key, about}
        removed: 0, // entries that stand for a removed parent, not a comment
        removedParents: new Map(), // removed comment id -> the id it answered (from the API)
        held: new Map(), // comment id -> entry: the reader's own, awaiting moderation
        heldAsked: null, // resolves to the reader's held comments in this thread (own.js)
        heldWaiting: null, // those not yet shown: each waits for the page it belongs among
        next: null, // cursor of the next page, or null at the end of the thread
        since: undefined, // the first page's watermark: live.js asks what changed after it
        pages: 0,
        token: null, // {value, minSeconds, receivedAt}
        tokenPromise: null,
        replyTo: null, // the comment id the form is replying to
        closed: false, // the thread takes no new comments: no form, no Reply (replies.js)
        refusedOrigin: false, // the API refuses this page's origin: no form (refused.js)
        submitting: false,
        statusAbout: null, // the comment the form's status line speaks of (form.js)
        retry: null, // {key, fingerprint}: reused when an unanswered submission is sent again
        emptiedByPost: false, // the box was emptied by a stored post and not written in since
        cooldownUntil: 0,
        repliesByMail: true, // until a form token says the service sends no mail (form.js)
      },
      id, // element ids unique on the page, e.g. a report form's
      ui: buildDom(id),
      ext: null, // the extension's hooks for this widget, once loaded
      extReady: null, // settles once the extension is attached or known to be absent
    };
    root.replaceChildren(ctx.ui.container);

    wireDetails(ctx);
    wireThread(ctx);
    wireTokenRefresh(ctx);
    wireReplies(ctx);
    wireSubmit(ctx);
    ctx.extReady = attachExtension(ctx);

    fetchToken(ctx);
    loadThread(ctx, null);
    startLive(ctx);
  }

  function ensureStylesheet() {
    if (document.querySelector("link[data-comments-widget]")) return;
    const href = new URL("embed.css", SCRIPT.src);
    href.search = new URL(SCRIPT.src).search;
    const link = el("link", { rel: "stylesheet", href: href.href, "data-comments-widget": "" });
    const head = document.head || document.documentElement;
    head.insertBefore(link, head.firstChild); // first, so the host's own rules win ties
  }

  function start() {
    const roots = document.querySelectorAll("#comments, [data-comments]");
    if (!roots.length) return;
    ensureStylesheet();
    keepTimesCurrent();
    if (!extensionReady) extensionReady = loadExtension();
    for (const root of roots) {
      if (root.hasAttribute("data-comments-ready")) continue;
      root.setAttribute("data-comments-ready", "");
      createWidget(root);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // The function that prelude.js opened, and that holds every part, ends here.
})();
