"""Help with examples, ``coach help``, and ``--json`` on every command that prints data."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from clientcoach.cli.examples import EXAMPLES
from clientcoach.cli.main import app
from tests.helpers import run_coach


def _tree() -> dict[str, Any]:
    """Every command of coach by its path ("playbooks check"), groups included."""
    found: dict[str, Any] = {}

    def walk(command: Any, path: str) -> None:
        if path:
            found[path] = command
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return found


def test_every_command_has_an_example_and_no_example_names_a_missing_command() -> None:
    commands = _tree()
    assert set(commands) == set(EXAMPLES)


@pytest.mark.parametrize("path", sorted(EXAMPLES))
def test_every_example_parses(path: str) -> None:
    root = typer.main.get_command(app)
    for example in EXAMPLES[path]:
        words = shlex.split(example)
        if ">" in words:  # a shell redirection, not an argument
            words = words[: words.index(">")]
        assert words[0] == "coach"
        command: Any = root
        ctx = typer.Context(root, info_name="coach")
        rest = words[1:]
        while hasattr(command, "commands") and rest and rest[0] in command.commands:
            command = command.commands[rest[0]]
            rest = rest[1:]
        # make_context parses and checks every option and argument without running it
        command.make_context(path.split()[-1], list(rest), parent=ctx)


def test_every_example_fits_a_40_column_help() -> None:
    too_wide = [x for lines in EXAMPLES.values() for x in lines if len("    " + x) > 40]
    assert too_wide == []


def test_examples_show_under_the_help(home: Path) -> None:
    result = run_coach("review", "--help")
    assert result.code == 0
    assert "Examples:" in result.stdout
    assert "coach review --focus" in result.stdout


def test_help_command_prints_the_help_of_a_command(home: Path) -> None:
    direct = run_coach("prep", "--help")
    via_help = run_coach("help", "prep")
    assert via_help.code == 0
    assert via_help.stdout == direct.stdout
    nested = run_coach("help", "playbooks", "check")
    assert nested.code == 0
    assert nested.stdout == run_coach("playbooks", "check", "--help").stdout
    assert run_coach("help").stdout == run_coach("--help").stdout


def test_help_for_an_unknown_command_suggests_the_close_one(home: Path) -> None:
    result = run_coach("help", "prpe")
    assert result.code == 2
    assert "no command named 'prpe'" in result.stderr
    assert "coach help prep" in result.stderr


def test_help_is_translated_in_french(home: Path) -> None:
    result = run_coach("--lang", "fr", "help", "prep")
    assert result.code == 0
    assert "Exemples" in result.stdout


DATA_COMMANDS = [
    ["history", "--json"],
    ["followups", "--json"],
    ["clients", "--json"],
    ["brief", "Nobody", "--json"],
    ["review", "--json"],
    ["drafts", "--json"],
    ["drafts", "list", "--json"],
    ["playbooks", "list", "--json"],
    ["playbooks", "show", "prep", "--json"],
    ["playbooks", "check", "--json"],
    ["config", "list", "--json"],
    ["config", "get", "mode", "--json"],
    ["doctor", "--json"],
]


@pytest.mark.parametrize("args", DATA_COMMANDS, ids=" ".join)
def test_json_of_every_data_command_parses_on_an_empty_data_directory(
    home: Path, args: list[str]
) -> None:
    result = run_coach(*args)
    assert result.code == 0, result.stderr
    json.loads(result.stdout)


def test_checking_no_playbooks_of_your_own_is_an_empty_list_in_json(home: Path) -> None:
    result = run_coach("playbooks", "check", "--json")
    assert (result.code, json.loads(result.stdout)) == (0, [])
    # In text, the same case still says what to do.
    text = run_coach("playbooks", "check")
    assert text.code == 2
    assert "coach playbooks new ID" in text.stderr


def test_playbooks_show_json_is_the_playbook_in_file_keys(home: Path) -> None:
    data = json.loads(run_coach("playbooks", "show", "debrief-quick", "--json").stdout)
    assert data["id"] == "debrief-quick"
    assert data["kind"] == "debrief"
    assert data["schema"] == 1
    assert all("type" in step and "id" in step for step in data["steps"])


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["my-prep"], "prep"),
        (["team_review"], "review"),
        (["monthly-check"], "review"),
        (["notes"], "debrief"),
        (["notes2", "--kind", "any"], "any"),
        (["before", "--kind", "prep"], "prep"),
    ],
)
def test_playbooks_new_writes_the_kind_asked_for(home: Path, args: list[str], kind: str) -> None:
    import tomllib

    created = run_coach("playbooks", "new", *args)
    assert created.code == 0, created.stderr
    path = Path(created.stdout.strip())
    assert tomllib.loads(path.read_text(encoding="utf-8"))["kind"] == kind
    checked = run_coach("playbooks", "check", args[0])
    assert checked.code == 0, checked.stdout + checked.stderr


def test_playbooks_new_refuses_an_unknown_kind_and_kind_with_from(home: Path) -> None:
    bad = run_coach("playbooks", "new", "x", "--kind", "meeting")
    assert bad.code == 2
    assert "'meeting' is not a kind of playbook" in bad.stderr
    both = run_coach("playbooks", "new", "y", "--kind", "prep", "--from", "debrief")
    assert both.code == 2
    assert not (home / "playbooks" / "y.toml").exists()


def test_config_reports_the_language_given_by_the_option(home: Path) -> None:
    result = run_coach(
        "--lang", "fr", "config", "get", "language", "--json", env={"CLIENTCOACH_LANG": "en"}
    )
    assert json.loads(result.stdout) == {"key": "language", "value": "fr", "source": "--lang"}
    listed = run_coach("--lang", "fr", "config", "list", "--json", env={"CLIENTCOACH_LANG": "en"})
    assert json.loads(listed.stdout)["settings"]["language"] == {"value": "fr", "source": "--lang"}


@pytest.mark.parametrize(
    "data",
    [
        {"client": "Société Générale", "items": [1, -5, 2**62, True, None, 1.5], "none": {}},
        [{"text": "".join(chr(i) for i in range(0x2100)) + "\u2028\u202e\U0001f600"}],
        {"lone": "\udce9"},  # a file name that is not UTF-8, kept as an escape
        {"big": 2**70},
        {1: "a key that is not a string"},
        [],
    ],
    ids=["plain", "every-character", "lone-surrogate", "big-int", "int-key", "empty"],
)
def test_json_output_is_the_standard_librarys_text(
    data: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from clientcoach.cli.common import print_json
    from clientcoach.ui.escape import json_text

    print_json(data)
    expected = json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
    assert capsys.readouterr().out == expected
