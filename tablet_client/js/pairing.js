// Pairing: trade the one-time code from the exhibit screen for a long-lived credential.
//
// The QR code on the screen opens /tablet#code=123456, so a scan pairs without typing. The
// credential lives in localStorage under one key and is never logged or shown.

import { t } from "./i18n.js";

const STORAGE_KEY = "nn-kiosk.tablet";

/** The stored credential, or null if this tablet is not paired. */
export function storedCredential() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY))?.credential ?? null;
  } catch {
    return null;
  }
}

export function forgetCredential() {
  localStorage.removeItem(STORAGE_KEY);
}

/** The code from `#code=123456`, removed from the address: it is spent once used, and a reload must not reuse it. */
export function takeCodeFromAddress() {
  const code = new URLSearchParams(location.hash.slice(1)).get("code");
  if (code !== null) history.replaceState(null, "", location.pathname + location.search);
  return code;
}

/** Exchange `code` for a credential and store it; throws an Error whose message is for the visitor. */
export async function pair(code) {
  code = String(code).replace(/\s+/g, "");
  if (!/^\d{6}$/.test(code)) throw new Error(t("badCode"));
  let response;
  try {
    response = await fetch("/api/tablet/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, name: "tablet" }),
    });
  } catch {
    throw new Error(t("pairFailed"));
  }
  if (response.status === 403) throw new Error(t("wrongCode"));
  if (response.status === 429)
    throw new Error(t("throttled", { seconds: response.headers.get("Retry-After") ?? "60" }));
  if (!response.ok) throw new Error(t("pairFailed"));
  const { device, name, credential } = await response.json();
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ device, name, credential }));
  return credential;
}

/** The pairing form: shows itself, and calls `onPaired(credential)` once a code was accepted. */
export class PairingForm {
  constructor(root, onPaired) {
    this.root = root;
    this.form = root.querySelector("form");
    this.input = root.querySelector("#pairing-code");
    this.submit = root.querySelector("#pairing-submit");
    this.message = root.querySelector("#pairing-message");
    this.onPaired = onPaired;
    this.input.addEventListener("input", () => {
      this.input.value = this.input.value.replace(/\D/g, "").slice(0, 6);
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.tryCode(this.input.value);
    });
  }

  show(message = "") {
    this.root.hidden = false;
    this.message.textContent = message;
    this.input.focus();
  }

  hide() {
    this.root.hidden = true;
    this.input.value = "";
    this.message.textContent = "";
  }

  /** Resolves to whether the code was accepted. */
  async tryCode(code) {
    this.submit.disabled = true;
    this.message.textContent = t("pairing");
    try {
      const credential = await pair(code);
      this.hide();
      this.onPaired(credential);
      return true;
    } catch (error) {
      this.show(error.message);
      return false;
    } finally {
      this.submit.disabled = false;
    }
  }
}
