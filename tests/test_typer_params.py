"""Option values are converted without pydantic, exactly as Typer would convert them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main

from clientcoach import typer_params
from clientcoach.cli import app

CHECK_MODULES = """
import json, sys
sys.argv = ["coach", *sys.argv[1:]]
from clientcoach.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "typer"))))
"""


def _all_params(command: object) -> list[object]:
    found = list(getattr(command, "params", []))
    for sub in getattr(command, "commands", {}).values():
        found += _all_params(sub)
    return found


def test_every_parameter_of_coach_gets_the_light_converter() -> None:
    command = typer.main.get_command(app)
    params = _all_params(command)
    assert typer_params.install(command) == len(params) > 40
    plain = [p for p in params if type(p._runtime_param).__name__ == "_Plain"]  # type: ignore[attr-defined]
    assert plain == params


@pytest.mark.e2e  # modules loaded by a fresh interpreter
@pytest.mark.parametrize(
    "args",
    [
        ["review", "--json", "--no-reflect"],
        ["followups", "--json", "--client", "Acme"],
        ["history", "--json", "--since", "2026-01-01"],
        ["playbooks", "check", "nowhere.toml"],
    ],
)
def test_reading_commands_import_no_pydantic(home: Path, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK_MODULES, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert "typer._adapters" not in modules
    if args[0] != "playbooks":  # checking a playbook validates it with the models
        assert not [m for m in modules if m.startswith("pydantic")], modules


def _one_command_app() -> typer.Typer:
    small = typer.Typer()

    @small.command()
    def run(
        name: str,
        files: list[Path] = typer.Argument(None),
        out: Path = typer.Option(Path("x"), "--out"),
        loud: bool = typer.Option(False, "--loud"),
    ) -> None:
        typer.echo(json.dumps([name, [str(f) for f in files or []], str(out), loud]))
        typer.echo(" ".join(type(v).__name__ for v in (name, out, *(files or []))))

    return small


def test_converted_values_match_typer_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["Acme", "a.toml", "b.toml", "--out", str(tmp_path / "o.md"), "--loud"]
    outputs = []
    for light in (False, True):
        command = typer.main.get_command(_one_command_app())
        if light:
            assert typer_params.install(command) == len(command.params)  # completion too
        command(args=args, prog_name="run", standalone_mode=False)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert outputs[1].splitlines()[1] == "str PosixPath PosixPath PosixPath"


@pytest.mark.parametrize(("word", "expected"), [("yes", True), ("0", False), (" On ", True)])
def test_words_for_true_and_false(word: str, expected: bool) -> None:
    assert typer_params._bool(word, None, None) is expected


def test_a_word_that_is_not_a_boolean_is_refused() -> None:
    with pytest.raises(typer_params.BadParameter, match="'maybe' is not a valid boolean"):
        typer_params._bool("maybe", None, None)


def test_command_annotations_are_objects_not_text() -> None:
    """Typer evaluates text annotations (``from __future__ import annotations``) again for
    every command on every run, which cost `coach --help` a tenth of its time."""

    def callbacks(command: object) -> list[object]:
        found = [getattr(command, "callback", None)]
        for sub in getattr(command, "commands", {}).values():
            found += callbacks(sub)
        return [f for f in found if f is not None]

    functions = callbacks(typer.main.get_command(app))
    assert len(functions) > 20
    for function in functions:
        texts = {k: v for k, v in function.__annotations__.items() if isinstance(v, str)}  # type: ignore[attr-defined]
        assert not texts, (function, texts)


def test_values_it_does_not_know_go_to_typer_own_conversion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def build() -> object:
        small = typer.Typer()

        @small.command()
        def run(
            size: str = typer.Option(0),  # a default that is not text
            where: Path = typer.Option(Path("a")),
        ) -> None:
            typer.echo(json.dumps([size, str(where), type(size).__name__]))

        return typer.main.get_command(small)

    outputs = []
    for light in (False, True):
        command = build()
        if light:
            typer_params.install(command)
        command(args=[], prog_name="run", standalone_mode=False)  # type: ignore[operator]
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == '["0", "a", "str"]\n'


def test_a_typer_whose_internals_changed_keeps_its_own_conversion(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(**_fields: object) -> None:
        raise TypeError("RuntimeParam.__init__() got an unexpected keyword argument")

    monkeypatch.setattr(typer_params, "_Plain", refuse)
    command = typer.main.get_command(_one_command_app())
    assert typer_params.install(command) == 0
    command(args=["Acme", "--loud"], prog_name="run", standalone_mode=False)
    assert capsys.readouterr().out.splitlines()[0] == '["Acme", [], "x", true]'
