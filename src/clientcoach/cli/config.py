"""``coach config``: read and change the config file (language, data folder, playbooks)."""

import os
from typing import Annotated, Any

import typer

from clientcoach.cli import completion
from clientcoach.cli.common import command, group, print_json
from clientcoach.i18n import _
from clientcoach.ui.console import console, out


def _effective(key: str, file: dict[str, Any]) -> tuple[str, str]:
    """The value in force for ``key`` and where it comes from, as a stable code: an
    environment variable's name, ``config``, ``locale`` or ``default``."""
    from clientcoach.cli import language
    from clientcoach.storage import config

    setting = config.settings()[key]
    env = os.environ.get(setting.env, "").strip() if setting.env else ""
    if key == "language":
        code, source = language.in_force()
        return code, {"environment": "CLIENTCOACH_LANG", "option": "--lang"}.get(source, source)
    if env:
        return env, setting.env or ""
    if key in file:
        return str(file[key]), "config"
    if key == "data_dir":
        return str(config.data_dir()), "default"
    if key == "mode":
        return config.DEFAULT_MODE, "default"
    return config.DEFAULT_PLAYBOOKS[key.partition(".")[2]], "default"


def _source_text(source: str) -> str:
    names = {"config": _("config file"), "locale": _("locale"), "default": _("default")}
    return names.get(source, source)


KeyArg = Annotated[
    str,
    typer.Argument(
        metavar="KEY", help=_("A setting, e.g. language."), shell_complete=completion.config_key
    ),
]

config_app = group(
    "config",
    _("Show and change settings: language, data folder, quick or full mode, default playbooks."),
)


@command("list", parent=config_app)
def list_settings(
    as_json: Annotated[bool, typer.Option("--json", help=_("Output JSON."))] = False,
) -> None:
    """Every setting, its value in force and where the value comes from."""
    from rich.table import Table
    from rich.text import Text

    from clientcoach.storage import config

    file = config.read_file()
    rows = [(key, *_effective(key, file)) for key in config.settings()]
    if as_json:
        import json  # only the commands that print JSON pay for it

        typer.echo(
            json.dumps(
                {
                    "file": str(config.config_path()),
                    "settings": {k: {"value": v, "source": s} for k, v, s in rows},
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column(_("key"), no_wrap=True)
    table.add_column(_("value"))
    table.add_column(_("from"))
    for key, value, source in rows:
        table.add_row(Text(key), Text(value), Text(_source_text(source)))
    out().print(table)
    console().print(Text(_("Config file: {path}").format(path=config.config_path()), style="dim"))


@command("get", parent=config_app)
def get_setting(
    key: KeyArg,
    as_json: Annotated[bool, typer.Option("--json", help=_("Output JSON."))] = False,
) -> None:
    """Print the value in force for one setting."""
    from clientcoach.storage import config

    config.check_key(key)
    value, source = _effective(key, config.read_file())
    if as_json:
        print_json({"key": key, "value": value, "source": source})
        return
    typer.echo(value)


@command("set", parent=config_app)
def set_setting(
    key: KeyArg,
    value: Annotated[str, typer.Argument(metavar="VALUE", help=_("Its new value."))],
) -> None:
    """Save a setting in the config file."""
    from clientcoach.storage import config

    # As written, not checked: a bad value elsewhere in the file must not stop the
    # command that puts it right (it is kept, and reported by the commands that read it).
    values = config.raw_file()
    values[key] = config.validate(key, value)
    if key.startswith("playbook."):
        from clientcoach.app.playbooks import check_default
        from clientcoach.app.workspace import library

        check_default(key.partition(".")[2], values[key], library(config.data_dir(whole=False)))
    path = config.write_file(values)
    if key == "language":
        _speak_as_configured()
    console().print(
        _("Set {key} = {value} in {path}").format(key=key, value=values[key], path=path)
    )


def _speak_as_configured() -> None:
    """After the language setting changed: the rest of this run speaks the language the
    next runs will, unless ``--lang`` or ``CLIENTCOACH_LANG`` chose this one's."""
    from clientcoach.cli import language
    from clientcoach.i18n import set_language

    if language.in_force()[1] not in ("option", "environment"):
        set_language(language.choose(None, lenient=True)[0])


@command("unset", parent=config_app)
def unset_setting(
    key: KeyArg,
) -> None:
    """Remove a setting from the config file, so its default applies again."""
    from clientcoach.storage import config

    values = config.raw_file()
    if key not in values:
        config.check_key(key)  # an unknown key in the file can still be removed
    if key in values:
        del values[key]
        config.write_file(values)
        if key == "language":
            _speak_as_configured()
        console().print(_("Removed {key} from the config file.").format(key=key))
    else:
        console().print(_("{key} is not set in the config file.").format(key=key))


@command("path", parent=config_app)
def config_file_path() -> None:
    """Print where the config file is (it may not exist yet)."""
    from clientcoach.storage import config

    typer.echo(str(config.config_path()))
