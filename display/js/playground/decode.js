// Frames from the server carry their grids as base64 of uint8. Decoding straight into a buffer we
// keep (no atob string, no new array per frame) keeps the heap flat at 20–30 frames a second.

const VALUE = new Int16Array(128).fill(-1);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
VALUE["-".charCodeAt(0)] = 62; // the URL-safe alphabet too
VALUE["_".charCodeAt(0)] = 63;

// Decodes `text` into `out` from `offset` on, at most `limit` bytes; returns how many were written.
// Padding, whitespace and anything outside the alphabet are skipped.
export function decodeBase64Into(text, out, offset = 0, limit = out.length - offset) {
  if (typeof text !== "string") return 0;
  let bits = 0;
  let count = 0;
  let written = 0;
  const end = Math.min(out.length, offset + limit);
  let at = offset;
  for (let i = 0; i < text.length && at < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUE[code] : -1;
    if (value < 0) continue;
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[at++] = (bits >> count) & 0xff;
      written += 1;
    }
  }
  return written;
}
