// HTTP to the exhibit, for every page: JSON in, JSON out, the presenter's session cookie along
// (same origin only), a tablet's credential in `headers` (Authorization: Bearer …).
//
// Every failure becomes an ApiError with the HTTP status, the exhibit's own words ({"error": ...}),
// who holds the exhibit (409) and how long to wait (429, Retry-After). status 0: no answer at all.
// A 401 from anything but the log-in means the session is gone: listeners of onSessionLost hear it
// (the presenter's; `quiet401` for a request whose 401 is its own business).

export class ApiError extends Error {
  constructor(status, message, { holder = null, retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.holder = holder;
    this.retryAfter = retryAfter;
  }
}

const sessionLostListeners = new Set();

/** `listener()` is called when a request answers 401 (the session expired or was logged out elsewhere). */
export function onSessionLost(listener) {
  sessionLostListeners.add(listener);
  return () => sessionLostListeners.delete(listener);
}

/**
 * `method` `path` with an optional JSON `body` (or `query` object); resolves to the decoded answer.
 * `quiet401`: a 401 is expected here (the log-in, the first session check) and is no news.
 */
export async function api(path, { method = "GET", body, query, headers = {}, quiet401 = false, signal } = {}) {
  let url = path;
  if (query) url += `?${new URLSearchParams(query)}`;
  const init = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json", ...headers },
    signal,
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  } else if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.body = "{}";
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new ApiError(0, "no answer from the exhibit");
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    answer = null; // a proxy's HTML error page, or an empty body
  }
  if (response.ok) return answer ?? {};
  const message = typeof answer?.error === "string" ? answer.error : `${response.status} ${response.statusText}`;
  const retry = Number(response.headers.get("Retry-After"));
  const error = new ApiError(response.status, message, {
    holder: typeof answer?.holder === "string" ? answer.holder : null,
    retryAfter: Number.isFinite(retry) && response.headers.has("Retry-After") ? retry : null,
  });
  if (response.status === 401 && !quiet401) for (const listener of sessionLostListeners) listener();
  throw error;
}

export const get = (path, options = {}) => api(path, { ...options, method: "GET" });
export const post = (path, body, options = {}) => api(path, { ...options, method: "POST", body });
