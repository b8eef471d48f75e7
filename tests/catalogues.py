"""The message catalogues, for the tests and for the people who edit them.

The sources are ``src/clientcoach/locales/<lang>/LC_MESSAGES/clientcoach.po``; the
program reads the compiled ``clientcoach.mo`` beside each (the standard library's
``gettext``). Babel, a development tool only, reads and compiles them:

    python -m tests.catalogues compile     # after editing a .po file
    python -m tests.catalogues check       # missing, fuzzy or stale entries

A test runs the check, so a compiled catalogue never drifts from its source.
"""

from __future__ import annotations

import gettext
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from clientcoach.i18n import DOMAIN, catalogue_dir

LANGUAGES = ("fr",)


def po_path(language: str) -> Path:
    return catalogue_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def messages(language: str) -> dict[str, str]:
    """English text -> translation; a plural entry gives both its forms, each to its own."""
    found: dict[str, str] = {}
    for message in read(language):
        if not message.id:
            continue  # the header
        if isinstance(message.id, tuple):
            strings = message.string if isinstance(message.string, tuple) else ("", "")
            found[message.id[0]] = strings[0]
            found[message.id[1]] = strings[-1]
        else:
            found[message.id] = str(message.string)
    return found


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems(language: str) -> list[str]:
    """Entries without a translation, fuzzy ones, and a compiled file out of step."""
    catalog = read(language)
    found: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"untranslated: {message.id!r}")
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
    with mo_path(language).open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    plural = gettext.c2py(catalog.plural_expr)
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for n in (0, 1, 2):
                want = message.string[plural(n)]
                if shipped.ngettext(message.id[0], message.id[1], n) != want:
                    found.append(f"stale .mo: {message.id[0]!r} for {n}")
        elif shipped.gettext(message.id) != message.string:
            found.append(f"stale .mo: {message.id!r}")
    return found


def compile_all() -> None:
    for language in LANGUAGES:
        mo_path(language).write_bytes(compiled(read(language)))


def save(language: str, catalog: Catalog) -> None:
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False, omit_header=False)
    po_path(language).write_bytes(out.getvalue())


def main(argv: list[str]) -> int:
    if argv[:1] == ["compile"]:
        compile_all()
        return 0
    if argv[:1] == ["check"]:
        found = [f"{lang}: {p}" for lang in LANGUAGES for p in problems(lang)]
        print("\n".join(found) or "OK")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
