"""Redaction: records made safe to share without naming clients.

Client names and meeting titles become stable aliases ("Client A", "Meeting 1"), given in
order of first appearance (the records are passed oldest first), and free-text answers
are left out (each distinct text becomes a numbered stand-in, so the figures that count
repeats stay the same) unless the text is kept, in which case any known name or title
inside it is replaced by its alias. Names are matched as :func:`core.text.fold` compares
them: case, accents and spacing do not matter.

Redaction is applied to the records, before anything is built from them: a review,
an export or any later renderer draws only what it was given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from clientcoach.core.text import fold
from clientcoach.i18n import _

Record = dict[str, Any]

# Answers a person typed freely; every other type holds numbers, ratings, dates, choices.
FREE_TEXT = frozenset({"text", "longtext", "list"})
# Keys whose text is the record's structure (ids, step ids, choice values, dates): never
# rewritten, or the review could no longer read them.
_STRUCTURE = frozenset(
    {
        "schema", "id", "kind", "step", "type", "role", "summary", "date", "started_at",
        "finished_at", "app_version", "prep", "deepdive_of", "reflection", "done", "start",
        "end", "language", "version", "playbook",
    }
)  # fmt: skip
# Playbook words (prompts, labels, item names): a name is replaced there only as a whole
# word, so a short name cannot eat into a question ("Ana" in "analyse").
_WORDING = frozenset({"prompt", "label", "item", "help"})


def letters(number: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the spreadsheet way, never running out."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def _folded_map(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` character by character, with the index in ``text`` each folded
    character came from, so a match in the folded text is replaced in the original."""
    out: list[str] = []
    where: list[int] = []
    space = True  # leading spaces are dropped, as fold does
    for index, char in enumerate(text):
        if char.isspace():
            if not space:
                out.append(" ")
                where.append(index)
            space = True
            continue
        space = False
        if char.isascii():
            bare = char.casefold()
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        for piece in bare:
            out.append(piece)
            where.append(index)
    return "".join(out), where


@dataclass
class Aliases:
    """Who is who: the folded names and titles met so far, and what each became."""

    clients: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _words: re.Pattern[str] | None = field(default=None, repr=False)

    def add_client(self, name: str) -> None:
        key = fold(name)
        if key and key not in self.clients:
            alias = _("Client {letters}").format(letters=letters(len(self.clients)))
            self.clients[key] = alias
            self._pattern = None

    def add_title(self, title: str) -> None:
        key = fold(title)
        if key and key not in self.titles and key not in self.clients:
            self.titles[key] = _("Meeting {number}").format(number=len(self.titles) + 1)
            self._pattern = None

    def client(self, name: str) -> str:
        """A client's alias; a name never met is scrubbed of the ones that were."""
        return self.clients.get(fold(name)) or self.scrub(name)

    def title(self, title: str) -> str:
        key = fold(title)
        return self.titles.get(key) or self.clients.get(key) or self.scrub(title)

    def text(self, value: str) -> str:
        """A left-out free text: the same numbered stand-in for the same words."""
        key = fold(value).rstrip(" .!;:,")
        if not key:
            return value
        if key not in self.texts:
            self.texts[key] = _("[text {number}]").format(number=len(self.texts) + 1)
        return self.texts[key]

    def _names(self, whole_words: bool) -> re.Pattern[str] | None:
        if self._pattern is None:
            names = {**self.titles, **self.clients}
            if not names:
                return None
            ordered = sorted(names, key=len, reverse=True)  # the longest name wins
            either = "|".join(re.escape(n) for n in ordered)
            self._pattern = re.compile(either)
            self._words = re.compile(rf"(?<!\w)(?:{either})(?!\w)")
        return self._words if whole_words else self._pattern

    def scrub(self, text: str, *, whole_words: bool = False) -> str:
        """``text`` with every known name and title replaced by its alias, found whatever
        their case or accents; inside words too, unless ``whole_words``."""
        pattern = self._names(whole_words)
        if pattern is None or not text:
            return text
        folded, where = _folded_map(text)
        names = {**self.titles, **self.clients}
        pieces: list[str] = []
        kept = 0
        for found in pattern.finditer(folded):
            first, last = where[found.start()], where[found.end() - 1] + 1
            # Accents typed as separate marks after the last letter belong to the name.
            while last < len(text) and unicodedata.combining(text[last]):
                last += 1
            if first < kept:
                continue  # a letter folded into several (ß) held the end of the last one
            pieces += [text[kept:first], names[found.group()]]
            kept = last
        if not pieces:
            return text
        pieces.append(text[kept:])
        return "".join(pieces)


def aliases(meetings: Iterable[tuple[str, str | None]]) -> Aliases:
    """The aliases of (client, title) pairs given oldest first."""
    found = Aliases()
    pairs = list(meetings)
    for client, _title in pairs:
        found.add_client(client)
    for _client, title in pairs:
        if title:
            found.add_title(title)
    return found


def meetings_of(records: Iterable[Record]) -> list[tuple[str, str | None]]:
    """(client, title) of records, oldest first, as :func:`aliases` takes them."""

    def when(record: Record) -> tuple[str, str, str]:
        meeting = record.get("meeting")
        day = meeting.get("date") if isinstance(meeting, dict) else None
        return (str(day or ""), str(record.get("finished_at") or ""), str(record.get("id")))

    found: list[tuple[str, str | None]] = []
    for record in sorted(records, key=when):
        meeting = record.get("meeting")
        title = meeting.get("title") if isinstance(meeting, dict) else None
        found.append((str(record.get("client") or ""), title if isinstance(title, str) else None))
    return found


@dataclass
class Redaction:
    """What a redacted output keeps: the aliases, and whether free text stays."""

    aliases: Aliases
    with_text: bool = False

    def record(self, record: Record) -> Record:
        """A redacted copy of ``record``; the record itself is left as it was."""
        names = self.aliases
        copy: Record = {k: self._value(v, k) for k, v in record.items()}
        client = record.get("client")
        if isinstance(client, str):
            copy["client"] = names.client(client) if client else ""
        meeting = record.get("meeting")
        if isinstance(meeting, dict) and isinstance(meeting.get("title"), str):
            copy["meeting"]["title"] = names.title(meeting["title"])
        review = record.get("review")
        if isinstance(review, dict):
            # Written from the answers of their month: free text.
            for key in ("top_repeated_mistake", "focus"):
                if key in review:
                    copy["review"][key] = self._free(review[key])
        return copy

    def client(self, name: str) -> str:
        return self.aliases.client(name) if name else name

    def text(self, text: str) -> str:
        """Text of the product's own that may quote a name (a file name, a reason)."""
        return self.aliases.scrub(text)

    def _free(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.aliases.scrub(value) if self.with_text else self.aliases.text(value)
        if isinstance(value, list):
            return [self._free(v) for v in value]
        return value

    def _answer(self, answer: dict[str, Any]) -> dict[str, Any]:
        free = answer.get("type") in FREE_TEXT
        copy: dict[str, Any] = {}
        for key, value in answer.items():
            if key in ("value", "planned") and free:
                copy[key] = self._free(value)
            elif key == "repeat_of" and isinstance(value, dict):
                copy[key] = {
                    k: self._free(v) if k == "text" else self._value(v, k) for k, v in value.items()
                }
            elif key == "answers" and isinstance(value, list):
                copy[key] = [self._value(a, None) for a in value]
            elif key == "items" and isinstance(value, list):
                copy[key] = [self._value(item, None) for item in value]
            elif key == "value":
                copy[key] = value  # a choice, a number, a date: the review reads it as is
            else:
                copy[key] = self._value(value, key)
        return copy

    def _value(self, value: Any, key: str | None) -> Any:
        if isinstance(value, dict):
            if "step" in value and "type" in value:
                return self._answer(value)
            return {k: self._value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v, key) for v in value]
        if isinstance(value, str):
            if key in _STRUCTURE:
                return value
            return self.aliases.scrub(value, whole_words=key in _WORDING)
        return value
