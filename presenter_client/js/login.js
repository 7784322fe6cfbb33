// Logging in and out. The exhibit keeps the session in an HttpOnly cookie; this page only learns
// the name it goes by (`session` in the store). The name field remembers the last name typed.

import { ApiError, get, post } from "/common/api.js";
import { t } from "./i18n.js";
import { set } from "./store.js";

const NAME_KEY = "nn-kiosk.presenter.name";
const PRINTABLE = /^[^\p{Cc}\p{Cs}]{1,40}$/u;

/** The session's name, or null when there is none (the log-in card shows then). */
export async function currentSession() {
  try {
    const { name } = await get("/api/presenter/session", { quiet401: true });
    return name ?? null;
  } catch (error) {
    if (error.status === 401 || error.status === 503) return null;
    throw error;
  }
}

export async function logOut() {
  try {
    await post("/api/presenter/logout");
  } catch {
    // Already logged out, or the exhibit is away: the cookie expires by itself.
  }
  set("session", null);
}

/** The log-in card; `onLoggedIn(name)` after the exhibit accepted the passphrase. */
export class LoginCard {
  constructor(root, onLoggedIn) {
    this.root = root;
    this.form = root.querySelector("#login-form");
    this.name = root.querySelector("#login-name");
    this.passphrase = root.querySelector("#login-passphrase");
    this.reveal = root.querySelector("#login-reveal");
    this.submit = root.querySelector("#login-submit");
    this.message = root.querySelector("#login-message");
    this.onLoggedIn = onLoggedIn;
    this.retryTimer = null;

    this.name.value = localStorage.getItem(NAME_KEY) ?? "";
    this.reveal.addEventListener("click", () => {
      const shown = this.passphrase.type === "password";
      this.passphrase.type = shown ? "text" : "password";
      this.reveal.setAttribute("aria-pressed", String(shown));
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.logIn();
    });
  }

  show(message = "") {
    this.root.hidden = false;
    this.say(message);
    (this.name.value ? this.passphrase : this.name).focus();
  }

  hide() {
    this.root.hidden = true;
    this.passphrase.value = "";
    this.say("");
  }

  say(text, tone = "problem") {
    this.message.textContent = text;
    this.message.dataset.tone = tone;
  }

  async logIn() {
    const name = this.name.value.trim();
    const passphrase = this.passphrase.value;
    if (!PRINTABLE.test(name)) {
      this.say(t("needName"));
      this.name.setAttribute("aria-invalid", "true");
      this.name.focus();
      return;
    }
    this.name.removeAttribute("aria-invalid");
    if (!passphrase) {
      this.say(t("needPassphrase"));
      this.passphrase.focus();
      return;
    }
    this.submit.disabled = true;
    this.say(t("loggingIn"), "info");
    try {
      const answer = await post("/api/presenter/login", { name, passphrase }, { quiet401: true });
      localStorage.setItem(NAME_KEY, name);
      this.hide();
      this.onLoggedIn(answer.name ?? name);
    } catch (error) {
      this.failed(error);
    } finally {
      if (!this.retryTimer) this.submit.disabled = false;
    }
  }

  failed(error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401 || error.status === 403) {
      this.say(t("wrongPassphrase"));
      this.passphrase.select();
    } else if (error.status === 429) {
      this.countDown(Math.ceil(error.retryAfter ?? 60));
    } else if (error.status === 503) {
      this.say(t("notConfigured"));
    } else if (error.status === 0) {
      this.say(t("unreachable"));
    } else {
      this.say(t("refused", { reason: error.message }));
    }
  }

  /** Throttled: say how long to wait, count down, and keep the button off meanwhile. */
  countDown(seconds) {
    clearInterval(this.retryTimer);
    this.submit.disabled = true;
    const tick = () => {
      if (seconds <= 0) {
        clearInterval(this.retryTimer);
        this.retryTimer = null;
        this.submit.disabled = false;
        this.say("");
        return;
      }
      this.say(t("throttled", { seconds }));
      seconds -= 1;
    };
    tick();
    this.retryTimer = setInterval(tick, 1000);
  }
}
