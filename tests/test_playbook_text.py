"""The words of the built-in playbooks: French that reads as French, refs that name what
each step carries, and the sources' ideas said the way the sources say them."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clientcoach.core.dates import parse_date
from tests.helpers import REPO

FRENCH = sorted((REPO / "playbooks" / "fr").glob("*.toml"))
# The keys whose text a person reads (the other keys are ids, values and conditions).
READ = {"prompt", "help", "why", "label", "low", "high", "item", "title", "summary"}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    return data


def _texts(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every text a person reads in a playbook, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{node.get('id', key)}" if "id" in node else f"{where}.{key}"
            if key in READ and isinstance(value, str):
                yield f"{here}.{key}", value
            else:
                yield from _texts(value, here)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item, where)


def _all_french() -> list[tuple[str, str]]:
    return [(f"{p.name}{w}", t) for p in FRENCH for w, t in _texts(_load(p))]


def _steps(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for step in node.get("steps", []):
        yield step
        yield from _steps(step)


def _step(path: Path, step_id: str) -> dict[str, Any]:
    (found,) = [s for s in _steps(_load(path)) if s["id"] == step_id]
    return found


# Wording that was wrong or not French; none may come back.
BAD_FRENCH = [
    "Pas assez confiance",
    "pas assez confiance",
    "ou nous sommes retirés",
    "Êtes-vous sûr de la vraie raison",
    "vidé ou donné de l'énergie",
    "timing",
    "au lieu de la coûter",
    "quelqu'un d'ignoré",
    "c'est bon à remarquer",
    "c'est bon à savoir",
    "potasser",
    "les rend plus petits",
    "la garde saine",
    "maquette",
    "tour de boucle",
    "tours courts",
    "refait un tour",
]


def test_no_wrong_or_borrowed_wording_in_the_french_playbooks() -> None:
    found = [(w, bad) for w, text in _all_french() for bad in BAD_FRENCH if bad in text]
    assert not found


def test_the_french_playbooks_speak_of_the_client_in_the_singular() -> None:
    # « le client » / « son », never « leur » for the client (« de leur mieux » is people
    # in general, not the client).
    plural = re.compile(r"\bleurs?\b")
    found = [(w, t) for w, t in _all_french() if plural.search(t.replace("de leur mieux", ""))]
    assert not found
    prep = REPO / "playbooks" / "fr" / "prep.toml"
    assert "son nom" in _step(prep, "help_offered")["help"]
    assert "du client" in _step(prep, "technically_prepared")["prompt"]


def test_french_date_hints_use_the_french_units_the_parser_accepts() -> None:
    from datetime import date

    hints = [(w, t) for w, t in _all_french() if "relative" in t]
    assert len(hints) >= 2
    for where, text in hints:
        units = re.findall(r"(?<![\w-])[+-]\d+[a-z]\b", text)
        assert units, where
        for unit in units:
            assert unit[-1] in "js", f"{where}: {unit} (French hints say +7j, +2s)"
            parse_date(unit, date(2026, 1, 5))  # raises if not accepted


def test_a_troll_bridge_pass_has_one_french_name() -> None:
    bridge = [t for w, t in _all_french() if w.startswith("troll-bridge")]
    assert any("passage" in t for t in bridge)
    assert not any(re.search(r"\btours?\b", t) for t in bridge)


def test_the_confidence_in_the_real_reason_is_asked_as_a_degree() -> None:
    step = _step(REPO / "playbooks" / "fr" / "lost-deal.toml", "reason_confidence")
    assert step["type"] == "rating"
    assert step["prompt"].startswith("À quel point")


@pytest.mark.parametrize("path", FRENCH, ids=lambda p: p.stem)
def test_a_proof_of_concept_is_named_the_same_way(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "maquette" not in text
    if "proof of concept" in (REPO / "playbooks" / path.name).read_text(encoding="utf-8"):
        assert "preuve de concept" in text


# Refs that named an idea their step does not carry (DOMAIN.md): the goal is not the
# meeting process (S0-02); naming the competitor does not leave the door open (S1-09);
# the "other" reason is the believed real reason (S1-11), not a mistake analysis (S1-03);
# the deal's stage is not "lose now, win later" (S1-23); a knowledge rating is S3-01, and
# nothing in it asks how harmony grows knowledge (S3-07).
REFS = [
    ("prep", "goal", []),
    ("debrief", "goal_reached", []),
    ("debrief", "outcome", []),
    ("debrief", "knowledge", ["S3-01"]),
    ("lost-deal", "competitor", []),
    ("lost-deal", "reason_detail", ["S1-11"]),
    # Each cause or good point of the after-action core is an idea of its own: the weak
    # link, knowledge and perception, a hunch, pitching, the client's remarks, trust, an
    # internal blocker; making the client's life easier, a good moment for both sides.
    (
        "debrief",
        "gap_cause",
        ["S0-01", "S3-04", "S3-13", "S3-06", "S2-10", "S4-10", "S4-03"],
    ),
    (
        "debrief",
        "went_well",
        ["S3-06", "S2-10", "S4-08", "S2-11", "S4-10", "S0-02", "S0-03"],
    ),
    ("debrief", "talk_share", ["S3-06", "S3-08"]),
    ("debrief", "longest_monologue", ["S3-08"]),
    ("debrief", "client_advance", ["S0-05"]),
    ("won-deal", "lost_before", ["S1-23"]),
]


@pytest.mark.parametrize("folder", ["", "fr"])
@pytest.mark.parametrize(("playbook", "step_id", "refs"), REFS)
def test_refs_name_only_what_the_step_carries(
    folder: str, playbook: str, step_id: str, refs: list[str]
) -> None:
    step = _step(REPO / "playbooks" / folder / f"{playbook}.toml", step_id)
    assert step.get("refs", []) == refs


@pytest.mark.parametrize(
    ("folder", "in_person", "soft"),
    [("", "meet in person", "do not insist"), ("fr", "en personne", "n'insistez pas")],
)
def test_a_lost_client_is_pressed_to_meet_in_person(folder: str, in_person: str, soft: str) -> None:
    # S1-06: push, sometimes hard, to meet face to face; the request stays a request (S1-08).
    step = _step(REPO / "playbooks" / folder / "lost-deal.toml", "ask_plan")
    assert in_person in step["help"]
    assert soft not in step["help"].lower()
    assert "S1-06" in step["refs"]


@pytest.mark.parametrize(
    ("folder", "mine", "theirs"),
    [
        ("", "no more than half the way yourself", "done their share"),
        ("fr", "au plus la moitié du chemin", "fait sa part"),
    ],
)
def test_rule_four_limits_my_own_effort_and_yes_still_means_kept(
    folder: str, mine: str, theirs: str
) -> None:
    path = REPO / "playbooks" / folder / "healthy-help.toml"
    rule = _step(path, "r4_half_way")
    assert mine in rule["prompt"]
    assert theirs not in rule["prompt"]
    # Same id, type and role, so older reflections still count; "no" is the broken rule,
    # the one that opens the follow-up (the review counts False answers as violations).
    assert (rule["type"], rule["role"], rule["summary"]) == ("confirm", "help_rule", "rate")
    assert _step(path, "r4_follow_up")["when"] == {"step": "r4_half_way", "equals": False}


# --- French typography, and a terminal that keeps it ---------------------------------

# A French space is a no-break space: U+202F (narrow) before ? ! ; and U+00A0 before :
# and inside « »; either is accepted, an ordinary space never.
NO_BREAK = "\u00a0\u202f"


def test_french_punctuation_is_spaced_with_no_break_spaces() -> None:
    wrong = []
    for where, text in _all_french():
        for match in re.finditer(r"(.)([?!:;»])|(«)(.)", text):
            before, after = match.group(1), match.group(4)
            if (before is not None and before not in NO_BREAK) or (
                after is not None and after not in NO_BREAK
            ):
                wrong.append((where, text[max(0, match.start() - 20) : match.end() + 2]))
    assert not wrong


def test_french_playbooks_hold_no_ascii_space_before_high_punctuation() -> None:
    # The plain test, on the files themselves (comments aside).
    for path in FRENCH:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.lstrip().startswith("#"):
                assert not re.search(r" [?!:;»]|« ", line), f"{path.name}:{number}: {line}"


def _starts_with_punctuation(rendered: str) -> list[str]:
    return [line for line in rendered.splitlines() if re.match(r"\s*[?!:;»]", line)]


def test_a_console_never_starts_a_line_with_french_punctuation() -> None:
    import io

    from rich.text import Text

    from clientcoach.ui.nobreak import NoBreakConsole as Console

    texts = [t for _w, t in _all_french() if re.search(f"[{NO_BREAK}]", t)]
    assert len(texts) > 100
    for width in (30, 40, 52):
        buffer = io.StringIO()
        con = Console(file=buffer, width=width, color_system=None, highlight=False)
        for text in texts:
            con.print(Text(text))
        shown = buffer.getvalue()
        assert "\u00a0" in shown  # kept as it is, never made an ordinary space
        assert not _starts_with_punctuation(shown)


@pytest.mark.parametrize("width", [40, *range(30, 61, 2)])
def test_the_terminal_asker_keeps_french_spacing_on_narrow_terminals(width: int) -> None:
    import io
    from datetime import date

    from rich.text import Text

    from clientcoach import i18n
    from clientcoach.core.engine import Run
    from clientcoach.storage.playbooks import load_file
    from clientcoach.ui.nobreak import NoBreakConsole as Console
    from clientcoach.ui.terminal import TerminalAsker

    # The tool's own messages in English: only the playbook's French text is checked here
    # (the message catalogue still writes ordinary spaces before its punctuation).
    i18n.set_language("en")
    playbook = load_file(REPO / "playbooks" / "fr" / "healthy-help.toml")
    run = Run(playbook, {playbook.id: playbook}, date(2026, 1, 5))
    # Help on the first step, then every rule broken: every follow-up is asked too.
    typed = iter(["?", "Une preuve de concept", *["n", "Rien"] * 5, "n", "Rien", ""])

    def read(_prompt: Text) -> str:
        return next(typed)

    buffer = io.StringIO()
    con = Console(file=buffer, width=width, color_system=None, highlight=False)
    asker = TerminalAsker(con, read=read)
    asker.review(run)  # every step, then the summary of the answers (one line each)
    assert run.done
    shown = buffer.getvalue()
    assert "chemin\u202f?" in shown
    assert not _starts_with_punctuation(shown)


def test_a_one_line_prompt_keeps_its_no_break_spaces() -> None:
    from clientcoach.app.scripted import one_line

    assert one_line("Pourquoi\u202f?\n  Et  :\u00a0ici") == "Pourquoi\u202f? Et :\u00a0ici"


# --- the asker's own words in a French run -----------------------------------------------

MINI = """
schema = 1
id = "mini"
kind = "debrief"
language = "fr"
title = "Mini"

[[steps]]
id = "goal_met"
type = "confirm"
plan = "goal"
prompt = "Objectif atteint\u202f?"

[[steps]]
id = "mistakes"
type = "loop"
prompt = "Une autre erreur\u202f?"
max_items = 2
  [[steps.steps]]
  id = "mistake"
  type = "text"
  role = "mistake"
  prompt = "Que s'est-il passé\u202f?"
"""


def test_the_plan_and_the_repeat_offer_are_told_in_french() -> None:
    import io
    from datetime import date

    from rich.console import Console
    from rich.text import Text

    from clientcoach import i18n
    from clientcoach.core.engine import Earlier, Run
    from clientcoach.storage.playbooks import parse_playbook
    from clientcoach.ui.terminal import TerminalAsker

    i18n.set_language("fr")
    playbook = parse_playbook(MINI, "mini.toml")
    earlier = Earlier("r1", "Parlé prix trop tôt", "Acme", "2026-10-01")
    run = Run(
        playbook,
        {"mini": playbook},
        date(2026, 11, 20),
        plan={"goal": "Cadrer le pilote"},
        earlier={"mistake": [earlier]},
    )
    typed = iter(["o", "o", "Prix annoncé trop tôt", "1", "o", "Une autre", "", "n", ""])

    def read(_prompt: Text) -> str:
        return next(typed)

    buffer = io.StringIO()
    con = Console(file=buffer, width=100, color_system=None, highlight=False)
    TerminalAsker(con, read=read).review(run)
    assert run.done
    shown = buffer.getvalue()
    assert "Prévu\u00a0: Cadrer le pilote" in shown
    assert "Est-ce la répétition de l'une de ces réponses précédentes\u202f?" in shown
    assert "Entrée = non, c'est nouveau" in shown
    assert "Enregistré comme une répétition." in shown
    for english in ("Planned", "Is it a repeat", "it is new", "Linked as"):
        assert english not in shown


@pytest.mark.parametrize(
    ("folder", "claim", "fact"),
    [
        ("", "not a measured fact", "Sellers blame price far more often than buyers do."),
        ("fr", "pas un fait mesuré", "Les vendeurs accusent le prix bien plus souvent"),
    ],
)
def test_price_over_attribution_is_told_as_a_practitioners_claim(
    folder: str, claim: str, fact: str
) -> None:
    # DOMAIN.md: the figure comes from practitioners, not from a study; it is shown as such.
    why = _step(REPO / "playbooks" / folder / "lost-deal.toml", "price_believed")["why"]
    assert claim in why
    assert not why.startswith(fact)


SENTENCES = """
schema = 1
id = "sentences"
kind = "review"
language = "en"
title = "Sentences"

[[steps]]
id = "change"
type = "text"
prompt = "Start from the focus points above."

[[steps]]
id = "rating"
type = "text"
prompt = "Your rating"
"""


def _typed_through(playbook_text: str, *typed: str) -> tuple[Any, str]:
    """A playbook walked in a TerminalAsker, the lines ``typed`` read in turn, through
    the answers screen: the run, and what the screen showed."""
    import io
    from datetime import date

    from rich.console import Console
    from rich.text import Text

    from clientcoach.core.engine import Run
    from clientcoach.storage.playbooks import parse_playbook
    from clientcoach.ui.terminal import TerminalAsker

    playbook = parse_playbook(playbook_text, "walked.toml")
    run = Run(playbook, {playbook.id: playbook}, date(2026, 11, 20))
    lines = iter(typed)

    def read(_prompt: Text) -> str:
        return next(lines)

    buffer = io.StringIO()
    TerminalAsker(Console(file=buffer, width=100, color_system=None), read=read).review(run)
    assert run.done
    return run, buffer.getvalue()


def test_the_answers_screen_adds_no_colon_after_a_prompt_ending_a_sentence() -> None:
    _run, shown = _typed_through(SENTENCES, "Ask first", "Four", "")
    assert "Start from the focus points above. Ask first" in shown
    assert ".:" not in shown
    assert "Your rating: Four" in shown


TALK = """
schema = 1
id = "talk"
kind = "debrief"
language = "en"
title = "Talk"

[[steps]]
id = "talk_share"
type = "number"
prompt = "Share of the talking that was yours"
min = 0
max = 100

[[steps]]
id = "longest_monologue"
type = "number"
prompt = "Longest monologue, in minutes"
min = 0
max = 240
when = { step = "talk_share", gte = 50 }
"""


def test_a_change_that_closes_a_later_question_says_its_answer_is_left_out() -> None:
    run, shown = _typed_through(TALK, "60", "8", "1", "45", "")
    assert "No longer asked, so left out: Longest monologue, in minutes (8)" in shown
    assert [a.step for a in run.records()] == ["talk_share"]


def test_a_pick_of_one_asks_for_1_not_a_number_from_1_to_1() -> None:
    import io

    from rich.console import Console
    from rich.text import Text

    from clientcoach.ui.terminal import TerminalAsker

    typed = iter(["7", ""])

    def read(_prompt: Text) -> str:
        return next(typed)

    buffer = io.StringIO()
    asker = TerminalAsker(Console(file=buffer, width=100, color_system=None), read=read)
    assert asker.pick_client("ACEM", ["ACME"]) is None
    shown = buffer.getvalue()
    assert "Type 1, or Enter." in shown
    assert "from 1 to 1" not in shown
