"""Client names told apart: compared without case, accents, spaces or punctuation.

Kept apart from the client memory because ``coach prep`` and ``coach debrief`` match the
typed name against the known clients before their first question, and load only this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clientcoach.core.text import compact, fold


@dataclass(frozen=True)
class ClientMatch:
    """How a typed name relates to the known clients.

    ``exact`` is the known name with the same key; ``close`` the other known names that
    start like it (or that it starts like), ignoring case, accents, spaces and punctuation.
    """

    exact: str | None
    close: list[str]


def known_names(names: Iterable[str]) -> dict[str, str]:
    """Client key to the name shown for it (the last spelling given wins)."""
    found: dict[str, str] = {}
    for name in names:
        key = fold(name)
        if key:
            found[key] = name
    return found


def match_client(typed: str, names: Iterable[str]) -> ClientMatch:
    known = known_names(names)
    key = fold(typed)
    exact = known.get(key)
    typed_compact = compact(typed)
    close: list[str] = []
    if typed_compact:
        for other_key, name in sorted(known.items()):
            if other_key == key:
                continue
            other = compact(other_key)
            if other and (other.startswith(typed_compact) or typed_compact.startswith(other)):
                close.append(name)
    return ClientMatch(exact, close)


def client_by_prefix(typed: str, names: Iterable[str]) -> list[str]:
    """Known clients the typed text names: its exact match, else those it is a start of."""
    known = known_names(names)
    key = fold(typed)
    if key in known:
        return [known[key]]
    typed_compact = compact(typed)
    by_key = [n for k, n in sorted(known.items()) if k.startswith(key)]
    if by_key or not typed_compact:
        return by_key
    return [n for k, n in sorted(known.items()) if compact(k).startswith(typed_compact)]


# How alike two names must be (difflib's ratio) for one to be offered for the other.
SIMILAR = 0.75


def similar_names(typed: str, names: Iterable[str], most: int = 3) -> list[str]:
    """Known clients a typed name may have meant (``Initek`` for Initech Corp), best first.

    A typed name is compared, without case, accents or punctuation, with each known name
    whole and with each of its words, since people often type the first word only.
    """
    import difflib

    want = compact(typed)
    if not want:
        return []
    scored: list[tuple[float, str]] = []
    for key, name in known_names(names).items():
        if key == fold(typed):
            continue
        parts = [compact(key), *(compact(word) for word in key.split())]
        ratios = [difflib.SequenceMatcher(None, want, part).ratio() for part in parts if part]
        best = max(ratios, default=0.0)
        if best >= SIMILAR:
            scored.append((best, name))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [name for _score, name in scored[:most]]
