"""The message catalogue: every user-facing string goes through ``_()`` or ``ngettext()``.

English is the source language and the fallback: ``_("text")`` returns the text itself
unless the catalogue of the current language has a translation for it. Catalogues are
gettext catalogues (the standard library's ``gettext``): the ``.po`` sources and the
compiled ``.mo`` files ship in ``clientcoach/locales/<lang>/LC_MESSAGES/``. A catalogue
is read only when a language other than English is chosen, so English start-up pays
nothing for it. ``python -m tests.catalogues`` compiles and checks them.

Which language a run speaks is chosen by :mod:`clientcoach.cli.language`; the locale is
only read as text here: nothing needs the locale to be installed.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

SUPPORTED = ("en", "fr")
DEFAULT = "en"
DOMAIN = "clientcoach"

_language = DEFAULT
_translations: gettext.NullTranslations = gettext.NullTranslations()


def set_language(language: str) -> None:
    """Switch language; loads its catalogue (an unknown language falls back to English)."""
    global _language, _translations
    _language = language if language in SUPPORTED else DEFAULT
    _translations = _load(_language) if _language != DEFAULT else gettext.NullTranslations()


def language() -> str:
    return _language


# The decimal separator of each language (French writes 3,4 where English writes 3.4).
_DECIMAL = {"fr": ","}


def decimal(text: str) -> str:
    """A number already formatted with a point, written the current language's way."""
    separator = _DECIMAL.get(_language)
    return text.replace(".", separator) if separator else text


def _(message: str) -> str:
    """The translation of ``message`` in the current language, else ``message``."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` in the current language (French: 0 and 1 are
    singular, English: only 1), else the English form."""
    return _translations.ngettext(singular, plural, n)


def catalogue_dir() -> Path:
    return Path(__file__).with_name("locales")


def _load(language: str) -> gettext.NullTranslations:
    path = catalogue_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    except (OSError, ValueError, UnicodeDecodeError):
        # A missing or broken catalogue must never stop the tool: show English.
        return gettext.NullTranslations()


def normalise(value: str) -> str | None:
    """``fr``, ``FR``, ``fr_FR.UTF-8``, ``fr-CA`` -> ``fr``; None when not supported."""
    code = value.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return code if code in SUPPORTED else None


def from_locale(environ: dict[str, str] | None = None) -> str | None:
    """The language of the locale variables, the way gettext reads them (first set wins)."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            # "C" and "POSIX" mean "no language chosen": English.
            return normalise(value) if value not in ("C", "POSIX") else None
    return None
