"""The one place that reaches into a library's private API, and why.

Typer writes its own help headings ("Options", "Commands", "required") through a
module-level gettext function, ``typer.core._``, with no public way to translate them.
A French run replaces it with the product's catalogue. The Typer versions this works
with are pinned in ``pyproject.toml``; ``tests/test_compat.py`` fails (it does not fall
back) as soon as a Typer release changes this.
"""

from collections.abc import Callable

import typer.core


def translate_typer_headings(translate: Callable[[str], str]) -> None:
    """Send Typer's own help headings through ``translate``."""
    if not callable(getattr(typer.core, "_", None)):
        raise RuntimeError("typer.core._ is gone: see clientcoach.cli.compat")
    typer.core._ = translate  # type: ignore[attr-defined,assignment]


def reset_typer_headings() -> None:
    """Typer's own gettext again (a French run in the same process, as tests make)."""
    import gettext

    typer.core._ = gettext.gettext  # type: ignore[attr-defined]
