"""How user text is compared and named: one fold for client names and searches, the
letters-and-digits form used to match names loosely, the slug used in file names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# File names hold at most this much of a client's name.
SLUG_MAX = 32


# The same few names and answers are folded again and again over a review: remember them.
@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Text as it is compared: case, accents and spacing do not matter.

    The one rule for client names (``Société  Générale`` is ``societe generale``) and
    for searching answers.
    """
    if text.isascii():  # most text: no accents to strip, and a tenth of the cost
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@lru_cache(maxsize=4096)
def norm(text: str) -> str:
    """How two answers are told to be the same one (a mistake said again, a topic seen
    before): as :func:`fold`, end punctuation aside too."""
    return fold(text).rstrip(" .!;:,")


_BREAKABLE = re.compile(r"[^\S\u00a0\u202f\u2007]+")


def single_line(text: str) -> str:
    """``text`` on one line, runs of spaces made one; no-break spaces are kept, for French
    puts them before ? ! : ; (``str.split`` would break them)."""
    return _BREAKABLE.sub(" ", text).strip(" ")


def compact(text: str) -> str:
    """Only the letters and digits of :func:`fold`: ``Acme-Corp`` is ``acmecorp``."""
    return "".join(c for c in fold(text) if c.isalnum())


def slug(text: str) -> str:
    """A file-name-safe ASCII form of user text; never empty, never a path."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:SLUG_MAX].rstrip("-") or "client"


# The one input rule: C0 and C1 controls (tab and newline aside, where several lines are
# allowed), DEL, bidi embeddings, overrides and isolates (one name made to look like
# another), and lone surrogates (bytes that were not UTF-8) are refused wherever a person
# or a playbook gives text: client names, meeting titles, answers, playbook text.
_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_REFUSED_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def refused_char(text: str, *, lines: bool = True) -> str | None:
    """The first character the input rule refuses in ``text``, as ``U+XXXX``; None if
    there is none. With ``lines`` False, tab and newline are refused too."""
    found = (_REFUSED if lines else _REFUSED_IN_A_LINE).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"
