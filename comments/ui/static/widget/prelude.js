/*!
 * Comments widget. Embed it on any page with:
 *
 *   <div id="comments" data-thread="/2024/11/my-post" data-thread-title="My post"></div>
 *   <script src="https://comments.example.org/embed.js" defer></script>
 *
 * Options (data-* attributes on the element): data-thread (default: the page's path),
 * data-thread-title (default: document.title), data-thread-url (default: the canonical link or
 * the page URL without its fragment), data-site (default: "default"), data-live ("off": no
 * checks for new comments while the page is open), data-live-interval (seconds; default 30).
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
  /** A language tag as Intl accepts it ("en_US" read as "en-US"), or null. */
  function languageTag(value) {
    const tag = String(value || "")
      .trim()
      .replace(/_/g, "-");
    try {
      return tag ? Intl.getCanonicalLocales(tag)[0] : null;
    } catch {
      return null; // Intl would throw on every format and leave no widget at all
    }
  }
  // The page's language: readers' comments are marked with it (unknown, "", if the page does
  // not say), while the widget's own words are English (lang="en" on the widget).
  const PAGE_LANG = languageTag(document.documentElement.lang) || "";
  // Dates are formatted in the page's language, else the browser's, else English.
  const lang = PAGE_LANG || languageTag(navigator.language) || "en";

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
