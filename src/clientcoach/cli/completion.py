"""Shell completion: client names, playbook ids, kinds, languages, config keys, follow-up
and reflection ids (in the trash too), never a traceback in the shell.

Each function is given to an option as ``shell_complete``: Typer's ``autocompletion``
keeps only results that start with the typed text as typed, so ``ac`` would never offer
"Acme Corp". Matching here ignores case and accents. Bash inserts a result as it is, so
for bash a result is escaped the way the shell reads it back (``Vandelay\\ Corp``); zsh
and fish quote results themselves.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

# The characters bash would split on or expand in a word.
_BASH_SPECIAL = re.compile(r"([\s'\"\\$`!&;|<>(){}\[\]*?#~])")


def _for_shell(values: Iterable[str]) -> list[str]:
    if os.environ.get("_COACH_COMPLETE", "").endswith("bash"):
        return [_BASH_SPECIAL.sub(r"\\\1", value) for value in values]
    return list(values)


def _starting(values: Iterable[str], incomplete: str) -> list[str]:
    from clientcoach.core.text import fold

    start = fold(incomplete)
    return [value for value in values if fold(value).startswith(start)]


def _safe(function: Callable[[Any, str], list[str]]) -> Callable[[Any, Any, str], list[str]]:
    def complete(ctx: Any, _param: Any, incomplete: str) -> list[str]:
        try:
            return _for_shell(function(ctx, incomplete))
        except Exception:  # completion must never print a traceback into the user's shell
            return []

    return complete


def _clients(_ctx: Any, incomplete: str) -> list[str]:
    """Known client names starting like ``incomplete`` (case, accents, spaces ignored)."""
    from clientcoach.core.text import compact, fold
    from clientcoach.insights.names import known_names
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    start = compact(incomplete)
    names = Store(data_dir()).client_names(lambda slug: compact(slug).startswith(start))
    return [
        name
        for key, name in sorted(known_names(names).items())
        if key.startswith(fold(incomplete)) or compact(key).startswith(start)
    ]


def _playbooks(ctx: Any, incomplete: str) -> list[str]:
    """Playbook ids (built-in and the user's) of the command's kind."""
    from clientcoach.app.workspace import library
    from clientcoach.storage.config import data_dir

    wanted = {"prep": "prep", "debrief": "debrief", "review": "review"}.get(ctx.info_name or "")
    lib = library(data_dir())
    ids = []
    for playbook_id in lib.entries():
        if wanted is not None:
            try:
                kind = lib.get(playbook_id).kind
            except Exception:
                continue  # a broken playbook of the user's: not something to offer
            if kind not in (wanted, "any"):
                continue
        ids.append(playbook_id)
    return _starting(sorted(ids), incomplete)


def _kinds(_ctx: Any, incomplete: str) -> list[str]:
    return _starting(["prep", "debrief", "review"], incomplete)


def _export_formats(_ctx: Any, incomplete: str) -> list[str]:
    return _starting(["markdown", "csv", "ics"], incomplete)


def _languages(_ctx: Any, incomplete: str) -> list[str]:
    from clientcoach.i18n import SUPPORTED

    return _starting(SUPPORTED, incomplete)


def _config_keys(_ctx: Any, incomplete: str) -> list[str]:
    from clientcoach.storage import config

    return _starting(config.settings(), incomplete)


def _follow_up_ids(_ctx: Any, incomplete: str) -> list[str]:
    """Ids of the follow-ups not done yet, as `coach followups` shows them."""
    from datetime import date

    from clientcoach.app.clients import followups
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    found, _damaged = followups(
        Store(data_dir()), None, date.today(), overdue=False, show_all=False
    )
    return _starting([item.short_id for item in found], incomplete)


def _reflection_ids(_ctx: Any, incomplete: str) -> list[str]:
    """Ids of saved reflections, newest first."""
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    paths = sorted(Store(data_dir()).files(), reverse=True)
    return _starting([p.stem.rsplit("_", 1)[-1] for p in paths], incomplete)


def _trashed_ids(_ctx: Any, incomplete: str) -> list[str]:
    """Ids of the reflections in the trash, most recently deleted first."""
    from clientcoach.storage.config import data_dir
    from clientcoach.storage.store import Store

    return _starting([item.id for item in Store(data_dir()).trash_list()], incomplete)


client = _safe(_clients)
playbook = _safe(_playbooks)
kind = _safe(_kinds)
export_format = _safe(_export_formats)
language = _safe(_languages)
config_key = _safe(_config_keys)
follow_up = _safe(_follow_up_ids)
reflection = _safe(_reflection_ids)
trashed = _safe(_trashed_ids)
