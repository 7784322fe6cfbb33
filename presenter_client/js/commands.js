// Commands to the exhibit from the console's buttons, with the answer told in words.
//
// Screen commands (scene, timeline, neuron, caption, sample, playground) take the exhibit for us
// if nobody holds it; if another presenter does, the exhibit answers 409 with their name, and we
// say so rather than fight: the hold bar offers the explicit "Take over". What the screen then
// shows arrives as events: buttons do not pretend a command worked before the exhibit says so.

import { post } from "/common/api.js";
import { t } from "./i18n.js";
import { say } from "./notice.js";

/** A human sentence for a failed request. */
export function explain(error) {
  if (error.status === 0) return t("unreachable");
  if (error.status === 409 && error.holder) return t("heldBy", { name: error.holder });
  if (error.status === 401) return t("sessionEnded");
  if (error.status === 429) return t("throttled", { seconds: error.retryAfter ?? 60 });
  return t("failed", { reason: error.message });
}

/**
 * POST `body` to `path`; resolves to the answer, or null after telling the presenter why not.
 * `control` (a button) shows a pending state meanwhile; `confirm` is said on success.
 */
export async function command(path, body, { control = null, confirm = "" } = {}) {
  if (control) control.dataset.pending = "true";
  try {
    const answer = await post(path, body);
    if (confirm) say(confirm);
    return answer;
  } catch (error) {
    if (error.status !== 401) say(explain(error), "problem"); // 401: the log-in card says it
    return null;
  } finally {
    if (control) delete control.dataset.pending;
  }
}
