"""``coach review``: the monthly mirror, then a short guided reflection.

Only stdlib, typer and the light command kit are imported here; the store, the
insights and Rich come in when the command runs, so ``coach --help`` stays fast.
"""

import gc
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientcoach.cli.common import console, guard, library, out
from clientcoach.errors import ExitCode, UsageError
from clientcoach.i18n import _

if TYPE_CHECKING:
    from clientcoach.insights.review import Period, Review
    from clientcoach.storage.store import Store

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def register(app: typer.Typer) -> None:
    @app.command()
    def review(
        month: Annotated[
            str | None, typer.Option("--month", help=_("Review this calendar month (YYYY-MM)."))
        ] = None,
        last: Annotated[
            bool, typer.Option("--last", help=_("Review last calendar month."))
        ] = False,
        since: Annotated[
            str | None,
            typer.Option("--since", help=_("First day: YYYY-MM-DD, -30d... (up to today).")),
        ] = None,
        until: Annotated[
            str | None,
            typer.Option("--until", help=_("Last day: YYYY-MM-DD, yesterday...")),
        ] = None,
        client: Annotated[
            str | None, typer.Option("--client", "-c", help=_("Only this client's reflections."))
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help=_("Print the figures as JSON (nothing else)."))
        ] = False,
        markdown: Annotated[
            Path | None,
            typer.Option("--markdown", help=_("Also write the review as a Markdown report.")),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help=_("Let --markdown replace an existing file."))
        ] = False,
        no_reflect: Annotated[
            bool, typer.Option("--no-reflect", help=_("Show the figures only; no reflection."))
        ] = False,
        answers: Annotated[
            Path | None,
            typer.Option(
                "--answers", "-a", help=_("Answers file for the monthly reflection (no questions).")
            ),
        ] = None,
    ) -> None:
        """Look back on a month: figures and trends, repeated mistakes, open follow-ups,
        then a short guided reflection (default: the current month so far)."""
        with guard():
            code = _review(
                month, last, since, until, client, as_json, markdown, force, no_reflect, answers
            )
            if code != ExitCode.OK:
                raise typer.Exit(int(code))


def _review(
    month: str | None,
    last: bool,
    since: str | None,
    until: str | None,
    client: str | None,
    as_json: bool,
    markdown: Path | None,
    force: bool,
    no_reflect: bool,
    answers_path: Path | None,
) -> ExitCode:
    from clientcoach.insights.review import build, reading_window
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.config import now as clock
    from clientcoach.storage.store import Damaged, Store
    from clientcoach.ui import review as render_review

    now = clock()
    period = _period(month, last, since, until, now.date())
    if answers_path is not None and (as_json or no_reflect):
        raise UsageError(
            _("--answers runs the monthly reflection, which --json and --no-reflect skip"),
            _("drop one of them"),
        )
    if markdown is not None and markdown.is_dir():
        raise UsageError(
            _("--markdown {path} is a folder").format(path=markdown),
            _("give a file name, e.g. {path}").format(path=markdown / "review.md"),
        )
    if markdown is not None and not markdown.parent.is_dir():
        raise UsageError(
            _("--markdown: there is no folder {path}").format(path=markdown.parent),
            _("create it first, or write the report elsewhere"),
        )
    if markdown is not None and markdown.exists() and not force:
        raise UsageError(
            _("{path} already exists").format(path=markdown),
            _("add --force to replace it, or choose another file name"),
        )
    answers: dict[str, Any] | None = None
    if answers_path is not None:
        from clientcoach.app.scripted import load_answers

        answers = load_answers(answers_path)
    if client is not None and not client.strip():
        raise UsageError(_("--client is empty"), _("give a client name"))

    store = Store(data_dir())
    damaged: list[Damaged] = []
    start, end = reading_window(period)
    records = (record for _path, record in store.iter_records(damaged, None, client, start, end))
    # Parsed JSON holds no reference cycles, and each record is dropped once read: the
    # cycle collector would only walk the facts kept so far again and again.
    gc.disable()
    try:
        result = build(records, period, now, client.strip() if client else None)
    finally:
        gc.enable()

    if as_json:
        import json

        document = render_review.to_json(result, damaged)
        # Indented for a person; compact for a pipe (the C encoder only does compact).
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent) + "\n")
        sys.stdout.flush()
    elif not result.empty:
        render_review.show(out(), result)
    if result.empty:
        render_review.empty(console(), result)
    if markdown is not None:
        _write_report(markdown, render_review.markdown(result, damaged), force)
    if damaged:
        from clientcoach.ui.render import damaged as name_damaged

        name_damaged(console(), damaged)

    if not as_json and not no_reflect:
        _reflect(store, result, now, answers, answers_path)
    return ExitCode.DAMAGED if damaged else ExitCode.OK


def _period(
    month: str | None, last: bool, since: str | None, until: str | None, today: date
) -> "Period":
    from clientcoach.insights.review import (
        current_month,
        last_month,
        month_period,
        range_period,
    )

    chosen = [name for name, given in (("--month", month), ("--last", last)) if given]
    if since is not None or until is not None:
        chosen.append("--since/--until")
    if len(chosen) > 1:
        raise UsageError(
            _("{options} cannot be used together").format(options=" and ".join(chosen)),
            _("pick one way to say which period to review"),
        )
    if month is not None:
        match = _MONTH.match(month.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise UsageError(
                _("--month: {value!r} is not a month").format(value=month),
                _("use YYYY-MM, e.g. 2026-11"),
            )
        return month_period(int(match.group(1)), int(match.group(2)), today)
    if last:
        return last_month(today)
    if since is None and until is None:
        return current_month(today)
    end = _day("--until", until, today) if until is not None else today
    start = _day("--since", since, today) if since is not None else end.replace(day=1)
    if start > end:
        if until is None:  # only --since was given, and it is still to come
            raise UsageError(
                _("--since {start} is in the future").format(start=start),
                _("give a day up to today, e.g. --since -30d"),
            )
        raise UsageError(
            _("--since {start} is after --until {end}").format(start=start, end=end),
            _("swap the dates"),
        )
    return range_period(start, end, today)


def _day(option: str, text: str, today: date) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass  # today, -30d...: the engine reads those (and loads the playbook models)
    from clientcoach.core.dates import AnswerError, parse_date

    try:
        return parse_date(text, today)
    except AnswerError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _write_report(path: Path, text: str, force: bool) -> None:
    from clientcoach.errors import StorageError
    from clientcoach.storage.store import write_file

    try:
        write_file(path, text, replace=force)
    except FileExistsError:
        raise UsageError(
            _("{path} already exists").format(path=path),
            _("add --force to replace it, or choose another file name"),
        ) from None
    except OSError as exc:
        raise StorageError(
            _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror),
            _("check the folder exists and is writable"),
        ) from exc
    console().print(_("Report written to {path}").format(path=path), highlight=False)


def _reflect(
    store: "Store",
    result: "Review",
    now: datetime,
    answers: dict[str, Any] | None,
    answers_path: Path | None,
) -> None:
    """Offer the monthly reflection after the figures; saved as a reflection of kind review."""
    from clientcoach.app import session
    from clientcoach.cli.common import is_terminal
    from clientcoach.cli.main import pick_playbook, walk_and_save
    from clientcoach.core.engine import AnswerError, Run, coerce_bool
    from clientcoach.model.reflection import ReviewInfo
    from clientcoach.ui import review as render_review
    from clientcoach.ui.terminal import TerminalAsker

    asker: TerminalAsker | None = None
    if answers is None and (result.empty or not (is_terminal() and sys.stdout.isatty())):
        return  # piped or scripted: the figures are the whole output
    # Found before the offer: a broken playbook.review is told now, not after "yes".
    lib = library(store.root)
    playbook = pick_playbook(lib, None, "review")
    if answers is None:
        asker = TerminalAsker(console())
        console().print()
        while True:
            reply = asker.read(
                render_review.offer_prompt(_("Reflect on this period now? [Y/n] "))
            ).strip()
            try:
                if not coerce_bool(reply or "yes"):
                    return
                break
            except AnswerError:
                console().print(_("  Answer yes or no."), highlight=False)

    render_review.focus(console(), result)
    top = result.mistakes.repeated_list[:1]
    period = result.period
    included = lib.resolve(playbook)
    meta = session.Meta(
        # A review of all clients belongs to no client: "" says so, and the file name
        # says "all-clients" (see Store.path_for).
        kind="review",
        client=result.client or "",
        title=_("Review of {period}").format(period=render_review.period_label(period)),
        day=now.date(),
        playbook=playbook,
        included=included,
        prep=None,
        started_at=now,
        extra={
            "review": ReviewInfo(
                start=period.start,
                end=period.end,
                top_repeated_mistake=top[0].mistake if top else None,
            )
        },
    )
    walk_and_save(
        store,
        Run(playbook, included, now.date()),
        meta,
        answers=answers,
        answers_path=answers_path,
        asker=asker,
        heading=result.client or _("all clients"),
    )
