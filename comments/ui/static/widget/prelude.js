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
// Source: comments/ui/static/widget/, joined into this one script by comments/ui/assets.py.
// This part opens the function that wraps every part; start.js, the last part, closes it.
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
  /**
   * The page's language for dates, as a tag Intl accepts. Pages often say "en_US" or a tag
   * Intl refuses, which would throw on every format and leave no widget at all: such a tag
   * falls back to the browser's language, then to English.
   */
  const lang = (() => {
    const tags = [document.documentElement.lang, navigator.language].map((tag) =>
      String(tag || "")
        .trim()
        .replace(/_/g, "-"),
    );
    for (const tag of tags) {
      if (!tag) continue;
      try {
        return Intl.getCanonicalLocales(tag)[0];
      } catch {
        /* not a language tag: try the next one */
      }
    }
    return "en";
  })();

  /** embed-edit.js, beside this script and with its query string (a cache-busting version). */
  const EXTENSION_URL = (() => {
    const url = new URL("embed-edit.js", SCRIPT.src);
    url.search = new URL(SCRIPT.src).search;
    return url.href;
  })();

  // embed-edit.js (editing one's own comments, the rephrase nudge) registers here once.
  let extension = null;
  const register = (factory) => {
    if (!extension && typeof factory === "function") extension = factory;
  };
  window.commentsWidget = Object.freeze({ version: VERSION, base: BASE.href, register });
