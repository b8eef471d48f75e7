"""Hand-built reflections for the review tests, in the shape the engine saves them."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

Record = dict[str, Any]
_ids = itertools.count(1)


def ans(
    step: str, value: Any, role: str | None = None, kind: str = "text", summary: str | None = None
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "step": step,
        "type": kind,
        "role": role if role is not None else step,
        "prompt": f"{step}?",
        "value": value,
    }
    if summary is not None:
        answer["summary"] = summary
    return answer


def loop(step: str, role: str, items: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"step": step, "type": "loop", "role": role, "prompt": "Another?", "items": items}


def include(step: str, playbook: str, answers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "step": step,
        "type": "include",
        "role": None,
        "prompt": playbook,
        "playbook": playbook,
        "answers": answers,
    }


def follow_up(what: str, due: str | None, owner: str = "me", done: str | None = None) -> list[Any]:
    first = ans("what", what)
    if done is not None:
        first["done"] = done
    return [first, ans("owner", owner, kind="choice"), ans("due", due, kind="date")]


def troll(topic: str, calm: str = "yes", paused: bool = True, too_much: bool = False) -> list[Any]:
    return [
        include(
            "troll_episode",
            "troll-bridge",
            [
                ans("topic", topic, role="troll_topic", summary="top"),
                ans("calm_restored", calm, kind="choice", summary="distribution"),
                ans("paused_first", paused, kind="confirm", summary="rate"),
                ans("said_too_much", too_much, kind="confirm", summary="rate"),
            ],
        )
    ]


def mistake(text: str, repeat: str = "new") -> list[Any]:
    return [
        ans("mistake", text, summary="top"),
        ans("repeat", repeat, role="mistake_repeat", kind="choice"),
        ans("lesson", "Do better", summary="top"),
    ]


def record(
    kind: str,
    client: str,
    day: str,
    answers: list[dict[str, Any]],
    prep: str | None = None,
) -> Record:
    rid = f"{day.replace('-', '')}T090000-{next(_ids):06d}"
    return {
        "schema": 1,
        "id": rid,
        "kind": kind,
        "client": client,
        "meeting": {"title": None, "date": day},
        "playbook": {"id": kind, "version": "1", "language": "en"},
        "links": {"prep": prep},
        "started_at": f"{day}T09:00:00+00:00",
        "finished_at": f"{day}T09:10:00+00:00",
        "answers": answers,
        "app_version": "0.1.0",
    }


def debrief(client: str, day: str, *answers: dict[str, Any], prep: str | None = None) -> Record:
    return record("debrief", client, day, list(answers), prep)


def write(home: Path, rec: Record) -> Path:
    """Save a record where the store keeps it, with the name the store would give it."""
    from clientcoach.core.text import slug

    day = rec["meeting"]["date"]
    folder = home / "reflections" / day[:7]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}_{rec['kind']}_{slug(rec['client'])}_{rec['id']}.json"
    path.write_text(json.dumps(rec, indent=2), encoding="utf-8")
    return path


def november_set() -> list[Record]:
    """A small month the figures of which are known by heart (now = 2026-11-24)."""
    return [
        record("prep", "Acme", "2026-11-02", [ans("knowledge", 5, kind="rating")]),
        debrief(
            "Acme",
            "2026-11-03",
            ans("next_steps_agreed", True, kind="confirm", summary="rate"),
            loop(
                "next_steps",
                "follow_up",
                [
                    follow_up("Send the quote", "2026-11-10"),
                    follow_up("Book the workshop", "2026-11-24"),
                    follow_up("Share the plan", "2026-11-05", done="2026-11-04"),
                ],
            ),
            loop("trolls", "troll", [troll("Delivery delays"), troll("price")]),
            loop("mistakes", "mistakes", [mistake("Talked too long")]),
            ans("knowledge", 5, kind="rating"),
            ans("perception", 2, kind="rating"),
            ans("energy", -1, kind="rating"),
            ans("drama_role", "rescuer", kind="choice"),
            prep="p1",
        ),
        debrief(
            "Acme",
            "2026-11-12",
            ans("next_steps_agreed", True, kind="confirm", summary="rate"),
            loop("trolls", "troll", [troll("delivery  delays.", calm="no", paused=False)]),
            ans("energy", 1, kind="rating"),
        ),
        debrief(
            "Globex",
            "2026-11-15",
            ans("next_steps_agreed", True, kind="confirm", summary="rate"),
            loop("trolls", "troll", [troll("Delivery delays", too_much=True)]),
            include(
                "healthy_help",
                "healthy-help",
                [
                    ans("r1_asked", False, role="help_rule", kind="confirm", summary="rate"),
                    ans("r2_framed", True, role="help_rule", kind="confirm", summary="rate"),
                ],
            ),
        ),
        debrief(
            "Globex",
            "2026-11-20",
            ans("next_steps_agreed", False, kind="confirm", summary="rate"),
            loop(
                "mistakes", "mistakes", [mistake("Talked too LONG"), mistake("Forgot the agenda")]
            ),
            ans("outcome", "lost", kind="choice", summary="distribution"),
            include(
                "lost_deal",
                "lost-deal",
                [
                    ans("asked_why", True, kind="confirm", summary="rate"),
                    ans("price_stated", True, kind="confirm", summary="rate"),
                    ans("price_believed", False, kind="confirm", summary="rate"),
                    ans("loss_outcome", "lost-competitor", kind="choice"),
                    ans("believed_reason", "need", kind="choice"),
                    ans(
                        "loss_reasons_need",
                        ["need-misunderstood"],
                        role="loss_reason",
                        kind="multichoice",
                    ),
                ],
            ),
        ),
    ]


def october_prep() -> Record:
    """One prep the month before, so that November has a previous period to compare with
    (a period with no reflection at all has nothing to compare)."""
    return record("prep", "Acme", "2026-10-15", [], None)
