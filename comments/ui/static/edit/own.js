    // embed-edit.js part: editing and deleting one's own comments while their window is open.

    /* ---- editing one's own comments ---- */

    function remember(data, payload) {
      closeNudge();
      const until = Date.parse(String(data.editable_until || ""));
      if (typeof data.edit_token !== "string" || !(until > Date.now())) return;
      const left = Number.isInteger(data.edit_extensions_left) ? data.edit_extensions_left : null;
      tokens.put(data.id, { token: data.edit_token, until, left, body: payload.body });
    }

    function decorate(entry, comment, pending) {
      const saved = tokens.get(comment.id);
      if (!saved) return;
      const body = entry.article.querySelector(".cw-body");
      const key = `cw-edit-${comment.id}-${++decorated}`;
      /**
       * Named for the comment, as Reply and Report are: the word shown, hidden words after it,
       * then the card's "Ann's comment, 3 minutes ago" (entry.about, the id embed.js gives it).
       */
      const button = (suffix, className, word, rest = "") => {
        const id = `${key}-${suffix}`;
        return el(
          "button",
          {
            type: "button",
            class: className,
            id,
            "aria-labelledby": entry.about ? `${id} ${entry.about}` : null,
          },
          word,
          rest ? el("span", { class: "cw-visually-hidden" }, rest) : null,
        );
      };
      const editButton = button("edit", "cw-link-button", "Edit");
      const deleteButton = button("delete", "cw-link-button", "Delete");
      // tabindex: focus lands here when the control that had it goes (saved, window closed).
      const message = el("p", {
        class: "cw-edit-status",
        role: "status",
        tabindex: "-1",
        id: `${key}-status`,
      });
      const actions = el("div", { class: "cw-own-actions" }, editButton, " ", deleteButton);
      const box = el("textarea", {
        dir: "auto", // as the comment form's box: Arabic or Hebrew runs right to left
        lang: w.pageLang,
        rows: 4,
        maxlength: 10000,
        "aria-label": "Edit your comment",
        // What the status says of the edit (refused, edited in another tab, time running out)
        // is read with the box.
        "aria-describedby": message.id,
      });
      const save = button("save", "cw-submit", "Save", " changes to");
      const cancel = button("cancel", "cw-link-button", "Cancel", " editing");
      const editor = el("div", { class: "cw-editor", hidden: true }, box, save, " ", cancel);
      let confirming = null; // the "Delete your comment?" question while it is asked
      let closed = false;
      let editingFrom = ""; // the editor's text when it opened, to tell whether it changed
      const close = () => closeWindow();

      /**
       * Another tab of this browser saved an edit of this comment (the store is shared):
       * an editor open here and not typed in yet shows the new text; one typed in keeps the
       * reader's words and says that saving them replaces that edit.
       */
      const editedElsewhere = (event) => {
        if (event.key !== STORAGE_KEY || editor.hidden) return;
        const latest = tokens.get(comment.id)?.body;
        if (typeof latest !== "string" || latest === editingFrom) return;
        if (box.value === editingFrom) {
          box.value = latest;
          editingFrom = latest;
        } else {
          message.textContent =
            "This comment was edited in another tab: saving replaces that edit with yours.";
        }
      };
      window.addEventListener("storage", editedElsewhere);
      /** Nothing more to watch: the window closed, or the comment was deleted or taken down. */
      const release = () => {
        closed = true;
        deadline.stop();
        window.removeEventListener("storage", editedElsewhere);
        if (watched.get(comment.id) === release) watched.delete(comment.id);
      };
      const deadline =
        typeof w.watchDeadline === "function"
          ? w.watchDeadline({
              id: comment.id,
              key,
              about: entry.about,
              until: saved.until,
              left: Number.isInteger(saved.left) ? saved.left : null,
              current: () => tokens.get(comment.id),
              extended: (until, left) => {
                const current = tokens.get(comment.id);
                if (current) tokens.put(comment.id, { ...current, until, left });
              },
              close,
              say: (text) => {
                message.textContent = text;
              },
              focusTarget: () => (editor.hidden ? editButton : box),
            })
          : plainDeadline(saved.until, close);
      entry.article.append(actions, editor, deadline.node, message);
      watched.set(comment.id, release);

      /** The window closed (timer, or the server said so): the buttons go, the text stays. */
      const closeWindow = () => {
        if (closed) return;
        release();
        tokens.drop(comment.id);
        const active = document.activeElement;
        const hadFocus = [actions, editor, confirming, deadline.node].some(
          (node) => node && node.contains(active),
        );
        const editing = !editor.hidden;
        const unsaved = editing && box.value !== editingFrom;
        actions.remove();
        deadline.node.remove();
        confirming?.remove();
        confirming = null;
        if (unsaved) {
          // The reader's words stay where they typed them, read-only but selectable to copy.
          // Not moved into the comment form: posted from there they would be a second comment.
          save.remove();
          cancel.remove();
          box.readOnly = true;
          box.setAttribute("aria-label", "Your unsaved edit (can no longer be saved)");
        } else {
          editor.remove();
        }
        if (editing || hadFocus) message.textContent = "The time to edit this comment is over.";
        if (hadFocus) (unsaved ? box : message).focus();
      };

      async function send(method, payload) {
        const current = tokens.get(comment.id);
        if (!current) {
          closeWindow();
          return null;
        }
        const headers = { "X-Edit-Token": current.token };
        if (payload) headers["Content-Type"] = "application/json";
        let response;
        try {
          response = await request(new URL(`comments/${comment.id}`, w.api), {
            method,
            headers,
            body: payload ? JSON.stringify(payload) : undefined,
          });
        } catch {
          message.textContent = "Could not reach the comment server; please try again.";
          return null;
        }
        const data = await readJson(response);
        if (response.ok && data) return data;
        const reason = data && typeof data.message === "string" ? data.message : "";
        if (response.status === 403 || response.status === 409) closeWindow();
        if (response.status === 429) {
          const after = w.retryAfterSeconds(response, data);
          message.textContent = after
            ? `Too many changes, try again in ${w.plural(after, "second", "seconds")}.`
            : "Too many changes, try again in a little while.";
        } else if (data && data.errors && data.errors.body) {
          refuse([].concat(data.errors.body).join(" ")); // e.g. only zero-width characters
        } else {
          message.textContent = reason || `Sorry, that did not work (error ${response.status}).`;
        }
        return null;
      }

      /** As the comment form refuses a field: the box is marked, and focus goes back to it. */
      function refuse(text) {
        message.textContent = text;
        box.setAttribute("aria-invalid", "true");
        box.focus();
      }

      /**
       * aria-disabled rather than disabled, as the form's "Post Comment": the button keeps
       * focus while its request runs, and a second press (a double click) sends nothing more.
       */
      const setBusy = (button, busy) => {
        if (busy) button.setAttribute("aria-disabled", "true");
        else button.removeAttribute("aria-disabled");
      };
      const isBusy = (button) => button.getAttribute("aria-disabled") === "true";

      editButton.addEventListener("click", () => {
        box.value = tokens.get(comment.id)?.body || body.textContent.trim();
        editingFrom = box.value;
        editor.hidden = false;
        actions.hidden = true;
        message.textContent = "";
        box.removeAttribute("aria-invalid");
        box.focus();
      });
      const stopEditing = () => {
        editor.hidden = true;
        actions.hidden = false;
        editButton.focus();
      };
      // Not while the edit is saved: a failure would be told under a closed editor, the
      // reader's words out of view.
      const cancelEditing = () => {
        if (!isBusy(cancel)) stopEditing();
      };
      cancel.addEventListener("click", cancelEditing);
      // The comment form's keys: Ctrl+Enter (or Cmd+Enter) saves from the box, Escape cancels.
      // Not once the window has closed: the box left then is only there to copy from.
      editor.addEventListener("keydown", (event) => {
        if (closed) return;
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target === box) {
          event.preventDefault();
          save.click();
        } else if (event.key === "Escape") {
          event.preventDefault();
          cancelEditing();
        }
      });
      save.addEventListener("click", async () => {
        if (isBusy(save)) return;
        if (!box.value.trim()) {
          refuse("Please write a comment.");
          return;
        }
        box.removeAttribute("aria-invalid");
        if (box.value === editingFrom) {
          // Nothing to send: the comment is as it was, and its deadline too (an edit's answer
          // names the same one; only Extend moves it).
          message.textContent = "";
          stopEditing();
          return;
        }
        const sent = box.value; // what the server has if it agrees
        setBusy(save, true);
        setBusy(cancel, true);
        // As the comment form's box while it posts: words typed meanwhile would be lost when
        // the editor closes. Writable again after a failure, unless the window closed meanwhile
        // (its box is then left read-only to copy from).
        box.readOnly = true;
        const data = await send("PATCH", { body: sent });
        setBusy(save, false);
        setBusy(cancel, false);
        if (!closed) box.readOnly = false;
        if (!data) return;
        deadline.update(Date.parse(String(data.editable_until || "")), data.edit_extensions_left);
        const current = tokens.get(comment.id);
        if (current) tokens.put(comment.id, { ...current, body: sent });
        body.replaceChildren(w.commentFragment(String(data.html || "")));
        stopEditing(); // as after Cancel; the status below says what became of the edit
        const held = data.status !== "published";
        // The form's "Your comment has been published." would contradict a held edit. An
        // embed.js cached from before this hook existed leaves it.
        if (typeof w.statusOutdated === "function") w.statusOutdated(comment.id);
        w.setPending(entry, comment, held);
        pending = held;
        message.textContent = held
          ? "Your edit is awaiting moderation and will appear once approved."
          : "Your comment was updated.";
      });

      deleteButton.addEventListener("click", () => {
        if (confirming) return;
        // Described by the card's "Ann's comment, …": the question says what "it" is.
        const which = {
          type: "button",
          class: "cw-link-button",
          "aria-describedby": entry.about,
        };
        const yes = el("button", which, "Yes, delete it");
        const no = el("button", which, "Keep it");
        confirming = el("p", { class: "cw-confirm" }, "Delete your comment? ", yes, " ", no);
        actions.after(confirming);
        // Not while the delete is on its way: the question would go, and the comment with it.
        const keep = () => {
          if (isBusy(no)) return;
          confirming.remove();
          confirming = null;
          deleteButton.focus();
        };
        no.addEventListener("click", keep);
        // Escape keeps it, as it cancels the editor and the reply form.
        confirming.addEventListener("keydown", (event) => {
          if (event.key !== "Escape") return;
          event.preventDefault();
          keep();
        });
        yes.addEventListener("click", async () => {
          if (isBusy(yes)) return;
          setBusy(yes, true);
          setBusy(no, true);
          const data = await send("DELETE");
          setBusy(yes, false);
          setBusy(no, false);
          if (confirming) {
            confirming.remove();
            confirming = null;
            if (!closed) deleteButton.focus(); // not deleted: back to where the reader was
          }
          if (!data) return;
          release(); // nothing left to close or to tell: the comment is gone
          tokens.drop(comment.id);
          if (!pending) {
            state.total = Math.max(0, state.total - 1);
            w.updateCount();
          }
          setStatus("Your comment was deleted.", "ok");
          if (entry.replies.children.length || entry.li.contains(w.form)) {
            entry.article.replaceChildren(
              el("p", { class: "cw-removed" }, "This comment was deleted by its author."),
            );
            entry.article.removeAttribute("aria-labelledby"); // its author and time are gone
            entry.article.focus(); // the placeholder, where the comment was
          } else {
            entry.li.remove();
            // To "Your comment was deleted.", not the top of the page. An embed.js cached
            // from before this hook existed leaves focus where it falls.
            if (typeof w.focusStatus === "function") w.focusStatus();
          }
        });
        yes.focus();
      });
    }
