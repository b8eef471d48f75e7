"""The message catalogue: every user-facing string goes through ``_()``.

English is the source language and the fallback: ``_("text")`` returns the text itself
unless a catalogue for the current language has a translation for it.
"""

from __future__ import annotations

_language = "en"
_catalogue: dict[str, str] = {}


def set_language(language: str) -> None:
    global _language, _catalogue
    _language = language
    _catalogue = {}


def language() -> str:
    return _language


def _(message: str) -> str:
    """The translation of ``message`` in the current language, else ``message``."""
    return _catalogue.get(message, message)
