"""Client memory through the real command: brief, follow-ups, done, history, show, clients."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.helpers import REPO, reflection_files, run_coach

EXAMPLES = REPO / "examples"
PREP = EXAMPLES / "prep-answers.toml"
DEBRIEF = EXAMPLES / "debrief-answers.toml"
NOW = {"CLIENTCOACH_NOW": "2026-11-20T09:00"}


def debrief_answers(tmp_path: Path, name: str = "debrief.toml", **changes: Any) -> Path:
    """The example debrief with two follow-ups and a single troll (supply-chain delays)."""
    data = tomllib.loads((EXAMPLES / "debrief-answers.toml").read_text(encoding="utf-8"))
    data["trolls"] = data["trolls"][:1]
    data.update(changes)
    path = tmp_path / name
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def ok(*args: str, env: dict[str, str] | None = None) -> str:
    result = run_coach(*args, env={**NOW, **(env or {})})
    assert result.code == 0, result.stderr
    return result.stderr + result.stdout


def records(home: Path, kind: str | None = None) -> list[dict[str, Any]]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in reflection_files(home)]
    return [r for r in found if kind is None or r["kind"] == kind]


def as_json(*args: str, env: dict[str, str] | None = None) -> Any:
    result = run_coach(*args, "--json", env={**NOW, **(env or {})})
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


# --- the acceptance path ----------------------------------------------------------------


def test_next_prep_remembers_follow_ups_and_trolls_until_done(home: Path, tmp_path: Path) -> None:
    first = ok("prep", "Acme", "--answers", str(PREP))
    assert "No history with Acme yet" in first

    debrief = ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    assert "Goal: Agree the scope of the pilot" in debrief  # the prep's plan
    assert "Trolls expected: supply-chain delays; last year's outage" in debrief
    # What the prep decided to do first, to compare with what was done.
    intention = "If a troll showed up, you would first: Calm first: acknowledge, ask one"
    assert intention in debrief

    brief = ok("prep", "ACME", "--answers", str(PREP), "--date", "2026-11-27")
    assert "What you know about Acme" in brief
    assert "Send the pilot plan" in brief
    assert "Share the data sample" in brief
    assert "Trolls seen: supply-chain delays (once)" in brief
    assert "last meeting 2026-11-20" in brief
    assert "knowledge 4" in brief
    assert "perception 3" in brief
    # overdue first: the data sample was due on the 28th, the plan on 1 December
    later = ok("prep", "Acme", "--answers", str(PREP), env={"CLIENTCOACH_NOW": "2026-11-30"})
    assert later.index("overdue since 2026-11-28") < later.index("Send the pilot plan")

    (saved,) = records(home, "debrief")
    ok("done", f"{saved['id']}.2")
    after = ok("prep", "Acme", "--answers", str(PREP))
    assert "Send the pilot plan" in after
    assert "Share the data sample" not in after
    assert as_json("brief", "Acme")["follow_ups"][0]["what"] == "Send the pilot plan"


def test_known_trolls_prefill_the_expected_trolls_of_a_scripted_prep(
    home: Path, tmp_path: Path
) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    answers = tomllib.loads(PREP.read_text(encoding="utf-8"))
    del answers["trolls_expected"]
    path = tmp_path / "prep.toml"
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    ok("prep", "acme", "--answers", str(path))
    (prep,) = records(home, "prep")
    (expected,) = [a for a in prep["answers"] if a["step"] == "trolls_expected"]
    assert expected["value"] == ["supply-chain delays"]


def test_plan_versus_outcome_steps_only_with_a_linked_prep(home: Path, tmp_path: Path) -> None:
    planned = debrief_answers(tmp_path, "planned.toml", goal_reached="partly")
    refused = run_coach("debrief", "Acme", "--answers", str(planned), env=NOW)
    assert refused.code == 4  # no prep, so the step is never asked
    assert "'goal_reached'" in refused.stderr

    ok("prep", "Acme", "--answers", str(PREP))
    ok("debrief", "Acme", "--answers", str(planned))
    (debrief,) = records(home, "debrief")
    (goal,) = [a for a in debrief["answers"] if a["step"] == "goal_reached"]
    assert goal["value"] == "partly"
    assert goal["planned"] == "Agree the scope of the pilot"
    (trolls,) = [a for a in debrief["answers"] if a["step"] == "expected_trolls_seen"]
    assert trolls["planned"] == ["supply-chain delays", "last year's outage"]
    assert trolls["value"] is None  # optional, not answered


def test_a_mistake_can_be_linked_to_an_earlier_one(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Globex", "--answers", str(debrief_answers(tmp_path)))
    (earlier,) = records(home, "debrief")
    mistake = {
        "mistake": {"value": "Talked price too early again", "repeat_of": earlier["id"][:20]},
        "repeat": "repeat",
        "lesson": "Ask about the need first",
    }
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path, "m.toml", mistakes=[mistake])))
    (linked,) = [r for r in records(home, "debrief") if r["client"] == "Acme"]
    (loop,) = [a for a in linked["answers"] if a["step"] == "mistakes"]
    (logged,) = [a for a in loop["items"][0] if a["step"] == "mistake"]
    assert logged["value"] == "Talked price too early again"
    assert logged["repeat_of"] == {
        "reflection": earlier["id"],
        "text": "Answered the price question before understanding the need",
    }

    mistake["mistake"] = {"value": "x", "repeat_of": "19990101"}
    bad = debrief_answers(tmp_path, "bad.toml", mistakes=[mistake])
    result = run_coach("debrief", "Acme", "--answers", str(bad), env=NOW)
    assert result.code == 4
    assert "repeat_of '19990101' names no earlier answer" in result.stderr


# --- follow-ups and done ----------------------------------------------------------------


def _follow_ups_due(tmp_path: Path, *dues: str) -> Path:
    steps = [{"what": f"Action {i}", "owner": "me", "due": d} for i, d in enumerate(dues, 1)]
    return debrief_answers(tmp_path, next_steps=steps)


def test_due_yesterday_is_overdue_and_due_today_is_not(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(_follow_ups_due(tmp_path, "2026-11-19", "2026-11-20")))
    listed = as_json("followups")
    # The example's lost deal leaves the door open, with a touchpoint on 2027-01-15.
    assert [(f["what"], f["overdue"]) for f in listed] == [
        ("Action 1", True),
        ("Action 2", False),
        ("Next touchpoint with Acme (lost deal)", False),
    ]
    assert [f["what"] for f in as_json("followups", "--overdue")] == ["Action 1"]
    # the same data a day later: both overdue
    later = as_json("followups", "--overdue", env={"CLIENTCOACH_NOW": "2026-11-21T08:00"})
    assert len(later) == 2


def debriefed_once(home: Path, tmp_path: Path) -> tuple[Path, bytes, str]:
    """One debrief of Acme: its file, its bytes, and the short id of "Send the pilot plan"."""
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    return path, path.read_bytes(), as_json("followups")[1]["short_id"]


def test_done_changes_only_that_item_and_is_harmless_when_repeated(
    home: Path, tmp_path: Path
) -> None:
    path, before, short = debriefed_once(home, tmp_path)

    first = run_coach("done", short, env={"CLIENTCOACH_NOW": "2026-11-22T10:00"})
    assert first.code == 0, first.stderr
    assert "Done: Send the pilot plan (Acme), marked 2026-11-22." in first.stderr
    after = path.read_bytes()

    expected = json.loads(before)
    (loop,) = [a for a in expected["answers"] if a["step"] == "next_steps"]
    loop["items"][0][0]["done"] = "2026-11-22"  # the `what` answer of the first item
    assert after == (json.dumps(expected, indent=2, ensure_ascii=False) + "\n").encode()
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=False) if a != b
    ]
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    assert changed[0][1].rstrip().endswith(b'"Send the pilot plan",')
    assert path.stat().st_mode & 0o777 == 0o600

    again = run_coach("done", short, env={"CLIENTCOACH_NOW": "2026-11-23T10:00"})
    assert again.code == 0
    assert "Already done" in again.stderr
    assert "2026-11-22" in again.stderr
    assert path.read_bytes() == after
    assert [f["what"] for f in as_json("followups")] == [
        "Share the data sample",
        "Next touchpoint with Acme (lost deal)",
    ]
    assert [f["done"] for f in as_json("followups", "--all")] == [None, None, "2026-11-22"]


def test_done_undo_opens_a_follow_up_again_and_gives_the_file_back(
    home: Path, tmp_path: Path
) -> None:
    """A done mark given by mistake (`.d1` for `.1`) is taken back, nothing else."""
    path, before, short = debriefed_once(home, tmp_path)
    assert run_coach("done", short, env=NOW).code == 0
    undone = run_coach("done", short, "--undo", env=NOW)
    assert undone.code == 0, undone.stderr
    assert "Open again: Send the pilot plan (Acme)." in undone.stderr
    assert path.read_bytes() == before
    assert [f["done"] for f in as_json("followups", "--all")] == [None, None, None]
    again = run_coach("done", short, "--undo", env=NOW)
    assert again.code == 0
    assert "Not done: Send the pilot plan (Acme). Nothing changed." in again.stderr
    assert path.read_bytes() == before


def test_done_with_an_unknown_or_ambiguous_id(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    before = path.read_bytes()
    unknown = run_coach("done", "nothing-like-it.9", env=NOW)
    assert unknown.code == 5
    assert "no follow-up with id 'nothing-like-it.9'" in unknown.stderr
    short = as_json("followups")[0]["short_id"].split(".")[0]
    ambiguous = run_coach("done", short, env=NOW)
    assert ambiguous.code == 5
    assert "matches 3 follow-ups" in ambiguous.stderr  # two items and the touchpoint
    assert path.read_bytes() == before


@pytest.mark.parametrize("index", ["1", "0"])
def test_done_takes_an_id_in_any_case_or_its_unique_start(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: str
) -> None:
    """The same follow-up whether the index or the files answer: a full id typed in
    lower case (ids hold a "T"), the start of one, a short id with spaces around it;
    signs that mean "any character" to SQL match nothing of their own."""
    monkeypatch.setenv("CLIENTCOACH_INDEX", index)
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    first, second, touchpoint = (f["id"] for f in as_json("followups"))
    assert "T" in first
    assert ok("done", first.lower())
    assert ok("done", second[: second.index(".") + 2])  # the reflection's id, ".2"
    short = next(f["short_id"] for f in as_json("followups") if f["id"] == touchpoint)
    assert ok("done", f"  {short.upper()}  ")
    assert as_json("followups") == []
    for wild in ("%", "_", "%.1", "2026%"):
        result = run_coach("done", wild, env=NOW)
        assert result.code == 5
        assert f"no follow-up with id {wild!r}" in result.stderr


@pytest.mark.parametrize("index", ["1", "0"])
@pytest.mark.parametrize(("made", "typed"), [("réunion-Été", "ÉTÉ.1"), ("a%b_c\\d", "A%B_C\\D.1")])
def test_done_finds_a_hand_made_id_with_accents_or_signs(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: str, made: str, typed: str
) -> None:
    """The index answers as the files: letters compared in any case (accented ones too),
    and signs that mean something to SQL taken as themselves."""
    monkeypatch.setenv("CLIENTCOACH_INDEX", index)
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["id"] = made
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_coach("done", typed, env=NOW)
    assert result.code == 0, result.stderr
    assert [f["reflection"] for f in as_json("followups", "--all") if f["done"]] == [made]


def test_done_refuses_a_file_edited_by_hand(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    compacted = json.dumps(json.loads(path.read_bytes()), ensure_ascii=False)
    path.write_text(compacted, encoding="utf-8")
    short = as_json("followups")[0]["short_id"]
    result = run_coach("done", short, env=NOW)
    assert result.code == 5
    assert "not laid out as clientcoach writes it" in result.stderr
    assert f"coach done {short} --relayout" in result.stderr  # what to run instead
    assert path.read_text(encoding="utf-8") == compacted


def test_done_relayout_marks_a_file_a_tool_laid_out_otherwise(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    before = json.loads(path.read_bytes())
    path.write_text(json.dumps(before, indent=4, ensure_ascii=True), encoding="utf-8")
    short = as_json("followups")[0]["short_id"]
    result = run_coach("done", short, "--relayout", env=NOW)
    assert result.code == 0, result.stderr
    after = json.loads(path.read_bytes())
    (marked,) = [f for f in as_json("followups", "--all") if f["done"]]
    assert marked["short_id"] == short
    # Nothing but the mark changed, and the file is clientcoach's layout again: a plain
    # `done --undo` now works on it, and gives the original data back.
    assert after != before
    undone = run_coach("done", short, "--undo", env=NOW)
    assert undone.code == 0, undone.stderr
    assert json.loads(path.read_bytes()) == before


def test_done_relayout_refuses_a_key_given_twice(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    text = path.read_text(encoding="utf-8")
    doubled = text.replace('"kind": "debrief",', '"kind": "prep",\n  "kind": "debrief",', 1)
    assert doubled != text
    path.write_text(doubled, encoding="utf-8")
    short = as_json("followups")[0]["short_id"]
    result = run_coach("done", short, "--relayout", env=NOW)
    assert result.code == 5
    assert "the key 'kind' is given twice" in result.stderr
    assert path.read_text(encoding="utf-8") == doubled


# --- history, show, clients ----------------------------------------------------------------


def test_history_grep_finds_text_in_loop_items_and_includes(home: Path, tmp_path: Path) -> None:
    ok("prep", "Acme", "--answers", str(PREP), "--meeting", "Kick-off")
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    ok("prep", "Globex", "--answers", str(PREP))

    sample = as_json("history", "--grep", "SHARE the data")  # case does not matter
    assert [r["kind"] for r in sample] == ["debrief"]
    assert sample[0]["matches"] == [
        {
            "where": "next_steps[2].what",
            "prompt": "What is to be done?",
            "text": "Share the data sample",
        }
    ]
    troll = as_json("history", "--grep", "supply-chain")
    debrief_hit = next(r for r in troll if r["kind"] == "debrief")
    assert {
        "where": "trolls[1].topic",
        "prompt": "What was the hot topic?",
        "text": "supply-chain delays",
    } in debrief_hit["matches"]
    assert len(troll) == 3  # both preps expected it too

    assert [r["client"] for r in as_json("history", "--client", "glo")] == ["Globex"]
    assert {r["kind"] for r in as_json("history", "--kind", "debrief")} == {"debrief"}
    assert as_json("history", "--since", "2026-11-21") == []
    assert len(as_json("history", "--until", "today")) == 3
    table = ok("history", "--grep", "pilot")
    # Named by the question that asked it, as the reader saw it, not by its step id.
    assert "What is to be done? Send the pilot plan" in table
    assert "next_steps[1].what" not in table
    titled = ok("history", "--grep", "kick-off")
    assert "title: Kick-off" in titled
    assert run_coach("history", "--kind", "meeting").code == 2


def test_show_prints_every_answer_as_text_json_or_markdown(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    record = json.loads(path.read_bytes())
    assert as_json("show", record["id"]) == record
    text = run_coach("show", record["id"][:20]).stdout
    assert "Share the data sample" in text
    assert "supply-chain delays" in text
    markdown = run_coach("show", record["id"].rsplit("-", 1)[1], "--markdown").stdout
    assert markdown.startswith("# Debrief · Acme · 2026-11-20\n")
    short = record["id"].rsplit("-", 1)[1]
    french = run_coach("--lang", "fr", "show", short, "--markdown").stdout
    assert french.startswith("# Débrief · Acme · 2026-11-20\n")  # the kind in French
    assert "**What is to be done?**" in markdown
    both = run_coach("show", record["id"], "--json", "--markdown")
    assert both.code == 2


def test_clients_lists_meetings_last_seen_and_open_follow_ups(home: Path, tmp_path: Path) -> None:
    ok("prep", "Société Générale", "--answers", str(PREP), "--date", "2026-11-10")
    ok("debrief", "societe  generale", "--answers", str(_follow_ups_due(tmp_path, "2026-11-12")))
    ok("prep", "Globex", "--answers", str(PREP), "--date", "2026-11-15")
    listed = as_json("clients")
    assert listed == [
        {
            "client": "Société Générale",  # the known spelling, whatever was typed (issue 16)
            "meetings": 2,
            "last_seen": "2026-11-20",
            "next_meeting": None,
            "open_follow_ups": 2,  # with the lost deal's next touchpoint
            "overdue": 1,
        },
        {
            "client": "Globex",
            "meetings": 1,
            "last_seen": "2026-11-15",
            "next_meeting": None,
            "open_follow_ups": 0,
            "overdue": 0,
        },
    ]
    assert "Globex" in ok("clients")
    assert "next meeting" not in ok("clients")
    ok("prep", "Initech", "--answers", str(PREP), "--date", "friday")  # ahead of the meeting
    (initech,) = [c for c in as_json("clients") if c["client"] == "Initech"]
    assert initech["meetings"] == 1
    assert initech["last_seen"] is None
    assert initech["next_meeting"] == "2026-11-27"
    assert "next meeting" in ok("clients", env={"COLUMNS": "100"})


def test_every_json_output_parses_even_when_empty(home: Path) -> None:
    for command in (["followups"], ["history"], ["clients"], ["brief", "Nobody"]):
        result = run_coach(*command, "--json")
        assert result.code == 0, result.stderr
        json.loads(result.stdout)


# --- client names --------------------------------------------------------------------------


def test_client_names_match_without_case_accents_or_spacing(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Société Générale", "--answers", str(debrief_answers(tmp_path)))
    brief = ok("prep", "  SOCIETE   generale ", "--answers", str(PREP))
    assert "What you know about Société Générale" in brief
    assert len(as_json("followups", "--client", "soc")) == 3  # two and the touchpoint
    assert len(as_json("followups", "--client", "SOCIÉTÉ gén")) == 3


def test_an_ambiguous_client_prefix_lists_the_candidates(home: Path, tmp_path: Path) -> None:
    ok("prep", "Acme", "--answers", str(PREP))
    ok("prep", "Acme Corp", "--answers", str(PREP), "--new-client")
    ok("prep", "Globex", "--answers", str(PREP))
    result = run_coach("history", "--client", "ac")
    assert result.code == 2
    assert "'ac' could be Acme, Acme Corp" in result.stderr
    assert len(as_json("history", "--client", "acme")) == 1  # the exact name wins
    unknown = run_coach("history", "--client", "zz")
    assert unknown.code == 5
    assert "no client matches 'zz'" in unknown.stderr


def test_a_new_name_close_to_known_ones_needs_new_client_in_scripted_runs(home: Path) -> None:
    """Saved quietly under a near name, a script split one client's history in two."""
    ok("prep", "Initech Corp", "--answers", str(PREP))
    for typed in ("initech", "Initek Corp"):
        refused = run_coach("prep", typed, "--answers", str(PREP))
        assert refused.code == 2, refused.stderr
        assert refused.stderr.splitlines() == [
            f"coach: error: {typed!r} is not a client you have met yet, but is close to: "
            f"Initech Corp (give that name, or add --new-client to start a new client "
            f"named {typed!r})"
        ]
    assert {r["client"] for r in records(home)} == {"Initech Corp"}
    ok("prep", "Initech", "--answers", str(PREP), "--new-client")
    assert {r["client"] for r in records(home)} == {"Initech", "Initech Corp"}
    ok("debrief", "INITECH", "--answers", str(DEBRIEF), "--prep", "none")  # known now
    assert {r["client"] for r in records(home)} == {"Initech", "Initech Corp"}


def test_brief_names_damaged_files_and_exits_7(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (saved,) = reflection_files(home)
    broken = saved.parent / saved.name.replace("_debrief_", "_prep_").replace(".json", "x.json")
    broken.write_text('{"schema": 1, "id": ', encoding="utf-8")
    result = run_coach("brief", "Acme")
    assert result.code == 7
    assert "What you know about Acme" in result.stdout
    assert str(broken) in result.stderr
    nobody = run_coach("brief", "Nobody")
    assert nobody.code == 0
    assert "No reflections about Nobody yet." in nobody.stdout


def test_messages_for_no_overdue_follow_up_and_an_ambiguous_id(home: Path) -> None:
    for _ in range(7):
        ok("prep", "Acme", "--answers", str(PREP))
    nothing = run_coach("followups", "--overdue")
    assert nothing.code == 0
    assert "No overdue follow-ups." in nothing.stderr
    ambiguous = run_coach("show", "20261120T09")  # longer than any short tail: ids only
    assert ambiguous.code == 5
    assert "matches 7 reflections" in ambiguous.stderr
    assert "and 2 more" in ambiguous.stderr


def test_at_40_columns_each_row_is_a_stack_with_every_field(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Société Générale", "--answers", str(debrief_answers(tmp_path)))
    narrow = {"COLUMNS": "40"}
    follow = run_coach("followups", env=narrow)
    assert follow.code == 0
    assert not [li for li in follow.stdout.splitlines() if li.startswith("  due: due ")]
    assert "  what: Send the pilot plan" in follow.stdout.splitlines()
    assert "  client: Société Générale" in follow.stdout.splitlines()
    history = run_coach("history", env=narrow).stdout.splitlines()
    assert "  client: Société Générale" in history
    assert "  kind: debrief" in history
    listed = run_coach("clients", env=narrow).stdout.splitlines()
    assert "Société Générale" in listed
    for output in (follow.stdout.splitlines(), history, listed):
        assert max(len(line) for line in output) <= 40


def test_show_names_loop_items_as_the_run_asked_them(home: Path) -> None:
    done = run_coach("debrief", "Acme", "--answers", str(EXAMPLES / "debrief-answers.toml"))
    assert done.code == 0, done.stderr
    (path,) = reflection_files(home)
    record = json.loads(path.read_text(encoding="utf-8"))
    loops = {a["step"]: a for a in record["answers"] if a["type"] == "loop"}
    assert loops["next_steps"]["item"] == "Next step"  # saved with the record
    shown = run_coach("show", record["id"]).stdout
    assert "\nNext step 1\n" in shown
    assert "\nNext step 2\n" in shown
    # A reflection saved before item titles were: its step id, made readable.
    del loops["next_steps"]["item"]
    path.write_text(json.dumps(record), encoding="utf-8")
    assert "\nNext steps 1\n" in run_coach("show", record["id"]).stdout


# --- a lost deal's next touchpoint ----------------------------------------------------


def test_a_lost_deals_next_touchpoint_is_a_dated_follow_up_until_done(
    home: Path, tmp_path: Path
) -> None:
    answers = debrief_answers(tmp_path)
    saved = tomllib.loads(answers.read_text(encoding="utf-8"))
    assert saved["lost_deal"]["next_touchpoint"] == "2027-01-15"
    ok("debrief", "Acme", "--answers", str(answers))
    (path,) = reflection_files(home)
    (touchpoint,) = [f for f in as_json("followups") if f["kind"] == "touchpoint"]
    assert touchpoint["due"] == "2027-01-15"
    assert touchpoint["owner"] == "me"
    assert touchpoint["what"] == "Next touchpoint with Acme (lost deal)"
    assert touchpoint["id"].endswith(".t1")
    assert touchpoint["short_id"].endswith(".t1")
    assert "Next touchpoint with Acme (lost deal)" in ok("followups")
    assert "Next touchpoint with Acme (lost deal)" in ok("brief", "Acme")
    (brief_item,) = [f for f in as_json("brief", "Acme")["follow_ups"] if f["kind"] == "touchpoint"]
    assert brief_item["due"] == "2027-01-15"
    (acme,) = as_json("clients")
    assert acme["open_follow_ups"] == 3

    done = run_coach("done", touchpoint["short_id"], env=NOW)
    assert done.code == 0, done.stderr
    saved_record = json.loads(path.read_text(encoding="utf-8"))
    (include,) = [a for a in saved_record["answers"] if a["step"] == "lost_deal"]
    (answer,) = [a for a in include["answers"] if a["step"] == "next_touchpoint"]
    assert answer["done"] == "2026-11-20"
    assert [f["kind"] for f in as_json("followups")] == ["follow_up", "follow_up"]
    assert [f["done"] for f in as_json("followups", "--all") if f["kind"] == "touchpoint"] == [
        "2026-11-20"
    ]


def test_a_touchpoint_shows_in_french_and_in_the_review(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    french = as_json("followups", "--lang", "fr")
    assert "Prochain contact avec Acme (affaire perdue)" in [f["what"] for f in french]
    late = {"CLIENTCOACH_NOW": "2027-01-20T09:00"}
    review = run_coach("review", "--month", "2026-11", "--json", env=late)
    assert review.code == 0, review.stderr
    overdue = json.loads(review.stdout)["follow_ups"]["overdue"]
    assert [(u["what"], u["due"]) for u in overdue if u["owner"] == "me"][-1] == (
        "Next touchpoint with Acme (lost deal)",
        "2027-01-15",
    )


def test_history_gives_a_long_client_name_the_room_titles_leave(home: Path) -> None:
    ok("prep", "Société Générale Assurances", "--answers", str(PREP))
    lines = run_coach("history", env={"COLUMNS": "80"}).stdout.splitlines()
    assert "Société Générale Assurances" in lines[2], lines
    assert all(len(line) <= 80 for line in lines)


@pytest.mark.parametrize("columns", [80, 120])
def test_history_is_one_line_per_reflection_at_80_columns(home: Path, columns: int) -> None:
    long_client = "Vandelay Industries International"
    title = "Quarterly steering committee with the procurement team"
    ok("prep", long_client, "--answers", str(PREP), "-m", title)
    ok("prep", "Acme", "--answers", str(PREP))
    env = {"COLUMNS": str(columns)}
    shown = run_coach("history", env=env)
    lines = shown.stdout.splitlines()
    assert all(len(line) <= columns for line in lines), lines
    assert len(lines) == 2 + 2  # heading, rule, one line each
    ids = [r["id"] for r in json.loads(run_coach("history", "--json").stdout)]
    assert all(any(i in line for line in lines) for i in ids)  # ids are never cut
    assert "Vandelay" in lines[2] or "Vandelay" in lines[3]
    found = run_coach("history", "--grep", "pilot", env=env).stdout.splitlines()
    assert all(len(line) <= columns for line in found), found
    assert len(found) == 2 + 2 * 2  # each reflection, then its first match, indented
    assert found[3].startswith(" " * 12)


def test_the_brief_shows_the_latest_lesson_once(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    brief = ok("brief", "Acme")
    assert brief.count("Restate the need before talking numbers") == 1
    assert "Latest lesson: Restate the need before talking numbers" in brief
    assert "Other lessons: Validate the need in writing before the proposal" in brief
    french = ok("--lang", "fr", "brief", "Acme")
    assert french.count("Restate the need before talking numbers") == 1
    assert "Autres leçons\u00a0: Validate the need" in french


def test_a_french_list_puts_a_narrow_no_break_space_before_each_semicolon(
    home: Path, tmp_path: Path
) -> None:
    ok("--lang", "fr", "prep", "Acme", "--answers", str(PREP))
    debrief = ok("--lang", "fr", "debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    assert "supply-chain delays\u202f; last year's outage" in debrief
    ok("prep", "Globex", "--answers", str(PREP))
    english = ok("debrief", "Globex", "--answers", str(debrief_answers(tmp_path, "en.toml")))
    assert "supply-chain delays; last year's outage" in english


def test_history_cuts_the_wider_of_client_and_title_first(home: Path) -> None:
    from tests.review_records import debrief, record, write

    write(home, debrief("Crédit Agricole", "2026-11-10"))
    write(home, debrief("Acme", "2026-11-12"))
    review = record("review", "", "2026-11-14", [])
    review["meeting"]["title"] = "Review of November 2026"
    write(home, review)
    shown = ok("history", env={"COLUMNS": "80"})
    lines = shown.splitlines()
    assert max(len(line) for line in lines[:5]) <= 80
    assert "Crédit Agricole " in shown  # whole: the one long title gives way instead
    assert "Review of" in shown


def test_history_measures_wide_characters_by_the_cells_they_take(home: Path) -> None:
    """A Japanese title takes two cells a character: given the room it needs, it is shown
    whole (measured by its length, it got half of that room and was cut)."""
    from rich.cells import cell_len

    title = "四半期の価格交渉と来年度の契約更新について"
    ok("prep", "株式会社テスト", "--answers", str(PREP), "-m", title)
    lines = ok("history", env={"COLUMNS": "120"}).splitlines()
    assert title in lines[2]
    assert "株式会社テスト" in lines[2]
    assert all(cell_len(line) <= 120 for line in lines)
    narrow = ok("history", env={"COLUMNS": "70"}).splitlines()
    assert all(cell_len(line) <= 70 for line in narrow), narrow


def test_a_lesson_for_any_client_comes_back_in_every_other_clients_brief(
    home: Path, tmp_path: Path
) -> None:
    """ "Where does this lesson apply? With any client": the next prep with any other
    client, even a new one, shows it; the client it came from shows it as its own."""
    mistakes = [
        {
            "mistake": "Talked over the buyer",
            "repeat": "new",
            "lesson": "Let the buyer finish every sentence",
            "lesson_scope": "universal",
        },
        {
            "mistake": "Came without the contract",
            "repeat": "new",
            "lesson": "Bring Acme's signed contract",
            "lesson_scope": "this-client",
        },
    ]
    path = debrief_answers(tmp_path, mistakes=mistakes)
    ok("debrief", "Acme", "--answers", str(path), "--date", "2026-11-20")
    ok("prep", "Globex", "--answers", str(PREP))

    shown = " ".join(ok("brief", "Globex").split())
    assert "For any client: Let the buyer finish every sentence (Acme, 2026-11-20)" in shown
    assert "Bring Acme's signed contract" not in shown
    data = json.loads(run_coach("brief", "Globex", "--json").stdout)
    assert data["lessons_for_all"] == [
        {"date": "2026-11-20", "text": "Let the buyer finish every sentence", "client": "Acme"}
    ]
    own = json.loads(run_coach("brief", "Acme", "--json").stdout)
    assert own["lessons_for_all"] == []  # its own lessons are listed as such
    prep = " ".join(ok("prep", "Initech", "--answers", str(PREP)).split())  # never met
    assert "For any client: Let the buyer finish every sentence (Acme, 2026-11-20)" in prep
    assert (
        run_coach("brief", "Globex", "--json").stdout
        == run_coach("brief", "Globex", "--json", env={"CLIENTCOACH_INDEX": "0"}).stdout
    )


def test_piped_tables_keep_each_row_on_one_line(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tomllib.loads((EXAMPLES / "debrief-answers.toml").read_text(encoding="utf-8"))
    long = "Send the audit summary " + "with every finding and its owner " * 4
    data["next_steps"][0]["what"] = long.strip()
    path = tmp_path / "long.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    ok("debrief", "Acme", "--answers", str(path))
    monkeypatch.delenv("COLUMNS", raising=False)
    listed = run_coach("followups", env=NOW)
    assert listed.code == 0, listed.stderr
    (row,) = [line for line in listed.stdout.splitlines() if "audit" in line]
    assert long.strip() in row  # `coach followups | grep audit` finds the whole row
    assert "Acme" in row
    # COLUMNS set: the table fits it, as on a terminal of that width.
    narrow = run_coach("followups", env={**NOW, "COLUMNS": "60"})
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60


def test_undo_relayout_says_the_file_was_laid_out_again(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    path.write_text(json.dumps(json.loads(path.read_bytes())), encoding="utf-8")
    short = as_json("followups")[0]["short_id"]
    refused = run_coach("done", short, "--undo", env=NOW)
    assert refused.code == 5
    assert f"and open it again: coach done {short} --undo --relayout" in refused.stderr
    relaid = run_coach("done", short, "--undo", "--relayout", env=NOW)
    assert relaid.code == 0, relaid.stderr
    assert "Its file was laid out as clientcoach writes it." in relaid.stdout + relaid.stderr
    assert "Nothing changed" not in relaid.stdout + relaid.stderr
    assert run_coach("done", short, env=NOW).code == 0  # laid out: a plain mark works now


def test_done_names_the_file_it_could_not_read(home: Path, tmp_path: Path) -> None:
    ok("debrief", "Acme", "--answers", str(debrief_answers(tmp_path)))
    (path,) = reflection_files(home)
    short = as_json("followups")[0]["short_id"]
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # an editor's byte-order mark
    result = run_coach("done", short, env=NOW)
    assert result.code == 5
    assert f"no follow-up with id '{short}'" in result.stderr
    assert f"1 reflection could not be read ({path})" in result.stderr
    assert "coach doctor" in result.stderr
