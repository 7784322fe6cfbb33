// The exhibit's live state: Server-Sent Events from /api/presenter/events, the whole state first,
// then changes, through the pages' one stream client (/common/events.js). When the stream fails
// outright we ask whether the session still stands (a 401 closes it): if not, the presenter is
// asked to log in again instead of the page reconnecting.

import { get } from "/common/api.js";
import { EventStream } from "/common/events.js";
import { facts } from "/common/facts.js";

export class PresenterEvents {
  /**
   * @param {object} handlers
   *   onEvent(kind, data)
   *   onState(state): "connecting" | "live" | "reconnecting"
   *   onSessionLost(): the stream was refused because the session is gone
   */
  constructor({ onEvent, onState, onSessionLost }) {
    Object.assign(this, { onEvent, onState, onSessionLost });
    this.stream = null;
  }

  start() {
    this.stream ??= new EventStream("/api/presenter/events", facts.events.presenter, {
      onEvent: (kind, data) => this.onEvent(kind, data),
      onState: (state) => this.onState(state),
      beforeRetry: () => this.sessionStands(),
      withCredentials: true,
    });
  }

  stop() {
    this.stream?.close();
    this.stream = null;
  }

  /** A closed stream is either the exhibit being away or our session gone: ask which. */
  async sessionStands() {
    try {
      await get("/api/presenter/session", { quiet401: true });
    } catch (error) {
      if (error.status === 401) {
        this.stop();
        this.onSessionLost();
        return false;
      }
    }
    return true;
  }
}
