"""Pydantic's validation errors in plain words, worded the same wherever input is checked.

The staff's YAML (kiosk/config/loader.py puts the file and line in front), a playground run
(kiosk/playground/spec.py) and a screen's frame report (kiosk/metrics/frames.py) are checked by
pydantic models. ``describe`` turns each problem into one ``key.path: what is wrong`` line:

- an unknown key names the keys allowed there, and the closest one when it looks like a typo:
  ``metrics.tokn: unknown key; did you mean 'token'? allowed here: enabled, allowed_networks, token``;
- a plain value where a section of keys belongs lists that section's keys;
- our own validators' ``ValueError`` messages are shown as written (they are written for people);
- text where YAML or JSON gave a number or a boolean (``3``, ``yes``) says to put it in quotes;
- anything else: pydantic's own message, e.g. ``Input should be less than or equal to 65535``.

This module imports nothing from kiosk, so any module may use it without an import cycle.
"""

from __future__ import annotations

import difflib
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import ErrorDetails

Loc = tuple[str | int, ...]


def describe(error: ErrorDetails, model: type[BaseModel], top: str = "(top level)") -> str:
    """``key.path: message`` for one of ``ValidationError.errors()`` of ``model``; ``top``: a path of
    nothing (an error about the whole input)."""
    return f"{key_path(error['loc'], top)}: {plain_message(error, model)}"


def key_path(loc: Loc, top: str = "(top level)") -> str:
    """``("attract", "playlist", 0, "seconds")`` → ``attract.playlist.0.seconds``."""
    return ".".join(str(part) for part in loc) or top


def plain_message(error: ErrorDetails, model: type[BaseModel]) -> str:
    """Pydantic's wording, made plainer where it talks about Python rather than what was written."""
    loc, kind = error["loc"], error["type"]
    if kind == "extra_forbidden":
        allowed = fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown key; {hint}allowed here: {', '.join(allowed)}"
    if kind == "model_type":
        return f"must be a section of keys ({', '.join(fields_at(model, loc))}), not {error['input']!r}"
    if kind == "string_type" and isinstance(error["input"], int | float | bool):
        return f"{error['msg']}; if you meant text, put it in quotes"
    if kind == "value_error":  # our own validators' messages say it all
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys of the model found at ``loc`` inside ``model`` (list items: their model's keys)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list keeps the list's item model
        field = current.model_fields.get(str(part)) if current else None
        current = model_in(field.annotation) if field else None
    return list(current.model_fields) if current else []


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds: ``Section``, ``Section | None``, ``list[Item]`` …"""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None
