"""``coach export --format markdown``: one Markdown file per reflection, front matter
first, then the reflection as ``coach show --markdown`` draws it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from clientcoach.core.text import slug
from clientcoach.ui.escape import json_text


def file_name(record: dict[str, Any]) -> str:
    """Sorted by date like the data directory's own names; the id makes it unique."""
    meeting = record.get("meeting") or {}
    client = slug(str(record.get("client") or "all clients"))
    return f"{meeting.get('date', 'undated')}_{record['kind']}_{client}_{slug(record['id'])}.md"


def front_matter(record: dict[str, Any]) -> str:
    """YAML front matter whose values are JSON strings (JSON is YAML), so any name or
    title reads back exactly, quotes, colons and all."""
    meeting = record.get("meeting") or {}
    playbook = record.get("playbook")
    fields = {
        "id": record["id"],
        "date": meeting.get("date"),
        "client": record.get("client"),
        "kind": record.get("kind"),
        "playbook": playbook.get("id") if isinstance(playbook, dict) else None,
        "title": meeting.get("title"),
    }
    lines = ["---"]
    lines += [
        f"{key}: {json_text(json.dumps(value, ensure_ascii=False))}"
        for key, value in fields.items()
    ]
    lines.append("---")
    return "\n".join(lines) + "\n"


def markdown_files(records: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """Each reflection's file name and text, made as they are written: an export of
    100,000 reflections never holds them all."""
    from clientcoach.ui.clients import show_markdown

    names: set[str] = set()
    for record in records:
        name = file_name(record)
        if name in names:  # a copy a sync conflict left: the same id, shown once
            continue
        names.add(name)
        yield name, front_matter(record) + "\n" + show_markdown(record)
