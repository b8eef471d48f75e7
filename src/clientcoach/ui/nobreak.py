"""Consoles that never end a line at a no-break space.

French puts a no-break space before ``? ! : ;`` and inside « ». Rich breaks lines at
every Unicode space, those included (Textualize/rich#4196), so a prompt could wrap with a
lone "?" at the start of a line. This uses Rich's public API only: a text holding a
no-break space is rendered with each of them standing in as a private-use character of
the same width, where Rich never breaks, and put back in every segment Rich yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from clientcoach.ui.escape import UNSAFE, visible

NO_BREAK = "\u00a0\u202f"
# Private-use stand-ins, one cell wide like the spaces they hold the place of.
_HOLD = str.maketrans({"\u00a0": "\ue000", "\u202f": "\ue001"})
_BACK = str.maketrans({"\ue000": "\u00a0", "\ue001": "\u202f"})


class NoBreak:
    """A text drawn like any other, but never ended at a no-break space."""

    def __init__(self, text: Text, end: str | None = None) -> None:
        self.held = Text(
            text.plain.translate(_HOLD),
            style=text.style,
            justify=text.justify,
            overflow=text.overflow,
            no_wrap=text.no_wrap,
            end=text.end if end is None else end,
            tab_size=text.tab_size,
            spans=list(text.spans),  # one character for one: styles stay on their cells
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for segment in console.render(self.held, options):
            yield Segment(segment.text.translate(_BACK), segment.style, segment.control)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.held)


def _holds_no_break(text: str) -> bool:
    return any(space in text for space in NO_BREAK)


class NoBreakConsole(Console):
    """A Rich console whose printed texts never end a line at a no-break space, and
    whose drawn text can drive no terminal (:mod:`.escape`): markup is never parsed, and
    every segment it draws, inside tables and trees too, passes through the escaper."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(*args, **kwargs)

    def on_broken_pipe(self) -> None:
        # Rich exits 1 when the reader goes away; the command line's one error handler
        # (cli.common.guard) treats a closed pipe the same for every command: exit 0.
        raise BrokenPipeError

    def render(self, renderable: Any, options: ConsoleOptions | None = None) -> Iterator[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or UNSAFE.search(segment.text) is None:
                yield segment
            else:
                yield Segment(visible(segment.text), segment.style, segment.control)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if kwargs.get("soft_wrap") and self.is_terminal:
            # soft_wrap keeps piped output one line per item; on a terminal it would let
            # the terminal cut words ("s|ur ce client"): Rich wraps at spaces instead.
            kwargs["soft_wrap"] = False
        shown = []
        for value in objects:
            if isinstance(value, str) and _holds_no_break(value):
                value = self.render_str(
                    value,
                    markup=kwargs.get("markup"),
                    emoji=kwargs.get("emoji"),
                    highlight=kwargs.get("highlight"),
                )
            if isinstance(value, Text) and _holds_no_break(value.plain):
                # Rich applies print's ``end`` to texts only: a prompt (``end=""``, as
                # ``input`` prints it) would otherwise be followed by a line break.
                value = NoBreak(value, kwargs.get("end"))
            shown.append(value)
        super().print(*shown, **kwargs)
