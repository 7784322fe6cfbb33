"""The languages the exhibit speaks: those with a translation file in every page's folder.

Each page has an i18n folder (``display/i18n/fr.json``, ``tablet_client/i18n/fr.json``,
``presenter_client/i18n/fr.json``); a language is spoken when all three have its file, so adding
a language is adding its three files (common_client/i18n.js reads them). The staff's
``language:`` (kiosk/config/schema.py) and a visitor's pick on the tablet (kiosk/tablet/protocol.py)
must be one of these.
"""

from __future__ import annotations

import re
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PAGES = {"display": "display", "tablet": "tablet_client", "presenter": "presenter_client"}  # page → folder


def languages() -> list[str]:
    """The language codes (``en``, ``de`` …) every page has a translation file for, sorted."""
    per_page = [{p.stem for p in (PROJECT_DIR / folder / "i18n").glob("*.json")} for folder in PAGES.values()]
    return sorted(code for code in set.intersection(*per_page) if re.fullmatch(r"[a-z]{2,3}", code))
