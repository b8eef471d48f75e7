"""One interactive run end to end: a draft after every answer, stops, summary, save.

Shared by ``prep``/``debrief`` and ``resume``. The engine stays pure: the asker calls
back after every answer and this module writes the draft through the store. Ctrl-C,
Ctrl-D, SIGTERM and SIGHUP (the terminal closed) end the run with the draft kept and a
documented exit code; a signal that arrives while a file is being written waits until
the write is complete, so no save is ever cut short by the program itself.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from clientcoach import __version__
from clientcoach.core.earlier import Earlier
from clientcoach.core.engine import Run
from clientcoach.errors import CoachError, ExitCode, RunStopped, StorageError
from clientcoach.i18n import _
from clientcoach.model.base import Model
from clientcoach.model.draft import (
    Address,
    Draft,
    DraftPlaybook,
    fingerprint,
    step_paths,
    with_answers,
)
from clientcoach.model.playbook import Playbook
from clientcoach.model.reflection import (
    Links,
    Meeting,
    PlaybookRef,
    RecordKind,
    Reflection,
    Value,
    new_id,
)
from clientcoach.storage.config import now as clock
from clientcoach.storage.store import Store


class Asker(Protocol):
    """Who answers a run step by step (a person at a terminal), told after each answer."""

    # Told the answers a draft keeps, those it remembers, which of those were being
    # typed when the run stopped, and the earlier answers some answers repeat.
    on_change: (
        Callable[
            [
                list[tuple[Address, Value]],
                list[tuple[Address, Value]],
                frozenset[Address],
                Mapping[Address, Earlier],
            ],
            None,
        ]
        | None
    )

    def ask(self, run: Run) -> None: ...

    def review(self, run: Run) -> None: ...

    def stopped(self, draft: Draft | None) -> None:
        """Say the run stopped, and how to resume it when ``draft`` keeps its answers."""


EXIT_HANGUP = int(ExitCode.HANGUP)
EXIT_TERMINATED = int(ExitCode.TERMINATED)
_STOPS = {"SIGTERM": EXIT_TERMINATED, "SIGHUP": EXIT_HANGUP}


@dataclass
class Meta:
    """What a run records besides its answers."""

    kind: RecordKind
    client: str
    title: str | None
    day: date
    playbook: Playbook
    included: dict[str, Playbook]
    prep: str | None
    started_at: datetime
    source: Path | None = None  # the .toml file, when the playbook was given as one
    # A deep-dive walked later: the id of the debrief it deepens (`links.deepdive_of`).
    deepdive_of: str | None = None
    # More record fields the command knows (a review's period), saved as they are.
    extra: dict[str, Any] = field(default_factory=dict)


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: end the run, keeping the draft."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Signals:
    """Signal handlers that stop the run, but never in the middle of a write."""

    def __init__(self, defer_all: bool = False) -> None:
        self.defer_all = defer_all
        self.writing = 0
        self.pending: BaseException | None = None
        self.saved: dict[int, object] = {}

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        stop: BaseException = (
            KeyboardInterrupt() if name == "SIGINT" else Stopped(_STOPS.get(name, EXIT_TERMINATED))
        )
        if self.writing or self.defer_all:
            self.pending = self.pending or stop
            return
        raise stop

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        names = ["SIGINT", "SIGTERM", "SIGHUP"]
        for name in names:
            number = getattr(signal, name, None)
            if number is not None:
                self.saved[number] = signal.signal(number, self._stop)
        try:
            yield
        finally:
            for number, handler in self.saved.items():
                signal.signal(number, handler)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def writing_file(self) -> Iterator[None]:
        self.writing += 1
        try:
            yield
        finally:
            self.writing -= 1
        if not self.writing and self.pending is not None and not self.defer_all:
            stop, self.pending = self.pending, None
            raise stop


def unfinished(store: Store, kind: str, client: str) -> list[Draft]:
    """The drafts of a ``kind`` of run about ``client`` (folded), newest first: a run
    started again rather than resumed would record the meeting twice."""
    from clientcoach.core.text import fold

    key = fold(client)
    found, _damaged = store.scan_drafts()  # damaged ones are named by `coach drafts`
    return [d for _path, d in found if d.kind == kind and fold(d.client) == key]


def source_of(playbook_ref: str | None) -> Path | None:
    """The absolute .toml path of a playbook given as a file, so a resume finds it again."""
    if playbook_ref is None or not (
        playbook_ref.endswith(".toml") or "/" in playbook_ref or "\\" in playbook_ref
    ):
        return None
    return Path(playbook_ref).expanduser().absolute()


def links(meta: Meta) -> Links:
    """The record's links; a deep-dive's link is written only on a deep-dive."""
    if meta.deepdive_of is not None:
        return Links(prep=meta.prep, deepdive_of=meta.deepdive_of)
    return Links(prep=meta.prep)


def new_draft(meta: Meta) -> Draft:
    playbook = meta.playbook
    return Draft(
        id=new_id(meta.started_at),
        kind=meta.kind,
        client=meta.client,
        meeting=Meeting(title=meta.title, date=meta.day),
        playbook=DraftPlaybook(
            id=playbook.id,
            version=playbook.version,
            language=playbook.language,
            path=str(meta.source) if meta.source is not None else None,
            steps=step_paths(playbook, meta.included),
            fingerprint=fingerprint(playbook, meta.included),
        ),
        links=links(meta),
        started_at=meta.started_at,
        updated_at=meta.started_at,
        answers=[],
        app_version=__version__,
        # Kept beside the answers, so a resumed run saves the same record fields.
        **{k: v.data() if isinstance(v, Model) else v for k, v in meta.extra.items()},
    )


def _draft_lost_hint(draft: Draft, written: bool) -> str:
    """What a draft that could not be written means for the answers given so far."""
    if written:
        return _(
            "your answers before this one are kept in draft {id}; free some space or fix "
            "the permissions, then run `coach resume {id}` to go on from there"
        ).format(id=draft.id)
    return _("no draft could be kept yet; free some space or fix the permissions, then start again")


def walk(asker: Asker, run: Run, store: Store, meta: Meta, draft: Draft | None = None) -> Draft:
    """Ask every step, then the summary, keeping a draft; returns the last draft."""
    current = draft or new_draft(meta)
    written = draft is not None
    signals = _Signals()

    def keep(
        answers: list[tuple[Address, Value]],
        remembered: list[tuple[Address, Value]],
        halfway: frozenset[Address] = frozenset(),
        links: Mapping[Address, Earlier] | None = None,
    ) -> None:
        nonlocal current, written
        now = max(clock(), current.updated_at)
        kept = {a: e._asdict() for a, e in (links or {}).items()}
        current = with_answers(current, answers, now, remembered, halfway, kept)
        if not written and current.count == 0 and not current.halfway():
            # Only an info step read, or a step skipped: nothing of the person's to keep
            # yet, so a stop now says nothing was saved, as at a first question.
            return
        with signals.writing_file():
            try:
                store.save_draft(current)
            except StorageError as exc:
                raise StorageError(exc.message, _draft_lost_hint(current, written)) from None
            written = True

    asker.on_change = keep
    with signals.installed():
        try:
            asker.ask(run)
            asker.review(run)
        except (KeyboardInterrupt, EOFError, Stopped) as stop:
            signals.defer_all = True  # a second Ctrl-C must not garble the way out
            code = stop.code if isinstance(stop, Stopped) else int(ExitCode.INTERRUPTED)
            # After SIGHUP the terminal may be gone: the draft is on disk, the word a bonus.
            with contextlib.suppress(OSError, ValueError):
                asker.stopped(current if written else None)
            raise RunStopped(code) from None
        finally:
            asker.on_change = None
    return current


def save(store: Store, run: Run, meta: Meta, draft: Draft | None) -> tuple[Reflection, Path]:
    """Save the finished run, then forget its draft; the reflection and its path."""
    finished = max(clock(), meta.started_at)
    reflection = Reflection(
        id=new_id(finished),
        kind=meta.kind,
        client=meta.client,
        meeting=Meeting(title=meta.title, date=meta.day),
        playbook=PlaybookRef(
            id=meta.playbook.id, version=meta.playbook.version, language=meta.playbook.language
        ),
        links=links(meta),
        started_at=meta.started_at,
        finished_at=finished,
        answers=run.records(),
        app_version=__version__,
        **meta.extra,
    )
    signals = _Signals(defer_all=True)
    with signals.installed():
        # Saved first, then the draft removed: a stop in between leaves both, never neither.
        try:
            reflection, path = store.save(reflection)
        except CoachError as exc:
            if draft is None:
                raise
            kept = _("your answers are kept as draft {id}: run coach resume {id} once fixed")
            hint = "; ".join(h for h in (exc.hint, kept.format(id=draft.id)) if h)
            raise type(exc)(exc.message, hint) from None
        if draft is not None:
            store.remove_draft(draft.id)
    return reflection, path
