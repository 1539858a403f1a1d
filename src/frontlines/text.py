"""Text clean-up that keeps offsets honest: the cleaned text is what every offset refers to."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff\ufffe\uffff]")
_DATE_LINE = re.compile(r"\b(19|20)\d{2}\b|\b(Issue|Published|Posted|Updated)\b", re.I)


def clean_text(text: str) -> str:
    """NFC, Unix newlines, no NUL or other control characters, no trailing spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text.strip("\n ")


def split_title(text: str, max_lines: int = 12) -> str | None:
    """A title from the top of a plain-text article: the first short line that is not a date or
    masthead (three words or more, no full stop at the end)."""
    for line in text.split("\n")[:max_lines]:
        line = line.strip()
        if not line or len(line) > 160 or _DATE_LINE.search(line):
            continue
        if len(line.split()) < 3 or line.endswith((".", ":")):
            continue
        if line.lower().startswith(("current issue", "home", "menu", "skip to", "share", "follow us")):
            continue
        return line
    return None
