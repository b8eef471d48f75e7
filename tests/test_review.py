"""The review's figures, computed from hand-built reflections (pure: no files, fixed now)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from clientcoach.insights.facts import norm
from clientcoach.insights.review import (
    Count,
    Rate,
    Review,
    build,
    current_month,
    last_month,
    month_period,
    previous_period,
    range_period,
    reading_window,
    trend_months,
)
from tests.review_records import (
    ans,
    debrief,
    follow_up,
    include,
    loop,
    mistake,
    november_set,
    record,
    troll,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=1)))
NOVEMBER = month_period(2026, 11, NOW.date())


def review(records: list[dict[str, object]], period: object = NOVEMBER) -> Review:
    assert period is not None
    return build(records, period, NOW)  # type: ignore[arg-type]


def test_three_of_four_debriefs_with_agreed_next_steps_is_75_percent() -> None:
    result = review(november_set())
    assert (result.next_steps.count, result.next_steps.total) == (3, 4)
    assert result.next_steps.rate == 0.75
    headline = {h.id: h for h in result.headline}
    assert headline["next_steps_rate"].value == 0.75


def test_meetings_prepared_debriefed_and_linked() -> None:
    result = review(november_set())
    assert result.reflections == 5
    assert result.clients == 2
    assert (result.meetings.prepared, result.meetings.debriefed) == (1, 4)
    assert result.meetings.debriefed_after_prep == 1


def test_mistake_in_september_and_november_is_repeated_with_both_dates() -> None:
    records = [
        debrief("Acme", "2026-09-14", loop("mistakes", "mistakes", [mistake("Talked too long")])),
        debrief(
            "Globex",
            "2026-11-05",
            # Same mistake in other words: case, accents, spacing and a full stop.
            loop("mistakes", "mistakes", [mistake("  talked TOO lóng. "), mistake("New one")]),
        ),
    ]
    result = review(records)
    assert (result.mistakes.logged, result.mistakes.new, result.mistakes.repeated) == (2, 1, 1)
    (repeated,) = result.mistakes.repeated_list
    assert repeated.count == 2
    assert repeated.dates == [date(2026, 9, 14), date(2026, 11, 5)]
    assert repeated.last_seen == date(2026, 11, 5)


def test_a_mistake_marked_repeat_counts_even_when_first_logged() -> None:
    records = [debrief("Acme", "2026-11-05", loop("m", "mistakes", [mistake("Late", "repeat")]))]
    result = review(records)
    assert result.mistakes.repeated == 1
    assert result.mistakes.repeated_list[0].marked_repeat


def test_a_mistake_only_seen_outside_the_period_is_not_listed() -> None:
    records = [
        debrief("Acme", "2026-09-01", loop("m", "mistakes", [mistake("Old")])),
        debrief("Acme", "2026-09-02", loop("m", "mistakes", [mistake("Old")])),
    ]
    assert review(records).mistakes.repeated_list == []


def test_follow_up_due_before_now_is_overdue_today_and_done_are_not() -> None:
    result = review(november_set())
    f = result.follow_ups
    assert (f.created, f.done, f.open) == (3, 1, 2)
    assert [u.what for u in f.overdue] == ["Send the quote"]
    assert f.overdue[0].days_late == 14
    assert f.overdue[0].client == "Acme"


def test_overdue_follow_ups_from_earlier_months_are_still_listed() -> None:
    records = [
        debrief(
            "Acme", "2026-10-01", loop("n", "follow_up", [follow_up("Old promise", "2026-10-08")])
        ),
        debrief("Acme", "2026-11-02", ans("next_steps_agreed", False, kind="confirm")),
    ]
    result = review(records)
    assert result.follow_ups.created == 0
    assert [u.what for u in result.follow_ups.overdue] == ["Old promise"]


def test_troll_topic_seen_twice_with_one_client_is_recurring_for_that_client() -> None:
    result = review(november_set())
    t = result.trolls
    assert t.episodes == 4
    assert [(r.client, norm(r.topic), r.count) for r in t.recurring] == [
        ("Acme", "delivery delays", 2)
    ]
    assert t.recurring[0].dates == [date(2026, 11, 3), date(2026, 11, 12)]
    assert t.top_topics[0] == Count("Delivery delays", 3)
    assert (t.calm_restored.count, t.calm_restored.total) == (3, 4)
    assert (t.paused_first.count, t.paused_first.total) == (3, 4)
    assert (t.said_too_much.count, t.said_too_much.total) == (1, 4)


def test_troll_bridge_walked_on_its_own_is_one_episode() -> None:
    records = [record("debrief", "Acme", "2026-11-03", troll("Budget")[0]["answers"])]
    assert review(records).trolls.episodes == 1


def test_healthy_help_failures_per_rule_and_the_most_failed() -> None:
    h = review(november_set()).help
    assert h.episodes == 1
    assert [(r.rule, r.checked, r.failed) for r in h.rules] == [
        ("r1_asked", 1, 1),
        ("r2_framed", 1, 0),
    ]
    assert h.most_failed == "r1_asked"


def test_lost_deals_outcomes_reasons_price_and_asked_why() -> None:
    lost = review(november_set()).lost_deals
    assert lost.count == 1
    assert lost.outcomes == [Count("lost-competitor", 1)]
    assert lost.categories == [Count("need", 1)]
    assert lost.reasons == [Count("need-misunderstood", 1)]
    assert (lost.price_stated.count, lost.price_stated.total) == (1, 1)
    assert (lost.price_believed.count, lost.price_believed.total) == (0, 1)
    assert lost.asked_why.rate == 1.0


def test_knowledge_perception_gap_of_two_is_flagged_and_energy_per_client() -> None:
    by_client = {c.client: c for c in review(november_set()).clients_detail}
    acme = by_client["Acme"]
    assert (acme.knowledge, acme.perception, acme.gap) == (5.0, 2.0, 3.0)
    assert acme.gap_flagged
    assert acme.energy == 0.0
    assert by_client["Globex"].gap is None
    assert not by_client["Globex"].gap_flagged


def test_lost_deal_choices_keep_the_labels_they_were_saved_with() -> None:
    outcome = {**ans("loss_outcome", "unknown", kind="choice"), "label": "Je ne sais pas"}
    reasons = {
        **ans("reasons", ["price-too-high", "need-misunderstood"], "loss_reason", "multichoice"),
        "label": ["Trop cher", "Besoin mal compris"],
    }
    older = {**ans("loss_outcome", "unknown", kind="choice"), "label": "I do not know"}
    result = review(
        [debrief("Acme", "2026-11-03", older), debrief("Acme", "2026-11-10", outcome, reasons)]
    )
    assert result.lost_deals.outcomes == [Count("unknown", 2)]
    assert result.labels == {  # the latest label wins
        "loss_outcome": {"unknown": "Je ne sais pas"},
        "loss_reason": {"price-too-high": "Trop cher", "need-misunderstood": "Besoin mal compris"},
    }
    mismatched = {**reasons, "label": ["Trop cher"]}  # damaged: one label for two values
    assert review([debrief("Acme", "2026-11-10", mismatched)]).labels == {}


def test_drama_roles_taken() -> None:
    assert review(november_set()).drama_roles == [Count("rescuer", 1)]


def test_declared_summaries_rate_mean_distribution_top() -> None:
    records = [
        record(
            "debrief",
            "Acme",
            day,
            [
                ans("demo_done", done, kind="confirm", summary="rate"),
                ans("client_mood", mood, kind="rating", summary="mean"),
                ans("channel", channel, kind="choice", summary="distribution"),
                ans("worry", worry, summary="top"),
                {**ans("no_role", 7, kind="number", summary="mean"), "role": None},
            ],
        )
        for day, done, mood, channel, worry in [
            ("2026-11-02", True, 4, "video", "Budget"),
            ("2026-11-03", False, 2, "video", "budget "),
            ("2026-11-04", True, 3, "phone", "Timing"),
        ]
    ]
    declared = {d.key: d for d in review(records).declared}
    assert declared["demo_done"].rate is not None
    assert (declared["demo_done"].rate.count, declared["demo_done"].rate.total) == (2, 3)
    assert declared["client_mood"].mean == 3.0
    assert declared["channel"].counts == [Count("video", 2), Count("phone", 1)]
    assert declared["worry"].counts == [Count("Budget", 2), Count("Timing", 1)]
    # A step without a role is summed up under its step id.
    assert declared["no_role"].mean == 7.0


def test_trends_previous_month_and_twelve_month_series() -> None:
    records = [
        debrief("Acme", "2026-10-05", ans("next_steps_agreed", False, kind="confirm")),
        debrief("Acme", "2026-10-06", ans("next_steps_agreed", True, kind="confirm")),
        debrief("Acme", "2026-06-01"),
        *november_set(),
    ]
    headline = {h.id: h for h in review(records).headline}
    debriefed = headline["debriefed"]
    assert (debriefed.value, debriefed.previous) == (4, 2)
    assert len(debriefed.series) == 12
    assert debriefed.series[-1] == 4
    assert debriefed.series[-2] == 2
    assert debriefed.series[-6] == 1  # June
    assert headline["next_steps_rate"].previous == 0.5
    assert headline["next_steps_rate"].series[0] is None  # no answer in December 2025


def test_client_filter_is_the_callers_and_records_outside_the_window_are_ignored() -> None:
    records = [*november_set(), debrief("Acme", "2024-01-01"), debrief("Acme", "2027-01-01")]
    assert review(records).reflections == 5


def test_an_empty_month_is_empty() -> None:
    result = review([debrief("Acme", "2026-10-01")])
    assert result.empty
    assert result.reflections == 0


def test_periods() -> None:
    today = date(2026, 1, 10)
    assert current_month(today) == month_period(2026, 1, today)
    assert current_month(today).so_far == today
    january_before = last_month(today)
    assert (january_before.start, january_before.end) == (date(2025, 12, 1), date(2025, 12, 31))
    assert previous_period(month_period(2026, 3)).end == date(2026, 2, 28)
    custom = range_period(date(2026, 3, 10), date(2026, 3, 19))
    assert not custom.month
    assert previous_period(custom).start == date(2026, 2, 28)
    assert range_period(date(2026, 2, 1), date(2026, 2, 28)).month
    assert trend_months(month_period(2026, 2))[0] == (2025, 3)
    assert reading_window(month_period(2026, 2)) == (date(2025, 3, 1), date(2026, 2, 28))


@pytest.mark.parametrize(
    ("a", "b"), [("Talked too long", "talked  too LONG."), ("Délai", "delai"), ("x!", "X")]
)
def test_texts_compare_without_case_accents_spacing_or_end_punctuation(a: str, b: str) -> None:
    assert norm(a) == norm(b)


def test_a_trend_month_without_any_reflection_has_no_figure() -> None:
    result = review(november_set())
    prepared = next(h for h in result.headline if h.id == "prepared")
    months = dict(zip(result.months, prepared.series, strict=True))
    assert months["2026-11"] is not None
    assert months["2026-06"] is None  # nothing at all that month: a dot, not a zero


def _help_check(r1: bool, r2: bool) -> dict[str, object]:
    return include(
        "healthy_help",
        "healthy-help",
        [
            ans("r1_asked", r1, role="help_rule", kind="confirm", summary="rate"),
            ans("r2_framed", r2, role="help_rule", kind="confirm", summary="rate"),
        ],
    )


def test_help_checked_in_a_prep_and_again_in_its_debrief_counts_once() -> None:
    prep = record("prep", "Acme", "2026-11-02", [_help_check(True, True)])
    after = debrief("Acme", "2026-11-03", _help_check(False, True), prep=prep["id"])
    result = review([prep, after])
    assert result.help.episodes == 1
    # The debrief's answers, the latest, are the ones counted.
    assert [(r.rule, r.checked, r.failed) for r in result.help.rules] == [
        ("r1_asked", 1, 1),
        ("r2_framed", 1, 0),
    ]
    assert {h.id: h.value for h in result.headline}["help_episodes"] == 1


def test_help_in_a_prep_whose_debrief_checked_none_still_counts() -> None:
    prep = record("prep", "Acme", "2026-11-02", [_help_check(True, True)])
    after = debrief("Acme", "2026-11-03", prep=prep["id"])
    assert review([prep, after]).help.episodes == 1


def test_a_reworded_mistake_linked_as_a_repeat_counts_two_with_both_dates() -> None:
    first = debrief(
        "Acme", "2026-10-06", loop("mistakes", "mistakes", [mistake("Talked too long")])
    )
    again = mistake("Did most of the talking")
    again[0]["repeat_of"] = {"reflection": first["id"], "text": "Talked too long"}
    second = debrief("Acme", "2026-11-05", loop("mistakes", "mistakes", [again]))
    result = review([first, second])
    (repeated,) = result.mistakes.repeated_list
    assert repeated.count == 2
    assert repeated.dates == [date(2026, 10, 6), date(2026, 11, 5)]
    assert repeated.mistake == "Did most of the talking"
    assert (result.mistakes.logged, result.mistakes.repeated) == (1, 1)


def _price_loss(client: str, day: str) -> dict[str, object]:
    return debrief(
        client,
        day,
        ans("outcome", "lost", kind="choice", summary="distribution"),
        include(
            "lost_deal",
            "lost-deal",
            [
                ans("believed_reason", "price", kind="choice"),
                ans("loss_reasons_price", ["price-too-high"], role="loss_reason"),
            ],
        ),
    )


def test_a_loss_reason_seen_before_is_flagged_and_wins_are_split_from_losses() -> None:
    from clientcoach.ui.review import blocks, markdown, to_json

    records = [
        _price_loss("Acme", "2026-09-10"),
        _price_loss("Globex", "2026-11-12"),
        debrief("Initech", "2026-11-14", ans("outcome", "won", kind="choice")),
    ]
    result = review(records)
    lost = result.lost_deals
    assert (lost.count, lost.won) == (1, 1)
    (price,) = lost.repeated_reasons
    assert (price.reason, price.count, price.since) == ("price", 2, date(2026, 9, 10))
    assert price.clients == ["Acme", "Globex"]
    line = "Price or commercial terms given as the reason in 2 losses since 2026-09-10"
    assert line in markdown(result, [])
    (block,) = [b for b in blocks(result) if b.title == "Lost deals"]
    assert ("deals won", "1") in block.facts
    assert ("reason seen before", line) in block.facts
    document = to_json(result, [])["lost_deals"]
    assert document["won"] == 1
    assert document["repeated_reasons"][0]["since"] == "2026-09-10"


def test_one_loss_on_price_is_not_a_repeated_reason() -> None:
    assert review([_price_loss("Acme", "2026-11-12")]).lost_deals.repeated_reasons == []


def _asked(step: str, prompt: str, value: str) -> dict[str, object]:
    return {**ans(step, value, role="lesson", summary="top"), "prompt": prompt}


def test_a_role_several_questions_asked_is_named_by_each_of_them_from_files_and_index() -> None:
    import orjson

    from clientcoach.insights.facts import (
        facts_from_json,
        facts_to_json,
        record_facts,
        words_from_json,
        words_to_json,
    )
    from clientcoach.insights.review import build_kept

    differently = "What will you do differently?"
    from_loss = "What is the lesson you take from this loss?"
    records = [
        record("debrief", "Acme", "2026-11-02", [_asked("lesson", differently, "Listen first")]),
        record("debrief", "Acme", "2026-11-05", [_asked("lesson", "Reworded?", "Ask why")]),
        record("debrief", "Globex", "2026-11-06", [_asked("loss_lesson", from_loss, "Ask why")]),
    ]
    by_files = {d.key: d for d in review(records).declared}["lesson"]
    kept = []
    for one in records:
        facts = record_facts(one)
        assert facts is not None
        back = facts_from_json(orjson.loads(orjson.dumps(facts_to_json(facts))))
        kept.append((*back, words_to_json(facts)))

    class Words:
        """Each text ranked by the latest record that showed it, as the index reads them."""

        def __init__(self) -> None:
            self.latest: dict[bytes, int] = {}
            self.added = 0

        def add(self, texts: tuple[bytes, ...]) -> None:
            self.added += 1
            self.latest.update(dict.fromkeys(texts, self.added))

        def shown(self) -> dict[str, Any]:
            return words_from_json(self.latest.items())

    reviewed = build_kept(iter(kept), Words(), NOVEMBER, NOW)
    by_index = {d.key: d for d in reviewed.declared}["lesson"]
    # Two steps asked it: both questions name it (a step reworded counts once, as the
    # latest wording), and the answers are counted together.
    assert by_files.prompts == {"en": f"Reworded? / {from_loss}"}
    assert by_index.prompts == by_files.prompts
    assert by_files.counts == [Count("Ask why", 2), Count("Listen first", 1)]
    # One step only: its own (latest) question, as before.
    alone = {d.key: d for d in review(records[:2]).declared}["lesson"]
    assert alone.prompts == {"en": "Reworded?"}


def test_looking_back_counts_the_debriefs_that_ticked_bad_intent_among_those_that_asked() -> None:
    """The full debrief asks "which of these came up?": ticking the assumption of bad
    intent is the debrief's answer to it, and leaving it unticked a no."""
    came_up = "came_up"
    records = [
        debrief("Acme", "2026-11-03", ans(came_up, ["troll", "bad-intent"], kind="multichoice")),
        debrief("Acme", "2026-11-10", ans(came_up, ["mistake"], kind="multichoice")),
        debrief("Globex", "2026-11-12", ans(came_up, [], kind="multichoice")),
        debrief("Globex", "2026-11-13", ans(came_up, None, kind="multichoice")),  # Enter
        debrief("Globex", "2026-11-14", ans("energy", 1, kind="rating")),  # not asked
        record("prep", "Acme", "2026-11-02", [ans("bad_intent", True, kind="confirm")]),
    ]
    intent = review(records).intent
    assert intent.looking_back == Rate(1, 4)
    assert intent.before_meeting == Rate(1, 1)
