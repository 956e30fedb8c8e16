  // embed.js part: loading embed-edit.js and handing it one widget's hooks. The widget works
  // without it: a missing or broken extension leaves plain commenting.

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

  let extensionReady = null; // loadExtension's promise, shared by every widget on the page

  /**
   * Once the extension has loaded (or failed to), give this widget its hooks in ctx.ext.
   * The object passed to the factory is embed-edit.js's whole view of the widget: keep it
   * stable. Resolves either way, so loading and posting can wait on it.
   */
  function attachExtension(ctx) {
    const { form, textarea } = ctx.ui;
    return extensionReady.then((factory) => {
      if (!factory) return;
      try {
        ctx.ext = factory({
          el,
          request,
          readJson,
          retryAfterSeconds,
          plural,
          commentFragment,
          api: API,
          state: ctx.state,
          form,
          textarea,
          setStatus: (message, kind) => setStatus(ctx, message, kind),
          focusStatus: () => ctx.ui.formStatus.focus(),
          statusOutdated: (id) => statusOutdated(ctx, id),
          updateCount: () => updateCount(ctx),
          setPending: (entry, comment, pending) => setPending(ctx, entry, comment, pending),
          watchDeadline: (options) => watchDeadline(ctx, options),
          insertPoint: form.querySelector(".cw-actions"),
          pageLang: PAGE_LANG, // the language readers' text is marked with
        });
      } catch {
        ctx.ext = null; // a broken extension must not break commenting
      }
    });
  }
