"""The grid the follow-up and client lists are drawn in: every text whole, headings and
ids never cut, long texts wrapped in their column, as many rows as there are."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from clientcoach.ui.clients import print_rows
from clientcoach.ui.render import GAP, grid


def _console(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)


def _lines(console: Console) -> list[str]:
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue().splitlines()


COLUMNS = ["id", "client", "due", "owner", "what"]


def _row(n: int, what: str) -> list[Text]:
    return [Text(f"id{n:04d}.1"), Text("Acme"), Text("in 3 days"), Text("me"), Text(what)]


def test_a_long_text_wraps_in_its_column_and_nothing_is_lost() -> None:
    what = "Send the revised proposal with the three pricing options and the pilot plan"
    console = _console(60)
    assert grid(console, COLUMNS, [_row(1, what)], whole=[0])
    lines = _lines(console)
    assert lines[0].split() == COLUMNS
    assert set(lines[1]) == {"─"}
    body = lines[2:]
    assert len(body) > 1  # wrapped: the text is wider than what is left of 60 columns
    start = lines[0].index("what")
    assert all(len(line) <= 60 for line in lines)
    assert all(line[:start].strip() == "" for line in body[1:])  # under its own column
    assert " ".join(line[start:].strip() for line in body) == what
    assert body[0].startswith("id0001.1  Acme")


def test_columns_are_as_wide_as_their_widest_cell_when_they_fit() -> None:
    console = _console(120)
    long_name = [Text("id0002.1"), Text("Compagnie Nationale du Rhône"), *_row(2, "Call")[2:]]
    rows = [_row(1, "Short"), long_name]
    assert grid(console, COLUMNS, rows, whole=[0])
    heading, _rule, first, second = _lines(console)
    client = heading.index("client")
    due = heading.index("due")
    assert due - client == len("Compagnie Nationale du Rhône") + GAP
    assert first[due:].startswith("in 3 days")
    assert second[client:due].rstrip() == "Compagnie Nationale du Rhône"


def test_no_line_ends_in_spaces() -> None:
    console = _console(80)
    grid(console, COLUMNS, [_row(1, "Call"), _row(2, "")], whole=[0])
    lines = _lines(console)
    assert len(lines) == 4
    assert all(line == line.rstrip() for line in lines)


def test_thousands_of_rows_come_out_whole_and_in_order() -> None:
    console = _console(80)
    rows = [_row(n, f"follow-up number {n} of a long history") for n in range(1, 1201)]
    print_rows(console, (COLUMNS, rows))
    text = "\n".join(_lines(console))
    ids = [line.split()[0] for line in _lines(console)[2:] if line.startswith("id")]
    assert ids == [f"id{n:04d}.1" for n in range(1, 1201)]
    assert "…" not in text
    for n in (1, 200, 201, 1200):  # either side of a printed batch
        assert f"follow-up number {n} of a long history" in " ".join(text.split())


def test_a_heading_and_a_whole_cell_are_never_cut() -> None:
    console = _console(66)
    long_id = "a" * 30
    rows = [[Text(long_id), Text("Acme"), Text("in 3 days"), Text("me"), Text("x " * 40)]]
    assert grid(console, ["id", "client", "due", "responsable", "what"], rows, whole=[0])
    lines = _lines(console)
    assert "responsable" in lines[0]
    assert lines[2].startswith(long_id + "  ")


def test_columns_that_cannot_fit_are_stacked_instead() -> None:
    console = _console(70)
    rows = [[Text("b" * 50), Text("Acme"), Text("in 3 days"), Text("me"), Text("Call")]]
    assert not grid(console, COLUMNS, rows, whole=[0])
    assert _lines(console) == []  # nothing printed: the caller stacks the rows
    print_rows(console, (COLUMNS, rows))
    lines = _lines(console)
    assert lines[0] == "b" * 50
    assert any("what: Call" in line for line in lines)


def test_a_cell_keeps_its_style() -> None:
    console = Console(file=io.StringIO(), width=80, color_system="standard", force_terminal=True)
    # Underlined rather than red: the tests run with NO_COLOR set, which only drops colours.
    due = Text("overdue", style="underline")
    grid(console, COLUMNS, [[*_row(1, "Call")[:2], due, *_row(1, "x")[3:]]])
    out = console.file
    assert isinstance(out, io.StringIO)
    assert "\x1b[4moverdue\x1b[0m" in out.getvalue()


def test_a_word_is_kept_whole_when_its_column_gives_way() -> None:
    console = _console(36)  # the texts wrap to their longest word and no further
    rows = [[Text("x1"), Text("2026-11-24"), Text("Northstar Corporation"), Text("y " * 30)]]
    assert grid(console, ["id", "day", "client", "what"], rows, whole=[0])
    text = "\n".join(_lines(console))
    assert "2026-11-24" in text
    assert "Northstar" in text
    assert "Corporation" in text


def test_rows_made_as_they_are_drawn_draw_the_same_as_rows_held() -> None:
    from clientcoach.ui.render import Made

    items = list(range(1, 451))
    made: list[int] = []

    def row(n: int) -> list[Text]:
        made.append(n)
        return _row(n, f"follow-up number {n}")

    held, lazy = _console(80), _console(80)
    print_rows(held, (COLUMNS, [_row(n, f"follow-up number {n}") for n in items]))
    rows = Made(items, row)
    assert len(rows) == 450
    assert rows[2][0].plain == "id0003.1"
    assert [r[0].plain for r in rows[:2]] == ["id0001.1", "id0002.1"]
    made.clear()
    print_rows(lazy, (COLUMNS, rows))
    assert _lines(lazy) == _lines(held)
    assert made == items + items  # once for the widths, once to draw: none kept


def test_a_text_with_tabs_is_measured_as_the_terminal_shows_it() -> None:
    """Tabs are allowed in answers; counted as no cell, a short text with tabs skipped
    the wrap and the line ran past the terminal once Rich expanded them."""
    what = "a\tb\tc\td\te\tf"
    console = _console(50)
    assert grid(console, COLUMNS, [_row(1, what)], whole=[0])
    lines = _lines(console)
    assert all("\t" not in line and len(line) <= 50 for line in lines), lines
    start = lines[0].index("what")
    assert " ".join(line[start:].strip() for line in lines[2:]).split() == what.split()
