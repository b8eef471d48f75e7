"""The one output escaper: text from a user, a playbook or a record can drive no terminal.

A record can be edited by hand or synced from elsewhere, a playbook written by anyone,
so whatever was refused on input may still come back on output. Every way out passes
here:

- the two consoles (:mod:`.nobreak`) never parse markup and pass every segment they draw
  through :func:`visible`, tables and trees included;
- plain-text lines (:mod:`.messages`) go through :func:`visible`;
- Markdown goes through :func:`markdown` (visible, then every Markdown character escaped);
- HTML and SVG (the review page) go through :func:`html` (visible, then escaped);
- JSON goes through :func:`json_text` (the same characters as ``\\uXXXX`` escapes, so
  the data stays exact and the text stays inert).

What is replaced: C0 controls but tab and newline, DEL, C1 controls (U+0080 to U+009F),
bidi embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069) and lone
surrogates (bytes that were not UTF-8). Each shows as a visible stand-in: ``␛`` for
ESC (the Unicode control pictures), ``<U+202E>`` for the others.
"""

from __future__ import annotations

import re

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MD_SPECIAL = set("\\`*_[]<>|~&#")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ␀ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """``text`` with every character that could drive a terminal shown as a stand-in."""
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(_stand_in, text)


def line(text: str) -> str:
    """:func:`visible`, on one line (newlines and tabs as spaces)."""
    return " ".join(visible(text).split())


def markdown(text: str) -> str:
    """User text as literal Markdown on one line: nothing it holds takes effect."""
    return "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in line(text))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps``) with the unsafe characters left raw by
    ``ensure_ascii=False`` (C1, bidi, lone surrogates) written as ``\\uXXXX`` escapes."""
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(_json_escape, text)


def html(text: str) -> str:
    """User text as literal HTML (and SVG) text or attribute value: :func:`visible` first,
    for a control character is not even allowed in XML, then every markup character
    escaped, quotes included."""
    import html as markup

    return markup.escape(visible(text), quote=True)
