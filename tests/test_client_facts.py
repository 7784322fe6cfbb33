"""What the server publishes for its pages (/common/facts.json) and the pages' shared files: each
fact once, on the server, and the pages reading it instead of keeping a copy."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from aiohttp import web
from support import REPO

from kiosk.client_facts import client_facts
from kiosk.display.events import PRESENTER_EVENTS, SCREEN_EVENTS
from kiosk.display.screen import EVENT_ORDER
from kiosk.languages import languages
from kiosk.pages import PAGE_HEADERS, setup_pages
from kiosk.playground.datasets import DATASETS, EXTENT, MENU, preview, sigma
from kiosk.playground.session import INITIAL_ORDER
from kiosk.playground.spec import ACTIVATIONS, MAX_LAYERS, MAX_NEURONS

CLIENTS = ("display", "tablet_client", "presenter_client", "common_client")


@pytest.fixture
async def client(aiohttp_client):
    app = web.Application()
    setup_pages(app)
    return await aiohttp_client(app)


async def test_the_facts_are_served_uncached_as_json(client) -> None:
    response = await client.get("/common/facts.json")
    assert response.status == 200 and response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "no-cache"
    assert await response.json() == json.loads(json.dumps(client_facts()))


def test_event_kinds_are_the_servers() -> None:
    events = client_facts()["events"]
    assert events["screen"] == list(SCREEN_EVENTS) == list(EVENT_ORDER)
    assert events["presenter"] == [*SCREEN_EVENTS, "status"] == list(PRESENTER_EVENTS)
    assert events["playground"] == list(INITIAL_ORDER)


def test_playground_options_are_the_servers() -> None:
    playground = client_facts()["playground"]
    assert [d["name"] for d in playground["datasets"]] == list(MENU) and sorted(MENU) == sorted(DATASETS)
    assert playground["extent"] == list(EXTENT)
    assert (playground["max_layers"], playground["max_neurons"]) == (MAX_LAYERS, MAX_NEURONS)
    assert {d["text"] for d in playground["datasets"]} == {f"dataset{n.capitalize()}" for n in DATASETS}


@pytest.mark.parametrize("client_folder", ["display", "tablet_client", "presenter_client"])
def test_every_page_names_every_dataset_in_every_language(client_folder: str) -> None:
    keys = {d["text"] for d in client_facts()["playground"]["datasets"]}
    for language in languages():
        texts = json.loads((REPO / client_folder / "i18n" / f"{language}.json").read_text(encoding="utf-8"))
        assert keys <= texts.keys(), (client_folder, language, keys - texts.keys())


@pytest.mark.parametrize("name", DATASETS)
def test_a_preview_is_the_datasets_shape_with_its_noise(name: str) -> None:
    icon = preview(name)
    points, jitter = np.array(icon["points"]), np.array(icon["jitter"])
    assert points.shape == (90, 3) and jitter.shape == (90, 2)
    assert abs(points[:, 2].sum() - 45) <= 1  # both classes, balanced
    assert np.abs(points[:, :2]).max() <= 5.0 + 0.01  # the clean shape, as make_dataset draws it
    assert 0.7 < jitter.std() < 1.3  # unit Gaussian jitter
    assert sigma(name, 0.4) == icon["sigma"][0] + icon["sigma"][1] * 0.4
    assert preview(name) == icon  # the same icon on every load


def test_no_page_keeps_a_copy_of_a_shared_fact() -> None:
    sources = {
        path: path.read_text(encoding="utf-8")
        for folder in CLIENTS
        for path in (REPO / folder).rglob("*.js")
        if "node_modules" not in path.parts
    }
    for path, source in sources.items():
        assert not re.search(r'\[\s*"network",\s*"(scene|exhibit)"', source), (
            f"{path}: event kinds spelled again"
        )
        assert not re.search(r'"spiral",\s*"circles"|spiral:\s*\{', source), (
            f"{path}: the datasets spelled again"
        )
        assert "/display/js/" not in source or path.parts[-3] == "display", (
            f"{path} imports from the screen's folder"
        )
    for page in (REPO / folder / "index.html" for folder in CLIENTS[:3]):  # the three pages
        options = re.findall(r'<option value="([a-z]+)"', page.read_text(encoding="utf-8"))
        assert not set(options) & set(ACTIVATIONS), f"{page}: the activations spelled again"
    for folder in ("display/css", "tablet_client", "presenter_client"):
        for path in (REPO / folder).rglob("*.css"):
            colours = re.findall(r"^\s*--[a-z0-9-]+:\s*#[0-9a-fA-F]{3,6}\b", path.read_text(), re.M)
            assert colours == [], f"{path}: colour tokens belong in common_client/tokens.css"


async def test_every_page_is_served_with_the_same_headers(client) -> None:
    for path in ("/", "/display", "/tablet", "/presenter"):
        response = await client.get(path)
        assert response.status == 200 and response.content_type == "text/html", path
        assert {name: response.headers.get(name) for name in PAGE_HEADERS} == PAGE_HEADERS, path
        html = await response.text()
        assert '<link rel="stylesheet" href="/common/tokens.css">' in html, path


@pytest.mark.parametrize("name", ["tokens.css", "tokens.js", "events.js", "api.js", "opening.js", "facts.js"])
async def test_the_shared_files_are_served(client, name: str) -> None:
    response = await client.get(f"/common/{name}")
    assert response.status == 200, name
    assert response.content_type in {"text/css", "application/javascript", "text/javascript"}
    assert response.headers["Cache-Control"] == "no-cache"
