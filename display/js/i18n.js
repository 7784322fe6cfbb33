// The screen's texts: display/i18n/<lang>.json, through the exhibit's one translation module
// (common_client/i18n.js, which says how texts, placeholders and grammar choices work). The
// language is the one the server's `network` event names: the staff's, or a visitor's for a while.

import { loadLanguage as load } from "/common/i18n.js";

export { formatNumber, t } from "/common/i18n.js";

export function loadLanguage(language) {
  return load("display", language);
}
