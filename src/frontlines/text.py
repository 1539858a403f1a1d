"""Text clean-up that keeps offsets honest: the cleaned text is what every offset refers to."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DATE_LINE = re.compile(r"\b(19|20)\d{2}\b|\b(Issue|Published|Posted|Updated)\b", re.I)


def clean_text(text: str) -> str:
    """NFC, Unix newlines, no NUL or other control characters, no trailing spaces.

    Idempotent (``clean_text(clean_text(t)) == clean_text(t)``): the reader and the pipeline both clean,
    and the store's key is the hash of the cleaned text. Lone surrogates (JSON allows ``"\\ud800"``) become
    U+FFFD, since SQLite cannot store them.
    """
    text = _SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # controls go before NFC: "e\x00\u0301" must compose to "é" in one pass
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
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
