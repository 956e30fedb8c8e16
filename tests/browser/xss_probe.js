/* The XSS probe, installed in every frame before any page script runs (a CDP init script, so
 * the page's own CSP does not apply to it).
 *
 * It records every way a stored payload could show that it ran: the dialog and window sinks
 * are replaced by recorders, CSP reports are kept, form submissions from comments are stopped
 * and recorded, and ordinary links are kept from leaving the page. `__xssProbe.check(spec)`
 * then audits every comment card against an allow-list and pokes the nodes rendered from it
 * with every event type the corpus's handlers name. Each record names the comment (the
 * nearest [data-id]) it came from, when that is knowable.
 */
(() => {
  "use strict";
  if (window.__xssProbe) return;

  const hits = [];

  function commentOf(node) {
    const element = node && (node.nodeType === 1 ? node : node.parentElement);
    const card = element && element.closest ? element.closest("[data-id]") : null;
    return card ? card.getAttribute("data-id") : null;
  }

  function culprit() {
    return commentOf(window.event && window.event.target) || commentOf(document.currentScript);
  }

  function record(sink, args) {
    const detail = Array.from(args, (arg) => String(arg)).join(", ").slice(0, 200);
    hits.push({ sink, detail, id: culprit() });
  }

  function recorder(sink) {
    return function () {
      record(sink, arguments);
      return null;
    };
  }

  // The observable ends of a payload. eval and Function are left alone: Playwright's own
  // evaluate needs them, and code they run still has to reach one of these to be seen.
  for (const sink of ["alert", "confirm", "prompt", "print", "open"]) {
    window[sink] = recorder(sink);
  }
  Document.prototype.write = recorder("document.write");
  Document.prototype.writeln = recorder("document.writeln");

  document.addEventListener(
    "securitypolicyviolation",
    (event) => {
      const detail = `${event.effectiveDirective} ${event.blockedURI || "inline"} ${event.sample}`;
      hits.push({ sink: "blocked by CSP", detail: detail.slice(0, 200), id: commentOf(event.target) });
    },
    true,
  );

  // Following an ordinary link is what a reader does, not an attack, but it would end the
  // page under test: stop http(s), mailto and in-page links. javascript: links are left to
  // run, so that whatever they do is recorded above.
  const STAY = new Set(["http:", "https:", "mailto:"]);
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest("a[href], area[href]");
      if (link && STAY.has(new URL(link.href, document.baseURI).protocol)) event.preventDefault();
    },
    true,
  );
  document.addEventListener(
    "submit",
    (event) => {
      const id = commentOf(event.target);
      if (event.target.localName !== "form" || id === null) return; // the page's own forms
      hits.push({ sink: "form submission", detail: String(event.target.action), id });
      event.preventDefault();
    },
    true,
  );

  const FORBIDDEN = new Set(
    ("script iframe object embed svg math img frame frameset base form input link meta style " +
      "applet template video audio source picture canvas portal noscript textarea select " +
      "button option keygen isindex image").split(" "),
  );
  const URL_ATTRIBUTES = new Set(
    ("href src action formaction xlink:href data poster background srcset ping cite codebase " +
      "lowsrc dynsrc").split(" "),
  );
  const BAD_SCHEMES = ["javascript:", "data:", "vbscript:"];
  const MOUSE = new Set(["click", "dblclick", "auxclick", "contextmenu"]);

  function dangerousUrl(value) {
    const compact = value.replace(/[\u0000-\u0020]+/g, "").toLowerCase();
    if (BAD_SCHEMES.some((scheme) => compact.startsWith(scheme))) return true;
    try {
      return BAD_SCHEMES.includes(new URL(value, document.baseURI).protocol);
    } catch {
      return false;
    }
  }

  /** Problems of one element, wherever it is: handlers, inline style, unsafe URLs. */
  function attributeProblems(element, problems, where) {
    for (const attr of element.attributes) {
      const name = attr.name.toLowerCase();
      const shown = `${where}: <${element.localName} ${name}="${attr.value.slice(0, 80)}">`;
      if (name.startsWith("on") || name === "style" || name === "srcdoc") problems.push(shown);
      else if (URL_ATTRIBUTES.has(name) && dangerousUrl(attr.value)) problems.push(shown);
    }
  }

  /** A zone holds text from one field: only its tags, its attributes and its exact text. */
  function auditZone(root, zone, expected, problems) {
    const where = zone.field;
    for (const element of [root, ...root.querySelectorAll("*")]) {
      const tag = element.localName;
      if (element !== root && !zone.tags.includes(tag)) problems.push(`${where}: <${tag}> inside`);
      if (element.namespaceURI !== "http://www.w3.org/1999/xhtml")
        problems.push(`${where}: <${tag}> in ${element.namespaceURI}`);
      const allowed = zone.attributes[tag] || [];
      for (const attr of element.attributes) {
        if (!allowed.includes(attr.name)) problems.push(`${where}: <${tag} ${attr.name}>`);
      }
    }
    if (zone.text) {
      const want = expected[zone.text] || zone.fallback;
      const got = (zone.trim ? root.textContent.trim() : root.textContent) || "";
      if (got !== want) problems.push(`${where}: shows ${JSON.stringify(got.slice(0, 120))}`);
    }
    if (zone.href) {
      const address = expected[zone.href];
      const link = root.localName === "a" ? root.getAttribute("href") : null;
      if ((address ? new URL(address).href : null) !== link)
        problems.push(`${where}: links to ${JSON.stringify(link)}`);
    }
  }

  function auditCard(card, spec, expected, own) {
    const problems = [];
    const fields = [];
    for (const element of [card, ...card.querySelectorAll("*")]) {
      if (FORBIDDEN.has(element.localName) && !own(element))
        problems.push(`card: <${element.localName}>`);
      attributeProblems(element, problems, "card");
    }
    for (const [name, value] of Object.entries(spec.cardAttributes)) {
      const want = expected[value.text] || value.fallback;
      if (card.getAttribute(name) !== want) problems.push(`card: ${name}=${card.getAttribute(name)}`);
    }
    for (const zone of spec.zones) {
      const roots = card.querySelectorAll(zone.selector);
      if (zone.required && roots.length !== 1) problems.push(`${zone.field}: ${roots.length} found`);
      for (const root of roots) auditZone(root, zone, expected, problems);
      if (roots.length) fields.push(...zone.counts);
    }
    return { problems, fields };
  }

  /** The event types to poke with: those the browser wires a handler attribute for. */
  function wired(types) {
    const known = (type) =>
      `on${type}` in HTMLElement.prototype || `on${type}` in window || `on${type}` in document;
    return [...new Set(types)].filter(known);
  }

  /**
   * Every element under a poke root gets every event: each is dispatched, bubbling, at every
   * leaf, so it passes through all the leaf's ancestors up to the root (a handler attribute
   * fires for its type whether or not that type usually bubbles), and is stopped at the root
   * so the page's own listeners never see it. Clicks are MouseEvents, so that links activate.
   */
  function poke(card, spec, types) {
    let nodes = 0;
    const stop = (event) => event.stopPropagation();
    for (const root of card.querySelectorAll(spec.pokeRoots)) {
      const elements = [root, ...root.querySelectorAll("*")];
      nodes += elements.length;
      for (const type of types) root.addEventListener(type, stop);
      for (const leaf of elements.filter((element) => !element.firstElementChild)) {
        for (const type of types) {
          const init = { bubbles: true, cancelable: true, view: window };
          const event = MOUSE.has(type) || type.startsWith("mouse")
            ? new MouseEvent(type, init)
            : new Event(type, init);
          try {
            leaf.dispatchEvent(event);
          } catch (error) {
            hits.push({ sink: "exception", detail: String(error).slice(0, 200), id: commentOf(leaf) });
          }
        }
      }
      for (const type of types) root.removeEventListener(type, stop);
    }
    return nodes;
  }

  // Lets timers, microtasks and a frame run, so work a handler deferred is recorded too.
  const settle = () =>
    new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

  /**
   * Audit, then poke, every comment under spec.root. Hits during a card's poke belong to that
   * card; hits from work a handler deferred arrive after the last card and carry no id unless
   * spec.settleEach is set, which lets each card's deferred work run before the next (slower,
   * used to pin down a culprit).
   */
  async function check(spec) {
    const root = document.querySelector(spec.root);
    if (!root) return { error: `no ${spec.root} on ${location.href}` };
    const own = (element) => spec.ownControls.some((selector) => element.matches(selector));
    const types = wired(spec.events);
    const outside = [];
    for (const element of root.querySelectorAll("*")) {
      if (FORBIDDEN.has(element.localName) && !own(element))
        outside.push({ id: commentOf(element), detail: `<${element.localName}> on the page` });
    }
    const cards = [];
    let poked = 0;
    for (const card of root.querySelectorAll(spec.card)) {
      const id = card.getAttribute("data-id");
      cards.push({ id, ...auditCard(card, spec, spec.expected[id] || {}, own) });
      const before = hits.length;
      poked += poke(card, spec, types);
      if (spec.settleEach) await settle();
      for (const hit of hits.slice(before)) hit.id = hit.id || id;
    }
    await settle();
    return { cards, poked, types: types.length, outside, hits: hits.splice(0) };
  }

  Object.defineProperty(window, "__xssProbe", { value: Object.freeze({ check }) });
})();
