"""Option conversion for plain types without pydantic.

Typer converts every option value through a pydantic ``TypeAdapter`` built when the
command runs. Importing pydantic and building those adapters costs more than the whole of
a scripted ``coach debrief`` otherwise does, and every value ``coach`` takes is a plain
``str``, ``bool``, ``Path`` or list of paths, which need no schema. So the parameters of
those types get a converter of their own before the command line is parsed.

Typer keeps the converter on a private attribute (``_runtime_param``). When a Typer
release stops having it, or a parameter has a type or setting this module does not
know, nothing is changed and Typer's own conversion runs: slower, never different.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

try:
    from typer._click import Context
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover - another Typer layout: keep Typer's own path
    RuntimeParam = None  # type: ignore[assignment,misc]


# Settings that change how a value is read; a parameter using any of them keeps Typer's
# own conversion, which knows them all.
_SPECIAL = ("parser", "click_type", "min", "max", "formats", "path_type")


class _Unusual(Exception):
    """A value this module does not convert itself (Typer's own conversion takes it)."""


if RuntimeParam is not None:

    class _Plain(RuntimeParam):
        """Converts command-line text the way Typer's adapter would, without pydantic.

        Anything else (a non-text default, bytes, a single value for a list) goes to
        Typer's own conversion, and so does everything if Typer's helpers have changed.
        """

        def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
            try:
                return self._fast(value, param, ctx)
            except (_Unusual, TypeError, AttributeError):
                return build_runtime_param(param.type_descriptor)._coerce_value(
                    value, param=param, ctx=ctx
                )

        def _fast(self, value: Any, param: Any, ctx: Context) -> Any:
            listed = getattr(self.annotation, "__origin__", None) is list
            if listed != isinstance(value, (list, tuple)):
                raise _Unusual
            if listed:
                return [self._one(item, param, ctx) for item in value]
            return self._one(value, param, ctx)

        def _one(self, value: Any, param: Any, ctx: Context) -> Any:
            kind = self._leaf()
            if kind is bool:
                return _bool(value, param, ctx)
            if isinstance(value, Path) and kind is Path:
                path = value
            elif isinstance(value, str):
                if kind is str:
                    return value
                path = Path(value)
            else:
                raise _Unusual
            # Typer's own checks (exists, readable, file or folder) still run here.
            return coerce_cli_path(path, self.parameter_info, path_type=Path, param=param, ctx=ctx)

        def _leaf(self) -> object:
            annotation: Any = self.annotation
            if getattr(annotation, "__origin__", None) is list:
                return annotation.__args__[0]
            return annotation


_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n", "off"})


def _bool(value: Any, param: Any, ctx: Any) -> bool:
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise _Unusual
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise BadParameter(f"{value!r} is not a valid boolean.", ctx=ctx, param=param)


def _plain_type(annotation: Any, multiple: bool) -> bool:
    if getattr(annotation, "__origin__", None) is list:
        args: tuple[Any, ...] = getattr(annotation, "__args__", ())
        return multiple and args == (Path,)
    return annotation in (str, bool, Path)


def _eligible(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", "absent") is not None:
        return False
    info = descriptor.parameter_info
    if any(getattr(info, name, None) is not None for name in _SPECIAL):
        return False
    if descriptor.file_annotation is not None:
        return False
    multiple = bool(getattr(param, "multiple", False)) or getattr(param, "nargs", 1) == -1
    return _plain_type(descriptor.annotation, multiple)


def install(command: Any) -> int:
    """Give every plain parameter of ``command`` and its subcommands the light converter.

    Returns how many parameters got it, so a test can see that none was missed. Never
    fails: on a Typer whose internals differ, the parameters keep Typer's conversion.
    """
    if RuntimeParam is None:  # pragma: no cover
        return 0
    try:
        return _install(command)
    except Exception:  # any surprise means: leave Typer as it is
        return 0


def _install(command: Any) -> int:
    count = sum(_give(param) for param in getattr(command, "params", []))
    original = getattr(command, "get_help_option", None)
    if original is not None:
        # The help option is made on first use, per command: convert it the same way.
        def get_help_option(ctx: Any) -> Any:
            option = original(ctx)
            with contextlib.suppress(Exception):
                _give(option)
            return option

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        count += _install(sub)
    return count


def _give(param: Any) -> bool:
    if not _eligible(param):
        return False
    descriptor = param.type_descriptor
    param._runtime_param = _Plain(
        parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
    )
    return True
