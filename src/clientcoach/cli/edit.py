"""Fixing or removing a reflection: ``edit``, ``delete``, ``restore`` and the ``trash``
group. Each parses, calls :mod:`clientcoach.app.edit`, and says what happened."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientcoach.cli import completion
from clientcoach.cli.common import callback, command, group, print_json
from clientcoach.errors import UsageError
from clientcoach.i18n import _, ngettext
from clientcoach.ui.console import console

if TYPE_CHECKING:
    from clientcoach.storage.store import Store

IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help=_("Id (or a unique start of it)."),
        shell_complete=completion.reflection,
    ),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask to confirm."))]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print the trash as JSON."))]


def _store() -> "Store":
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    return Store(data_dir())


def _confirmed(question: str, yes: bool, needed: str, hint: str) -> bool:
    """Whether to go on: ``--yes``, or a person said yes; no terminal and no ``--yes``
    is a usage error."""
    from clientcoach.ui import console as terminal
    from clientcoach.ui.terminal import confirm

    if yes:
        return True
    if not terminal.is_terminal():
        raise UsageError(needed, hint)
    return confirm(console(), question)


@command("edit")
def edit(reflection: IdArg) -> None:
    """Change the answers of a saved reflection in your editor ($VISUAL, $EDITOR)."""
    from rich.text import Text

    from clientcoach.app import edit as use
    from clientcoach.storage.config import now
    from clientcoach.ui import console as terminal
    from clientcoach.ui.edit import edit_text, summary

    def header(record: dict[str, Any]) -> list[str]:
        return [
            summary(record),
            _("Change the answers below, then save and quit: the reflection is updated."),
            _("To change nothing, quit without saving or empty the file."),
            _("Only values change: steps and loop items cannot be added or removed."),
            _("To clear an optional answer, delete its line."),
        ]

    store = _store()
    editing = use.begin(store, reflection, header)
    name = f"coach-{editing.path.stem.rsplit('_', 1)[-1]}.toml"
    handed = editing.text
    while True:
        edited = edit_text(handed, name)
        if not edited.strip() or edited == handed:
            console().print(_("Nothing changed."))
            return
        try:
            record = use.check(editing, edited, now().date())
        except use.EditProblems as problems:
            if not terminal.is_terminal():
                raise use.refused(problems) from None
            from clientcoach.core.edit import with_problems

            handed = with_problems(edited, problems.problems)
            continue
        if record is None:
            console().print(_("Nothing changed."))
            return
        saved = use.save(store, editing, record, now())
        console().print(
            Text(
                _("Saved your changes to {what}; the previous version is kept in {kept}.").format(
                    what=summary(record), kept=saved.kept
                )
            ),
            soft_wrap=True,
        )
        return


@command("delete")
def delete(reflection: IdArg, yes: YesOpt = False) -> None:
    """Move a reflection to the trash (coach restore brings it back)."""
    from rich.text import Text

    from clientcoach.app import edit as use
    from clientcoach.storage.config import now
    from clientcoach.ui.edit import summary

    store = _store()
    path, record = use.to_delete(store, reflection)
    shown = summary(record)
    question = _("Move {what} to the trash?").format(what=shown)
    needed = _("deleting a reflection needs a confirmation")
    if not _confirmed(question, yes, needed, _("add --yes to delete it")):
        console().print(_("Kept."))
        return
    use.delete(store, path, now())
    console().print(
        Text(
            _("Moved to the trash: {what}. Bring it back with: coach restore {id}").format(
                what=shown, id=record["id"]
            )
        ),
        soft_wrap=True,
    )


@command("restore")
def restore(
    reflection: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help=_("The id in the trash (or a unique start of it)."),
            shell_complete=completion.trashed,
        ),
    ],
) -> None:
    """Bring a reflection back from the trash, to where it was."""
    from rich.text import Text

    from clientcoach.app import edit as use
    from clientcoach.ui.edit import summary

    back, item = use.restore(_store(), reflection)
    what = summary(item.record) if item.record is not None else item.trashed.id
    console().print(
        Text(_("Restored {what} to {path}.").format(what=what, path=back)), soft_wrap=True
    )


trash = group(
    "trash",
    _("List the reflections you deleted; restore one, or empty the trash."),
    invoke_without_command=True,
)


@callback(trash)
def trash_default(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    if ctx.invoked_subcommand is None:
        _list(as_json)


@command("list", parent=trash)
def trash_list(as_json: JsonOpt = False) -> None:
    """The deleted reflections, most recently deleted first."""
    _list(as_json)


@command("empty", parent=trash)
def trash_empty(yes: YesOpt = False) -> None:
    """Delete for good the reflections in the trash: the only command that does."""
    from clientcoach.app import edit as use

    store = _store()
    listed = use.trash(store)  # what is confirmed is what is deleted, nothing that comes later
    count = len(listed)
    if not count:
        console().print(_("The trash is empty."))
        return
    question = ngettext(
        "Delete {count} reflection for good? This cannot be undone.",
        "Delete {count} reflections for good? This cannot be undone.",
        count,
    ).format(count=count)
    needed = _("emptying the trash needs a confirmation")
    if not _confirmed(question, yes, needed, _("add --yes to empty it")):
        console().print(_("Kept."))
        return
    deleted = use.empty(store, listed)
    console().print(
        ngettext(
            "Deleted {count} reflection for good.", "Deleted {count} reflections for good.", deleted
        ).format(count=deleted)
    )


def _list(as_json: bool) -> None:
    from clientcoach.app import edit as use
    from clientcoach.ui.console import out

    found = use.trash(_store())
    if as_json:
        print_json({"trash": [item.to_json() for item in found]})
    elif found:
        from clientcoach.ui.edit import print_trash

        print_trash(out(), found)
        console().print(_("Bring one back with: coach restore ID"), style="dim")
    else:
        console().print(_("The trash is empty."))
