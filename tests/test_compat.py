"""The one use of a library's private API (``clientcoach.cli.compat``) still works.

Typer has no public way to translate its own help headings; a French run replaces the
gettext function Typer calls. If a Typer release stops calling it, these tests fail:
nothing falls back silently to English headings.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator

import pytest
import typer
import typer.core
from typer.testing import CliRunner

from clientcoach.cli import compat


@pytest.fixture
def reset() -> Iterator[None]:
    yield
    compat.reset_typer_headings()


def _tiny_app() -> typer.Typer:
    app = typer.Typer(rich_markup_mode=None)

    @app.command()
    def one(count: int = 1) -> None:
        """First."""

    @app.command()
    def two() -> None:
        """Second."""

    return app


def test_typer_sends_its_headings_through_the_function_compat_replaces(reset: None) -> None:
    compat.translate_typer_headings(lambda text: f"<{text}>")
    shown = CliRunner().invoke(_tiny_app(), ["--help"]).output
    assert "<Options>" in shown
    assert "<Commands>" in shown


def test_reset_gives_typer_its_own_gettext_back(reset: None) -> None:
    compat.translate_typer_headings(str.upper)
    compat.reset_typer_headings()
    assert typer.core._ is gettext.gettext  # type: ignore[attr-defined]
    assert "Options" in CliRunner().invoke(_tiny_app(), ["--help"]).output


def test_a_typer_without_the_function_is_refused_not_ignored(
    monkeypatch: pytest.MonkeyPatch, reset: None
) -> None:
    monkeypatch.delattr(typer.core, "_")
    with pytest.raises(RuntimeError, match=r"typer\.core\._ is gone"):
        compat.translate_typer_headings(str.upper)
