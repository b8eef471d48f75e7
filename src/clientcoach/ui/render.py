"""Rendering: consoles, tables and messages. Data goes to stdout, everything else to stderr."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from clientcoach.i18n import _, ngettext

if TYPE_CHECKING:
    from collections.abc import Collection

    from rich.table import Table

    from clientcoach.model.draft import Changes, Draft
    from clientcoach.model.playbook import Condition, Playbook, Step
    from clientcoach.storage.playbooks import Entry
    from clientcoach.storage.store import Damaged


def error_line(console: Console, message: str, hint: str | None = None) -> None:
    line = Text("coach: " + _("error:") + " ", style="bold red")
    line.append(message)
    if hint:
        line.append(f" ({hint})", style="")
    console.print(line, soft_wrap=True)


# Below this width four columns squeeze titles into broken words; two columns stay readable.
NARROW = 60


def playbook_table(
    rows: list[tuple[Entry, Playbook | None, str | None]], data_dir: Path, width: int = 80
) -> Table:
    # Imported here: a prep or debrief prints no table and need not load them.
    from rich import box
    from rich.table import Table

    table = Table(title=None, show_edge=False, pad_edge=False, box=box.SIMPLE_HEAD)
    wheres: list[str] = []
    for entry, _playbook, _problem in rows:
        where = _("built-in") if entry.origin == "built-in" else _short(entry.path, data_dir)
        if entry.shadows is not None:
            where += " " + _("(overrides built-in)")
        wheres.append(where)
    # A path is never cut: when ids, kinds and paths leave a title less than 16 columns,
    # each row goes on two lines instead (as below 60 columns).
    fixed = [
        max([len(_("id"))] + [len(e.id) for e, _p, _x in rows]),
        max([len(_("kind")), 7]),
        max([len(_("lang")), 5]),
        max([len(_("from"))] + [len(w) for w in wheres]),
    ]
    # Between two columns: one space of padding on each side and the divider.
    narrow = width < NARROW or sum(fixed) + 16 + 3 * len(fixed) > width
    if narrow:
        # Two lines, like the cells under it: the id, then kind, language and origin.
        # A path longer than the column folds onto the next line: never cut.
        table.add_column(_("id") + "\n" + _("kind, lang, from"), overflow="fold")
        table.add_column(_("title"), ratio=1)
    else:
        table.add_column(_("id"), no_wrap=True)
        table.add_column(_("kind"), no_wrap=True)
        table.add_column(_("lang"), no_wrap=True)
        table.add_column(_("title"), min_width=16, max_width=36)
        table.add_column(_("from"), no_wrap=True)
    for (entry, playbook, problem), where in zip(rows, wheres, strict=True):
        # Every cell is Text: ids, paths and titles are shown as they are, never as markup.
        if playbook is None:
            detail = (problem or "").replace(str(entry.path), entry.path.name)
            kind, language = "?", "?"
            title = Text(_("invalid: {detail}").format(detail=detail), style="red")
        else:
            kind, language, title = playbook.kind, playbook.language, Text(playbook.title)
        if narrow:
            table.add_row(Text(f"{entry.id}\n{kind}, {language}, {where}"), title)
        else:
            table.add_row(Text(entry.id), kind, language, title, Text(where))
    return table


def condition_text(cond: Condition) -> str:
    """A condition in a short readable form: ``outcome = 'lost'``, ``any(a <= 3, b <= 3)``."""
    if cond.all is not None:
        return "all(" + ", ".join(condition_text(c) for c in cond.all) + ")"
    if cond.any is not None:
        return "any(" + ", ".join(condition_text(c) for c in cond.any) + ")"
    if cond.not_ is not None:
        return "not(" + condition_text(cond.not_) + ")"
    tests: list[str] = []
    if cond.equals is not None:
        tests.append(f"= {json.dumps(cond.equals, ensure_ascii=False)}")
    if cond.in_ is not None:
        tests.append("in " + json.dumps(cond.in_, ensure_ascii=False))
    if cond.gte is not None:
        tests.append(f">= {cond.gte:g}")
    if cond.lte is not None:
        tests.append(f"<= {cond.lte:g}")
    if cond.answered is not None:
        tests.append(_("answered") if cond.answered else _("skipped"))
    return f"{cond.step} " + " ".join(tests)


def playbook_tree(playbook: Playbook, included: dict[str, Playbook]) -> Tree:
    """A playbook's steps as a tree: loops and includes nest, conditions shown with 'if'."""
    from clientcoach.model.playbook import IncludeStep, LoopStep

    title = Text(playbook.id, style="bold")
    title.append(f"  {playbook.kind} · {playbook.language} · v{playbook.version}  ", style="dim")
    title.append(playbook.title)
    tree = Tree(title, guide_style="dim")

    def add(node: Tree, steps: list[Step], chain: tuple[str, ...]) -> None:
        for step in steps:
            label = Text(step.id, style="bold")
            label.append(f" [{step.type}]", style="cyan")
            if step.role:
                label.append(f" role={step.role}", style="magenta")
            if not step.required and not isinstance(step, LoopStep | IncludeStep):
                label.append(" " + _("(optional)"), style="dim")
            if step.when is not None:
                label.append("  " + _("if") + " " + condition_text(step.when), style="yellow")
            if step.prompt:
                label.append("\n" + step.prompt, style="")
            child = node.add(label)
            if isinstance(step, LoopStep):
                if step.repeat_while is not None:
                    child.add(
                        Text(
                            _("repeat while") + " " + condition_text(step.repeat_while),
                            style="yellow",
                        )
                    )
                add(child, list(step.steps), chain)
            elif isinstance(step, IncludeStep):
                target = included.get(step.playbook)
                if target is None or step.playbook in chain:
                    child.add(Text(_("includes {id}").format(id=step.playbook), style="dim"))
                else:
                    inner = child.add(
                        Text(_("includes {id}").format(id=step.playbook), style="green")
                    )
                    add(inner, list(target.steps), (*chain, step.playbook))

    add(tree, list(playbook.steps), (playbook.id,))
    return tree


def _short(path: Path, data_dir: Path) -> str:
    try:
        return "~data/" + str(path.relative_to(data_dir))
    except ValueError:
        return str(path)


def damaged(console: Console, files: Sequence[Damaged], hidden: bool = False) -> int:
    """Name each damaged file once, with why, on the message console; how many there were.

    ``hidden`` (``--redact``): the files come as :func:`app.export.shared_damaged` made
    them, their names left out, and the line after says where to find them."""
    from clientcoach.i18n import _

    seen: set[str] = set()
    for item in files:
        key = str(item.path)
        if key in seen:
            continue
        seen.add(key)
        if hidden:
            text = _("skipped {file}: {reason}").format(file=key, reason=item.reason)
            line = Text(text, style="yellow")
        else:
            text = _("skipped damaged file {file}: {reason}").format(file=key, reason=item.reason)
            line = Text(text, style="yellow")
        console.print(line, soft_wrap=True)
    if seen:
        console.print(
            Text(
                ngettext(
                    "{count} damaged file skipped and left as it is; "
                    "`coach doctor --quarantine` moves it aside.",
                    "{count} damaged files skipped and left as they are; "
                    "`coach doctor --quarantine` moves them aside.",
                    len(seen),
                ).format(count=len(seen)),
                style="dim",
            ),
            soft_wrap=True,
        )
    if seen and hidden:
        console.print(
            Text(
                ngettext(
                    "Its name is left out (--redact): `coach doctor` names it.",
                    "Their names are left out (--redact): `coach doctor` names them.",
                    len(seen),
                ),
                style="dim",
            ),
            soft_wrap=True,
        )
    return len(seen)


# Below this width a table of four or more columns cuts words in pieces (or hides
# columns): each row is printed as a small stack instead, its first cell then one
# "column: value" line for each other cell.
NARROW = 60


def stacked(console: Console, columns: Sequence[str], rows: Sequence[Sequence[Text | str]]) -> None:
    """Rows as stacks, for terminals narrower than :data:`NARROW`."""
    for row in rows:
        first = row[0] if isinstance(row[0], Text) else Text(row[0])
        console.print(Text.assemble((first.plain, "bold")), soft_wrap=False)
        for name, cell in zip(columns[1:], row[1:], strict=True):
            text = cell if isinstance(cell, Text) else Text(cell)
            if text.plain:
                line = Text("  " + _("{name}: ").format(name=name), style="dim")
                line.append_text(text)
                console.print(line)


def client_label(client: str) -> str:
    """A reflection's client as shown: a review of all clients has the client ""."""
    return client or _("all clients")


def draft_rows(drafts: Sequence[tuple[Path, Draft]]) -> tuple[list[str], list[list[Text]]]:
    from clientcoach.ui.messages import kind_name

    columns = [_("id"), _("kind"), _("client"), _("meeting"), _("answers"), _("last answer")]
    rows = [
        [
            Text(draft.id),
            Text(kind_name(draft.kind)),
            Text(client_label(draft.client)),
            Text(f"{draft.meeting.date:%Y-%m-%d}"),
            Text(str(draft.count)),
            Text(f"{draft.updated_at:%Y-%m-%d %H:%M}"),
        ]
        for _path, draft in drafts
    ]
    return columns, rows


def print_drafts(console: Console, drafts: Sequence[tuple[Path, Draft]]) -> None:
    """The drafts as a grid; below 100 columns without the time of the last answer, and
    below :data:`NARROW` as stacks. The id, which `coach resume` needs, the kind and the
    dates are never cut; the client wraps at a word."""
    columns, rows = draft_rows(drafts)
    shown = len(columns) if console.width >= 100 else len(columns) - 1
    whole = [i for i in (0, 1, 3, 4, 5) if i < shown]  # all but the client
    cut = [row[:shown] for row in rows]
    if console.width < NARROW or not grid(console, columns[:shown], cut, whole):
        stacked(console, columns, rows)


def resuming(console: Console, draft: Draft, changes: Changes) -> None:
    from clientcoach.i18n import _
    from clientcoach.ui.messages import kind_name

    line = Text(_("Resuming your {kind} for ").format(kind=kind_name(draft.kind)))
    line.append(client_label(draft.client), style="bold")
    line.append(
        ngettext(
            " ({count} answer, started {started:%Y-%m-%d %H:%M}, draft {id}).",
            " ({count} answers, started {started:%Y-%m-%d %H:%M}, draft {id}).",
            draft.count,
        ).format(count=draft.count, started=draft.started_at, id=draft.id)
    )
    console.print(line, soft_wrap=True)
    if not changes.any:
        return
    console.print(
        Text(_("The playbook changed since this draft was saved."), style="yellow"),
        soft_wrap=True,
    )
    if changes.dropped:
        text = _("Steps no longer in it: {steps}").format(steps=", ".join(changes.dropped))
        if changes.lost_answers:
            text += ngettext(
                " ({count} answer to them is left out)",
                " ({count} answers to them are left out)",
                changes.lost_answers,
            ).format(count=changes.lost_answers)
        console.print(Text("  " + text), soft_wrap=True)
    if changes.added:
        text = _("New steps, asked when you reach them: {steps}").format(
            steps=", ".join(changes.added)
        )
        console.print(Text("  " + text), soft_wrap=True)


T = TypeVar("T")


class Made(Sequence[list[Text]]):
    """The rows of ``items``, each made by ``make`` when it is read: 90,000 follow-ups
    are drawn without holding 450,000 ``Text`` cells."""

    def __init__(self, items: Sequence[T], make: Callable[[T], list[Text]]) -> None:
        self._items: Sequence[Any] = items
        self._make: Callable[[Any], list[Text]] = make

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[list[Text]]:
        return map(self._make, self._items)

    @overload
    def __getitem__(self, index: int) -> list[Text]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[Text]]: ...
    def __getitem__(self, index: int | slice) -> list[Text] | list[list[Text]]:
        if isinstance(index, slice):
            return [self._make(item) for item in self._items[index]]
        return self._make(self._items[index])


# Between two columns of a grid.
GAP = 2
# The longest word a grid's column keeps whole.
WORD = 12


# Tab stops in a cell, as Rich expands them (answers may hold tabs).
TAB = 8


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _untabbed(cell: Text) -> Text:
    """``cell`` with its tabs turned into the spaces a terminal would show: a tab is no
    cell to ``cell_len``, so a cell holding some is measured and drawn without them."""
    if "\t" not in cell.plain:
        return cell
    spaced = cell.copy()
    spaced.expand_tabs(TAB)
    return spaced


def fit(widths: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Column widths that fit in ``room`` (when their floors do): the widest column that
    may still give way gives one cell at a time, so the texts left keep as much room as
    the others."""
    fitted = list(widths)
    over = sum(fitted) - room
    while over > 0:
        given = [(w, i) for i, w in enumerate(fitted) if w > floors[i]]
        if not given:
            break
        _width, i = max(given)
        fitted[i] -= 1
        over -= 1
    return fitted


def grid(
    console: Console,
    columns: Sequence[str],
    rows: Sequence[Sequence[Text]],
    whole: Collection[int] = (),
) -> bool:
    """Rows under their headings, each column as wide as its widest cell; when that is
    too wide, the widest columns not in ``whole`` give way and their cells wrap.

    Drawn line by line, not as a Rich table: a table measures and lays out every cell
    of every row together, about 0.5 ms a row, and a few years of follow-ups are
    thousands of rows. A heading is never cut, nor a cell of ``whole`` (ids, dates,
    typed back into other commands). False, with nothing printed, when even so the
    columns cannot fit: the caller then stacks the rows (see :func:`stacked`).

    ``rows`` is read twice, for the widths and to draw: it may make each row as it is
    read (see :class:`Made`).
    """
    floors = [_longest_word(name) for name in columns]
    widths = [cell_len(name) for name in columns]
    words = [0] * len(columns)
    for row in rows:
        for i, cell in enumerate(row):
            plain = cell.plain.expandtabs(TAB) if "\t" in cell.plain else cell.plain
            size = (
                max(cell_len(line) for line in plain.split("\n"))
                if "\n" in plain
                else cell_len(plain)
            )
            if size > widths[i]:
                widths[i] = size
            if size > words[i]:  # else no word in it can be longer either
                words[i] = max(words[i], _longest_word(plain))
    # A word is not broken (a date, a name) unless it is longer than WORD: a link in a
    # follow-up's text folds rather than take the whole line.
    floors = [max(floor, min(word, WORD)) for floor, word in zip(floors, words, strict=True)]
    for i in whole:
        floors[i] = widths[i]
    room = console.width - GAP * (len(columns) - 1)
    if sum(floors) > room:
        return False
    widths = fit(widths, floors, room)
    last = len(columns) - 1
    gap = " " * GAP

    def lines(row: Sequence[Text]) -> list[Text]:
        cells = [_untabbed(cell) for cell in row]
        wrapped = [
            [cell]
            if "\n" not in cell.plain and cell_len(cell.plain) <= widths[i]
            else list(cell.wrap(console, widths[i], overflow="fold"))
            for i, cell in enumerate(cells)
        ]
        out: list[Text] = []
        for depth in range(max(len(parts) for parts in wrapped)):
            line = Text(no_wrap=True, end="")
            for i, parts in enumerate(wrapped):
                piece = parts[depth] if depth < len(parts) else None
                if piece is not None:
                    line.append_text(piece)
                if i < last:
                    used = cell_len(piece.plain) if piece is not None else 0
                    line.append(" " * (widths[i] - used) + gap)
            line.rstrip()
            out.append(line)
        return out

    heading = [Text(name, style="bold") for name in columns]
    shown = lines(heading)
    shown.append(Text("─" * min(console.width, sum(widths) + GAP * last), style="dim"))
    for row in rows:
        shown += lines(row)
        if len(shown) >= 200:  # printed in batches: one call per line costs as much again
            console.print(Text("\n").join(shown), soft_wrap=True)
            shown = []
    if shown:
        console.print(Text("\n").join(shown), soft_wrap=True)
    return True
