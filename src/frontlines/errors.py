"""Errors that say what to do."""

from __future__ import annotations


class FrontlinesError(Exception):
    """Base class: every error Frontlines raises on purpose."""


class InputError(FrontlinesError):
    """A file or record cannot be read as an article. The message names it and says why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


class ModelError(FrontlinesError):
    """The spaCy model is missing."""


class GazetteerError(FrontlinesError):
    """The offline gazetteer cannot be built or read."""
