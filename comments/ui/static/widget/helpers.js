  // embed.js part: small helpers, requests, and saved details in localStorage.

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

  /** Focus fell to the page (its element was hidden, disabled or removed): put it back. */
  function focusLost() {
    const active = document.activeElement;
    return !active || active === document.body || active === document.documentElement;
  }

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, {
        cache: "no-store", // unless asked: live.js revalidates its checks ("no-cache")
        ...options,
        mode: "cors",
        credentials: "omit",
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
