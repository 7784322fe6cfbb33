// "Opens tomorrow at 10:00": when the exhibit opens again, in the exhibit's language and at the
// exhibit's wall-clock time.
//
// The server sends the opening time in ISO 8601 with the exhibit's UTC offset
// ("2025-03-04T10:00:00+01:00"). It is shown as the time at the exhibit whatever zone the browser
// runs in: the offset is applied by hand and the result formatted as UTC.
//
// The screen and the tablet page show it (their closed.js).

const DAY_MS = 86_400_000;
const OFFSET = /(?:Z|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * {day, time, relative} for `iso` in `language`, or null if there is no time to tell.
 *   relative: `day` is "today" or "tomorrow" ("heute", "morgen"), said without "on";
 *   otherwise `day` is a weekday within the week ahead, or a weekday and a date beyond it.
 */
export function describeOpening(iso, language, now = Date.now()) {
  const match = typeof iso === "string" ? OFFSET.exec(iso) : null;
  const at = match ? Date.parse(iso) : NaN;
  if (!Number.isFinite(at)) return null;
  const offset = match[1] ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000 : 0;
  const wall = at + offset; // the exhibit's wall clock, read as if it were UTC
  const days = Math.floor(wall / DAY_MS) - Math.floor((now + offset) / DAY_MS);
  const format = (options) => new Intl.DateTimeFormat(language, { ...options, timeZone: "UTC" }).format(wall);
  const time = format({ hour: "numeric", minute: "2-digit" });
  if (days === 0 || days === 1) {
    const day = new Intl.RelativeTimeFormat(language, { numeric: "auto" }).format(days, "day");
    return { day, time, relative: true };
  }
  const near = days > 1 && days < 7;
  const day = format(near ? { weekday: "long" } : { weekday: "long", day: "numeric", month: "long" });
  return { day, time, relative: false };
}
