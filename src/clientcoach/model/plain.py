"""Plain in-memory records: what a run holds once a file has been checked.

Pydantic defines what a valid playbook, reflection or draft file is (see
:mod:`clientcoach.schemas`), but building pydantic models costs more than a whole
scripted run may take: importing pydantic and creating the model classes is about
100 ms. So the program holds its data in these light classes instead, and loads
pydantic only to check a file it has not checked before.

A :class:`Plain` object keeps the values it was given, in its ``__dict__``; a field it
was not given reads the class default. :meth:`Plain.data` writes back exactly what was
given (explicit nulls kept, defaults never given left out), and the keys it did not
declare as fields (a newer version's additions) are kept too, so a file never loses
data on its way through.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Self


class Plain:
    """Base of the in-memory records: fields are the class annotations, in order."""

    # Fields in file order, gathered from the annotations of the class and its bases.
    FIELDS: ClassVar[tuple[str, ...]] = ()
    # Attribute names that differ from their key in files (``schema_`` is ``schema``).
    ALIASES: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                if name not in names and "ClassVar" not in str(annotation):
                    names.append(name)
        cls.FIELDS = tuple(names)

    def __init__(self, /, **values: Any) -> None:
        # Keys that are not fields are kept apart (read them with extra()), so that one
        # named like a method (a file may hold anything) can never hide that method.
        extra = {name: values.pop(name) for name in [n for n in values if n not in self.FIELDS]}
        self.__dict__.update(values)
        self.__dict__["_extra"] = extra

    def values(self) -> dict[str, Any]:
        """What this object was given (fields, then other keys), by attribute name."""
        given = {k: v for k, v in self.__dict__.items() if k != "_extra"}
        ordered = {k: given[k] for k in self.FIELDS if k in given}
        return {**ordered, **self.extra()}

    def has(self, name: str) -> bool:
        """Whether ``name`` was given (a field, or another key)."""
        return name in self.__dict__ or name in self.__dict__["_extra"]

    def extra(self) -> dict[str, Any]:
        """Values given under names that are not fields."""
        return dict(self.__dict__.get("_extra") or {})

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` given (they count as given, like the values kept)."""
        return type(self)(**{**self.values(), **changes})

    def data(self) -> dict[str, Any]:
        """What was given, as JSON-ready data keyed as in files: fields first, in order."""
        return {self.ALIASES.get(k, k): to_json(v) for k, v in self.values().items()}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Plain)
        # Like two files that mean the same: a default given or not is the same value.
        fields = all(getattr(self, f, None) == getattr(other, f, None) for f in self.FIELDS)
        return fields and self.extra() == other.extra()

    __hash__ = None  # type: ignore[assignment]  # equal by value and mutable: not hashable

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"{type(self).__name__}({inner})"


def to_json(value: Any) -> Any:
    """``value`` with records, dates and times turned into JSON data."""
    if isinstance(value, Plain):
        return value.data()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def iso_time(moment: datetime) -> str:
    """ISO 8601 as the files have always held it: ``Z`` for UTC, else ``+HH:MM``."""
    offset = moment.utcoffset()
    text = moment.replace(tzinfo=None).isoformat()
    if offset is None:
        return text
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60  # files never held offset seconds
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"
