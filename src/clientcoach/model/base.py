"""The base of every data shape: a pydantic model that writes back what it was given.

Playbooks, reflections and drafts are each defined once, as pydantic models. The
models build their validators on first use (``defer_build``), so a command that never
validates one (the review reads records as plain dicts) pays only for the classes.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel


class Model(BaseModel):
    """A pydantic model with the few helpers the program uses on every shape."""

    def data(self) -> dict[str, Any]:
        """What was given, as JSON-ready data keyed as in files: fields first, in order,
        then keys the model does not know. Explicit nulls are kept, defaults never given
        are left out, so a file read and written again stays the same."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def has(self, name: str) -> bool:
        """Whether ``name`` was given (a field, or another key)."""
        return name in self.model_fields_set

    def extra(self) -> dict[str, Any]:
        """Values given under names that are not fields."""
        return dict(self.model_extra or {})

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` given (they count as given, like the values kept)."""
        return self.model_copy(update=changes)
