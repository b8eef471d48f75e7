"""The config file and ``coach config``: option, then environment, then file, then default."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from tests.helpers import REPO, reflection_files, run_coach

PREP = str(REPO / "examples" / "prep-answers.toml")


def config_file() -> Path:
    return Path(os.environ["CLIENTCOACH_CONFIG"])


def config_holding(text: str) -> Path:
    """The config file, holding ``text`` as a person wrote it."""
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings() -> dict[str, dict[str, str]]:
    result = run_coach("config", "list", "--json")
    assert result.code == 0, result.stderr
    data: dict[str, dict[str, str]] = json.loads(result.stdout)["settings"]
    return data


def test_set_get_unset_write_a_private_toml_file(home: Path) -> None:
    (home / "playbooks").mkdir(parents=True)
    (home / "playbooks" / "my-debrief.toml").write_text(
        'schema = 1\nid = "my-debrief"\nkind = "debrief"\ntitle = "Mine"\n'
        '[[steps]]\nid = "note"\ntype = "text"\nprompt = "Note?"\n',
        encoding="utf-8",
    )
    assert run_coach("config", "set", "language", "FR").code == 0
    assert run_coach("config", "set", "playbook.debrief", "my-debrief").code == 0
    path = config_file()
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "language": "fr",
        "playbook": {"debrief": "my-debrief"},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run_coach("config", "get", "language").stdout.strip() == "fr"
    assert settings()["language"] == {"value": "fr", "source": "config"}
    assert run_coach("config", "path").stdout.strip() == str(path)
    assert run_coach("config", "unset", "language").code == 0
    assert "language" not in tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "langage", "fr"], "unknown config key 'langage' (did you mean language?)"),
        (["set", "language", "de"], "language: 'de' is not a supported language"),
        (["set", "data_dir", "relative/folder"], "data_dir: 'relative/folder' is a relative path"),
        (["set", "playbook.prep", "Not An Id"], "is not a playbook id or .toml file"),
        (["get", "nope"], "unknown config key 'nope'"),
    ],
)
def test_bad_keys_and_values_are_refused(args: list[str], message: str) -> None:
    result = run_coach("config", *args)
    assert result.code == 2
    assert message in result.stderr
    assert not config_file().exists()


def test_a_bad_file_is_named_in_the_error() -> None:
    path = config_holding('language = "fr"\ncolour = "blue"\n')
    result = run_coach("playbooks")
    assert result.code == 2
    # Told in the language the file sets, with the command that removes the key.
    assert f"{path}: clé de configuration inconnue 'colour'" in result.stderr
    assert "coach config unset colour" in result.stderr


@pytest.mark.parametrize(
    ("written", "fix", "left"),
    [
        ('mode = "quik"\nlanguage = "fr"\n', ["set", "mode", "quick"], {"mode": "quick"}),
        ('mode = "quik"\nlanguage = "fr"\n', ["unset", "mode"], {}),
        ('colour = "blue"\nlanguage = "fr"\n', ["unset", "colour"], {}),
        ('language = "klingon"\n', ["set", "language", "fr"], {"language": "fr"}),
    ],
)
def test_a_bad_config_value_never_stops_the_command_that_mends_it(
    written: str, fix: list[str], left: dict[str, str]
) -> None:
    path = config_holding(written)
    # The commands that read the file say what is wrong and how to put it right...
    shown = run_coach("config", "list")
    assert shown.code == 2
    key = fix[1]
    assert f"coach config unset {key}" in shown.stderr
    assert "Traceback" not in shown.stderr
    # ...while help and the config commands still run.
    assert run_coach("--help").code == 0
    mended = run_coach("config", *fix)
    assert mended.code == 0, mended.stderr
    kept = tomllib.loads(path.read_text(encoding="utf-8"))
    assert kept == {**({"language": "fr"} if "klingon" not in written else {}), **left}
    assert run_coach("config", "list").code == 0


def test_a_key_written_as_a_value_and_a_table_is_named_not_a_crash() -> None:
    path = config_holding('playbook = "prep-quick"\n')
    clash = run_coach("config", "set", "playbook.prep", "prep")
    assert clash.code == 2, clash.stderr
    assert "'playbook' is written both as a value and as a table" in clash.stderr
    assert "coach config unset playbook" in clash.stderr
    assert path.read_text(encoding="utf-8") == 'playbook = "prep-quick"\n'
    assert run_coach("config", "unset", "playbook").code == 0
    assert run_coach("config", "set", "playbook.prep", "prep").code == 0
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"playbook": {"prep": "prep"}}


def test_help_and_a_playbook_setting_run_beside_a_bad_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_holding('mode = "quik"\n')
    assert run_coach("help", "prep").code == 0
    # Without CLIENTCOACH_HOME, the data folder comes from the file: only that key counts.
    monkeypatch.delenv("CLIENTCOACH_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert run_coach("config", "set", "playbook.prep", "prep-quick").code == 0


def test_a_bad_config_is_reported_in_the_language_it_sets() -> None:
    config_holding('language = "fr"\nmode = "quik"\n')
    result = run_coach("history")
    assert result.code == 2
    assert "'quik' n'est pas un mode" in result.stderr
    assert "pour le changer\u00a0: coach config set mode VALEUR" in result.stderr


def test_every_problem_of_the_config_file_is_named_at_once() -> None:
    config_holding('language = "de"\nmode = "fast"\ncolour = true\n')
    result = run_coach("history")
    assert result.code == 2
    heading, *lines = result.stderr.strip().splitlines()
    assert heading.endswith("3 problems in the config file:")
    assert [line.split()[0] for line in lines] == ["language:", "mode:", "unknown"]
    assert "coach config unset colour" in lines[2]


def test_language_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    # default, then the locale
    assert settings()["language"]["value"] == "en"
    monkeypatch.setenv("LC_ALL", "fr_CA.UTF-8")
    assert settings()["language"] == {"value": "fr", "source": "locale"}
    # the file beats the locale
    assert run_coach("config", "set", "language", "en").code == 0
    assert settings()["language"] == {"value": "en", "source": "config"}
    # the environment beats the file
    monkeypatch.setenv("CLIENTCOACH_LANG", "fr")
    assert settings()["language"] == {"value": "fr", "source": "CLIENTCOACH_LANG"}
    # the option beats the environment
    shown = run_coach("--lang", "en", "prep", "--help")
    assert "Prepare a client meeting" in shown.stdout
    assert "Préparer" in run_coach("prep", "--help").stdout


def test_data_dir_precedence(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    assert run_coach("config", "set", "data_dir", str(elsewhere)).code == 0
    # CLIENTCOACH_HOME (set by the fixture) still wins over the file
    assert run_coach("prep", "Acme", "--answers", PREP).code == 0
    assert len(reflection_files(home)) == 1
    monkeypatch.delenv("CLIENTCOACH_HOME")
    assert settings()["data_dir"] == {"value": str(elsewhere), "source": "config"}
    saved = run_coach("prep", "Acme", "--answers", PREP)
    assert saved.code == 0, saved.stderr
    assert Path(saved.stdout.strip()).is_relative_to(elsewhere)
    assert len(reflection_files(elsewhere)) == 1


def test_a_relative_clientcoach_home_is_refused(tmp_path: Path) -> None:
    result = run_coach(
        "prep", "Acme", "--answers", PREP, env={"CLIENTCOACH_HOME": "data"}, cwd=tmp_path
    )
    assert result.code == 2
    assert "CLIENTCOACH_HOME=data is a relative path" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_default_playbook_per_command(home: Path) -> None:
    mine = home / "playbooks"
    mine.mkdir(parents=True)
    (mine / "short-prep.toml").write_text(
        'schema = 1\nid = "short-prep"\nkind = "prep"\ntitle = "Short"\n'
        '[[steps]]\nid = "goal"\ntype = "text"\nprompt = "Goal?"\n',
        encoding="utf-8",
    )
    answers = home.parent / "a.toml"
    answers.write_text('goal = "Only this"\n', encoding="utf-8")
    assert run_coach("config", "set", "playbook.prep", "short-prep").code == 0
    result = run_coach("prep", "Acme", "--answers", str(answers))
    assert result.code == 0, result.stderr
    record = json.loads(Path(result.stdout.strip()).read_text(encoding="utf-8"))
    assert record["playbook"]["id"] == "short-prep"
    # --playbook still wins over the file
    full = run_coach("prep", "Acme", "--answers", PREP, "--playbook", "prep")
    assert full.code == 0, full.stderr


@pytest.mark.parametrize(
    ("xdg", "home"),
    [
        (None, "tmp"),
        ("", "tmp"),
        ("   ", "tmp"),
        ("/srv/conf", "tmp"),
        (" /srv/conf", "tmp"),
        ("/srv/conf ", "tmp"),
        ("relative/conf", "tmp"),
        ("~/conf", "tmp"),
        (None, ""),
        (None, "relative/home"),
    ],
)
def test_the_config_file_is_where_platformdirs_puts_it(
    xdg: str | None, home: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    from clientcoach.storage import config

    monkeypatch.delenv("CLIENTCOACH_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path) if home == "tmp" else home)
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    expected = Path(platformdirs.user_config_dir("clientcoach", appauthor=False))
    if not expected.is_absolute():  # a relative XDG folder is never used
        expected = Path.home() / ".config" / "clientcoach"
    assert config.config_path() == expected / "config.toml"


def test_playbook_settings_default_to_the_playbooks_each_command_walks() -> None:
    shown = settings()
    assert {k: v["value"] for k, v in shown.items() if k.startswith("playbook.")} == {
        "playbook.prep": "prep",
        "playbook.debrief": "debrief",
        "playbook.review": "monthly",
    }


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("playbook.prep", "nope", "playbook.prep: no playbook with id 'nope'"),
        ("playbook.review", "prep", "playbook.review: 'prep' is a prep playbook"),
        ("playbook.debrief", "/nowhere/mine.toml", "playbook.debrief:"),
    ],
)
def test_a_playbook_setting_that_cannot_be_walked_is_refused(
    key: str, value: str, message: str
) -> None:
    result = run_coach("config", "set", key, value)
    assert result.code == 2
    assert message in result.stderr
    assert not config_file().exists() or key not in config_file().read_text(encoding="utf-8")


def test_the_review_walks_the_configured_playbook(home: Path, tmp_path: Path) -> None:
    mine = home / "playbooks"
    mine.mkdir(parents=True)
    (mine / "short-month.toml").write_text(
        'schema = 1\nid = "short-month"\nkind = "review"\ntitle = "Short month"\n'
        '[[steps]]\nid = "lesson"\ntype = "text"\nprompt = "One lesson?"\n',
        encoding="utf-8",
    )
    answers = tmp_path / "a.toml"
    answers.write_text('lesson = "Listen first"\n', encoding="utf-8")
    debrief = str(REPO / "examples" / "debrief-answers.toml")
    assert run_coach("debrief", "Acme", "--answers", debrief, "--prep", "none").code == 0
    assert run_coach("config", "set", "playbook.review", "short-month").code == 0
    result = run_coach("review", "--answers", str(answers))
    assert result.code == 0, result.stderr
    (path,) = [p for p in reflection_files(home) if "_review_" in p.name]
    assert json.loads(path.read_text(encoding="utf-8"))["playbook"]["id"] == "short-month"


def test_a_broken_configured_playbook_says_where_it_is_set() -> None:
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('"playbook.prep" = "gone"\n', encoding="utf-8")
    result = run_coach("prep", "Acme", "--answers", PREP)
    assert result.code == 3
    assert "no playbook with id 'gone'" in result.stderr
    assert "coach config unset playbook.prep" in result.stderr


def test_setting_the_language_is_confirmed_in_the_language_set(home: Path) -> None:
    french = run_coach("config", "set", "language", "fr")
    assert french.code == 0, french.stderr
    assert "Set language" not in french.stdout + french.stderr
    assert "language = fr" in french.stdout + french.stderr
    removed = run_coach("config", "unset", "language")  # back to the locale's: English
    assert "Removed language from the config file." in removed.stdout + removed.stderr
    # A language chosen for this run alone keeps speaking.
    kept = run_coach("--lang", "en", "config", "set", "language", "fr")
    assert "Set language = fr in" in kept.stdout + kept.stderr
