"""Which language a run speaks: ``--lang``, then ``CLIENTCOACH_LANG``, the config file,
the locale. Here, in the command line, because it reads the config file (storage) and
the catalogue (``i18n``) must stay below every layer that prints a message.
"""

from __future__ import annotations

import os

from clientcoach.errors import UsageError
from clientcoach.i18n import DEFAULT, SUPPORTED, _, from_locale, normalise, set_language
from clientcoach.storage import config


def choose(argv_lang: str | None, lenient: bool = False) -> tuple[str, str]:
    """The language to use and where it came from; raises UsageError for a bad choice.

    An explicit choice (option, environment, config file) must be a supported language;
    a locale in another language quietly means English. The config file is read whole,
    so that a typo in it never silently falls back to a default; ``lenient`` reads only
    its language, for the commands that must run whatever the file holds (``coach
    config``, which mends it, and help).
    """
    choices = ", ".join(SUPPORTED)
    if argv_lang is not None:
        code = normalise(argv_lang)
        if code is None:
            raise UsageError(
                _("--lang {value}: unknown language").format(value=argv_lang),
                _("use one of: {choices}").format(choices=choices),
            )
        return code, "option"
    env = os.environ.get("CLIENTCOACH_LANG", "").strip()
    if env:
        code = normalise(env)
        if code is None:
            raise UsageError(
                _("CLIENTCOACH_LANG={value}: unknown language").format(value=env),
                _("use one of: {choices}, or unset it").format(choices=choices),
            )
        return code, "environment"
    configured = config.file_language() if lenient else config.file_value("language")
    if isinstance(configured, str):
        return configured, "config"
    return (from_locale() or DEFAULT), "locale"


_chosen: tuple[str, str] | None = None


def init_language(argv_lang: str | None, lenient: bool = False) -> str:
    """Pick the language at start-up (see the module docstring) and switch to it."""
    global _chosen
    try:
        _chosen = choose(argv_lang, lenient)
    except UsageError:
        # The problem is told in the language the file asks for, when it names one: read
        # again in that language, it raises again, in its words.
        fallback = config.file_language()
        if fallback is None:
            raise
        set_language(fallback)
        _chosen = choose(argv_lang, lenient)
    set_language(_chosen[0])
    return _chosen[0]


def chosen_by_option() -> bool:
    """Whether this run's language was given with ``--lang`` (it then wins over a draft's)."""
    return _chosen is not None and _chosen[1] == "option"


def in_force() -> tuple[str, str]:
    """This run's language and where it came from, as chosen at start-up (``--lang``
    included), or as it would be chosen now when the run did not start through ``main``."""
    return _chosen if _chosen is not None else choose(None)


def reset() -> None:
    """Forget this run's choice: in-process runs share one interpreter."""
    global _chosen
    _chosen = None
