"""Shell completion, through the protocol the installed scripts use (in process), and
through a real bash in a pseudo-terminal (end to end)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, run_coach

PREP = REPO / "examples" / "prep-answers.toml"


def _saved(*clients: str) -> None:
    for name in clients:
        assert run_coach("prep", name, "--answers", str(PREP)).code == 0


def complete(line: str, shell: str = "bash") -> list[str]:
    """What coach offers for the last word of ``line`` (a trailing space: a new word)."""
    words = line.split(" ")
    env = {
        "_COACH_COMPLETE": f"complete_{shell}",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = run_coach(env=env)
    assert result.code == 0, result.stderr
    return [w for w in result.stdout.split("\n") if w]


def test_client_names_match_whatever_the_case_and_accents(home: Path) -> None:
    _saved("Acme Corp", "Société Générale", "Globex")
    assert complete("coach prep ac") == ["Acme\\ Corp"]
    assert complete("coach brief SOC") == ["Société\\ Générale"]
    assert complete("coach brief societe") == ["Société\\ Générale"]
    assert complete("coach history --client glo") == ["Globex"]
    assert complete("coach brief zz") == []


def test_bash_gets_names_escaped_and_other_shells_get_them_as_they_are(home: Path) -> None:
    _saved("Vandelay Corp", "O'Brien & Sons")
    assert complete("coach brief vand") == ["Vandelay\\ Corp"]
    assert complete("coach brief o") == ["O\\'Brien\\ \\&\\ Sons"]
    fish = run_coach(
        env={
            "_COACH_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "coach brief vand",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        }
    )
    assert "Vandelay Corp" in fish.stdout
    assert "Vandelay\\ Corp" not in fish.stdout


def test_playbook_offers_only_playbooks_of_the_commands_kind(home: Path) -> None:
    for_prep = complete("coach prep x --playbook ")
    assert "prep" in for_prep
    assert "prep-quick" in for_prep
    assert not [p for p in for_prep if p.startswith("debrief")]
    for_debrief = complete("coach debrief x -p DEB")
    assert for_debrief == ["debrief", "debrief-quick"]


def test_kinds_languages_config_keys(home: Path) -> None:
    assert complete("coach history --kind d") == ["debrief"]
    assert complete("coach --lang ") == ["en", "fr"]
    assert complete("coach config get play") == [
        "playbook.prep",
        "playbook.debrief",
        "playbook.review",
    ]
    assert complete("coach config set MO") == ["mode"]


def test_follow_up_and_reflection_ids(home: Path, tmp_path: Path) -> None:
    debrief = tmp_path / "d.toml"
    debrief.write_text('what = "Send the plan"\nowner = "me"\ndue = "+3d"\n', encoding="utf-8")
    playbook = tmp_path / "one.toml"
    playbook.write_text(
        'schema = 1\nid = "one"\nkind = "debrief"\nversion = "1"\nlanguage = "en"\n'
        'title = "One"\n[[steps]]\nid = "next"\ntype = "loop"\nprompt = "More?"\n'
        'role = "follow_up"\nmin_items = 1\nmax_items = 1\n'
        '  [[steps.steps]]\n  id = "what"\n  type = "text"\n  prompt = "What?"\n  role = "what"\n'
        '  [[steps.steps]]\n  id = "owner"\n  type = "text"\n  prompt = "Who?"\n  role = "owner"\n'
        '  [[steps.steps]]\n  id = "due"\n  type = "date"\n  prompt = "When?"\n  role = "due"\n',
        encoding="utf-8",
    )
    debrief.write_text(
        '[[next]]\nwhat = "Send the plan"\nowner = "me"\ndue = "+3d"\n', encoding="utf-8"
    )
    saved = run_coach("debrief", "Acme", "-p", str(playbook), "-a", str(debrief))
    assert saved.code == 0, saved.stderr
    (followup,) = complete("coach done ")
    assert followup.endswith(".1")
    assert run_coach("done", followup).code == 0
    assert complete("coach done ") == []  # done: nothing left to offer
    ids = complete("coach show ")
    assert len(ids) == 1
    assert ids[0].endswith(followup.split(".")[0])


def test_a_broken_data_folder_completes_nothing_and_prints_no_traceback(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "reflections").write_text("not a folder", encoding="utf-8")
    assert complete("coach brief a") == []


@pytest.mark.e2e  # a real bash reads the script, completes on Tab, runs the command
def test_in_bash_a_name_with_a_space_completes_and_runs(home: Path) -> None:
    import pexpect

    _saved("Vandelay Corp")
    bin_dir = Path(sys.executable).parent  # the environment coach is installed in
    assert (bin_dir / "coach").exists()
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", PS1="$ ")
    env["NO_COLOR"] = "1"
    bash = pexpect.spawn("bash", ["--norc", "--noprofile"], env=env, encoding="utf-8", timeout=30)
    try:
        # Shown from bash itself, as a user would: the shell is detected from the parent.
        bash.sendline("source <(coach --show-completion)")
        bash.sendline("coach brief Vand\t")
        bash.expect("What you know about Vandelay Corp")
        bash.sendline("exit")
        bash.expect(pexpect.EOF)
    finally:
        bash.close(force=True)


@pytest.mark.parametrize(
    ("shell", "start"),
    [
        ("zsh", "#compdef coach"),
        ("fish", "complete --command coach"),
        ("bash", "_coach_completion"),
    ],
)
def test_show_completion_prints_the_script_of_the_shell_named(
    home: Path, shell: str, start: str
) -> None:
    import os

    result = run_coach("--show-completion", shell)
    assert result.code == 0, result.stderr
    assert result.stdout.lstrip().startswith(start)
    # Nothing of this run is left behind for the next one in the same process.
    assert "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION" not in os.environ
