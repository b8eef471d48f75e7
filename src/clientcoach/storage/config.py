"""Settings: the data directory, the clock, and the user's config file.

The config file is TOML (read with tomllib, written with tomli-w) at the platform's user
config directory, or at ``CLIENTCOACH_CONFIG``. Every setting follows the same
precedence: command-line option, then environment variable, then the file, then the
default. The file is only opened when it exists, so a user without one pays nothing.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clientcoach.i18n import _

APP_NAME = "clientcoach"
CONFIG_ENV = "CLIENTCOACH_CONFIG"
PLAYBOOK_COMMANDS = ("prep", "debrief", "review")
# The built-in playbook each command walks when neither --playbook nor the config names one.
DEFAULT_PLAYBOOKS = {"prep": "prep", "debrief": "debrief", "review": "monthly"}
# The built-in quick playbooks, walked by `--quick` or when `mode` is `quick`.
QUICK_PLAYBOOKS = {"prep": "prep-quick", "debrief": "debrief-quick"}
MODES = ("full", "quick")
# Full by default: a user who never asked for the quick forms keeps the playbooks they know.
DEFAULT_MODE = "full"


@dataclass(frozen=True)
class Setting:
    key: str
    help: str
    env: str | None = None


def settings() -> dict[str, Setting]:
    """The keys the config file accepts, each with what it does (translated)."""
    rows = [
        Setting("language", _("language of messages and playbooks: en or fr"), "CLIENTCOACH_LANG"),
        Setting("data_dir", _("where reflections are kept (an absolute path)"), "CLIENTCOACH_HOME"),
        Setting(
            "mode",
            _("quick or full: the playbooks `coach prep` and `coach debrief` walk by default"),
        ),
    ]
    for command in PLAYBOOK_COMMANDS:
        rows.append(
            Setting(
                f"playbook.{command}",
                _("playbook id used by `coach {command}` when --playbook is not given").format(
                    command=command
                ),
            )
        )
    return {row.key: row for row in rows}


def config_path() -> Path:
    """``CLIENTCOACH_CONFIG`` if set, else ``config.toml`` in the user config directory."""
    override = os.environ.get(CONFIG_ENV, "").strip()
    if override:
        return Path(override).expanduser().absolute()
    folder: Path | None = None
    if sys.platform == "linux":
        # Every command, `--help` included, looks for this file to learn the language.
        # On Linux the answer is the XDG rule, read here directly: importing platformdirs
        # costs more than the rest of that look-up (a test keeps both in agreement).
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        home = os.environ.get("HOME")
        base = Path(xdg) if xdg.strip() else Path("~").expanduser() / ".config"
        folder = base / APP_NAME
        if not folder.is_absolute() or (home is not None and not Path(home).is_absolute()):
            folder = None  # an odd HOME or XDG value: platformdirs knows the fallbacks
    if folder is None:
        import platformdirs

        folder = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    if not folder.is_absolute():
        folder = Path.home() / ".config" / APP_NAME
    return folder / "config.toml"


def _config_error(message: str, hint: str | None = None) -> Exception:
    from clientcoach.errors import UsageError

    return UsageError(message, hint)


def raw_file(path: Path | None = None) -> dict[str, Any]:
    """The config file as flat ``key -> value`` (``playbook.prep``...), as written: its
    values not checked. {} when there is none; a file that cannot be read or parsed is
    refused. What changes the file reads it so: a bad value must not stop the command
    that would put it right."""
    from clientcoach.storage import safe

    path = path or config_path()
    try:
        raw = safe.read_bytes(path, safe.CONFIG_LIMIT)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise _config_error(
            _("{path}: cannot read the config file ({reason})").format(
                path=path, reason=exc.strerror
            )
        ) from exc
    import tomllib

    try:
        # "-sig": a byte-order mark, as Windows Notepad writes, is read as no text.
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise _config_error(
            _("{path}: the config file is nested too deeply").format(path=path),
            _("fix it, or remove it and use `coach config set`"),
        ) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _config_error(
            _("{path}: the config file is not valid TOML ({reason})").format(path=path, reason=exc),
            _("fix it, or remove it and use `coach config set`"),
        ) from None
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                flat[f"{key}.{sub}"] = inner
        else:
            flat[key] = value
    return flat


def read_file(path: Path | None = None) -> dict[str, Any]:
    """The config file as flat ``key -> value`` (``playbook.prep``...); {} when there is none.

    Unknown keys and bad values are refused with the file's path, so a typo never
    silently falls back to a default; the hint names the ``coach config`` command that
    puts it right.
    """
    from clientcoach.errors import CoachError

    path = path or config_path()
    flat = raw_file(path)
    problems: list[tuple[str, str]] = []
    for key, value in flat.items():
        try:
            flat[key] = validate(key, value)
        except CoachError as exc:
            known = key in settings()
            fix = (
                _("to change it: coach config set {key} VALUE, or coach config unset {key}")
                if known
                else _("to remove it: coach config unset {key}")
            ).format(key=key)
            problems.append(
                (exc.message, _("; ").join((exc.hint, fix)) if exc.hint and known else fix)
            )
    if len(problems) == 1:
        message, hint = problems[0]
        raise _config_error(f"{path}: {message}", hint)
    if problems:
        # Every one at once: mending them one run at a time took as many runs.
        raise _config_error(
            _("{path}: {count} problems in the config file:").format(path=path, count=len(problems))
            + "".join(f"\n  {message} ({hint})" for message, hint in problems)
        )
    return flat


def file_language() -> str | None:
    """The language the config file sets, when it sets a supported one; None otherwise,
    the file's problems included: the language is picked before every command, and the
    one that would mend the file must still run (the others report the problem)."""
    from clientcoach.errors import CoachError
    from clientcoach.i18n import normalise

    try:
        value = raw_file().get("language")
    except CoachError:
        return None
    return normalise(value) if isinstance(value, str) else None


def file_value(key: str, whole: bool = True) -> Any:
    """One value of the config file, or None; cheap when there is no file. The whole file
    is checked, unless ``whole`` is false: then only this key's value is (for ``coach
    config``, which must run to mend the others)."""
    if whole:
        return read_file().get(key)
    value = raw_file().get(key)
    return None if value is None else validate(key, value)


def check_key(key: str) -> None:
    """UsageError, with the closest known key, when ``key`` is not a setting."""
    known = settings()
    if key not in known:
        import difflib

        close = difflib.get_close_matches(key, list(known), n=1)
        hint = (
            _("did you mean {key}?").format(key=close[0])
            if close
            else _("known keys: {keys}").format(keys=", ".join(known))
        )
        raise _config_error(_("unknown config key {key!r}").format(key=key), hint)


def validate(key: str, value: Any) -> Any:
    """The value to store for ``key``; UsageError naming the key when it cannot be."""
    check_key(key)
    if not isinstance(value, str) or not value.strip():
        raise _config_error(_("{key}: give a non-empty text value").format(key=key))
    value = value.strip()
    if key == "language":
        from clientcoach.i18n import SUPPORTED, normalise

        code = normalise(value)
        if code is None:
            raise _config_error(
                _("language: {value!r} is not a supported language").format(value=value),
                _("use one of: {choices}").format(choices=", ".join(SUPPORTED)),
            )
        return code
    if key == "data_dir":
        path = Path(value).expanduser()
        if not path.is_absolute():
            raise _config_error(
                _("data_dir: {value!r} is a relative path").format(value=value),
                _("give an absolute path, so the data never depends on the current folder"),
            )
        if _system_folder(path):
            raise _config_error(
                _("data_dir: {value!r} is the root, the home folder or a system folder").format(
                    value=value
                ),
                _("give a folder of its own, e.g. {example}").format(
                    example=Path("~").expanduser() / "clientcoach"
                ),
            )
        return str(path)
    if key == "mode":
        mode = value.lower()
        if mode not in MODES:
            raise _config_error(
                _("mode: {value!r} is not a mode").format(value=value),
                _("use one of: {choices}").format(choices=", ".join(MODES)),
            )
        return mode
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_-]*", value) and not value.endswith(".toml"):
        raise _config_error(
            _("{key}: {value!r} is not a playbook id or .toml file").format(key=key, value=value),
            _("run `coach playbooks list` to see the ids"),
        )
    return value


# Folders a data directory must never be: the doctor walks it, quarantine moves files in
# it, and every save tidies its folders.
_SYSTEM: tuple[str, ...] = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc")
_SYSTEM += ("/run", "/sbin", "/sys", "/usr", "/System", "/Library", "/private/etc", "/private/var")
_SYSTEM_ITSELF = ("/", "/home", "/Users", "/var", "/opt", "/srv", "/tmp", "/mnt", "/media", "/root")


def _system_folder(path: Path) -> bool:
    """Whether ``path`` is the root, the home folder itself, or a system folder."""
    try:
        home = Path("~").expanduser().resolve()
    except (OSError, RuntimeError):
        home = None
    where = Path(os.path.normpath(path))
    if where == home or str(where) in _SYSTEM_ITSELF:
        return True
    return any(where == Path(top) or Path(top) in where.parents for top in _SYSTEM)


def write_file(values: dict[str, Any], path: Path | None = None) -> Path:
    """Replace the config file atomically with ``values`` (flat keys), 0600."""
    import tomli_w

    path = path or config_path()
    nested: dict[str, Any] = {}
    for key, value in sorted(values.items()):
        head, _dot, tail = key.partition(".")
        # A key written both as a value and as a table (`playbook = "x"` beside
        # `[playbook]`, by hand) cannot be written back: the one that is no setting goes.
        clash = (tail and not isinstance(nested.get(head, {}), dict)) or (
            not tail and head in nested
        )
        if clash:
            wrong = (
                head
                if head not in settings()
                else next(k for k in sorted(values) if k.startswith(f"{head}."))
            )
            raise _config_error(
                _("{path}: {key!r} is written both as a value and as a table").format(
                    path=path, key=head
                ),
                _("to remove it: coach config unset {key}").format(key=wrong),
            )
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[key] = value
    # Plain keys first: TOML puts every key after a [table] header inside that table.
    ordered = dict(sorted(nested.items(), key=lambda kv: isinstance(kv[1], dict)))
    text = tomli_w.dumps(ordered)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except OSError as exc:
        from clientcoach.errors import StorageError

        raise StorageError(
            _("cannot write the config file {path}: {reason}").format(
                path=path, reason=exc.strerror
            ),
            _("check the folder's permissions, or set CLIENTCOACH_CONFIG"),
        ) from exc
    return path


def default_playbook(command: str) -> str | None:
    """The playbook configured for a command, or None to use the built-in default."""
    value = file_value(f"playbook.{command}")
    return value if isinstance(value, str) else None


def mode() -> str:
    """``quick`` or ``full``: which playbooks prep and debrief walk when nothing else says."""
    value = file_value("mode")
    return value if isinstance(value, str) else DEFAULT_MODE


def configured_hint(command: str) -> str:
    """What to say when the playbook the config file names for ``command`` fails."""
    return _(
        "playbook.{command} in the config file names it: change it with "
        "`coach config set playbook.{command} ID`, or drop it with "
        "`coach config unset playbook.{command}`"
    ).format(command=command)


def mode_hint() -> str:
    """What to say when the quick playbook that ``mode = "quick"`` picks fails."""
    return _(
        "mode = quick in the config file picks it: run with --full, or `coach config set mode full`"
    )


def data_dir(whole: bool = True) -> Path:
    """``CLIENTCOACH_HOME`` if set, else ``data_dir`` from the config file (the whole file
    checked, unless ``whole`` is false: see :func:`file_value`), else the platform's
    user data directory.

    The result is always absolute: an empty or relative ``XDG_DATA_HOME`` (which some
    desktop sessions export) must never make us write into the current directory.
    """
    override = os.environ.get("CLIENTCOACH_HOME", "").strip()
    if override:
        path = Path(override).expanduser()
        if not path.is_absolute():
            # Refused like a relative data_dir: the data would move with the shell's folder.
            from clientcoach.errors import UsageError

            raise UsageError(
                _("CLIENTCOACH_HOME={value} is a relative path").format(value=override),
                _("give an absolute path, so the data never depends on the current folder"),
            )
        if _system_folder(path):
            from clientcoach.errors import UsageError

            raise UsageError(
                _(
                    "CLIENTCOACH_HOME={value} is the root, the home folder or a system folder"
                ).format(value=override),
                _("give a folder of its own, e.g. {example}").format(
                    example=Path("~").expanduser() / "clientcoach"
                ),
            )
        return path
    configured = file_value("data_dir", whole)
    if isinstance(configured, str):
        return Path(configured)
    import platformdirs  # imported here: only commands that touch data pay for it

    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if not path.is_absolute():
        path = Path.home() / ".local" / "share" / APP_NAME
    return path


def now() -> datetime:
    """The current local time, aware; ``CLIENTCOACH_NOW`` (ISO 8601) fixes it.

    The override exists so that tests and demos can say "today is 2026-11-24" and get
    the same overdue follow-ups, review month and file names on any machine.
    """
    fixed = os.environ.get("CLIENTCOACH_NOW", "").strip()
    if fixed:
        from clientcoach.errors import UsageError

        try:
            moment = datetime.fromisoformat(fixed)
        except ValueError:
            raise UsageError(
                _("CLIENTCOACH_NOW={value!r} is not an ISO date or time").format(value=fixed),
                _("use e.g. 2026-11-24T09:30 or unset it"),
            ) from None
        from clientcoach.core.dates import FIRST_YEAR, LAST_YEAR, year_error

        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise UsageError(
                _("CLIENTCOACH_NOW: {reason}").format(reason=year_error(moment.year)),
                _("use e.g. 2026-11-24T09:30 or unset it"),
            )
        try:
            return moment.astimezone() if moment.tzinfo is None else moment
        except (OverflowError, OSError, ValueError):
            raise UsageError(
                _("CLIENTCOACH_NOW={value!r} is not an ISO date or time").format(value=fixed),
                _("use e.g. 2026-11-24T09:30 or unset it"),
            ) from None
    return datetime.now(UTC).astimezone()
