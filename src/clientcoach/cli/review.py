"""``coach review``: the monthly mirror, then a short guided reflection.

Only typer and the light command kit are imported here; the store, the insights and
Rich come in when the command runs, so ``coach --help`` stays fast.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientcoach.cli.common import command, report_damaged, watch_index
from clientcoach.cli.export import RedactOpt, WithTextOpt, check_redact
from clientcoach.errors import DamagedSkipped, UsageError
from clientcoach.i18n import _
from clientcoach.ui import console as terminal
from clientcoach.ui.console import console, out, paged
from clientcoach.ui.escape import json_text

if TYPE_CHECKING:
    from datetime import datetime

    from clientcoach.insights.review import Review
    from clientcoach.storage.store import Store


@command("review")
def review(
    month: Annotated[
        str | None, typer.Option("--month", help=_("Review this calendar month (YYYY-MM)."))
    ] = None,
    last: Annotated[bool, typer.Option("--last", help=_("Review last calendar month."))] = False,
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
        typer.Option(
            "--markdown",
            help=_('Also write the review as a Markdown report ("-" for standard output).'),
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help=_('Also write the review as a page with charts (HTML; "-" for standard output).'),
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Let --markdown or --html replace an existing file."))
    ] = False,
    focus_only: Annotated[
        bool,
        typer.Option(
            "--focus",
            help=_(
                "Show only the focus points for next month (with --json, only the"
                " focus list); no reflection."
            ),
        ),
    ] = False,
    no_reflect: Annotated[
        bool, typer.Option("--no-reflect", help=_("Show the figures only; no reflection."))
    ] = False,
    answers_path: Annotated[
        Path | None,
        typer.Option(
            "--answers", "-a", help=_("Answers file for the monthly reflection (no questions).")
        ),
    ] = None,
    redact: RedactOpt = False,
    with_text: WithTextOpt = False,
) -> None:
    """Look back on a month: at most three focus points for next month first, then
    figures and trends, repeated mistakes, open follow-ups, then a short guided
    reflection (default: the current month so far)."""
    from clientcoach.app import review as use
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.config import now as clock
    from clientcoach.storage.store import Store
    from clientcoach.ui import review as render_review

    now = clock()
    chosen = use.period(month, last, since, until, now.date())
    if answers_path is not None and (as_json or no_reflect):
        raise UsageError(
            _("--answers runs the monthly reflection, which --json and --no-reflect skip"),
            _("drop one of them"),
        )
    if focus_only and (markdown is not None or answers_path is not None):
        raise UsageError(
            _("--focus shows the focus points alone; it cannot be used with {option}").format(
                option="--markdown" if markdown is not None else "--answers"
            )
        )
    # `-` sends the report or the page to standard output, which then carries nothing
    # else: no terminal view, no reflection.
    piped = [
        (option, path)
        for option, path in (
            ("--json", "-" if as_json else None),
            ("--markdown", markdown),
            ("--html", html),
        )
        if path is not None and str(path) == "-"
    ]
    if len(piped) > 1:
        raise UsageError(
            _("{first} and {second} both write to standard output").format(
                first=piped[0][0], second=piped[1][0]
            ),
            _("write one of them to a file"),
        )
    if markdown is not None and str(markdown) != "-":
        use.check_report(markdown, force)
    if html is not None:
        if focus_only:
            raise UsageError(
                _("--focus shows the focus points alone; it cannot be used with {option}").format(
                    option="--html"
                )
            )
        if markdown is not None and str(html) != "-" and html.resolve() == markdown.resolve():
            raise UsageError(
                _("--markdown and --html name the same file"), _("give each its own file name")
            )
        if str(html) != "-":
            use.check_report(html, force, "--html")
    answers: dict[str, Any] | None = None
    if answers_path is not None:
        from clientcoach.app.scripted import load_answers

        answers = load_answers(answers_path)

    # --redact: the review is built from redacted records, so every output drawn from it
    # (JSON, Markdown, the HTML page, the terminal) names no client; no reflection
    # follows (it would keep the aliases).
    check_redact(redact, with_text)
    if redact and markdown is None and html is None and not as_json:
        raise UsageError(
            _("--redact is for a review to share: give --markdown FILE, --html FILE or --json"),
            _("add one of them"),
        )
    if redact and answers_path is not None:
        raise UsageError(_("--redact skips the monthly reflection, which --answers runs"))
    to_stdout = any(option != "--json" for option, _path in piped)
    if to_stdout and answers_path is not None:
        raise UsageError(
            _("--answers runs the monthly reflection, which a report on standard output skips"),
            _("write the report to a file, or drop --answers"),
        )
    no_reflect = no_reflect or redact or to_stdout

    watch_index()
    store = Store(data_dir())
    if client is not None and client.strip():
        from clientcoach.app.clients import named_client

        # The one client it names, as saved: the figures, the heading and the
        # reflection saved after them all take that spelling.
        client = named_client(store, client)
    redaction = None
    if redact:
        from clientcoach.app.export import redaction as redacting

        redaction = redacting(store, with_text)
    result, damaged = use.figures(store, chosen, now, client, redaction)
    shown = damaged
    if redaction is not None:
        from clientcoach.app.export import shared_damaged

        # Their names hold clients': not on the terminal either.
        shown = shared_damaged(damaged, redaction)
    if focus_only:
        _focus_only(result, as_json)
        report_damaged(shown, hidden=redact)
        return
    if as_json:
        import json

        document = render_review.to_json(result, shown)
        # Indented for a person; compact for a pipe (the C encoder only does compact).
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json_text(json.dumps(document, ensure_ascii=False, indent=indent)) + "\n")
        sys.stdout.flush()
    elif to_stdout:
        pass  # standard output carries the report or the page alone
    elif not result.empty and not no_reflect:
        # The reflection that follows refers to these figures: they stay on the screen
        # above its questions, not in a pager that closes before it.
        render_review.show(out(), result)
    elif not result.empty:
        with paged() as con:
            render_review.show(con, result)
    if result.empty:
        render_review.empty(console(), result)
    if markdown is not None:
        report = render_review.markdown(result, shown)
        if str(markdown) == "-":
            _write_stdout(report)
        else:
            use.write_report(markdown, report, force)
            console().print(_("Report written to {path}").format(path=markdown), highlight=False)
    if html is not None:
        from clientcoach.ui.html import page

        if str(html) == "-":
            _write_stdout(page(result, shown))
        else:
            use.write_report(html, page(result, shown), force)
            console().print(_("Page written to {path}").format(path=html), highlight=False)
    if damaged:
        from clientcoach.ui.render import damaged as name_damaged

        name_damaged(console(), shown, hidden=redact)

    if not as_json and not no_reflect:
        _reflect(store, result, now, answers, answers_path)
    if damaged:
        raise DamagedSkipped()


def _write_stdout(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def _focus_only(result: "Review", as_json: bool) -> None:
    """``--focus``: the focus points alone, on the terminal or as ``{"focus": [...]}``."""
    from clientcoach.ui import review as render_review

    if as_json:
        import json

        document = {"focus": render_review.focus_json(result)}
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json_text(json.dumps(document, ensure_ascii=False, indent=indent)) + "\n")
        sys.stdout.flush()
    elif result.empty:
        render_review.empty(console(), result)
    else:
        render_review.show_focus(out(), result)


def _reflect(
    store: "Store",
    result: "Review",
    now: "datetime",
    answers: dict[str, Any] | None,
    answers_path: Path | None,
) -> None:
    """Offer the monthly reflection after the figures; saved as a reflection of kind review."""
    from clientcoach.app import review as use
    from clientcoach.app.meeting import walk_and_save
    from clientcoach.app.workspace import library
    from clientcoach.cli.common import saved
    from clientcoach.core.engine import AnswerError, coerce_bool
    from clientcoach.ui import review as render_review
    from clientcoach.ui.terminal import TerminalAsker

    asker: TerminalAsker | None = None
    if answers is None and (result.empty or not (terminal.is_terminal() and sys.stdout.isatty())):
        return  # piped or scripted: the figures are the whole output
    # Found before the offer: a broken playbook.review is told now, not after "yes".
    title = _("Review of {period}").format(period=render_review.period_label(result.period))
    focus = render_review.focus_texts(result)
    reviews = use.saved_reviews(store)  # read once for both questions below
    plan = use.last_try(reviews, result.period.start, result.client)
    run, meta = use.monthly(library(store.root), result, now, title, focus, plan)
    earlier = use.reflected_before(reviews, result.period, result.client)
    if earlier is not None:
        console().print()
        console().print(
            _("You already reflected on this period on {day} (coach show {id}).").format(
                day=str(earlier["meeting"]["date"]), id=earlier["id"]
            ),
            style="yellow",
            highlight=False,
            soft_wrap=True,
        )
    if answers is None:
        asker = TerminalAsker(console())
        console().print()
        # Once reflected on, Enter leaves it at that: another would be saved beside it.
        offer, default = (
            (_("Reflect on this period now? [Y/n] "), "yes")
            if earlier is None
            else (_("Reflect on it again? [y/N] "), "no")
        )
        while True:
            reply = asker.read(render_review.offer_prompt(offer)).strip()
            try:
                if not coerce_bool(reply or default):
                    return
                break
            except AnswerError:
                console().print(_("  Answer yes or no."), highlight=False)

    render_review.focus(console(), result)
    reflection, path = walk_and_save(
        store,
        run,
        meta,
        answers=answers,
        answers_path=answers_path,
        asker=asker,
        heading=result.client or _("all clients"),
    )
    saved(reflection, path)
