"""The translation files of the three pages, checked without a browser (common_client/i18n.js).

Every page (display, tablet, presenter) has one JSON file per language with exactly English's
keys, the same ``{placeholders}`` per text, valid grammar choices (``{"by": name, ..., "other":
...}``) and no empty text; all three pages speak the same languages; every key a page's HTML or
modules use exists. Also: the shared module is served from ``/common/`` and nothing else is.
"""

from __future__ import annotations

import json
import re

import pytest
from aiohttp import web
from support import REPO

from kiosk.languages import PAGES, languages
from kiosk.pages import setup_pages

FOLDERS = {page: REPO / folder / "i18n" for page, folder in PAGES.items()}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def _texts(page: str, language: str) -> dict:
    return json.loads((FOLDERS[page] / f"{language}.json").read_text(encoding="utf-8"))


def _variants(key: str, text: object) -> list[str]:
    """The strings of one text (one, or a choice's options); a malformed text fails here."""
    if isinstance(text, str):
        return [text]
    assert isinstance(text, dict), f"{key}: a text is a string or a choice object, not {type(text).__name__}"
    assert isinstance(text.get("by"), str) and text["by"], f'{key}: a choice says what it chooses by ("by")'
    assert "other" in text, f'{key}: a choice needs an "other" text'
    options = {name: value for name, value in text.items() if name != "by"}
    for name, value in options.items():
        known = name in PLURAL_CATEGORIES or re.fullmatch(r"-?\d+|[a-z_]+", name)
        assert known, f"{key}: odd choice {name!r}"
        assert isinstance(value, str), f"{key}.{name}: a choice's options are strings"
    return list(options.values())


def _placeholders(key: str, text: object) -> set[str]:
    found = set()
    for variant in _variants(key, text):
        found |= set(PLACEHOLDER.findall(variant))
    return found


def _chosen_by(*texts: object) -> set[str]:
    """What choices choose by: "1 neuron" need not repeat the count it was chosen by."""
    return {text["by"] for text in texts if isinstance(text, dict)}


def test_every_page_speaks_the_same_languages_and_english() -> None:
    found = {page: sorted(p.stem for p in folder.glob("*.json")) for page, folder in FOLDERS.items()}
    assert found["display"] == found["tablet"] == found["presenter"], found
    assert {"en", "de", "fr", "es", "nl"} <= set(found["display"])
    assert languages() == found["display"]


@pytest.mark.parametrize("page", sorted(FOLDERS))
def test_every_language_has_englishs_keys_placeholders_and_no_empty_text(page: str) -> None:
    english = _texts(page, "en")
    for language in languages():
        texts = _texts(page, language)
        where = f"{page}/i18n/{language}.json"
        missing, extra = english.keys() - texts.keys(), texts.keys() - english.keys()
        assert not missing and not extra, f"{where}: missing {sorted(missing)}, extra {sorted(extra)}"
        for key, text in texts.items():
            for variant in _variants(f"{where} {key}", text):
                assert variant.strip(), f"{where} {key}: empty text"
                assert variant == variant.strip(), f"{where} {key}: spaces at an end"
                assert "Ø" not in variant, f"{where} {key}: a slashed zero"
            by = _chosen_by(text, english[key])
            wanted = _placeholders(key, english[key]) - by
            assert _placeholders(key, text) - by == wanted, f"{where} {key}: placeholders unlike English's"


@pytest.mark.parametrize("page", sorted(FOLDERS))
def test_every_key_a_page_uses_is_translated(page: str) -> None:
    client = FOLDERS[page].parent
    used = set(re.findall(r'data-i18n(?:-label|-placeholder)?="(\w+)"', (client / "index.html").read_text()))
    for module in (client / "js").rglob("*.js"):
        used |= set(re.findall(r'\bt\(\s*"(\w+)"', module.read_text(encoding="utf-8")))
    assert used, f"{page}: no texts found; the pattern is out of date"
    assert used - _texts(page, "en").keys() == set(), f"{page}: used but not translated"


def test_each_language_names_itself() -> None:
    names = {language: _texts("tablet", language)["languageName"] for language in languages()}
    assert names["en"] == "English" and names["de"] == "Deutsch" and names["fr"] == "Français"
    assert len(set(names.values())) == len(names), names


def test_adding_a_language_is_adding_its_files(tmp_path, monkeypatch) -> None:
    import kiosk.languages
    from kiosk.pages import language_names

    for page, folder in kiosk.languages.PAGES.items():
        (tmp_path / folder / "i18n").mkdir(parents=True)
        for language in ("en", "it"):
            texts = _texts(page, "en")
            if language == "it" and page == "tablet":
                texts["languageName"] = "Italiano"
            (tmp_path / folder / "i18n" / f"{language}.json").write_text(json.dumps(texts), encoding="utf-8")
    monkeypatch.setattr(kiosk.languages, "PROJECT_DIR", tmp_path)
    assert languages() == ["en", "it"]
    assert language_names(tmp_path / "tablet_client") == {"en": "English", "it": "Italiano"}
    (tmp_path / "presenter_client" / "i18n" / "it.json").unlink()  # not for every page: not spoken
    assert languages() == ["en"]


def test_english_says_an_8_and_a_7() -> None:
    predicted = _texts("display", "en")["predicted"]
    assert predicted["8"].endswith(" an") and predicted["other"].endswith(" a")


def test_french_puts_a_space_before_colon_percent_and_exclamation() -> None:
    # A plain space will do: common_client/i18n.js makes it a no-break one.
    for page in FOLDERS:
        for key, text in _texts(page, "fr").items():
            for variant in _variants(key, text):
                for mark in re.finditer(r"[%:!?;]", variant):
                    before, after = variant[: mark.start()], variant[mark.end() :]
                    if mark[0] == ":" and (after.startswith(("//", "{")) or after[:1].isdigit()):
                        continue  # a URL or a time (4:05), not a sentence's colon
                    assert before[-1:] in (" ", "\u00a0", "\u202f"), f"{page} fr {key}: {mark[0]}"


# ---- the shared module, served ------------------------------------------------------------------


@pytest.fixture
async def client(aiohttp_client):
    app = web.Application()
    setup_pages(app)
    return await aiohttp_client(app)


async def test_the_shared_module_is_served_uncached(client) -> None:
    response = await client.get("/common/i18n.js")
    assert response.status == 200
    assert response.content_type in {"application/javascript", "text/javascript"}
    assert response.headers["Cache-Control"] == "no-cache"
    assert "export function t(" in await response.text()


@pytest.mark.parametrize(
    "path", ["/common/", "/common/nothing.js", "/common/../kiosk/app.py", "/common/%2e%2e/pyproject.toml"]
)
async def test_nothing_else_is_served_from_common(client, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404, path


def test_no_page_keeps_its_own_strings() -> None:
    for page in FOLDERS:
        source = (FOLDERS[page].parent / "js" / "i18n.js").read_text(encoding="utf-8")
        assert 'from "/common/i18n.js"' in source, page
        assert "STRINGS" not in source, page
