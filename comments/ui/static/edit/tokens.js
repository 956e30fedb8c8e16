  // embed-edit.js part: the store of edit tokens in localStorage, and the end of an edit
  // window for an embed.js that has no watchDeadline.

  const tokens = {
    read() {
      try {
        const raw = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "{}");
        const now = Date.now();
        const kept = {};
        for (const [id, value] of Object.entries(raw && typeof raw === "object" ? raw : {})) {
          if (value && typeof value.token === "string" && Number(value.until) > now) {
            kept[id] = value;
          }
        }
        return kept;
      } catch {
        return {}; // storage disabled or corrupt: no edit buttons, nothing else changes
      }
    },
    write(all) {
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(all));
      } catch {
        /* storage full or disabled */
      }
    },
    get(id) {
      return this.read()[id] || null;
    },
    put(id, value) {
      const all = this.read();
      all[id] = value;
      this.write(all);
    },
    drop(id) {
      const all = this.read();
      delete all[id];
      this.write(all);
    },
  };

  /** An embed.js cached from before watchDeadline: the window closes on time, unannounced. */
  function plainDeadline(until, close) {
    const timer = setTimeout(close, Math.min(until - Date.now(), MAX_TIMER_MS));
    return { node: document.createTextNode(""), update() {}, stop: () => clearTimeout(timer) };
  }
