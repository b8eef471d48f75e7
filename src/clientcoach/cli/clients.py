"""Client memory commands: ``followups``, ``done``, ``history``, ``show``, ``clients``;
the brief and plan shown by ``prep`` and ``debrief``; shell completion of client names
and playbook ids.

Only the standard library, typer and the light ``clikit``/``errors``/``i18n`` modules are
imported here at module level; the store, insights and Rich tables are imported inside
the functions that need them, so ``coach --help`` does not pay for them.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientcoach.cli.common import console, guard, out, report_damaged
from clientcoach.errors import DataError, UsageError
from clientcoach.i18n import _

if TYPE_CHECKING:
    from clientcoach.core.engine import Address, Earlier, Run
    from clientcoach.insights.clients import Brief
    from clientcoach.model.playbook import Playbook
    from clientcoach.model.reflection import Reflection, Value
    from clientcoach.storage.store import Damaged, RecordScan, Store
    from clientcoach.ui.terminal import TerminalAsker

KINDS = ("prep", "debrief", "review")


# --- shell completion ------------------------------------------------------------------


def complete_client(incomplete: str) -> list[str]:
    """Known client names starting like ``incomplete`` (case, accents, spaces ignored)."""
    try:
        from clientcoach.insights.clients import compact, fold, known_names
        from clientcoach.storage.config import data_dir
        from clientcoach.storage.store import Store

        start = compact(incomplete)
        names = Store(data_dir()).client_names(lambda slug: compact(slug).startswith(start))
        return [
            name
            for key, name in sorted(known_names(names).items())
            if key.startswith(fold(incomplete)) or compact(key).startswith(start)
        ]
    except Exception:  # completion must never print a traceback into the user's shell
        return []


def complete_playbook(incomplete: str) -> list[str]:
    """Playbook ids (built-in and the user's) starting with ``incomplete``."""
    try:
        from clientcoach.cli.common import library
        from clientcoach.storage.config import data_dir

        return [i for i in library(data_dir()).entries() if i.startswith(incomplete)]
    except Exception:
        return []


# --- before a meeting: name, brief, plan -----------------------------------------------


def choose_client(store: "Store", typed: str, asker: "TerminalAsker | None") -> str:
    """The client a prep or debrief is about: the typed name, or a known one it is close to.

    A name that matches a known client (ignoring case, accents and spacing) is kept as
    typed. One that is only close to known clients (same start) is offered a choice on a
    terminal; a scripted run keeps the new name and says which names were close.
    """
    from clientcoach.insights.names import compact, match_client

    start = compact(typed)
    if not start:
        return typed
    names = store.client_names(_slug_near(start))
    match = match_client(typed, names)
    if match.exact is not None or not match.close:
        return typed
    if asker is None:
        from clientcoach.ui.messages import close_clients

        close_clients(typed, match.close)
        return typed
    picked = asker.ask_pick(
        _("{typed!r} is not a client you have met yet. Did you mean one of these?").format(
            typed=typed
        ),
        match.close,
        _("Enter = a new client named {typed!r}").format(typed=typed),
    )
    return typed if picked is None else match.close[picked]


def _slug_near(start: str) -> Callable[[str], bool]:
    """File-name slugs worth reading for a name whose letters and digits are ``start``:
    those that start like it, and those it starts like (slugs are cut at 32 characters)."""
    from clientcoach.insights.names import compact

    def near(slug: str) -> bool:
        letters = compact(slug)
        return bool(letters) and (letters.startswith(start) or start.startswith(letters))

    return near


@dataclass
class Memory:
    """What earlier reflections give a run: defaults, the linked prep's plan, offers,
    and what to show the user before the first question (see :func:`announce`)."""

    defaults: "dict[Address, Value]" = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    earlier: "dict[str, list[Earlier]]" = field(default_factory=dict)
    brief: "Brief | None" = None
    damaged: int = 0

    def run(self, playbook: "Playbook", included: "dict[str, Playbook]", today: date) -> "Run":
        """A run of ``playbook`` that knows what these earlier reflections give it."""
        from clientcoach.core.engine import Run

        return Run(
            playbook,
            included,
            today,
            defaults=self.defaults,
            plan=self.plan,
            earlier=self.earlier,
        )


def _roles(playbooks: "dict[str, Playbook]") -> set[str]:
    from clientcoach.model.playbook import LoopStep, Step

    found: set[str] = set()

    def walk(steps: list[Step]) -> None:
        for step in steps:
            if step.role:
                found.add(step.role)
            if isinstance(step, LoopStep):
                walk(list(step.steps))

    for playbook in playbooks.values():
        walk(list(playbook.steps))
    return found


def client_brief(store: "Store", client: str, today: date) -> "tuple[Brief, list[Damaged]]":
    """The client's brief from their records, and the damaged files that were skipped."""
    from clientcoach.insights.clients import brief

    scan = store.scan_records(client=client)
    return brief(client, _records(scan), today), scan.damaged


def recall(
    kind: str,
    store: "Store",
    client: str,
    playbook: "Playbook",
    playbooks: "dict[str, Playbook]",
    prep: "Reflection | None",
    today: date,
) -> Memory:
    """What a run should know from earlier reflections, before its first question.

    A prep gets the client's brief and the trolls seen as the default of its "expected
    trolls" step; a debrief gets the linked prep's plan (read by ``plan`` steps) and the
    earlier mistakes, so a new one can be linked as a repeat.
    """
    from clientcoach.insights import recall as memory

    result = Memory()
    if kind == "prep":
        result.brief, skipped = client_brief(store, client, today)
        result.damaged = len(skipped)
        trolls = result.brief.troll_defaults()
        step = next((s for s in playbook.steps if s.role == "troll_expected"), None)
        if trolls and step is not None:
            result.defaults[(step.id,)] = trolls
        return result
    if prep is not None:
        answers = [a.data() for a in prep.answers]
        result.plan = memory.plan_of({"answers": answers})
    if "mistake" in _roles(playbooks):
        records = _records(store.scan_records("debrief"))
        result.earlier["mistake"] = memory.earlier_answers(records, "mistake")
    return result


def announce(memory: Memory, today: date) -> None:
    """Show the brief (prep) or the plan (debrief) on standard error.

    A terminal run shows it before the first question; a scripted run once its answers
    were all accepted, so that a bad answers file still gets a one-line error.
    """
    if memory.brief is None:
        from clientcoach.ui.messages import plan

        plan(memory.plan)  # lines of text: no Rich when no one is looking
        return
    from clientcoach.ui.clients import brief

    brief(console(), memory.brief, today, damaged=memory.damaged)


# --- shared by the commands ------------------------------------------------------------


def _today() -> date:
    from clientcoach.storage.config import now

    return now().date()


def _store() -> "Store":
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    return Store(data_dir())


def _records(scan: "RecordScan") -> list[dict[str, Any]]:
    return [record for _, record in scan.items]


def _for_client(records: list[dict[str, Any]], typed: str | None) -> list[dict[str, Any]]:
    """The records of the one client ``typed`` names (a unique start of a name will do)."""
    if typed is None:
        return records
    from clientcoach.insights.clients import client_by_prefix, fold, newest_first

    names = [r["client"] for r in reversed(newest_first(records))]
    found = client_by_prefix(typed, names)
    if not found:
        raise DataError(
            _("no client matches {typed!r}").format(typed=typed),
            _("run `coach clients` to list them"),
        )
    if len(found) > 1:
        raise UsageError(
            _("{typed!r} could be {names}").format(typed=typed, names=", ".join(found)),
            _("give more of the name"),
        )
    key = fold(found[0])
    return [r for r in records if fold(r["client"]) == key]


def _find(store: "Store", ref: str) -> Path:
    """A reflection's file by id (or a unique start of it), file path, or the short
    random end of its id (what follow-up ids start with)."""
    try:
        path, _model = store.find(ref)
    except DataError:
        needle = ref.strip().lower()
        tails = [p for p in store.files() if p.stem.rsplit("-", 1)[-1].startswith(needle)]
        if len(tails) != 1 or not needle:
            raise
        return tails[0]
    return path


def _day(option: str, raw: str | None, today: date) -> date | None:
    if raw is None:
        return None
    from clientcoach.core.dates import AnswerError, parse_date

    try:
        return parse_date(raw, today)
    except AnswerError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _json(data: object) -> None:
    import json  # here, not at the top: `coach --help` need not load it

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _finish(scan: "RecordScan") -> None:
    """Name the damaged files skipped (on stderr) and exit with their code."""
    report_damaged(scan.damaged)


ClientOpt = Annotated[
    str | None,
    typer.Option(
        "--client",
        "-c",
        help=_("Only this client (a unique start of the name will do)."),
        autocompletion=complete_client,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON on stdout."))]


# --- commands --------------------------------------------------------------------------


def followups(
    client: ClientOpt = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=_("Only the overdue ones."))] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help=_("Include the follow-ups already done."))
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Open follow-ups from your debriefs, overdue first."""
    with guard():
        from clientcoach.insights.clients import follow_ups, open_first
        from clientcoach.ui.clients import follow_up_table, print_rows

        today = _today()
        scan = _store().scan_records()
        found = follow_ups(_for_client(_records(scan), client))
        shown = open_first(found, today)
        if show_all:
            shown += sorted((f for f in found if f.done), key=lambda f: f.done or "")
        if overdue:
            shown = [f for f in shown if f.overdue(today)]
        if as_json:
            _json([f.to_json(today) for f in shown])
        elif shown:
            print_rows(out(), follow_up_table(shown, today))
        else:
            console().print(_("No overdue follow-ups.") if overdue else _("No open follow-ups."))
        if shown and not as_json and not overdue:
            console().print(_("Mark one done with: coach done ID"), style="dim")
        _finish(scan)


def done(
    follow_up: Annotated[
        str,
        typer.Argument(metavar="ID", help=_("The follow-up's id, as `coach followups` shows it.")),
    ],
) -> None:
    """Mark a follow-up done (in the debrief that holds it); harmless when repeated."""
    with guard():
        from rich.text import Text

        from clientcoach.insights.clients import (
            FollowUpNotFound,
            find_follow_up,
            follow_ups,
            mark_done,
        )

        if not follow_up.strip():
            raise UsageError(
                _("the follow-up id is empty"), _("run `coach followups --all` to see the ids")
            )
        store = _store()
        today = _today()
        scan = store.scan_records()
        paths = {record["id"]: path for path, record in scan.items}
        try:
            found = find_follow_up(follow_ups(_records(scan)), follow_up)
        except FollowUpNotFound as exc:
            if exc.candidates:
                ids = ", ".join(f.short_id for f in exc.candidates[:5])
                raise DataError(
                    _("follow-up id {ref!r} matches {n} follow-ups ({ids})").format(
                        ref=follow_up, n=len(exc.candidates), ids=ids
                    ),
                    _("give more of the id"),
                ) from None
            raise DataError(
                _("no follow-up with id {ref!r}").format(ref=follow_up),
                _("run `coach followups --all` to see the ids"),
            ) from None

        def change(record: dict[str, Any]) -> tuple[bool, str]:
            try:
                return mark_done(record, found.number, today)
            except IndexError:
                raise DataError(
                    _("follow-up {id} is no longer in its debrief").format(id=found.id)
                ) from None

        (changed, day), _written = store.update(paths[found.reflection], change)
        line = (
            _("Done: {what} ({client}), marked {day}.")
            if changed
            else _("Already done: {what} ({client}), marked {day}. Nothing changed.")
        )
        text = line.format(what=found.what, client=found.client, day=day)
        console().print(Text(text), soft_wrap=True)
        _finish(scan)


def history(
    client: ClientOpt = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help=_("prep, debrief or review."))
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help=_("From this meeting date (YYYY-MM-DD, -30d...)."))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help=_("Up to this meeting date, included."))
    ] = None,
    grep: Annotated[
        str | None,
        typer.Option("--grep", "-g", help=_("Only reflections whose answers contain this text.")),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Your reflections, newest first; filter by client, kind, dates, or text in answers."""
    with guard():
        from clientcoach.insights import clients as memory
        from clientcoach.ui.clients import history_table, print_rows

        if kind is not None and kind not in KINDS:
            raise UsageError(
                _("--kind {kind!r} is not a kind").format(kind=kind),
                _("use one of: {kinds}").format(kinds=", ".join(KINDS)),
            )
        today = _today()
        start, end = _day("--since", since, today), _day("--until", until, today)
        scan = _store().scan_records()
        paths = {record["id"]: path for path, record in scan.items}
        found = memory.history(
            _for_client(_records(scan), client), kind=kind, since=start, until=end, grep=grep
        )
        if as_json:
            _json(
                [
                    {
                        "id": r["id"],
                        "kind": r["kind"],
                        "client": r["client"],
                        "date": r["meeting"]["date"],
                        "title": r["meeting"].get("title"),
                        "path": str(paths[r["id"]]),
                        "matches": [{"where": h.where, "text": h.text} for h in hits],
                    }
                    for r, hits in found
                ]
            )
        elif found:
            print_rows(out(), history_table(found, grep is not None))
        else:
            console().print(_("No reflection matches."))
        _finish(scan)


def show(
    reflection: Annotated[
        str, typer.Argument(metavar="ID", help=_("Id (or a unique start of it), or a file."))
    ],
    as_json: JsonOpt = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help=_("Print it as a Markdown document."))
    ] = False,
) -> None:
    """Show one reflection: every question asked and its answer."""
    with guard():
        from clientcoach.ui.clients import show_markdown, show_text

        if as_json and markdown:
            raise UsageError(_("--json and --markdown cannot go together"), _("pick one"))
        store = _store()
        record = store.read_record(_find(store, reflection))
        if as_json:
            _json(record)
        elif markdown:
            sys.stdout.write(show_markdown(record))
        else:
            show_text(out(), record)


def clients(as_json: JsonOpt = False) -> None:
    """Your clients: meetings, when you last saw them, open follow-ups."""
    with guard():
        from clientcoach.insights.clients import clients as summarise
        from clientcoach.ui.clients import clients_table, print_rows

        scan = _store().scan_records()
        found = summarise(_records(scan), _today())
        if as_json:
            _json([s.to_json() for s in found])
        elif found:
            print_rows(out(), clients_table(found))
        else:
            console().print(_("No clients yet: start with coach prep CLIENT."))
        _finish(scan)


def brief(
    client: Annotated[
        str,
        typer.Argument(
            metavar="CLIENT",
            help=_("The client (a unique start of the name will do)."),
            autocompletion=complete_client,
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """The brief `coach prep` shows before its first question, on its own."""
    with guard():
        from clientcoach.insights.clients import client_by_prefix, compact
        from clientcoach.ui.clients import brief as show_brief

        store = _store()
        today = _today()
        start = compact(client)
        names = store.client_names(_slug_near(start))
        found = client_by_prefix(client, names)
        if len(found) > 1:
            raise UsageError(
                _("{typed!r} could be {names}").format(typed=client, names=", ".join(found)),
                _("give more of the name"),
            )
        known, damaged = client_brief(store, found[0] if found else client, today)
        if as_json:
            _json(known.to_json(today))
        else:
            show_brief(out(), known, today, before_prep=False)
        report_damaged(damaged)  # named on stderr, exit 7: as history and followups do


def register(app: typer.Typer) -> None:
    app.command("brief")(brief)
    app.command("followups")(followups)
    app.command("done")(done)
    app.command("history")(history)
    app.command("show")(show)
    app.command("clients")(clients)
