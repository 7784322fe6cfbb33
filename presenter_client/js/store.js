// What the exhibit last said, by kind (the event stream's `scene`, `timeline`, `exhibit`, `status`, …),
// plus who we are (`session`). Panels subscribe to the kinds they show; nothing here guesses: a
// command's effect shows when the exhibit's event about it arrives.

const latest = new Map();
const listeners = new Map();

/** Call `listener(data, kind)` now (if known) and whenever one of `kinds` changes. */
export function watch(kinds, listener) {
  for (const kind of [].concat(kinds)) {
    if (!listeners.has(kind)) listeners.set(kind, new Set());
    listeners.get(kind).add(listener);
    if (latest.has(kind)) listener(latest.get(kind), kind);
  }
}

export function set(kind, data) {
  latest.set(kind, data);
  for (const listener of listeners.get(kind) ?? []) {
    try {
      listener(data, kind);
    } catch (error) {
      console.error(`the ${kind} panel failed:`, error); // one broken panel must not stop the others
    }
  }
}

export function value(kind) {
  return latest.get(kind);
}

/** Forget the exhibit's state (logged out): panels show nothing stale to the next presenter. */
export function clear() {
  for (const kind of [...latest.keys()]) if (kind !== "session") latest.delete(kind);
}
