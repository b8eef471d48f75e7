"""Redaction: a review or an export made with --redact names no client and no meeting
title, whatever their case or accents; free text is left out unless --with-text."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from clientcoach.core.text import fold
from clientcoach.insights.redact import Redaction, aliases, letters, meetings_of
from tests.helpers import run_coach
from tests.review_records import (
    ans,
    debrief,
    follow_up,
    include,
    loop,
    mistake,
    record,
    troll,
    write,
)

NOW = {"CLIENTCOACH_NOW": "2026-11-24T10:00:00+01:00"}

CLIENTS = [
    "Société Générale",
    "Crédit Agricole",
    "Électricité du Nord",
    "Hôtel Bérénice",
    "Français Réunis",
    "Château Lévêque",
    "Brasserie Müller",
    "Pâtisserie Noël",
    "Forêt Émeraude",
    "Île Créative",
    "Garçon Œnologie",
    "Zoé Déménagement",
]
TITLES = [
    "Réunion stratégique été",
    "Négociation tarifée",
    "Séminaire Pôle Santé",
    "Déjeuner à Genève",
    "Atelier Crème Brûlée",
    "Présentation Sécurité",
    "Comité Économique",
    "Visite Montréal",
]
FORBIDDEN = CLIENTS + TITLES
assert len(FORBIDDEN) == 20


def shouting(name: str) -> str:
    """The name as someone may type it: capitals, accents typed as separate marks."""
    return unicodedata.normalize("NFD", name.upper())


def bare(name: str) -> str:
    """Without its accents, in lower case."""
    return fold(name)


def sensitive_records() -> list[dict[str, Any]]:
    """Each client twice in November (a title each), with names quoted in free text, in
    follow-ups, trolls, mistakes, and a lost deal's touchpoint."""
    found: list[dict[str, Any]] = []
    for number, client in enumerate(CLIENTS):
        other = CLIENTS[(number + 1) % len(CLIENTS)]
        title = TITLES[number % len(TITLES)]
        day = f"2026-11-{number + 1:02d}"
        prep = record(
            "prep",
            client,
            day,
            [
                ans("goal", f"Win {shouting(client)} before {bare(other)} does", kind="longtext"),
                ans("knowledge", 4, kind="rating"),
            ],
        )
        prep["meeting"]["title"] = title if number % 2 else shouting(title)
        talk = debrief(
            client if number % 3 else client.lower(),
            day,
            ans("outcome", "lost", kind="choice", summary="distribution"),
            ans("summary", f"{title} went badly; {client} prefers {other}", kind="longtext"),
            ans("next_touchpoint", "2027-01-15", kind="date"),
            loop(
                "next_steps",
                "follow_up",
                [follow_up(f"Call {bare(client)} about {title}", "2026-12-01")],
            ),
            loop("trolls", "troll", [troll(f"{client} pricing")]),
            loop("mistakes", "mistakes", [mistake(f"Talked over {shouting(other)}")]),
            include(
                "lost_deal",
                "lost-deal",
                [ans("loss_reasons_text", [f"{client} chose {other}"], kind="list")],
            ),
            ans("knowledge", 3, kind="rating"),
            ans("perception", 2, kind="rating"),
        )
        talk["meeting"]["title"] = title
        found += [prep, talk]
    return found


@pytest.fixture
def sensitive(home: Path) -> list[dict[str, Any]]:
    records = sensitive_records()
    for one in records:
        write(home, one)
    return records


def coach(*args: str, cwd: Path | None = None) -> Any:
    return run_coach(*args, env=NOW, cwd=cwd)


def leaks(text: str) -> list[str]:
    """The forbidden names ``text`` holds, in any case or accent form (Markdown's
    backslash escapes and iCalendar's line folding undone first)."""
    plain = fold(text.replace("\r\n ", "").replace("\\", ""))
    return [name for name in FORBIDDEN if fold(name) in plain]


def strings_in(node: Any) -> list[str]:
    """Every key and string value of a JSON document, however deep."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in [str(k), *strings_in(v)]]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return [node] if isinstance(node, str) else []


def test_the_unredacted_outputs_do_name_them(sensitive: list[dict[str, Any]]) -> None:
    """The check below can fail: without --redact every name is there."""
    review = coach("review", "--month", "2026-11", "--json")
    export = coach("export", "-f", "csv", "-o", "-")
    assert set(leaks(review.stdout)) >= set(CLIENTS)
    assert set(leaks(export.stdout)) == set(FORBIDDEN)


def test_a_redacted_review_json_names_no_one(sensitive: list[dict[str, Any]]) -> None:
    result = coach("review", "--month", "2026-11", "--json", "--redact")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    for text in strings_in(document):
        assert leaks(text) == [], text
    assert leaks(result.stdout) == []
    quiet = json.dumps(document["clients_detail"])
    assert "Client A" in quiet
    assert "Client L" in quiet
    # The figures are the same as the unredacted review's.
    plain = json.loads(coach("review", "--month", "2026-11", "--json").stdout)
    for key in ("reflections", "clients", "meetings", "mistakes", "follow_ups"):
        if key == "mistakes":
            assert document[key]["logged"] == plain[key]["logged"]
            assert document[key]["repeated"] == plain[key]["repeated"]
        elif key == "follow_ups":
            assert document[key]["open"] == plain[key]["open"]
        else:
            assert document[key] == plain[key]


def test_a_redacted_review_markdown_names_no_one(
    sensitive: list[dict[str, Any]], tmp_path: Path
) -> None:
    report = tmp_path / "review.md"
    result = coach("review", "--month", "2026-11", "--markdown", str(report), "--redact")
    assert result.code == 0, result.stderr
    text = report.read_text(encoding="utf-8")
    assert leaks(text) == []
    assert "Client A" in text
    assert leaks(result.stdout) == []
    with_text = tmp_path / "with-text.md"
    kept = coach(
        "review", "--month", "2026-11", "--markdown", str(with_text), "--redact", "--with-text"
    )
    assert kept.code == 0, kept.stderr
    assert leaks(with_text.read_text(encoding="utf-8")) == []
    kept_text = with_text.read_text(encoding="utf-8")
    assert "Client A pricing" in kept_text  # a troll's topic, typed as text
    assert "pricing" not in text
    assert "\\[text " in text


def test_a_redacted_review_page_names_no_one(
    sensitive: list[dict[str, Any]], tmp_path: Path
) -> None:
    import html

    plain, shared = tmp_path / "plain.html", tmp_path / "shared.html"
    assert coach("review", "--month", "2026-11", "--html", str(plain)).code == 0
    assert set(leaks(html.unescape(plain.read_text(encoding="utf-8")))) >= set(CLIENTS)
    result = coach("review", "--month", "2026-11", "--html", str(shared), "--redact")
    assert result.code == 0, result.stderr
    page = html.unescape(shared.read_text(encoding="utf-8"))
    assert leaks(page) == []
    assert "Client A" in page
    assert leaks(result.stdout + result.stderr) == []


def test_review_redact_refusals(sensitive: list[dict[str, Any]]) -> None:
    for args, words in [
        (["--redact"], "--markdown FILE, --html FILE or --json"),
        (["--json", "--with-text"], "--redact"),
    ]:
        result = coach("review", "--month", "2026-11", *args)
        assert result.code == 2, result.stderr
        assert words in result.stderr


def test_every_export_format_redacted_names_no_one(
    sensitive: list[dict[str, Any]], tmp_path: Path
) -> None:
    for chosen in ("csv", "ics"):
        result = coach("export", "-f", chosen, "-o", "-", "--redact")
        assert result.code == 0, result.stderr
        assert leaks(result.stdout) == [], chosen
    rows = list(
        csv.DictReader(io.StringIO(coach("export", "-f", "csv", "-o", "-", "--redact").stdout))
    )
    free = [row for row in rows if row["step"] in ("goal", "summary")]
    assert free
    assert all(row["value"].startswith("[text ") for row in free)
    ratings = [row["value"] for row in rows if row["step"] == "knowledge"]
    assert set(ratings) == {"3", "4"}  # numbers kept
    calendar = Calendar.from_ical(coach("export", "-f", "ics", "-o", "-", "--redact").stdout)
    assert len(calendar.walk("VTODO")) == len(CLIENTS)
    assert len(calendar.walk("VEVENT")) == len(CLIENTS)

    folder = tmp_path / "shared"
    result = coach("export", "-f", "markdown", "-o", str(folder), "--redact")
    assert result.code == 0, result.stderr
    files = list(folder.iterdir())
    assert len(files) == 2 * len(CLIENTS)
    for path in files:
        assert leaks(path.name) == []
        assert leaks(path.name.replace("-", " ")) == []
        assert leaks(path.read_text(encoding="utf-8")) == [], path.name
    assert leaks(result.stderr) == []


def test_with_text_keeps_text_and_still_replaces_names(sensitive: list[dict[str, Any]]) -> None:
    result = coach("export", "-f", "csv", "-o", "-", "--redact", "--with-text")
    assert result.code == 0, result.stderr
    assert leaks(result.stdout) == []
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    goals = {row["client"]: row["value"] for row in rows if row["step"] == "goal"}
    # Société Générale met first: Client A; the next client, Crédit Agricole, is B.
    assert goals["Client A"] == "Win Client A before Client B does"
    summaries = [row["value"] for row in rows if row["step"] == "summary"]
    assert "Meeting 1 went badly; Client A prefers Client B" in summaries


def test_aliases_follow_first_appearance_and_ignore_case_and_accents() -> None:
    records = [
        record("prep", "Zoé", "2026-03-02", []),
        record("prep", "alpha", "2026-01-05", []),
        record("debrief", "ZOE", "2026-04-01", []),
        record("prep", "Éric", "2026-02-01", []),
    ]
    records[1]["meeting"]["title"] = "Kick-off"
    records[2]["meeting"]["title"] = "kick-off"
    records[3]["meeting"]["title"] = "Été"
    found = aliases(meetings_of(records))
    redact = Redaction(found)
    assert [redact.record(r)["client"] for r in records] == [
        "Client C",
        "Client A",
        "Client C",
        "Client B",
    ]
    assert [redact.record(r)["meeting"]["title"] for r in records] == [
        None,
        "Meeting 1",
        "Meeting 1",
        "Meeting 2",
    ]
    assert [letters(n) for n in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_a_record_is_left_as_it_was_and_choices_are_kept() -> None:
    one = debrief(
        "Société Générale",
        "2026-11-03",
        ans("outcome", "lost", kind="choice"),
        ans("note", "Société Générale again", kind="text"),
        ans("when", "2026-12-01", kind="date"),
    )
    before = json.dumps(one)
    redacted = Redaction(aliases(meetings_of([one]))).record(one)
    assert json.dumps(one) == before
    values = [a["value"] for a in redacted["answers"]]
    assert values == ["lost", "[text 1]", "2026-12-01"]
    assert redacted["id"] == one["id"]


def test_words_of_a_playbook_are_replaced_only_as_whole_words() -> None:
    found = aliases([("Ana", None)])
    assert found.scrub("Did you analyse Ana's needs?", whole_words=True) == (
        "Did you analyse Client A's needs?"
    )
    assert found.scrub("ANAlyse", whole_words=False) == "Client Alyse"


def test_aliases_speak_french(sensitive: list[dict[str, Any]], tmp_path: Path) -> None:
    result = run_coach(
        "export",
        "-f",
        "markdown",
        "-o",
        str(tmp_path / "fr"),
        "--redact",
        env={**NOW, "CLIENTCOACH_LANG": "fr"},
    )
    assert result.code == 0, result.stderr
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "fr").iterdir())
    text = text.replace("\\", "")
    assert "Client A" in text
    assert "Réunion 1" in text
    assert "[texte 1]" in text
    assert leaks(text) == []


NAME = st.text(alphabet="éèôçüxyzqwkvÉÔ ", min_size=3, max_size=12).filter(
    lambda s: len(fold(s)) >= 3
)
FILLER = st.text(alphabet="bdfgh ,.;!\n", max_size=8)


def variants(name: str) -> st.SearchStrategy[str]:
    upper = st.just(name.upper())
    decomposed = st.just(unicodedata.normalize("NFD", name))
    spaced = st.just(name.replace(" ", "  \n"))
    return st.sampled_from([name, fold(name)]) | upper | decomposed | spaced


@settings(max_examples=40, deadline=None)
@given(data=st.data(), name=NAME)
def test_scrub_leaves_no_form_of_a_name(data: st.DataObject, name: str) -> None:
    found = aliases([(name, None)])
    pieces = [data.draw(FILLER)]
    for _ in range(data.draw(st.integers(1, 3))):
        pieces += [data.draw(variants(name)), data.draw(FILLER)]
    scrubbed = found.scrub("".join(pieces))
    assert fold(name) not in fold(scrubbed)
    assert "Client A" in scrubbed


def test_damaged_files_are_not_named_under_redact(
    sensitive: list[dict[str, Any]], home: Path, tmp_path: Path
) -> None:
    """A reflection's file name holds its client's: under --redact the warnings on the
    terminal hide it too, and still say how many were skipped and what to run."""
    from clientcoach.core.text import slug

    rid = "20261105T100000-dmgd01"
    broken = home / "reflections" / "2026-11" / f"2026-11-05_debrief_{slug(CLIENTS[0])}_{rid}.json"
    broken.write_text('{"schema": 1, "client": "', encoding="utf-8")
    runs = [
        coach("export", "-f", "csv", "-o", "-", "--redact"),
        coach("export", "-f", "markdown", "-o", str(tmp_path / "out"), "--redact"),
        coach("review", "--month", "2026-11", "--json", "--redact"),
        coach("review", "--month", "2026-11", "--focus", "--json", "--redact"),
        coach("review", "--month", "2026-11", "--markdown", str(tmp_path / "r.md"), "--redact"),
    ]
    for result in runs:
        assert result.code == 7, result.stderr
        said = result.stderr.replace("\n", " ")
        assert leaks(said) == [], said
        assert leaks(said.replace("-", " ")) == [], said
        assert slug(CLIENTS[0]) not in said
        assert "1 damaged file skipped" in said
        assert "coach doctor" in said
        assert rid in said  # which one, without whose
        assert "2026-11-05" in said
        assert leaks(result.stdout.replace("-", " ")) == []
    assert leaks((tmp_path / "r.md").read_text(encoding="utf-8").replace("-", " ")) == []
    # Without --redact the terminal names the file, so it can be found.
    assert broken.name in coach("export", "-f", "csv", "-o", "-").stderr.replace("\n", "")


def test_a_client_filter_refused_under_redact_names_only_aliases(
    sensitive: list[dict[str, Any]],
) -> None:
    """'did you mean' and 'could be' name clients: under --redact, by their aliases."""
    typo = coach("export", "-f", "csv", "-o", "-", "--redact", "--client", "Societe Generalle")
    assert typo.code == 5, typo.stderr
    assert leaks(typo.stderr) == [], typo.stderr
    assert "did you mean Client A?" in typo.stderr
    several = coach("export", "-f", "csv", "-o", "-", "--redact", "--client", "C")
    assert several.code == 2, several.stderr
    assert leaks(several.stderr) == [], several.stderr
    assert "Client B" in several.stderr
    # Without --redact they are named, so the check above can fail.
    named = coach("export", "-f", "csv", "-o", "-", "--client", "Societe Generalle")
    assert leaks(named.stderr) == ["Société Générale"]
