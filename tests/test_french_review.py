"""`coach review` across languages: English and French debriefs add up, and a whole
review with its monthly reflection can be done in French in a real terminal."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, run_coach
from tests.pty_helpers import Coach, answer_tree, load_json, saved_files

NOW = "2026-11-24T10:00:00+01:00"
EXAMPLE = REPO / "examples" / "debrief-answers.toml"
MONTHLY_FR = tomllib.loads((REPO / "playbooks" / "fr" / "monthly.toml").read_text("utf-8"))
FR_TOPIC = "délais de livraison à l'été"
FR_MISTAKE = "Parlé du prix avant d'avoir compris le besoin"


def _english_answers() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def _french_answers() -> dict[str, Any]:
    """The same debrief playbook answered differently, with accented free text."""
    answers = _english_answers()
    answers["next_steps_agreed"] = False
    del answers["next_steps"]  # only asked when next steps were agreed
    answers["no_next_steps"] = "Proposer un atelier « découverte » par e-mail dès ce soir"
    answers["drama_role"] = "persecutor"
    answers["stance_assertive"] = "Dire « non » calmement, puis proposer une autre piste"
    episode = dict(answers["trolls"][1])
    episode["topic"] = FR_TOPIC
    answers["trolls"] = [episode]
    answers["mistakes"] = [
        {
            "mistake": FR_MISTAKE,
            "repeat": "new",
            "lesson": "Reformuler le besoin d'abord",
            "lesson_scope": "universal",
        }
    ]
    return answers


def _debrief(tmp: Path, client: str, day: str, answers: dict[str, Any], *lang: str) -> None:
    path = tmp / f"answers-{day}.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    done = run_coach(
        "debrief",
        client,
        "--answers",
        str(path),
        "--prep",
        "none",
        "--date",
        day,
        *lang,
        env={"CLIENTCOACH_NOW": NOW},
    )
    assert done.code == 0, done.stderr


@pytest.fixture
def mixed(tmp_path: Path, home: Path) -> Path:
    """Two November debriefs, one English and one French, and a French one in October."""
    _debrief(tmp_path, "Acme", "2026-11-10", _english_answers())
    _debrief(tmp_path, "Société Générale", "2026-11-12", _french_answers(), "--lang", "fr")
    _debrief(tmp_path, "Société Générale", "2026-10-20", _french_answers(), "--lang", "fr")
    languages = sorted(load_json(p)["playbook"]["language"] for p in saved_files(home))
    assert languages == ["en", "fr", "fr"]
    return home


def _review_json(*args: str) -> dict[str, Any]:
    shown = run_coach("review", "--json", *args, env={"CLIENTCOACH_NOW": NOW})
    assert shown.code == 0, shown.stderr
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def _counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    return {e["value"]: e["count"] for e in entries}


@pytest.mark.parametrize(
    "period",
    [("--month", "2026-11"), ("--since", "2026-11-01", "--until", "2026-11-20")],
    ids=["month", "since-until"],
)
def test_english_and_french_debriefs_add_up_in_one_review(
    mixed: Path, period: tuple[str, ...]
) -> None:
    data = _review_json(*period)
    assert data["period"]["start"] == "2026-11-01"
    assert data["reflections"] == 2
    assert data["clients"] == 2
    assert data["meetings"]["debriefed"] == 2
    # Agreed in English, not in French: one of two.
    assert data["next_steps"] == {"count": 1, "total": 2, "rate": 0.5}
    assert data["headline"]["next_steps_rate"]["value"] == 0.5
    # Two difficult moments in English, one in French, told apart by topic only.
    assert data["trolls"]["episodes"] == 3
    assert data["headline"]["troll_episodes"]["value"] == 3
    assert _counts(data["trolls"]["top_topics"]) == {
        "supply-chain delays": 1,
        "budget freeze": 1,
        FR_TOPIC: 1,
    }
    assert data["trolls"]["calm_restored"]["total"] == 3
    assert _counts(data["drama_roles"]) == {"rescuer": 1, "persecutor": 1}
    assert data["help"]["episodes"] == 2
    r1 = next(r for r in data["help"]["rules"] if r["rule"] == "r1_asked")
    assert (r1["checked"], r1["failed"]) == (2, 2)
    assert data["lost_deals"]["count"] == 2
    assert data["mistakes"]["logged"] == 2
    clients = {c["client"]: c["reflections"] for c in data["clients_detail"]}
    assert clients == {"Acme": 1, "Société Générale": 1}
    # The October debrief (French) is last period's, not this one's.
    assert data["headline"]["debriefed"]["previous"] == 1


def test_a_french_review_of_mixed_debriefs_speaks_french(mixed: Path) -> None:
    english = _review_json("--month", "2026-11")
    french = _review_json("--month", "2026-11", "--lang", "fr")
    assert french["period"]["label"] == "novembre 2026, jusqu'ici (au 2026-11-24)"
    assert french["previous"]["label"] == "octobre 2026"
    ranged = _review_json("--since", "2026-11-01", "--until", "2026-11-20", "--lang", "fr")
    assert ranged["period"]["label"] == "du 2026-11-01 au 2026-11-20"
    # Only the words change with the language, never a figure.
    for data in (english, french):
        for period in ("period", "previous"):
            data[period].pop("label")
        for point in data["focus"]:  # the focus points' sentences, in the reader's words
            point.pop("text")
            for words in ("text", "period"):
                point["evidence"].pop(words)
    assert french == english


def test_french_figures_use_a_decimal_comma_and_a_spaced_percent(mixed: Path) -> None:
    shown = run_coach(
        "review",
        "--month",
        "2026-11",
        "--no-reflect",
        "--lang",
        "fr",
        env={"CLIENTCOACH_NOW": NOW, "COLUMNS": "100"},
    ).stdout
    energy = next(line for line in shown.splitlines() if line.startswith("Énergie"))
    assert re.search(r"[+-]\d,\d", energy), energy
    assert not re.search(r"\d\.\d", energy), energy
    agreed = next(li for li in shown.splitlines() if li.startswith("Terminés sur une suite"))
    assert re.search("\\d\u202f%", agreed), agreed


# --- the whole review in French, in a terminal ----------------------------------------

KEEP = ["Écouter d'abord, répondre ensuite", "Préparer l'ordre du jour à l'avance"]
STOP = "Promettre trop tôt « pour faire plaisir »"
TRY = "Une question à la fois, même à l'oral"
PRACTICE = "La boucle du pont aux trolls, apprise d'une collègue"
COMMITMENT = "Reformuler le besoin avant toute question de prix ; ça change tout"


def _prompt(step_id: str) -> str:
    step = next(s for s in MONTHLY_FR["steps"] if s["id"] == step_id)
    text: str = step["prompt"]
    return text[:40]


def _french_review(how: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Coach, str, str]:
    """Run `coach review` in French and answer the monthly reflection; the session,
    its screen and the text shown just before saving."""
    monkeypatch.setenv("CLIENTCOACH_NOW", NOW)
    args: tuple[str, ...] = ()
    if how == "option":
        args = ("--lang", "fr")
    else:
        # Only the variable's text is read: fr_FR.UTF-8 need not be installed.
        monkeypatch.delenv("LC_ALL", raising=False)
        monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    coach = Coach("review", *args)
    try:
        coach.expect("[O/n] ")
        coach.type("o")
        coach.expect(_prompt("monthly_intro"))
        coach.expect(_prompt("month_rating"))
        coach.expect_input()
        coach.type("4")
        coach.expect(_prompt("keep"))
        coach.expect_input()
        for item in KEEP:
            coach.type(item)
            coach.expect("» ")
        coach.type("")
        for step_id, typed in (("stop", STOP), ("try", TRY)):
            coach.expect(_prompt(step_id))
            coach.expect_input()
            coach.type(typed)
            coach.expect("» ")
            coach.type("")
        coach.expect(_prompt("outside_practice"))
        coach.expect_input()
        coach.type(PRACTICE)
        coach.expect(_prompt("practice_source"))
        coach.expect_input()
        coach.type("2")
        coach.expect(_prompt("mistake_commitment"))
        coach.expect_input()
        coach.type(COMMITMENT)
        coach.expect(_prompt("look_closer"))
        coach.expect_input()
        coach.type("")  # nothing more to look at: the reflection ends here
        summary = coach.expect_input()  # every answer, then Enter saves
        coach.type("")
        status = coach.finish()
    finally:
        coach.kill()
    assert status == 0, coach.screen[-2000:]
    return coach, coach.screen, summary


@pytest.mark.e2e  # in a pseudo-terminal
@pytest.mark.parametrize("how", ["option", "locale"])
def test_a_review_and_its_reflection_entirely_in_french_in_a_terminal(
    how: str, mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _coach, screen, summary = _french_review(how, monkeypatch)
    # The figures, with their French labels and accents as typed in the catalogue.
    for label in (
        "Revue\u00a0: novembre 2026, jusqu'ici (au 2026-11-24)",
        "Période précédente\u00a0: octobre 2026",
        "Chiffres clés",
        "Rendez-vous débriefés",
        "Terminés sur une suite convenue",
        "Moments difficiles (trolls)",
        "Énergie (-2 à +2)",
        "Rôles pris dans le triangle dramatique",
        "Faire le point sur cette période maintenant\u202f? [O/n]",
        "Étape 1 sur environ",
        "Enregistré\u00a0: votre revue",
        "Le mois prochain, lancez\u00a0: coach review --last",
    ):
        assert label in screen, f"{label!r} not on the screen:\n{screen[-3000:]}"
    assert FR_TOPIC in screen
    assert "Société Générale" in screen
    drama = screen[screen.index("Rôles pris dans le triangle dramatique") :]
    assert "sauveur" in drama
    assert "persécuteur" in drama
    assert "rescuer" not in drama
    assert re.search(r"Votre erreur la plus répétée|Aucune erreur n'est revenue", screen)
    for english in ("Step ", "Headline figures", "Reflect on this period", "Saved "):
        assert english not in screen
    shown = " ".join(summary.split())  # the terminal may wrap a long answer
    for typed in (*KEEP, STOP, TRY, PRACTICE, COMMITMENT):
        assert typed in shown, f"{typed!r} not in the answers shown before saving:\n{summary}"

    (path,) = [p for p in saved_files(mixed) if load_json(p)["kind"] == "review"]
    raw = path.read_text(encoding="utf-8")
    record = json.loads(raw)
    assert record["playbook"]["id"] == "monthly"
    assert record["playbook"]["language"] == "fr"
    assert record["client"] == ""
    assert record["meeting"]["title"] == "Revue\u00a0: novembre 2026, jusqu'ici (au 2026-11-24)"
    prompts = {a["step"]: a["prompt"] for a in record["answers"]}
    assert prompts["month_rating"] == MONTHLY_FR["steps"][1]["prompt"]
    tree = answer_tree(record["answers"])
    assert tree["month_rating"] == 4
    assert tree["keep"] == KEEP
    assert tree["stop"] == [STOP]
    assert tree["try"] == [TRY]
    assert tree["outside_practice"] == PRACTICE
    assert tree["practice_source"] == "reading"
    assert tree["mistake_commitment"] == COMMITMENT
    # Accented text is kept as typed, whether the file spells it out or escapes it.
    for typed in (*KEEP, STOP, COMMITMENT):
        assert typed in raw or json.dumps(typed)[1:-1] in raw


@pytest.mark.e2e  # in a pseudo-terminal
def test_the_answers_shown_before_saving_are_in_french(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _coach, _screen, summary = _french_review("option", monkeypatch)
    assert "Vos réponses" in summary
    assert "Your answers" not in summary
    assert "Enter saves" not in summary


def test_a_french_review_names_every_reason_area_in_french(home: Path) -> None:
    """English reflections label only the area believed main; a French reader sees every
    area of the built-in lost-deal playbook in French, none in English or as a code."""
    answers = REPO / "examples" / "debrief-answers.toml"
    assert run_coach("debrief", "Acme", "--answers", str(answers)).code == 0
    shown = run_coach("--lang", "fr", "review", "--no-reflect")
    assert shown.code == 0, shown.stderr
    bars = shown.stdout.split("Raison principale, par domaine", 1)[1].split("\n\n", 1)[0]
    main, others = bars.split("Autres raisons qui ont joué, par domaine")
    # The names, without the bars and counts (a long name wraps onto the next line).
    words = " ".join(w for w in bars.replace("█", " ").split() if not w.isdigit())

    def names(chart: str) -> str:
        return " ".join(w for w in chart.replace("█", " ").split() if not w.isdigit())

    assert "Notre conduite de la vente" in names(main), bars
    for name in ("La compréhension du besoin", "Le prix ou les conditions commerciales"):
        assert name in names(others), bars
        assert name not in names(main), bars
    assert "How we ran" not in words
    assert not re.search(r"\b(need|price|execution)\b", words), bars


def test_a_french_screen_names_owners_and_kinds_in_french(home: Path) -> None:
    answers = REPO / "examples" / "debrief-answers.toml"
    saved = run_coach(
        "--lang", "fr", "debrief", "Acme", "--answers", str(answers), "--date", "2026-11-02"
    )
    assert saved.code == 0, saved.stderr
    later = {"CLIENTCOACH_NOW": "2026-12-24T09:00"}
    review = run_coach("--lang", "fr", "review", "--month", "2026-11", "--no-reflect", env=later)
    assert review.code == 0, review.stderr
    (row,) = [line for line in review.stdout.splitlines() if "Send the pilot plan" in line]
    assert row.split()[3] == "moi"
    listed = run_coach("--lang", "fr", "history", env=later)
    assert listed.code == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if "Acme" in line]
    assert line.split()[1] == "débrief"


def test_each_value_is_labelled_in_the_best_language_saved_for_it(
    home: Path, tmp_path: Path
) -> None:
    """The French record holds the French label of "me" only, the English one the
    English label of "both": each value keeps a label, never its code."""
    french = _english_answers()
    french["next_steps"] = [{"what": "Envoyer le plan", "owner": "me", "due": "2026-12-01"}]
    english = _english_answers()
    english["next_steps"] = [{"what": "Send it", "owner": "both", "due": "2026-12-01"}]
    _debrief(tmp_path, "Acme", "2026-11-10", french, "--lang", "fr")
    _debrief(tmp_path, "Acme", "2026-11-12", english)
    shown = run_coach("--lang", "fr", "review", "--month", "2026-11", "--no-reflect")
    assert shown.code == 0, shown.stderr
    (row,) = [line for line in shown.stdout.splitlines() if line.startswith("Qui s'en charge")]
    assert "Moi (1)" in row
    assert "Both of us (1)" in row  # no French label was saved for it: the English one
    assert not re.search(r"\bboth\b", row)
