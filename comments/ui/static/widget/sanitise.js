  // embed.js part: comment HTML turned into page nodes.
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
  // A comment's top-level blocks take their direction from their own text, so an Arabic or
  // Hebrew paragraph, quote or list reads right to left (its full stop at its end) among
  // English ones; what is inside a block follows the block.
  const OWN_DIRECTION = new Set("p blockquote ul ol".split(" "));

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
      if (depth === 0 && OWN_DIRECTION.has(tag)) copy.setAttribute("dir", "auto");
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
      if (para.trim()) fragment.append(el("p", { dir: "auto" }, para.trim()));
    }
    return fragment;
  }
