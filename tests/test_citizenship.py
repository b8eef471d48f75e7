"""Command-line citizenship: streams, colour, widths, exit codes, --debug and completion.

Commands run in this process with standard streams that are not terminals, as a shell
script would run them (``run``). What only a real process can show (a terminal's colours,
signals, the installed console script called back by a shell's completion) runs the
installed ``coach`` in a pseudo-terminal or a shell, in tests marked ``e2e``. The commands
are read from the Typer application, so commands added later are checked too.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
import typer.main

from clientcoach.cli.main import app
from clientcoach.errors import ExitCode
from clientcoach.storage.store import Store
from tests.helpers import REPO, Result, reflection_files, run_coach
from tests.pty_helpers import wait_until_reading

COACH = Path(sys.executable).parent / "coach"
PREP_ANSWERS = REPO / "examples" / "prep-answers.toml"
DEBRIEF_ANSWERS = REPO / "examples" / "debrief-answers.toml"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # a colour or style sequence
NO_SUCH_PREP = "20990101T000000-zzzzzz"


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group of the application, as the words a user types."""
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = command_paths()
SUBCOMMANDS = [path for path in COMMANDS if path]


def user_env(**extra: str) -> dict[str, str]:
    """The test's environment with colour allowed: only the case under test turns it off."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run ``coach ARGS`` in this process with exactly the environment ``env`` (default:
    :func:`user_env`), no terminal anywhere and an empty standard input."""
    wanted = env if env is not None else user_env()
    with pytest.MonkeyPatch.context() as patch:
        for name in set(os.environ) - set(wanted):
            patch.delenv(name)
        return run_coach(*args, env=wanted)


def in_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run ``coach`` in a pseudo-terminal to its end: exit status and the whole screen."""
    child = pexpect.spawn(
        str(COACH), list(args), env=env, encoding="utf-8", timeout=30, dimensions=(40, 120)
    )
    try:
        child.expect(pexpect.EOF)
        screen = child.before
    finally:
        child.close(force=True)
    assert child.exitstatus is not None, f"killed by signal {child.signalstatus}"
    return child.exitstatus, screen


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


# --- help on every command, at 40 and at 200 columns ---------------------------------


def _words(text: str) -> set[str]:
    # A line may break after the hyphen of a compound word ("built-" / "ins"), as in print.
    return set(re.sub(r"-\n\s*", "-", text).split())


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "coach")
@pytest.mark.parametrize("columns", [40, 200])
def test_help_of_every_command_is_plain_and_fits(path: tuple[str, ...], columns: int) -> None:
    result = run(*path, "--help", env=user_env(COLUMNS=str(columns)))
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(" ".join(("Usage: coach", *path)))
    assert "\x1b" not in result.stdout  # not a terminal: no escape codes
    too_long = [line for line in result.stdout.splitlines() if len(line) > columns]
    assert too_long == [], f"lines wider than {columns} columns: {too_long}"

    # Narrow help says the same words as wide help: none is cut in the middle. Only the
    # one-line summaries of subcommands may stop early, at a word end, with "...".
    wide = _words(run(*path, "--help", env=user_env(COLUMNS="200")).stdout)
    garbled = [
        word
        for word in _words(result.stdout) - wide
        if not (word.endswith("...") and (word[:-3] in wide or not word[:-3]))
    ]
    assert garbled == []


@pytest.mark.parametrize("columns", [40, 200])
def test_playbook_table_fits_the_width_without_cutting_words(columns: int) -> None:
    result = run("playbooks", env=user_env(COLUMNS=str(columns)))
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines
    assert max(len(line) for line in lines) <= columns
    assert "…" not in result.stdout  # no truncated cells
    for playbook_id in ("prep", "debrief", "troll-bridge", "healthy-help", "lost-deal"):
        assert re.search(rf"^{re.escape(playbook_id)}\b", result.stdout, re.M), result.stdout
    # Every title is there, word for word, however the cells wrap.
    words = result.stdout.split()
    for title in ("Meeting debrief", "Healthy help: five checks"):
        assert " ".join(words).count(title) or all(w in words for w in title.split())


@pytest.mark.parametrize("path", SUBCOMMANDS, ids=" ".join)
def test_every_command_ends_promptly_without_a_terminal(path: tuple[str, ...]) -> None:
    # No arguments, no terminal, an empty data directory: whatever the command does, it
    # must finish (never wait for a keyboard), with a documented code and no traceback.
    result = run(*path)
    assert result.code in {int(code) for code in ExitCode}, result.stderr
    assert_no_traceback(result)
    assert "\x1b" not in result.stdout + result.stderr


# --- data on stdout, messages and prompts on stderr ----------------------------------


def test_a_saved_run_prints_only_its_path_on_stdout(home: Path) -> None:
    result = run("prep", "Acme", "--answers", str(PREP_ANSWERS))
    assert result.code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert Path(line) == reflection_files(home)[0]
    assert "Saved" in result.stderr
    assert "Saved" not in result.stdout


def test_errors_go_to_stderr_and_nothing_to_stdout() -> None:
    result = run("debrief", "Acme", "--prep", NO_SUCH_PREP, "--answers", str(DEBRIEF_ANSWERS))
    assert result.code == ExitCode.DATA
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("coach: error: ")


def test_listings_are_data_on_stdout_with_a_quiet_stderr() -> None:
    result = run("playbooks")
    assert result.code == 0
    assert result.stderr == ""
    assert "debrief" in result.stdout


@pytest.mark.e2e  # a pseudo-terminal with stdout redirected by a shell
def test_prompts_are_on_stderr_when_stdout_goes_to_a_file(tmp_path: Path) -> None:
    # The prompt shows on the terminal while stdout goes to a file: prompts use stderr.
    out = tmp_path / "out.txt"
    child = pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-c", f"'{COACH}' prep Acme > '{out}'"],
        env=user_env(NO_COLOR="1"),
        encoding="utf-8",
        timeout=30,
    )
    try:
        child.expect_exact("\n> ")  # waiting for the first answer, on the terminal
        assert "Step 1 of about" in child.before
        # (stdout is not a terminal, so Python reads without line editing: the echo
        # stays on and the signal interrupts a plain read at once.)
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == ExitCode.INTERRUPTED
    assert out.read_text(encoding="utf-8") == ""


# --- colour ----------------------------------------------------------------------------


def _colour_runs(env: dict[str, str], *flags: str) -> str:
    """A saved run and an error, in a terminal; the screens of both."""
    code, saved = in_terminal(*flags, "prep", "Acme", "--answers", str(PREP_ANSWERS), env=env)
    assert code == 0, saved
    code, error = in_terminal(
        *flags,
        "debrief",
        "Acme",
        "--prep",
        NO_SUCH_PREP,
        "--answers",
        str(DEBRIEF_ANSWERS),
        env=env,
    )
    assert code == ExitCode.DATA, error
    return saved + error


@pytest.mark.e2e  # in a pseudo-terminal
def test_a_terminal_gets_colour() -> None:
    screen = _colour_runs(user_env())
    assert SGR.search(screen), screen


@pytest.mark.e2e  # in a pseudo-terminal
@pytest.mark.parametrize(
    ("extra", "flags"),
    [({"NO_COLOR": "1"}, ()), ({"TERM": "dumb"}, ()), ({}, ("--no-color",))],
    ids=["NO_COLOR", "TERM=dumb", "--no-color"],
)
def test_colour_can_be_turned_off(extra: dict[str, str], flags: tuple[str, ...]) -> None:
    screen = _colour_runs(user_env(**extra), *flags)
    assert "\x1b" not in screen, repr(screen)
    assert "Saved your prep for Acme" in screen


def test_no_escape_codes_when_output_is_not_a_terminal(home: Path) -> None:
    for args in (
        ("prep", "Acme", "--answers", str(PREP_ANSWERS)),
        ("debrief", "Acme", "--prep", NO_SUCH_PREP, "--answers", str(DEBRIEF_ANSWERS)),
        ("playbooks",),
        ("prep", "--nope"),
    ):
        result = run(*args)
        assert "\x1b" not in result.stdout + result.stderr, (args, result)
        assert result.stdout + result.stderr


# --- exit codes ------------------------------------------------------------------------


def documented_codes() -> dict[int, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", section, re.M)
    return {int(code): meaning for code, meaning in rows}


def test_the_readme_documents_every_exit_code_and_no_other() -> None:
    assert set(documented_codes()) == {int(code) for code in ExitCode}


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _ok(tmp: Path, home: Path) -> Result:
    return run("prep", "Acme", "--answers", str(PREP_ANSWERS))


def _internal(tmp: Path, home: Path) -> Result:
    return _with_a_bug(debug=False)


def _usage(tmp: Path, home: Path) -> Result:
    result = run("prep", "Acme", "--date", "someday", "--answers", str(PREP_ANSWERS))
    assert "--date" in result.stderr
    unknown = run("prep", "--no-such-option")
    assert unknown.code == ExitCode.USAGE
    return result


def _playbook(tmp: Path, home: Path) -> Result:
    return run("prep", "Acme", "--playbook", "no-such-playbook")


def _answers(tmp: Path, home: Path) -> Result:
    bad = _write(tmp, "bad.toml", 'goal = "Agree the scope"\nno_such_step = 1\n')
    result = run("prep", "Acme", "--answers", str(bad))
    assert "no_such_step" in result.stderr
    no_terminal = run("prep", "Acme")  # stdin is not a terminal and there is no file
    assert no_terminal.code == ExitCode.ANSWERS
    return result


def _data(tmp: Path, home: Path) -> Result:
    result = run("debrief", "Acme", "--prep", NO_SUCH_PREP, "--answers", str(DEBRIEF_ANSWERS))
    assert NO_SUCH_PREP in result.stderr
    return result


def _storage(tmp: Path, home: Path) -> Result:
    blocker = _write(tmp, "a-file", "not a folder")
    env = user_env(CLIENTCOACH_HOME=str(blocker / "data"))
    return run("prep", "Acme", "--answers", str(PREP_ANSWERS), env=env)


def _damaged(tmp: Path, home: Path) -> Result:
    # Produced by the commands that read every reflection (history, follow-ups, review).
    readers = [p for p in (("history",), ("followups",)) if p in COMMANDS]
    if not readers:
        pytest.skip("no command of this build reads every reflection yet")
    assert run("prep", "Acme", "--answers", str(PREP_ANSWERS)).code == 0
    folder = next((home / "reflections").iterdir())
    _write(folder, "2026-11-01_prep_broken_20261101T000000-aaaaaa.json", "{ not json")
    result = run(*readers[0])
    assert "broken" in result.stderr
    return result


def _interrupted(tmp: Path, home: Path) -> Result:
    child = pexpect.spawn(
        str(COACH), ["prep", "Acme"], env=user_env(NO_COLOR="1"), encoding="utf-8", timeout=30
    )
    try:
        child.expect_exact("\n> ")
        wait_until_reading(child)
        child.sendintr()
        child.expect(pexpect.EOF)
        screen = child.before
    finally:
        child.close(force=True)
    assert reflection_files(home) == []
    return Result(child.exitstatus or 0, "", screen)


def _signalled(signum: int) -> Callable[[Path, Path], Result]:
    """A terminal run stopped by a signal: the answers so far are kept as a draft."""

    def scenario(tmp: Path, home: Path) -> Result:
        child = pexpect.spawn(
            str(COACH), ["prep", "Acme"], env=user_env(NO_COLOR="1"), encoding="utf-8", timeout=30
        )
        try:
            child.expect_exact("\n> ")
            child.sendline("Agree the pilot scope")  # one answer, so there is a draft to keep
            child.expect_exact("\n> ")
            wait_until_reading(child)
            child.kill(signum)
            child.expect(pexpect.EOF)
            screen = child.before
        finally:
            child.close(force=True)
        assert reflection_files(home) == []
        assert "coach resume" in screen
        return Result(child.exitstatus or 0, "", screen)

    return scenario


SCENARIOS: dict[ExitCode, Callable[[Path, Path], Result]] = {
    ExitCode.OK: _ok,
    ExitCode.INTERNAL: _internal,
    ExitCode.USAGE: _usage,
    ExitCode.PLAYBOOK: _playbook,
    ExitCode.ANSWERS: _answers,
    ExitCode.DATA: _data,
    ExitCode.STORAGE: _storage,
    ExitCode.DAMAGED: _damaged,
    ExitCode.INTERRUPTED: _interrupted,
    ExitCode.HANGUP: _signalled(signal.SIGHUP),
    ExitCode.TERMINATED: _signalled(signal.SIGTERM),
}


# Stopping a run takes a terminal and its keys, or a real signal: those scenarios are e2e.
_IN_A_TERMINAL = (ExitCode.INTERRUPTED, ExitCode.HANGUP, ExitCode.TERMINATED)


@pytest.mark.parametrize(
    "code",
    [pytest.param(c, marks=pytest.mark.e2e) if c in _IN_A_TERMINAL else c for c in ExitCode],
    ids=lambda c: f"{int(c)}-{c.name}",
)
def test_each_exit_code_comes_from_a_real_scenario(
    code: ExitCode, tmp_path: Path, home: Path
) -> None:
    assert code in SCENARIOS, f"exit code {int(code)} has no scenario here"
    result = SCENARIOS[code](tmp_path, home)
    assert result.code == code, f"expected {int(code)}, got {result.code}: {result.stderr}"
    assert_no_traceback(result)
    stops = (ExitCode.INTERRUPTED, ExitCode.HANGUP, ExitCode.TERMINATED)
    if code not in (ExitCode.OK, ExitCode.DAMAGED, *stops):
        # One line says what went wrong (the usage scenario is ours, not Typer's).
        errors = [line for line in result.stderr.splitlines() if "error:" in line]
        assert len(errors) == 1, result.stderr


# --- --debug ---------------------------------------------------------------------------

# An unexpected error inside a command, forced from outside the product: the saving
# function is replaced by one that fails, then the real entry point runs.


def broken_save(self: Store, reflection: object) -> None:
    raise RuntimeError("a gremlin in the disk")


def _with_a_bug(debug: bool, before: bool = True) -> Result:
    args = ["prep", "Acme", "--answers", str(PREP_ANSWERS)]
    if debug:
        args = ["--debug", *args] if before else [*args, "--debug"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "save", broken_save)
        return run(*args)


def test_an_unexpected_error_is_one_line_pointing_to_debug() -> None:
    result = _with_a_bug(debug=False)
    assert result.code == ExitCode.INTERNAL
    assert_no_traceback(result)
    assert "unexpected RuntimeError: a gremlin in the disk" in result.stderr
    assert "--debug" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_debug_shows_the_traceback(before: bool) -> None:
    result = _with_a_bug(debug=True, before=before)
    assert result.code == ExitCode.INTERNAL
    assert "Traceback (most recent call last)" in result.stderr
    assert "broken_save" in result.stderr
    assert "a gremlin in the disk" in result.stderr


def test_debug_adds_no_traceback_to_ordinary_errors() -> None:
    result = run(
        "--debug", "debrief", "Acme", "--prep", NO_SUCH_PREP, "--answers", str(DEBRIEF_ANSWERS)
    )
    assert result.code == ExitCode.DATA
    assert_no_traceback(result)


# --- shell completion -------------------------------------------------------------------


def _shell_env(home: Path) -> dict[str, str]:
    return user_env(HOME=str(home), PATH=f"{COACH.parent}{os.pathsep}{os.environ['PATH']}")


def _from_shell(shell: list[str], command: str, home: Path) -> subprocess.CompletedProcess[str]:
    # "; true" keeps the shell alive as coach's parent, which is how the shell is detected.
    return subprocess.run(
        [*shell, f"{command}; true"],
        capture_output=True,
        text=True,
        env=_shell_env(home),
        timeout=60,
        check=True,
    )


BASH = ["bash", "--norc", "--noprofile", "-c"]
ZSH = ["zsh", "-f", "-c"]


@pytest.mark.e2e  # a real shell calls the installed console script back
def test_install_completion_for_bash(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = _from_shell(BASH, "coach --install-completion", home)
    assert "bash completion installed" in done.stdout
    script = home / ".bash_completions" / "coach.sh"
    assert f"source '{script}'" in (home / ".bashrc").read_text(encoding="utf-8")
    assert "_COACH_COMPLETE=complete_bash" in script.read_text(encoding="utf-8")

    # The installed function calls back into coach, which answers with its commands.
    completed = _from_shell(
        BASH,
        f"source '{script}'; COMP_WORDS=(coach deb); COMP_CWORD=1; _coach_completion coach; "
        'printf "%s\\n" "${COMPREPLY[@]}"',
        home,
    )
    assert completed.stdout.split() == ["debrief"]


@pytest.mark.e2e  # a real shell and the installed console script
@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_install_completion_for_zsh(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = _from_shell(ZSH, "coach --install-completion", home)
    assert "zsh completion installed" in done.stdout
    zshrc = (home / ".zshrc").read_text(encoding="utf-8")
    assert "fpath+=~/.zfunc" in zshrc
    assert "compinit" in zshrc
    script = home / ".zfunc" / "_coach"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#compdef coach")
    assert "_COACH_COMPLETE=complete_zsh coach" in text
    subprocess.run(["zsh", "-n", str(script)], check=True)  # valid zsh

    answer = run(env=user_env(_COACH_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="coach pre"))
    assert '"prep"' in answer.stdout


@pytest.mark.e2e  # the shell is detected from the real parent process
def test_show_completion_prints_the_script(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shown = _from_shell(BASH, "coach --show-completion", home)
    assert "_coach_completion" in shown.stdout
    assert "complete " in shown.stdout
    assert not (home / ".bashrc").exists()  # showing installs nothing


@pytest.mark.parametrize(
    "args",
    [["done", ""], ["done", "  "], ["show", ""], ["resume", " "], ["drafts", "discard", ""]],
    ids=["done", "done-blank", "show", "resume", "discard"],
)
def test_an_empty_id_is_a_usage_error(home: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.code == ExitCode.USAGE, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("coach: error: the "), line
    assert " id is empty (run `coach " in line, line
