"""Dates in words, as people type them, in English and French."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from clientcoach.core.dates import AnswerError, parse_date
from tests.helpers import run_coach

WEDNESDAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next friday", date(2026, 12, 4)),
        ("Friday next", date(2026, 12, 4)),
        ("vendredi prochain", date(2026, 12, 4)),
        ("next wednesday", date(2026, 12, 9)),  # never today
        ("last friday", date(2026, 11, 27)),
        ("mercredi dernier", date(2026, 11, 25)),
        ("in 3 days", date(2026, 12, 5)),
        ("in a week", date(2026, 12, 9)),
        ("dans 2 semaines", date(2026, 12, 16)),
        ("dans un jour", date(2026, 12, 3)),
        ("3 days ago", date(2026, 11, 29)),
        ("2  weeks   ago", date(2026, 11, 18)),
        ("il y a 2 semaines", date(2026, 11, 18)),
        ("end of month", date(2026, 12, 31)),
        ("fin du mois", date(2026, 12, 31)),
        ("end of week", date(2026, 12, 4)),
        ("fin de semaine", date(2026, 12, 4)),
        # A day's first three letters, as calendars write them.
        ("fri", date(2026, 12, 4)),
        ("Ven", date(2026, 12, 4)),
        ("wed", date(2026, 12, 9)),  # never today
        ("next mon", date(2026, 12, 7)),
        ("last thu", date(2026, 11, 26)),
        ("mar prochain", date(2026, 12, 8)),
    ],
)
def test_phrases_name_the_day_people_mean(text: str, expected: date) -> None:
    assert parse_date(text, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in two months", date(2027, 2, 2)),
        ("dans deux mois", date(2027, 2, 2)),
        ("next month", date(2027, 1, 2)),
        ("le mois prochain", date(2027, 1, 2)),
        ("next week", date(2026, 12, 9)),
        ("la semaine prochaine", date(2026, 12, 9)),
        ("three weeks ago", date(2026, 11, 11)),
        ("il y a trois jours", date(2026, 11, 29)),
    ],
)
def test_counts_in_words_and_next_week_or_month(text: str, expected: date) -> None:
    assert parse_date(text, WEDNESDAY) == expected


def test_end_of_month_knows_short_months_and_leap_years() -> None:
    assert parse_date("end of month", date(2026, 2, 10)) == date(2026, 2, 28)
    assert parse_date("fin du mois", date(2028, 2, 1)) == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["in 3 dayz", "next fryday", "3 days", "ago", "dans semaines"])
def test_a_phrase_that_is_not_a_date_says_which_forms_are(text: str) -> None:
    with pytest.raises(AnswerError, match="in 3 days, 2 weeks ago, in 2 months, end of month"):
        parse_date(text, WEDNESDAY)


@pytest.mark.parametrize(
    ("day", "text", "expected"),
    [
        (date(2026, 1, 31), "+1m", date(2026, 2, 28)),  # a shorter month: its last day
        (date(2028, 1, 31), "in a month", date(2028, 2, 29)),
        (date(2026, 3, 31), "-1m", date(2026, 2, 28)),
        (date(2026, 12, 15), "+1m", date(2027, 1, 15)),
    ],
)
def test_a_month_on_is_the_same_day_or_the_month_s_last(
    day: date, text: str, expected: date
) -> None:
    assert parse_date(text, day) == expected


def test_months_beyond_the_years_read_are_refused() -> None:
    with pytest.raises(AnswerError, match="outside the years 1900 to 2999"):
        parse_date("+9999m", date(2900, 1, 1))


def test_options_take_phrases_too(home: Path) -> None:
    playbook = home.parent / "one.toml"
    playbook.write_text(
        'schema = 1\nid = "one"\nkind = "debrief"\nversion = "1"\nlanguage = "en"\n'
        'title = "One"\n[[steps]]\nid = "energy"\ntype = "rating"\nmin = -2\nmax = 2\n'
        'prompt = "Energy?"\nrole = "energy"\n',
        encoding="utf-8",
    )
    answers = home.parent / "a.toml"
    answers.write_text("energy = 1\n", encoding="utf-8")
    env = {"CLIENTCOACH_NOW": "2026-12-02T10:00:00"}
    saved = run_coach(
        "debrief", "Acme", "-p", str(playbook), "-a", str(answers), "--date", "2 days ago", env=env
    )
    assert saved.code == 0, saved.stderr
    listed = run_coach("history", "--since", "last monday", "--json", env=env)
    (record,) = json.loads(listed.stdout)
    assert record["date"] == "2026-11-30"
    assert json.loads(run_coach("history", "--since", "yesterday", "--json", env=env).stdout) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 décembre", date(2026, 12, 15)),
        ("15 Dec", date(2026, 12, 15)),
        ("Dec. 15th", date(2026, 12, 15)),
        ("le 1er décembre", date(2026, 12, 1)),
        ("the 15th of december", date(2026, 12, 15)),
        ("Friday, 4 December 2026", date(2026, 12, 4)),
        ("vendredi 4 déc", date(2026, 12, 4)),
        ("december 15, 2027", date(2027, 12, 15)),
        # Without a year, the nearest such day: ahead or behind.
        ("5 jan", date(2027, 1, 5)),
        ("28 nov", date(2026, 11, 28)),
        ("4 juin", date(2026, 6, 4)),
        ("2 juin", date(2027, 6, 2)),
        ("15/12/2026", date(2026, 12, 15)),
        ("15.12.26", date(2026, 12, 15)),
        ("après-demain", date(2026, 12, 4)),
        ("avant-hier", date(2026, 11, 30)),
        ("the day after tomorrow", date(2026, 12, 4)),
    ],
)
def test_a_day_and_its_month_name_the_day_people_mean(text: str, expected: date) -> None:
    assert parse_date(text, WEDNESDAY) == expected


def test_numbers_are_read_in_the_order_the_language_writes_them() -> None:
    from clientcoach import i18n

    # English: whichever order the numbers allow, and an order they leave open is asked.
    assert parse_date("15/12", WEDNESDAY) == date(2026, 12, 15)
    assert parse_date("12/15", WEDNESDAY) == date(2026, 12, 15)
    with pytest.raises(AnswerError, match="could be 5 December or 12 May; write it as YYYY-MM-DD"):
        parse_date("05/12", WEDNESDAY)
    # French: day first, always.
    i18n.set_language("fr")
    assert parse_date("05/12", WEDNESDAY) == date(2026, 12, 5)
    with pytest.raises(AnswerError, match="n'est pas un jour du calendrier"):
        parse_date("12/15", WEDNESDAY)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("31 apr", "is not a day of the calendar"),
        ("29 feb 2027", "is not a day of the calendar"),
        ("thu 4 dec", "that day is a Friday"),
        ("15 decembre 3100", "outside the years 1900 to 2999"),
        ("15 smarch", "is not a date; use YYYY-MM-DD, 15 Dec"),
    ],
)
def test_a_day_of_no_calendar_says_why(text: str, error: str) -> None:
    with pytest.raises(AnswerError, match=error):
        parse_date(text, WEDNESDAY)


def test_a_french_session_takes_its_dates_as_french_people_write_them(home: Path) -> None:
    env = {"CLIENTCOACH_NOW": "2026-12-02T10:00:00"}
    quick = Path(__file__).resolve().parents[1] / "examples" / "debrief-quick-answers.toml"
    args = ("--lang", "fr", "debrief", "Acme", "--quick", "--prep", "none", "-a", str(quick))
    saved = run_coach(*args, "--date", "28/11", env=env)
    assert saved.code == 0, saved.stderr
    listed = run_coach(
        "history", "--since", "27 novembre", "--until", "avant-hier", "--json", env=env
    )
    (record,) = json.loads(listed.stdout)
    assert record["date"] == "2026-11-28"
    wrong = run_coach(*args, "--date", "31/11", env=env)
    assert wrong.code == 2
    assert "--date\u00a0: '31/11' n'est pas un jour du calendrier" in wrong.stderr
