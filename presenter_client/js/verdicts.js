// The visitors' verdicts in the status panel: how often the answers they got were right, by their
// own word ("Was I right?" on the tablet) — the exhibit's accuracy out in the museum.
//
// From the `status` event's `verdicts`: {today: {date, right, wrong, digits: {"0": {right, wrong},
// …}}, days: [{date, right, wrong}, … newest first]} (per digit = the digit the visitor meant).
// Shown: today's totals in one line, a compact table of ten columns (digit, right, wrong), and the
// last days' totals, one line each. No verdicts yet: one line says so.

import { currentLanguage, formatNumber, t } from "./i18n.js";
import { make } from "./widgets.js";

const DIGITS = Array.from({ length: 10 }, (_, digit) => String(digit));

/** Fill `root` (a <dd>) with `verdicts`; a missing or odd part shows as none. */
export function showVerdicts(root, verdicts) {
  const today = verdicts?.today ?? {};
  const days = Array.isArray(verdicts?.days) ? verdicts.days : [];
  const parts = [make("p", "verdicts-today", totals(today, "verdictsToday"))];
  if (count(today.right) + count(today.wrong) > 0) parts.push(digitTable(today.digits ?? {}));
  const earlier = days.filter((day) => day?.date !== today.date && count(day?.right) + count(day?.wrong) > 0);
  if (earlier.length) {
    const list = make("ol", "verdicts-days");
    for (const day of earlier) list.append(make("li", "", `${formatDate(day.date)}: ${totals(day, "verdictsDay")}`));
    parts.push(list);
  }
  root.replaceChildren(...parts);
  root.dataset.right = String(count(today.right));
  root.dataset.wrong = String(count(today.wrong));
}

/** "12 right, 3 wrong (80 % right)", or that there were none. */
function totals(day, key) {
  const right = count(day?.right);
  const wrong = count(day?.wrong);
  if (right + wrong === 0) return t("verdictsNone");
  const percent = formatNumber((100 * right) / (right + wrong), { maximumFractionDigits: 0 });
  return t(key, { right, wrong, percent });
}

/** Ten columns, one a digit: how often visitors who meant it said the answer was right or wrong. */
function digitTable(digits) {
  const table = make("table", "verdicts-digits");
  table.append(make("caption", "visually-hidden", t("verdictsByDigit")));
  const columns = make("colgroup");
  columns.append(make("col", "verdicts-kind"), ...DIGITS.map(() => make("col")));
  table.append(columns);
  const head = make("tr");
  head.append(make("th", "", ""));
  for (const digit of DIGITS) head.append(cell("th", digit, "col"));
  const rows = [head];
  for (const [kind, key] of [
    ["right", "verdictsRight"],
    ["wrong", "verdictsWrong"],
  ]) {
    const row = make("tr");
    row.dataset.kind = kind;
    row.append(cell("th", t(key), "row"));
    for (const digit of DIGITS) row.append(cell("td", String(count(digits?.[digit]?.[kind]))));
    rows.push(row);
  }
  const body = make("tbody");
  body.append(...rows);
  table.append(body);
  return table;
}

function cell(tag, text, scope = "") {
  const element = make(tag, "", text);
  if (scope) element.scope = scope;
  return element;
}

function count(value) {
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** "Sat 5 Dec" from "2026-12-05" (the exhibit's own day). */
function formatDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  if (!match) return String(iso);
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Intl.DateTimeFormat(currentLanguage(), { weekday: "short", day: "numeric", month: "short" }).format(date);
}
