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

import os
from pathlib import Path
from typing import Any

try:
    from typer._click import Context
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover - another Typer layout: keep Typer's own path
    RuntimeParam = None  # type: ignore[assignment,misc]


# Settings that change how a value is read; a parameter using any of them keeps Typer's
# own conversion, which knows them all.
_SPECIAL = ("parser", "click_type", "min", "max", "formats", "path_type")


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    return value


if RuntimeParam is not None:

    class _Plain(RuntimeParam):
        """Converts one value (or each of several) the way Typer's adapter would."""

        def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
            if isinstance(value, (list, tuple)):
                return [self._one(item, param, ctx) for item in value]
            return self._one(value, param, ctx)

        def _one(self, value: Any, param: Any, ctx: Context) -> Any:
            value = _decode(value)
            kind = self._leaf()
            if kind is str:
                if not isinstance(value, str):
                    raise BadParameter(f"{value!r} is not a valid string.", ctx=ctx, param=param)
                return value
            if kind is bool:
                return _bool(value, param, ctx)
            # A Path already made skips Typer's adapter; its checks (exists, readable,
            # file or folder) still run in Typer's own function.
            path = value if isinstance(value, Path) else Path(value)
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
    word = str(value).strip().lower()
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

    Returns how many parameters got it, so a test can see that none was missed.
    """
    if RuntimeParam is None:  # pragma: no cover
        return 0
    count = sum(_give(param) for param in getattr(command, "params", []))
    original = getattr(command, "get_help_option", None)
    if original is not None:
        # The help option is made on first use, per command: convert it the same way.
        def get_help_option(ctx: Any) -> Any:
            option = original(ctx)
            _give(option)
            return option

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        count += install(sub)
    return count


def _give(param: Any) -> bool:
    if not _eligible(param):
        return False
    descriptor = param.type_descriptor
    param._runtime_param = _Plain(
        parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
    )
    return True
