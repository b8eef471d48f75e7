"""Generate realistic reflections for benchmarks and demos.

Writes N reflection files straight into a data directory, in the store's layout
(``reflections/YYYY-MM/<date>_<kind>_<client>_<id>.json``), spread over the twelve
months that end on ``end`` and over ``clients`` clients. Each answer has the shape the
engine saves for the built-in playbooks (step, type, role, prompt, value, label and
declared summary, read from the playbook files), so the review sees what it would see
after a year of real use: preps and debriefs linked together, follow-ups (some done,
some overdue), difficult moments whose topics come back per client, help episodes,
mistakes that repeat, lost deals, and one monthly reflection a month.

    python benchmarks/generate.py DATA_DIR N [--seed S] [--clients C] [--end YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from clientcoach.core.text import slug  # noqa: E402
from clientcoach.storage.store import NO_CLIENT_SLUG  # noqa: E402

Answer = dict[str, Any]
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"

_NAMES_A = [
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Stark",
    "Wayne", "Cyberdyne", "Tyrell", "Wonka", "Nordwind", "Lumière", "Élan", "Kraków",
    "Brightline", "Bluefin", "Northstar", "Helios",
]  # fmt: skip
_NAMES_B = ["Corp", "Health", "Logistics", "Bank", "Retail", "Energy", "SA", "GmbH"]
_TOPICS = [
    "supply-chain delays", "the price increase", "last spring's outage", "license audit",
    "missed deadline", "support response times", "the migration plan", "data privacy",
    "contract renewal", "headcount cuts", "the competitor's demo", "scope creep",
]  # fmt: skip
_MISTAKES = [
    "Answered the price question before understanding the need",
    "Talked too long in the opening",
    "Did not confirm the decision maker",
    "Forgot to send the agenda beforehand",
    "Promised a date without checking with the team",
    "Interrupted the client while they explained",
    "Did not ask for next steps at the end",
    "Pitched features instead of asking questions",
    "Let the meeting run over time",
    "Assumed the client had read the proposal",
    "Did not restate the need before the demo",
    "Got defensive about the outage",
    "Skipped the check on who else is involved",
    "Brought the wrong version of the deck",
    "Did not note the client's objections",
]
_ACTIONS = [
    "Send the revised quote", "Share the pilot plan", "Book the technical workshop",
    "Send the reference list", "Share the data sample", "Confirm the budget owner",
    "Send the security questionnaire", "Introduce the delivery lead",
    "Draft the statement of work", "Set up the sandbox access",
]  # fmt: skip
_LESSONS = [
    "Restate the need first", "Keep the opening under five minutes",
    "Ask who decides before the demo", "Send the agenda the day before",
    "Check dates with the team before promising", "Close with who does what by when",
]  # fmt: skip
_GOALS = [
    "Agree the pilot scope", "Understand their evaluation criteria", "Get a decision date",
    "Present the architecture", "Rebuild trust after the incident",
]  # fmt: skip
_KEEP = ["Sending the agenda early", "Asking one open question first", "Short answers"]
_HELP = ["Free architecture review", "Extra hours on the proof of concept", "A favour on pricing"]


class _Book:
    """One built-in playbook's steps by id, to write answers the way the engine does."""

    def __init__(self, playbook_id: str) -> None:
        path = REPO / "playbooks" / f"{playbook_id}.toml"
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        self.id = playbook_id
        self.title: str = data["title"]
        self.version: str = data.get("version", "1")
        self.steps: dict[str, dict[str, Any]] = {}
        self._index(data["steps"])

    def _index(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            self.steps[step["id"]] = step
            self._index(step.get("steps", []))

    def answer(self, step_id: str, value: Any) -> Answer:
        step = self.steps[step_id]
        record: Answer = {
            "step": step_id,
            "type": step["type"],
            "role": step.get("role"),
            "prompt": step["prompt"],
            "value": value,
        }
        if step["type"] in ("choice", "multichoice") and value is not None:
            labels = {
                (c if isinstance(c, str) else c["value"]): (
                    c if isinstance(c, str) else c.get("label", c["value"])
                )
                for c in step["choices"]
            }
            record["label"] = (
                [labels[v] for v in value] if isinstance(value, list) else labels[value]
            )
        if "summary" in step:
            record["summary"] = step["summary"]
        return record

    def choices(self, step_id: str) -> list[str]:
        return [c if isinstance(c, str) else c["value"] for c in self.steps[step_id]["choices"]]

    def loop(self, step_id: str, items: list[list[Answer]]) -> Answer:
        step = self.steps[step_id]
        return {
            "step": step_id,
            "type": "loop",
            "role": step.get("role"),
            "prompt": step["prompt"],
            "items": items,
        }

    def include(self, step_id: str, target: _Book, answers: list[Answer]) -> Answer:
        step = self.steps[step_id]
        return {
            "step": step_id,
            "type": "include",
            "role": step.get("role"),
            "prompt": step.get("prompt") or target.title,
            "playbook": target.id,
            "answers": answers,
        }


class _Generator:
    def __init__(self, seed: int, clients: int, end: date) -> None:
        self.rng = random.Random(seed)
        self.end = end
        self.books = {
            b: _Book(b)
            for b in ("prep", "debrief", "healthy-help", "lost-deal", "won-deal", "monthly")
        }
        names = [f"{a} {b}" for b in _NAMES_B for a in _NAMES_A]
        self.clients = (
            names[:clients]
            if clients <= len(names)
            else [f"Client {i + 1}" for i in range(clients)]
        )
        # Each client has its own favourite trolls and its own mood, so patterns show.
        self.topics = {c: self.rng.sample(_TOPICS, 3) for c in self.clients}
        self.bias = {c: (self.rng.randint(-1, 1), self.rng.randint(-1, 1)) for c in self.clients}
        self.mistakes_seen: set[str] = set()

    # --- helpers -------------------------------------------------------------------

    def pick(self, book: str, step_id: str) -> str:
        return self.rng.choice(self.books[book].choices(step_id))

    def rating(self, low: int, high: int, shift: int = 0) -> int:
        return max(low, min(high, self.rng.randint(low, high) + shift))

    def new_id(self, moment: datetime) -> str:
        stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        return stamp + "-" + "".join(self.rng.choice(_CROCKFORD) for _ in range(6))

    def record(
        self,
        kind: str,
        client: str,
        day: date,
        book: str,
        answers: list[Answer],
        prep: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        started = datetime.combine(day, time(self.rng.randint(8, 18), self.rng.randint(0, 59)))
        started = started.replace(tzinfo=UTC)
        finished = started + timedelta(minutes=self.rng.randint(4, 14))
        return {
            "schema": 1,
            "id": self.new_id(finished),
            "kind": kind,
            "client": client,
            "meeting": {"title": title, "date": day.isoformat()},
            "playbook": {"id": book, "version": self.books[book].version, "language": "en"},
            "links": {"prep": prep},
            "started_at": started.isoformat(),
            "finished_at": finished.isoformat(),
            "answers": answers,
            "app_version": "0.1.0",
        }

    # --- playbooks -----------------------------------------------------------------

    def prep(self, client: str, day: date) -> dict[str, Any]:
        b, r = self.books["prep"], self.rng
        know, feel = self.bias[client]
        answers = [
            b.answer("goal", r.choice(_GOALS)),
            b.answer("next_step_target", r.choice(_ACTIONS)),
            b.answer("channel", self.pick("prep", "channel")),
            b.answer("risk", r.choice(_TOPICS)),
            b.answer("common_project", "Modernise their " + r.choice(["billing", "data", "CRM"])),
            b.answer("client_interest_first", r.random() < 0.8),
            b.answer("interest_in_us", "Our delivery track record"),
        ]
        need = r.random() < 0.7
        answers.append(b.answer("need_confirmed", need))
        if not need:
            answers.append(b.answer("need_check", "Ask them to restate the top three goals"))
        answers.append(b.answer("technically_prepared", r.random() < 0.85))
        answers.append(b.answer("different_approach", False))
        answers += [
            b.answer("knowledge", self.rating(1, 5, know)),
            b.answer("perception", self.rating(1, 5, feel)),
            b.answer("first_impression", self.pick("prep", "first_impression")),
            b.answer("bad_intent", r.random() < 0.1),
            b.answer("trolls_expected", r.sample(self.topics[client], r.randint(1, 2))),
            b.answer("triggers_today", ["tone of voice"]),
            b.answer("troll_intention", "Pause, then ask what worries them most"),
            b.answer("help_offered", False),
        ]
        return self.record("prep", client, day, "prep", answers)

    def compact_troll(self, client: str) -> list[Answer]:
        """One hot moment as the full debrief asks it: the compact form."""
        b, r = self.books["debrief"], self.rng
        steps = b.choices("loop_steps")
        return [
            b.answer("topic", r.choice(self.topics[client])),
            b.answer("loop_steps", [s for s in steps if r.random() < 0.6]),
            b.answer("passes", r.randint(1, 3)),
            b.answer("calm_restored", r.choice(["yes", "yes", "partly", "no", "break"])),
            b.answer("troll_next_time", "Acknowledge first, then ask one question"),
        ]

    def won(self) -> list[Answer]:
        w, r = self.books["won-deal"], self.rng
        return [
            w.answer("win_reasons", r.sample(w.choices("win_reasons")[:-1], r.randint(1, 2))),
            w.answer("nearly_lost", "The late security questionnaire"),
            w.answer("win_repeat", r.choice(_LESSONS)),
            w.answer("lost_before", r.random() < 0.2),
        ]

    def help(self) -> list[Answer]:
        h, r = self.books["healthy-help"], self.rng
        answers = [h.answer("help_what", r.choice(_HELP))]
        for rule, fix in (
            ("r1_asked", "r1_follow_up"),
            ("r2_framed", "r2_follow_up"),
            ("r3_counterpart", "r3_follow_up"),
            ("r4_half_way", "r4_follow_up"),
            ("r5_autonomy", "r5_follow_up"),
        ):
            ok = r.random() < 0.65
            answers.append(h.answer(rule, ok))
            if not ok:
                answers.append(h.answer(fix, "Ask them first next time"))
        return answers

    def lost(self) -> list[Answer]:
        lb, r = self.books["lost-deal"], self.rng
        stated = r.random() < 0.6
        area = self.pick("lost-deal", "believed_reason")
        answers = [
            lb.answer("asked_why", r.random() < 0.7),
            lb.answer("stated_reason", "They went with a cheaper offer"),
            lb.answer("price_stated", stated),
        ]
        if stated:
            answers.append(lb.answer("price_believed", r.random() < 0.4))
        answers += [
            lb.answer("loss_outcome", self.pick("lost-deal", "loss_outcome")),
            lb.answer("believed_reason", area),
        ]
        step = f"loss_reasons_{area}"
        if step in lb.steps:
            codes = lb.choices(step)
            answers.append(lb.answer(step, r.sample(codes, r.randint(1, 2))))
        else:
            answers.append(lb.answer("reason_detail", "Their board changed its mind"))
        answers += [
            lb.answer("reason_confidence", r.randint(1, 5)),
            lb.answer("door_open", True),
            lb.answer("loss_lesson", r.choice(_LESSONS)),
            lb.answer("loss_lesson_scope", self.pick("lost-deal", "loss_lesson_scope")),
        ]
        return answers

    def debrief(self, client: str, day: date, prep: str | None) -> dict[str, Any]:
        b, r = self.books["debrief"], self.rng
        know, feel = self.bias[client]
        agreed = r.random() < 0.75
        answers = [b.answer("next_steps_agreed", agreed)]
        if agreed:
            items = []
            for _ in range(r.randint(1, 3)):
                due = day + timedelta(days=r.randint(2, 21)) if r.random() < 0.85 else None
                what = b.answer("what", r.choice(_ACTIONS))
                # Old promises were mostly kept; recent ones are often still open.
                kept = 0.9 if (self.end - day).days > 45 else 0.4
                if due is not None and r.random() < kept:
                    what["done"] = (due - timedelta(days=1)).isoformat()
                items.append(
                    [
                        what,
                        b.answer("owner", self.pick("debrief", "owner")),
                        b.answer("due", due.isoformat() if due else None),
                    ]
                )
            answers.append(b.loop("next_steps", items))
        else:
            answers.append(b.answer("no_next_steps", "Propose a follow-up call by email"))
        answers.append(b.answer("client_advance", self.pick("debrief", "client_advance")))
        process, authenticity, productivity = (
            self.rating(1, 5),
            self.rating(2, 5),
            self.rating(1, 5),
        )
        answers += [
            b.answer("process", process),
            b.answer("authenticity", authenticity),
            b.answer("productivity", productivity),
        ]
        if min(process, authenticity, productivity) <= 3:
            answers.append(b.answer("gap_cause", r.sample(b.choices("gap_cause"), 2)))
        answers.append(b.answer("went_well", r.sample(b.choices("went_well")[:-1], 2)))
        talk = r.randint(20, 80)
        answers += [
            b.answer("talk_share", talk),
            b.answer("open_questions", r.randint(0, 8)),
        ]
        if talk >= 50:
            answers.append(b.answer("longest_monologue", r.randint(2, 15)))
        if authenticity <= 3:
            answers += [
                b.answer("asked_impressions", r.random() < 0.5),
                b.answer("client_as_person", r.random() < 0.8),
            ]
        answers += [
            b.answer("knowledge", self.rating(1, 5, know)),
            b.answer("perception", self.rating(1, 5, feel)),
        ]
        trolls = [self.compact_troll(client) for _ in range(r.choice([0, 0, 0, 1, 1, 2]))]
        helped = r.random() < 0.2
        drama = r.choice(["none", "none", "none", "victim", "rescuer", "persecutor"])
        mistakes = []
        for _ in range(r.choice([0, 0, 1, 1, 2])):
            text = r.choice(_MISTAKES[: r.randint(4, len(_MISTAKES))])
            again = text in self.mistakes_seen and r.random() < 0.7
            self.mistakes_seen.add(text)
            item = [
                b.answer("mistake", text),
                b.answer("repeat", "repeat" if again else "new"),
            ]
            if again:
                item.append(b.answer("mistake_cause", "I rush when I am nervous"))
            item.append(b.answer("lesson", r.choice(_LESSONS)))
            if not again:
                item.append(b.answer("lesson_scope", self.pick("debrief", "lesson_scope")))
            mistakes.append(item)
        came_up = [
            value
            for value, happened in (
                ("troll", bool(trolls)),
                ("help", helped),
                ("drama", drama != "none"),
                ("mistake", bool(mistakes)),
            )
            if happened
        ]
        answers.append(b.answer("came_up", came_up or None))
        if trolls:
            answers.append(b.loop("trolls", trolls))
        if helped:
            met = [rule for rule in b.choices("help_rules") if r.random() < 0.65]
            answers += [b.answer("help_what", r.choice(_HELP)), b.answer("help_rules", met)]
            if len(met) < len(b.choices("help_rules")):
                answers.append(b.answer("help_fix", "Ask them first next time"))
        if drama != "none":
            answers += [
                b.answer("drama_role", drama),
                b.answer("client_drama_role", self.pick("debrief", "client_drama_role")),
                b.answer("role_switch", False),
            ]
        if mistakes:
            answers.append(b.loop("mistakes", mistakes))
        outcome = r.choices(
            ["progressing", "won", "lost", "stalled", "not-a-sale"], [55, 12, 8, 15, 10]
        )[0]
        answers.append(b.answer("outcome", outcome))
        if outcome == "lost":
            answers.append(b.include("lost_deal", self.books["lost-deal"], self.lost()))
        if outcome == "won":
            answers.append(b.include("won_deal", self.books["won-deal"], self.won()))
        answers.append(b.answer("energy", self.rating(-2, 2, (know + feel) // 2)))
        return self.record("debrief", client, day, "debrief", answers, prep)

    def monthly(self, day: date) -> dict[str, Any]:
        m, r = self.books["monthly"], self.rng
        answers = [
            m.answer("month_rating", r.randint(2, 5)),
            m.answer("keep", r.sample(_KEEP, 2)),
            m.answer("stop", [r.choice(_MISTAKES)]),
            m.answer("try", [r.choice(_LESSONS)]),
            m.answer("outside_practice", "Watch a colleague run a discovery call"),
            m.answer("practice_source", self.pick("monthly", "practice_source")),
            m.answer("mistake_commitment", r.choice(_LESSONS)),
        ]
        data = self.record("review", "", day, "monthly", answers, title="Monthly review")
        data.pop("links")
        data["review"] = {"start": day.replace(day=1).isoformat(), "end": day.isoformat()}
        return data


def _write(root: Path, data: dict[str, Any]) -> Path:
    day = data["meeting"]["date"]
    who = slug(data["client"]) if data["client"] else NO_CLIENT_SLUG
    folder = root / "reflections" / day[:7]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}_{data['kind']}_{who}_{data['id']}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def generate(
    root: Path, n: int, seed: int = 1, clients: int = 40, end: date | None = None
) -> list[Path]:
    """Write ``n`` reflections into the data directory ``root``; their paths, oldest first.

    Meetings fall on working days of the 365 days ending on ``end`` (default today); most
    debriefs follow a prep of the same client a few days before, and the last day of each
    month holds a monthly review. The same seed gives the same files.
    """
    last = end or date.today()
    gen = _Generator(seed, max(1, clients), last)
    first = last - timedelta(days=364)
    month_ends = sorted({min(last, _month_end(d)) for d in _days(first, last)})
    reviews = month_ends[: max(0, min(len(month_ends), n // 50))]
    meetings = n - len(reviews)
    days = [d for d in _days(first, last) if d.weekday() < 5] or [last]
    records: list[dict[str, Any]] = []
    while len(records) < meetings:
        client = gen.rng.choices(gen.clients, [1 / (i + 1) for i in range(len(gen.clients))])[0]
        day = gen.rng.choice(days)
        prep_id = None
        if len(records) + 1 < meetings and gen.rng.random() < 0.7:
            prep = gen.prep(client, max(first, day - timedelta(days=gen.rng.randint(0, 3))))
            records.append(prep)
            prep_id = prep["id"]
        records.append(gen.debrief(client, day, prep_id))
    records += [gen.monthly(d) for d in reviews]
    records.sort(key=lambda r: (r["meeting"]["date"], r["id"]))
    return [_write(root, data) for data in records[:n]]


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="the data directory (CLIENTCOACH_HOME)")
    parser.add_argument("n", type=int, help="how many reflections to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--end", type=date.fromisoformat, default=None, help="last meeting day")
    args = parser.parse_args(argv)
    paths = generate(args.data_dir, args.n, args.seed, args.clients, args.end)
    print(f"wrote {len(paths)} reflections under {args.data_dir / 'reflections'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
