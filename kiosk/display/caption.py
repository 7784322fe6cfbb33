"""A presenter's caption: one short line of text over whatever the screen shows.

Text is trimmed; ``None``, ``""`` or blanks take the caption down (``{"text": None}``). Anything
but text of at most ``MAX_CAPTION`` characters is refused with ValueError (the presenter's API
checks the same limit first and answers with a clear message, kiosk/presenter/commands.py).
"""

from __future__ import annotations

MAX_CAPTION = 140


def caption_payload(text: str | None) -> dict:
    """The caption event for ``text``; ValueError for what is not text of at most MAX_CAPTION."""
    if text is not None and (not isinstance(text, str) or len(text) > MAX_CAPTION):
        raise ValueError(f"caption must be text of at most {MAX_CAPTION} characters, or null")
    return {"text": text.strip() or None if text else None}
