    // embed-edit.js part: the factory's last hooks and its return, the register call, and the
    // end of the function that prelude.js opened.

    function payloadFields() {
      return nudge ? { nudge_id: nudge.id } : { nudge: true };
    }

    /** The comment's card was replaced ("This comment was removed."): its timers stop. */
    function takenDown(id) {
      watched.get(id)?.();
    }

    return { decorate, remember, showNudge, payloadFields, takenDown };
  }

  widget.register(create);
})();
