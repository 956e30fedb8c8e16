/*!
 * Comments widget. Embed it on any page with:
 *
 *   <div id="comments" data-thread="/2024/11/my-post" data-thread-title="My post"></div>
 *   <script src="https://comments.example.org/embed.js" defer></script>
 *
 * Options (data-* attributes on the element): data-thread (default: the page's path),
 * data-thread-title (default: document.title), data-thread-url (default: the canonical link or
 * the page URL without its fragment), data-site (default: "default").
 * Every element matching `#comments, [data-comments]` becomes a widget.
 *
 * The API is the directory this script was loaded from, so the widget works on other origins
 * and under a path prefix. It needs no inline script or style and no eval, so it runs under a
 * strict Content-Security-Policy; a host that enforces Trusted Types must allow the policy
 * name "comments-widget" (used only to parse the server's sanitised comment HTML, which is
 * sanitised again here against an allow-list before it reaches the page).
 */
(() => {
  "use strict";

  if (window.commentsWidget) return; // loaded twice: the first copy already did the work

  const SCRIPT =
    document.currentScript ||
    document.querySelector('script[src$="/embed.js"], script[src*="/embed.js?"]');
  if (!SCRIPT || !SCRIPT.src) return;

  const VERSION = "1";
  const BASE = new URL(".", SCRIPT.src);
  const API = new URL("api/v1/", BASE);
  const STORAGE_KEY = "comments-widget:author";
  const REQUEST_TIMEOUT_MS = 30000;
  const AUTO_PAGES = 5; // pages of 200 loaded without asking; then a "Load more" button
  const PER_PAGE = 200;
  const MAX_DEPTH = 40; // nesting depth of sanitised HTML before it is flattened to text
  const FIELD_NAMES = ["body", "author_name", "author_email", "author_url"];
  const FIELD_LABELS = {
    body: "Comment",
    author_name: "Name",
    author_email: "Email",
    author_url: "Website",
  };
  const lang = document.documentElement.lang || navigator.language || "en";

  // embed-edit.js (editing one's own comments, the rephrase nudge) registers here once.
  let extension = null;
  const register = (factory) => {
    if (!extension && typeof factory === "function") extension = factory;
  };
  window.commentsWidget = Object.freeze({ version: VERSION, base: BASE.href, register });

  /* ------------------------------------------------------------------ helpers */

  /** Create an element. Attributes are set with setAttribute (never "style"), text as nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [name, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false) continue;
        if (name === "style" || name.startsWith("on")) throw new Error("not allowed: " + name);
        if (name === "class") node.className = value;
        else if (name === "text") node.textContent = value;
        else if (name === "hidden") node.hidden = Boolean(value);
        else node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function httpUrl(value) {
    if (typeof value !== "string" || !value.trim()) return null;
    try {
      const url = new URL(value.trim());
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") {
      try {
        return crypto.randomUUID(); // secure contexts only
      } catch {
        /* fall through */
      }
    }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    const part = (from, to) => h.slice(from, to);
    return [part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20)].join("-");
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, {
        ...options,
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        signal: controller.signal,
        headers: { Accept: "application/json", ...(options && options.headers) },
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  function retryAfterSeconds(response, data) {
    const header = response.headers.get("Retry-After");
    if (header) {
      const secs = Number(header);
      if (Number.isFinite(secs)) return Math.max(1, Math.ceil(secs));
      const date = Date.parse(header);
      if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
    }
    if (data && Number.isFinite(Number(data.retry_after))) {
      return Math.max(1, Math.ceil(Number(data.retry_after)));
    }
    return null;
  }

  const storage = {
    read() {
      try {
        const raw = window.localStorage.getItem(STORAGE_KEY);
        const value = raw ? JSON.parse(raw) : null;
        return value && typeof value === "object" ? value : null;
      } catch {
        return null; // storage disabled or corrupt: behave as if nothing was saved
      }
    },
    write(value) {
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
      } catch {
        /* storage full or disabled: nothing to do */
      }
    },
    clear() {
      try {
        window.localStorage.removeItem(STORAGE_KEY);
      } catch {
        /* ignore */
      }
    },
  };

  /* ------------------------------------------------------------------ time */

  const relativeFormat =
    typeof Intl !== "undefined" && Intl.RelativeTimeFormat
      ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" })
      : null;
  const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long" });
  const fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "short" });

  function readableTime(date) {
    const seconds = Math.round((date.getTime() - Date.now()) / 1000);
    const ago = -seconds;
    if (!relativeFormat || ago > 7 * 86400) return dateFormat.format(date);
    if (ago < 45) return "just now";
    if (ago < 3600) return relativeFormat.format(-Math.max(1, Math.round(ago / 60)), "minute");
    if (ago < 86400) return relativeFormat.format(-Math.round(ago / 3600), "hour");
    return relativeFormat.format(-Math.round(ago / 86400), "day");
  }

  function parseTime(iso) {
    // The API sends UTC; a timestamp without an offset would otherwise be read as local time.
    const text = String(iso || "");
    return new Date(/T[\d:.]+$/.test(text) ? `${text}Z` : text);
  }

  function timeElement(iso) {
    const date = parseTime(iso);
    if (Number.isNaN(date.getTime())) return null;
    return el(
      "time",
      { datetime: date.toISOString(), title: fullFormat.format(date) },
      readableTime(date),
    );
  }

  /* ------------------------------------------------------------------ sanitiser */
  // The server sanitises comment HTML with an allow-list. This second, independent pass builds
  // fresh nodes from an inert parse, so a server bug cannot put script, handlers or remote
  // images on the embedding page.

  const trustedPolicy = (() => {
    if (!window.trustedTypes || !trustedTypes.createPolicy) return null;
    try {
      return trustedTypes.createPolicy("comments-widget", {
        createHTML: (s) => s,
        createScriptURL: (s) => {
          if (s !== EXTENSION_URL) throw new TypeError("only the widget's own script");
          return s;
        },
      });
    } catch {
      return null; // the host's CSP does not allow the name; parsing below may then throw
    }
  })();

  const KEEP = new Set("p br a em strong code pre blockquote ul ol li".split(" "));
  const DROP = new Set(
    (
      "script style template iframe frame frameset object embed applet noscript noembed " +
      "noframes xmp textarea select option title head svg math img video audio picture " +
      "source canvas form input button link meta base"
    ).split(" "),
  );
  const XHTML = "http://www.w3.org/1999/xhtml";

  function safeHref(value) {
    try {
      const url = new URL(value);
      return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
    } catch {
      return null;
    }
  }

  function cleanChildren(source, target, depth) {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.append(document.createTextNode(node.data));
        continue;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) continue; // comments, processing instructions
      const tag = node.localName;
      if (node.namespaceURI !== XHTML || DROP.has(tag)) continue;
      if (depth > MAX_DEPTH) {
        target.append(document.createTextNode(node.textContent || ""));
        continue;
      }
      if (!KEEP.has(tag)) {
        cleanChildren(node, target, depth + 1); // unknown element: keep its text only
        continue;
      }
      const copy = document.createElement(tag);
      if (tag === "a") {
        const href = safeHref(node.getAttribute("href") || "");
        if (href) {
          copy.setAttribute("href", href);
          copy.setAttribute("rel", "nofollow ugc noopener");
        }
        const title = node.getAttribute("title");
        if (title) copy.setAttribute("title", title);
      } else if (tag === "ol") {
        const start = Number.parseInt(node.getAttribute("start") || "", 10);
        if (Number.isFinite(start)) copy.setAttribute("start", String(start));
      }
      cleanChildren(node, copy, depth + 1);
      target.append(copy);
    }
  }

  /** Comment HTML as a DocumentFragment of allow-listed, freshly created nodes. */
  function commentFragment(html) {
    const fragment = document.createDocumentFragment();
    let parsed;
    try {
      const input = trustedPolicy ? trustedPolicy.createHTML(String(html)) : String(html);
      parsed = new DOMParser().parseFromString(input, "text/html"); // inert: nothing runs or loads
    } catch {
      fragment.append(el("p", { class: "cw-muted" }, "(This comment cannot be displayed here.)"));
      return fragment;
    }
    cleanChildren(parsed.body, fragment, 0);
    return fragment;
  }

  function plainTextFragment(text) {
    const fragment = document.createDocumentFragment();
    for (const para of String(text).split(/\n{2,}/)) {
      if (para.trim()) fragment.append(el("p", null, para.trim()));
    }
    return fragment;
  }

  /* ------------------------------------------------------------------ stylesheet */

  function ensureStylesheet() {
    if (document.querySelector("link[data-comments-widget]")) return;
    const href = new URL("embed.css", SCRIPT.src);
    href.search = new URL(SCRIPT.src).search;
    const link = el("link", { rel: "stylesheet", href: href.href, "data-comments-widget": "" });
    const head = document.head || document.documentElement;
    head.insertBefore(link, head.firstChild); // first, so the host's own rules win ties
  }

  /* ------------------------------------------------------------------ extension */

  const EXTENSION_URL = (() => {
    const url = new URL("embed-edit.js", SCRIPT.src);
    url.search = new URL(SCRIPT.src).search;
    return url.href;
  })();

  /** Load embed-edit.js; resolves to its factory, or null: the widget works without it. */
  function loadExtension() {
    return new Promise((resolve) => {
      try {
        const script = document.createElement("script");
        script.src = trustedPolicy ? trustedPolicy.createScriptURL(EXTENSION_URL) : EXTENSION_URL;
        script.async = true;
        script.addEventListener("load", () => resolve(extension));
        script.addEventListener("error", () => resolve(null));
        (document.head || document.documentElement).append(script);
      } catch {
        resolve(null); // e.g. Trusted Types enforced without our policy name
      }
    });
  }

  let extensionReady = null;

  /* ------------------------------------------------------------------ the widget */

  let instances = 0;

  function canonicalUrl() {
    const link = document.querySelector('link[rel="canonical"][href]');
    if (link && httpUrl(link.href)) return link.href;
    const url = new URL(location.href);
    url.hash = "";
    return url.href;
  }

  /** The widget's elements, built once; createWidget wires behaviour onto them. */
  function buildDom(id) {
    const fields = {};
    const errors = {};

    function field(name, label, control, hint) {
      const errorId = id(`${name}-error`);
      const hintId = hint ? id(`${name}-hint`) : null;
      control.id = id(name);
      control.name = name;
      if (hintId) control.setAttribute("aria-describedby", hintId);
      fields[name] = control;
      errors[name] = el("p", { class: "cw-error", id: errorId, hidden: true });
      control.dataset.hint = hintId || "";
      return el(
        "div",
        { class: `cw-field cw-field-${name.replace("_", "-")}` },
        el("label", { for: control.id }, label),
        control,
        hint ? el("p", { class: "cw-hint", id: hintId }, hint) : null,
        errors[name],
      );
    }

    const bodyLabel = el(
      "span",
      null,
      "Comment ",
      el("span", { class: "cw-required" }, "(required)"),
    );
    const textarea = el("textarea", {
      rows: 5,
      required: true,
      "aria-required": "true",
      maxlength: 10000,
    });
    const nameInput = el("input", { type: "text", autocomplete: "name", maxlength: 80 });
    const emailInput = el("input", { type: "email", autocomplete: "email", maxlength: 254 });
    const urlInput = el("input", {
      type: "url",
      autocomplete: "url",
      maxlength: 200,
      placeholder: "https://",
    });
    const honeypot = el("input", {
      type: "text",
      id: id("hp"),
      name: "cw_hp",
      tabindex: "-1",
      autocomplete: "off",
      "aria-hidden": "true",
    });
    const saveBox = el("input", { type: "checkbox", id: id("save"), name: "save_details" });
    // Offered only with an address: the service mails a confirmation link before any reply.
    const notifyBox = el("input", { type: "checkbox", id: id("notify"), name: "notify_replies" });
    const notifyRow = el(
      "div",
      { class: "cw-check cw-notify", hidden: true },
      notifyBox,
      el("label", { for: notifyBox.id }, "E-mail me replies (we send a link to confirm first)."),
    );
    const submitButton = el("button", { type: "submit", class: "cw-submit" }, "Post Comment");
    const formStatus = el("p", { class: "cw-form-status", role: "status", "aria-live": "polite" });
    const summary = el("div", { class: "cw-summary", role: "alert", tabindex: "-1", hidden: true });
    const replyingName = el("strong");
    const cancelReplyButton = el(
      "button",
      { type: "button", class: "cw-link-button" },
      "Cancel reply",
    );
    const replying = el(
      "p",
      { class: "cw-replying", hidden: true },
      "Replying to ",
      replyingName,
      " ",
      cancelReplyButton,
    );

    const form = el(
      "form",
      { class: "cw-form", id: id("form"), novalidate: true, "aria-label": "Leave a comment" },
      replying,
      summary,
      field(
        "body",
        bodyLabel,
        textarea,
        "Plain text; **bold**, *italics*, `code`, > quotes, lists and links work too.",
      ),
      el(
        "div",
        { class: "cw-row" },
        field("author_name", "Name", nameInput),
        field("author_email", "Email", emailInput, "Never shown publicly."),
        field("author_url", "Website", urlInput),
      ),
      el(
        "div",
        { class: "cw-hp", "aria-hidden": "true" },
        el("label", { for: honeypot.id }, "Leave this field empty"),
        honeypot,
      ),
      el(
        "div",
        { class: "cw-check" },
        saveBox,
        el(
          "label",
          { for: saveBox.id },
          "Save my name, email, and website in this browser for the next time I comment.",
        ),
      ),
      notifyRow,
      el("div", { class: "cw-actions" }, submitButton),
      formStatus,
    );
    const formHome = el("div", { class: "cw-form-home" }, form);

    /* ---- thread ---- */

    const countHeading = el("h2", { class: "cw-count", id: id("count") }, "Comments");
    const loadStatus = el("p", { class: "cw-load-status", role: "status" }, "Loading comments…");
    const retryButton = el(
      "button",
      { type: "button", class: "cw-link-button", hidden: true },
      "Try again",
    );
    const threadList = el("ol", { class: "cw-thread", "aria-labelledby": countHeading.id });
    const moreButton = el(
      "button",
      { type: "button", class: "cw-more", hidden: true },
      "Load more comments",
    );

    const container = el(
      "section",
      { class: "cw", "aria-labelledby": countHeading.id },
      formHome,
      countHeading,
      el("div", { class: "cw-load" }, loadStatus, retryButton),
      threadList,
      moreButton,
    );

    return {
      container,
      form,
      formHome,
      fields,
      errors,
      summary,
      replying,
      replyingName,
      formStatus,
      textarea,
      nameInput,
      emailInput,
      urlInput,
      honeypot,
      saveBox,
      notifyBox,
      notifyRow,
      submitButton,
      cancelReplyButton,
      countHeading,
      loadStatus,
      retryButton,
      threadList,
      moreButton,
    };
  }

  function createWidget(root) {
    const n = ++instances;
    const id = (suffix) => `cw${n}-${suffix}`;
    const config = {
      site: root.dataset.site || "default",
      thread: root.dataset.thread || location.pathname,
      title: (root.dataset.threadTitle || document.title).trim().slice(0, 300),
      url: root.dataset.threadUrl || canonicalUrl(),
    };
    if (config.url.length > 2048) config.url = ""; // longer than the API accepts: leave it out

    const state = {
      total: 0,
      entries: new Map(), // comment id -> {li, replies, button, name}
      next: null,
      pages: 0,
      token: null, // {value, minSeconds, receivedAt}
      tokenPromise: null,
      replyTo: null,
      submitting: false,
      retry: null, // {key, fingerprint}: reused when an unanswered submission is sent again
      cooldownUntil: 0,
    };
    const ui = buildDom(id);
    let ext = null; // the extension's hooks for this widget, once loaded

    const { form, formHome, fields, errors, summary, replying, replyingName, formStatus } = ui;
    const { textarea, nameInput, emailInput, urlInput, honeypot, saveBox, submitButton } = ui;
    const { cancelReplyButton, countHeading, loadStatus, retryButton, threadList, moreButton } = ui;
    root.replaceChildren(ui.container);

    /* ---- saved details ---- */

    const saved = storage.read();
    if (saved) {
      nameInput.value = typeof saved.name === "string" ? saved.name : "";
      emailInput.value = typeof saved.email === "string" ? saved.email : "";
      urlInput.value = typeof saved.url === "string" ? saved.url : "";
      saveBox.checked = true;
    }
    saveBox.addEventListener("change", () => {
      if (!saveBox.checked) storage.clear();
    });

    function syncNotify() {
      const withEmail = emailInput.value.trim() !== "";
      ui.notifyRow.hidden = !withEmail;
      ui.notifyBox.disabled = !withEmail;
      if (!withEmail) ui.notifyBox.checked = false;
    }
    emailInput.addEventListener("input", syncNotify);
    syncNotify();

    function rememberDetails() {
      if (saveBox.checked) {
        storage.write({ name: nameInput.value, email: emailInput.value, url: urlInput.value });
      } else {
        storage.clear();
      }
    }

    /* ---- rendering ---- */

    function updateCount() {
      countHeading.textContent =
        state.total > 0 ? plural(state.total, "Comment", "Comments") : "No comments yet";
    }

    function renderComment(comment, pending) {
      const name = (comment.author_name || "").trim() || "Anonymous";
      const website = httpUrl(comment.author_url);
      const author = website
        ? el("a", { class: "cw-author", href: website, rel: "nofollow ugc noopener" }, name)
        : el("span", { class: "cw-author" }, name);
      const anchor = `comment-${comment.id}`;
      const time = timeElement(comment.created_at);
      const meta = el(
        "header",
        { class: "cw-meta" },
        author,
        time ? el("a", { class: "cw-permalink", href: `#${anchor}` }, time) : null,
      );
      const body = el("div", { class: "cw-body" });
      body.append(
        typeof comment.html === "string"
          ? commentFragment(comment.html)
          : plainTextFragment(comment.body || ""),
      );
      const article = el("article", { class: "cw-card", tabindex: "-1" }, meta);
      let button = null;
      if (pending) {
        article.append(el("p", { class: "cw-notice" }, "Your comment is awaiting moderation."));
      }
      article.append(body);
      if (!pending) {
        button = el(
          "button",
          { type: "button", class: "cw-reply", "aria-expanded": "false", "aria-controls": form.id },
          "Reply",
          el("span", { class: "cw-visually-hidden" }, ` to ${name}`),
        );
        button.addEventListener("click", () => openReply(comment.id));
        article.append(el("div", { class: "cw-comment-actions" }, button));
      }
      const replies = el("ol", { class: "cw-replies" });
      const li = el(
        "li",
        {
          class: pending ? "cw-comment cw-pending" : "cw-comment",
          id: pending ? null : anchor,
          "data-id": comment.id,
        },
        article,
        replies,
      );
      return { li, article, replies, button, name };
    }

    /** A reply's parent is older, so already shown, unless it was removed: say so. */
    function removedParent(parentId) {
      const replies = el("ol", { class: "cw-replies" });
      const card = el("p", { class: "cw-card cw-removed" }, "This comment was removed.");
      const li = el("li", { class: "cw-comment", "data-id": parentId }, card, replies);
      threadList.append(li);
      const entry = { li, article: card, replies, button: null, name: "" };
      state.entries.set(parentId, entry);
      return entry;
    }

    function insertComment(comment, pending) {
      if (!pending && state.entries.has(comment.id)) return state.entries.get(comment.id);
      const entry = renderComment(comment, pending);
      let parent = null;
      if (comment.parent_id != null) {
        parent = state.entries.get(comment.parent_id) || removedParent(comment.parent_id);
      }
      (parent ? parent.replies : threadList).append(entry.li);
      if (!pending) state.entries.set(comment.id, entry);
      if (ext) ext.decorate(entry, comment, pending);
      return entry;
    }

    /* ---- loading ---- */

    async function loadPage(cursor) {
      const url = new URL("comments", API);
      url.searchParams.set("site", config.site);
      url.searchParams.set("thread", config.thread);
      url.searchParams.set("per_page", String(PER_PAGE));
      if (cursor) url.searchParams.set("cursor", cursor);
      const response = await request(url);
      const data = await readJson(response);
      if (!response.ok || !data || !Array.isArray(data.comments)) {
        throw new Error(`comments: HTTP ${response.status}`);
      }
      for (const comment of data.comments) insertComment(comment, false);
      if (Number.isFinite(data.total)) state.total = Math.max(data.total, state.entries.size);
      else state.total = state.entries.size;
      state.next = data.next || null;
      state.pages += 1;
    }

    async function loadThread(cursor) {
      retryButton.hidden = true;
      moreButton.hidden = true;
      loadStatus.textContent = "Loading comments…";
      try {
        await extReady;
        await loadPage(cursor);
        while (state.next && state.pages % AUTO_PAGES !== 0) await loadPage(state.next);
        loadStatus.textContent = "";
        moreButton.hidden = !state.next;
        updateCount();
        revealHashTarget();
      } catch {
        loadStatus.textContent = "Comments could not be loaded.";
        retryButton.hidden = false;
      }
    }

    retryButton.addEventListener("click", () => loadThread(state.next));
    moreButton.addEventListener("click", () => loadThread(state.next));

    function revealHashTarget() {
      if (!location.hash.startsWith("#comment-")) return;
      const target = root.querySelector(`[id="${CSS.escape(location.hash.slice(1))}"]`);
      if (!target) return;
      target.classList.add("cw-target");
      target.scrollIntoView({ block: "start" });
    }

    /* ---- form token ---- */

    function fetchToken() {
      const url = new URL("form-token", API);
      url.searchParams.set("site", config.site);
      url.searchParams.set("thread", config.thread);
      state.tokenPromise = (async () => {
        try {
          const response = await request(url);
          const data = await readJson(response);
          if (response.ok && data && typeof data.token === "string") {
            state.token = {
              value: data.token,
              minSeconds: Number(data.min_seconds) || 0,
              receivedAt: performance.now(),
            };
          }
        } catch {
          /* no token: the submission goes without one and the server decides */
        } finally {
          state.tokenPromise = null;
        }
        return state.token;
      })();
      return state.tokenPromise;
    }

    async function currentToken() {
      if (state.tokenPromise) await state.tokenPromise;
      if (!state.token) await fetchToken();
      return state.token;
    }

    // A token older than this is refreshed when someone starts using the form again.
    form.addEventListener("focusin", () => {
      const old = state.token && performance.now() - state.token.receivedAt > 30 * 60 * 1000;
      if ((!state.token || old) && !state.tokenPromise && !state.submitting) fetchToken();
    });

    /* ---- replies ---- */

    function openReply(commentId) {
      const entry = state.entries.get(commentId);
      if (!entry) return;
      if (state.replyTo !== null && state.replyTo !== commentId) closeReply(false);
      state.replyTo = commentId;
      entry.li.insertBefore(form, entry.replies);
      replyingName.textContent = entry.name;
      replying.hidden = false;
      entry.button.setAttribute("aria-expanded", "true");
      clearErrors();
      textarea.focus();
    }

    function closeReply(restoreFocus) {
      if (state.replyTo === null) return;
      const entry = state.entries.get(state.replyTo);
      state.replyTo = null;
      formHome.append(form);
      replying.hidden = true;
      if (entry) {
        entry.button.setAttribute("aria-expanded", "false");
        if (restoreFocus) entry.button.focus();
      }
    }

    cancelReplyButton.addEventListener("click", () => closeReply(true));
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.replyTo !== null) {
        event.preventDefault();
        closeReply(true);
      } else if (
        event.key === "Enter" &&
        (event.ctrlKey || event.metaKey) &&
        event.target === textarea
      ) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    /* ---- errors and status ---- */

    function setStatus(message, kind) {
      formStatus.textContent = message || "";
      formStatus.className = `cw-form-status${kind ? ` cw-status-${kind}` : ""}`;
    }

    function clearErrors() {
      summary.hidden = true;
      summary.replaceChildren();
      for (const name of FIELD_NAMES) {
        const control = fields[name];
        control.removeAttribute("aria-invalid");
        if (control.dataset.hint) control.setAttribute("aria-describedby", control.dataset.hint);
        else control.removeAttribute("aria-describedby");
        errors[name].hidden = true;
        errors[name].textContent = "";
      }
    }

    function messagesOf(value) {
      if (value === null || value === undefined) return [];
      if (typeof value === "string") return [value];
      if (Array.isArray(value)) return value.flatMap(messagesOf);
      if (typeof value === "object") return Object.values(value).flatMap(messagesOf);
      return [String(value)];
    }

    function showErrors(fieldErrors, message) {
      clearErrors();
      const items = [];
      let first = null;
      for (const [name, value] of Object.entries(fieldErrors || {})) {
        const messages = messagesOf(value);
        if (!messages.length) continue;
        const control = FIELD_NAMES.includes(name) ? fields[name] : null;
        if (control) {
          errors[name].textContent = messages.join(" ");
          errors[name].hidden = false;
          control.setAttribute("aria-invalid", "true");
          const described = [errors[name].id, control.dataset.hint].filter(Boolean).join(" ");
          control.setAttribute("aria-describedby", described);
          first = first || control;
          const link = el(
            "a",
            { href: `#${control.id}` },
            `${FIELD_LABELS[name]}: ${messages.join(" ")}`,
          );
          link.addEventListener("click", (event) => {
            event.preventDefault();
            control.focus();
          });
          items.push(el("li", null, link));
        } else if (name === "form_token") {
          items.push(el("li", null, "The form expired. Please post your comment again."));
        } else {
          items.push(el("li", null, messages.join(" ")));
        }
      }
      summary.append(
        el(
          "p",
          { class: "cw-summary-title" },
          message && !items.length ? message : "Please correct the following:",
        ),
      );
      if (items.length) summary.append(el("ul", null, items));
      summary.hidden = false;
      (first || summary).focus();
    }

    function setBusy(busy) {
      state.submitting = busy;
      // aria-disabled rather than disabled: the button keeps focus while the request runs.
      if (busy) submitButton.setAttribute("aria-disabled", "true");
      else submitButton.removeAttribute("aria-disabled");
      submitButton.textContent = busy ? "Posting…" : "Post Comment";
      form.setAttribute("aria-busy", busy ? "true" : "false");
    }

    /* ---- submitting ---- */

    function payloadFor(token) {
      return {
        site: config.site,
        thread: config.thread,
        thread_title: config.title,
        thread_url: config.url,
        parent_id: state.replyTo,
        author_name: nameInput.value.trim(),
        author_email: emailInput.value.trim(),
        author_url: urlInput.value.trim(),
        body: textarea.value,
        form_token: token ? token.value : "",
        honeypot: honeypot.value,
        notify_replies: ui.notifyBox.checked && !ui.notifyBox.disabled,
        ...(ext ? ext.payloadFields() : {}),
      };
    }

    function idempotencyKey(payload) {
      const { form_token: _ignored, ...content } = payload;
      const fingerprint = JSON.stringify(content);
      if (!state.retry || state.retry.fingerprint !== fingerprint) {
        state.retry = { key: uuid(), fingerprint };
      }
      return state.retry.key;
    }

    function showSubmitted(data, payload) {
      const comment = {
        id: data.id,
        parent_id: data.parent_id !== undefined ? data.parent_id : payload.parent_id,
        author_name: data.author_name !== undefined ? data.author_name : payload.author_name,
        author_url: data.author_url !== undefined ? data.author_url : payload.author_url,
        html: data.html,
        body: payload.body,
        created_at: data.created_at || new Date().toISOString(),
      };
      const isPublished = data.status === "published";
      const wasReply = state.replyTo !== null;
      if (ext) ext.remember(data, payload);
      if (wasReply) closeReply(false);
      const entry = insertComment(comment, !isPublished);
      entry.li.classList.add("cw-new");
      if (isPublished) {
        state.total += 1;
        updateCount();
        setStatus("Your comment has been published.", "ok");
      } else {
        setStatus(
          "Thank you. Your comment is awaiting moderation and will appear once approved.",
          "pending",
        );
      }
      textarea.value = "";
      rememberDetails();
      state.retry = null;
      if (wasReply) entry.article.focus({ preventScroll: true });
      entry.li.scrollIntoView({ block: "nearest" });
      state.token = null;
      fetchToken(); // a fresh token for the next comment
    }

    async function submit(event) {
      event.preventDefault();
      if (state.submitting) return;
      const waitSeconds = Math.ceil((state.cooldownUntil - Date.now()) / 1000);
      if (waitSeconds > 0) {
        setStatus(
          `You are posting too fast, try again in ${plural(waitSeconds, "second", "seconds")}.`,
          "error",
        );
        return;
      }
      clearErrors();
      setStatus("");
      if (!textarea.value.trim()) {
        showErrors({ body: ["Please write a comment."] });
        return;
      }
      setBusy(true);
      setStatus("Posting your comment…");
      try {
        await extReady;
        const token = await currentToken();
        if (token) {
          // A form posted faster than a person could fill it looks automated; wait it out.
          const remaining = token.receivedAt + token.minSeconds * 1000 + 250 - performance.now();
          if (remaining > 0) await sleep(remaining);
        }
        const payload = payloadFor(token);
        payload.idempotency_key = idempotencyKey(payload);
        let response;
        try {
          response = await request(new URL("comments", API), {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(payload),
          });
        } catch {
          setStatus(
            "Could not reach the comment server. Your comment is still here; " +
              "check your connection and try again.",
            "error",
          );
          return; // state.retry is kept: posting again reuses the idempotency key
        }
        const data = await readJson(response);
        if (response.status === 202 && data && data.nudge && ext) {
          state.retry = null; // nothing was stored: the next post is a new submission
          setStatus("");
          ext.showNudge(data.nudge);
          return;
        }
        if ((response.status === 201 || response.status === 200) && data) {
          showSubmitted(data, payload);
          return;
        }
        if (response.status >= 500) {
          const after = retryAfterSeconds(response, data);
          const when = after ? `in ${plural(after, "second", "seconds")}` : "in a moment";
          setStatus(
            `The comment server had a problem (error ${response.status}). ` +
              `Your comment is still here; please try again ${when}.`,
            "error",
          );
          return; // the comment may have been stored: keep the key so a retry cannot duplicate it
        }
        state.retry = null;
        if (response.status === 422) {
          setStatus("");
          showErrors((data && data.errors) || {}, data && data.message);
          if (data && data.errors && data.errors.form_token) {
            state.token = null;
            fetchToken();
          }
        } else if (response.status === 429) {
          const after = retryAfterSeconds(response, data);
          if (after) state.cooldownUntil = Date.now() + after * 1000;
          setStatus(
            after
              ? `You are posting too fast, try again in ${plural(after, "second", "seconds")}.`
              : "You are posting too fast, try again in a little while.",
            "error",
          );
        } else if (response.status === 413) {
          setStatus("Your comment is too long to post. Please shorten it and try again.", "error");
        } else {
          const detail =
            data && typeof data.message === "string" && data.message ? ` (${data.message})` : "";
          setStatus(
            `Sorry, your comment could not be posted: error ${response.status}${detail}. ` +
              "Your comment is still here.",
            "error",
          );
        }
      } finally {
        setBusy(false);
      }
    }

    form.addEventListener("submit", submit);

    const extReady = extensionReady.then((factory) => {
      if (!factory) return;
      try {
        ext = factory({
          el,
          request,
          readJson,
          retryAfterSeconds,
          plural,
          commentFragment,
          api: API,
          state,
          form,
          textarea,
          setStatus,
          updateCount,
          insertPoint: form.querySelector(".cw-actions"),
        });
      } catch {
        ext = null; // a broken extension must not break commenting
      }
    });

    fetchToken();
    loadThread(null);
  }

  /* ------------------------------------------------------------------ start */

  function start() {
    const roots = document.querySelectorAll("#comments, [data-comments]");
    if (!roots.length) return;
    ensureStylesheet();
    if (!extensionReady) extensionReady = loadExtension();
    for (const root of roots) {
      if (root.hasAttribute("data-comments-ready")) continue;
      root.setAttribute("data-comments-ready", "");
      createWidget(root);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
