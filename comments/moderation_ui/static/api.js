/* Moderation queue: requests to the moderation API and what the page announces (loaded by
 * the queue page only, before queue.js, which uses them through window.moderationApi).
 *
 * Requests carry the session cookie and the page's CSRF token; a failure becomes an ApiError
 * whose message can be shown as it is. Announcements go to the page's live regions:
 * successes politely, errors at once.
 */
(() => {
  "use strict";

  const body = document.body;
  if (body.dataset.page !== "queue") return;
  const announcer = document.getElementById("announcer");
  const alerts = document.getElementById("alerts") || announcer;
  const apiBase = body.dataset.api || "/api/v1/moderation";
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  class ApiError extends Error {
    constructor(message, status = 0) {
      super(message);
      this.status = status;
    }
  }

  function announce(message, kind = "ok") {
    const line = document.createElement("p");
    line.className = kind === "error" ? "flash flash-error" : "flash flash-ok";
    line.textContent = message;
    // A refused decision or a failed request interrupts (role="alert"); a success waits for
    // the screen reader to finish (role="status"). Only the latest message stays shown.
    const [region, other] = kind === "error" ? [alerts, announcer] : [announcer, alerts];
    if (other !== region) other.replaceChildren();
    region.replaceChildren(line);
  }

  async function api(method, path, payload) {
    const headers = { Accept: "application/json", "X-CSRF-Token": csrf };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(apiBase + path, {
        method,
        headers,
        credentials: "same-origin",
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (error) {
      throw new ApiError("The server could not be reached; nothing was changed.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.status === 401) throw new ApiError("Your session has ended: reload and sign in.");
    if (!response.ok) {
      const message = (data && data.message) || `The server answered ${response.status}.`;
      throw new ApiError(message, response.status);
    }
    return data;
  }

  window.moderationApi = Object.freeze({ ApiError, announce, api });
})();
