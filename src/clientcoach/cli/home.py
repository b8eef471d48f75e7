"""``coach`` with no command: the home screen (see :mod:`clientcoach.app.home`).

Only the light ``cli.common`` is imported at module level: ``coach --help`` must not pay
for the store or Rich.
"""

from clientcoach.cli.common import guarded, print_json, report_damaged, watch_index


@guarded
def home(as_json: bool) -> None:
    """What is due, what waits, who has gone quiet, and what to run next."""
    from clientcoach.app.home import home as gather
    from clientcoach.storage.config import data_dir, now
    from clientcoach.storage.store import Store
    from clientcoach.ui import home as screen

    watch_index()
    found = gather(Store(data_dir()), now().date())
    if as_json:
        print_json(screen.to_json(found))
    else:
        screen.show(found)
    report_damaged(found.damaged)


@guarded
def json_without_home() -> None:
    """``coach --json COMMAND``: the option belongs to the home screen, not the command."""
    from clientcoach.errors import UsageError
    from clientcoach.i18n import _

    raise UsageError(
        _("--json before a command is the home screen's option"),
        _("put it after the command: coach followups --json"),
    )
